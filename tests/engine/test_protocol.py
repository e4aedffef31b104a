"""A Tensor as a Python number and sequence, beside NumPy; the creation functions; var and std.

The protocol (``engine/protocol.py``): one-element conversions, len and iteration, format,
comparisons that give 0/1 tensors outside the graph while hashing stays by identity, and NumPy
kept from computing on a tensor that requires grad.
"""

import numpy as np
import pytest

import tinygrad_lab
from tinygrad_lab import Tensor

# ---- one element as a Python number -------------------------------------------------------------

def test_one_element_converts_to_python_numbers():
    assert float(Tensor([[2.5]])) == 2.5 and isinstance(float(Tensor([[2.5]])), float)
    assert int(Tensor(-2.7)) == -2 and isinstance(int(Tensor(-2.7)), int)
    assert bool(Tensor(3.0)) is True
    assert bool(Tensor([0.0])) is False


@pytest.mark.parametrize("convert", [float, int, bool])
def test_more_than_one_element_is_ambiguous(convert):
    with pytest.raises(ValueError, match=r"shape \(2,\) \(2 elements\).*ambiguous"):
        convert(Tensor([1.0, 2.0]))


def test_bool_of_a_comparison_needs_one_element():
    assert Tensor([1.0]) == Tensor([1.0])
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]) == Tensor([1.0, 2.0]))


# ---- as a sequence ------------------------------------------------------------------------------

def test_len_and_iteration():
    t = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert len(t) == 3
    assert [row.tolist() for row in t] == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert all(isinstance(row, Tensor) for row in t)


@pytest.mark.parametrize("use", [len, iter], ids=["len", "iter"])
def test_a_0d_tensor_has_no_length(use):
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        use(Tensor(1.0))


def test_tolist():
    assert Tensor([[1.0, 2.0]]).tolist() == [[1.0, 2.0]]
    assert Tensor(2.0).tolist() == 2.0 and isinstance(Tensor(2.0).tolist(), float)


def test_abs_and_unary_plus():
    t = Tensor([-1.0, 2.0], requires_grad=True)
    assert +t is t
    out = abs(t)
    np.testing.assert_array_equal(out.data, [1.0, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [-1.0, 1.0])


def test_format_with_a_spec_formats_the_one_value():
    assert format(Tensor(3.14159), ".3f") == "3.142"
    assert f"{Tensor([[2.0]]):.2e}" == "2.00e+00"
    assert format(Tensor([1.0, 2.0])) == str(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    with pytest.raises(TypeError, match=r"the spec '.3f' needs a one-element tensor, not shape "
                                        r"\(2,\)"):
        format(Tensor([1.0, 2.0]), ".3f")


# ---- requires_grad_ -----------------------------------------------------------------------------

def test_requires_grad_switches_a_leaf_in_place():
    t = Tensor([1.0, 2.0])
    assert t.requires_grad_() is t and t.requires_grad
    (t * t).sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 4.0])
    assert not t.requires_grad_(False).requires_grad


def test_requires_grad_refuses_a_non_leaf():
    made = Tensor([1.0], requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match="only a leaf's requires_grad.*made by mul"):
        made.requires_grad_()


# ---- comparisons --------------------------------------------------------------------------------

X = [1.0, 2.0, 3.0]


