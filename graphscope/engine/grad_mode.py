"""Whether ops record the graph. Per context, so a `no_grad()` in one thread or task
leaves the others recording."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_enabled: ContextVar[bool] = ContextVar("graphscope_grad_enabled", default=True)
is_grad_enabled = _enabled.get


@contextmanager
def no_grad() -> Iterator[None]:
    """Ops inside record no graph (evaluation, parameter updates). Also a decorator."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


@contextmanager
def enable_grad() -> Iterator[None]:
    """Record the graph again inside a `no_grad()` block."""
    token = _enabled.set(True)
    try:
        yield
    finally:
        _enabled.reset(token)
