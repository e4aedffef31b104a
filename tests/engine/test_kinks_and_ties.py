"""Gradients where an op has a kink, a tie or a special value, against PyTorch's.

test_ops gradient-checks every op on random inputs kept away from these points; here are the
points themselves. Every expected value below is torch 2.13's (float64, computed once with a
throwaway script, so torch is not a dependency), except where a comment says the lab's own
rule differs. sqrt and pow give their inf gradients at 0 without a warning, as torch does;
log(0) is -inf with NumPy's warning, as ``np.log`` gives it, so that check runs under
``np.errstate(divide="ignore")``.
"""

import warnings

import numpy as np
import pytest

from tinygrad_lab import Tensor

NAN, INF = float("nan"), float("inf")


def value_and_grad(fn, values):
    """fn(x) and d sum(fn(x)) / dx, for x a leaf holding ``values``."""
    x = Tensor(values, requires_grad=True)
    out = fn(x)
    out.sum().backward()
    return out.data, x.grad


def weighted_grad(fn, values, weights):
    """d sum(weights * fn(x)) / dx: weights that differ tell the outputs' gradients apart."""
    x = Tensor(values, requires_grad=True)
    out = fn(x)
    (out * np.asarray(weights, dtype=float)).sum().backward()
    return out.data, x.grad


def named(name, *values):
    """One row of a parametrized table, with ``name`` as its test id."""
    return pytest.param(*values, id=name)


# ---- elementwise kinks --------------------------------------------------------------------------

@pytest.mark.parametrize("fn, inputs, torch_grad", [
    named("relu at 0 and nan", lambda x: x.relu(), [-1.0, 0.0, NAN, 2.0], [0.0, 0.0, 1.0, 1.0]),
    named("abs at 0", abs, [-1.0, 0.0, 2.0], [-1.0, 0.0, 1.0]),
    named("sign", lambda x: x.sign(), [-1.0, 0.0, 2.0], [0.0, 0.0, 0.0]),
    named("leaky_relu at 0", lambda x: x.leaky_relu(), [-1.0, 0.0, 2.0], [0.01, 0.01, 1.0]),
    named("leaky_relu(0.2) at 0", lambda x: x.leaky_relu(0.2), [-1.0, 0.0, 2.0],
          [0.2, 0.2, 1.0]),
    named("relu6 at 0 and 6", lambda x: x.relu6(), [-1.0, 0.0, 3.0, 6.0, 7.0],
          [0.0, 0.0, 1.0, 0.0, 0.0]),
    named("hardswish at -3 and 3", lambda x: x.hardswish(), [-4.0, -3.0, 0.0, 3.0, 4.0],
          [0.0, 0.0, 0.5, 1.0, 1.0]),
    named("clip inside and outside", lambda x: x.clip(0.0, 1.0), [-1.0, 0.5, 2.0, NAN],
          [0.0, 1.0, 0.0, 0.0]),
    named("maximum of a tensor with itself", lambda x: x.maximum(x), [1.0, -2.0], [1.0, 1.0]),
])
def test_gradient_at_kinks_matches_torch(fn, inputs, torch_grad):
    _, grad = value_and_grad(fn, inputs)
    np.testing.assert_array_equal(grad, torch_grad)


def test_relu_keeps_nan_in_its_value():
    out, _ = value_and_grad(lambda x: x.relu(), [NAN, -1.0])
    assert np.isnan(out[0]) and out[1] == 0.0


def test_clip_gradient_is_one_at_both_ends():
    # The lab's documented rule (ends included); torch 2.13 happens to give the same.
    out, grad = value_and_grad(lambda x: x.clip(0.0, 1.0), [-1.0, 0.0, 0.5, 1.0, 2.0])
    np.testing.assert_array_equal(out, [0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_array_equal(grad, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clip_then_log_gives_zero_not_nan_below_the_range():
    x = Tensor([-1.0, 0.5], requires_grad=True)
    with np.errstate(divide="ignore"):  # log(0) is -inf, and its gradient 1/0 inf, as NumPy's
        x.clip(0.0, 1.0).log().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 2.0])  # torch: [0, 2]


def test_sqrt_gradient_at_zero_is_inf():
    _, grad = value_and_grad(lambda x: x.sqrt(), [0.0, 4.0])  # no warning (warnings are errors)
    np.testing.assert_array_equal(grad, [INF, 0.25])  # torch: [inf, 0.25]


# ---- powers at 0 --------------------------------------------------------------------------------

def test_power_zero_at_zero_has_zero_gradient():
    x = Tensor([0.0, 2.0], requires_grad=True)
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])  # torch: [0, 0], not nan


