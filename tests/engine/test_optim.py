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


def test_plain_sgd_and_nesterov_by_hand():
    p, q = gs.Parameter([1.0, 2.0]), gs.Parameter([1.0, 2.0])
    plain = gs.optim.SGD([p], lr=0.5)
    nesterov = gs.optim.SGD([q], lr=0.5, momentum=0.5, nesterov=True)
    g1, g2 = np.array([1.0, -1.0]), np.array([0.5, 0.0])
    expected_p, expected_q = np.array([1.0, 2.0]), np.array([1.0, 2.0])
    buf = None
    for g in (g1, g2):
        grads_for(p, g)
        grads_for(q, g)
        plain.step()
        nesterov.step()
        expected_p = expected_p - 0.5 * g
        buf = g if buf is None else 0.5 * buf + g
        expected_q = expected_q - 0.5 * (g + 0.5 * buf)
        assert np.allclose(p.data, expected_p) and np.allclose(q.data, expected_q)


def adam_by_hand(w, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """The weights after each step of Algorithm 1 of Kingma & Ba (eps added to sqrt(v_hat)),
    with L2 weight decay added to the gradient as PyTorch's Adam does."""
    b1, b2 = betas
    m = v = np.zeros_like(w)
    out = []
    for t, g in enumerate(grads, start=1):
        d = g + weight_decay * w
        m = b1 * m + (1 - b1) * d
        v = b2 * v + (1 - b2) * d * d
        w = w - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        out.append(w)
    return out


def run_adam(w, grads, **settings):
    p = gs.Parameter(w)
    opt = gs.optim.Adam([p], **settings)
    out = []
    for g in grads:
        grads_for(p, g)
        opt.step()
        out.append(p.data.copy())
    return out


def test_adam_by_hand_with_weight_decay_and_betas():
    w, grads = np.array([2.0, -0.5]), [np.array([0.3, 3.0]), np.array([-1.0, 1.0]), np.array([0.2, -0.1])]
    settings = dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)
    for got, expected in zip(run_adam(w, grads, **settings), adam_by_hand(w, grads, **settings)):
        assert np.allclose(got, expected, rtol=1e-9, atol=0)


def test_adam_by_hand_with_gradients_near_eps():
    # Where eps goes shows on gradients of its size: added to sqrt(v_hat), a gradient of
    # 1e-7 still moves its weight by lr * 1e-7 / (1e-7 + 1e-8) = 0.91 * lr on the first step.
    w, grads = np.array([0.0, 1.0]), [np.array([1e-7, -2e-8]), np.array([-5e-8, 4e-8])]
    got = run_adam(w, grads, lr=0.01)
    assert np.isclose(got[0][0], -0.01 / 1.1, rtol=1e-6)
    for g, expected in zip(got, adam_by_hand(w, grads, lr=0.01)):
        assert np.allclose(g, expected, rtol=1e-7, atol=0)


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
