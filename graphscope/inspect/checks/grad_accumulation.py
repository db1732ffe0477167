"""grad-accumulation: backward adds to a gradient left over from before the tensor's
last update, i.e. nobody called zero_grad() (or cleargrad()) between steps. Adding up
several backward() calls before one update is fine and is not reported.

The site is the backward() call that adds to the stale gradient: that is where the
missing zero_grad() belongs."""

from __future__ import annotations

from .base import Check


class GradAccumulationCheck(Check):
    kind = "grad-accumulation"

    def __init__(self):
        self._set_at: dict[int, tuple[int, int]] = {}  # tensor id -> (version, step) when its grad was set
        self._backward_site = ""

    def on_backward_start(self, ev, rec):
        self._backward_site = ev.site
        return None

    def on_leaf_grad(self, ev, leaf, rec):
        uid, version = ev.tensor.id, ev.tensor.version
        when = self._set_at.get(uid)
        self._set_at[uid] = (version, rec.step_index) if ev.previous is None or when is None else (version, when[1])
        if ev.previous is None or when is None or when[0] == version:
            return None
        if not ev.previous.any():  # zeroed in place (p.grad[...] = 0): nothing stale to add to
            return None
        label = leaf.info.key if leaf else rec.tensor_label(ev.tensor)
        return [self.finding(
            "warning", rec.step_index, label,
            f"the gradient of {label} from step {when[1]} was never cleared: this backward adds to it although "
            f"the tensor was updated since. Call opt.zero_grad() (or p.zero_grad()) every step before backward().",
            self._backward_site, since_step=when[1])]

    def on_zero_grad(self, ev, rec):
        for uid in ev.tensor_ids:
            self._set_at.pop(uid, None)
        return None
