"""frozen-gradient: a trainable tensor whose gradient is bit-identical for N steps in a
row while its value keeps changing: backward is reading something that does not move
(a cached forward value, a graph built once)."""

from __future__ import annotations

from .base import Check


class FrozenGradientCheck(Check):
    kind = "frozen-gradient"
    options = ("frozen_steps",)

    def __init__(self, frozen_steps: int = 3):
        self.steps = max(2, frozen_steps)
        self._last: dict[str, tuple[float, tuple, float, int]] = {}

    def on_step_end(self, step, rec):
        found = []
        for leaf in step.leaves:
            key, g = leaf.info.key, leaf.grad
            if not leaf.info.trainable or g is None or g.zeros == g.count:
                self._last.pop(key, None)  # all-zero gradients are dead-activation's business
                continue
            summary = (g.min, g.max, g.mean, g.std)
            prev = self._last.get(key)
            same = prev is not None and prev[0] == leaf.grad_fingerprint and prev[1] == summary
            streak = prev[3] + 1 if same and prev[2] != leaf.fingerprint else 1
            self._last[key] = (leaf.grad_fingerprint, summary, leaf.fingerprint, streak)
            if streak >= self.steps:
                found.append(self.finding(
                    "warning", step.index, key,
                    f"the gradient of {key} has been bit-identical for {streak} steps while its value "
                    f"changed: backward is using values that are not recomputed (a cached forward result "
                    f"or a graph built once). Build the forward pass inside the loop.",
                    step.first_use_site(key), steps=streak))
        return found
