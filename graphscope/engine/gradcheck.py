"""gradcheck: compare backward() with central differences, in float64.

For a function with a non-scalar output, both sides are taken of sum(output * v) for a
fixed random v, which checks every output element at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .grad_mode import no_grad
from .tensor import Tensor


@dataclass
class InputCheck:
    """How one input's analytic gradient compares with the numerical one."""

    index: int
    shape: tuple[int, ...]
    checked: bool
    max_abs_error: float = 0.0
    max_rel_error: float = 0.0
    worst_index: tuple[int, ...] = ()
    analytic: np.ndarray | None = field(default=None, repr=False)
    numeric: np.ndarray | None = field(default=None, repr=False)
    ok: bool = True

    def describe(self) -> str:
        if not self.checked:
            return f"input {self.index} {self.shape}: not checked (not floating point)"
        verdict = "ok" if self.ok else "MISMATCH"
        text = (f"input {self.index} {self.shape}: {verdict}, max abs error {self.max_abs_error:.3g}, "
                f"max rel error {self.max_rel_error:.3g}")
        if not self.ok and self.analytic is not None:
            i = self.worst_index
            text += (f"; worst at {i}: analytic {self.analytic[i]:.6g} vs numeric {self.numeric[i]:.6g}"
                     f"\n    analytic: {np.array2string(self.analytic, precision=4, threshold=12)}"
                     f"\n    numeric:  {np.array2string(self.numeric, precision=4, threshold=12)}")
        return text


@dataclass
class GradcheckResult:
    ok: bool
    inputs: list[InputCheck]
    name: str = "function"

    def __str__(self) -> str:
        head = f"gradcheck of {self.name}: {'ok' if self.ok else 'FAILED'}"
        return "\n".join([head] + ["  " + c.describe() for c in self.inputs])

    @property
    def errors(self) -> list[tuple[float, float]]:
        """(max absolute, max relative) error per input."""
        return [(c.max_abs_error, c.max_rel_error) for c in self.inputs]


def _as_input(x: Any) -> tuple[Tensor, bool]:
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    if data.dtype.kind == "f":
        return Tensor(np.array(data, dtype=np.float64), trainable=True), True
    return Tensor(np.array(data)), False


def _projected(fn: Callable[..., Tensor], tensors: list[Tensor], v: np.ndarray) -> float:
    with no_grad():
        out = fn(*tensors)
    return float(np.sum(np.asarray(out.data, dtype=np.float64) * v))


def gradcheck(fn: Callable[..., Tensor], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, seed: int = 0) -> GradcheckResult:
    """Check fn's gradients with respect to every floating-point input.

    Inputs are copied to float64; integer inputs (class indices, say) are passed
    through unchecked. The result's `.ok` is True when every element satisfies
    |analytic - numeric| <= atol + rtol * |numeric|; `str(result)` shows the worst ones.
    """
    prepared = [_as_input(x) for x in inputs]
    tensors = [t for t, _ in prepared]
    out = fn(*tensors)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: the function must return a Tensor, got {type(out).__name__}")
    v = np.random.default_rng(seed).standard_normal(out.shape)
    if out.creator is not None:
        out.backward(np.asarray(v, dtype=out.dtype))
    name = getattr(fn, "__name__", "function")
    if out.creator is not None:
        name = f"{name} ({out.creator.op})" if name == "<lambda>" or name == "function" else name

    checks: list[InputCheck] = []
    for i, (t, floating) in enumerate(prepared):
        if not floating:
            checks.append(InputCheck(i, t.shape, checked=False))
            continue
        analytic = t.grad if t.grad is not None else np.zeros_like(t.data)
        numeric = np.zeros_like(t.data)
        base = t.data.copy()
        for idx in np.ndindex(*base.shape):
            shifted = []
            for delta in (eps, -eps):
                moved = base.copy()
                moved[idx] += delta
                shifted.append(_projected(fn, [Tensor(moved) if j == i else u for j, u in enumerate(tensors)], v))
            numeric[idx] = (shifted[0] - shifted[1]) / (2 * eps)
        error = np.abs(analytic - numeric)
        rel = error / (np.abs(numeric) + atol)
        worst = np.unravel_index(np.argmax(error), error.shape) if error.size else ()
        checks.append(InputCheck(
            index=i, shape=t.shape, checked=True,
            max_abs_error=float(error.max(initial=0.0)),
            max_rel_error=float(rel.max(initial=0.0)),
            worst_index=tuple(int(w) for w in worst), analytic=analytic, numeric=numeric,
            ok=bool(np.all(error <= atol + rtol * np.abs(numeric))),
        ))
    return GradcheckResult(all(c.ok for c in checks), checks, name)
