"""Tensor and Parameter: creation, validation, versions, dtype."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs


@pytest.mark.parametrize("bad,says", [
    ("abc", "<U3"),
    (np.array(["a", "b"]), "<U1"),
    (np.array([object(), 1], dtype=object), "dtype object"),
    (None, "None"),
    ([[1, 2], [3]], "[[1, 2], [3]]"),
    ({"a": 1}, "dtype object"),
    ([1.0, "x"], "<U"),
    (1 + 2j, "complex128"),
])
def test_non_numeric_data_is_refused_with_what_was_given(bad, says):
    for make in (gs.tensor, gs.Parameter):
        with pytest.raises(gs.DTypeError) as info:
            make(bad)
        assert says in str(info.value)


def test_trainable_needs_floats():
    with pytest.raises(gs.DTypeError, match="floating"):
        gs.Parameter([1, 2, 3])
    with pytest.raises(gs.DTypeError, match="floating"):
        gs.tensor([1, 2], trainable=True)


def test_tensor_shares_and_parameter_copies():
    a = np.ones(3)
    t, p = gs.tensor(a), gs.Parameter(a)
    a[0] = 5.0
    assert t.data[0] == 5.0 and p.data[0] == 1.0
    assert p.trainable and not t.trainable


def test_version_counts_assignments_including_in_place_updates():
    p = gs.Parameter(np.ones(3))
    assert p.version == 0
    p.data = np.zeros(3)
    assert p.version == 1
    p.data -= 0.1 * np.ones(3)
    assert p.version == 2 and np.allclose(p.data, -0.1)


def test_data_assignment_is_validated():
    p = gs.Parameter(np.ones(2))
    with pytest.raises(gs.DTypeError):
        p.data = np.array(["x", "y"])


def test_results_are_not_trainable_and_know_their_op():
    x = gs.Parameter([1.0])
    y = x * 2.0
    assert not y.trainable and y.requires_grad and y.creator.op == "mul" and not y.is_leaf
    with pytest.raises(ValueError, match="mul"):
        y.trainable = True


def test_zero_grad_and_detach():
    x = gs.Parameter([1.0])
    (x * 2.0).backward()
    assert x.grad is not None
    x.zero_grad()
    assert x.grad is None
    d = (x * 2.0).detach()
    assert d.creator is None and not d.requires_grad


def test_repr_names_dtype_and_flags():
    text = repr(gs.Parameter(np.ones(2, np.float32), name="w"))
    assert text.startswith("parameter(") and "float32" in text and "trainable=True" in text and "'w'" in text


def test_ndarray_on_the_left_defers_to_tensor():
    x = gs.Parameter([1.0, 2.0])
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, gs.Tensor)
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]


def test_comparisons_give_constant_masks():
    x = gs.Parameter([-1.0, 2.0])
    mask = x > 0
    assert mask.dtype == bool and mask.creator is None and mask.data.tolist() == [False, True]


def test_gradients_keep_the_float32_of_their_leaf():
    x = gs.Parameter(np.ones(3, np.float32))
    y = x * 2.0 + 1.0
    assert y.dtype == np.float32
    y.backward(np.ones(3))  # a float64 seed gradient is taken in the tensor's dtype
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_optimizer_style_update_bumps_the_version_each_time():
    p = gs.Parameter(np.ones(2))
    for expected in (1, 2, 3):
        p.data -= 0.5 * np.ones(2)
        assert p.version == expected
    assert p.data.tolist() == [-0.5, -0.5]
