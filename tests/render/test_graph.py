"""The graph model: one networkx.DiGraph per step, built from a Trace alone."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs
from graphscope.render.graph import collapse_graph, first_nonfinite, step_graph


def _mlp_trace(steps: int = 2, target_trainable: bool = False):
    gs.seed(0)
    rng = np.random.default_rng(0)
    model = gs.nn.MLP([3, 8, 1])
    opt = gs.optim.SGD(model.parameters(), lr=0.05)
    x = gs.tensor(rng.standard_normal((16, 3)).astype(np.float32), name="x")
    y = gs.tensor(rng.standard_normal((16, 1)).astype(np.float32), name="y", trainable=target_trainable)
    with gs.Inspector() as insp:
        for _ in range(steps):
            opt.zero_grad()
            gs.mse_loss(model(x), y).backward()
            opt.step()
    return insp


def test_nodes_and_edges_follow_the_recorded_step():
    g = step_graph(_mlp_trace().trace)
    assert g.nodes["fc1.weight"]["kind"] == "parameter" and g.nodes["fc1.weight"]["trainable"]
    assert g.nodes["x"]["kind"] == "input" and not g.nodes["x"]["trainable"]
    assert g.nodes["fc1/matmul#0"]["op"] == "matmul"
    assert g.nodes["fc1/matmul#0"]["shape"] == (16, 8)
    assert g.nodes["fc1/matmul#0"]["dtype"] == "float32"
    assert set(g.predecessors("fc1/matmul#0")) == {"x", "fc1.weight"}
    assert list(g.successors("act1/relu#0")) == ["fc2/matmul#0"]
    assert g.nodes["fc1/matmul#0"]["grad"] is not None  # backward reached it
    assert g.nodes["fc1/matmul#0"]["site"].endswith("test_graph.py:" + str(_line_of("gs.mse_loss(model(x), y)")))
    assert g.graph["step"] == 1


def _line_of(text: str) -> int:
    lines = open(__file__, encoding="utf-8").read().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line and "_line_of" not in line)


def test_findings_are_attached_to_their_nodes():
    g = step_graph(_mlp_trace(target_trainable=True).trace, 0)
    assert g.nodes["y"]["finding_kinds"] == ["trainable-target"]
    assert g.nodes["y"]["severity"] == "error"
    assert g.nodes["fc1/matmul#0"]["finding_kinds"] == []


def test_inspector_graph_is_the_same_model():
    insp = _mlp_trace()
    assert set(insp.graph().nodes) == set(step_graph(insp.trace).nodes)


def _nan_trace():
    w = gs.Parameter(np.array([1.0, 2.0, 3.0]), name="w")
    x = gs.tensor(np.array([1.0, 300.0, 1000.0]), name="x")
    with gs.Inspector() as insp, np.errstate(over="ignore", invalid="ignore"):
        z = gs.exp(x * w)
        other = gs.tanh(w)  # not on the path to the NaN
        (z * 0.0 + other).sum().backward()
    return insp


def test_focus_nonfinite_keeps_only_the_path_to_the_first_nan():
    g = step_graph(_nan_trace().trace, focus="nonfinite")
    assert first_nonfinite(step_graph(_nan_trace().trace)) == "exp#0"
    assert set(g.nodes) == {"x", "w", "mul#0", "exp#0"}
    assert g.graph["focus"] == "exp#0"


def test_focus_on_a_key_and_unknown_keys():
    trace = _mlp_trace().trace
    g = step_graph(trace, focus="fc2/matmul#0")
    assert "mse_loss#0" not in g and "fc1.weight" in g and "fc2/matmul#0" in g
    with pytest.raises(KeyError, match="fc2/matmul#0"):
        step_graph(trace, focus="fc2/matmull#0")


def test_focus_nonfinite_without_nan_says_so():
    with pytest.raises(ValueError, match="no NaN"):
        step_graph(_mlp_trace().trace, focus="nonfinite")


def test_collapse_folds_a_hundred_layer_network():
    gs.seed(1)
    model = gs.nn.MLP([4] + [6] * 100 + [1])
    x = gs.tensor(np.ones((2, 4), np.float32))
    with gs.Inspector(keep_values=0) as insp:
        model(x).sum().backward()
    full = step_graph(insp.trace)
    small = collapse_graph(full)
    assert full.number_of_nodes() > 500
    assert small.number_of_nodes() < 20
    repeated = [d for _, d in small.nodes(data=True) if d.get("repeats", 1) > 1]
    assert repeated and max(d["repeats"] for d in repeated) >= 90
    assert any(d["trainable"] for d in repeated)  # folded parameters keep their <T>
    assert "folded" in small.graph["collapsed"]
    # every original node is somewhere: as itself or as a member of a group
    members = {m for _, d in small.nodes(data=True) for m in d.get("members", [])} | set(small.nodes)
    assert set(full.nodes) <= members


def test_hundred_thousand_op_chain_builds_without_recursion():
    x = gs.Parameter(np.ones(2))
    with gs.Inspector(keep_values=0, checks=[]) as insp:
        y = x
        for _ in range(100_000):
            y = y * 1.0
        y.sum().backward()
    g = step_graph(insp.trace)
    assert g.number_of_nodes() > 100_000
    small = collapse_graph(g)
    assert small.number_of_nodes() < 10
