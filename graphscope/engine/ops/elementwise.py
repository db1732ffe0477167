"""Arithmetic and elementwise functions. Each op's forward and backward sit side by side;
binary ops broadcast and `sum_to` gives each input its gradient in its own shape."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from .broadcast import sum_to


class Add(Function):
    __slots__ = ()

    def forward(self, a, b):
        self.saved = (a.shape, b.shape)
        return a + b

    def backward(self, gy):
        sa, sb = self.saved
        return sum_to(gy, sa), sum_to(gy, sb)


class Sub(Function):
    __slots__ = ()

    def forward(self, a, b):
        self.saved = (a.shape, b.shape)
        return a - b

    def backward(self, gy):
        sa, sb = self.saved
        return sum_to(gy, sa), sum_to(-gy, sb)


class Mul(Function):
    __slots__ = ()

    def forward(self, a, b):
        self.saved = (a, b)
        return a * b

    def backward(self, gy):
        a, b = self.saved
        ga = sum_to(gy * b, a.shape) if self.inputs[0].requires_grad else None
        gb = sum_to(gy * a, b.shape) if self.inputs[1].requires_grad else None
        return ga, gb


class Div(Function):
    __slots__ = ()

    def forward(self, a, b):
        self.saved = (a, b)
        return a / b

    def backward(self, gy):
        a, b = self.saved
        ga = sum_to(gy / b, a.shape) if self.inputs[0].requires_grad else None
        gb = sum_to(-gy * a / (b * b), b.shape) if self.inputs[1].requires_grad else None
        return ga, gb


class Neg(Function):
    __slots__ = ()

    def forward(self, x):
        return -x

    def backward(self, gy):
        return -gy


class Pow(Function):
    __slots__ = ()

    def forward(self, a, b):
        y = a**b
        self.saved = (a, b, y)
        return y

    def backward(self, gy):
        a, b, y = self.saved
        ga = sum_to(gy * b * a ** (b - 1), a.shape) if self.inputs[0].requires_grad else None
        # d/db a**b = a**b * log(a): only computed when the exponent is trained, since
        # log of a negative base is NaN and would poison nothing but this branch.
        gb = sum_to(gy * y * np.log(a), b.shape) if self.inputs[1].requires_grad else None
        return ga, gb


class Exp(Function):
    __slots__ = ()

    def forward(self, x):
        y = np.exp(x)
        self.saved = y
        return y

    def backward(self, gy):
        return gy * self.saved


class Log(Function):
    __slots__ = ()

    def forward(self, x):
        self.saved = x
        return np.log(x)

    def backward(self, gy):
        return gy / self.saved


class Sqrt(Function):
    __slots__ = ()

    def forward(self, x):
        y = np.sqrt(x)
        self.saved = y
        return y

    def backward(self, gy):
        return gy / (2 * self.saved)


class Abs(Function):
    __slots__ = ()

    def forward(self, x):
        self.saved = x
        return np.abs(x)

    def backward(self, gy):
        return gy * np.sign(self.saved)


def _share(wins: np.ndarray, ties: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """1 where the first input won, 0.5 on a tie, 0 where it lost; in the gradient's dtype."""
    share = wins.astype(dtype)
    share += 0.5 * ties
    return share


class Maximum(Function):
    """Ties split the gradient evenly between both inputs, as PyTorch does."""

    __slots__ = ()

    def forward(self, a, b):
        self.saved = (a, b)
        return np.maximum(a, b)

    def backward(self, gy):
        a, b = self.saved
        share = _share(a > b, a == b, gy.dtype)
        return sum_to(gy * share, a.shape), sum_to(gy * (1 - share), b.shape)


class Minimum(Function):
    __slots__ = ()

    def forward(self, a, b):
        self.saved = (a, b)
        return np.minimum(a, b)

    def backward(self, gy):
        a, b = self.saved
        share = _share(a < b, a == b, gy.dtype)
        return sum_to(gy * share, a.shape), sum_to(gy * (1 - share), b.shape)


class Clip(Function):
    """The gradient passes where lo <= x <= hi, and is zero where the value was clipped."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo: Any, hi: Any):
        self.lo, self.hi = lo, hi

    def attrs(self):
        return {"min": self.lo, "max": self.hi}

    def forward(self, x):
        self.saved = x
        y = np.clip(x, self.lo, self.hi)
        # numpy float64 bounds would upcast a float32 x; the result keeps x's float dtype.
        return y.astype(x.dtype, copy=False) if x.dtype.kind == "f" else y

    def backward(self, gy):
        x = self.saved
        inside = np.ones(x.shape, dtype=bool)
        if self.lo is not None:
            inside &= x >= self.lo
        if self.hi is not None:
            inside &= x <= self.hi
        return gy * inside


class Where(Function):
    """`cond ? a : b`; the condition is a constant mask, not an input of the graph."""

    __slots__ = ("cond",)

    def __init__(self, cond: np.ndarray):
        self.cond = cond

    def forward(self, a, b):
        self.saved = (a.shape, b.shape)
        return np.where(self.cond, a, b)

    def backward(self, gy):
        sa, sb = self.saved
        zero = np.zeros((), dtype=gy.dtype)
        return sum_to(np.where(self.cond, gy, zero), sa), sum_to(np.where(self.cond, zero, gy), sb)
