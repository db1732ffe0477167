"""Ops that move values: reshape, transpose, broadcast_to, getitem, concat."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs

X = np.random.default_rng(4).standard_normal((2, 3, 4))

CASES = {
    "reshape": lambda t: gs.reshape(t, (4, 6)),
    "reshape_method": lambda t: t.reshape(3, -1),
    "transpose_default": lambda t: gs.transpose(t),
    "transpose_axes": lambda t: gs.transpose(t, (1, 2, 0)),
    "T": lambda t: t.T,
    "broadcast_to": lambda t: gs.broadcast_to(t[:, :1, :], (5, 2, 3, 4)),
    "getitem_slice": lambda t: t[1:, ::2, -1],
    "getitem_int": lambda t: t[0],
    "getitem_ellipsis": lambda t: t[..., 1],
    "getitem_fancy_repeats": lambda t: t[np.array([0, 1, 0, 0])],
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
