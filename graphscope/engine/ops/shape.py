"""Ops that move values around without computing: reshape, transpose, broadcast,
indexing, concatenation. Their backward moves the gradient back."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from .broadcast import sum_to


class Reshape(Function):
    __slots__ = ("shape",)

    def __init__(self, shape: tuple[int, ...]):
        self.shape = shape

    def attrs(self):
        return {"shape": self.shape}

    def forward(self, x):
        self.saved = x.shape
        return x.reshape(self.shape)

    def backward(self, gy):
        return gy.reshape(self.saved)


class Transpose(Function):
    __slots__ = ("axes",)

    def __init__(self, axes: tuple[int, ...] | None = None):
        self.axes = axes

    def attrs(self):
        return {"axes": self.axes}

    def forward(self, x):
        return np.transpose(x, self.axes)

    def backward(self, gy):
        if self.axes is None:
            return np.transpose(gy)
        # Negative axes (numpy accepts them) must be made positive before inverting the
        # permutation, or argsort orders -1 before 0 and gives the wrong inverse.
        return np.transpose(gy, np.argsort([a % gy.ndim for a in self.axes]))


class BroadcastTo(Function):
    __slots__ = ("shape",)
    op = "broadcast_to"

    def __init__(self, shape: tuple[int, ...]):
        self.shape = shape

    def attrs(self):
        return {"shape": self.shape}

    def forward(self, x):
        self.saved = x.shape
        return np.broadcast_to(x, self.shape)

    def backward(self, gy):
        return sum_to(gy, self.saved)


def _is_basic(index: Any) -> bool:
    """Basic indexing (ints, slices, None, Ellipsis) never repeats an element, so the
    gradient can be assigned; fancy indexing may repeat and must be summed."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


class GetItem(Function):
    __slots__ = ("index",)

    def __init__(self, index: Any):
        self.index = index

    def attrs(self):
        return {"index": repr(self.index)}

    def forward(self, x):
        self.saved = (x.shape, x.dtype)
        return x[self.index]

    def backward(self, gy):
        shape, dtype = self.saved
        gx = np.zeros(shape, dtype=gy.dtype)
        if _is_basic(self.index):
            gx[self.index] = gy
        else:
            np.add.at(gx, self.index, gy)
        return gx


class Concat(Function):
    __slots__ = ("axis",)

    def __init__(self, axis: int = 0):
        self.axis = axis

    def attrs(self):
        return {"axis": self.axis}

    def forward(self, *xs):
        self.saved = [x.shape[self.axis] for x in xs]
        return np.concatenate(xs, axis=self.axis)

    def backward(self, gy):
        cuts = np.cumsum(self.saved)[:-1]
        return tuple(np.split(gy, cuts, axis=self.axis))
