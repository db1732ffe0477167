"""frozen-gradient: a trainable tensor whose gradient is bit-identical for N steps in a
row while its value keeps changing, handed to it by a graph from an earlier step (a graph
built once and backpropagated again, a cached result still attached to its graph).

Why each condition: a linear or piecewise-linear loss (L1, hinge) legitimately gives the
same gradient for many steps, but from a graph rebuilt every step; only the reused graph
is a bug. The value is compared by content, not version: near convergence an update can
be too small to change a float32 value at all. Gradients are followed as the engine
hands them to leaves, since a reused graph has no forward ops in later steps."""

from __future__ import annotations

import numpy as np

from ..stats import fingerprint
from .base import Check


class FrozenGradientCheck(Check):
    kind = "frozen-gradient"
    options = ("frozen_steps",)

    def __init__(self, frozen_steps: int = 3):
        self.steps = max(2, frozen_steps)
        self._seq = 0  # the op whose backward is running: it hands gradients to its leaf inputs
        self._now: dict[int, list] = {}  # tensor id -> [grad, ref, key, seq, through an old graph]
        # tensor id -> (grad fp, shape, value fp, streak, a copy of the gradient once it repeats)
        self._last: dict[int, tuple[float, tuple, float, int, np.ndarray | None]] = {}

    def on_backward_start(self, ev, rec):
        self._seq = 0
        return None

    def on_backward(self, ev, node, rec):
        self._seq = ev.seq
        return None

    def on_leaf_grad(self, ev, leaf, rec):
        if ev.tensor.trainable:  # the last event of a step holds the summed gradient
            old = bool(self._seq) and self._seq not in rec.live.node_by_seq
            was = self._now.get(ev.tensor.id)
            self._now[ev.tensor.id] = [ev.grad, ev.tensor, leaf.info.key if leaf else None, self._seq,
                                       old or bool(was and was[4])]
        return None

    def on_step_end(self, step, rec):
        found = []
        for uid, (g, ref, key, seq, old) in self._now.items():
            leaf = step.leaf_by_uid.get(uid)
            if leaf is not None and leaf.grad is not None:  # the recorder fingerprinted both already
                fp, value_fp = leaf.grad_fingerprint, leaf.fingerprint
            else:
                fp, value_fp = fingerprint(g), fingerprint(ref.data)
            prev = self._last.get(uid)
            same = old and prev is not None and prev[0] == fp and prev[1] == g.shape and prev[2] != value_fp
            if same and prev[4] is not None:  # a fingerprint can miss a one-ulp change: compare exactly
                same = bool(np.array_equal(prev[4], g))
            same = same and bool(g.any())  # all-zero gradients are dead-activation's business
            streak = prev[3] + 1 if same else 1
            self._last[uid] = (fp, g.shape, value_fp, streak, np.array(g, copy=True) if same else None)
            if streak < self.steps:
                continue
            key = key or rec.tensor_label(ref)
            located = rec.locate_seq(seq)  # the op of the reused graph that hands out the gradient
            found.append(self.finding(
                "warning", step.index, key,
                f"the gradient of {key} has been bit-identical for {streak} steps while its value changed: "
                f"backward runs through a graph built in an earlier step, with that step's values. Build "
                f"the forward pass inside the loop.", located[1].info.site if located else "", steps=streak))
        for uid in set(self._last) - set(self._now):
            del self._last[uid]  # no gradient this step: the streak is broken
        self._now.clear()
        return found
