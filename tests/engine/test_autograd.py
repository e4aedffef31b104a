"""Reverse mode: algebraic facts about gradients, accumulation, retain_grad, no_grad, deep graphs.

Property tests draw float64 arrays from ``strategies.arrays`` and compare with closed forms to
rtol 1e-12 (exact arithmetic up to rounding).
"""

import sys

import numpy as np
import pytest
import strategies as S
from checks import close
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_lab import Tensor, no_grad, ops


def leaf(array):
    return Tensor(array, requires_grad=True)


def routed_sum(values, input_shape, output_shape):
    """For each input element, the sum of ``values`` over the output elements it broadcasts to."""
    owner = np.broadcast_to(np.arange(int(np.prod(input_shape))).reshape(input_shape),
                            output_shape)
    weights = np.broadcast_to(values, output_shape)
    return np.bincount(owner.ravel(), weights=weights.ravel(),
                       minlength=int(np.prod(input_shape))).reshape(input_shape)


@given(S.broadcast_pair())
def test_gradient_of_sum_and_product(pair):
    (a_data, b_data), _ = pair
    shape = np.broadcast_shapes(a_data.shape, b_data.shape)
    a, b = leaf(a_data), leaf(b_data)
    (a + b).sum().backward()
    close(a.grad, routed_sum(1.0, a_data.shape, shape))
    close(b.grad, routed_sum(1.0, b_data.shape, shape))
    a.grad = b.grad = None
    (a * b).sum().backward()
    close(a.grad, routed_sum(b_data, a_data.shape, shape))
    close(b.grad, routed_sum(a_data, b_data.shape, shape))


@given(S.arrays(S.reals))
def test_chain_rule_through_composed_functions(x_data):
    x = leaf(x_data)
    x.tanh().sigmoid().exp().sum().backward()
    t = np.tanh(x_data)
    s = 1 / (1 + np.exp(-t))
    close(x.grad, np.exp(s) * s * (1 - s) * (1 - t * t))


@given(S.arrays(S.reals))
def test_diamond_shares_a_subexpression(x_data):
    x = leaf(x_data)
    h = x.exp()  # used by two paths that meet again
    (h * h + h).sum().backward()
    e = np.exp(x_data)
    close(x.grad, (2 * e + 1) * e)


@given(S.arrays(S.reals), st.integers(2, 4))
def test_gradients_accumulate_across_backward_calls(x_data, calls):
    x = leaf(x_data)
    for _ in range(calls):
        (x * x).sum().backward()
    close(x.grad, calls * 2 * x_data)


def test_a_scalar_grad_stays_an_array_when_it_accumulates():
    x = leaf(2.0)
    for _ in range(2):
        (x * x).backward()
    assert type(x.grad) is np.ndarray and x.grad.shape == ()
    close(x.grad, 8.0)


def test_a_tensor_used_twice_gets_both_paths():
    x = leaf([3.0])
    (x * x + x * 2.0).sum().backward()
    close(x.grad, [8.0])


def test_a_tensor_reused_far_downstream_waits_for_every_path():
    # h is used at once and again 50 ops later: backward must not pass h's gradient on before
    # the late path has arrived, or x.grad would miss it.
    x = leaf([0.5, -1.0])
    h = x * 3.0
    y = h
    for _ in range(50):
        y = y * 1.0
    (y * h).sum().backward()
    close(x.grad, 2 * 9.0 * np.array([0.5, -1.0]))


def test_gradient_arrays_of_different_leaves_do_not_alias():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    assert a.grad is not b.grad
    a.grad += 1
    close(b.grad, [1.0, 1.0])
    c = leaf(np.ones((2, 2)))
    c.reshape(4).sum().backward()  # the gradient arrives as a read-only broadcast view
    assert c.grad.flags.writeable and c.grad.base is None


def test_retain_grad_keeps_an_intermediate_gradient():
    x = leaf([1.0, 2.0])
    hidden = x * 3.0
    kept = (x * 2.0).retain_grad()
    (hidden * kept).sum().backward()
    assert hidden.grad is None
    close(kept.grad, 3.0 * np.array([1.0, 2.0]))
    close(x.grad, 12.0 * np.array([1.0, 2.0]))
    assert kept.grad is not x.grad


def test_retain_grad_on_the_output_itself():
    x = leaf([1.0, 2.0])
    y = (x * x).sum().retain_grad()
    y.backward()
    close(y.grad, 1.0)


