"""Compare two steps of a trace: which values changed, which did not, which nodes
appeared or disappeared, and which nodes are the very same Python object in both
(a reused graph or cache)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .trace import Trace


@dataclass
class Comparison:
    step_a: int
    step_b: int
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    appeared: list[str] = field(default_factory=list)
    disappeared: list[str] = field(default_factory=list)
    same_object: list[str] = field(default_factory=list)
    grad_changed: list[str] = field(default_factory=list)
    grad_unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"step {self.step_a} -> step {self.step_b}"]
        for name in ("changed", "unchanged", "appeared", "disappeared", "same_object", "grad_unchanged"):
            keys = getattr(self, name)
            if keys:
                shown = ", ".join(keys[:12]) + (f", ... ({len(keys)} in all)" if len(keys) > 12 else "")
                lines.append(f"  {name.replace('_', ' ')}: {shown}")
        return "\n".join(lines)


def _equal(a_fp: float, b_fp: float, a_arr: np.ndarray | None, b_arr: np.ndarray | None) -> bool:
    if a_arr is not None and b_arr is not None:
        return a_arr.shape == b_arr.shape and bool(np.array_equal(a_arr, b_arr, equal_nan=True))
    return a_fp == b_fp


def compare_steps(trace: Trace, a: int, b: int) -> Comparison:
    sa, sb = trace.step(a), trace.step(b)
    ra = {r.info.key: r for r in sa.nodes + sa.leaves}
    rb = {r.info.key: r for r in sb.nodes + sb.leaves}
    result = Comparison(sa.index, sb.index)
    result.appeared = [k for k in rb if k not in ra]
    result.disappeared = [k for k in ra if k not in rb]
    for key, x in ra.items():
        y = rb.get(key)
        if y is None:
            continue
        same = _equal(x.fingerprint, y.fingerprint, sa.value(key), sb.value(key))
        (result.unchanged if same else result.changed).append(key)
        if x.uid == y.uid:
            result.same_object.append(key)
        if x.grad is not None and y.grad is not None:
            gx, gy = sa.grad(key), sb.grad(key)
            g_same = (gx is not None and gy is not None and np.array_equal(gx, gy, equal_nan=True)) or (
                (gx is None or gy is None) and x.grad == y.grad
                and getattr(x, "grad_fingerprint", 0.0) == getattr(y, "grad_fingerprint", 0.0))
            (result.grad_unchanged if g_same else result.grad_changed).append(key)
    return result
