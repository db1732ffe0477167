"""backward(): summation over uses, deep graphs, freed graphs, retain_grad."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs


def test_x_plus_x_sums_to_two():
    x = gs.Parameter([3.0])
    (x + x).backward()
    assert x.grad.tolist() == [2.0]


def test_x_times_x_times_x_is_three_x_squared():
    x = gs.Parameter([2.0, -1.0])
    (x * x * x).sum().backward()
    assert x.grad.tolist() == [12.0, 3.0]


def test_diamond_sums_both_branches():
    x = gs.Parameter([1.5])
    a = gs.exp(x)
    b = a * 2.0
    c = a * a
    (b + c).backward()
    e = np.exp(1.5)
    assert np.isclose(x.grad[0], 2 * e + 2 * e * e)


def test_hundred_thousand_op_chain_backprops_to_the_right_gradient():
    # 50,000 multiplications and 50,000 additions: d(out)/dx = c ** 50,000 (about e ** 0.5).
    # Any recursion over the graph would hit Python's recursion limit long before the end.
    c = 1.00001
    x = gs.Parameter([0.5])
    y = x
    for _ in range(50_000):
        y = y * c
        y = y + 1e-6
    assert len(gs.engine.topological_order(y.creator)) == 100_000
    y.backward()
    assert np.isclose(x.grad[0], c**50_000, rtol=1e-9, atol=0)
    assert x.grad[0] > 1.6  # not the 1.0 a chain of pass-through gradients would give


def test_a_variable_used_in_three_branches_sums_all_three():
    x = gs.Parameter([0.5, -1.0, 2.0])
    w = gs.tensor([2.0, 3.0, 4.0])
    (x.sum() + (x * w).sum() + gs.exp(x).sum()).backward()
    assert np.allclose(x.grad, 1 + w.data + np.exp(x.data))


def test_a_broadcast_input_used_twice_sums_over_rows_and_uses():
    b = gs.Parameter([1.0, 2.0])
    rows = gs.tensor(np.ones((3, 2)))
    ((rows + b) * b).sum().backward()  # d/db sum_i (1 + b) * b = 3 * (1 + 2b)
    assert b.grad.tolist() == [9.0, 15.0]


def test_backward_from_a_leaf_gives_one():
    w = gs.Parameter(2.0)
    w.backward()
    assert w.grad == 1.0


def test_second_backward_through_a_freed_graph_says_how_to_fix_it():
    w = gs.Parameter([1.0, 2.0])
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(gs.GraphFreedError) as info:
        loss.backward()
    text = str(info.value)
    assert "retain_graph=True" in text and "forward pass again" in text and __file__ in text


def test_retain_graph_allows_a_second_backward_and_sums():
    w = gs.Parameter([1.0, 2.0])
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    assert w.grad.tolist() == [4.0, 8.0]


def test_non_scalar_backward_needs_a_gradient():
    y = gs.Parameter(np.ones((4, 1))) * 2.0
    with pytest.raises(gs.ShapeError) as info:
        y.backward()
    assert "(4, 1)" in str(info.value) and ".sum()" in str(info.value)
    y.backward(np.full((4, 1), 0.5))


def test_backward_gradient_of_wrong_shape():
    y = gs.Parameter(np.ones(3)) * 2.0
    with pytest.raises(gs.ShapeError, match=r"\(2,\)"):
        y.backward(np.ones(2))


def test_retain_grad_keeps_intermediate_gradients_only_when_asked():
    x = gs.Parameter([1.0, 2.0])
    h = (x * 3.0).retain_grad()
    k = h * 1.0
    (k * k).sum().backward()
    assert h.grad.tolist() == [6.0, 12.0]
    assert k.grad is None


def test_leaf_gradients_are_not_shared_arrays():
    a, b = gs.Parameter([1.0]), gs.Parameter([1.0])
    (a + b).backward()
    a.grad *= 10  # an in-place edit of one gradient must not reach the other
    assert b.grad.tolist() == [1.0]


def test_constants_and_data_get_no_gradient():
    w = gs.Parameter([1.0])
    x = gs.tensor([2.0])
    (w * x).backward()
    assert x.grad is None and w.grad.tolist() == [2.0]


def test_topological_order_puts_users_before_inputs():
    x = gs.Parameter([1.0])
    a = x * 2.0
    b = a + x
    c = b * a
    order = gs.engine.topological_order(c.creator)
    position = {fn.op: i for i, fn in enumerate(order)}
    assert order[0] is c.creator and position["add"] < len(order) - 1
    assert order.index(a.creator) > order.index(b.creator)


def test_a_new_loss_through_a_freed_intermediate_is_refused():
    w = gs.Parameter([1.0, 2.0])
    h = w * w
    h.sum().backward()
    with pytest.raises(gs.GraphFreedError) as info:
        (h * 2.0).sum().backward()
    assert "mul" in str(info.value) and "retain_graph=True" in str(info.value)


def test_retain_graph_keeps_intermediate_gradients_summing_too():
    x = gs.Parameter([1.0, 2.0])
    h = (x * 3.0).retain_grad()
    loss = (h * h).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    # like the leaf's, the intermediate's .grad sums over the two backward() calls
    assert h.grad.tolist() == [12.0, 24.0] and x.grad.tolist() == [36.0, 72.0]


def test_unused_inputs_and_no_grad_branches_get_no_gradient():
    w, unused = gs.Parameter([1.0]), gs.Parameter([1.0])
    with gs.no_grad():
        frozen = w * 5.0
    (w * 2.0 + frozen).backward()
    assert w.grad.tolist() == [2.0] and unused.grad is None