@pytest.mark.parametrize("exponent, inputs, torch_grad", [
    (2.0, [0.0, 3.0], [0.0, 6.0]),
    (0.5, [0.0, 4.0], [INF, 0.25]),
])
def test_number_power_at_zero(exponent, inputs, torch_grad):
    _, grad = value_and_grad(lambda x: x ** exponent, inputs)
    np.testing.assert_array_equal(grad, torch_grad)


def test_tensor_exponent_at_base_zero():
    base = Tensor([0.0, 0.0, 0.0, 2.0], requires_grad=True)
    exponent = Tensor([2.0, 0.0, 0.5, 3.0], requires_grad=True)
    out = base ** exponent  # d/d base of 0 ** 0.5 is inf
    out.sum().backward()
    np.testing.assert_array_equal(out.data, [0.0, 1.0, 0.0, 8.0])
    np.testing.assert_array_equal(base.grad, [0.0, 0.0, INF, 12.0])  # torch's
    # torch: 0 where the base is 0 (a**b is constant in b there), log(2) * 8 at the end
    np.testing.assert_allclose(exponent.grad, [0.0, 0.0, 0.0, 5.545177444479562], rtol=1e-14)


# ---- ties between two inputs and within a reduction -------------------------------------------

@pytest.mark.parametrize("method, torch_a, torch_b", [
    ("maximum", [0.5, 1.0, 0.5], [0.5, 0.0, 0.5]),
    ("minimum", [0.5, 0.0, 0.5], [0.5, 1.0, 0.5]),
])
def test_maximum_and_minimum_split_a_tie_in_half(method, torch_a, torch_b):
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([1.0, 0.0, 3.0], requires_grad=True)
    getattr(a, method)(b).sum().backward()
    np.testing.assert_array_equal(a.grad, torch_a)
    np.testing.assert_array_equal(b.grad, torch_b)


def test_maximum_tie_with_a_broadcast_input_sums_its_halves():
    a = Tensor([0.0, 1.0, 0.0], requires_grad=True)
    b = Tensor(0.0, requires_grad=True)
    a.maximum(b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0, 0.5])  # torch's
    assert b.grad.shape == () and b.grad == 1.0  # torch: 1.0


THIRD = 1.0 / 3.0


