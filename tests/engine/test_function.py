"""gs.Function: custom ops and the backward contract."""

from __future__ import annotations

import numpy as np
import pytest

import graphscope as gs


class Square(gs.Function):
    def forward(self, x):
        return x**2

    def backward(self, gy):
        return 2 * self.inputs[0].data * gy


class TwoGradsForOne(gs.Function):
    def forward(self, x):
        return x * 2

    def backward(self, gy):
        return gy, gy


class WrongShape(gs.Function):
    def forward(self, x):
        return x.sum()

    def backward(self, gy):
        return gy  # forgot to spread back to the input's shape


def test_custom_op_is_named_and_differentiates():
    x = gs.Parameter([3.0])
    y = Square()(x)
    assert y.creator.op == "square"
    y.backward()
    assert x.grad.tolist() == [6.0]


def test_a_function_instance_is_single_use():
    f = Square()
    f(gs.Parameter([1.0]))
    with pytest.raises(gs.FunctionReuseError, match="Square"):
        f(gs.Parameter([1.0]))


def test_backward_with_the_wrong_number_of_gradients():
    y = TwoGradsForOne()(gs.Parameter([1.0]))
    with pytest.raises(gs.BackwardContractError) as info:
        y.backward()
    assert "TwoGradsForOne" in str(info.value) and "2 gradient(s) for 1 input(s)" in str(info.value)


def test_backward_with_the_wrong_shape_names_the_expected_one():
    y = WrongShape()(gs.Parameter(np.ones((2, 3))))
    with pytest.raises(gs.BackwardContractError) as info:
        y.backward()
    assert "WrongShape" in str(info.value) and "(2, 3)" in str(info.value)


def test_a_forward_that_fails_names_the_op_and_inputs():
    class Bad(gs.Function):
        def forward(self, a, b):
            return a @ b

    with pytest.raises(gs.ShapeError) as info:
        Bad()(gs.tensor(np.ones((2, 3))), gs.tensor(np.ones((2, 3))))
    assert info.value.args[0].startswith("bad:") and "(2, 3) float64" in str(info.value)


def test_scalars_take_the_tensor_dtype():
    x = gs.tensor(np.ones(2, np.float32))
    assert (x * np.float64(3)).dtype == np.float32 and (2.5 + x).dtype == np.float32


def test_reuse_error_says_to_make_a_new_instance():
    f = Square()
    f(gs.Parameter([1.0]))
    with pytest.raises(gs.FunctionReuseError) as info:
        f(gs.Parameter([2.0]))
    assert "Square()(x)" in str(info.value) and "single-use" in str(info.value)


def test_backward_may_return_none_or_a_list():
    class ScaleBy(gs.Function):
        def forward(self, x, k):
            return x * k

        def backward(self, gy):
            return [gy * self.inputs[1].data, None]

    x, k = gs.Parameter([1.0, 2.0]), gs.Parameter([3.0, 3.0])
    ScaleBy()(x, k).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and k.grad is None


def test_a_float64_gradient_from_a_custom_backward_is_given_in_the_input_dtype():
    class Upcasting(gs.Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return gy.astype(np.float64) * 2

    x = gs.Parameter(np.ones(3, np.float32))
    Upcasting()(x).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_numpy_arguments_become_constants():
    x = gs.Parameter([1.0, 2.0])
    z = gs.maximum(np.array([1.5, 1.5]), x)
    z.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0] and not z.creator.inputs[0].requires_grad
