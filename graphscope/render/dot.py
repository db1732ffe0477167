"""Draw a step's graph with Graphviz: DOT source, and SVG/PNG/PDF through `dot`.

How to read a drawing (the same legend is drawn in the graph's corner):

- grey rounded box: an op (`fc1/matmul#0`), with its output's shape, dtype and value
  range, and the range of its gradient (`∇`) when backward reached it;
- blue box: a parameter; **`<T>`** before a name marks every trainable tensor (a
  trainable loss target shows it too, which is the point);
- yellow ellipse: an input; small text: a constant; dashed orange: a value computed in
  an earlier step (a cached result); 3-D box: a folded module call or repeated block;
- a coloured border and tint: a finding on that node, one colour per kind:
  nonfinite red, stale-cache orange, frozen-gradient violet, grad-accumulation wine,
  shared-instance pink, dead-activation dark grey, trainable-target gold, no-gradient teal.
- a frame around nodes: one module (its ops and parameters).

Graphs over COLLAPSE_THRESHOLD nodes are collapsed unless `full=True`: `dot` needs
about 8 s for 5,000 nodes and minutes for 20,000.

Without a system `dot`, `.dot` output still works; for images, `graphviz-pure` (a
statically linked Rust port of dot, `pip install graphviz-pure`, SVG and PNG but no PDF)
is used when it is on PATH. Evaluated on 0.2.2: one 13 MB static binary named
`graphviz-pure` (it installs no `dot`, so the graphviz package cannot find it by name;
we run it ourselves with the DOT source on stdin). A small graph took 2 ms to SVG and 13 ms
to PNG; the layout matches dot's; its bundled fonts have no Hangul, so Korean names come
out as boxes in PNG (SVG keeps the text); PDF is refused with the one-line install hint.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

from ..errors import GraphscopeError
from .graph import COLLAPSE_THRESHOLD, StepGraph, step_graph

KIND_COLORS = {
    "nonfinite": "#e03131",
    "stale-cache": "#f08c00",
    "frozen-gradient": "#7048e8",
    "grad-accumulation": "#a61e4d",
    "shared-instance": "#d6336c",
    "dead-activation": "#495057",
    "trainable-target": "#e8a600",
    "no-gradient": "#1098ad",
}
KIND_TINTS = {
    "nonfinite": "#ffe3e3",
    "stale-cache": "#ffe8cc",
    "frozen-gradient": "#e5dbff",
    "grad-accumulation": "#fcc2d7",
    "shared-instance": "#ffdeeb",
    "dead-activation": "#dee2e6",
    "trainable-target": "#fff3bf",
    "no-gradient": "#c5f6fa",
}
NODE_STYLES = {
    "op": {"shape": "box", "style": "rounded,filled", "fillcolor": "#f1f3f5"},
    "parameter": {"shape": "box", "style": "filled", "fillcolor": "#d0ebff"},
    "input": {"shape": "ellipse", "style": "filled", "fillcolor": "#fff9db"},
    "constant": {"shape": "plaintext", "fontsize": "9"},
    "external": {"shape": "box", "style": "dashed,filled", "fillcolor": "#fff4e6", "color": "#f08c00"},
    "group": {"shape": "box3d", "style": "filled", "fillcolor": "#e9ecef"},
}
FORMATS = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf"}


class GraphvizMissingError(GraphscopeError, RuntimeError):
    """No `dot` (nor graphviz-pure) to lay out an image."""


class CollapsedWarning(UserWarning):
    """A big graph was drawn collapsed; `full=True` draws every node."""


def escape(text: Any) -> str:
    """Text safe inside a quoted DOT string: backslashes doubled (dot reads `\\N`, `\\G`
    as escapes), `&` as `&amp;` (dot decodes entities such as `&lt;` even in plain labels),
    newlines as dot's `\\n`. Quotes are escaped by the graphviz package."""
    return (str(text).replace("\\", "\\\\").replace("&", "&amp;").replace("\r", "")
            .replace("\n", "\\n"))


def _label(lines: list[str]) -> Any:
    import graphviz

    # nohtml: a label such as "<T>" must never be read as an HTML-like label.
    return graphviz.nohtml("\\n".join(escape(line) for line in lines if line))


def _range(stats: Any, prefix: str = "") -> str:
    if stats is None or not stats.count:
        return ""
    if stats.min != stats.min:  # no finite element at all
        return f"{prefix}all non-finite: NaN {stats.nan} inf {stats.inf}"
    text = f"{prefix}{stats.min:.3g} … {stats.max:.3g}  μ {stats.mean:.3g}"
    if stats.nan or stats.inf:
        text += f"  NaN {stats.nan} inf {stats.inf}"
    return text


