"""Activations. Written so that large inputs do not overflow: sigmoid through tanh,
softmax and log_softmax after subtracting the row maximum."""

from __future__ import annotations

import numpy as np

from ..function import Function


class Sigmoid(Function):
    __slots__ = ()

    def forward(self, x):
        # 1/(1+exp(-x)) overflows exp for x < -88 in float32; the tanh form never does.
        y = np.tanh(x * 0.5)
        y *= 0.5
        y += 0.5
        self.saved = y
        return y

    def backward(self, gy):
        y = self.saved
        return gy * y * (1 - y)


class Tanh(Function):
    __slots__ = ()

    def forward(self, x):
        y = np.tanh(x)
        self.saved = y
        return y

    def backward(self, gy):
        y = self.saved
        return gy * (1 - y * y)


class ReLU(Function):
    __slots__ = ()
    op = "relu"

    def forward(self, x):
        y = np.maximum(x, 0)
        self.saved = y
        return y

    def backward(self, gy):
        return gy * (self.saved > 0)


class LeakyReLU(Function):
    __slots__ = ("slope",)
    op = "leaky_relu"

    def __init__(self, slope: float = 0.01):
        self.slope = slope

    def attrs(self):
        return {"negative_slope": self.slope}

    def forward(self, x):
        self.saved = x
        # The slope in x's float dtype: a numpy float64 slope would upcast float32 to float64.
        slope = np.asarray(self.slope, dtype=x.dtype) if x.dtype.kind == "f" else self.slope
        return np.where(x > 0, x, x * slope)

    def backward(self, gy):
        return np.where(self.saved > 0, gy, gy * self.slope)


class Softmax(Function):
    __slots__ = ("axis",)

    def __init__(self, axis: int = -1):
        self.axis = axis

    def attrs(self):
        return {"axis": self.axis}

    def forward(self, x):
        e = np.exp(x - x.max(axis=self.axis, keepdims=True))
        y = e / e.sum(axis=self.axis, keepdims=True)
        self.saved = y
        return y

    def backward(self, gy):
        y = self.saved
        gx = y * gy
        return gx - y * gx.sum(axis=self.axis, keepdims=True)


class LogSoftmax(Function):
    __slots__ = ("axis",)
    op = "log_softmax"

    def __init__(self, axis: int = -1):
        self.axis = axis

    def attrs(self):
        return {"axis": self.axis}

    def forward(self, x):
        shifted = x - x.max(axis=self.axis, keepdims=True)
        y = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        self.saved = y
        return y

    def backward(self, gy):
        y = self.saved
        return gy - np.exp(y) * gy.sum(axis=self.axis, keepdims=True)
