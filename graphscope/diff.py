"""What changed between two graphs: two steps of one trace, or steps of two traces
(a training run and an evaluation run, before and after a fix).

Node keys (`fc1/matmul#0`) say where a node sits only while the two graphs agree; one
missing op renumbers every later op of its kind. So the op nodes are aligned by
structure: each graph's ops in a canonical topological order (ties broken by op name,
so independent branches recorded in another order still line up), then matched as
sequences of op names with difflib. What is left unmatched is what one graph has and
the other lacks: the sigmoid an evaluation function forgot. Leaves (parameters,
inputs) are matched by key, their names.

For the matched pairs: shapes that differ, values that changed (the kept arrays when
both steps kept them, else the fingerprints), and, within one trace, nodes that are the
very same tensor object in both steps (a graph or cache reused across steps).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .inspect.trace import NodeInfo, StepRecord, Trace


@dataclass
class OpEntry:
    """An op node as the diff names it: key, op, module, the user's line, shape."""

    key: str
    op: str
    module: str
    site: str
    shape: tuple[int, ...]

    @classmethod
    def of(cls, info: NodeInfo) -> "OpEntry":
        return cls(info.key, info.op, info.module, info.site, tuple(info.shape))

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "op": self.op, "module": self.module, "site": self.site, "shape": list(self.shape)}


@dataclass
class GraphDiff:
    """The differences between graph A and graph B (see the module docstring)."""

    a: str
    b: str
    ops_a: int = 0
    ops_b: int = 0
    matched: int = 0
    only_a: list[OpEntry] = field(default_factory=list)
    only_b: list[OpEntry] = field(default_factory=list)
    replaced: list[tuple[OpEntry, OpEntry]] = field(default_factory=list)
    shape_changed: list[tuple[str, str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)
    leaves_only_a: list[str] = field(default_factory=list)
    leaves_only_b: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    same_object: list[str] = field(default_factory=list)
    compared_identity: bool = False

    @property
    def structure_equal(self) -> bool:
        return not (self.only_a or self.only_b or self.replaced or self.shape_changed
                    or self.leaves_only_a or self.leaves_only_b)

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a, "b": self.b, "ops_a": self.ops_a, "ops_b": self.ops_b, "matched": self.matched,
            "only_a": [e.to_dict() for e in self.only_a], "only_b": [e.to_dict() for e in self.only_b],
            "replaced": [[x.to_dict(), y.to_dict()] for x, y in self.replaced],
            "shape_changed": [{"a": ka, "b": kb, "shape_a": list(sa), "shape_b": list(sb)}
                              for ka, kb, sa, sb in self.shape_changed],
            "leaves_only_a": self.leaves_only_a, "leaves_only_b": self.leaves_only_b,
            "changed": self.changed, "unchanged": self.unchanged,
            "same_object": self.same_object if self.compared_identity else None,
        }

    def __rich_console__(self, console: Any, options: Any):
        from rich.text import Text

        from .render.terminal import short_site

        def entry(e: OpEntry) -> str:
            site = f"  at {short_site(e.site)}" if e.site else ""
            return f"{e.op}  ({e.key}, shape {_shape(e.shape)}){site}"

        def listing(keys: list[str], limit: int = 12) -> str:
            return ", ".join(keys[:limit]) + (f", ... ({len(keys)} in all)" if len(keys) > limit else "")

        yield Text(f"diff  A = {self.a}   B = {self.b}", style="bold")
        yield Text(f"ops: {self.ops_a} in A, {self.ops_b} in B, {self.matched} matched"
                   + ("; the graphs have the same structure" if self.structure_equal else ""))
        if self.only_a:
            yield Text(f"only in A (B lacks {len(self.only_a)} op{'s' if len(self.only_a) > 1 else ''}):",
                       style="bold red")
            for e in self.only_a:
                yield Text(f"  - {entry(e)}", style="red")
        if self.only_b:
            yield Text(f"only in B (A lacks {len(self.only_b)} op{'s' if len(self.only_b) > 1 else ''}):",
                       style="bold green")
            for e in self.only_b:
                yield Text(f"  + {entry(e)}", style="green")
        if self.replaced:
            yield Text("a different op at the same place:", style="bold yellow")
            for x, y in self.replaced:
                yield Text(f"  ~ {entry(x)}  ->  {entry(y)}", style="yellow")
        if self.shape_changed:
            yield Text("shape changed:", style="bold yellow")
            for ka, kb, sa, sb in self.shape_changed:
                name = ka if ka == kb else f"{ka} / {kb}"
                yield Text(f"  ~ {name}: {_shape(sa)} -> {_shape(sb)}", style="yellow")
        if self.leaves_only_a:
            yield Text(f"leaves only in A: {listing(self.leaves_only_a)}", style="red")
        if self.leaves_only_b:
            yield Text(f"leaves only in B: {listing(self.leaves_only_b)}", style="green")
        total = len(self.changed) + len(self.unchanged)
        yield Text(f"values: {len(self.changed)} of {total} matched nodes changed"
                   + (f"; unchanged: {listing(self.unchanged)}" if self.unchanged else ""))
        if self.compared_identity:
            yield Text(f"the same object in both steps: {listing(self.same_object) if self.same_object else 'none'}",
                       style="bold" if self.same_object else "")

    def __str__(self) -> str:
        from .render.terminal import to_text

        return to_text(self, width=100).rstrip("\n")


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape) if shape else "scalar"


