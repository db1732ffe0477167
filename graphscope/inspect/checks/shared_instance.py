"""shared-instance: one stateful object (a module that stores something on itself when
called, or one op object) applied at several positions of one step's graph: each call
overwrites what the previous one saved, so backward uses the last call's state
everywhere. Sharing a stateless module is harmless and not reported.

Said only when it bites: when backward runs through the ops of one call after a later
call of the same object has stored its own state. A stateful model called twice in a
step for separate purposes (an evaluation batch, then the training batch) is fine."""

from __future__ import annotations

from .base import Check


class SharedInstanceCheck(Check):
    kind = "shared-instance"

    def __init__(self):
        self._calls: dict[int, list[tuple[str, str, tuple[str, ...], str]]] = {}  # module id -> its calls
        self._op_call: dict[int, tuple[int, int]] = {}  # op seq -> (module id, which call ran it)
        self._bitten: set[int] = set()  # modules whose overwritten state a backward ran into
        self._ops: dict[int, list[tuple[str, str, str]]] = {}

    def on_module_exit(self, ev, site, rec):
        self._calls.setdefault(ev.module_id, []).append((ev.path, site, ev.state_written, ev.cls))
        return None

    def on_forward(self, ev, node, rec):
        if ev.module_id:
            self._op_call[ev.seq] = (ev.module_id, len(self._calls.get(ev.module_id, ())))
        if ev.op_id != ev.seq:  # an engine whose op objects can be called more than once
            self._ops.setdefault(ev.op_id, []).append((node.info.key, ev.site, ev.op))
        return None

    def on_backward(self, ev, node, rec):
        mid, i = self._op_call.get(ev.seq, (0, 0))
        calls = self._calls.get(mid, ())
        if len(calls) > i + 1 and any(written for _, _, written, _ in calls[i + 1:]):  # a later call stored state
            self._bitten.add(mid)
        return None

    def on_step_end(self, step, rec):
        found = []
        for mid in self._bitten:
            calls = self._calls[mid]
            written = sorted({name for _, _, names, _ in calls for name in names})
            places = ", ".join(f"{path or '<top>'} ({site})" for path, site, _, _ in calls)
            found.append(self.finding(
                "warning", step.index, calls[1][0] or calls[0][0] or calls[0][3],
                f"one {calls[0][3]} object is applied at {len(calls)} positions: {places}. It stores "
                f"{', '.join(written)} on itself at every call, so each call overwrites what the previous one "
                f"saved and backward sees only the last. Create one instance per position.",
                calls[1][1], positions=[p for p, _, _, _ in calls], state=written))
        for uses in self._ops.values():
            if len(uses) > 1:
                found.append(self.finding(
                    "warning", step.index, uses[1][0],
                    f"one {uses[0][2]} op object is applied at {len(uses)} positions "
                    f"({', '.join(k for k, _, _ in uses)}); its saved state is shared between them.",
                    uses[1][1]))
        for state in (self._calls, self._op_call, self._bitten, self._ops):
            state.clear()
        return found
