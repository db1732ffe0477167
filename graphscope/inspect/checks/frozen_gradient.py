"""frozen-gradient: a trainable tensor whose gradient is bit-identical for N steps in a
row while its value keeps changing: backward is reading something that does not move
(a cached forward value, a graph built once and backpropagated again).

It follows the gradients the engine hands to leaves, not the step's recorded leaves: a
graph built once and reused has no forward ops in later steps, yet still delivers the
(same) gradient every step, which is exactly the case to catch. "Its value changed" is
tested on the content, not the version: near convergence an update can be too small to
change a float32 value at all, and then an unchanged gradient is no sign of a bug."""

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
        self._now: dict[int, tuple] = {}  # tensor id -> (grad, ref, key, seq) of this step
        # tensor id -> (grad fp, shape, value fp, streak, a copy of the gradient once it repeats)
        self._last: dict[int, tuple[float, tuple, float, int, np.ndarray | None]] = {}

    def on_backward(self, ev, node, rec):
        self._seq = ev.seq
        return None

    def on_leaf_grad(self, ev, leaf, rec):
        if ev.tensor.trainable:  # the last event of a step holds the summed gradient
            self._now[ev.tensor.id] = (ev.grad, ev.tensor, leaf.info.key if leaf else None, self._seq)
        return None

    def on_step_end(self, step, rec):
        found = []
        for uid, (g, ref, key, seq) in self._now.items():
            leaf = step.leaf_by_uid.get(uid)
            if leaf is not None and leaf.grad is not None:  # the recorder fingerprinted both already
                fp, value_fp = leaf.grad_fingerprint, leaf.fingerprint
            else:
                fp, value_fp = fingerprint(g), fingerprint(ref.data)
            if fp == 0.0 and not g.any():
                self._last.pop(uid, None)  # all-zero gradients are dead-activation's business
                continue
            prev = self._last.get(uid)
            same = prev is not None and prev[0] == fp and prev[1] == g.shape and prev[2] != value_fp
            if same and prev[4] is not None:  # a fingerprint can miss a one-ulp change: compare exactly
                same = bool(np.array_equal(prev[4], g))
            streak = prev[3] + 1 if same else 1
            self._last[uid] = (fp, g.shape, value_fp, streak, np.array(g, copy=True) if same else None)
            if streak < self.steps:
                continue
            key = key or rec.tensor_label(ref)
            site = step.first_use_site(key) if step.get(key) is not None else ""
            if not site:  # not read by this step's forward: a graph from an earlier step handed it
                located = rec.locate_seq(seq)
                site = located[1].info.site if located else ""
            found.append(self.finding(
                "warning", step.index, key,
                f"the gradient of {key} has been bit-identical for {streak} steps while its value changed: "
                f"backward is using values that are not recomputed (a cached forward result or a graph "
                f"built once). Build the forward pass inside the loop.", site, steps=streak))
        for uid in set(self._last) - set(self._now):
            del self._last[uid]  # no gradient this step: the streak is broken
        self._now.clear()
        return found
