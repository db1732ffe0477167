"""backward(): walk the graph from the root in reverse topological order, summing the
gradient each node receives from every use before passing it on.

Iterative throughout (an explicit stack), so a 100,000-op chain backpropagates.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .. import hooks as _hooks
from ..callsite import user_site
from ..errors import BackwardContractError, GraphFreedError, ShapeError
from .function import Function, tensor_ref
from .tensor import Tensor

_backward_ids = itertools.count(1)


def topological_order(root: Function) -> list[Function]:
    """Every Function the root depends on, each after all the Functions that use its
    output (reverse postorder of a depth-first walk; inputs visited in order)."""
    order: list[Function] = []
    seen: set[int] = set()
    stack: list[tuple[Function, bool]] = [(root, False)]
    while stack:
        fn, finished = stack.pop()
        if finished:
            order.append(fn)
            continue
        if fn.seq in seen:
            continue
        seen.add(fn.seq)
        stack.append((fn, True))
        for x in reversed(fn.inputs):
            creator = x.creator
            if creator is not None and creator.seq not in seen:
                stack.append((creator, False))
    order.reverse()
    return order


def backward(root: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
    """Accumulate d(root)/d(leaf) into `.grad` of every leaf that requires a gradient."""
    grad = _root_gradient(root, grad)
    fn = root.creator
    if fn is None:
        if root.requires_grad:
            _accumulate_leaf(root, grad, None, 0)
        return
    order = topological_order(fn)
    for f in order:
        if f.freed:
            raise _freed_error(root, f)
    fn.grad_out = grad
    if _hooks.active and _hooks.listeners():
        _run_announced(root, order, retain_graph)
    else:
        _run(order, retain_graph)


def _run(order: list[Function], retain_graph: bool) -> None:
    for f in order:
        gy = f.grad_out
        f.grad_out = None
        if gy is None:
            continue
        _propagate(f, gy, _gradients(f, gy), 0)
        if not retain_graph:
            f.saved = None
            f.freed = True


def _run_announced(root: Tensor, order: list[Function], retain_graph: bool) -> None:
    bid = next(_backward_ids)
    _hooks.emit(
        "on_backward_start",
        _hooks.BackwardStartEvent(bid, tensor_ref(root), order[0].seq, user_site(1), retain_graph),
    )
    completed = False
    try:
        for f in order:
            gy = f.grad_out
            f.grad_out = None
            if gy is None:
                continue
            gxs = _gradients(f, gy)
            inputs = f.inputs
            versions = f.versions if f.versions is not None else (-1,) * len(inputs)
            _hooks.emit(
                "on_backward",
                _hooks.BackwardEvent(f.seq, f.op, bid, gy, gxs, tuple([tensor_ref(x) for x in inputs]), versions),
            )
            _propagate(f, gy, gxs, bid)
            if not retain_graph:
                f.saved = None
                f.freed = True
        completed = True
    finally:
        _hooks.emit("on_backward_end", _hooks.BackwardEndEvent(bid, completed))


def _gradients(f: Function, gy: np.ndarray) -> tuple:
    """Call f.backward and hold it to its contract: one gradient per input, each of
    its input's shape, in its input's dtype."""
    if f.retained is not None:
        kept = f.retained()
        if kept is not None:
            # Summed over backward() calls (retain_graph=True), as a leaf's .grad is.
            kept.grad = gy if kept.grad is None else kept.grad + gy
    gxs = f.backward(gy)
    if type(gxs) is not tuple:
        gxs = tuple(gxs) if isinstance(gxs, list) else (gxs,)
    if len(gxs) != len(f.inputs):
        raise BackwardContractError(
            f"{type(f).__name__}.backward returned {len(gxs)} gradient(s) for {len(f.inputs)} input(s); "
            f"return one per input, in order (None for an input that gets no gradient)"
        )
    checked = []
    for i, (x, gx) in enumerate(zip(f.inputs, gxs)):
        if gx is not None and x.requires_grad:
            if type(gx) is not np.ndarray:
                gx = np.asarray(gx)
            if gx.shape != x._data.shape:
                raise BackwardContractError(
                    f"{type(f).__name__}.backward returned a gradient of shape {gx.shape} for input {i}, "
                    f"expected {x._data.shape} (the input's shape); sum over broadcast axes first"
                )
            if gx.dtype != x._data.dtype:
                gx = gx.astype(x._data.dtype)
        else:
            gx = None
        checked.append(gx)
    return tuple(checked)


def _propagate(f: Function, gy: np.ndarray, gxs: tuple, bid: int) -> None:
    """Send each input gradient to where it is summed: the input's creator, or the leaf."""
    for x, gx in zip(f.inputs, gxs):
        if gx is None:
            continue
        creator = x.creator
        if creator is not None:
            creator.grad_out = gx if creator.grad_out is None else creator.grad_out + gx
        else:
            # A gradient handed through unchanged, or a view, may be shared with another
            # leaf; copy it so an in-place change to one `.grad` cannot reach the other.
            if x.grad is None and (gx is gy or gx.base is not None):
                gx = gx.copy()
            _accumulate_leaf(x, gx, f, bid)


def _accumulate_leaf(x: Tensor, gx: np.ndarray, f: Function | None, bid: int) -> None:
    previous = x.grad
    x.grad = gx if previous is None else previous + gx
    if bid and _hooks.active and _hooks.wants("on_leaf_grad"):  # (nan_hunt has no use for it)
        _hooks.emit("on_leaf_grad", _hooks.LeafGradEvent(bid, tensor_ref(x), previous, x.grad))


def _root_gradient(root: Tensor, grad: Any) -> np.ndarray:
    if grad is None:
        if root.size != 1:
            raise ShapeError(
                f"backward() on a tensor of shape {root.shape} needs a gradient of that shape; "
                f"reduce it to a scalar loss first (.sum() or .mean()) or pass grad=... "
                f"(at {user_site(1)})"
            )
        return np.ones_like(root.data)
    if isinstance(grad, Tensor):
        grad = grad.data
    grad = np.asarray(grad, dtype=root.dtype)
    if grad.shape != root.shape:
        raise ShapeError(f"backward(): gradient shape {grad.shape} does not match the tensor's shape {root.shape}")
    return grad


def _freed_error(root: Tensor, f: Function) -> GraphFreedError:
    what = f"the graph of {root.name!r}" if root.name else f"the graph ending in {root.creator.op} (node #{root.creator.seq})"
    return GraphFreedError(
        f"backward() through {what} a second time: an earlier backward() freed the values it "
        f"saved (at {f.op}, node #{f.seq}). Build the forward pass again each step (compute the "
        f"loss inside the loop), or pass retain_graph=True to the first backward() if you really "
        f"need to backpropagate twice. At {user_site(1)}"
    )
