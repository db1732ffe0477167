"""no-gradient: a trainable tensor handed to the optimizer that the loss never
reaches: it gets no gradient, so it is never trained (an unused layer, a detach, a
branch computed under no_grad)."""

from __future__ import annotations

from .base import Check


class NoGradientCheck(Check):
    kind = "no-gradient"

    def __init__(self):
        self._reached: set[int] = set()

    def on_leaf_grad(self, ev, leaf, rec):
        self._reached.add(ev.tensor.id)
        return None

    def on_update(self, ev, rec):
        found = []
        for ref in ev.params:
            if ref.trainable and ref.id not in self._reached:
                label = rec.param_names.get(ref.id) or ref.name or f"a parameter of shape {tuple(ref.data.shape)}"
                found.append(self.finding(
                    "warning", rec.step_index, label,
                    f"{label} is handed to {ev.optimizer} but the loss never reaches it: it got no gradient "
                    f"this step and is not trained. Check that its layer is used in the forward pass (not "
                    f"detached, not under no_grad), or leave it out of the optimizer.", ev.site))
        self._reached.clear()
        return found

    def on_step_end(self, step, rec):
        self._reached.clear()
        return None
