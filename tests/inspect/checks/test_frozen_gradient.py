"""frozen-gradient: a bit-identical gradient for N steps while the value moves."""

import numpy as np
import pytest

import graphscope as gs


def _data():
    rng = np.random.default_rng(0)
    return gs.tensor(rng.normal(0, 1, (16, 3))), gs.tensor(rng.normal(0, 1, (16, 1)))


def test_graph_built_once_and_backpropagated_every_step(here):
    x, y = _data()
    w = gs.Parameter(np.zeros((3, 1)), name="w")
    opt = gs.optim.SGD([w], lr=0.1)
    with gs.Inspector() as insp:
        loss, site = gs.mse_loss(x @ w, y), here()
        for _ in range(5):
            opt.zero_grad()
            loss.backward(retain_graph=True)
            opt.step()
    frozen = [f for f in insp.findings if f.kind == "frozen-gradient"]
    assert [(f.node, f.site, f.severity, f.step, f.last_step) for f in frozen] == [("w", site, "warning", 2, 4)]


def test_a_cached_result_still_attached_to_its_graph(here):
    x, y = _data()
    w = gs.Parameter(np.full((3, 1), 0.1), name="w")
    opt = gs.optim.SGD([w], lr=0.01)
    with gs.Inspector() as insp:
        features, site = gs.tanh(x @ w), here()  # computed once, "to save time", and w keeps training
        for _ in range(4):
            loss = gs.mse_loss(features, y)  # a fresh loss each step, over the stale features
            opt.zero_grad()
            loss.backward(retain_graph=True)
            opt.step()
    found = [f for f in insp.findings if f.kind == "frozen-gradient"]
    assert [(f.node, f.site) for f in found] == [("w", site)]


def test_silent_for_losses_whose_gradient_is_constant_by_nature():
    # L1 and hinge losses give the very same gradient for many steps, from a fresh graph each time.
    x, y = _data()
    w = gs.Parameter(np.zeros((3, 1)), name="w")
    v = gs.Parameter(np.ones(2), name="v")
    opt = gs.optim.SGD([w, v], lr=0.01)
    with gs.Inspector() as insp:
        for _ in range(6):
            l1 = gs.mean(gs.abs(x @ w - y))
            hinge = gs.mean(gs.relu(1 - gs.tensor(np.sign(y.data)) * (x @ w)))
            loss = l1 + hinge + gs.sum(v * 2.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert insp.findings == []


def test_silent_in_an_ordinary_loop():
    x, y = _data()
    w = gs.Parameter(np.zeros((3, 1)), name="w")
    opt = gs.optim.SGD([w], lr=0.1)
    with gs.Inspector() as insp:
        for _ in range(6):
            loss = gs.mse_loss(x @ w, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert insp.findings == []


def test_silent_when_the_update_is_too_small_to_change_the_value():
    # Near convergence an update can be below float32 resolution: the version moves, the
    # value does not, and an unchanged gradient is then no sign of a bug.
    x, y = _data()
    w = gs.Parameter(np.ones((3, 1), dtype=np.float32), name="w")
    opt = gs.optim.SGD([w], lr=1e-30)
    with gs.Inspector() as insp:
        for _ in range(6):
            loss = gs.mse_loss(gs.tensor(x.data.astype(np.float32)) @ w, gs.tensor(y.data.astype(np.float32)))
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert w.version == 6 and insp.findings == []


def test_silent_for_all_zero_gradients_and_before_n_steps():
    w = gs.Parameter(np.ones(2), name="w")
    v = gs.Parameter(np.ones(2), name="v")
    opt = gs.optim.SGD([w, v], lr=0.1)
    with gs.Inspector(frozen_steps=5) as insp:
        for _ in range(4):
            loss = gs.sum(gs.relu(w * -1.0)) + gs.sum(v * 2.0)  # w: zero gradient; v: constant, 4 steps
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert [f.kind for f in insp.findings] == []


@pytest.mark.parametrize("steps", [3, 5])
def test_fires_after_exactly_frozen_steps(steps):
    v = gs.Parameter(np.ones(2), name="v")
    opt = gs.optim.SGD([v], lr=0.1)
    with gs.Inspector(frozen_steps=steps) as insp:
        loss = gs.sum(gs.tanh(v))
        for _ in range(steps + 1):
            opt.zero_grad()
            loss.backward(retain_graph=True)
            opt.step()
    assert [(f.kind, f.step, f.last_step) for f in insp.findings if f.kind == "frozen-gradient"] == [
        ("frozen-gradient", steps - 1, steps)]


def test_a_gradient_that_changes_below_the_fingerprints_resolution_is_not_frozen():
    class Scaled(gs.Function):
        """Its gradient's small entry changes every call; its large entry hides that from a sum."""

        calls = 0

        def forward(self, x):
            return x * 1.0

        def backward(self, gy):
            Scaled.calls += 1
            return gy * np.array([1e6, 1e-3 * Scaled.calls], dtype=np.float32)

    v = gs.Parameter(np.ones(2, dtype=np.float32), name="v")
    opt = gs.optim.SGD([v], lr=1e-3)
    with gs.Inspector() as insp:
        loss = gs.sum(Scaled()(v))
        for _ in range(5):
            opt.zero_grad()
            loss.backward(retain_graph=True)
            opt.step()
    assert [f.kind for f in insp.findings] == ["stale-cache"]  # and not frozen-gradient
