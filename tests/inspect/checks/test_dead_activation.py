"""dead-activation: ReLU units that output zero for the whole batch, N steps running."""

import sys

import numpy as np
import pytest

import graphscope as gs


def _train(bias: np.ndarray, steps: int = 4, act=gs.relu, x=None, **options):
    """A hidden layer whose bias sets how many units are dead (the weights are small)."""
    rng = np.random.default_rng(0)
    x = gs.tensor(rng.normal(0, 1, (32, 2))) if x is None else x
    w1 = gs.Parameter(rng.normal(0, 0.1, (2, bias.size)), name="w1")
    b1 = gs.Parameter(bias, name="b1")
    w2 = gs.Parameter(rng.normal(0, 0.1, (bias.size, 1)), name="w2")
    opt = gs.optim.SGD([w1, b1, w2], lr=0.01)
    sites = []
    with gs.Inspector(**options) as insp:
        for _ in range(steps):
            h = act(x @ w1 + b1); sites.append(f"{__file__}:{sys._getframe().f_lineno}")  # noqa: E702
            loss = gs.mean(h @ w2)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return insp, sites[0]


def test_a_layer_with_every_unit_dead_is_an_error(only):
    insp, site = _train(np.full(8, -5.0))
    f = only(insp, "dead-activation")
    assert (f.node, f.severity, f.site, f.step) == ("relu#0", "error", site, 2)
    assert f.details == {"dead_units": 8, "units": 8}


@pytest.mark.parametrize("dead, severity", [(10, "error"), (9, "warning"), (6, "info")])
def test_severity_follows_the_share_of_dead_units(dead, severity, only):
    insp, _ = _train(np.where(np.arange(10) < dead, -5.0, 5.0))
    f = only(insp, "dead-activation")
    assert (f.severity, f.details["dead_units"], f.details["units"]) == (severity, dead, 10)


def test_silent_on_a_live_layer_and_on_a_few_dead_units():
    insp, _ = _train(np.where(np.arange(10) < 3, -5.0, 0.5))
    assert insp.findings == []


def test_silent_before_dead_steps_and_when_units_revive():
    insp, _ = _train(np.full(8, -5.0), steps=2)
    assert insp.findings == []
    insp, _ = _train(np.full(8, -5.0), steps=4, dead_steps=5)
    assert insp.findings == []


def test_silent_on_leaky_relu_and_on_nan():
    insp, _ = _train(np.full(8, -5.0), act=gs.leaky_relu)  # below zero, but still passes a gradient
    assert insp.findings == []
    x = gs.tensor(np.full((32, 2), np.nan))
    with np.errstate(all="ignore"):
        insp, _ = _train(np.full(8, 1.0), x=x)
    assert [f.kind for f in insp.findings] == []  # NaN came in with the data: no origin, not dead


def test_batches_of_one_need_more_steps_as_evidence(here, only):
    # Online SGD: any one sample leaves about half the units of a healthy layer at zero.
    rng = np.random.default_rng(0)
    for bias, expected in ((0.0, []), (-5.0, [("error", 31)])):  # dead: after 32 samples, not 3
        w1 = gs.Parameter(rng.normal(0, 1, (2, 4)), name="w1")
        b1 = gs.Parameter(np.full(4, bias), name="b1")
        opt = gs.optim.SGD([w1, b1], lr=0.01)
        with gs.Inspector() as insp:
            for _ in range(40):
                h, site = gs.relu(gs.tensor(rng.normal(0, 1, (1, 2))) @ w1 + b1), here()
                opt.zero_grad()
                gs.sum(h).backward()
                opt.step()
        assert [(f.severity, f.step) for f in insp.findings] == expected
    assert only(insp, "dead-activation").site == site
