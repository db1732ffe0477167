"""Inspector: listens to the engine, records a Trace, runs the checks.

    with gs.Inspector() as insp:
        ...training loop...          # a step ends at opt.step() or insp.step()
    insp.findings

A step also ends by itself in a hand-written loop with neither: when, after a
backward(), an op reads a parameter whose value has changed since the step began.
Nothing here lets an error of its own reach the user's program: a failing check is
recorded in `insp.internal_errors`, and an exception in the user's code leaves the
trace and findings complete up to that point.
"""

from __future__ import annotations

import traceback
import warnings
from typing import Any, Iterable

from .. import hooks
from ..callsite import is_internal
from .checks import ALL_CHECKS, Check
from .compare import Comparison, compare_steps
from .findings import Finding, severity_rank
from .recorder import Recorder
from .trace import StepRecord, Trace

_METHODS = ("on_forward", "on_backward", "on_backward_start", "on_leaf_grad", "on_update", "on_zero_grad",
            "on_module_exit", "on_step_end")


def build_checks(checks: str | Iterable[str | Check], **options: Any) -> list[Check]:
    """Check instances from "all", kinds, or ready-made Check objects."""
    if checks == "all":
        checks = list(ALL_CHECKS)
    elif checks is None or checks == "none":
        checks = []
    built = []
    for c in checks:
        if isinstance(c, Check):
            built.append(c)
        elif c in ALL_CHECKS:
            built.append(ALL_CHECKS[c](**{k: v for k, v in options.items() if k in ALL_CHECKS[c].options}))
        else:
            raise ValueError(f"unknown check {c!r}; known checks: {', '.join(ALL_CHECKS)}")
    return built


