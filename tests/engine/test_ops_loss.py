"""Losses: values against numpy, gradients, roles, and shape errors."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs

RNG = np.random.default_rng(6)


def test_mse_loss_value_and_gradients():
    p, t = RNG.standard_normal((4, 2)), RNG.standard_normal((4, 2))
    assert np.isclose(gs.mse_loss(gs.tensor(p), gs.tensor(t)).item(), np.mean((p - t) ** 2))
    assert gs.gradcheck(gs.mse_loss, p, t).ok


def test_mse_loss_refuses_silent_broadcast():
    with pytest.raises(gs.ShapeError) as info:
        gs.mse_loss(gs.tensor(np.ones((4, 1))), gs.tensor(np.ones(4)))
    assert "(4, 1)" in str(info.value) and "(4,)" in str(info.value) and "(4, 4)" in str(info.value)


def test_cross_entropy_with_class_indices():
    logits, target = RNG.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -logp[np.arange(5), target].mean()
    assert np.isclose(gs.cross_entropy(gs.tensor(logits), gs.tensor(target)).item(), expected)
    result = gs.gradcheck(gs.cross_entropy, logits, target)
    assert result.ok and not result.inputs[1].checked, str(result)


def test_cross_entropy_with_probabilities_differentiates_both():
    logits = RNG.standard_normal((4, 3))
    probs = RNG.dirichlet(np.ones(3), 4)
    result = gs.gradcheck(gs.cross_entropy, logits, probs)
    assert result.ok and result.inputs[1].checked, str(result)


def test_cross_entropy_bad_targets():
    with pytest.raises(gs.ShapeError, match="out of range"):
        gs.cross_entropy(gs.tensor(np.zeros((2, 3))), gs.tensor(np.array([0, 3])))
    with pytest.raises(gs.ShapeError, match=r"\(2,\)"):
        gs.cross_entropy(gs.tensor(np.zeros((2, 3))), gs.tensor(np.array([0, 1, 2])))


def test_binary_cross_entropy_value_gradients_and_clamp():
    p, t = RNG.uniform(0.1, 0.9, (6,)), RNG.uniform(0, 1, (6,))
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert np.isclose(gs.binary_cross_entropy(gs.tensor(p), gs.tensor(t)).item(), expected)
    assert gs.gradcheck(gs.binary_cross_entropy, p, t).ok
    # p == 0 with target 1 gives a large finite loss, as PyTorch's log clamp does
    assert gs.binary_cross_entropy(gs.tensor([0.0]), gs.tensor([1.0])).item() == 100.0


def test_loss_roles_name_prediction_and_target():
    out = gs.mse_loss(gs.Parameter([1.0]), gs.tensor([0.0]))
    assert out.creator.input_roles == ("prediction", "target")


@pytest.mark.parametrize("loss", [gs.mse_loss, gs.binary_cross_entropy])
def test_losses_keep_float32(loss):
    p = gs.Parameter(np.full((3, 1), 0.3, np.float32))
    out = loss(p, gs.tensor(np.full((3, 1), 0.6, np.float32)))
    assert out.dtype == np.float32
    out.backward()
    assert p.grad.dtype == np.float32


@pytest.mark.parametrize("target", ["indices", "probabilities"])
def test_cross_entropy_keeps_float32(target):
    logits = gs.Parameter(RNG.standard_normal((4, 3)).astype(np.float32))
    t = np.array([0, 2, 1, 1]) if target == "indices" else RNG.dirichlet(np.ones(3), 4).astype(np.float32)
    out = gs.cross_entropy(logits, gs.tensor(t))
    assert out.dtype == np.float32
    out.backward()
    assert logits.grad.dtype == np.float32


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    logits = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    x = gs.Parameter(logits)
    gs.cross_entropy(x, gs.tensor(np.array([1, 0]))).backward()
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert np.allclose(x.grad, (p - np.eye(3)[[1, 0]]) / 2)


def test_binary_cross_entropy_shape_mismatch():
    with pytest.raises(gs.ShapeError) as info:
        gs.binary_cross_entropy(gs.tensor(np.full((3, 1), 0.5)), gs.tensor(np.ones(3)))
    assert "binary_cross_entropy" in str(info.value) and "(3, 1)" in str(info.value)
