"""A Trace step as one networkx.DiGraph: the graph model every drawing, dump and diff
uses. Works from a Trace alone (a live run or a loaded file), never from the engine.

Nodes are keyed by the trace's stable keys (`fc1/matmul#0`, `fc1.weight`); edges run
from an op's inputs to the op. `collapse=True` folds each module call into one node and
runs of identical consecutive blocks into one `×N` node, so deep networks stay readable.
Every walk is iterative, so a 100,000-op chain is fine.
"""

from __future__ import annotations

import difflib
from typing import Any

import networkx as nx

from ..inspect.findings import severity_rank

COLLAPSE_THRESHOLD = 2000  # dot's layout time grows fast past this (5,000 nodes: 8 s)
_MAX_PERIOD = 8            # longest repeating block (in module calls) that collapse looks for
_MIN_REPEATS = 3


class StepGraph(nx.DiGraph):
    """A DiGraph that shows itself as SVG in Jupyter."""

    def _repr_svg_(self) -> str | None:
        from .dot import svg_or_none

        return svg_or_none(self)


def _step_of(trace: Any, step: int):
    if hasattr(trace, "trace"):  # an Inspector
        trace = trace.trace
    if hasattr(trace, "structure"):  # a StepRecord on its own
        return None, trace
    return trace, trace.step(step)


def step_graph(trace: Any, step: int = -1, focus: str | None = None, collapse: bool = False) -> StepGraph:
    """The graph of one step. `focus`: a node key (draw it and its ancestors) or
    "nonfinite" (the path from the leaves to the first NaN/inf)."""
    trace, record = _step_of(trace, step)
    g = StepGraph(step=record.index, status=record.status, roots=list(record.roots), collapsed="")
    findings = trace.findings_at(record.index) if trace is not None else []
    by_node: dict[str, list] = {}
    for f in findings:
        by_node.setdefault(f.node, []).append(f)
    for leaf in record.leaves:
        info = leaf.info
        g.add_node(info.key, kind=info.kind, key=info.key, label=info.key, op="", module=info.module, site="",
                   shape=tuple(info.shape), dtype=info.dtype, trainable=bool(info.trainable), value=leaf.value,
                   grad=leaf.grad, uid=leaf.uid, origin=info.origin, attrs=())
    for node in record.nodes:
        info = node.info
        g.add_node(info.key, kind="op", key=info.key, label=info.key, op=info.op, module=info.module, site=info.site,
                   shape=tuple(info.shape), dtype=info.dtype, trainable=False, value=node.value, grad=node.grad,
                   uid=node.uid, origin="", attrs=tuple(info.attrs), roles=info.roles, recorded=info.recorded)
        for slot, src in enumerate(info.inputs):
            if g.has_edge(src, info.key):
                g.edges[src, info.key]["slots"].append(slot)
            else:
                g.add_edge(src, info.key, slots=[slot])
    _attach_findings(g, by_node)
    if focus:
        g = _focus(g, focus)
    if collapse:
        g = collapse_graph(g)
    return g


def _attach_findings(g: nx.DiGraph, by_node: dict[str, list]) -> None:
    """Findings keyed by a node go on it; findings keyed by a module path go on that
    module's ops (shared-instance names the module, not an op)."""
    for data in g.nodes.values():
        data["findings"] = []
    for key, found in by_node.items():
        if key in g:
            g.nodes[key]["findings"].extend(found)
            continue
        for data in g.nodes.values():
            if data["kind"] == "op" and data["module"] and (data["module"] == key or data["module"].startswith(key + ".")):
                data["findings"].extend(found)
    for data in g.nodes.values():
        found = data["findings"]
        data["finding_kinds"] = sorted({f.kind for f in found})
        data["severity"] = min((f.severity for f in found), key=severity_rank, default="")


def first_nonfinite(g: nx.DiGraph) -> str | None:
    """The first node (in recording order) with a nonfinite finding or a NaN/inf value."""
    for key, data in g.nodes(data=True):
        if "nonfinite" in data.get("finding_kinds", ()):
            return key
    for key, data in g.nodes(data=True):
        value = data.get("value")
        if value is not None and (value.nan or value.inf):
            return key
    return None


def _focus(g: nx.DiGraph, focus: str) -> StepGraph:
    if focus == "nonfinite":
        target = first_nonfinite(g)
        if target is None:
            raise ValueError("focus nonfinite: no NaN or inf in this step")
    else:
        target = focus
        if target not in g:
            close = difflib.get_close_matches(focus, [str(k) for k in g.nodes], n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"focus {focus!r}: no such node in step {g.graph.get('step')}{hint}")
    keep = nx.ancestors(g, target) | {target}
    sub = StepGraph(g.subgraph([k for k in g.nodes if k in keep]))
    sub.graph.update(g.graph, focus=target)
    return sub


def _signature(g: nx.DiGraph, keys: list[str]) -> tuple:
    return tuple((g.nodes[k]["op"] or g.nodes[k]["kind"], g.nodes[k]["shape"], g.nodes[k]["dtype"]) for k in keys)