def _node_lines(data: dict[str, Any]) -> list[str]:
    name = ("<T> " if data.get("trainable") else "") + str(data["label"])
    lines = [name]
    if data["kind"] == "op" and data.get("attrs"):
        lines.append(", ".join(f"{k}={v}" for k, v in data["attrs"])[:60])
    if data["kind"] == "group":
        lines.append(f"[{data.get('op', '')}]")
    if data.get("shape") is not None and data["kind"] != "constant":
        lines.append(f"{tuple(data['shape'])} {data.get('dtype', '')}")
    if data["kind"] == "constant" and data.get("value") is not None:
        lines = [f"{data['value'].mean:.4g}"]
    else:
        lines.append(_range(data.get("value")))
        lines.append(_range(data.get("grad"), "∇ "))
    if data.get("finding_kinds"):
        lines.append("⚠ " + ", ".join(data["finding_kinds"]))
    return lines


def _tooltip(data: dict[str, Any]) -> str:
    parts = [str(data["key"])]
    if data.get("site"):
        parts.append(f"at {data['site']}")
    if data.get("origin"):
        parts.append(f"computed at {data['origin']}")
    parts += [f"[{f.severity}] {f.kind}: {f.message}" for f in data.get("findings", [])[:5]]
    return escape("\n".join(parts))


def _node_attrs(data: dict[str, Any]) -> dict[str, str]:
    attrs = dict(NODE_STYLES.get(data["kind"], NODE_STYLES["op"]))
    kinds = data.get("finding_kinds") or []
    if kinds:
        worst = min(data["findings"], key=lambda f: (["error", "warning", "info"].index(f.severity)
                                                     if f.severity in ("error", "warning", "info") else 3)).kind
        attrs.update(color=KIND_COLORS.get(worst, "#000000"), fillcolor=KIND_TINTS.get(worst, "#ffffff"),
                     penwidth="3", style=attrs.get("style", "filled").replace("dashed,", "") or "filled")
        if "filled" not in attrs["style"]:
            attrs["style"] += ",filled"
    return attrs


def _as_graph(obj: Any, step: int, focus: str | None, collapse: bool | None, full: bool) -> StepGraph:
    if isinstance(obj, StepGraph) or (hasattr(obj, "nodes") and hasattr(obj, "edges") and hasattr(obj, "graph")):
        g = obj
    else:
        if hasattr(obj, "creator") and hasattr(obj, "uid"):
            raise TypeError("render.dot draws traces; for a tensor use gs.to_dot(tensor) or gs.render(tensor, path)")
        g = step_graph(obj, step, focus=focus)
    if collapse is None:
        collapse = g.number_of_nodes() > COLLAPSE_THRESHOLD and not full
        if collapse:
            from .graph import collapse_graph

            before = g.number_of_nodes()
            g = collapse_graph(g)
            note = (f"{before} nodes drawn collapsed into {g.number_of_nodes()} (over {COLLAPSE_THRESHOLD}); "
                    f"pass full=True (--full) to draw every node")
            g.graph["note"] = note
            warnings.warn(note, CollapsedWarning, stacklevel=3)
    elif collapse:
        from .graph import collapse_graph

        g = collapse_graph(g)
    return g


def to_dot(obj: Any, step: int = -1, focus: str | None = None, collapse: bool | None = None,
           full: bool = False, legend: bool = True) -> str:
    """DOT source of a step of a Trace / Inspector, a StepRecord, or a graph from step_graph."""
    import graphviz

    g = _as_graph(obj, step, focus, collapse, full)
    dot = graphviz.Digraph("graphscope", graph_attr={"rankdir": "TB", "fontname": "Helvetica", "fontsize": "11",
                                                      "labelloc": "t"},
                           node_attr={"fontname": "Helvetica", "fontsize": "10"},
                           edge_attr={"color": "#868e96", "arrowsize": "0.6"})
    title = f"step {g.graph.get('step', '?')}"
    if g.graph.get("status") and g.graph["status"] != "complete":
        title += f" ({g.graph['status']})"
    if g.graph.get("focus"):
        title += f", focus on {g.graph['focus']}"
    if g.graph.get("note") or g.graph.get("collapsed"):
        title += f"\n{g.graph.get('note') or g.graph['collapsed']}"
    dot.attr(label=_label(title.split("\n")))
    ids = {key: f"n{i}" for i, key in enumerate(g.nodes)}
    clusters: dict[str, list[str]] = {}
    loose: list[str] = []
    for key, data in g.nodes(data=True):
        module = data.get("module") or ""
        if module and data["kind"] in ("op", "parameter") and not g.graph.get("collapsed"):
            clusters.setdefault(module, []).append(key)
        else:
            loose.append(key)
    _emit_nodes(dot, g, loose, ids)
    for i, (module, keys) in enumerate(clusters.items()):
        with dot.subgraph(name=f"cluster_{i}") as sub:
            sub.attr(label=_label([module]), style="rounded,dashed", color="#adb5bd", fontsize="10")
            _emit_nodes(sub, g, keys, ids)
    for a, b in g.edges:
        dot.edge(ids[a], ids[b])
    if legend:
        _legend(dot, g)
    return dot.source


