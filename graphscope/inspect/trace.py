"""Trace: what the inspector recorded, as plain data (no engine objects), so renderers,
files and diffs work the same on a live run and on a loaded `.gstrace`.

Memory matters on long runs, so a closed step is packed: its structure (ops, keys,
edges, shapes, sites) is interned and shared by every step with the same graph, and
its numbers live in one small structured numpy array per step (stats in float32, ids
as offsets). `NodeRecord` and `LeafRecord` are views built on demand.

In memory a step is packed tighter still than the file layout `NODE_ROW`/`LEAF_ROW`
(which `node_rows`/`leaf_rows` give back, exactly): a fingerprint of float32 data is a
float32 sum, so it is kept in 4 bytes whenever that is exact; the nodes' uid and op-id
offsets repeat from step to step in a training loop, so they sit in a separate array
shared by the steps of one structure while they are equal; versions take 4 bytes while
they fit. A node then takes 44 bytes a step instead of 56, a leaf 64 instead of 68.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import math

import numpy as np

from .findings import Finding
from .stats import Stats

LEAF_KINDS = ("parameter", "input", "constant", "external")

_STATS4 = [("min", "f4"), ("max", "f4"), ("mean", "f4"), ("std", "f4"), ("zeros", "i4")]
NODE_ROW = np.dtype([("value", _STATS4), ("grad", _STATS4), ("uid", "i4"), ("op_id", "i4"), ("fp", "f8")])
LEAF_ROW = np.dtype([("value", _STATS4), ("grad", _STATS4), ("uid", "i4"), ("version", "i8"),
                     ("fp", "f8"), ("grad_fp", "f8")])
_F4_MAX = float(np.finfo(np.float32).max)
_I4_MAX = 2**31 - 1
# The in-memory layouts, built as one float32 table per step (int and float64 fields written
# through int32 and float64 views of it) and viewed as these. Leaves keep 8-byte
# fingerprints: integer inputs (class labels) have float64 ones.
NODE_PACKED = np.dtype([("value", _STATS4), ("grad", _STATS4), ("fp", "f4")])
LEAF_PACKED = np.dtype([("value", _STATS4), ("grad", _STATS4), ("uid", "i4"), ("version", "i4"), ("fp", "f8"),
                        ("grad_fp", "f8")])
_NO_STATS = (0.0, 0.0, 0.0, 0.0)


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

    __slots__ = ("nodes", "leaves", "_hash", "_node_index", "_leaf_index", "_ids", "_roots")

    def __init__(self, nodes: tuple[NodeInfo, ...], leaves: tuple[LeafInfo, ...]):
        self.nodes = nodes
        self.leaves = leaves
        self._hash = hash((nodes, leaves))
        self._node_index: dict[str, int] | None = None
        self._leaf_index: dict[str, int] | None = None
        # The latest node id offsets and roots of a step of this structure, shared by the next
        # step when equal (see StepRecord).
        self._ids: np.ndarray | None = None
        self._roots: tuple[str, ...] | None = None

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


def _unpack_stats(row: np.void, count: int, nonfinite: tuple[int, int] | None) -> Stats | None:
    zeros = int(row["zeros"])
    if zeros < 0:
        return None
    nan, inf = nonfinite or (0, 0)
    return Stats(count, float(row["min"]), float(row["max"]), float(row["mean"]), float(row["std"]), nan, inf, zeros)


def _count(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _f4_exact(values: np.ndarray) -> bool:
    """True when these float64 values survive a round trip through float32 unchanged."""
    with np.errstate(over="ignore"):
        narrow = values.astype(np.float32)
    return bool(np.array_equal(narrow, values, equal_nan=True))


def _stats_table(stats: list[Stats | None], part: str, which: str,
                 nonfinite: dict) -> tuple[list[float], list[int]]:
    """min/max/mean/std (flat) and zero counts (-1: no stats) of a column of Stats; NaN/inf
    counts go to `nonfinite`, which the float32 rows do not hold."""
    flat: list[float] = []
    zeros: list[int] = []
    for i, st in enumerate(stats):
        if st is None:
            flat.extend(_NO_STATS)
            zeros.append(-1)
            continue
        flat.extend((st.min, st.max, st.mean, st.std))
        zeros.append(st.zeros if st.zeros < _I4_MAX else _I4_MAX)
        if st.nan or st.inf:
            nonfinite[(part, i, which)] = (st.nan, st.inf)
    return flat, zeros


class StepRecord:
    """One step: its structure, packed numbers, kept arrays (recent steps only)."""

    __slots__ = ("index", "structure", "base_uid", "base_op", "nonfinite", "values", "roots", "status",
                 "_nrows", "_nids", "_node_base", "_lrows", "__weakref__")

    def __init__(self, index: int, structure: StepStructure, node_rows: np.ndarray, leaf_rows: np.ndarray,
                 base_uid: int, base_op: int, nonfinite: dict[tuple[str, int, str], tuple[int, int]] | None,
                 values: dict[str, np.ndarray] | None, roots: tuple[str, ...], status: str):
        """From rows in the file layout (NODE_ROW, LEAF_ROW); kept packed tighter when that
        loses nothing."""
        self.index = index
        self.structure = structure
        self.base_uid = base_uid
        self.base_op = base_op
        self.nonfinite = nonfinite
        self.values = values
        self.roots = roots
        self.status = status
        self._nrows, self._nids, self._node_base = node_rows, None, base_uid
        if len(node_rows) and node_rows.dtype == NODE_ROW and _f4_exact(node_rows["fp"]):
            uids = node_rows["uid"].astype(np.int64)
            low = int(uids.min())
            ids = np.empty((len(node_rows), 2), np.int32)
            ids[:, 0] = uids - low
            ids[:, 1] = node_rows["op_id"]
            packed = np.empty(len(node_rows), NODE_PACKED)
            packed["value"], packed["grad"], packed["fp"] = node_rows["value"], node_rows["grad"], node_rows["fp"]
            self._nrows, self._nids, self._node_base = packed, _shared_ids(structure, ids), base_uid + low
        self._lrows = leaf_rows
        if (len(leaf_rows) and leaf_rows.dtype == LEAF_ROW and int(leaf_rows["version"].max()) <= _I4_MAX
                and int(leaf_rows["version"].min()) >= -_I4_MAX):
            packed = np.empty(len(leaf_rows), LEAF_PACKED)
            for name in LEAF_PACKED.names:
                packed[name] = leaf_rows[name]
            self._lrows = packed

    @classmethod
    def pack(cls, index: int, nodes: list[NodeRecord], leaves: list[LeafRecord], structure: StepStructure,
             values: dict[str, np.ndarray] | None, roots: tuple[str, ...], status: str) -> "StepRecord":
        uids = [n.uid for n in nodes] + [leaf.uid for leaf in leaves]
        base_uid = min(uids) if uids else 0
        base_op = min((n.op_id for n in nodes), default=0)
        nonfinite: dict[tuple[str, int, str], tuple[int, int]] = {}
        step = cls.__new__(cls)
        step.index, step.structure, step.base_uid, step.base_op = index, structure, base_uid, base_op
        step.values, step.status = values, status
        if structure._roots == roots:
            roots = structure._roots
        structure._roots = step.roots = roots
        step._nrows, step._nids, step._node_base = _pack_nodes(nodes, base_uid, base_op, nonfinite)
        step._lrows = _pack_leaves(leaves, base_uid, nonfinite)
        if step._nids is not None:
            step._nids = _shared_ids(structure, step._nids)
        step.nonfinite = nonfinite or None
        return step

    # -- the file layout, exactly as packed before ------------------------------------
    @property
    def node_rows(self) -> np.ndarray:
        """The nodes' numbers in the file layout NODE_ROW (built on demand from the packed form)."""
        if self._nids is None:
            return self._nrows
        rows = np.zeros(len(self._nrows), NODE_ROW)
        rows["value"], rows["grad"], rows["fp"] = self._nrows["value"], self._nrows["grad"], self._nrows["fp"]
        rows["uid"] = self._nids[:, 0].astype(np.int64) + (self._node_base - self.base_uid)
        rows["op_id"] = self._nids[:, 1]
        return rows

    @property
    def leaf_rows(self) -> np.ndarray:
        """The leaves' numbers in the file layout LEAF_ROW."""
        if self._lrows.dtype == LEAF_ROW:
            return self._lrows
        rows = np.zeros(len(self._lrows), LEAF_ROW)
        for name in LEAF_PACKED.names:
            rows[name] = self._lrows[name]
        return rows

    def op_offsets(self) -> np.ndarray:
        """op_id - base_op of every node (what `node_rows["op_id"]` holds), without building the rows."""
        return self._nrows["op_id"] if self._nids is None else self._nids[:, 1]

    def _nonfinite(self, part: str, i: int, which: str) -> tuple[int, int] | None:
        return self.nonfinite.get((part, i, which)) if self.nonfinite else None

    def node(self, i: int) -> NodeRecord:
        info, row = self.structure.nodes[i], self._nrows[i]
        if self._nids is None:
            uid, op_id = int(row["uid"]) + self.base_uid, int(row["op_id"]) + self.base_op
        else:
            uid, op_id = int(self._nids[i, 0]) + self._node_base, int(self._nids[i, 1]) + self.base_op
        n = _count(info.shape)
        return NodeRecord(info, i, _unpack_stats(row["value"], n, self._nonfinite("node", i, "value")),
                          _unpack_stats(row["grad"], n, self._nonfinite("node", i, "grad")),
                          uid, op_id, float(row["fp"]))

    def leaf(self, i: int) -> LeafRecord:
        info, row = self.structure.leaves[i], self._lrows[i]
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


