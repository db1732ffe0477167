"""dead-activation: a ReLU-family output that is zero everywhere in the batch,
for a whole layer or for most of its units, N steps in a row: no gradient flows back
through those units, so they never recover."""

from __future__ import annotations

import numpy as np

from .base import Check

RELU_FAMILY = ("relu", "leaky_relu", "relu6", "aten.relu", "aten.leaky_relu")
# A unit must also be silent on this many samples: with a batch of one, half the units of a
# healthy layer are zero on any given sample, so a few steps prove nothing.
MIN_SAMPLES = 32


class DeadActivationCheck(Check):
    kind = "dead-activation"
    options = ("dead_steps",)

    def __init__(self, dead_steps: int = 3):
        self.steps = max(1, dead_steps)
        self._now: dict[str, tuple[np.ndarray, str, int]] = {}
        self._streak: dict[str, np.ndarray] = {}

    def on_forward(self, ev, node, rec):
        if ev.op in RELU_FAMILY and ev.output.data.size:
            out = ev.output.data
            units = out.reshape(-1, out.shape[-1]) if out.ndim >= 2 else out.reshape(1, -1)
            # Dead means exactly zero for every sample. A NaN unit is not dead (that is nonfinite's
            # business), and a LeakyReLU unit below zero still passes a gradient back.
            self._now[node.info.key] = ((units != 0).any(axis=0), ev.site, units.shape[0])
        return None

    def on_step_end(self, step, rec):
        found = []
        for key, (alive, site, rows) in self._now.items():
            if 2 * int(alive.sum()) > alive.size:  # under half the units dead: no finding can follow for
                self._streak.pop(key, None)         # a while, and forgetting streaks only delays one
                continue
            dead, prev = ~alive, self._streak.get(key)
            streak = np.where(dead, (prev if prev is not None and prev.shape == dead.shape else 0) + 1, 0)
            self._streak[key] = streak
            needed = max(self.steps, -(-MIN_SAMPLES // rows))
            long_dead = streak >= needed
            share = float(long_dead.mean())
            if share == 1.0:
                severity, what = "error", "every unit"
            elif share >= 0.9:
                severity, what = "warning", f"{int(long_dead.sum())} of {long_dead.size} units"
            elif share >= 0.5:
                severity, what = "info", f"{int(long_dead.sum())} of {long_dead.size} units"
            else:
                continue
            found.append(self.finding(
                severity, step.index, key,
                f"{what} of {key} output zero for the whole batch for {needed}+ steps: no gradient flows "
                f"back through them, so they cannot recover. Lower the learning rate, check the init and the "
                f"input scale, or use LeakyReLU.", site, dead_units=int(long_dead.sum()), units=int(long_dead.size)))
        for key in set(self._streak) - set(self._now):
            del self._streak[key]
        self._now.clear()
        return found