@pytest.mark.parametrize("fn, inputs, torch_grad", [
    named("max", lambda x: x.max(), [1.0, 3.0, 3.0, 2.0], [0.0, 0.5, 0.5, 0.0]),
    named("min", lambda x: x.min(), [1.0, 3.0, 1.0, 1.0], [THIRD, 0.0, THIRD, THIRD]),
    named("max axis 0", lambda x: x.max(0), [[1.0, 5.0], [1.0, 2.0], [0.0, 5.0]],
          [[0.5, 0.5], [0.5, 0.0], [0.0, 0.5]]),
    named("max axis 1", lambda x: x.max(1), [[1.0, 5.0, 5.0], [2.0, 2.0, 2.0]],
          [[0.0, 0.5, 0.5], [THIRD, THIRD, THIRD]]),
    named("max axis 1 keepdims", lambda x: x.max(1, keepdims=True),
          [[1.0, 5.0, 5.0], [2.0, 2.0, 2.0]],
          [[0.0, 0.5, 0.5], [THIRD, THIRD, THIRD]]),
    named("min axis 1", lambda x: x.min(1), [[1.0, 5.0, 1.0], [2.0, 0.0, 2.0]],
          [[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]),
])
def test_reductions_share_a_tie_equally_as_torch_amax(fn, inputs, torch_grad):
    _, grad = value_and_grad(fn, inputs)
    np.testing.assert_allclose(grad, torch_grad, rtol=1e-15)


def test_max_over_an_axis_shares_each_columns_own_gradient():
    _, grad = weighted_grad(lambda x: x.max(0), [[1.0, 5.0], [1.0, 2.0], [0.0, 5.0]], [1.0, 10.0])
    np.testing.assert_array_equal(grad, [[0.5, 5.0], [0.5, 0.0], [0.0, 5.0]])  # torch's


# ---- prod with zeros ----------------------------------------------------------------------------

@pytest.mark.parametrize("axis, inputs, torch_grad", [
    named("one zero", None, [2.0, 0.0, 3.0, 4.0], [0.0, 24.0, 0.0, 0.0]),
    named("two zeros", None, [2.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
    named("per row", 1, [[2.0, 0.0, 3.0], [0.0, 5.0, 0.0], [1.0, 2.0, 3.0]],
          [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [6.0, 3.0, 2.0]]),
])
def test_prod_gradient_is_exact_at_zeros(axis, inputs, torch_grad):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 0/0 on the way
        _, grad = value_and_grad(lambda x: x.prod(axis), inputs)
    np.testing.assert_array_equal(grad, torch_grad)


# ---- saturated inputs ---------------------------------------------------------------------------

LOGITS = [[1e4, 0.0, -1e4], [-1e4, -1e4, 1e4]]
WEIGHTS = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


@pytest.mark.parametrize("fn, torch_value, torch_grad", [
    named("softmax", lambda x: x.softmax(-1), [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
          [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
    named("log_softmax", lambda x: x.log_softmax(-1),
          [[0.0, -1e4, -2e4], [-2e4, -2e4, 0.0]], [[-5.0, 2.0, 3.0], [4.0, 5.0, -9.0]]),
    named("logsumexp", lambda x: x.logsumexp(-1, keepdims=True), [[1e4], [1e4]],
          [[1.0, 0.0, 0.0], [0.0, 0.0, 4.0]]),
])
def test_softmax_family_at_huge_logits(fn, torch_value, torch_grad):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, grad = weighted_grad(fn, LOGITS, np.asarray(WEIGHTS)[:, :len(torch_value[0])])
    np.testing.assert_array_equal(out, torch_value)
    np.testing.assert_array_equal(grad, torch_grad)


def test_logsumexp_of_two_equal_huge_logits():
    x = Tensor([1e4, 1e4], requires_grad=True)
    out = x.logsumexp(0)
    out.backward()
    np.testing.assert_allclose(out.data, 10000.69314718056, rtol=1e-15)  # torch's
    np.testing.assert_allclose(x.grad, [0.4999999999999138] * 2, rtol=1e-12)  # torch's


@pytest.mark.parametrize("method, torch_value, torch_grad", [
    ("sigmoid", [0.0, 1.0], [0.0, 0.0]),
    ("tanh", [-1.0, 1.0], [0.0, 0.0]),
    ("softplus", [0.0, 1000.0], [0.0, 1.0]),
])
def test_saturating_functions_at_plus_minus_1000(method, torch_value, torch_grad):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, grad = value_and_grad(lambda x: getattr(x, method)(), [-1000.0, 1000.0])
    np.testing.assert_array_equal(out, torch_value)
    np.testing.assert_array_equal(grad, torch_grad)


# ---- dtypes -------------------------------------------------------------------------------------

def test_float32_leaf_in_a_float64_graph_gets_a_float32_grad():
    # Regression: the gradient arriving from the float64 graph is float64; .grad keeps the
    # leaf's dtype, as in PyTorch, also once a second backward adds to it.
    small = Tensor([1.0, 2.0], requires_grad=True, dtype=np.float32)
    weight = Tensor([3.0, 4.0], requires_grad=True)
    product = small * weight
    assert product.dtype == np.float64
    product.sum().backward()
    assert small.grad.dtype == np.float32 and weight.grad.dtype == np.float64
    np.testing.assert_array_equal(small.grad, [3.0, 4.0])
    (small * weight).sum().backward()
    assert small.grad.dtype == np.float32
    np.testing.assert_array_equal(small.grad, [6.0, 8.0])
    np.testing.assert_array_equal(weight.grad, [2.0, 4.0])
