"""Optimizers against updates computed by hand in numpy."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs


def grads_for(p: gs.Parameter, g: np.ndarray) -> None:
    p.grad = g.copy()


def test_sgd_with_momentum_and_weight_decay_by_hand():
    w0 = np.array([1.0, -2.0])
    p = gs.Parameter(w0)
    opt = gs.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    g1, g2 = np.array([0.5, 1.0]), np.array([-1.0, 0.25])
    grads_for(p, g1)
    opt.step()
    d1 = g1 + 0.01 * w0
    w1 = w0 - 0.1 * d1
    assert np.allclose(p.data, w1)
    grads_for(p, g2)
    opt.step()
    buf = 0.9 * d1 + (g2 + 0.01 * w1)
    assert np.allclose(p.data, w1 - 0.1 * buf)


def test_adam_by_hand():
    w = np.array([0.5, -1.5])
    p = gs.Parameter(w)
    opt = gs.optim.Adam([p], lr=0.01)
    m = v = np.zeros(2)
    for t, g in enumerate([np.array([1.0, -2.0]), np.array([0.5, 0.5])], start=1):
        grads_for(p, g)
        opt.step()
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        assert np.allclose(p.data, w)


def test_step_bumps_versions_and_skips_params_without_grad():
    a, b = gs.Parameter([1.0]), gs.Parameter([1.0])
    opt = gs.optim.SGD([a, b], lr=0.5)
    a.grad = np.array([1.0])
    opt.step()
    assert a.version == 1 and a.data.tolist() == [0.5]
    assert b.version == 0 and b.data.tolist() == [1.0]


def test_float32_parameters_stay_float32():
    p = gs.Parameter(np.ones(3, np.float32))
    for opt in (gs.optim.SGD([p], lr=0.1, momentum=0.9), gs.optim.Adam([p])):
        p.grad = np.ones(3, np.float32)
        opt.step()
        assert p.data.dtype == np.float32


def test_zero_grad_and_bad_parameter_lists():
    p = gs.Parameter([1.0])
    p.grad = np.ones(1)
    opt = gs.optim.SGD([p, p], lr=0.1)
    assert len(opt.params) == 1
    opt.zero_grad()
    assert p.grad is None
    with pytest.raises(ValueError, match="empty"):
        gs.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="ndarray"):
        gs.optim.SGD([np.ones(2)], lr=0.1)
