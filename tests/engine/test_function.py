"""A user-defined ``Function`` works everywhere the engine's own ops do: backward, gradcheck,
explain, the drawings and compile."""

import io

import numpy as np
import pytest

import tinygrad_lab
from tinygrad_lab import Function, Tensor, explain, gradcheck
from tinygrad_lab.viz import to_dot


class Cube(Function):
    name = "cube"
    rule = "d a**3: g*3*a**2"

    @staticmethod
    def forward(a):
        return a ** 3, a

    @staticmethod
    def backward(grad, saved, needs):
        return (grad * 3 * saved ** 2,)


class ScaledDifference(Function):
    """(a - b) * scale: two inputs and a keyword param."""

    name = "scaled difference"  # not an identifier: compile must still name it
    rule = "d (a-b)*k: g*k, -g*k"

    @staticmethod
    def forward(a, b, scale=1.0):
        return (a - b) * scale, scale

    @staticmethod
    def backward(grad, saved, needs):
        return (grad * saved if needs[0] else None, -grad * saved if needs[1] else None)


def test_apply_records_the_op_and_backward_uses_it():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn == "cube" and y.op is Cube and y.inputs == (x,)
    np.testing.assert_array_equal(y.data, [1.0, -8.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 12.0])


def test_gradcheck_passes_for_a_right_gradient_and_catches_a_wrong_one():
    x = Tensor(np.random.default_rng(0).normal(size=(3, 2)), requires_grad=True)
    assert gradcheck(lambda t: Cube.apply(t).sum(), x)

    class WrongCube(Cube):
        @staticmethod
        def backward(grad, saved, needs):
            return (grad * 2 * saved ** 2,)

    with pytest.raises(tinygrad_lab.GradcheckError, match="input 0"):
        gradcheck(lambda t: WrongCube.apply(t).sum(), x)


def test_params_numbers_and_arrays_as_inputs():
    a = Tensor([3.0, 4.0], requires_grad=True)
    out = ScaledDifference.apply(a, np.array([1.0, 1.0]), scale=2.0)
    np.testing.assert_array_equal(out.data, [4.0, 6.0])
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    b = Tensor([1.0, 2.0], requires_grad=True)
    assert gradcheck(lambda p, q: ScaledDifference.apply(p, q, scale=-0.5).sum(), a, b)
    assert ScaledDifference.apply(5.0, b).dtype == np.float64  # a number lifted as a constant


def test_explain_and_to_dot_show_it():
    x = Tensor([1.0, 2.0], requires_grad=True)
    loss = Cube.apply(x).sum()
    rows = explain(loss, {"x": x}, file=io.StringIO())
    cube_row = next(row for row in rows if row["op"] == "cube")
    assert cube_row["rule"] == Cube.rule
    np.testing.assert_array_equal(cube_row["grad"], [1.0, 1.0])
    assert "cube" in to_dot(loss)


def test_compile_replays_it_with_its_params():
    w = Tensor([0.5, -1.5], requires_grad=True)
    eager_w = Tensor(w.data, requires_grad=True)

    def loss_fn(t, x):
        return ScaledDifference.apply(Cube.apply(t * x), x, scale=3.0).sum()

    step = tinygrad_lab.compile(lambda x: loss_fn(w, x))
    for x in ([1.0, 2.0], [0.5, -1.0], [2.0, 2.0]):
        w.grad = eager_w.grad = None
        loss = step(np.array(x))
        expected = loss_fn(eager_w, Tensor(x))
        expected.backward()
        assert loss.item() == expected.item()
        np.testing.assert_array_equal(w.grad, eager_w.grad)
    assert "cube_forward" in step.source and "scale=3.0" in step.source


def test_two_functions_of_one_name_stay_apart_in_compile():
    class Double(Cube):
        rule = "d 2a: 2g"

        @staticmethod
        def forward(a):
            return 2 * a, None

        @staticmethod
        def backward(grad, saved, needs):
            return (2 * grad,)

    w = Tensor([1.0, 2.0], requires_grad=True)
    step = tinygrad_lab.compile(lambda: (Double.apply(Cube.apply(w))).sum())
    loss = step()
    assert loss.item() == 18.0  # 2 * (1 + 8)
    np.testing.assert_array_equal(w.grad, [6.0, 24.0])


def test_a_forward_that_returns_no_pair_is_refused():
    class Broken(Function):
        name = "broken"

        @staticmethod
        def forward(a):
            return [1, 2], None

    with pytest.raises(TypeError, match="broken: forward must return"):
        Broken.apply(Tensor([1.0]))
