"""The event bus between the engine and whoever listens (the inspector, nan-hunt).

Events carry numpy arrays and plain data only: an op is a name string, a tensor is a
`TensorRef` (an int id stable for the tensor's life, its array, trainable flag, version).
So another engine can emit the same events through an adapter and every listener works
unchanged. Arrays are handed over as they are, without copies; a listener that keeps a
value copies it itself.

Listeners are per context (so per thread and per asyncio task). An op pays one truthiness
check of `active` when nobody listens anywhere. An engine may also ask `wants(method)` and
skip building an event that no listener of the context handles (nan_hunt has no use for
module calls or leaf gradients); whoever handles it gets the same event as ever.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

# How many listen() blocks are open in any thread. Ops test only this; the per-context
# tuple below is consulted only when something listens somewhere.
active = 0
_active_lock = threading.Lock()
_listeners: ContextVar[tuple["Listener", ...]] = ContextVar("graphscope_listeners", default=())
# The event methods the listeners of this context handle, kept beside them by listen().
_wanted: ContextVar[frozenset[str]] = ContextVar("graphscope_wanted", default=frozenset())


@dataclass(slots=True)
class TensorRef:
    """A tensor as listeners see it: identity, value and the flags checks need."""

    id: int
    data: np.ndarray
    trainable: bool
    requires_grad: bool
    version: int
    name: str | None
    is_leaf: bool

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype


@dataclass(slots=True)
class ForwardEvent:
    """One op ran forward. `seq` identifies the node; backward events refer to it."""

    seq: int
    op: str
    op_id: int
    inputs: tuple[TensorRef, ...]
    output: TensorRef
    site: str
    module: str
    module_id: int
    recorded: bool
    roles: tuple[str, ...] | None = None
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class BackwardEvent:
    """One op ran backward: the gradient it received and the ones it produced.

    `inputs` are the inputs as they are now; `input_versions` as they were at forward.
    """

    seq: int
    op: str
    backward_id: int
    grad_output: np.ndarray
    grad_inputs: tuple[np.ndarray | None, ...]
    inputs: tuple[TensorRef, ...]
    input_versions: tuple[int, ...]


@dataclass(slots=True)
class BackwardStartEvent:
    backward_id: int
    root: TensorRef
    root_seq: int
    site: str
    retain_graph: bool


@dataclass(slots=True)
class BackwardEndEvent:
    backward_id: int
    completed: bool


@dataclass(slots=True)
class LeafGradEvent:
    """A leaf's `.grad` received a gradient; `previous` is what was there before."""

    backward_id: int
    tensor: TensorRef
    previous: np.ndarray | None
    grad: np.ndarray


@dataclass(slots=True)
class ModuleEnterEvent:
    module_id: int
    path: str
    cls: str
    params: tuple[tuple[str, TensorRef], ...]
    site: str = ""


@dataclass(slots=True)
class ModuleExitEvent:
    """`state_written`: instance attributes the call assigned (a stateful layer)."""

    module_id: int
    path: str
    cls: str
    state_written: tuple[str, ...]


@dataclass(slots=True)
class UpdateEvent:
    """An optimizer changed parameters; `params` are their values after the update."""

    optimizer: str
    optimizer_id: int
    params: tuple[TensorRef, ...]
    grads: tuple[np.ndarray | None, ...]
    site: str


@dataclass(slots=True)
class ZeroGradEvent:
    source: str
    tensor_ids: tuple[int, ...]
    site: str


class Listener:
    """Base class: override the events you care about; the rest are ignored."""

    def on_forward(self, ev: ForwardEvent) -> None: ...
    def on_backward(self, ev: BackwardEvent) -> None: ...
    def on_backward_start(self, ev: BackwardStartEvent) -> None: ...
    def on_backward_end(self, ev: BackwardEndEvent) -> None: ...
    def on_leaf_grad(self, ev: LeafGradEvent) -> None: ...
    def on_module_enter(self, ev: ModuleEnterEvent) -> None: ...
    def on_module_exit(self, ev: ModuleExitEvent) -> None: ...
    def on_update(self, ev: UpdateEvent) -> None: ...
    def on_zero_grad(self, ev: ZeroGradEvent) -> None: ...


def listeners() -> tuple[Listener, ...]:
    """The listeners of the current context (thread or task)."""
    return _listeners.get()


_EVENT_METHODS = tuple(name for name in vars(Listener) if name.startswith("on_"))


def _handled(listener: Any) -> frozenset[str]:
    """The event methods `listener` overrides (every one, for a listener that is not a Listener)."""
    if not isinstance(listener, Listener):
        return frozenset(_EVENT_METHODS)
    cls = type(listener)
    return frozenset(m for m in _EVENT_METHODS
                     if getattr(cls, m) is not getattr(Listener, m) or m in getattr(listener, "__dict__", {}))


def wants(method: str) -> bool:
    """Whether a listener of this context handles `method` (so an event must be built)."""
    return method in _wanted.get()


def emit(method: str, event: Any) -> None:
    """Hand `event` to every listener of this context, innermost last."""
    for listener in _listeners.get():
        getattr(listener, method)(event)


@contextmanager
def listen(listener: Listener) -> Iterator[Listener]:
    """Register `listener` for the ops of this context while the block runs."""
    global active
    token = _listeners.set(_listeners.get() + (listener,))
    wanted = _wanted.set(_wanted.get() | _handled(listener))
    with _active_lock:
        active += 1
    try:
        yield listener
    finally:
        with _active_lock:
            active -= 1
        _wanted.reset(wanted)
        _listeners.reset(token)
