"""Tensor and Parameter: a numpy array with a gradient, a version and a creator.

`version` counts assignments to `data` (including `p.data -= lr * g`, which assigns the
same array back), so a listener can tell that a value changed after an op saved it.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

import numpy as np

from ..errors import DTypeError

_uids = itertools.count(1)
_NUMERIC_KINDS = "biuf"


def _describe(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 40 else text[:37] + "..."


def as_numeric_array(data: Any, dtype: Any = None, where: str = "gs.tensor") -> np.ndarray:
    """`data` as a numeric ndarray (no copy when it already is one), or a DTypeError
    that says what was given."""
    if data is None:
        raise DTypeError(f"{where}: data is None; expected numbers (a scalar, list or numpy array)")
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.asarray(data, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise DTypeError(
            f"{where}: cannot make a numeric array from {type(data).__name__} {_describe(data)}: {exc}"
        ) from None
    if array.dtype.kind not in _NUMERIC_KINDS:
        raise DTypeError(
            f"{where}: data must be numeric (bool, int or float); got dtype {array.dtype} "
            f"from {type(data).__name__} {_describe(data)}"
        )
    return array


class Tensor:
    """An array in the graph. Leaves are made by the user; results by ops (`creator`)."""

    __slots__ = ("_data", "grad", "requires_grad", "name", "version", "creator", "uid", "__weakref__")
    # ndarray <op> Tensor: numpy hands the operator back to Tensor instead of looping.
    __array_ufunc__ = None

    def __init__(self, data: Any, trainable: bool = False, name: str | None = None, dtype: Any = None):
        array = as_numeric_array(data, dtype, where=type(self).__name__)
        if trainable and array.dtype.kind != "f":
            raise DTypeError(
                f"{type(self).__name__}{f' {name!r}' if name else ''}: a trainable tensor needs a "
                f"floating dtype, got {array.dtype}; pass floats or dtype=np.float32"
            )
        self._data = array
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(trainable)
        self.name = name
        self.version = 0
        self.creator = None
        self.uid = next(_uids)

    @classmethod
    def _result(cls, data: np.ndarray) -> "Tensor":
        """An op's output: skips validation, the op already produced an ndarray."""
        t = object.__new__(Tensor)
        t._data = data
        t.grad = None
        t.requires_grad = False
        t.name = None
        t.version = 0
        t.creator = None
        t.uid = next(_uids)
        return t

    # The value. Assigning bumps the version, which stale-cache detection relies on.
    @property
    def data(self) -> np.ndarray:
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        array = value if type(value) is np.ndarray else as_numeric_array(value, where=f"{self!r}.data")
        if array.dtype.kind not in _NUMERIC_KINDS:
            raise DTypeError(f"{self._label()}.data: assigned dtype {array.dtype} is not numeric")
        self._data = array
        self.version += 1

    @property
    def trainable(self) -> bool:
        """A leaf the optimizer may train. Results of ops are never trainable."""
        return self.requires_grad and self.creator is None

    @trainable.setter
    def trainable(self, value: bool) -> None:
        if self.creator is not None:
            raise ValueError(f"{self._label()} is the result of {self.creator.op}; only leaves can be trainable")
        if value and self._data.dtype.kind != "f":
            raise DTypeError(f"{self._label()}: a trainable tensor needs a floating dtype, got {self._data.dtype}")
        self.requires_grad = bool(value)

    @property
    def is_leaf(self) -> bool:
        return self.creator is None

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    def __len__(self) -> int:
        return len(self._data)

    def numpy(self) -> np.ndarray:
        return self._data

    def item(self) -> float:
        return self._data.item()

    def detach(self) -> "Tensor":
        """The same array, cut from the graph (not trainable)."""
        return Tensor._result(self._data)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (set it to None, as PyTorch does by default)."""
        from .. import hooks
        from ..callsite import user_site

        self.grad = None
        if hooks.active and hooks.listeners():
            hooks.emit("on_zero_grad", hooks.ZeroGradEvent("tensor", (self.uid,), user_site(2)))

    cleargrad = zero_grad

    def retain_grad(self) -> "Tensor":
        """Keep `.grad` on this intermediate result after backward()."""
        if self.creator is not None:
            self.creator.retained = weakref.ref(self)
        return self

    def backward(self, grad: Any = None, retain_graph: bool = False) -> None:
        """Gradients of this tensor with respect to every trainable leaf, summed into `.grad`."""
        from .autograd import backward

        backward(self, grad, retain_graph)

    def _label(self) -> str:
        return f"tensor {self.name!r}" if self.name else f"tensor of shape {self.shape}"

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", threshold=20, edgeitems=2, prefix="tensor(")
        extras = []
        if self._data.dtype != np.float64:
            extras.append(f"dtype={self._data.dtype}")
        if self.trainable:
            extras.append("trainable=True")
        elif self.creator is not None:
            extras.append(f"op={self.creator.op}")
        if self.name:
            extras.append(f"name={self.name!r}")
        cls = "parameter" if isinstance(self, Parameter) else "tensor"
        return f"{cls}({body}{''.join(', ' + e for e in extras)})"

    __hash__ = object.__hash__


class Parameter(Tensor):
    """A trainable leaf that owns its array (a copy of what it was given)."""

    __slots__ = ()

    def __init__(self, data: Any, name: str | None = None, dtype: Any = None, trainable: bool = True):
        array = as_numeric_array(data, dtype, where="Parameter")
        super().__init__(array.copy(), trainable=trainable, name=name)


def tensor(data: Any, trainable: bool = False, name: str | None = None, dtype: Any = None) -> Tensor:
    """A tensor over `data`; an ndarray of the right dtype is shared, not copied."""
    return Tensor(data, trainable=trainable, name=name, dtype=dtype)
