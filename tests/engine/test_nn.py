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


def test_sequential_and_mlp_parameter_names():
    seq = gs.nn.Sequential(gs.nn.Linear(2, 3), gs.nn.Tanh(), gs.nn.Linear(3, 1, bias=False))
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight"]
    mlp = gs.nn.MLP([2, 4, 1])
    assert [n for n, _ in mlp.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    named = gs.nn.Sequential({"encoder": gs.nn.Linear(2, 2), "head": gs.nn.Linear(2, 1)})
    assert [n for n, _ in named.named_parameters()][::2] == ["encoder.weight", "head.weight"]


def test_shared_parameter_inside_two_modules_counted_once():
    a, b = gs.nn.Linear(2, 2), gs.nn.Linear(2, 2)
    b.weight = a.weight  # tied weights
    model = gs.nn.Sequential(a, b)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.bias"]
    assert len({id(p) for p in model.parameters()}) == 3


def test_module_zero_grad_clears_every_parameter():
    model = gs.nn.MLP([2, 3, 1])
    model(gs.tensor(np.ones((4, 2), np.float32))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_activation_modules_match_the_ops():
    x = gs.tensor(np.array([-2.0, -0.5, 1.0]))
    assert gs.nn.ReLU()(x).data.tolist() == [0.0, 0.0, 1.0]
    assert gs.nn.LeakyReLU(0.5)(x).data.tolist() == [-1.0, -0.25, 1.0]
    assert np.allclose(gs.nn.Sigmoid()(x).data, 1 / (1 + np.exp(-x.data)))
    assert np.allclose(gs.nn.Tanh()(x).data, np.tanh(x.data))


def test_seed_makes_initialization_reproducible():
    gs.seed(3)
    first = gs.nn.Linear(4, 2).weight.data.copy()
    gs.seed(3)
    again = gs.nn.Linear(4, 2).weight.data
    gs.seed(4)
    other = gs.nn.Linear(4, 2).weight.data
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert np.abs(first).max() <= 0.5  # uniform in +-1/sqrt(in_features)


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
