"""Recorder: turns engine events into the live step (Python records the checks can
read) and, at each step boundary, into a packed StepRecord of the Trace."""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np

from .. import hooks
from .naming import Namer
from .stats import Stats, summarize, summarize_fp
from .trace import LeafInfo, LeafRecord, NodeInfo, NodeRecord, StepRecord, StepStructure, Trace

# Interned NodeInfo/LeafInfo objects are forgotten past this many (a graph that changes every
# step); the steps that use them keep their own.
_INFO_LIMIT = 200_000
_DTYPE_NAMES: dict[np.dtype, str] = {}  # dtype.name is a slow Python property


def _attrs(attrs: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((k, repr(v)) for k, v in attrs.items()) if attrs else ()


def _dtype_name(dtype: np.dtype) -> str:
    name = _DTYPE_NAMES.get(dtype)
    if name is None:
        name = _DTYPE_NAMES[dtype] = dtype.name
    return name


class LiveStep:
    """The step being recorded: plain lists and maps, packed when the step ends."""

    def __init__(self, index: int):
        self.index = index
        self.nodes: list[NodeRecord] = []
        self.leaves: list[LeafRecord] = []
        self.key_by_uid: dict[int, str] = {}
        self.record_by_uid: dict[int, NodeRecord | LeafRecord] = {}
        self.record_by_key: dict[str, NodeRecord | LeafRecord] = {}
        self.node_by_seq: dict[int, NodeRecord] = {}
        self.leaf_by_uid: dict[int, LeafRecord] = {}
        self.leaf_grads: dict[int, np.ndarray] = {}
        self.values: dict[str, np.ndarray] = {}
        self.roots: list[str] = []
        self.backward_done = False

    def get(self, key: str) -> NodeRecord | LeafRecord | None:
        return self.record_by_key.get(key)

    def first_use_site(self, key: str) -> str:
        """The site of the first op of this step that read `key`."""
        for n in self.nodes:
            if key in n.info.inputs:
                return n.info.site
        return ""

    def inputs_of(self, key: str) -> tuple[str, ...]:
        rec = self.get(key)
        return rec.info.inputs if isinstance(rec, NodeRecord) else ()

    def ancestors(self, key: str) -> list[str]:
        """Every key that `key` was computed from in this step (iterative walk)."""
        inputs = {n.info.key: n.info.inputs for n in self.nodes}
        seen: set[str] = set()
        order: list[str] = []
        stack = list(inputs.get(key, ()))
        while stack:
            k = stack.pop()
            if k in seen:
                continue
            seen.add(k)
            order.append(k)
            stack.extend(inputs.get(k, ()))
        return order

    @property
    def empty(self) -> bool:
        return not self.nodes and not self.leaves


class Recorder:
    """Builds the Trace. `keep_values` recent steps keep full arrays (copies); older
    steps keep statistics only."""

    def __init__(self, keep_values: int = 2, stats: bool = True):
        self.keep_values = keep_values
        self.stats = stats
        self.trace = Trace()
        self.namer = Namer()
        self.live = LiveStep(0)
        self.param_names: dict[int, str] = {}
        self.optimizer_params: dict[int, str] = {}
        self._prev_outputs: dict[int, str] = {}
        self._structures: dict[StepStructure, StepStructure] = {}
        self._seq_starts: list[int] = []
        # Speed: a training loop builds the same graph every step, so the NodeInfo/LeafInfo of a
        # step are looked up by their fields (built and hashed once), and a step's structure by the
        # identities of those interned objects.
        self._infos: dict[tuple, NodeInfo | LeafInfo] = {}
        self._structures_by_ids: dict[tuple, StepStructure] = {}
        # The gradient statistics of the latest node by array identity: an op that hands its output
        # gradient through unchanged (add to the matmul before it) gives the next node the same array.
        self._last_grad: tuple[np.ndarray | None, Stats | None] = (None, None)
        # A leaf read again in the next step as the same array at the same version (a whole
        # dataset as one batch, a frozen layer): tensor id -> (array, version, a copy of it once
        # seen twice, stats, fingerprint). When its content equals the copy element by element,
        # its statistics are those of the copy: one comparison instead of six passes.
        self._leaf_cache: dict[int, tuple] = {}
        self._leaf_cache_next: dict[int, tuple] = {}

    @property
    def step_index(self) -> int:
        return self.live.index

    def _summary(self, a: np.ndarray) -> Stats | None:
        return summarize(a) if self.stats else None

    # -- events -------------------------------------------------------------------
    def forward(self, ev: hooks.ForwardEvent) -> NodeRecord:
        live = self.live
        known = live.key_by_uid.get
        inputs = tuple([known(ref.id) or self._new_leaf(ref) for ref in ev.inputs])
        output = ev.output
        out = output.data
        key = self.namer.node(ev.module, ev.op)
        attrs = _attrs(ev.attrs) if ev.attrs else ()
        fields = (key, ev.op, ev.module, ev.site, inputs, out.shape, _dtype_name(out.dtype), attrs, ev.roles,
                  ev.recorded)
        info = self._infos.get(fields)
        if info is None:
            info = self._intern(fields, NodeInfo(*fields))
        if self.stats:
            value, fp = summarize_fp(out)
        else:
            value, fp = None, 0.0
        node = NodeRecord(info, len(live.nodes), value, None, output.id, ev.op_id, fp)
        live.nodes.append(node)
        live.key_by_uid[output.id] = key
        live.record_by_uid[output.id] = node
        live.record_by_key[key] = node
        live.node_by_seq[ev.seq] = node
        if self.keep_values:
            live.values[key] = np.array(out, copy=True)
        return node

    def _intern(self, fields: tuple, info: NodeInfo | LeafInfo) -> NodeInfo | LeafInfo:
        if len(self._infos) >= _INFO_LIMIT:
            self._infos.clear()
        info = self._infos.setdefault(info, info)  # equal by value: one object (so ids tell structures)
        self._infos[fields] = info
        return info

    def _new_leaf(self, ref: hooks.TensorRef) -> str:
        live = self.live
        data = ref.data
        origin = module = ""
        if ref.is_leaf:
            pname = self.param_names.get(ref.id)
            if pname is not None:
                kind, key = "parameter", self.namer.leaf(pname, "param")
                module = pname.rpartition(".")[0]
            elif ref.trainable:
                kind, key = "parameter", self.namer.leaf(ref.name, "param")
            elif data.ndim == 0 and not ref.name:
                kind, key = "constant", self.namer.leaf(None, "const")
            else:
                kind, key = "input", self.namer.leaf(ref.name, "input")
        else:
            origin = self._prev_outputs.get(ref.id, "")
            kind, key = "external", self.namer.leaf(origin or None, "external")
        fields = (key, ref.name, kind, data.shape, _dtype_name(data.dtype), ref.trainable, module, origin)
        info = self._infos.get(fields)
        if info is None:
            info = self._intern(fields, LeafInfo(*fields))
        if self.stats:
            value, fp = self._leaf_summary(ref)
        else:
            value, fp = None, 0.0
        leaf = LeafRecord(info, len(live.leaves), value, None, ref.id, ref.version, fp, 0.0)
        live.leaves.append(leaf)
        live.key_by_uid[ref.id] = key
        live.record_by_uid[ref.id] = leaf
        live.record_by_key[key] = leaf
        live.leaf_by_uid[ref.id] = leaf
        if self.keep_values:
            live.values[key] = np.array(data, copy=True)
        return key

    def _leaf_summary(self, ref: hooks.TensorRef) -> tuple[Stats, float]:
        data = ref.data
        seen = self._leaf_cache.get(ref.id)
        if seen is None or seen[0] is not data or seen[1] != ref.version:
            value, fp = summarize_fp(data)
            kept = (data, ref.version, None, value, fp)
        elif seen[2] is not None and np.array_equal(seen[2], data):
            value, fp = seen[3], seen[4]
            kept = seen
        else:  # the same array a second time: summarize, and keep a copy to compare with from now on
            value, fp = summarize_fp(data)
            kept = (data, ref.version, np.array(data, copy=True), value, fp)
        self._leaf_cache_next[ref.id] = kept
        return value, fp

    def backward(self, ev: hooks.BackwardEvent) -> NodeRecord | None:
        node = self.live.node_by_seq.get(ev.seq)
        if node is not None and self.stats:
            g = ev.grad_output
            last, stats = self._last_grad
            if g is not last:  # (the same array object as the node before: same statistics)
                stats = summarize(g)
                self._last_grad = (g, stats)
            node.grad = stats
            if self.keep_values:
                self.live.values[node.info.key + ":grad"] = np.array(ev.grad_output, copy=True)
        return node

    def backward_start(self, ev: hooks.BackwardStartEvent) -> None:
        self._last_grad = (None, None)
        node = self.live.node_by_seq.get(ev.root_seq)
        self.live.roots.append(node.info.key if node else self.describe_seq(ev.root_seq))

    def leaf_grad(self, ev: hooks.LeafGradEvent) -> LeafRecord | None:
        leaf = self.live.leaf_by_uid.get(ev.tensor.id)
        if leaf is not None:
            self.live.leaf_grads[leaf.index] = ev.grad
        return leaf

    def module_enter(self, ev: hooks.ModuleEnterEvent) -> None:
        for name, ref in ev.params:
            self.param_names[ref.id] = f"{ev.path}.{name}" if ev.path else name

    def update(self, ev: hooks.UpdateEvent) -> None:
        for ref in ev.params:
            self.optimizer_params[ref.id] = ev.optimizer

    # -- lookups for checks --------------------------------------------------------
    def key_of(self, uid: int) -> str | None:
        return self.live.key_by_uid.get(uid)

    def tensor_label(self, ref: hooks.TensorRef) -> str:
        """How to name a tensor in a message: its key in this step, its parameter name,
        its own name, or its shape."""
        return (self.live.key_by_uid.get(ref.id) or self.param_names.get(ref.id) or ref.name
                or f"tensor {tuple(ref.data.shape)}")

    def locate_seq(self, seq: int) -> tuple[int, NodeRecord] | None:
        """(step, node) for an op node of this or an earlier step, by its event seq."""
        node = self.live.node_by_seq.get(seq)
        if node is not None:
            return self.live.index, node
        i = bisect.bisect_right(self._seq_starts, seq) - 1
        while i >= 0 and not len(self.trace.steps[i]):  # an empty step shares its start with the one before
            i -= 1
        if i < 0:
            return None
        step = self.trace.steps[i]
        hits = np.nonzero(step.op_offsets() == seq - step.base_op)[0]
        return (step.index, step.node(int(hits[0]))) if hits.size else None

    def describe_seq(self, seq: int) -> str:
        found = self.locate_seq(seq)
        return f"{found[1].info.key}@{found[0]}" if found else f"node#{seq}"

    # -- step boundary -------------------------------------------------------------
    def finalize_grads(self) -> None:
        live = self.live
        for i, g in live.leaf_grads.items():
            leaf = live.leaves[i]
            if self.stats:
                leaf.grad, leaf.grad_fingerprint = summarize_fp(g)
            if self.keep_values:
                live.values[leaf.info.key + ":grad"] = np.array(g, copy=True)
        live.leaf_grads.clear()

    def close_step(self, status: str) -> StepRecord:
        live = self.live
        self._last_grad = (None, None)
        node_infos = tuple([n.info for n in live.nodes])
        leaf_infos = tuple([leaf.info for leaf in live.leaves])
        ids = (tuple(map(id, node_infos)), tuple(map(id, leaf_infos)))
        structure = self._structures_by_ids.get(ids)
        if structure is None or structure.nodes != node_infos or structure.leaves != leaf_infos:
            structure = StepStructure(node_infos, leaf_infos)
            structure = self._structures.setdefault(structure, structure)
            if len(self._structures_by_ids) >= _INFO_LIMIT:
                self._structures_by_ids.clear()
            self._structures_by_ids[ids] = structure
        step = StepRecord.pack(live.index, live.nodes, live.leaves, structure,
                               live.values if self.keep_values else None, tuple(live.roots), status)
        self.trace.steps.append(step)
        self._seq_starts.append(step.base_op if live.nodes else (self._seq_starts[-1] if self._seq_starts else 0))
        if self.keep_values and len(self.trace.steps) > self.keep_values:
            self.trace.steps[-self.keep_values - 1].values = None
        # Outputs of this step, and the values it read from earlier ones (a cache read every step keeps
        # the name of the step that made it, not external#k).
        self._prev_outputs = {leaf.uid: leaf.info.origin for leaf in live.leaves if leaf.info.origin}
        self._prev_outputs.update((n.uid, f"{n.info.key}@{live.index}") for n in live.nodes)
        self.live = LiveStep(live.index + 1)
        self.namer.reset()
        self._leaf_cache, self._leaf_cache_next = self._leaf_cache_next, {}
        return step