def test_no_grad_as_context_manager():
    x = leaf([1.0])
    with no_grad():
        y = x * 2.0 + 1.0
        with no_grad():
            pass
        z = x.sigmoid()  # still off after the nested block ends
    assert not y.requires_grad and y.is_leaf and not z.requires_grad
    assert (x * 2.0).requires_grad


def test_no_grad_restores_state_after_an_exception():
    x = leaf([1.0])
    with pytest.raises(KeyError), no_grad():
        raise KeyError("boom")
    assert (x * 2.0).requires_grad


def test_no_grad_as_decorator():
    @no_grad()
    def double(t):
        """Doubles t."""
        return t * 2.0

    x = leaf([1.0])
    assert not double(x).requires_grad
    assert double.__name__ == "double" and double.__doc__ == "Doubles t."
    assert (x * 2.0).requires_grad


@given(st.integers(1, 6), st.integers(1, 5), st.data())
def test_bias_broadcast_reduces_over_rows(rows, width, data):
    x_data = data.draw(hnp.arrays(np.float64, (rows, width), elements=S.reals))
    b_data = data.draw(hnp.arrays(np.float64, (width,), elements=S.reals))
    weights = np.random.default_rng(0).normal(size=(rows, width))
    x, b = leaf(x_data), leaf(b_data)
    ((x + b) * weights).sum().backward()
    assert b.grad.shape == (width,)
    close(b.grad, weights.sum(axis=0))
    close(x.grad, weights)


@given(S.arrays(S.away_from_zero, hnp.array_shapes(min_dims=1, max_dims=2, max_side=4)))
def test_reflected_forms(x_data):
    x = leaf(x_data)
    (2.0 / x).sum().backward()
    close(x.grad, -2.0 / x_data ** 2)
    x.grad = None
    array = np.arange(x_data.size, dtype=float).reshape(x_data.shape)
    (array - x).sum().backward()
    close(x.grad, -np.ones_like(x_data))
    x.grad = None
    left = np.ones((3, x_data.shape[0]))
    (left @ x).sum().backward()
    close(x.grad, left.T @ np.ones((3,) + x_data.shape[1:]))


def test_backward_needs_grad_for_non_scalar_output():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a gradient is needed for a non-scalar output"):
        (x * 2.0).backward()
    y = x * 2.0
    y.backward(np.array([1.0, 10.0]))
    close(x.grad, [2.0, 20.0])
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the output has shape \(2,\)"):
        y.backward(np.ones(3))


def test_backward_on_a_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_one_element_outputs_of_any_rank_seed_one():
    x = leaf([[2.0]])
    (x * 3.0).backward()
    close(x.grad, [[3.0]])


def test_backward_from_a_leaf_gives_it_the_seed():
    x = leaf([[2.0]])
    x.backward()
    close(x.grad, [[1.0]])


def test_a_failed_backward_leaves_nothing_behind_for_the_next(monkeypatch):
    # Exp's backward fails while `hidden` is still waiting with part of its gradient: the next
    # backward must start from nothing, not from that part.
    x = leaf([1.0, 2.0])
    hidden = x * 3.0
    loss = (hidden.exp() + hidden).sum()

    def failing_backward(grad, saved, needs):
        raise RuntimeError("injected failure")

    with monkeypatch.context() as patch:
        patch.setattr(ops.Exp, "backward", staticmethod(failing_backward))
        with pytest.raises(RuntimeError, match="injected failure"):
            loss.backward()
    assert x.grad is None
    loss.backward()
    close(x.grad, 3.0 * np.exp(3.0 * np.array([1.0, 2.0])) + 3.0)


def test_only_leaves_that_require_grad_get_a_grad():
    x, c = leaf([1.0]), Tensor([2.0])
    (x * c).sum().backward()
    assert c.grad is None and x.grad is not None


def test_a_100000_op_chain_backpropagates_iteratively():
    limit = sys.getrecursionlimit()
    x = leaf(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    close(x.grad, 1.0)
    assert sys.getrecursionlimit() == limit


def test_a_wide_fan_in_backpropagates():
    x = leaf(np.ones(3))
    total = x * 0.0
    for i in range(10_000):
        total = total + x * float(i % 3)
    total.sum().backward()
    close(x.grad, np.full(3, sum(i % 3 for i in range(10_000))))
