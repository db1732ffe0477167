"""Losses. Each says which input is the prediction and which the target, so checks can
find a target that is being trained. All average over the batch, as PyTorch's do."""

from __future__ import annotations

import numpy as np

from ...errors import DTypeError, ShapeError
from ..function import Function

# log(p) clamped from below, as PyTorch's binary_cross_entropy does, so p == 0 gives a
# large finite loss instead of inf.
_LOG_FLOOR = -100.0


def _same_shape(op: str, pred: np.ndarray, target: np.ndarray) -> None:
    if pred.shape != target.shape:
        hint = ""
        if pred.ndim != target.ndim:
            hint = (
                f"; broadcasting them would compare every prediction with every target "
                f"(shape {np.broadcast_shapes(pred.shape, target.shape) if _broadcastable(pred, target) else '?'})"
            )
        raise ShapeError(
            f"{op}: prediction shape {pred.shape} and target shape {target.shape} differ{hint}. "
            f"Reshape one to match (e.g. target.reshape({pred.shape}))"
        )


def _broadcastable(a: np.ndarray, b: np.ndarray) -> bool:
    try:
        np.broadcast_shapes(a.shape, b.shape)
        return True
    except ValueError:
        return False


class MSELoss(Function):
    __slots__ = ()
    op = "mse_loss"
    input_roles = ("prediction", "target")

    def forward(self, pred, target):
        _same_shape("mse_loss", pred, target)
        diff = pred - target
        self.saved = diff
        return np.mean(diff * diff)

    def backward(self, gy):
        diff = self.saved
        g = diff * (gy * (2.0 / max(diff.size, 1)))
        return g, -g


class CrossEntropy(Function):
    """Softmax cross-entropy on logits. The target is class indices (N,) or
    probabilities of the logits' shape."""

    __slots__ = ()
    op = "cross_entropy"
    input_roles = ("prediction", "target")

    def forward(self, logits, target):
        if logits.ndim != 2:
            raise ShapeError(f"cross_entropy: logits must be (batch, classes), got shape {logits.shape}")
        n, classes = logits.shape
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        if target.dtype.kind in "iub":
            if target.shape != (n,):
                raise ShapeError(f"cross_entropy: class-index target must have shape ({n},), got {target.shape}")
            if n and (target.min() < 0 or target.max() >= classes):
                bad = target[(target < 0) | (target >= classes)][0]
                raise ShapeError(f"cross_entropy: target class {bad} is out of range for {classes} classes")
            self.saved = (logp, target)
            return -logp[np.arange(n), target].mean()
        if target.shape != logits.shape:
            raise ShapeError(
                f"cross_entropy: probability target must have the logits' shape {logits.shape}, got {target.shape}"
            )
        self.saved = (logp, target)
        return -(target * logp).sum() / max(n, 1)

    def backward(self, gy):
        logp, target = self.saved
        n = max(logp.shape[0], 1)
        p = np.exp(logp)
        scale = gy / n
        if target.dtype.kind in "iub":
            g = p
            g[np.arange(logp.shape[0]), target] -= 1
            return g * scale, None
        g = (p * target.sum(axis=1, keepdims=True) - target) * scale
        return g, (-logp * scale if self.inputs[1].requires_grad else None)


class BinaryCrossEntropy(Function):
    """On probabilities in [0, 1] (apply sigmoid first)."""

    __slots__ = ()
    op = "binary_cross_entropy"
    input_roles = ("prediction", "target")

    def forward(self, p, target):
        _same_shape("binary_cross_entropy", p, target)
        if p.dtype.kind != "f":
            raise DTypeError(f"binary_cross_entropy: prediction must be floating point, got {p.dtype}")
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), _LOG_FLOOR)
            log_q = np.maximum(np.log1p(-p), _LOG_FLOOR)
        self.saved = (p, target, log_p, log_q)
        return -np.mean(target * log_p + (1 - target) * log_q)

    def backward(self, gy):
        p, target, log_p, log_q = self.saved
        scale = gy / max(p.size, 1)
        gp = (p - target) / np.maximum(p * (1 - p), 1e-12) * scale
        gt = (log_q - log_p) * scale if self.inputs[1].requires_grad else None
        return gp, gt