def _emit_nodes(container: Any, g: Any, keys: list[str], ids: dict[str, str]) -> None:
    """Nodes grouped by style, each style set once for its group (an anonymous subgraph's
    `node [...]` default): a 10,000-node drawing then quotes labels, not styles."""
    by_style: dict[tuple, list[str]] = {}
    for key in keys:
        by_style.setdefault(tuple(sorted(_node_attrs(g.nodes[key]).items())), []).append(key)
    for style, members in by_style.items():
        with container.subgraph() as group:
            group.attr("node", **dict(style))
            for key in members:
                data = g.nodes[key]
                tooltip = _tooltip(data)
                if tooltip != escape(data["key"]):
                    group.node(ids[key], label=_label(_node_lines(data)), tooltip=tooltip)
                else:
                    group.node(ids[key], label=_label(_node_lines(data)))


def _legend(dot: Any, g: Any) -> None:
    kinds = sorted({k for _, d in g.nodes(data=True) for k in d.get("finding_kinds", ())})
    present = {d["kind"] for _, d in g.nodes(data=True)}
    with dot.subgraph(name="cluster_legend") as leg:
        leg.attr(label="legend", style="rounded", color="#ced4da", fontsize="9")
        for kind in ("op", "parameter", "input", "external", "group"):
            if kind in present:
                style = dict(NODE_STYLES[kind])
                text = {"parameter": "<T> trainable parameter", "external": "cached from an earlier step",
                        "group": "folded modules / ×N repeats"}.get(kind, kind)
                leg.node(f"legend_{kind}", label=_label([text]), fontsize="9", **style)
        for kind in kinds:
            leg.node(f"legend_{kind}", label=_label([kind]), shape="box", style="filled", penwidth="3",
                     color=KIND_COLORS.get(kind, "#000000"), fillcolor=KIND_TINTS.get(kind, "#ffffff"), fontsize="9")


def layout(source: str, fmt: str) -> bytes:
    """Run Graphviz on DOT source: the system `dot`, else graphviz-pure (no PDF)."""
    if shutil.which("dot"):
        import graphviz

        return graphviz.pipe("dot", fmt, source.encode("utf-8"))
    pure = shutil.which("graphviz-pure")
    if pure and fmt != "pdf":
        done = subprocess.run([pure, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, check=False)
        if done.returncode == 0:
            return done.stdout
        raise GraphscopeError(f"graphviz-pure failed: {done.stderr.decode(errors='replace').strip()[:200]}")
    raise GraphvizMissingError(
        f"Graphviz's `dot` program was not found, so no .{fmt} can be drawn: install it (Debian/Ubuntu: "
        f"apt-get install graphviz; macOS: brew install graphviz)" +
        ("" if fmt == "pdf" else " or pip install graphviz-pure") + "; .dot output needs neither")


def render(obj: Any, path: str | Path, step: int = -1, focus: str | None = None, collapse: bool | None = None,
           full: bool = False) -> Path:
    """Write the drawing to `path`; the suffix picks the format (.dot .gv .svg .png .pdf)."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"unknown drawing format {path.suffix or '(no suffix)'!r}: use .dot, .svg, .png or .pdf")
    source = to_dot(obj, step=step, focus=focus, collapse=collapse, full=full)
    if fmt == "dot":
        path.write_text(source, encoding="utf-8")
    else:
        path.write_bytes(layout(source, fmt))
    return path


def svg_or_none(obj: Any) -> str | None:
    """SVG text for Jupyter, or None when it cannot be drawn (no dot, empty trace)."""
    try:
        return layout(to_dot(obj), "svg").decode("utf-8")
    except Exception:
        return None