def _shared_ids(structure: StepStructure, ids: np.ndarray) -> np.ndarray:
    """The previous step's id offsets of this structure when equal to `ids`, else `ids`."""
    last = structure._ids
    if last is not None and last.shape == ids.shape and np.array_equal(last, ids):
        return last
    structure._ids = ids
    return ids


def _table(flat: list[float], rows: int) -> np.ndarray:
    table = np.array(flat, dtype=np.float64).reshape(rows, 4)
    # Finite float64 values beyond float32's range are kept at its edge, not turned into inf.
    np.clip(table, -_F4_MAX, _F4_MAX, out=table)
    return table


def _pack_nodes(nodes: list[NodeRecord], base_uid: int, base_op: int,
                nonfinite: dict) -> tuple[np.ndarray, np.ndarray | None, int]:
    """(packed rows, id offsets, their uid base), or (NODE_ROW rows, None, base_uid)."""
    n = len(nodes)
    flat, zeros = _stats_table([r.value for r in nodes], "node", "value", nonfinite)
    gflat, gzeros = _stats_table([r.grad for r in nodes], "node", "grad", nonfinite)
    fps = np.array([r.fingerprint for r in nodes], dtype=np.float64)
    uids = np.array([r.uid for r in nodes], dtype=np.int64)
    ops = np.array([r.op_id for r in nodes], dtype=np.int64) - base_op
    if not n or not _f4_exact(fps):
        rows = np.zeros(n, NODE_ROW)
        if n:
            _fill_stats(rows["value"], _table(flat, n), zeros)
            _fill_stats(rows["grad"], _table(gflat, n), gzeros)
            rows["uid"], rows["op_id"], rows["fp"] = uids - base_uid, ops, fps
        return rows, None, base_uid
    rows = np.empty(n, NODE_PACKED)  # owns the memory; the float32 table is a view of it
    block = rows.view(np.float32).reshape(n, 11)
    block[:, 0:4] = _table(flat, n)
    block[:, 5:9] = _table(gflat, n)
    block[:, 10] = fps
    ints = block.view(np.int32)
    ints[:, 4], ints[:, 9] = zeros, gzeros
    low = int(uids.min())
    ids = np.empty((n, 2), np.int32)
    ids[:, 0], ids[:, 1] = uids - low, ops
    return rows, ids, low


