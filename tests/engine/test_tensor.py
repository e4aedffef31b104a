"""Tensor construction, properties, repr, conversions and error messages."""

import re
import warnings

import numpy as np
import pytest

from tinygrad_lab import Tensor


@pytest.mark.parametrize("data, shape", [
    (3, ()), (2.5, ()), (True, ()), ([1, 2, 3], (3,)), ([[1, 2], [3, 4]], (2, 2)),
    (np.arange(6, dtype=np.int32).reshape(2, 3), (2, 3)), (np.ones(4, dtype=np.float32), (4,)),
])
def test_data_becomes_float64_array(data, shape):
    t = Tensor(data)
    assert isinstance(t.data, np.ndarray)
    assert t.data.dtype == np.float64
    assert t.shape == shape and t.ndim == len(shape) and t.size == int(np.prod(shape))
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float64))


def test_tensor_copies_its_input():
    array = np.zeros(3)
    t = Tensor(array)
    t.data += 1
    assert array.sum() == 0
    assert Tensor(t).data is not t.data


@pytest.mark.parametrize("data", ["abc", ["a", 1], None, {"a": 1}, object(), [1 + 2j],
                                  [[1, 2], [3]]])
def test_non_numbers_raise_type_error(data):
    with pytest.raises(TypeError, match="Tensor: "):
        Tensor(data)


def test_only_float_dtypes():
    assert Tensor([1], dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="dtype must be float64 or float32, not int64"):
        Tensor([1], dtype=np.int64)


def test_new_tensor_state():
    t = Tensor([1.0, 2.0], requires_grad=True)
    assert t.grad is None and t.requires_grad and t.is_leaf and t.grad_fn is None
    u = t * 2
    assert u.requires_grad and not u.is_leaf and u.grad_fn == "mul"
    c = Tensor([1.0]) * 2
    assert not c.requires_grad and c.is_leaf and c.grad_fn is None


def test_repr_shows_values_and_graph_role():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(Tensor(2.0, requires_grad=True)) == "Tensor(2., requires_grad=True)"
    assert repr(Tensor(0.0, requires_grad=True).sigmoid()) == "Tensor(0.5, grad_fn=sigmoid)"
    assert repr(Tensor([1.0], dtype=np.float32)) == "Tensor([1.], dtype=float32)"
    assert repr(Tensor(np.eye(2))) == "Tensor([[1., 0.],\n        [0., 1.]])"


def test_conversions():
    t = Tensor([[1.0, 2.0]], requires_grad=True)
    copy = t.numpy()
    copy[0, 0] = 9.0
    assert t.data[0, 0] == 1.0
    assert np.asarray(t.detach()).shape == (1, 2)
    assert Tensor(7.0).item() == 7.0 and isinstance(Tensor([[7.0]]).item(), float)
    with pytest.raises(ValueError, match=r"item: the tensor has shape \(1, 2\) \(2 elements\)"):
        t.item()
    detached = (t * 3).detach()
    assert not detached.requires_grad and detached.is_leaf
    np.testing.assert_array_equal(detached.data, [[3.0, 6.0]])


def test_reshape_and_transpose_shapes():
    t = Tensor(np.arange(6.0))
    assert t.reshape(2, 3).shape == (2, 3) == t.reshape((2, 3)).shape == t.reshape([2, 3]).shape
    assert t.reshape(2, 3).T.shape == (3, 2) == t.reshape(2, 3).transpose().shape


def test_numpy_array_on_the_left_gives_a_tensor():
    t = Tensor([1.0, 2.0], requires_grad=True)
    for result in (np.ones(2) + t, np.ones(2) - t, np.ones(2) * t, np.ones(2) / t,
                   np.ones((3, 2)) @ t, np.float64(2.0) * t, 2 * t, 2 - t):
        assert isinstance(result, Tensor) and result.requires_grad


