"""Value summaries (min, max, mean, std, NaN/inf/zero counts), finiteness tests and
fingerprints, cheap enough to run on every op.

Measured here on a 128x256 float32 array: min or max 1.8 us, a BLAS dot 1.9 us,
`np.sum` 5.3 us, `np.std` 18.6 us, `np.count_nonzero(a == 0)` 2.4 us. So sums and sums
of squares come from dots, zeros are counted only when 0 lies within [min, max], and the
exact NaN/inf counts only when min or max says something is not finite.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_ONES: dict[tuple[int, str], np.ndarray] = {}
_PROBES: dict[tuple[int, str], np.ndarray] = {}
_CACHE_LIMIT = 64


@dataclass(slots=True, frozen=True)
class Stats:
    """Summary of one array. min/max/mean/std are over its finite elements."""

    count: int
    min: float
    max: float
    mean: float
    std: float
    nan: int = 0
    inf: int = 0
    zeros: int = 0

    @property
    def finite(self) -> bool:
        return self.nan == 0 and self.inf == 0

    def to_list(self) -> list:
        return [self.count, self.min, self.max, self.mean, self.std, self.nan, self.inf, self.zeros]

    @classmethod
    def from_list(cls, values: list) -> "Stats":
        c, lo, hi, mean, std, nan, inf, zeros = values
        return cls(int(c), float(lo), float(hi), float(mean), float(std), int(nan), int(inf), int(zeros))

    def short(self) -> str:
        text = f"min {self.min:.4g} max {self.max:.4g} mean {self.mean:.4g} std {self.std:.4g}"
        if self.nan or self.inf:
            text += f" nan {self.nan} inf {self.inf}"
        return text


EMPTY = Stats(0, math.nan, math.nan, math.nan, math.nan)


def _cached(cache: dict, n: int, dtype: np.dtype, make) -> np.ndarray:
    key = (n, dtype.str)
    vec = cache.get(key)
    if vec is None:
        if len(cache) >= _CACHE_LIMIT:
            cache.pop(next(iter(cache)))
        vec = cache[key] = make(n).astype(dtype)
    return vec


def _flat(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1)


def summarize(a: np.ndarray) -> Stats:
    """Stats of any numeric array; never raises on odd input (0-d, empty, ints, float16)."""
    a = np.asarray(a)
    n = a.size
    if n == 0:
        return EMPTY
    if a.dtype.kind == "b":
        a = a.view(np.uint8)
    flat = _flat(a)
    lo, hi = flat.min(), flat.max()
    if a.dtype.kind != "f":
        f64 = flat.astype(np.float64)
        mean = float(f64.mean())
        zeros = n - int(np.count_nonzero(flat)) if lo <= 0 <= hi else 0
        return Stats(n, float(lo), float(hi), mean, float(f64.std()), 0, 0, zeros)
    lo_f, hi_f = float(lo), float(hi)
    if math.isfinite(lo_f) and math.isfinite(hi_f):
        if a.dtype.itemsize >= 4:
            total = float(np.dot(flat, _cached(_ONES, n, a.dtype, np.ones)))
            squares = float(np.dot(flat, flat))
        else:  # float16 has no BLAS dot and would overflow: summarize in float32
            wide = flat.astype(np.float32)
            total, squares = float(wide.sum()), float(np.dot(wide, wide))
        if not (math.isfinite(squares) and math.isfinite(total)):
            wide = flat.astype(np.float64)  # finite values whose squares overflow the dtype
            total, squares = float(wide.sum()), float(np.dot(wide, wide))
        mean = total / n
        var = max(squares / n - mean * mean, 0.0)
        zeros = n - int(np.count_nonzero(flat)) if lo_f <= 0.0 <= hi_f else 0
        return Stats(n, lo_f, hi_f, mean, math.sqrt(var), 0, 0, zeros)
    nan_mask = np.isnan(flat)
    inf_mask = np.isinf(flat)
    finite = flat[~(nan_mask | inf_mask)].astype(np.float64)
    nan, inf = int(nan_mask.sum()), int(inf_mask.sum())
    zeros = int(np.count_nonzero(finite == 0))
    if finite.size == 0:
        return Stats(n, math.nan, math.nan, math.nan, math.nan, nan, inf, zeros)
    return Stats(n, float(finite.min()), float(finite.max()), float(finite.mean()), float(finite.std()), nan, inf, zeros)


def all_finite(a: np.ndarray) -> bool:
    """True when no element is NaN or inf. A NaN or inf always makes the self-dot
    non-finite; an overflowing dot of finite values falls back to the exact test."""
    if a.dtype.kind != "f" or a.size == 0:
        return True
    flat = _flat(a)
    if a.dtype.itemsize >= 4 and math.isfinite(float(np.dot(flat, flat))):
        return True
    return bool(np.isfinite(flat).all())


def fingerprint(a: np.ndarray) -> float:
    """A number that changes when any element changes or moves (a dot with a fixed
    random vector). Two arrays with equal fingerprints are, in practice, equal."""
    a = np.asarray(a)
    if a.size == 0:
        return 0.0
    flat = _flat(a)
    if a.dtype.kind != "f" or a.dtype.itemsize < 4:
        flat = flat.astype(np.float64)
    probe = _cached(_PROBES, flat.size, flat.dtype, lambda n: np.random.default_rng(n).uniform(0.5, 1.5, n))
    value = float(np.dot(flat, probe))
    if math.isnan(value):  # NaN != NaN: fall back to the bytes so equal arrays still match
        return float(hash(flat.tobytes()))
    return value
