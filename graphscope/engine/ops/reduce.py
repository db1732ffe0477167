"""Reductions. Backward spreads the gradient back over the reduced axes."""

from __future__ import annotations

import numpy as np

from ..function import Function


def _normalize_axis(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim if ndim else a for a in axes)


def _spread(gy: np.ndarray, shape: tuple[int, ...], axis, keepdims: bool) -> np.ndarray:
    if not keepdims and shape:
        gy = np.expand_dims(gy, _normalize_axis(axis, len(shape)))
    return np.broadcast_to(gy, shape)


class Reduction(Function):
    """A reduction over `axis` (None: all axes), keeping reduced axes if `keepdims`."""

    __slots__ = ("axis", "keepdims")

    def __init__(self, axis=None, keepdims: bool = False):
        self.axis, self.keepdims = axis, keepdims

    def attrs(self):
        return {"axis": self.axis, "keepdims": self.keepdims}


class Sum(Reduction):
    __slots__ = ()

    def forward(self, x):
        self.saved = x.shape
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        return _spread(gy, self.saved, self.axis, self.keepdims)


class Mean(Reduction):
    __slots__ = ()

    def forward(self, x):
        self.saved = x.shape
        return np.mean(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        shape = self.saved
        count = int(np.prod([shape[a] for a in _normalize_axis(self.axis, len(shape))])) if shape else 1
        return _spread(gy / count, shape, self.axis, self.keepdims)


class Max(Reduction):
    """The gradient goes to the maximal entries, split evenly among ties."""

    __slots__ = ()

    def forward(self, x):
        y = np.max(x, axis=self.axis, keepdims=True)
        self.saved = (x, y)
        return y if self.keepdims else np.squeeze(y, axis=self.axis) if self.axis is not None else y.reshape(())

    def backward(self, gy):
        x, y = self.saved
        winners = (x == y).astype(gy.dtype)
        winners /= winners.sum(axis=self.axis, keepdims=True)
        return _spread(gy, x.shape, self.axis, self.keepdims) * winners
