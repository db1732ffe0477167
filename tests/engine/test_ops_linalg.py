"""matmul with numpy's rules: 2-D, 1-D promotion, batched broadcasting."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs

SHAPES = [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
          ((2, 3, 4), (1, 4, 2)), ((5, 1, 3, 4), (2, 4, 3))]


@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
def test_matmul_values_and_gradients(a_shape, b_shape):
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    assert np.allclose((gs.tensor(a) @ gs.tensor(b)).data, a @ b)
    result = gs.gradcheck(lambda x, y: x @ y, a, b)
    assert result.ok, str(result)


def test_matmul_shape_mismatch_names_the_axes():
    with pytest.raises(gs.ShapeError) as info:
        gs.tensor(np.ones((4, 3))) @ gs.tensor(np.ones((2, 1)))
    text = str(info.value)
    assert "matmul" in text and "(4, 3)" in text and "(2, 1)" in text and "(3)" in text and "(2)" in text


def test_matmul_refuses_mixed_float_dtypes():
    with pytest.raises(gs.DTypeError, match="float32 and float64"):
        gs.tensor(np.ones((2, 2), np.float32)) @ gs.tensor(np.ones((2, 2)))


def test_matmul_float32_and_skips_gradient_of_data():
    x = gs.tensor(np.ones((3, 4), np.float32))
    w = gs.Parameter(np.ones((4, 2), np.float32))
    (x @ w).sum().backward()
    assert w.grad.dtype == np.float32 and x.grad is None
    assert np.allclose(w.grad, 3.0)


@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
def test_matmul_keeps_float32_and_gives_each_input_its_shape(a_shape, b_shape):
    rng = np.random.default_rng(5)
    a = gs.Parameter(rng.standard_normal(a_shape).astype(np.float32))
    b = gs.Parameter(rng.standard_normal(b_shape).astype(np.float32))
    y = a @ b
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert a.grad.dtype == b.grad.dtype == np.float32
    assert a.grad.shape == a_shape and b.grad.shape == b_shape


def test_matmul_2d_gradients_by_hand():
    a, b = gs.Parameter([[1.0, 2.0]]), gs.Parameter([[3.0], [4.0]])
    gs.matmul(a, b).backward()
    assert a.grad.tolist() == [[3.0, 4.0]] and b.grad.tolist() == [[1.0], [2.0]]


def test_matmul_batch_mismatch_names_the_shapes():
    with pytest.raises(gs.ShapeError) as info:
        gs.tensor(np.ones((2, 3, 4))) @ gs.tensor(np.ones((5, 4, 2)))
    text = str(info.value)
    assert "matmul" in text and "(2, 3, 4)" in text and "(5, 4, 2)" in text


def test_matmul_of_a_scalar_is_refused():
    with pytest.raises(gs.ShapeError, match="matmul"):
        gs.tensor(np.float64(2.0)) @ gs.tensor(np.ones(3))
