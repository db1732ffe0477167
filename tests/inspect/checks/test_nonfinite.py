"""nonfinite: the first op that makes NaN/inf out of finite values, forward or backward."""

import numpy as np
import pytest

import graphscope as gs


def test_forward_origin_is_the_overflowing_op_not_what_follows(here, only):
    x = gs.tensor(np.array([1.0, 100.0, 3.0], dtype=np.float32))
    with gs.Inspector() as insp, np.errstate(all="ignore"):
        e, site = gs.exp(x), here()
        z = e * 0.0  # inf * 0 = NaN: downstream, not an origin
        gs.sum(z)
    f = only(insp, "nonfinite")
    assert (f.node, f.severity, f.site) == ("exp#0", "error", site)
    assert f.details["phase"] == "forward"
    assert "1 inf" in f.message and "max 100" in f.message  # the inputs' statistics


def test_backward_origin_names_the_forward_op_and_its_line(here, only):
    w = gs.Parameter(np.array([0.0, 4.0]), name="w")
    with gs.Inspector() as insp, np.errstate(all="ignore"):
        r, site = gs.sqrt(w), here()  # d sqrt(x) / dx is inf at 0
        gs.sum(r).backward()
    f = only(insp, "nonfinite")
    assert (f.node, f.site) == ("sqrt#0", site)
    assert f.details["phase"] == "backward" and f.details["forward_site"] == site
    assert "w" in f.message


def test_silent_on_finite_values_and_on_nan_that_came_in():
    x = gs.tensor(np.array([np.nan, 1.0]))
    with gs.Inspector() as insp:
        y = gs.exp(x * 2.0)  # NaN in, NaN out: the origin is not here
        w = gs.Parameter(np.ones(2))
        gs.sum(gs.tanh(w) * 3.0).backward()
    assert insp.findings == [] and insp.internal_errors == []
    assert np.isnan(y.data[0])


def test_float16_overflow_is_an_origin_and_odd_values_are_not(only):
    with gs.Inspector() as insp, np.errstate(all="ignore"):
        gs.exp(gs.tensor(np.array([12.0], dtype=np.float16)))  # 1.6e5 > float16's max
        gs.exp(gs.tensor(np.zeros((0, 3))))
        gs.tensor(np.array(3)) * 2
        gs.log(gs.tensor(np.float32(2.0)))
    assert only(insp, "nonfinite").node == "exp#0"
    assert insp.internal_errors == []


@pytest.mark.parametrize("stats", [True, False])
def test_backward_origin_inside_the_graph_and_at_a_shared_value(stats, here):
    w = gs.Parameter(np.array([0.0, 4.0]), name="w")
    with gs.Inspector(stats=stats) as insp, np.errstate(all="ignore"):
        a = w * 1.0
        r, site = gs.sqrt(a), here()  # inf in the gradient of a (a node), from a finite one
        t = gs.tanh(a)  # a is read twice: its gradient is a sum, and tanh's part is finite
        gs.sum(r + t).backward()
    found = [(f.node, f.site, f.details["phase"]) for f in insp.findings]
    assert found == [("sqrt#0", site, "backward")]
    assert "gradient of mul#0" in insp.findings[0].message


def test_a_nan_left_in_grad_from_an_earlier_step_is_not_a_new_origin():
    w = gs.Parameter(np.array([0.0, 1.0]), name="w")
    with gs.Inspector() as insp, np.errstate(all="ignore"):
        for step in range(3):
            loss = gs.sum(gs.sqrt(w) if step == 0 else w * 2.0)
            loss.backward()  # no zero_grad: step 0's inf stays in w.grad
            insp.step()
    assert [(f.kind, f.node, f.step, f.count) for f in insp.findings if f.kind == "nonfinite"] == [
        ("nonfinite", "sqrt#0", 0, 1)]
