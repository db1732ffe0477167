"""Matrix product, with numpy's rules: 1-D operands promoted, batch axes broadcast."""

from __future__ import annotations

import numpy as np

from ...errors import DTypeError, ShapeError
from ..function import Function
from .broadcast import sum_to


class MatMul(Function):
    __slots__ = ()

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(f"matmul: operands must have at least one axis, got shapes {a.shape} and {b.shape}")
        if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
            k_b = b.shape[0 if b.ndim == 1 else -2]
            raise ShapeError(
                f"matmul: shapes {a.shape} and {b.shape} do not align: the last axis of the first "
                f"({a.shape[-1]}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} axis "
                f"of the second ({k_b})"
            )
        if a.dtype != b.dtype and a.dtype.kind == "f" and b.dtype.kind == "f":
            raise DTypeError(
                f"matmul: dtypes {a.dtype} and {b.dtype} differ; convert one (e.g. x.astype(np.float32), "
                f"or build the layer with dtype=np.float64) so nothing is upcast silently"
            )
        self.saved = (a, b)
        return a @ b

    def backward(self, gy):
        a, b = self.saved
        need_a, need_b = self.inputs[0].requires_grad, self.inputs[1].requires_grad
        if a.ndim == 2 and b.ndim == 2:
            return (gy @ b.T if need_a else None), (a.T @ gy if need_b else None)
        # Promote 1-D operands as numpy does, then undo the promotion and broadcasting.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        promoted = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (a2.shape[-2], b2.shape[-1])
        g2 = gy.reshape(promoted)
        ga = sum_to(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape) if need_a else None
        gb = sum_to(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape) if need_b else None
        return ga, gb
