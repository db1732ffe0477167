"""What the recorder puts in the Trace: keys, sites, statistics, kept values, steps."""

import numpy as np
import pytest

import graphscope as gs


def _mlp_run(steps=3, here=None, **options):
    gs.seed(0)
    model = gs.nn.MLP([2, 4, 1], dtype=np.float64)
    opt = gs.optim.SGD(model.parameters(), lr=0.1)
    x = gs.tensor(np.linspace(-1, 1, 6).reshape(3, 2), name="x")
    site = ""
    with gs.Inspector(**options) as insp:
        for _ in range(steps):
            pred, site = model(x), (here() if here else "")
            loss = gs.mse_loss(pred, gs.tensor(np.zeros((3, 1))))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return insp, model, site


def test_stable_keys_and_the_users_line(here):
    insp, _, site = _mlp_run(here=here)
    for step in insp.steps:
        assert [n.info.key for n in step.nodes] == ["fc1/matmul#0", "fc1/add#0", "act1/relu#0", "fc2/matmul#0",
                                                    "fc2/add#0", "mse_loss#0"]
        assert [(leaf.info.key, leaf.info.kind) for leaf in step.leaves] == [
            ("x", "input"), ("fc1.weight", "parameter"), ("fc1.bias", "parameter"), ("fc2.weight", "parameter"),
            ("fc2.bias", "parameter"), ("input#0", "input")]
    last = insp.trace.step(-1)
    assert {n.info.site for n in last.nodes[:-1]} == {site}  # inside the model: the line that called it
    relu = last.get("act1/relu#0")
    assert relu.info.inputs == ("fc1/add#0",) and relu.info.module == "act1" and relu.info.shape == (3, 4)
    assert last.roots == ("mse_loss#0",) and last.status == "complete"
    assert insp.steps[0].structure is insp.steps[2].structure  # one graph, stored once


def test_statistics_of_values_and_gradients_match_the_arrays():
    insp, model, _ = _mlp_run(steps=2, keep_values=2)
    step = insp.trace.step(-1)
    for key in ("fc1/add#0", "act1/relu#0", "fc2.weight", "x"):
        rec, value = step.get(key), step.value(key)
        assert rec.value.count == value.size and rec.value.min == pytest.approx(value.min(), rel=1e-6)
        assert rec.value.max == pytest.approx(value.max(), rel=1e-6)
        assert rec.value.mean == pytest.approx(value.mean(), rel=1e-5, abs=1e-7)
    relu, relu_value = step.get("act1/relu#0"), step.value("act1/relu#0")
    assert relu.value.zeros == int((relu_value == 0).sum())
    grad = step.grad("fc1.weight")
    assert grad.shape == (2, 4) and step.get("fc1.weight").grad.max == pytest.approx(grad.max(), rel=1e-6)
    # the kept gradient is the one the update used
    assert step.get("fc2.weight").version == 1


def test_full_values_are_kept_only_for_recent_steps():
    insp, _, _ = _mlp_run(steps=5, keep_values=2)
    kept = [s.values is not None for s in insp.steps]
    assert kept == [False, False, False, True, True]
    old = insp.steps[0]
    assert old.value("fc1/add#0") is None and old.get("fc1/add#0").value.count == 12  # statistics remain
    insp, _, _ = _mlp_run(steps=2, keep_values=0)
    assert all(s.values is None for s in insp.steps)


def test_statistics_can_be_switched_off():
    insp, _, _ = _mlp_run(steps=2, stats=False, keep_values=0)
    node = insp.steps[-1].get("fc1/add#0")
    assert node.value is None and node.grad is None and node.info.shape == (3, 4)


def test_step_boundaries_insp_step_and_a_hand_written_loop():
    w = gs.Parameter(np.ones(2), name="w")
    with gs.Inspector() as insp:
        gs.sum(w * 2.0).backward()
        insp.step()
        gs.sum(w * 3.0)
    assert [len(s) for s in insp.steps] == [2, 2]
    v = gs.Parameter(np.ones(2), name="v")
    with gs.Inspector() as insp:
        for _ in range(3):  # no optimizer, no insp.step(): a step ends when a moved parameter is read
            loss = gs.sum(v * v)
            loss.backward()
            v.data -= 0.1 * v.grad
            v.zero_grad()
    assert [len(s) for s in insp.steps] == [2, 2, 2]
    assert [s.get("v").version for s in insp.steps] == [0, 1, 2]


def test_constants_inputs_and_values_from_an_earlier_step():
    w = gs.Parameter(np.ones(2), name="w")
    opt = gs.optim.SGD([w], lr=0.1)
    with gs.Inspector() as insp:
        kept = w * gs.tensor(np.array([1.0, 2.0]))
        gs.sum(kept * 2.0).backward()
        opt.step()
        gs.sum(gs.exp(kept.detach()) + kept)
    first, second = insp.steps
    assert [leaf.info.kind for leaf in first.leaves] == ["parameter", "input", "constant"]
    external = [leaf for leaf in second.leaves if leaf.info.kind == "external"]
    assert [(leaf.info.key, leaf.info.origin) for leaf in external] == [("mul#0@0", "mul#0@0")]


def test_trace_step_lookup():
    insp, _, _ = _mlp_run(steps=3)
    trace = insp.trace
    assert trace.step(-1) is trace.steps[2] and trace.step(1).index == 1 and len(trace) == 3
    with pytest.raises(IndexError):
        trace.step(7)
    with pytest.raises(IndexError):
        trace.step(-4)
    with pytest.raises(IndexError):
        gs.Trace().step(0)
