"""Recorder: turns engine events into the live step (Python records the checks can
read) and, at each step boundary, into a packed StepRecord of the Trace."""

from __future__ import annotations

import bisect
from typing import Any

import numpy as np

from .. import hooks
from .naming import Namer
from .stats import Stats, fingerprint, summarize
from .trace import LeafInfo, LeafRecord, NodeInfo, NodeRecord, StepRecord, StepStructure, Trace


def _attrs(attrs: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((k, repr(v)) for k, v in attrs.items()) if attrs else ()


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

    @property
    def step_index(self) -> int:
        return self.live.index

    def _summary(self, a: np.ndarray) -> Stats | None:
        return summarize(a) if self.stats else None

    # -- events -------------------------------------------------------------------
    def forward(self, ev: hooks.ForwardEvent) -> NodeRecord:
        live = self.live
        inputs = tuple(live.key_by_uid.get(ref.id) or self._new_leaf(ref) for ref in ev.inputs)
        out = ev.output.data
        key = self.namer.node(ev.module, ev.op)
        info = NodeInfo(key, ev.op, ev.module, ev.site, inputs, out.shape, out.dtype.name,
                        _attrs(ev.attrs), ev.roles, ev.recorded)
        node = NodeRecord(info, len(live.nodes), self._summary(out), None, ev.output.id, ev.op_id,
                          fingerprint(out) if self.stats else 0.0)
        live.nodes.append(node)
        live.key_by_uid[ev.output.id] = key
        live.record_by_uid[ev.output.id] = node
        live.record_by_key[key] = node
        live.node_by_seq[ev.seq] = node
        if self.keep_values:
            live.values[key] = np.array(out, copy=True)
        return node

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
        info = LeafInfo(key, ref.name, kind, data.shape, data.dtype.name, ref.trainable, module, origin)
        leaf = LeafRecord(info, len(live.leaves), self._summary(data), None, ref.id, ref.version,
                          fingerprint(data) if self.stats else 0.0, 0.0)
        live.leaves.append(leaf)
        live.key_by_uid[ref.id] = key
        live.record_by_uid[ref.id] = leaf
        live.record_by_key[key] = leaf
        live.leaf_by_uid[ref.id] = leaf
        if self.keep_values:
            live.values[key] = np.array(data, copy=True)
        return key

    def backward(self, ev: hooks.BackwardEvent) -> NodeRecord | None:
        node = self.live.node_by_seq.get(ev.seq)
        if node is not None and self.stats:
            node.grad = summarize(ev.grad_output)
            if self.keep_values:
                self.live.values[node.info.key + ":grad"] = np.array(ev.grad_output, copy=True)
        return node

    def backward_start(self, ev: hooks.BackwardStartEvent) -> None:
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
        hits = np.nonzero(step.node_rows["op_id"] == seq - step.base_op)[0]
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
                leaf.grad = summarize(g)
                leaf.grad_fingerprint = fingerprint(g)
            if self.keep_values:
                live.values[leaf.info.key + ":grad"] = np.array(g, copy=True)
        live.leaf_grads.clear()

    def close_step(self, status: str) -> StepRecord:
        live = self.live
        structure = StepStructure(tuple(n.info for n in live.nodes), tuple(leaf.info for leaf in live.leaves))
        structure = self._structures.setdefault(structure, structure)
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
        return step
