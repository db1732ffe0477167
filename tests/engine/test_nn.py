"""Modules: registration, dotted names, layers, and an MLP that learns two moons."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs


def two_moons(n: int, rng: np.random.Generator, noise: float = 0.1):
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(t), 1 - np.cos(t))
    y = np.where(upper, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], 1) + rng.normal(0, noise, (n, 2))
    return points.astype(np.float32), (~upper).astype(np.int64)


class Block(gs.nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = gs.nn.Linear(2, 2)
        self.heads = [gs.nn.Linear(2, 1), gs.nn.Linear(2, 1)]
        self.acts = {"a": gs.nn.ReLU()}


def test_dotted_names_nested_lists_dicts_and_sequential():
    names = [n for n, _ in gs.nn.Sequential(Block(), gs.nn.Linear(2, 2)).named_parameters()]
    assert names == ["0.inner.weight", "0.inner.bias", "0.heads.0.weight", "0.heads.0.bias",
                     "0.heads.1.weight", "0.heads.1.bias", "1.weight", "1.bias"]


def test_shared_parameter_counted_once():
    shared = gs.nn.Linear(2, 2)
    model = gs.nn.Sequential(shared, gs.nn.ReLU(), shared)
    assert len(model.parameters()) == 2


def test_reassigning_an_attribute_unregisters_it():
    block = Block()
    block.inner = None
    assert not any(n.startswith("inner") for n, _ in block.named_parameters())


def test_mlp_layer_names_and_forward_shape():
    model = gs.nn.MLP([3, 5, 4, 2], activation="tanh")
    assert [n for n, _ in model.named_modules()][1:] == ["fc1", "act1", "fc2", "act2", "fc3"]
    out = model(gs.tensor(np.ones((7, 3), np.float32)))
    assert out.shape == (7, 2) and out.dtype == np.float32
    with pytest.raises(ValueError, match="activation"):
        gs.nn.MLP([2, 2], activation="swish")


def test_linear_is_x_at_weight_plus_bias():
    layer = gs.nn.Linear(3, 2)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    assert np.allclose(layer(gs.tensor(x)).data, x @ layer.weight.data + layer.bias.data)
    assert layer.weight.name == "weight" and layer.weight.trainable


def test_module_without_super_init_still_registers():
    class Lazy(gs.nn.Module):
        def __init__(self):
            self.w = gs.Parameter(np.ones(2))

    assert [n for n, _ in Lazy().named_parameters()] == ["w"]


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_mlp_learns_two_moons(optimizer):
    gs.seed(0)
    rng = np.random.default_rng(0)
    x, y = two_moons(400, rng)
    model = gs.nn.MLP([2, 32, 32, 2])
    opt = gs.optim.SGD(model.parameters(), lr=0.3, momentum=0.9) if optimizer == "sgd" \
        else gs.optim.Adam(model.parameters(), lr=0.02)
    xt, yt = gs.tensor(x), gs.tensor(y)
    for _ in range(300):
        opt.zero_grad()
        gs.cross_entropy(model(xt), yt).backward()
        opt.step()
    with gs.no_grad():
        accuracy = float((model(xt).data.argmax(1) == y).mean())
    assert accuracy >= 0.95, accuracy
