"""stale-cache: backward uses a value that no longer matches its source. Three ways:
an input changed since the forward pass (its version, or its content when edited in
place through `p.data[...] = ...`); a graph from an earlier step backpropagated after
its parameters moved; an op reading a result cached from an earlier step's graph (said
only when backward then follows it into that graph, and that graph is stale)."""

from __future__ import annotations

import numpy as np

from .base import Check

PROBE_SIZE = 4096
_WEIGHTS = {np.dtype(t): np.random.default_rng(0).uniform(0.5, 1.5, 2 * PROBE_SIZE).astype(t)
            for t in (np.float16, np.float32, np.float64)}


def _probe(a: np.ndarray) -> float:
    """A content fingerprint of a parameter: exact for small ones, an even spread of about
    PROBE_SIZE elements of a big one (an in-place clip or rescale touches them all; a
    full fingerprint of every weight at every backward would cost as much as a matmul)."""
    flat = a.reshape(-1)
    sample = flat[::flat.size // PROBE_SIZE + 1]
    weights = _WEIGHTS.get(sample.dtype, _WEIGHTS[np.dtype(np.float64)])[:sample.size]
    value = float(np.dot(sample, weights))
    return value if value == value else float(hash(sample.tobytes()))  # NaN != NaN: use the bytes


class StaleCacheCheck(Check):
    kind = "stale-cache"

    def __init__(self):
        # Reads of earlier steps' results, reported only with a stale earlier graph that backward then
        # runs through: a metric computed from last step's logits after opt.step() is harmless, and
        # so is a GAN's fake batch made before the discriminator's step (the generator did not move).
        self._reads: list = []
        self._probes: dict[int, float] = {}  # trainable leaf id -> its probe at its latest read

    def on_forward(self, ev, node, rec):
        for ref, key in zip(ev.inputs, node.info.inputs):
            if ref.trainable:  # at every read: an in-place update between two steps is no bug
                self._probes[ref.id] = _probe(ref.data)
            leaf = rec.live.leaf_by_uid.get(ref.id)
            if leaf is not None and leaf.info.kind == "external":
                origin = f" ({leaf.info.origin.replace('@', ' at step ')})" if leaf.info.origin else ""
                self._reads.append(self.finding(
                    "warning", rec.step_index, node.info.key,
                    f"{ev.op} reads a value computed in an earlier step{origin}, still attached to that "
                    f"step's graph: once the parameters move, it and its gradient are stale. Recompute it "
                    f"every step, or .detach() it if it is meant to stay constant.", ev.site, input=key))
        return None

    def on_step_end(self, step, rec):
        self._reads.clear()
        self._probes.clear()
        return None

    def on_backward(self, ev, node, rec):
        located = (rec.step_index, node) if node is not None else rec.locate_seq(ev.seq)
        key = located[1].info.key if located else f"{ev.op}#?"
        site = located[1].info.site if located else ""
        for i, (ref, then) in enumerate(zip(ev.inputs, ev.input_versions)):
            changed = then >= 0 and ref.version != then
            how = f"version {then} -> {ref.version}"
            if not changed and node is not None and ref.id in self._probes:
                changed, how = self._probes[ref.id] != _probe(ref.data), "edited in place"
            if not changed:
                continue
            label, found = rec.tensor_label(ref), []
            if located and located[0] < rec.step_index:
                message = (f"backward through the graph of step {located[0]} after its input {label} changed "
                           f"({how}): the gradient is computed from stale forward values. Run the forward "
                           f"pass again each step instead of reusing the graph (retain_graph=True hides this).")
                found, self._reads = self._reads, []  # and where this step picked up that stale graph
            else:
                message = (f"input {i} of {ev.op} ({label}) changed between forward and backward ({how}): "
                           f"the gradient mixes old forward values with the new value. Update parameters "
                           f"only after backward(), and never edit p.data in place mid-step.")
            return found + [self.finding("error", rec.step_index, key, message, site, input=label)]
        return None