class Inspector(hooks.Listener):
    """Records every op, gradient and update; runs the checks; keeps the findings.

    keep_values: how many recent steps keep full copies of values and gradients (older
    steps keep statistics only). checks: "all", or a list of kinds / Check objects.
    frozen_steps, dead_steps: how many consecutive steps those checks wait for.
    """

    def __init__(self, checks: str | Iterable[str | Check] = "all", keep_values: int = 2, stats: bool = True,
                 frozen_steps: int = 3, dead_steps: int = 3):
        self.recorder = Recorder(keep_values=keep_values, stats=stats)
        self.checks = build_checks(checks, frozen_steps=frozen_steps, dead_steps=dead_steps)
        # Per event, the (check, bound handler) pairs of the checks that override it: an event no
        # check handles costs one empty loop.
        self._handlers = {m: [(c, getattr(c, m)) for c in self.checks if getattr(type(c), m) is not getattr(Check, m)]
                          for m in _METHODS}
        # One finding per (kind, node, site): the same problem found again every step is counted, but two
        # problems that happen to share a node key (keys restart each step) stay apart.
        self._by_kind_node: dict[tuple[str, str, str], Finding] = {}
        self._explicit_steps = False
        self._listening = None
        self._module_sites: list[str] = []
        self.internal_errors: list[str] = []

    # -- the public face ------------------------------------------------------------
    @property
    def trace(self) -> Trace:
        return self.recorder.trace

    @property
    def findings(self) -> list[Finding]:
        return self.trace.findings

    @property
    def steps(self) -> list[StepRecord]:
        return self.trace.steps

    def step(self) -> None:
        """End the current step here (the optimizer does this in `step()`)."""
        self._explicit_steps = True
        self._close_step("complete")

    def compare(self, step_a: int, step_b: int) -> Comparison:
        """What changed between two recorded steps: values, nodes, object identities."""
        return compare_steps(self.trace, step_a, step_b)

    def graph(self, step: int = -1):
        """The step's graph as a networkx.DiGraph (see graphscope.render.graph)."""
        from ..render.graph import step_graph

        return step_graph(self.trace, step)

    def _repr_svg_(self) -> str | None:
        """Jupyter shows the last step's graph."""
        from ..render.dot import svg_or_none

        return svg_or_none(self.trace)

    def __enter__(self) -> "Inspector":
        self._listening = hooks.listen(self)
        self._listening.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            if exc_type is not None:
                self.trace.meta["error"] = _describe_exception(exc_type, exc, tb)
            if not self.recorder.live.empty or exc_type is not None:
                self._close_step("crashed" if exc_type is not None else "complete")
        finally:
            listening, self._listening = self._listening, None
            if listening is not None:
                listening.__exit__(exc_type, exc, tb)
        return False

    def __repr__(self) -> str:
        counts = {}
        for f in self.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items(), key=lambda kv: severity_rank(kv[0])))
        return f"Inspector(steps={len(self.steps)}, findings={len(self.findings)}{': ' + summary if summary else ''})"

    # -- events ---------------------------------------------------------------------
    def on_forward(self, ev: hooks.ForwardEvent) -> None:
        try:
            if self.recorder.live.backward_done and not self._explicit_steps and self._params_moved(ev):
                self._close_step("complete")
            node = self.recorder.forward(ev)
            self._run("on_forward", ev, node, self.recorder)
        except Exception as exc:  # never let the inspector break the user's program
            self._internal(exc)

    def on_backward(self, ev: hooks.BackwardEvent) -> None:
        try:
            node = self.recorder.backward(ev)
            self._run("on_backward", ev, node, self.recorder)
        except Exception as exc:
            self._internal(exc)

    def on_backward_start(self, ev: hooks.BackwardStartEvent) -> None:
        try:
            self.recorder.backward_start(ev)
            self._run("on_backward_start", ev, self.recorder)
        except Exception as exc:
            self._internal(exc)

    def on_backward_end(self, ev: hooks.BackwardEndEvent) -> None:
        self.recorder.live.backward_done = True

    def on_leaf_grad(self, ev: hooks.LeafGradEvent) -> None:
        try:
            leaf = self.recorder.leaf_grad(ev)
            self._run("on_leaf_grad", ev, leaf, self.recorder)
        except Exception as exc:
            self._internal(exc)

    def on_module_enter(self, ev: hooks.ModuleEnterEvent) -> None:
        self._module_sites.append(ev.site)
        try:
            self.recorder.module_enter(ev)
        except Exception as exc:
            self._internal(exc)

    def on_module_exit(self, ev: hooks.ModuleExitEvent) -> None:
        site = self._module_sites.pop() if self._module_sites else ""
        try:
            self._run("on_module_exit", ev, site, self.recorder)
        except Exception as exc:
            self._internal(exc)

    def on_update(self, ev: hooks.UpdateEvent) -> None:
        try:
            self.recorder.update(ev)
            self._run("on_update", ev, self.recorder)
        except Exception as exc:
            self._internal(exc)
        self._explicit_steps = True
        self._close_step("complete")

    def on_zero_grad(self, ev: hooks.ZeroGradEvent) -> None:
        try:
            self._run("on_zero_grad", ev, self.recorder)
        except Exception as exc:
            self._internal(exc)

    # -- internals ------------------------------------------------------------------
    def _params_moved(self, ev: hooks.ForwardEvent) -> bool:
        live = self.recorder.live
        for ref in ev.inputs:
            leaf = live.leaf_by_uid.get(ref.id)
            if leaf is not None and ref.trainable and ref.version != leaf.version:
                return True
        return False

    def _close_step(self, status: str) -> None:
        try:
            self.recorder.finalize_grads()
            self._run("on_step_end", self.recorder.live, self.recorder)
        except Exception as exc:
            self._internal(exc)
        try:
            self.recorder.close_step(status)
        except Exception as exc:
            self._internal(exc)

    def _run(self, method: str, *args: Any) -> None:
        for check, handler in self._handlers[method]:
            try:
                found = handler(*args)
            except Exception as exc:
                self._internal(exc, check)
                continue
            if found:
                for f in found:
                    self._add(f)

    def _add(self, finding: Finding) -> None:
        key = (finding.kind, finding.node, finding.site)
        seen = self._by_kind_node.get(key)
        if seen is None:
            self._by_kind_node[key] = finding
            self.trace.findings.append(finding)
            return
        seen.count += 1
        seen.last_step = max(seen.last_step or seen.step, finding.step)
        if severity_rank(finding.severity) < severity_rank(seen.severity):
            seen.severity, seen.message = finding.severity, finding.message

    def _internal(self, exc: BaseException, check: Check | None = None) -> None:
        where = f"check {type(check).__name__}" if check else "inspector"
        text = f"{where}: {type(exc).__name__}: {exc}"
        if len(self.internal_errors) < 100:
            self.internal_errors.append(text + "\n" + "".join(traceback.format_tb(exc.__traceback__)[-3:]))
        if len(self.internal_errors) == 1:
            warnings.warn(f"graphscope {text} (recording goes on; see insp.internal_errors)", RuntimeWarning,
                          stacklevel=2)


def _describe_exception(exc_type, exc, tb) -> dict[str, Any]:
    """The user's exception as plain data, with the innermost frame of the user's code."""
    site = ""
    for frame, line in traceback.walk_tb(tb):
        if not is_internal(frame.f_code.co_filename):
            site = f"{frame.f_code.co_filename}:{line}"
    return {"type": exc_type.__name__, "message": str(exc), "site": site}

