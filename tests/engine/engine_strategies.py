"""Hypothesis strategies and arrays shared by the engine's tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


@st.composite
def broadcast_pair(draw, max_dims: int = 3, max_side: int = 3):
    """Two shapes numpy broadcasts together: a base shape, and the other with some axes
    dropped from the front or set to 1."""
    base = draw(st.lists(st.integers(1, max_side), min_size=0, max_size=max_dims))
    other = [draw(st.sampled_from([n, 1])) for n in base]
    drop = draw(st.integers(0, len(other)))
    other = other[drop:]
    if draw(st.booleans()):
        return tuple(base), tuple(other)
    return tuple(other), tuple(base)


def arrays(rng: np.random.Generator, shape, low: float = -2.0, high: float = 2.0) -> np.ndarray:
    return rng.uniform(low, high, shape)
