"""Drawing a live tensor: its graph replayed into a one-step Trace."""

from __future__ import annotations

import numpy as np

import graphscope as gs
from graphscope.capture import trace_of


def test_trace_of_a_tensor_matches_the_inspected_run():
    gs.seed(0)
    model = gs.nn.MLP([2, 4, 1])
    x = gs.tensor(np.ones((3, 2), np.float32), name="x")
    with gs.Inspector() as insp:
        loss = gs.mse_loss(model(x), gs.tensor(np.zeros((3, 1), np.float32), name="y"))
    captured = trace_of(loss, params=dict(model.named_parameters())).step(0)
    recorded = insp.trace.step(0)
    assert [n.info.op for n in captured.nodes] == [n.info.op for n in recorded.nodes]
    assert {leaf.info.key for leaf in captured.leaves} == {leaf.info.key for leaf in recorded.leaves}
    assert captured.get("fc1.weight").info.trainable


def test_trace_of_works_after_backward_and_on_a_deep_chain():
    x = gs.Parameter(np.ones(2))
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.sum().backward()
    step = trace_of(y).step(0)
    assert len(step.nodes) == 100_000


def test_a_leaf_alone_is_one_node():
    step = trace_of(gs.Parameter(np.ones(2), name="p")).step(0)
    assert [leaf.info.key for leaf in step.leaves] == ["p"] and not step.nodes
