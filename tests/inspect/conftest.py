"""Fixtures shared by the inspector's tests (fixtures, not imports: the test folders
are not packages)."""

from __future__ import annotations

import sys
from typing import Callable

import numpy as np
import pytest

import graphscope as gs


def _here() -> str:
    frame = sys._getframe(1)
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _only(insp: gs.Inspector, kind: str) -> gs.Finding:
    found = [f for f in insp.findings if f.kind == kind]
    assert len(found) == 1, [str(f) for f in insp.findings]
    return found[0]


def _serious(insp: gs.Inspector) -> list[str]:
    return [str(f) for f in insp.findings if f.at_least("warning")]


@pytest.fixture
def here() -> Callable[[], str]:
    """`here()` is `path:line` of the line that calls it: put it on the op's line."""
    return _here


@pytest.fixture
def only() -> Callable[[gs.Inspector, str], gs.Finding]:
    """`only(insp, kind)`: the one finding of that kind (fails on none or several)."""
    return _only


@pytest.fixture
def serious() -> Callable[[gs.Inspector], list[str]]:
    """`serious(insp)`: warnings and errors as text (empty when the run is clean)."""
    return _serious


def two_moons(n: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    label = rng.integers(0, 2, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where(label[:, None] == 0, upper, lower) + rng.normal(0, noise, (n, 2))
    return x.astype(np.float32), label


@pytest.fixture
def moons() -> tuple[np.ndarray, np.ndarray]:
    """Two moons, 200 points, labels 0/1 (int)."""
    return two_moons()
