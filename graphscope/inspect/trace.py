"""Trace: what the inspector recorded, as plain data (no engine objects), so renderers,
files and diffs work the same on a live run and on a loaded `.gstrace`.

Memory matters on long runs, so a closed step is packed: its structure (ops, keys,
edges, shapes, sites) is interned and shared by every step with the same graph, and
its numbers live in one small structured numpy array per step (stats in float32, ids
as offsets). `NodeRecord` and `LeafRecord` are views built on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from .findings import Finding
from .stats import Stats

LEAF_KINDS = ("parameter", "input", "constant", "external")

_STATS4 = [("min", "f4"), ("max", "f4"), ("mean", "f4"), ("std", "f4"), ("zeros", "i4")]
NODE_ROW = np.dtype([("value", _STATS4), ("grad", _STATS4), ("uid", "i4"), ("op_id", "i4"), ("fp", "f8")])
LEAF_ROW = np.dtype([("value", _STATS4), ("grad", _STATS4), ("uid", "i4"), ("version", "i8"),
                     ("fp", "f8"), ("grad_fp", "f8")])
_F4_MAX = float(np.finfo(np.float32).max)


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What an op node is, independent of the numbers of any one step."""

    key: str
    op: str
    module: str
    site: str
    inputs: tuple[str, ...]
    shape: tuple[int, ...]
    dtype: str
    attrs: tuple[tuple[str, str], ...] = ()
    roles: tuple[str, ...] | None = None
    recorded: bool = True


@dataclass(frozen=True, slots=True)
class LeafInfo:
    """A tensor no op of this step produced: a parameter, an input, a constant, or an
    `external` value produced by an op of an earlier step (a cached result)."""

    key: str
    name: str | None
    kind: str
    shape: tuple[int, ...]
    dtype: str
    trainable: bool
    module: str = ""
    origin: str = ""


class StepStructure:
    """The graph of a step. Equal structures are interned, so a training loop that
    builds the same graph every step stores it once."""

    __slots__ = ("nodes", "leaves", "_hash", "_node_index", "_leaf_index")

    def __init__(self, nodes: tuple[NodeInfo, ...], leaves: tuple[LeafInfo, ...]):
        self.nodes = nodes
        self.leaves = leaves
        self._hash = hash((nodes, leaves))
        self._node_index: dict[str, int] | None = None
        self._leaf_index: dict[str, int] | None = None

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, StepStructure) and self._hash == other._hash
                and self.nodes == other.nodes and self.leaves == other.leaves)

    def node_index(self, key: str) -> int | None:
        if self._node_index is None:
            self._node_index = {n.key: i for i, n in enumerate(self.nodes)}
        return self._node_index.get(key)

    def leaf_index(self, key: str) -> int | None:
        if self._leaf_index is None:
            self._leaf_index = {n.key: i for i, n in enumerate(self.leaves)}
        return self._leaf_index.get(key)


@dataclass(slots=True)
class NodeRecord:
    """An op node of one step, with its output's value and gradient statistics."""

    info: NodeInfo
    index: int
    value: Stats | None
    grad: Stats | None
    uid: int
    op_id: int
    fingerprint: float

    def __getattr__(self, name: str) -> Any:  # key, op, module, site, inputs, shape, dtype...
        return getattr(object.__getattribute__(self, "info"), name)


@dataclass(slots=True)
class LeafRecord:
    info: LeafInfo
    index: int
    value: Stats | None
    grad: Stats | None
    uid: int
    version: int
    fingerprint: float
    grad_fingerprint: float

    def __getattr__(self, name: str) -> Any:
        return getattr(object.__getattribute__(self, "info"), name)


def _pack_column(column: np.ndarray, stats: list[Stats | None]) -> None:
    """Write many Stats into a packed column at once; None becomes zeros == -1."""
    table = np.array([(s.min, s.max, s.mean, s.std) if s is not None else (0.0, 0.0, 0.0, 0.0) for s in stats],
                     dtype=np.float64)
    # Finite float64 values beyond float32's range are kept at its edge, not turned into inf.
    np.clip(table, -_F4_MAX, _F4_MAX, out=table)
    for j, name in enumerate(("min", "max", "mean", "std")):
        column[name] = table[:, j]
    column["zeros"] = [min(s.zeros, 2**31 - 1) if s is not None else -1 for s in stats]


def _unpack_stats(row: np.void, count: int, nonfinite: tuple[int, int] | None) -> Stats | None:
    zeros = int(row["zeros"])
    if zeros < 0:
        return None
    nan, inf = nonfinite or (0, 0)
    return Stats(count, float(row["min"]), float(row["max"]), float(row["mean"]), float(row["std"]), nan, inf, zeros)


def _count(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape)) if shape else 1


