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
    recorded in another interleaving gives the same sequence. (Kahn's algorithm with a
    heap: networkx's lexicographical_topological_sort does the same, ten times slower on
    a 100,000-op chain.)"""
    import heapq

    nodes = step.structure.nodes
    readers: list[list[int]] = [[] for _ in nodes]
    waiting = [0] * len(nodes)
    for i, info in enumerate(nodes):
        for key in info.inputs:
            j = step.structure.node_index(key)
            if j is not None:
                readers[j].append(i)
                waiting[i] += 1
    ready = [(info.op, info.module, i) for i, info in enumerate(nodes) if waiting[i] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)[2]
        order.append(i)
        for r in readers[i]:
            waiting[r] -= 1
            if waiting[r] == 0:
                heapq.heappush(ready, (nodes[r].op, nodes[r].module, r))
    return order


# difflib's matcher is quadratic on long runs of one op (a 100,000-mul chain); past this
# many token pairs the middle that differs is aligned by node key instead.
_ALIGN_LIMIT = 4_000_000


def _opcodes(tokens_a: list[str], tokens_b: list[str], order_a: list[int], order_b: list[int],
             nodes_a: tuple[NodeInfo, ...], nodes_b: tuple[NodeInfo, ...]) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes over the op sequences. The common head and tail are matched
    first, in linear time, so only the part that differs goes to difflib."""
    n, m = len(tokens_a), len(tokens_b)
    head = 0
    while head < min(n, m) and tokens_a[head] == tokens_b[head]:
        head += 1
    tail = 0
    while tail < min(n, m) - head and tokens_a[n - 1 - tail] == tokens_b[m - 1 - tail]:
        tail += 1
    codes: list[tuple[str, int, int, int, int]] = [("equal", 0, head, 0, head)] if head else []
    mid_a, mid_b = tokens_a[head:n - tail], tokens_b[head:m - tail]
    if len(mid_a) * len(mid_b) <= _ALIGN_LIMIT:
        matcher = difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False)
        codes += [(tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    else:  # by key: equal keys (and ops) match, the rest is missing on one side
        where_b = {nodes_b[order_b[j]].key: j for j in range(head, m - tail)}
        matched_b: set[int] = set()
        for i in range(head, n - tail):
            j = where_b.get(nodes_a[order_a[i]].key)
            if j is not None and tokens_b[j] == tokens_a[i]:
                codes.append(("equal", i, i + 1, j, j + 1))
                matched_b.add(j)
            else:
                codes.append(("delete", i, i + 1, head, head))
        codes += [("insert", n - tail, n - tail, j, j + 1) for j in range(head, m - tail) if j not in matched_b]
    if tail:
        codes.append(("equal", n - tail, n, m - tail, m))
    return codes


def _compare(result: GraphDiff, a: StepRecord, b: StepRecord, infos_a: tuple, infos_b: tuple,
             rows_a: np.ndarray, rows_b: np.ndarray, pairs: list[tuple[int, int]], same_trace: bool) -> None:
    """Shapes, values and identities of matched pairs, from the packed rows at once."""
    if not pairs:
        return
    ia = np.fromiter((i for i, _ in pairs), dtype=np.intp, count=len(pairs))
    ib = np.fromiter((j for _, j in pairs), dtype=np.intp, count=len(pairs))
    same_fp = rows_a["fp"][ia] == rows_b["fp"][ib]
    same_uid = (rows_a["uid"][ia].astype(np.int64) + a.base_uid) == (rows_b["uid"][ib].astype(np.int64) + b.base_uid)
    for k, (i, j) in enumerate(pairs):
        x, y = infos_a[i], infos_b[j]
        if tuple(x.shape) != tuple(y.shape):
            result.shape_changed.append((x.key, y.key, tuple(x.shape), tuple(y.shape)))
            result.changed.append(x.key)
            continue
        va, vb = a.value(x.key), b.value(y.key)
        if va is not None and vb is not None:  # the arrays themselves when both steps kept them
            same = va.shape == vb.shape and bool(np.array_equal(va, vb, equal_nan=True))
        else:
            same = bool(same_fp[k])
        (result.unchanged if same else result.changed).append(x.key)
        if same_trace and same_uid[k]:
            result.same_object.append(x.key)


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
    for tag, i1, i2, j1, j2 in _opcodes(tokens_a, tokens_b, order_a, order_b, nodes_a, nodes_b):
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
    _compare(result, a, b, nodes_a, nodes_b, a.node_rows, b.node_rows, pairs, same_trace)
    leaves_a, leaves_b = a.structure.leaves, b.structure.leaves
    where_b = {info.key: j for j, info in enumerate(leaves_b)}
    keys_a = {info.key for info in leaves_a}
    result.leaves_only_a = [info.key for info in leaves_a if info.key not in where_b]
    result.leaves_only_b = [info.key for info in leaves_b if info.key not in keys_a]
    leaf_pairs = [(i, where_b[info.key]) for i, info in enumerate(leaves_a) if info.key in where_b]
    _compare(result, a, b, leaves_a, leaves_b, a.leaf_rows, b.leaf_rows, leaf_pairs, same_trace)
    return result


def diff_traces(a: Trace, b: Trace, step_a: int = -1, step_b: int = -1, label_a: str = "A",
                label_b: str = "B") -> GraphDiff:
    """Diff a step of trace `a` against a step of trace `b` (the last steps by default)."""
    sa, sb = a.step(step_a), b.step(step_b)
    return diff_steps(sa, sb, f"{label_a} step {sa.index}", f"{label_b} step {sb.index}", same_trace=a is b)
