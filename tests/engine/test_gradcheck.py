"""gradcheck itself: it passes right gradients and catches wrong ones."""

import numpy as np
import pytest

from tinygrad_lab import GradcheckError, Tensor, gradcheck


def test_passes_a_correct_gradient():
    a = Tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    b = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    assert gradcheck(lambda a, b: ((a * b).sigmoid() @ b).sum(), a, b) is True


def test_catches_a_gradient_that_is_half_the_true_one():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a: (a.detach() * a).sum(), a)
    message = str(caught.value)
    assert "input 0" in message and "index (0,)" in message
    assert "analytic gradient 1," in message and "numeric 2" in message


def test_names_the_input_that_is_wrong():
    a = Tensor([1.0], requires_grad=True)
    b = Tensor([1.0, 2.0], requires_grad=True)
    only_second = Tensor([0.0, 1.0])
    with pytest.raises(GradcheckError, match=r"input 1 \(shape \(2,\)\) at index \(1,\)"):
        gradcheck(lambda a, b: (a * b).sum() + (b.detach() * only_second * b).sum(), a, b)


def test_a_missing_gradient_counts_as_zero():
    a = Tensor([1.0], requires_grad=True)
    unrelated = Tensor(5.0, requires_grad=True)
    assert gradcheck(lambda a: unrelated * 2.0, a)  # does not depend on a: both gradients 0
    with pytest.raises(GradcheckError, match="analytic gradient 0, numeric 3"):
        gradcheck(lambda a: Tensor((a.data * 3.0).sum(), requires_grad=True), a)


def test_works_in_float64_and_leaves_inputs_untouched():
    a = Tensor([0.1, 0.2], requires_grad=True, dtype=np.float32)
    before = a.data.copy()
    assert gradcheck(lambda a: (a.exp() * 1e-3).sum(), a)
    np.testing.assert_array_equal(a.data, before)
    assert a.grad is None


def test_inputs_without_grad_and_non_tensors_are_passed_through():
    a = Tensor([1.0, 2.0], requires_grad=True)
    constant = Tensor([3.0, 4.0])
    assert gradcheck(lambda a, c, k: (a * c * k).sum(), a, constant, 2.0)


def test_needs_a_one_element_output():
    a = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"one-element Tensor, got \(2,\)"):
        gradcheck(lambda a: a * 2.0, a)