def _pack_leaves(leaves: list[LeafRecord], base_uid: int, nonfinite: dict) -> np.ndarray:
    n = len(leaves)
    flat, zeros = _stats_table([r.value for r in leaves], "leaf", "value", nonfinite)
    gflat, gzeros = _stats_table([r.grad for r in leaves], "leaf", "grad", nonfinite)
    fps = np.array([(r.fingerprint, r.grad_fingerprint) for r in leaves], dtype=np.float64).reshape(n, 2)
    uids = np.array([r.uid for r in leaves], dtype=np.int64) - base_uid
    versions = np.array([r.version for r in leaves], dtype=np.int64)
    if not n or versions.max() > _I4_MAX or versions.min() < -_I4_MAX:
        rows = np.zeros(n, LEAF_ROW)
        if n:
            _fill_stats(rows["value"], _table(flat, n), zeros)
            _fill_stats(rows["grad"], _table(gflat, n), gzeros)
            rows["uid"], rows["version"], rows["fp"], rows["grad_fp"] = uids, versions, fps[:, 0], fps[:, 1]
        return rows
    rows = np.empty(n, LEAF_PACKED)
    block = rows.view(np.float32).reshape(n, 16)
    block[:, 0:4] = _table(flat, n)
    block[:, 5:9] = _table(gflat, n)
    block.view(np.float64)[:, 6:8] = fps
    ints = block.view(np.int32)
    ints[:, 4], ints[:, 9], ints[:, 10], ints[:, 11] = zeros, gzeros, uids, versions
    return rows


def _fill_stats(column: np.ndarray, table: np.ndarray, zeros: list[int]) -> None:
    for j, name in enumerate(("min", "max", "mean", "std")):
        column[name] = table[:, j]
    column["zeros"] = zeros


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

    def _repr_svg_(self) -> str | None:
        """Jupyter shows the last step's graph."""
        from ..render.dot import svg_or_none

        return svg_or_none(self)

    def __repr__(self) -> str:
        return f"Trace(steps={len(self.steps)}, findings={len(self.findings)})"
