"""Activations: gradients, stability at extreme inputs, dtype."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs

ACTIVATIONS = {
    "sigmoid": gs.sigmoid,
    "tanh": gs.tanh,
    "relu": gs.relu,
    "leaky_relu": lambda x: gs.leaky_relu(x, 0.1),
    "leaky_relu_default": gs.leaky_relu,
    "leaky_relu_numpy_slope": lambda x: gs.leaky_relu(x, np.float64(0.2)),
    "sigmoid_method": lambda x: x.sigmoid(),
    "softmax_method_middle": lambda x: x.softmax(axis=-2) if x.ndim > 1 else x.softmax(),
    "log_softmax_first": lambda x: gs.log_softmax(x, axis=0),
    "softmax_last": lambda x: gs.softmax(x, axis=-1),
    "softmax_first": lambda x: gs.softmax(x, axis=0),
    "log_softmax": lambda x: gs.log_softmax(x, axis=-1),
}


def _away_from_zero(shape):
    x = np.random.default_rng(2).uniform(-2, 2, shape)
    return np.where(np.abs(x) < 0.1, 0.3, x)  # relu's kink is not differentiable


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)])
def test_activation_gradients(name, shape):
    result = gs.gradcheck(ACTIVATIONS[name], _away_from_zero(shape))
    assert result.ok, str(result)


def test_sigmoid_and_softmax_do_not_overflow_at_extremes():
    x = gs.tensor(np.array([-1000.0, -90.0, 0.0, 90.0, 1000.0], dtype=np.float32))
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # an overflow inside would raise
        s = gs.sigmoid(x).data
        p = gs.softmax(x).data
        lp = gs.log_softmax(x).data
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert np.isclose(p.sum(), 1.0) and np.all(np.isfinite(lp))


def test_relu_and_leaky_relu_values():
    x = gs.tensor([-2.0, 0.0, 3.0])
    assert gs.relu(x).data.tolist() == [0.0, 0.0, 3.0]
    assert gs.leaky_relu(x, 0.5).data.tolist() == [-1.0, 0.0, 3.0]


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_keeps_float32(name):
    x = gs.Parameter(_away_from_zero((3, 4)).astype(np.float32))
    y = ACTIVATIONS[name](x)
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32


def test_activation_values_against_numpy():
    x = np.random.default_rng(9).standard_normal((3, 4))
    t = gs.tensor(x)
    assert np.allclose(gs.sigmoid(t).data, 1 / (1 + np.exp(-x)))
    assert np.allclose(gs.tanh(t).data, np.tanh(x))
    e = np.exp(x)
    assert np.allclose(gs.softmax(t, axis=0).data, e / e.sum(0))
    assert np.allclose(gs.log_softmax(t).data, x - np.log(e.sum(-1, keepdims=True)))


def test_relu_gradient_is_a_mask_and_leaky_keeps_the_slope():
    x = gs.Parameter([-2.0, 3.0])
    (gs.relu(x) + gs.leaky_relu(x, 0.25)).sum().backward()
    assert x.grad.tolist() == [0.25, 2.0]
