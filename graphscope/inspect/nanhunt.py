"""nan_hunt: stop at the first op that turns finite values into NaN or inf, forward or
backward, and say where: op, node, phase, the user's line, the inputs' statistics.

    with gs.nan_hunt():          # raises gs.NonFiniteError at the origin
        train()
    @gs.nan_hunt()               # the same, as a decorator
    GRAPHSCOPE_NAN_HUNT=1 python train.py

`nan_hunt(mode="record")` raises nothing and keeps every origin in `.origins`.
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable

from .. import hooks
from ..errors import GraphscopeError
from .checks.nonfinite import describe_inputs
from .findings import Finding
from .naming import Namer
from .stats import all_finite, summarize

# Ops whose output cannot be NaN or inf when their inputs are finite: no test needed.
SAFE_OPS = frozenset({
    "reshape", "transpose", "broadcast_to", "getitem", "concat", "neg", "abs", "relu", "leaky_relu",
    "maximum", "minimum", "clip", "where", "sigmoid", "tanh", "max", "softmax", "log_softmax",
    "cross_entropy",
})
# Ops whose backward only moves the output gradient, negates it or multiplies it by a 0/1 mask
# or a sign: finite whenever the output gradient is, which an origin needs. (Not those that
# sum it over broadcast axes, which can overflow.)
SAFE_BACKWARD = frozenset({"reshape", "transpose", "neg", "abs", "relu", "clip"})
_SEQ_LIMIT = 200_000


class NonFiniteError(GraphscopeError, FloatingPointError):
    """NaN or inf appeared. `.op`, `.node`, `.phase` ('forward'|'backward'), `.site`."""

    def __init__(self, message: str, op: str, node: str, phase: str, site: str, forward_site: str = ""):
        super().__init__(message)
        self.op, self.node, self.phase, self.site, self.forward_site = op, node, phase, site, forward_site


class NanHunt(hooks.Listener):
    """The nonfinite check alone, with its own light bookkeeping: no trace, no stats."""

    def __init__(self, mode: str = "raise"):
        if mode not in ("raise", "record"):
            raise ValueError(f"nan_hunt: mode must be 'raise' or 'record', got {mode!r}")
        self.mode = mode
        self.origins: list[Finding] = []
        self._namer = Namer()
        self._nodes: dict[int, tuple[str, str, tuple[str, ...]]] = {}
        self._labels: dict[int, str] = {}
        self._step = 0
        self._retain = False  # the running backward keeps its graph: keep its nodes' names too
        self._listening = None

    # -- context manager and decorator --------------------------------------------------
    def __enter__(self) -> "NanHunt":
        self._listening = hooks.listen(self)
        self._listening.__enter__()
        return self

    def __exit__(self, *exc: Any) -> bool:
        listening, self._listening = self._listening, None
        if listening is not None:
            listening.__exit__(*exc)
        return False

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def hunted(*args: Any, **kwargs: Any) -> Any:
            with NanHunt(self.mode) as hunt:
                try:
                    return fn(*args, **kwargs)
                finally:
                    self.origins.extend(hunt.origins)

        return hunted

    # -- events ---------------------------------------------------------------------------
    def on_forward(self, ev: hooks.ForwardEvent) -> None:
        key = self._namer.node(ev.module, ev.op)
        known = self._labels.get
        labels = tuple([known(ref.id) or ref.name or f"input {i}" for i, ref in enumerate(ev.inputs)])
        self._labels[ev.output.id] = key
        if ev.recorded:
            self._nodes[ev.seq] = (key, ev.site, labels)
            if len(self._nodes) > _SEQ_LIMIT:
                self._nodes.pop(next(iter(self._nodes)))
        if len(self._labels) > _SEQ_LIMIT:
            self._labels.pop(next(iter(self._labels)))
        if ev.op in SAFE_OPS or all_finite(ev.output.data):
            return
        if not all(all_finite(ref.data) for ref in ev.inputs):
            return
        out = summarize(ev.output.data)
        message = (f"NaN/inf first appeared in the forward pass of {ev.op} ({key}) at {ev.site}: "
                   f"{out.nan} NaN and {out.inf} inf of {out.count} from finite inputs; "
                   f"{describe_inputs(ev.inputs, labels)}")
        self._origin(message, ev.op, key, "forward", ev.site, "")

    def on_backward_start(self, ev: hooks.BackwardStartEvent) -> None:
        self._retain = ev.retain_graph

    def on_backward(self, ev: hooks.BackwardEvent) -> None:
        node = (self._nodes.get if self._retain else self._nodes.pop)(ev.seq, None)
        if ev.op in SAFE_BACKWARD:
            return
        gy = ev.grad_output
        # A gradient handed on as the output gradient itself, or a view of it, cannot be bad while
        # the output gradient is finite, which an origin needs: only the others are tested.
        bad = [i for i, g in enumerate(ev.grad_inputs)
               if g is not None and g is not gy and g.base is not gy and not all_finite(g)]
        if not bad or not all_finite(gy) or not all(all_finite(r.data) for r in ev.inputs):
            return
        key, site, labels = node or (f"{ev.op}#?", "", tuple(f"input {i}" for i in range(len(ev.inputs))))
        g = summarize(ev.grad_inputs[bad[0]])
        message = (f"NaN/inf first appeared in the backward pass of {ev.op} ({key}), whose forward ran at {site}: "
                   f"the gradient of {labels[bad[0]]} has {g.nan} NaN and {g.inf} inf while the output gradient "
                   f"({summarize(ev.grad_output).short()}) and the inputs were finite; "
                   f"{describe_inputs(ev.inputs, labels)}")
        self._origin(message, ev.op, key, "backward", site, site)

    def on_update(self, ev: hooks.UpdateEvent) -> None:
        self._step += 1
        self._namer.reset()
        self._labels.clear()

    def _origin(self, message: str, op: str, key: str, phase: str, site: str, forward_site: str) -> None:
        self.origins.append(Finding("nonfinite", "error", self._step, key, message, site,
                                    {"phase": phase, "op": op}))
        if self.mode == "raise":
            raise NonFiniteError(message, op, key, phase, site, forward_site)


def nan_hunt(fn: Callable | None = None, *, mode: str = "raise") -> Any:
    """A context manager (`with nan_hunt():`) or decorator (`@nan_hunt` / `@nan_hunt()`)."""
    hunt = NanHunt(mode)
    return hunt(fn) if callable(fn) else hunt


_from_env: NanHunt | None = None


def install_from_env() -> NanHunt | None:
    """GRAPHSCOPE_NAN_HUNT=1 (or =record): hunt for the whole program, from import on."""
    global _from_env
    value = os.environ.get("GRAPHSCOPE_NAN_HUNT", "").strip().lower()
    if _from_env is not None or value in ("", "0", "false", "no", "off"):
        return _from_env
    _from_env = NanHunt("record" if value == "record" else "raise").__enter__()
    return _from_env
