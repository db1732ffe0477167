"""Errors a user can cause. Each names the op, the shapes or dtypes, and where."""

from __future__ import annotations


class GraphscopeError(Exception):
    """Base class of every error graphscope raises on purpose."""


class ShapeError(GraphscopeError, ValueError):
    """Shapes that do not fit the op (broadcasting, matmul, a backward's gradient)."""


class DTypeError(GraphscopeError, TypeError):
    """Data that is not numeric, or dtypes an op will not mix."""


class GraphFreedError(GraphscopeError, RuntimeError):
    """backward() through a graph whose saved values an earlier backward() freed."""


class FunctionReuseError(GraphscopeError, RuntimeError):
    """A Function instance called a second time: each call needs a new instance."""


class BackwardContractError(GraphscopeError, RuntimeError):
    """A Function's backward returned the wrong number or shape of gradients."""