@pytest.mark.parametrize("compare, expected", [
    pytest.param(lambda t: t == 2.0, [0, 1, 0], id="== number"),
    pytest.param(lambda t: t != Tensor([1.0, 0.0, 3.0]), [0, 1, 0], id="!= tensor"),
    pytest.param(lambda t: t < np.array([2.0, 2.0, 2.0]), [1, 0, 0], id="< array"),
    pytest.param(lambda t: t <= 2, [1, 1, 0], id="<= int"),
    pytest.param(lambda t: t > Tensor(1.5), [0, 1, 1], id="> 0-d tensor"),
    pytest.param(lambda t: t >= 3.0, [0, 0, 1], id=">= number"),
    pytest.param(lambda t: 2.0 < t, [0, 0, 1], id="number < t"),
    pytest.param(lambda t: np.array([2.0, 2.0, 2.0]) < t, [0, 0, 1], id="array < t"),
    pytest.param(lambda t: np.array([2.0, 2.0, 2.0]) >= t, [1, 1, 0], id="array >= t"),
    pytest.param(lambda t: np.array([1.0, 5.0, 3.0]) == t, [1, 0, 1], id="array == t"),
    pytest.param(lambda t: np.array([1.0, 5.0, 3.0]) != t, [0, 1, 0], id="array != t"),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_comparisons_give_0_1_tensors_outside_the_graph(compare, expected, dtype):
    t = Tensor(X, requires_grad=True, dtype=dtype)
    result = compare(t)
    assert isinstance(result, Tensor)
    assert result.dtype == dtype
    assert not result.requires_grad and result.is_leaf
    np.testing.assert_array_equal(result.data, expected)


def test_equal_to_a_number_is_a_tensor():
    result = Tensor([1.0]) == 1.0
    assert isinstance(result, Tensor)
    np.testing.assert_array_equal(result.data, [1.0])


def test_comparing_with_non_numbers_is_plain_python():
    t = Tensor([1.0, 2.0])
    assert (t == None) is False  # noqa: E711 (the == operator itself is under test)
    assert (t != None) is True  # noqa: E711
    assert (t == "text") is False


def test_comparison_of_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\) cannot be broadcast"):
        Tensor([1.0, 2.0]) < Tensor([1.0, 2.0, 3.0])  # noqa: B015 (the error is the test)


def test_hash_is_identity_so_tensors_are_dict_keys_and_set_members():
    a, b = Tensor([1.0]), Tensor([1.0])
    names = {a: "a", b: "b"}
    assert len(names) == 2 and names[a] == "a" and names[b] == "b"
    assert len({a, a, b}) == 2
    assert a in {a} and b not in {a}


# ---- beside NumPy -------------------------------------------------------------------------------

@pytest.mark.parametrize("use", [np.asarray, lambda t: np.concatenate([t, t])],
                         ids=["asarray", "concatenate"])
def test_numpy_refuses_a_tensor_that_requires_grad(use):
    with pytest.raises(TypeError, match=r"requires grad.*\.detach\(\)\.numpy\(\)"):
        use(Tensor([1.0, 2.0], requires_grad=True))


def test_numpy_takes_a_tensor_that_does_not_require_grad():
    t = Tensor([1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(t), [1.0, 2.0])
    np.testing.assert_array_equal(np.concatenate([t, t]), [1.0, 2.0, 1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(Tensor([1.0], requires_grad=True).detach()), [1.0])


@pytest.mark.parametrize("ufunc, hint", [
    (np.exp, r"use t\.exp\(\) instead"),
    (np.absolute, r"use t\.abs\(\) instead"),
    (np.sin, "use the Tensor's own methods instead"),
])
def test_numpy_functions_point_to_the_tensor_method(ufunc, hint):
    for t in (Tensor([1.0], requires_grad=True), Tensor([1.0])):
        with pytest.raises(TypeError, match=f"numpy.{ufunc.__name__} does not record a "
                                            f"gradient through a Tensor: {hint}"):
            ufunc(t)


def test_array_times_tensor_stays_in_the_graph():
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = np.array([3.0, 4.0]) * t
    assert isinstance(out, Tensor) and out.requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [3.0, 4.0])


def test_argmax_and_argmin_give_int_positions():
    t = Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert t.argmax() == 3 and t.argmin() == 4
    assert isinstance(t.argmax(), np.integer)
    for positions, expected in [(t.argmax(axis=1), [1, 0]), (t.argmin(axis=0), [0, 1, 0]),
                                (t.argmax(0, keepdims=True), [[1, 0, 1]])]:
        assert isinstance(positions, np.ndarray) and positions.dtype.kind == "i"
        np.testing.assert_array_equal(positions, expected)


# ---- creation -----------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [tinygrad_lab.zeros, tinygrad_lab.ones, tinygrad_lab.rand,
                                  tinygrad_lab.randn], ids=lambda f: f.__name__)
def test_shape_given_as_ints_or_a_tuple(make):
    for t in (make(2, 3), make((2, 3)), make([2, 3])):
        assert isinstance(t, Tensor) and t.shape == (2, 3)
    assert make(4).shape == (4,)


