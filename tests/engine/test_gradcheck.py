"""gs.gradcheck: passes right gradients, catches wrong ones and says where."""

from __future__ import annotations

import numpy as np

import graphscope as gs


class Overwrite(gs.Function):
    """d(x*x)/dx returned as x: the gradient of one use only, not the sum of both."""

    def forward(self, x):
        return x * x

    def backward(self, gy):
        return self.inputs[0].data * gy


class ForgotTheChainRule(gs.Function):
    """d(x**2)/dx returned as gy instead of 2 * x * gy."""

    def forward(self, x):
        return x**2

    def backward(self, gy):
        return gy


class SecondInputWrong(gs.Function):
    """a * b with the right gradient for a and a wrong sign for b."""

    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = self.inputs[0].data, self.inputs[1].data
        return gy * b, -gy * a


def test_gradcheck_fails_when_backward_forgets_the_chain_rule():
    x = np.array([0.5, -1.5, 2.0])
    result = gs.gradcheck(lambda a: ForgotTheChainRule()(a), x)
    assert not result.ok
    check = result.inputs[0]
    assert not check.ok and np.allclose(check.numeric, 2 * x * check.analytic, atol=1e-6)
    text = str(result)
    assert "input 0 (3,)" in text and "MISMATCH" in text
    i = check.worst_index
    assert f"analytic {check.analytic[i]:.6g} vs numeric {check.numeric[i]:.6g}" in text


def test_gradcheck_names_the_input_whose_gradient_is_wrong():
    result = gs.gradcheck(lambda a, b: SecondInputWrong()(a, b), np.array([1.0, 2.0]), np.array([3.0, -1.0]))
    assert not result.ok and [c.ok for c in result.inputs] == [True, False]
    assert "input 0 (2,): ok" in str(result) and "input 1 (2,): MISMATCH" in str(result)


def test_gradcheck_passes_a_right_op_and_reports_tiny_errors():
    result = gs.gradcheck(lambda a, b: a * b + gs.exp(a), np.random.randn(3), np.random.randn(3))
    assert result.ok and all(abs_err < 1e-6 for abs_err, _ in result.errors)


def test_gradcheck_catches_a_wrong_backward_and_shows_both_sides():
    result = gs.gradcheck(lambda a: Overwrite()(a), np.array([1.0, 2.0, 3.0]))
    assert not result.ok
    text = str(result)
    assert "FAILED" in text and "input 0 (3,)" in text and "analytic" in text and "numeric" in text
    check = result.inputs[0]
    # non-scalar outputs are checked through sum(out * v) for a fixed random v: still a factor of two
    assert np.allclose(check.numeric, 2 * check.analytic, atol=1e-5)
    assert check.worst_index == (2,)


def test_gradcheck_works_in_float64_on_float32_inputs():
    result = gs.gradcheck(lambda a: gs.tanh(a), np.ones(3, np.float32))
    assert result.ok and result.inputs[0].analytic.dtype == np.float64


def test_integer_inputs_are_passed_through_unchecked():
    result = gs.gradcheck(gs.cross_entropy, np.random.randn(2, 3), np.array([0, 2]))
    assert result.ok and [c.checked for c in result.inputs] == [True, False]
