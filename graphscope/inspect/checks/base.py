"""The interface every check implements: small handlers that return Findings.

A check sees the engine's events (plain data, see graphscope.hooks) together with the
recorder's view of them (keys, sites, statistics); it never touches engine objects, so
it works for any engine that emits the same events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from ..findings import Finding

if TYPE_CHECKING:
    from ... import hooks
    from ..recorder import LiveStep, Recorder
    from ..trace import LeafRecord, NodeRecord

Findings = Iterable[Finding] | None


class Check:
    """Override only the handlers you need; each returns Findings or None."""

    kind: ClassVar[str] = ""
    # Inspector keyword options this check accepts (e.g. frozen_steps).
    options: ClassVar[tuple[str, ...]] = ()

    def on_forward(self, ev: "hooks.ForwardEvent", node: "NodeRecord", rec: "Recorder") -> Findings:
        return None

    def on_backward(self, ev: "hooks.BackwardEvent", node: "NodeRecord | None", rec: "Recorder") -> Findings:
        return None

    def on_backward_start(self, ev: "hooks.BackwardStartEvent", rec: "Recorder") -> Findings:
        return None

    def on_leaf_grad(self, ev: "hooks.LeafGradEvent", leaf: "LeafRecord | None", rec: "Recorder") -> Findings:
        return None

    def on_update(self, ev: "hooks.UpdateEvent", rec: "Recorder") -> Findings:
        return None

    def on_zero_grad(self, ev: "hooks.ZeroGradEvent", rec: "Recorder") -> Findings:
        return None

    def on_module_exit(self, ev: "hooks.ModuleExitEvent", site: str, rec: "Recorder") -> Findings:
        return None

    def on_step_end(self, step: "LiveStep", rec: "Recorder") -> Findings:
        return None

    def finding(self, severity: str, step: int, node: str, message: str, site: str = "", **details: Any) -> Finding:
        return Finding(self.kind, severity, step, node, message, site, details)