@pytest.mark.parametrize("make, values", [
    pytest.param(lambda **kw: tinygrad_lab.zeros(2, **kw), [0.0, 0.0], id="zeros"),
    pytest.param(lambda **kw: tinygrad_lab.ones(2, **kw), [1.0, 1.0], id="ones"),
    pytest.param(lambda **kw: tinygrad_lab.full((2,), 7.5, **kw), [7.5, 7.5], id="full"),
    pytest.param(lambda **kw: tinygrad_lab.arange(3, **kw), [0.0, 1.0, 2.0], id="arange"),
    pytest.param(lambda **kw: tinygrad_lab.arange(1, 2, 0.25, **kw), [1.0, 1.25, 1.5, 1.75],
                 id="arange(start, stop, step)"),
    pytest.param(lambda **kw: tinygrad_lab.eye(2, **kw), [[1.0, 0.0], [0.0, 1.0]], id="eye"),
    pytest.param(lambda **kw: tinygrad_lab.eye(2, 3, **kw), [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
                 id="eye(n, m)"),
    pytest.param(lambda **kw: tinygrad_lab.zeros_like(Tensor([[5.0, 6.0]]), **kw), [[0.0, 0.0]],
                 id="zeros_like"),
    pytest.param(lambda **kw: tinygrad_lab.ones_like(Tensor([5.0, 6.0, 7.0]), **kw),
                 [1.0, 1.0, 1.0], id="ones_like"),
])
def test_creation_values_dtype_and_requires_grad(make, values):
    default = make()
    np.testing.assert_array_equal(default.data, values)
    assert default.dtype == np.float64 and not default.requires_grad
    assert make(dtype=np.float32).dtype == np.float32
    leaf = make(requires_grad=True)
    assert leaf.requires_grad and leaf.is_leaf
    (leaf * 2.0).sum().backward()
    np.testing.assert_array_equal(leaf.grad, np.full(np.shape(values), 2.0))


@pytest.mark.parametrize("make", [tinygrad_lab.zeros_like, tinygrad_lab.ones_like],
                         ids=lambda f: f.__name__)
def test_like_functions_keep_dtype_unless_told(make):
    t32 = Tensor([[1.0, 2.0]], dtype=np.float32)
    assert make(t32).dtype == np.float32 and make(t32).shape == (1, 2)
    assert make(t32, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("make", [tinygrad_lab.zeros_like, tinygrad_lab.ones_like],
                         ids=lambda f: f.__name__)
def test_like_functions_take_an_array(make):
    # The docstring: "the shape and (unless dtype is given) the dtype of tensor (or an array)".
    made = make(np.ones((2, 2), np.float32))
    assert made.shape == (2, 2) and made.dtype == np.float32


def test_creation_refuses_other_dtypes():
    with pytest.raises(TypeError, match="dtype must be float64 or float32, not int64"):
        tinygrad_lab.zeros(2, dtype=np.int64)


@pytest.mark.parametrize("make", [tinygrad_lab.rand, tinygrad_lab.randn],
                         ids=lambda f: f.__name__)
def test_random_tensors_follow_their_seed(make):
    first = make(2, 3, rng=0).data
    np.testing.assert_array_equal(make(2, 3, rng=0).data, first)
    assert not np.array_equal(make(2, 3, rng=1).data, first)
    generator = np.random.default_rng(0)
    np.testing.assert_array_equal(make(2, 3, rng=generator).data, first)
    assert not np.array_equal(make(2, 3, rng=generator).data, first)  # the generator moved on


def test_rand_is_uniform_in_0_1():
    values = tinygrad_lab.rand(1000, rng=0).data
    assert values.min() >= 0.0 and values.max() < 1.0
    assert 0.45 < values.mean() < 0.55


# ---- var and std --------------------------------------------------------------------------------

@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("ddof", [0, 1, 2])
def test_var_and_std_match_numpy(axis, ddof):
    x = Tensor(np.arange(12.0).reshape(3, 4) ** 1.5)
    np.testing.assert_allclose(x.var(axis, ddof).data, np.var(x.data, axis, ddof=ddof),
                               rtol=1e-12)
    np.testing.assert_allclose(x.std(axis, ddof).data, np.std(x.data, axis, ddof=ddof),
                               rtol=1e-12)


def test_var_keepdims():
    x = Tensor(np.arange(12.0).reshape(3, 4))
    assert x.var(1, keepdims=True).shape == (3, 1)
    np.testing.assert_allclose(x.var(1, keepdims=True).data,
                               np.var(x.data, 1, keepdims=True), rtol=1e-12)


@pytest.mark.parametrize("method", ["var", "std"])
@pytest.mark.parametrize("axis, ddof, count", [(None, 12, 12), (0, 3, 3), (1, 5, 4)])
def test_no_degrees_of_freedom_left_is_an_error(method, axis, ddof, count):
    x = Tensor(np.ones((3, 4)))
    with pytest.raises(ValueError, match=f"var: {count} values over axis {axis} and ddof "
                                         f"{ddof} leave no degrees of freedom"):
        getattr(x, method)(axis, ddof)
