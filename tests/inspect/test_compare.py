"""insp.compare(a, b): what changed between two steps, and what is the very same object."""

import numpy as np
import pytest

import graphscope as gs


def _linear_steps(reuse_graph: bool, keep_values: int = 5):
    x = gs.tensor(np.arange(6.0).reshape(3, 2), name="x")
    w = gs.Parameter(np.ones((2, 1)), name="w")
    opt = gs.optim.SGD([w], lr=0.01)
    with gs.Inspector(keep_values=keep_values) as insp:
        cached = gs.tanh(x @ w)
        for _ in range(3):
            features = cached if reuse_graph else gs.tanh(x @ w)
            loss = gs.sum(features * 2.0)
            opt.zero_grad()
            loss.backward(retain_graph=reuse_graph)
            opt.step()
    return insp


@pytest.mark.parametrize("keep_values", [5, 0])  # kept arrays, or fingerprints only
def test_a_graph_rebuilt_every_step(keep_values):
    insp = _linear_steps(reuse_graph=False, keep_values=keep_values)
    c = insp.compare(1, 2)
    assert (c.step_a, c.step_b) == (1, 2)
    assert set(c.changed) == {"w", "matmul#0", "tanh#0", "mul#0", "sum#0"}
    assert set(c.unchanged) == {"x", "const#0"}
    assert c.appeared == [] and c.disappeared == []
    assert {"x", "w"} <= set(c.same_object) and "matmul#0" not in c.same_object
    assert "w" in c.grad_changed


def test_a_reused_graph_shows_as_the_same_objects_and_missing_ops():
    insp = _linear_steps(reuse_graph=True)
    first_vs_second = insp.compare(0, 1)
    assert set(first_vs_second.disappeared) == {"matmul#0", "tanh#0", "x", "w"}
    assert "tanh#0@0" in first_vs_second.appeared  # the cached value, now read from outside
    later = insp.compare(1, 2)
    assert later.appeared == later.disappeared == []
    assert "tanh#0@0" in later.same_object and "tanh#0@0" in later.unchanged  # the very same stale tensor


def test_negative_indices_and_text():
    insp = _linear_steps(reuse_graph=False)
    c = insp.compare(-2, -1)
    assert (c.step_a, c.step_b) == (1, 2)
    text = str(c)
    assert text.startswith("step 1 -> step 2") and "changed:" in text and "same object:" in text
    with pytest.raises(IndexError):
        insp.compare(0, 9)