class StepRecord:
    """One step: its structure, packed numbers, kept arrays (recent steps only)."""

    __slots__ = ("index", "structure", "node_rows", "leaf_rows", "base_uid", "base_op", "nonfinite",
                 "values", "roots", "status", "__weakref__")

    def __init__(self, index: int, structure: StepStructure, node_rows: np.ndarray, leaf_rows: np.ndarray,
                 base_uid: int, base_op: int, nonfinite: dict[tuple[str, int, str], tuple[int, int]] | None,
                 values: dict[str, np.ndarray] | None, roots: tuple[str, ...], status: str):
        self.index = index
        self.structure = structure
        self.node_rows = node_rows
        self.leaf_rows = leaf_rows
        self.base_uid = base_uid
        self.base_op = base_op
        self.nonfinite = nonfinite
        self.values = values
        self.roots = roots
        self.status = status

    @classmethod
    def pack(cls, index: int, nodes: list[NodeRecord], leaves: list[LeafRecord], structure: StepStructure,
             values: dict[str, np.ndarray] | None, roots: tuple[str, ...], status: str) -> "StepRecord":
        uids = [n.uid for n in nodes] + [leaf.uid for leaf in leaves]
        base_uid = min(uids) if uids else 0
        base_op = min((n.op_id for n in nodes), default=0)
        node_rows = np.zeros(len(nodes), dtype=NODE_ROW)
        leaf_rows = np.zeros(len(leaves), dtype=LEAF_ROW)
        nonfinite: dict[tuple[str, int, str], tuple[int, int]] = {}
        for rows, records, part in ((node_rows, nodes, "node"), (leaf_rows, leaves, "leaf")):
            if not records:
                continue
            for which in ("value", "grad"):
                stats = [getattr(r, which) for r in records]
                _pack_column(rows[which], stats)
                for i, st in enumerate(stats):
                    if st is not None and (st.nan or st.inf):
                        nonfinite[(part, i, which)] = (st.nan, st.inf)
            rows["uid"] = [r.uid - base_uid for r in records]
            rows["fp"] = [r.fingerprint for r in records]
        if nodes:
            node_rows["op_id"] = [n.op_id - base_op for n in nodes]
        if leaves:
            leaf_rows["version"] = [leaf.version for leaf in leaves]
            leaf_rows["grad_fp"] = [leaf.grad_fingerprint for leaf in leaves]
        return cls(index, structure, node_rows, leaf_rows, base_uid, base_op, nonfinite or None, values, roots, status)

    def _nonfinite(self, part: str, i: int, which: str) -> tuple[int, int] | None:
        return self.nonfinite.get((part, i, which)) if self.nonfinite else None

    def node(self, i: int) -> NodeRecord:
        info, row = self.structure.nodes[i], self.node_rows[i]
        n = _count(info.shape)
        return NodeRecord(info, i, _unpack_stats(row["value"], n, self._nonfinite("node", i, "value")),
                          _unpack_stats(row["grad"], n, self._nonfinite("node", i, "grad")),
                          int(row["uid"]) + self.base_uid, int(row["op_id"]) + self.base_op, float(row["fp"]))

    def leaf(self, i: int) -> LeafRecord:
        info, row = self.structure.leaves[i], self.leaf_rows[i]
        n = _count(info.shape)
        return LeafRecord(info, i, _unpack_stats(row["value"], n, self._nonfinite("leaf", i, "value")),
                          _unpack_stats(row["grad"], n, self._nonfinite("leaf", i, "grad")),
                          int(row["uid"]) + self.base_uid, int(row["version"]), float(row["fp"]),
                          float(row["grad_fp"]))

    @property
    def nodes(self) -> list[NodeRecord]:
        return [self.node(i) for i in range(len(self.structure.nodes))]

    @property
    def leaves(self) -> list[LeafRecord]:
        return [self.leaf(i) for i in range(len(self.structure.leaves))]

    def get(self, key: str) -> NodeRecord | LeafRecord | None:
        """The node or leaf with this key, or None."""
        i = self.structure.node_index(key)
        if i is not None:
            return self.node(i)
        i = self.structure.leaf_index(key)
        return self.leaf(i) if i is not None else None

    def value(self, key: str) -> np.ndarray | None:
        """The kept array of a node or leaf (recent steps only), else None."""
        return self.values.get(key) if self.values else None

    def grad(self, key: str) -> np.ndarray | None:
        return self.values.get(key + ":grad") if self.values else None

    def __len__(self) -> int:
        return len(self.structure.nodes)

    def __repr__(self) -> str:
        return (f"StepRecord(step={self.index}, ops={len(self.structure.nodes)}, "
                f"leaves={len(self.structure.leaves)}, status={self.status!r})")


@dataclass
class Trace:
    """Every step recorded, the findings, and where the run came from."""

    steps: list[StepRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def step(self, index: int) -> StepRecord:
        """A step by its index; negative indices count from the end, like a list."""
        if not self.steps:
            raise IndexError("the trace has no steps: nothing ran under the inspector")
        if index < 0:
            if -index > len(self.steps):
                raise IndexError(f"step {index}: the trace has {len(self.steps)} step(s)")
            return self.steps[index]
        for s in self.steps:
            if s.index == index:
                return s
        raise IndexError(f"step {index} is not in the trace (steps {self.steps[0].index}..{self.steps[-1].index})")

    def findings_at(self, step: int, node: str | None = None) -> list[Finding]:
        return [f for f in self.findings
                if f.step <= step <= (f.last_step if f.last_step is not None else f.step)
                and (node is None or f.node == node)]

    def __iter__(self) -> Iterator[StepRecord]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __repr__(self) -> str:
        return f"Trace(steps={len(self.steps)}, findings={len(self.findings)})"
