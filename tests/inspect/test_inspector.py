"""The Inspector as a user meets it: no false alarms on correct training, nothing lost
when the user's code fails, and no error of its own reaching the user's program."""

import numpy as np
import pytest

import graphscope as gs
from graphscope import hooks
from graphscope.inspect.checks import ALL_CHECKS


def _accuracy(model, x, y) -> float:
    with gs.no_grad():
        return float((model(gs.tensor(x)).data.argmax(axis=1) == y).mean())


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_correct_training_raises_no_warning_and_learns(optimizer, moons, serious):
    x, y = moons
    gs.seed(0)
    model = gs.nn.MLP([2, 16, 16, 2])
    opt = gs.optim.SGD(model.parameters(), lr=0.3) if optimizer == "sgd" else gs.optim.Adam(model.parameters(),
                                                                                            lr=0.01)
    xt, yt = gs.tensor(x), gs.tensor(y)
    with gs.Inspector() as insp:
        assert {type(c).kind for c in insp.checks} == set(ALL_CHECKS)
        for _ in range(300):
            loss = gs.cross_entropy(model(xt), yt)
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert serious(insp) == [] and insp.internal_errors == []
    assert len(insp.steps) == 300 and all(s.status == "complete" for s in insp.steps)
    assert _accuracy(model, x, y) > 0.95


@pytest.mark.parametrize("options", [{"stats": False}, {"stats": False, "keep_values": 0}, {"keep_values": 0},
                                     {"frozen_steps": 2, "dead_steps": 1}])
def test_no_false_alarm_with_other_options(options, moons, serious):
    x, y = moons
    gs.seed(0)
    model = gs.nn.MLP([2, 16, 2])
    opt = gs.optim.SGD(model.parameters(), lr=0.3)
    with gs.Inspector(**options) as insp:
        for _ in range(60):
            loss = gs.cross_entropy(model(gs.tensor(x)), gs.tensor(y))
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert serious(insp) == [] and insp.internal_errors == [] and len(insp.steps) == 60


def test_correct_manual_sgd_loop_with_insp_step(moons, serious):
    # A from-scratch network: plain parameters, tanh and a sigmoid, a hand-written update.
    x, y = moons
    rng = np.random.default_rng(0)
    params = {"w1": gs.Parameter(rng.normal(0, 0.7, (2, 16)), name="w1"), "b1": gs.Parameter(np.zeros(16), name="b1"),
              "w2": gs.Parameter(rng.normal(0, 0.3, (16, 1)), name="w2"), "b2": gs.Parameter(np.zeros(1), name="b2")}
    xt, yt = gs.tensor(x.astype(np.float64)), gs.tensor(y.reshape(-1, 1).astype(np.float64))

    def predict(inputs):
        return gs.sigmoid(gs.tanh(inputs @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"])

    with gs.Inspector() as insp:
        for _ in range(300):
            loss = gs.binary_cross_entropy(predict(xt), yt)
            for p in params.values():
                p.cleargrad()
            loss.backward()
            for p in params.values():
                p.data -= 1.0 * p.grad
            insp.step()
    assert serious(insp) == [] and insp.internal_errors == []
    assert len(insp.steps) == 300
    with gs.no_grad():
        accuracy = float(((predict(xt).data > 0.5).ravel() == (y == 1)).mean())
    assert accuracy > 0.95


def test_an_exception_in_user_code_keeps_the_trace_and_findings(here):
    w = gs.Parameter(np.ones((2, 2)), name="w")
    opt = gs.optim.SGD([w], lr=0.1)
    insp = gs.Inspector()
    with pytest.raises(gs.ShapeError):
        with insp:
            for step in range(3):
                loss = gs.mse_loss(w * 2.0, gs.tensor(np.zeros((2, 2)), trainable=True, name="y"))
                opt.zero_grad()
                loss.backward()
                opt.step()
            gs.tanh(w); site = here(); w @ gs.tensor(np.ones((3, 1)))  # noqa: E702 - shapes do not align
    steps = insp.steps
    assert [s.status for s in steps] == ["complete"] * 3 + ["crashed"]
    assert [n.info.op for n in steps[-1].nodes] == ["tanh"]
    error = insp.trace.meta["error"]
    assert error["type"] == "ShapeError" and error["site"] == site and "do not align" in error["message"]
    assert [(f.kind, f.count) for f in insp.findings] == [("trainable-target", 3)]
    assert hooks.listeners() == ()
    gs.sum(w * 3.0).backward()  # recording has stopped
    assert len(insp.steps) == 4


def test_a_failing_check_is_recorded_not_raised():
    class Broken(gs.Check):
        kind = "broken"

        def on_forward(self, ev, node, rec):
            raise RuntimeError("the check has a bug")

    w = gs.Parameter(np.ones(2))
    with pytest.warns(RuntimeWarning, match="the check has a bug"):
        with gs.Inspector(checks=[Broken(), "nonfinite"]) as insp:
            for _ in range(3):
                out = gs.sum(w * 2.0)
            out.backward()
    assert out.item() == 4.0 and w.grad is not None
    assert len(insp.internal_errors) == 6 and "Broken" in insp.internal_errors[0]  # one per op
    with pytest.raises(ValueError, match="unknown check"):
        gs.Inspector(checks=["no-such-check"])


ODD = [np.array(2.0), np.zeros((0, 3)), np.arange(6).reshape(2, 3), np.array([1, 0, 2], dtype=np.int8),
       np.ones((2, 3), dtype=np.float16), np.array([True, False])]


def test_checks_never_raise_on_odd_values():
    with np.errstate(all="ignore"), gs.Inspector() as insp:
        for a in ODD:
            t = gs.tensor(a)
            gs.relu(t)
            gs.sum(t * 2)
            gs.mean(gs.exp(gs.tensor(a.astype(np.float32))))
            if a.dtype.kind == "f":
                p = gs.Parameter(a, name="p")
                gs.sum(gs.relu(p) * p + gs.leaky_relu(p)).backward()
                gs.mse_loss(p, gs.tensor(a)).backward()
        scalar = gs.Parameter(np.float16(3.0))
        opt = gs.optim.SGD([scalar], lr=0.1)
        for _ in range(4):
            opt.zero_grad()
            (scalar * scalar).backward()
            opt.step()
        half = gs.Parameter(np.ones(3, dtype=np.float16))
        gs.sum(gs.exp(half * 20)).backward()  # float16 overflows at 65504: a real origin
    assert insp.internal_errors == []
    assert {f.kind for f in insp.findings} <= {"nonfinite", "dead-activation", "grad-accumulation"}
    assert any(f.kind == "nonfinite" and f.node.startswith("exp") for f in insp.findings)


def test_leaves_nothing_behind_and_reports_itself():
    w = gs.Parameter(np.ones(2))
    with gs.Inspector() as insp:
        assert insp in hooks.listeners()
        gs.mse_loss(w, gs.tensor(np.ones(2), trainable=True)).backward()
    assert hooks.listeners() == ()
    assert repr(insp) == "Inspector(steps=1, findings=1: 1 error)"
    with gs.Inspector() as empty:
        pass
    assert empty.steps == [] and empty.findings == []
