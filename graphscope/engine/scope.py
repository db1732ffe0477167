"""Which module call is running, so ops can be named by module (`fc1/matmul#0`).

Kept only while someone listens; without listeners a Module call pushes nothing.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(slots=True)
class Frame:
    """One module call in progress: its object, dotted path, and the children it has
    called so far (to tell apart one object registered under several names)."""

    module: object
    path: str
    calls: dict[int, int] = field(default_factory=dict)


_stack: ContextVar[tuple[Frame, ...]] = ContextVar("graphscope_module_stack", default=())


def current() -> Frame | None:
    stack = _stack.get()
    return stack[-1] if stack else None


def push(frame: Frame):
    return _stack.set(_stack.get() + (frame,))


def pop(token) -> None:
    _stack.reset(token)
