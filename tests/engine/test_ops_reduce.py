"""Reductions over every axis form, with and without keepdims."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs

AXES = [None, 0, 1, -1, (0, 2), (0, 1, 2)]


@pytest.mark.parametrize("op", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_values_and_gradients(op, axis, keepdims):
    rng = np.random.default_rng(3)
    x = rng.permutation(24).reshape(2, 3, 4).astype(np.float64) / 7  # distinct: max has no ties
    fn = getattr(gs, op)
    out = fn(gs.tensor(x), axis=axis, keepdims=keepdims)
    expected = getattr(np, op)(x, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    assert np.allclose(out.data, expected)
    result = gs.gradcheck(lambda t: fn(t, axis=axis, keepdims=keepdims), x)
    assert result.ok, str(result)


def test_max_splits_gradient_between_ties():
    x = gs.Parameter([1.0, 3.0, 3.0])
    gs.max(x).backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


def test_methods_and_dtype():
    x = gs.Parameter(np.ones((2, 3), np.float32))
    y = x.sum(axis=0).mean()
    assert y.dtype == np.float32 and y.shape == ()
    y.backward()
    assert x.grad.dtype == np.float32 and np.allclose(x.grad, 1 / 3)


@pytest.mark.parametrize("op", ["sum", "mean", "max"])
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_keep_float32(op, axis, keepdims):
    x = gs.Parameter((np.random.default_rng(3).permutation(24).reshape(2, 3, 4) / 7).astype(np.float32))
    y = getattr(gs, op)(x, axis=axis, keepdims=keepdims)
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == x.shape


def test_mean_gradient_divides_by_the_reduced_count_only():
    x = gs.Parameter(np.ones((2, 3, 4)))
    gs.mean(x, axis=(0, 2)).sum().backward()  # each output averages 2 * 4 = 8 entries
    assert np.allclose(x.grad, 1 / 8)


def test_max_gradient_goes_to_the_maximum_of_each_row():
    x = gs.Parameter([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    gs.max(x, axis=1).sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
