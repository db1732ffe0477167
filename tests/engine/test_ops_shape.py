"""Ops that move values: reshape, transpose, broadcast_to, getitem, concat."""

from __future__ import annotations

import re

import numpy as np
import pytest

import graphscope as gs

X = np.random.default_rng(4).standard_normal((2, 3, 4))

CASES = {
    "reshape": lambda t: gs.reshape(t, (4, 6)),
    "reshape_method": lambda t: t.reshape(3, -1),
    "reshape_flat": lambda t: t.reshape(-1),
    "transpose_default": lambda t: gs.transpose(t),
    "transpose_axes": lambda t: gs.transpose(t, (1, 2, 0)),
    "transpose_negative_axes": lambda t: gs.transpose(t, (-1, 0, 1)),
    "transpose_method": lambda t: t.transpose(2, 0, 1),
    "T": lambda t: t.T,
    "broadcast_to": lambda t: gs.broadcast_to(t[:, :1, :], (5, 2, 3, 4)),
    "getitem_slice": lambda t: t[1:, ::2, -1],
    "getitem_int": lambda t: t[0],
    "getitem_ellipsis": lambda t: t[..., 1],
    "getitem_fancy_repeats": lambda t: t[np.array([0, 1, 0, 0])],
    "getitem_list_repeats_after_slice": lambda t: t[:, [2, 2, 0], 1:],
    "getitem_newaxis": lambda t: t[None, 1:, 0],
    "getitem_negative_step": lambda t: t[::-1, :, ::-2],
    "getitem_mask": lambda t: t[X > 0],
    "getitem_tuple_fancy": lambda t: t[np.array([0, 1, 1]), np.array([2, 0, 2])],
    "concat0": lambda t: gs.concat([t, t * 2.0], axis=0),
    "concat_last": lambda t: gs.concat([t[:, :, :1], t, t[:, :, 2:]], axis=-1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_op_gradients(name):
    result = gs.gradcheck(CASES[name], X)
    assert result.ok, str(result)


def test_fancy_index_repeats_sum_their_gradient():
    x = gs.Parameter([1.0, 2.0, 3.0])
    x[np.array([0, 0, 2, 0])].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_concat_of_two_inputs_gives_each_its_part():
    a, b = gs.Parameter(np.ones((1, 2))), gs.Parameter(np.ones((2, 2)))
    out = gs.concat([a, b], axis=0)
    (out * gs.tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    assert a.grad.tolist() == [[0.0, 1.0]] and b.grad.tolist() == [[2.0, 3.0], [4.0, 5.0]]


def test_reshape_error_names_op_and_shapes():
    with pytest.raises(gs.ShapeError) as info:
        gs.reshape(gs.tensor(np.ones((2, 3))), (4, 2))
    assert "reshape" in str(info.value) and "(2, 3)" in str(info.value)


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_ops_keep_float32(name):
    x = gs.Parameter(X.astype(np.float32))
    y = CASES[name](x)
    assert y.dtype == np.float32
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == X.shape


def test_transpose_with_negative_axes_moves_the_gradient_back():
    x = gs.Parameter(np.arange(6.0).reshape(1, 2, 3))
    y = gs.transpose(x, (-1, 0, 1))  # (3, 1, 2)
    (y * gs.tensor(np.arange(6.0).reshape(3, 1, 2))).sum().backward()
    # element x[0, i, j] lands at y[j, 0, i], whose weight is 2*j + i
    assert x.grad.tolist() == [[[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]]


def test_broadcast_to_mismatch_names_op_and_shapes():
    with pytest.raises(gs.ShapeError) as info:
        gs.broadcast_to(gs.tensor(np.ones((2, 3))), (4, 3))
    text = str(info.value)
    # the input's shape as the engine prints it, the requested one as numpy does
    assert text.startswith("broadcast_to:") and "(2, 3)" in text and re.search(r"\(4, ?3\)", text)


def test_concat_mismatch_names_op_and_shapes():
    with pytest.raises(gs.ShapeError) as info:
        gs.concat([gs.tensor(np.ones((2, 3))), gs.tensor(np.ones((2, 4)))], axis=0)
    text = str(info.value)
    assert text.startswith("concat:") and "(2, 3)" in text and "(2, 4)" in text
