"""trainable-target: a loss target that is trainable or computed from trainable tensors."""

import numpy as np

import graphscope as gs


def _xy():
    rng = np.random.default_rng(2)
    return rng.normal(0, 1, (8, 3)), rng.normal(0, 1, (8, 1))


def test_a_trainable_target(here, only):
    x, y = _xy()
    w = gs.Parameter(np.zeros((3, 1)), name="w")
    target = gs.tensor(y, trainable=True, name="y")
    with gs.Inspector() as insp:
        loss, site = gs.mse_loss(gs.tensor(x) @ w, target), here()
        loss.backward()
    f = only(insp, "trainable-target")
    assert (f.node, f.severity, f.site, f.details["loss"]) == ("y", "error", site, "mse_loss#0")
    assert target.grad is not None  # what the finding warns about


def test_a_target_computed_from_trained_parameters(here, only):
    # A bootstrapped target (as in TD learning) without .detach(): the network is
    # trained to move its own target.
    x, y = _xy()
    w = gs.Parameter(np.full((3, 1), 0.1), name="w")
    with gs.Inspector() as insp:
        target = gs.tensor(y) + 0.9 * gs.tanh(gs.tensor(x[::-1].copy()) @ w)
        loss, site = gs.mse_loss(gs.tensor(x) @ w, target), here()
        loss.backward()
    f = only(insp, "trainable-target")
    assert (f.node, f.site) == ("add#0", site)
    assert "computed from trainable w" in f.message


def test_silent_for_data_detached_targets_class_labels_and_plain_arithmetic():
    x, y = _xy()
    w = gs.Parameter(np.full((3, 1), 0.1), name="w")
    w2 = gs.Parameter(np.full((3, 2), 0.1), name="w2")
    xt = gs.tensor(x)
    with gs.Inspector() as insp:
        gs.mse_loss(xt @ w, gs.tensor(y)).backward()
        gs.mse_loss(xt @ w, (gs.tensor(y) + gs.tanh(xt @ w)).detach()).backward()
        gs.cross_entropy(xt @ w2, gs.tensor(np.array([0, 1] * 4))).backward()
        gs.binary_cross_entropy(gs.sigmoid(xt @ w), gs.tensor((y > 0).astype(float))).backward()
        gs.mean((xt @ w - gs.tensor(y)) ** 2).backward()  # no loss op: no roles to check
    assert insp.findings == []
