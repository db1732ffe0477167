"""Function: one op. `__call__` runs `forward` on numpy arrays, records the graph node
and announces the op to listeners; `backward` maps the output's gradient to one
gradient per input (None for an input that gets none).

A Function instance is single-use: every call builds a new node, so a wrapper like
`exp(x)` makes a new instance per call. Reusing one would make two graph positions share
one node's saved state, which is exactly the shared-instance bug graphscope reports.
"""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

import numpy as np

from .. import hooks as _hooks
from . import scope
from ..callsite import user_site
from ..errors import DTypeError, FunctionReuseError, ShapeError
from .grad_mode import is_grad_enabled
from .tensor import Tensor, as_numeric_array

_seqs = itertools.count(1)


class Function:
    """Base class of every op, built-in or the user's.

    Subclass it and write `forward(self, *arrays) -> array` and
    `backward(self, grad_output) -> grad | tuple of grads`. In `backward`,
    `self.inputs[i].data` is the i-th input; built-in ops keep what they need in
    `self.saved` instead, which `backward()` frees afterwards.
    """

    __slots__ = ("inputs", "saved", "seq", "versions", "grad_out", "freed", "retained", "__dict__")

    op: ClassVar[str] = "function"
    # Loss ops name their inputs so checks can tell the prediction from the target.
    input_roles: ClassVar[tuple[str, ...] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "op" not in cls.__dict__:
            cls.op = cls.__name__.lower()

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, *arrays)")

    def backward(self, gy: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define backward(self, grad_output)")

    def attrs(self) -> dict[str, Any]:
        """The op's settings (axis, slope...), for traces and drawings."""
        return {}

    def __call__(self, *args: Any) -> Tensor:
        if hasattr(self, "seq"):
            raise FunctionReuseError(
                f"{type(self).__name__} instance was already called (node #{self.seq}); a Function is "
                f"single-use: create a new instance for every call, e.g. {type(self).__name__}()(x)"
            )
        self.seq = next(_seqs)
        inputs = tuple(a if isinstance(a, Tensor) else _constant(a, args, self) for a in args)
        try:
            y = self.forward(*[x._data for x in inputs])
        except (ValueError, TypeError, IndexError) as exc:
            if isinstance(exc, (ShapeError, DTypeError)):
                raise
            raise _op_error(self, inputs, exc) from exc
        if type(y) is not np.ndarray:
            y = as_numeric_array(y, where=f"{type(self).__name__}.forward result")
        out = Tensor._result(y)
        if is_grad_enabled() and _any_requires_grad(inputs):
            out.requires_grad = True
            out.creator = self
            self.inputs = inputs
            self.grad_out = None
            self.freed = False
            self.retained = None
            self.versions = None
        if _hooks.active:
            _announce_forward(self, inputs, out)
        return out


def _any_requires_grad(inputs: tuple[Tensor, ...]) -> bool:
    for x in inputs:
        if x.requires_grad:
            return True
    return False


def _constant(value: Any, args: tuple, fn: Function) -> Tensor:
    """A non-tensor argument as a constant. A scalar takes the float dtype of the tensors
    beside it, so `x32 * 2.0` or `x32 * np.float64(2)` stays float32."""
    array = as_numeric_array(value, where=f"{fn.op}: argument")
    if array.ndim == 0 and not isinstance(value, np.ndarray):
        for a in args:
            if isinstance(a, Tensor) and a._data.dtype.kind == "f":
                array = array.astype(a._data.dtype)
                break
    return Tensor._result(array)


def _op_error(fn: Function, inputs: tuple[Tensor, ...], exc: Exception) -> Exception:
    """numpy's complaint, restated with the op, every input's shape and dtype, and the
    user's line."""
    described = ", ".join(f"{x.shape} {x.dtype}" for x in inputs)
    message = f"{fn.op}: {exc} (inputs: {described}) at {user_site(3)}"
    if isinstance(exc, TypeError):
        return DTypeError(message)
    return ShapeError(message)


def tensor_ref(t: Tensor) -> _hooks.TensorRef:
    return _hooks.TensorRef(t.uid, t._data, t.trainable, t.requires_grad, t.version, t.name, t.creator is None)


def _announce_forward(fn: Function, inputs: tuple[Tensor, ...], out: Tensor) -> None:
    if not _hooks.listeners():
        return
    recorded = out.creator is not None
    if recorded:
        fn.versions = tuple([x.version for x in inputs])
    frame = scope.current()
    # Positional arguments (seq, op, op_id, inputs, output, site, module, module_id, recorded,
    # roles, attrs): keywords cost a measurable share of this, which runs for every op.
    event = _hooks.ForwardEvent(
        fn.seq, fn.op, fn.seq, tuple([tensor_ref(x) for x in inputs]), tensor_ref(out), user_site(3),
        frame.path if frame else "", id(frame.module) if frame else 0, recorded, fn.input_roles, fn.attrs(),
    )
    _hooks.emit("on_forward", event)
