"""Optimizers. They update `p.data` in place through the setter, so every update bumps
the parameter's version, and announce each update and each zero_grad to listeners."""

from __future__ import annotations

from typing import Iterable

import math

import numpy as np

from .. import hooks as _hooks
from ..callsite import user_site
from .function import tensor_ref
from .grad_mode import no_grad
from .tensor import Tensor


class Optimizer:
    def __init__(self, params: Iterable[Tensor]):
        unique: dict[int, Tensor] = {}
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{type(self).__name__}: expected Tensors or Parameters, got {type(p).__name__}")
            unique.setdefault(p.uid, p)
        if not unique:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        self.params: list[Tensor] = list(unique.values())
        self.state: dict[int, dict[str, np.ndarray]] = {}
        self.steps = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None
        if _hooks.active and _hooks.wants("on_zero_grad"):  # (nan_hunt has no use for it)
            _hooks.emit(
                "on_zero_grad",
                _hooks.ZeroGradEvent(type(self).__name__, tuple(p.uid for p in self.params), user_site(1)),
            )

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        self.steps += 1
        with no_grad():
            for p in self.params:
                if p.grad is not None:
                    self._update(p, p.grad)
        if _hooks.active and _hooks.listeners():
            _hooks.emit(
                "on_update",
                _hooks.UpdateEvent(
                    type(self).__name__, id(self), tuple(tensor_ref(p) for p in self.params),
                    tuple(p.grad for p in self.params), user_site(1),
                ),
            )

    def _update(self, p: Tensor, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr * (g + weight_decay * p), with optional (Nesterov) momentum."""

    def __init__(self, params: Iterable[Tensor], lr: float = 0.01, momentum: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False):
        super().__init__(params)
        self.lr, self.momentum, self.weight_decay, self.nesterov = lr, momentum, weight_decay, nesterov

    def _update(self, p: Tensor, g: np.ndarray) -> None:
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            state = self.state.setdefault(p.uid, {})
            buf = state.get("momentum")
            if buf is None:
                buf = state["momentum"] = g.copy()
            else:
                buf *= self.momentum
                buf += g
            g = g + self.momentum * buf if self.nesterov else buf
        p.data -= self.lr * g


class Adam(Optimizer):
    """Adam with bias correction (Kingma & Ba); weight_decay is L2 added to the gradient."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay

    def _update(self, p: Tensor, g: np.ndarray) -> None:
        b1, b2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        state = self.state.setdefault(p.uid, {})
        if "m" not in state:
            state["m"] = np.zeros_like(p.data)
            state["v"] = np.zeros_like(p.data)
            state["t"] = 0
        state["t"] += 1
        m, v, t = state["m"], state["v"], state["t"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * (g * g)
        # eps is added to sqrt of the bias-corrected v, as in the paper's Algorithm 1 and
        # PyTorch; folding the correction into the step size instead would scale eps by
        # 1/sqrt(1 - b2**t) (~32x at step 1) and shrink the steps of small gradients.
        p.data -= (self.lr / (1 - b1**t)) * m / (np.sqrt(v) / math.sqrt(1 - b2**t) + self.eps)