def op_order(step: StepRecord) -> list[int]:
    """Indices of the step's op nodes in a canonical topological order: inputs before
    the ops that read them, ties broken by (op, module), so that the same computation
    recorded in another interleaving gives the same sequence."""
    import networkx as nx

    nodes = step.structure.nodes
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(nodes)))
    for i, info in enumerate(nodes):
        for key in info.inputs:
            j = step.structure.node_index(key)
            if j is not None:
                graph.add_edge(j, i)
    return list(nx.lexicographical_topological_sort(graph, key=lambda i: (nodes[i].op, nodes[i].module, i)))


def _same_value(sa: StepRecord, ka: str, fa: float, sb: StepRecord, kb: str, fb: float) -> bool:
    va, vb = sa.value(ka), sb.value(kb)
    if va is not None and vb is not None:
        return va.shape == vb.shape and bool(np.array_equal(va, vb, equal_nan=True))
    return fa == fb


def diff_steps(a: StepRecord, b: StepRecord, label_a: str = "A", label_b: str = "B",
               same_trace: bool = False) -> GraphDiff:
    """Align two steps' graphs by structure and say what differs (see the module doc).
    `same_trace`: both steps come from one run, so tensor identities can be compared."""
    result = GraphDiff(label_a, label_b, len(a), len(b), compared_identity=same_trace)
    order_a, order_b = op_order(a), op_order(b)
    nodes_a, nodes_b = a.structure.nodes, b.structure.nodes
    tokens_a = [nodes_a[i].op for i in order_a]
    tokens_b = [nodes_b[i].op for i in order_b]
    pairs: list[tuple[int, int]] = []
    matcher = difflib.SequenceMatcher(None, tokens_a, tokens_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(order_a[i1:i2], order_b[j1:j2]))
        elif tag == "delete":
            result.only_a.extend(OpEntry.of(nodes_a[i]) for i in order_a[i1:i2])
        elif tag == "insert":
            result.only_b.extend(OpEntry.of(nodes_b[j]) for j in order_b[j1:j2])
        else:  # replace: pair up what lines up, the rest is missing on one side
            n = min(i2 - i1, j2 - j1)
            result.replaced.extend((OpEntry.of(nodes_a[i]), OpEntry.of(nodes_b[j]))
                                   for i, j in zip(order_a[i1:i1 + n], order_b[j1:j1 + n]))
            result.only_a.extend(OpEntry.of(nodes_a[i]) for i in order_a[i1 + n:i2])
            result.only_b.extend(OpEntry.of(nodes_b[j]) for j in order_b[j1 + n:j2])
    result.matched = len(pairs)
    for i, j in pairs:
        x, y = a.node(i), b.node(j)
        if tuple(x.info.shape) != tuple(y.info.shape):
            result.shape_changed.append((x.info.key, y.info.key, tuple(x.info.shape), tuple(y.info.shape)))
            result.changed.append(x.info.key)
            continue
        same = _same_value(a, x.info.key, x.fingerprint, b, y.info.key, y.fingerprint)
        (result.unchanged if same else result.changed).append(x.info.key)
        if same_trace and x.uid == y.uid:
            result.same_object.append(x.info.key)
    leaves_b = {info.key: i for i, info in enumerate(b.structure.leaves)}
    leaves_a = {info.key for info in a.structure.leaves}
    result.leaves_only_b = [info.key for info in b.structure.leaves if info.key not in leaves_a]
    for i, info in enumerate(a.structure.leaves):
        j = leaves_b.get(info.key)
        if j is None:
            result.leaves_only_a.append(info.key)
            continue
        x, y = a.leaf(i), b.leaf(j)
        if tuple(x.info.shape) != tuple(y.info.shape):
            result.shape_changed.append((info.key, info.key, tuple(x.info.shape), tuple(y.info.shape)))
            result.changed.append(info.key)
            continue
        same = _same_value(a, info.key, x.fingerprint, b, info.key, y.fingerprint)
        (result.unchanged if same else result.changed).append(info.key)
        if same_trace and x.uid == y.uid:
            result.same_object.append(info.key)
    return result


def diff_traces(a: Trace, b: Trace, step_a: int = -1, step_b: int = -1, label_a: str = "A",
                label_b: str = "B") -> GraphDiff:
    """Diff a step of trace `a` against a step of trace `b` (the last steps by default)."""
    sa, sb = a.step(step_a), b.step(step_b)
    return diff_steps(sa, sb, f"{label_a} step {sa.index}", f"{label_b} step {sb.index}", same_trace=a is b)
