"""Python operators and methods on Tensor, bound to the ops (kept apart from tensor.py
because the ops themselves build Tensors)."""

from __future__ import annotations

import numpy as np

from . import ops
from .tensor import Tensor


def _comparison(ufunc):
    """Comparisons give a constant boolean tensor: masks for `where`, no gradient."""

    def compare(self, other):
        other = other.data if isinstance(other, Tensor) else other
        return Tensor._result(ufunc(self.data, other))

    return compare


def install() -> None:
    T = Tensor
    T.__add__ = ops.add
    T.__radd__ = lambda self, other: ops.add(other, self)
    T.__sub__ = ops.sub
    T.__rsub__ = lambda self, other: ops.sub(other, self)
    T.__mul__ = ops.mul
    T.__rmul__ = lambda self, other: ops.mul(other, self)
    T.__truediv__ = ops.div
    T.__rtruediv__ = lambda self, other: ops.div(other, self)
    T.__pow__ = ops.pow
    T.__rpow__ = lambda self, other: ops.pow(other, self)
    T.__matmul__ = ops.matmul
    T.__rmatmul__ = lambda self, other: ops.matmul(other, self)
    T.__neg__ = ops.neg
    T.__getitem__ = ops.getitem
    T.__lt__ = _comparison(np.less)
    T.__le__ = _comparison(np.less_equal)
    T.__gt__ = _comparison(np.greater)
    T.__ge__ = _comparison(np.greater_equal)
    T.T = property(lambda self: ops.transpose(self))
    for name in ("exp", "log", "sqrt", "abs", "sigmoid", "tanh", "relu", "sum", "mean", "max",
                 "reshape", "transpose", "clip", "softmax", "log_softmax", "broadcast_to"):
        setattr(T, name, getattr(ops, name))
