"""backward() on a tensor that cannot be differentiated says why: it was computed under no_grad
although its inputs require grad, or nothing it came from requires grad."""

import pytest

from tinygrad_lab import Tensor, no_grad

UNDER_NO_GRAD = "computed under no_grad"
NO_INPUT_REQUIRES_GRAD = "create its inputs with requires_grad=True"


def test_a_result_made_under_no_grad_says_so():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        loss = (x * x).sum()
    with pytest.raises(RuntimeError, match=UNDER_NO_GRAD) as caught:
        loss.backward()
    assert NO_INPUT_REQUIRES_GRAD not in str(caught.value)
    with no_grad(), pytest.raises(RuntimeError, match=UNDER_NO_GRAD):
        (x + 1.0).sum().backward()


def test_a_result_of_inputs_without_grad_keeps_the_old_advice():
    x = Tensor([1.0, 2.0])
    for result in (x, (x * x).sum(), Tensor(3.0) + 1.0):
        with pytest.raises(RuntimeError, match=NO_INPUT_REQUIRES_GRAD):
            result.backward()
    with no_grad():
        constant = (x * x).sum()  # under no_grad, but nothing required grad anyway
    with pytest.raises(RuntimeError, match=NO_INPUT_REQUIRES_GRAD):
        constant.backward()


def test_outside_no_grad_backward_works_again():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        (x * x).sum()
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
