"""no-gradient: a trainable tensor handed to the optimizer that the loss never reaches:
it gets no gradient, so it is never trained (an unused layer, a detach, a tensor rebuilt
from .data, a branch computed under no_grad).

The site is where the tensor's path to the loss ends: the first op downstream of it whose
result nothing uses (it went through .detach() or .data) or that ran under no_grad. A
tensor nothing read is pointed at the optimizer's step() call. A first miss is info, a
third update in a row without a gradient a warning: multi-task training that alternates
heads legitimately leaves one head out of every other step."""

from __future__ import annotations

from .base import Check


class NoGradientCheck(Check):
    kind = "no-gradient"

    def __init__(self, warn_after: int = 3):
        self.warn_after = warn_after
        self._reached: set[int] = set()
        self._misses: dict[int, int] = {}  # tensor id -> updates in a row it got no gradient for

    def on_leaf_grad(self, ev, leaf, rec):
        self._reached.add(ev.tensor.id)
        return None

    def on_update(self, ev, rec):
        found = []
        for ref in ev.params:
            if not ref.trainable or ref.id in self._reached:
                self._misses.pop(ref.id, None)
                continue
            misses = self._misses[ref.id] = self._misses.get(ref.id, 0) + 1
            key = rec.key_of(ref.id)
            site = _cut_site(rec.live, key) if key else ""
            # A layer never called has no dotted name (only modules that run announce theirs).
            label = key or rec.param_names.get(ref.id) or f"{ref.name or 'parameter'}{list(ref.data.shape)}"
            use = "it is read, but its result never reaches the loss" if site else "nothing reads it"
            found.append(self.finding(
                "warning" if misses >= self.warn_after else "info", rec.step_index, label,
                f"{label} is handed to {ev.optimizer} but got no gradient ({use}) in {misses} update(s) in a row, "
                f"so it is not trained. Use its "
                f"layer in the forward pass without .detach(), no_grad or a detour through .data (numpy), or "
                f"leave it out of the optimizer.", site or ev.site))
        self._reached.clear()
        return found

    def on_step_end(self, step, rec):
        self._reached.clear()
        return None


def _cut_site(live, key: str) -> str:
    """The line of the earliest op downstream of `key` that is a dead end or unrecorded."""
    users: dict[str, list] = {}
    for n in live.nodes:
        for k in n.info.inputs:
            users.setdefault(k, []).append(n)
    cuts, seen, stack = [], set(), list(users.get(key, ()))
    while stack:
        n = stack.pop()
        if n.index in seen:
            continue
        seen.add(n.index)
        after = users.get(n.info.key)
        if not n.info.recorded or not after:
            cuts.append(n)
        else:
            stack.extend(after)
    return min(cuts, key=lambda n: n.index).info.site if cuts else ""
