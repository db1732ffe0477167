"""grad-accumulation: backward adds to a gradient left over from before the tensor's
last update, i.e. nobody called zero_grad() (or cleargrad()) between steps. Adding up
several backward() calls before one update is fine and is not reported."""

from __future__ import annotations

from .base import Check


class GradAccumulationCheck(Check):
    kind = "grad-accumulation"

    def __init__(self):
        self._set_at: dict[int, tuple[int, int]] = {}  # tensor id -> (version, step) when its grad was set

    def on_leaf_grad(self, ev, leaf, rec):
        uid, version = ev.tensor.id, ev.tensor.version
        when = self._set_at.get(uid)
        self._set_at[uid] = (version, rec.step_index) if ev.previous is None or when is None else (version, when[1])
        if ev.previous is None or when is None or when[0] == version:
            return None
        label = rec.tensor_label(ev.tensor)
        return [self.finding(
            "warning", rec.step_index, leaf.info.key if leaf else label,
            f"the gradient of {label} from step {when[1]} was never cleared: this backward adds to it although "
            f"the tensor was updated since. Call opt.zero_grad() (or p.zero_grad()) every step before backward().",
            rec.live.first_use_site(leaf.info.key) if leaf else "", since_step=when[1])]

    def on_zero_grad(self, ev, rec):
        for uid in ev.tensor_ids:
            self._set_at.pop(uid, None)
        return None
