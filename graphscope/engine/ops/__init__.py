"""The ops as functions: each call makes a new Function instance (they are single-use)."""

from __future__ import annotations

from typing import Any, Sequence

from ..tensor import Tensor, as_numeric_array
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .broadcast import sum_to  # noqa: F401 - the shared unbroadcast helper, for custom ops
from .elementwise import Abs, Add, Clip, Div, Exp, Log, Maximum, Minimum, Mul, Neg, Pow, Sqrt, Sub, Where
from .linalg import MatMul
from .loss import BinaryCrossEntropy, CrossEntropy, MSELoss
from .reduce import Max, Mean, Sum
from .shape import BroadcastTo, Concat, GetItem, Reshape, Transpose


def add(a, b) -> Tensor:
    return Add()(a, b)


def sub(a, b) -> Tensor:
    return Sub()(a, b)


def mul(a, b) -> Tensor:
    return Mul()(a, b)


def div(a, b) -> Tensor:
    return Div()(a, b)


def neg(x) -> Tensor:
    return Neg()(x)


def pow(a, b) -> Tensor:  # noqa: A001 - the op's name
    return Pow()(a, b)


def exp(x) -> Tensor:
    return Exp()(x)


def log(x) -> Tensor:
    return Log()(x)


def sqrt(x) -> Tensor:
    return Sqrt()(x)


def abs(x) -> Tensor:  # noqa: A001
    return Abs()(x)


def maximum(a, b) -> Tensor:
    return Maximum()(a, b)


def minimum(a, b) -> Tensor:
    return Minimum()(a, b)


def clip(x, min=None, max=None) -> Tensor:  # noqa: A002 - numpy's argument names
    return Clip(min, max)(x)


def where(cond, a, b) -> Tensor:
    mask = as_numeric_array(cond.data if isinstance(cond, Tensor) else cond, where="where: condition")
    return Where(mask.astype(bool, copy=False))(a, b)


def sigmoid(x) -> Tensor:
    return Sigmoid()(x)


def tanh(x) -> Tensor:
    return Tanh()(x)


def relu(x) -> Tensor:
    return ReLU()(x)


def leaky_relu(x, negative_slope: float = 0.01) -> Tensor:
    return LeakyReLU(negative_slope)(x)


def softmax(x, axis: int = -1) -> Tensor:
    return Softmax(axis)(x)


def log_softmax(x, axis: int = -1) -> Tensor:
    return LogSoftmax(axis)(x)


def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return Sum(axis, keepdims)(x)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    return Mean(axis, keepdims)(x)


def max(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return Max(axis, keepdims)(x)


def matmul(a, b) -> Tensor:
    return MatMul()(a, b)


def reshape(x, *shape) -> Tensor:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Reshape(shape)(x)


def transpose(x, *axes) -> Tensor:
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    return Transpose(axes or None)(x)


def broadcast_to(x, shape: Sequence[int]) -> Tensor:
    return BroadcastTo(tuple(shape))(x)


def getitem(x, index: Any) -> Tensor:
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return GetItem(index)(x)


def concat(tensors: Sequence, axis: int = 0) -> Tensor:
    return Concat(axis)(*tensors)


def mse_loss(prediction, target) -> Tensor:
    return MSELoss()(prediction, target)


def cross_entropy(logits, target) -> Tensor:
    return CrossEntropy()(logits, target)


def binary_cross_entropy(prediction, target) -> Tensor:
    return BinaryCrossEntropy()(prediction, target)


__all__ = [name for name in dir() if not name.startswith("_") and name not in ("annotations", "Any", "Sequence")]