@pytest.mark.parametrize("expression, message", [
    (lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5))),
     "matmul: shapes (2, 3) and (4, 5) are not aligned"),
    (lambda: np.ones((2, 3)) @ Tensor(np.ones((2, 3))),
     "matmul: shapes (2, 3) and (2, 3) are not aligned"),
    (lambda: Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((3, 4, 2))),  # batch axes 2 and 3
     "matmul: shapes (2, 3, 4) and (3, 4, 2) are not aligned"),
    (lambda: Tensor(2.0) @ Tensor(np.ones(2)),  # rejected by NumPy itself
     "matmul: shapes () and (2,): a 0-d operand has no axis to multiply over"),
    (lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones(4)),
     "add: shapes (2, 3) and (4,) cannot be broadcast"),
    (lambda: Tensor(np.ones((2, 3))) - np.ones((3, 2)),
     "sub: shapes (2, 3) and (3, 2) cannot be broadcast"),
    (lambda: np.ones(5) * Tensor(np.ones(2)), "mul: shapes (5,) and (2,) cannot be broadcast"),
    (lambda: Tensor(np.ones(2)) / Tensor(np.ones(3)),
     "div: shapes (2,) and (3,) cannot be broadcast"),
    (lambda: Tensor(np.ones(6)).reshape(4), "reshape: cannot reshape array of size 6"),
    (lambda: Tensor(np.ones(3)).sum(axis=2), "sum: axis 2 is out of bounds"),
    (lambda: Tensor(np.ones(3)).clip(1.0, 0.0), "clip: the lower bound 1.0 is above"),
])
def test_shape_errors_name_op_and_shapes(expression, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        expression()


def test_pow_takes_tensor_exponents_and_number_bases():
    base, exponent = Tensor([2.0, 3.0], requires_grad=True), Tensor([3.0, 0.5], requires_grad=True)
    (base ** exponent).sum().backward()
    np.testing.assert_allclose(base.grad, [3.0 * 4.0, 0.5 * 3.0 ** -0.5])
    np.testing.assert_allclose(exponent.grad, [np.log(2.0) * 8.0, np.log(3.0) * 3.0 ** 0.5])
    t = Tensor([1.0, 2.0], requires_grad=True)
    (2 ** t).sum().backward()  # __rpow__
    np.testing.assert_allclose(t.grad, np.log(2.0) * np.array([2.0, 4.0]))


@pytest.mark.parametrize("method", ["sigmoid", "tanh", "softplus"])
def test_stable_functions_at_extreme_inputs(method):
    x = Tensor([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(x, method)()
        out.sum().backward()
    assert np.isfinite(out.data).all() and np.isfinite(x.grad).all()
    if method == "sigmoid":
        assert out.data[0] == 0.0 and out.data[-1] == 1.0
        assert out.data[3] == 0.5
    if method == "softplus":
        np.testing.assert_allclose(out.data[[0, -1]], [0.0, 1e4])


def test_exp_and_log_behave_as_numpy():
    with np.errstate(over="ignore", divide="ignore"):
        assert Tensor(1000.0).exp().item() == np.inf
        assert Tensor(0.0).log().item() == -np.inf


def test_number_constants_keep_the_sign_of_zero():
    t = Tensor([1.0])
    assert not np.signbit((t * 0.0).data[0])
    assert np.signbit((t * -0.0).data[0])
    assert not np.signbit((t * 0.0).data[0])  # the cached +0.0 was not replaced by -0.0


def test_number_constants_take_each_tensors_dtype_and_value():
    t64, t32 = Tensor([3.0]), Tensor([3.0], dtype=np.float32)
    for _ in range(2):  # the second time round, the constants come from the cache
        assert (t64 * 2).dtype == np.float64 and (t32 * 2.0).dtype == np.float32
        assert (t64 * 2).item() == (t64 * 2.0).item() == 6.0  # 2 and 2.0 are the same constant
        assert (1.0 - t32).item() == -2.0 and (1.0 - t64).item() == -2.0
        assert (t64 * 0.1).item() == 3.0 * 0.1
        assert (t32 * 0.1).data[0] == np.float32(3.0) * np.float32(0.1)
    assert np.isnan((t64 * float("nan")).item())


def test_a_tensor_subclass_takes_part_in_the_graph_on_either_side():
    class Parameter(Tensor):
        pass

    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Parameter([3.0, 4.0], requires_grad=True)
    ((a * b).sum() + (b / a).sum() - a @ b).backward()  # Parameter on the right each time
    np.testing.assert_allclose(a.grad, [3.0 - 3.0 - 3.0, 4.0 - 1.0 - 4.0])
    np.testing.assert_allclose(b.grad, [1.0 + 1.0 - 1.0, 2.0 + 0.5 - 2.0])


def test_from_numpy_shares_the_array_and_refuses_other_data():
    array = np.array([1.0, 2.0])
    t = Tensor.from_numpy(array)
    array[0] = 5.0
    assert t.data is array
    assert t.data[0] == 5.0 and not t.requires_grad and t.is_leaf
    for bad in (np.array([1, 2]), [1.0, 2.0], np.float64(1.0)):
        with pytest.raises(TypeError, match="from_numpy: needs a float64 or float32 ndarray"):
            Tensor.from_numpy(bad)


def test_a_node_shows_its_op_and_inputs():
    a = Tensor([1.0], requires_grad=True)
    b = a * 2.0
    assert b.op.name == "mul" and b.inputs[0] is a and b.inputs[1].data[()] == 2.0
    assert a.op is None and a.inputs == () and not b.retains_grad
    assert b.retain_grad().retains_grad