def _runs(g: nx.DiGraph) -> list[list[str]]:
    """Ops in recording order, cut into runs: consecutive ops of one module call form a
    run; each op outside any module is a run of its own."""
    runs: list[list[str]] = []
    last_module = None
    for key, data in g.nodes(data=True):
        if data["kind"] != "op":
            continue
        module = data["module"]
        if module and module == last_module:
            runs[-1].append(key)
        else:
            runs.append([key])
        last_module = module or None
    return runs


def collapse_graph(g: nx.DiGraph) -> StepGraph:
    """Fold module calls into single nodes and repeated consecutive blocks into `×N`."""
    runs = _runs(g)
    sigs = [(g.nodes[r[0]]["module"].rsplit(".", 1)[-1].rstrip("0123456789") if g.nodes[r[0]]["module"] else "",
             _signature(g, r)) for r in runs]
    groups: list[list[list[str]]] = []  # each group: the runs it folds
    i = 0
    while i < len(runs):
        best_period, best_reps = 1, 1
        for period in range(1, _MAX_PERIOD + 1):
            reps = 1
            while i + (reps + 1) * period <= len(runs) and \
                    sigs[i + reps * period:i + (reps + 1) * period] == sigs[i:i + period]:
                reps += 1
            if reps >= _MIN_REPEATS and reps * period > best_reps * best_period:
                best_period, best_reps = period, reps
        take = best_period * best_reps if best_reps >= _MIN_REPEATS else 1
        groups.append(runs[i:i + take])
        i += take
    owner: dict[str, str] = {}
    out = StepGraph()
    out.graph.update(g.graph)
    for group in groups:
        members = [k for run in group for k in run]
        name = base = _group_name(g, group)
        k = 1
        while name in out or (name in g and name not in members):
            k += 1
            name = f"{base} ({k})"
        owner.update({k: name for k in members})
        modules = [g.nodes[run[0]]["module"] for run in group]
        repeats = len(group) // max(1, _period_of(group, g))
        out.add_node(name, kind="group" if len(members) > 1 or modules[0] else "op", key=name, label=name,
                     op=" ".join(dict.fromkeys(g.nodes[k]["op"] for k in members)), module=modules[0],
                     site=g.nodes[members[0]]["site"], shape=g.nodes[members[-1]]["shape"],
                     dtype=g.nodes[members[-1]]["dtype"], trainable=False, value=g.nodes[members[-1]]["value"],
                     grad=g.nodes[members[-1]]["grad"], members=members, repeats=repeats, attrs=(),
                     uid=g.nodes[members[-1]]["uid"], origin="")
    # Parameters and constants fold into the group that reads them when it is their module's.
    for key, data in g.nodes(data=True):
        if data["kind"] == "op":
            continue
        readers = {owner[s] for s in g.successors(key) if s in owner}
        if data["kind"] in ("parameter", "constant") and len(readers) == 1:
            reader = next(iter(readers))
            if data["kind"] == "constant" or out.nodes[reader]["module"] == data["module"] or \
                    out.nodes[reader]["repeats"] > 1:
                owner[key] = reader
                out.nodes[reader]["members"].append(key)
                out.nodes[reader]["trainable"] |= data["trainable"]
                continue
        owner[key] = key
        out.add_node(key, **data)
    for a, b in g.edges:
        oa, ob = owner.get(a, a), owner.get(b, b)
        if oa != ob and not out.has_edge(oa, ob):
            out.add_edge(oa, ob, slots=[])
    kinds_by_group: dict[str, list] = {}
    for key, data in g.nodes(data=True):
        kinds_by_group.setdefault(owner.get(key, key), []).extend(data.get("findings", []))
    for name, found in kinds_by_group.items():
        out.nodes[name]["findings"] = found
        out.nodes[name]["finding_kinds"] = sorted({f.kind for f in found})
        out.nodes[name]["severity"] = min((f.severity for f in found), key=severity_rank, default="")
    # Put nodes back in a topological order that follows recording order (drawing order).
    ordered = StepGraph()
    ordered.graph.update(out.graph)
    order = {k: i for i, k in enumerate(out.nodes)}
    for k in nx.lexicographical_topological_sort(out, key=lambda k: order[k]):
        ordered.add_node(k, **out.nodes[k])
    ordered.add_edges_from(out.edges(data=True))
    ordered.graph["collapsed"] = f"{g.number_of_nodes()} nodes folded into {ordered.number_of_nodes()}"
    return ordered


def _period_of(group: list[list[str]], g: nx.DiGraph) -> int:
    sigs = [_signature(g, run) for run in group]
    for p in range(1, len(sigs) + 1):
        if len(sigs) % p == 0 and sigs == sigs[:p] * (len(sigs) // p):
            return p
    return len(sigs)


def _group_name(g: nx.DiGraph, group: list[list[str]]) -> str:
    first, last = group[0], group[-1]
    m_first, m_last = g.nodes[first[0]]["module"], g.nodes[last[0]]["module"]
    if len(group) == 1:
        return m_first or first[0]
    a = m_first or first[0]
    b = m_last or last[-1]
    period = _period_of(group, g)
    return f"{a} … {b} ×{len(group) // period}"
