"""Elementwise ops: gradients against central differences (float64), with broadcasting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import graphscope as gs

from engine_strategies import arrays, broadcast_pair

BINARY = {
    "add": (lambda a, b: a + b, (-2, 2), (-2, 2)),
    "sub": (lambda a, b: a - b, (-2, 2), (-2, 2)),
    "mul": (lambda a, b: a * b, (-2, 2), (-2, 2)),
    "div": (lambda a, b: a / b, (-2, 2), (0.5, 2)),
    "pow": (lambda a, b: a**b, (0.5, 2), (-1.5, 1.5)),
    "maximum": (gs.maximum, (-2, 2), (-2, 2)),
    "minimum": (gs.minimum, (-2, 2), (-2, 2)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=25, deadline=None)
@given(shapes=broadcast_pair(), seed=st.integers(0, 2**16))
def test_binary_op_gradients_with_broadcasting(name, shapes, seed):
    fn, (alo, ahi), (blo, bhi) = BINARY[name]
    rng = np.random.default_rng(seed)
    a, b = arrays(rng, shapes[0], alo, ahi), arrays(rng, shapes[1], blo, bhi)
    if name in ("maximum", "minimum"):
        assume(np.min(np.abs(a - b), initial=1.0) > 1e-3)  # a tie is not differentiable
    result = gs.gradcheck(fn, a, b)
    assert result.ok, str(result)


@settings(max_examples=25, deadline=None)
@given(shapes=broadcast_pair(), seed=st.integers(0, 2**16))
def test_where_gradients_with_broadcasting(shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = arrays(rng, shapes[0]), arrays(rng, shapes[1])
    cond = rng.random(np.broadcast_shapes(a.shape, b.shape)) > 0.5
    result = gs.gradcheck(lambda x, y: gs.where(cond, x, y), a, b)
    assert result.ok, str(result)


UNARY = {
    "neg": (lambda x: -x, (-2, 2)),
    "exp": (gs.exp, (-2, 2)),
    "log": (gs.log, (0.3, 3)),
    "sqrt": (gs.sqrt, (0.3, 3)),
    "abs": (gs.abs, (0.2, 2)),
    "pow_scalar": (lambda x: x**3, (-2, 2)),
    "rpow": (lambda x: 2.0**x, (-2, 2)),
    "rsub": (lambda x: 1.0 - x, (-2, 2)),
    "rdiv": (lambda x: 1.0 / x, (0.5, 2)),
    "clip": (lambda x: gs.clip(x, -0.5, 0.5), (-2, 2)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
def test_unary_op_gradients(name, shape):
    fn, (lo, hi) = UNARY[name]
    x = np.random.default_rng(1).uniform(lo, hi, shape)
    if name == "clip":
        x = np.where(np.abs(np.abs(x) - 0.5) < 0.05, x + 0.2, x)  # keep away from the clip edges
    result = gs.gradcheck(fn, x)
    assert result.ok, str(result)


def test_maximum_tie_splits_the_gradient():
    a, b = gs.Parameter([1.0, 2.0]), gs.Parameter([1.0, 1.0])
    gs.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0] and b.grad.tolist() == [0.5, 0.0]


def test_clip_gradient_is_zero_where_clipped():
    x = gs.Parameter([-3.0, 0.0, 3.0])
    gs.clip(x, -1, 1).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_broadcast_shape_mismatch_names_op_and_shapes():
    with pytest.raises(gs.ShapeError) as info:
        gs.tensor(np.ones((4, 3))) + gs.tensor(np.ones(2))
    text = str(info.value)
    assert text.startswith("add:") and "(4, 3)" in text and "(2,)" in text
    assert __file__ in text  # the user's line


FLOAT32_UNARY = {
    "add_python_float": lambda x: x + 1.5,
    "radd_numpy_float64": lambda x: np.float64(1.5) + x,
    "mul_numpy_float64": lambda x: x * np.float64(2),
    "rmul_numpy_float64": lambda x: np.float64(2) * x,
    "rsub_python_float": lambda x: 2.0 - x,
    "sub_numpy_float64": lambda x: x - np.float64(0.5),
    "div_int": lambda x: x / 3,
    "rdiv_numpy_float64": lambda x: np.float64(1) / x,
    "pow_int": lambda x: x**2,
    "pow_numpy_float64": lambda x: x ** np.float64(1.5),
    "rpow_numpy_float64": lambda x: np.float64(2) ** x,
    "neg": lambda x: -x,
    "exp": gs.exp,
    "log": gs.log,
    "sqrt": gs.sqrt,
    "abs": gs.abs,
    "maximum_python_float": lambda x: gs.maximum(x, 0.5),
    "minimum_numpy_float64": lambda x: gs.minimum(np.float64(0.5), x),
    "clip_python_floats": lambda x: gs.clip(x, 0.2, 0.8),
    "clip_numpy_float64": lambda x: gs.clip(x, np.float64(0.2), np.float64(0.8)),
    "clip_one_side": lambda x: gs.clip(x, None, np.float64(0.8)),
    "where_scalar_branch": lambda x: gs.where(x.data > 0.5, x, np.float64(0.0)),
    "where_tensor_mask": lambda x: gs.where(x > 0.5, 1.0, x),
}


@pytest.mark.parametrize("name", sorted(FLOAT32_UNARY))
def test_float32_stays_float32_with_python_and_numpy_scalars(name):
    x = gs.Parameter(np.linspace(0.1, 1.0, 6, dtype=np.float32))
    y = FLOAT32_UNARY[name](x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_ops_between_float32_tensors_stay_float32(name):
    fn, (alo, ahi), (blo, bhi) = BINARY[name]
    rng = np.random.default_rng(7)
    a = gs.Parameter(rng.uniform(alo, ahi, (3, 1)).astype(np.float32))
    b = gs.Parameter(rng.uniform(blo, bhi, (4,)).astype(np.float32))
    y = fn(a, b)
    assert y.dtype == np.float32 and y.shape == (3, 4)
    y.sum().backward()
    assert a.grad.dtype == b.grad.dtype == np.float32
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)


def test_where_float32_keeps_both_branches_float32():
    a = gs.Parameter(np.ones((2, 3), np.float32))
    b = gs.Parameter(np.ones(3, np.float32))
    y = gs.where(np.array([[True, False, True], [False, False, True]]), a, b)
    assert y.dtype == np.float32
    y.sum().backward()
    assert a.grad.dtype == b.grad.dtype == np.float32
    assert a.grad.tolist() == [[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]] and b.grad.tolist() == [1.0, 2.0, 0.0]


@pytest.mark.parametrize("branch", ["first", "second"])
def test_where_with_a_scalar_branch_gradients(branch):
    rng = np.random.default_rng(8)
    x = rng.uniform(-2, 2, (3, 4))
    cond = rng.random((3, 4)) > 0.5
    fn = (lambda t: gs.where(cond, t, 0.25)) if branch == "first" else (lambda t: gs.where(cond, -1.0, t * t))
    result = gs.gradcheck(fn, x)
    assert result.ok, str(result)
