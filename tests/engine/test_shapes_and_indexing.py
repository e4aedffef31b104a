"""Indexing, the shape methods, cat / stack / where and batched matmul: value and gradient.

Every op here only moves values, so a gradient is checked exactly: the output is weighted by
``1, 2, 3, ...`` (``WEIGHTS``), which tells each output element's gradient apart, and the input
must get each weight back in the place its value came from.
"""

import numpy as np
import pytest

import tinygrad_lab
from tinygrad_lab import Tensor


def weights_like(shape):
    """1, 2, 3, ... in ``shape``: a different gradient for every output element."""
    return np.arange(1.0, 1.0 + int(np.prod(shape))).reshape(shape)


def backward_weighted(out):
    """Backpropagate sum(weights_like(out) * out); returns those weights."""
    weights = weights_like(out.shape)
    out.backward(weights)
    return weights


def leaf(shape):
    """0, 1, 2, ... in ``shape``, requiring grad."""
    return Tensor(np.arange(float(np.prod(shape))).reshape(shape), requires_grad=True)


# ---- t[index] -----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, index, expected_grad", [
    pytest.param((4,), 1, [0, 1, 0, 0], id="int"),
    pytest.param((4,), -1, [0, 0, 0, 1], id="negative int"),
    pytest.param((4,), slice(None, None, 2), [1, 0, 2, 0], id="slice with step"),
    pytest.param((4,), slice(None, None, -1), [4, 3, 2, 1], id="negative step"),
    pytest.param((4,), slice(3, 0, -2), [0, 2, 0, 1], id="negative step from 3"),
    pytest.param((4,), None, [1, 2, 3, 4], id="None"),
    pytest.param((4,), Ellipsis, [1, 2, 3, 4], id="Ellipsis"),
    pytest.param((4,), np.array([True, False, True, True]), [1, 0, 2, 3], id="bool mask"),
    pytest.param((4,), [3, 0], [2, 0, 0, 1], id="int list"),
    pytest.param((2, 3), -1, [[0, 0, 0], [1, 2, 3]], id="row"),
    pytest.param((2, 3), (Ellipsis, 1), [[0, 1, 0], [0, 2, 0]], id="Ellipsis then int"),
    pytest.param((2, 3), (slice(None), None, 0), [[1, 0, 0], [2, 0, 0]], id="slice None int"),
])
def test_index_value_and_gradient(shape, index, expected_grad):
    t = leaf(shape)
    out = t[index]
    np.testing.assert_array_equal(out.data, t.data[index])
    backward_weighted(out)
    np.testing.assert_array_equal(t.grad, expected_grad)


def test_repeated_indices_sum_their_gradients():
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = t[[0, 0, 2]]
    np.testing.assert_array_equal(out.data, [1.0, 1.0, 3.0])
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 0.0, 1.0])


def test_comparison_tensor_as_mask():
    t = Tensor([[1.0, -2.0], [3.0, -4.0]], requires_grad=True)
    out = t[t > 0]
    np.testing.assert_array_equal(out.data, [1.0, 3.0])
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [[1.0, 0.0], [1.0, 0.0]])


def test_a_tensor_of_other_values_is_refused_as_an_index():
    t = Tensor([1.0, 2.0, 3.0])
    with pytest.raises(IndexError, match=r"mask of 0s and 1s.*int array or list"):
        t[Tensor([0.0, 2.0])]


def test_out_of_range_index_names_the_op_the_shape_and_the_index():
    t = Tensor(np.zeros(4), requires_grad=True)
    with pytest.raises(IndexError, match=r"index: tensor of shape \(4,\): index 4 is out of "
                                         r"bounds for axis 0 with size 4"):
        t[4]


# ---- axis order ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape, fn, reference, inverse", [
    pytest.param((2, 3), lambda t: t.transpose(1, 0), np.transpose, np.transpose,
                 id="transpose(1, 0)"),
    pytest.param((2, 3, 4), lambda t: t.transpose(), np.transpose, np.transpose,
                 id="transpose()"),
    pytest.param((2, 3, 4), lambda t: t.T, np.transpose, np.transpose, id=".T"),
    pytest.param((2, 3, 4), lambda t: t.permute(2, 0, 1), lambda a: np.transpose(a, (2, 0, 1)),
                 lambda g: np.transpose(g, (1, 2, 0)), id="permute(2, 0, 1)"),
    pytest.param((2, 3, 4), lambda t: t.swapaxes(0, 2), lambda a: np.swapaxes(a, 0, 2),
                 lambda g: np.swapaxes(g, 0, 2), id="swapaxes(0, 2)"),
    pytest.param((2, 3, 4), lambda t: t.swapaxes(-1, 1), lambda a: np.swapaxes(a, -1, 1),
                 lambda g: np.swapaxes(g, -1, 1), id="swapaxes(-1, 1)"),
])
def test_axis_order_value_and_gradient(shape, fn, reference, inverse):
    t = leaf(shape)
    out = fn(t)
    np.testing.assert_array_equal(out.data, reference(t.data))
    weights = backward_weighted(out)
    np.testing.assert_array_equal(t.grad, inverse(weights))  # the weights with axes put back


# ---- size-1 axes and flattening -----------------------------------------------------------------

@pytest.mark.parametrize("fn, shape", [
    pytest.param(lambda t: t.squeeze(), (2, 3), id="squeeze()"),
    pytest.param(lambda t: t.squeeze(1), (2, 3, 1), id="squeeze(1)"),
    pytest.param(lambda t: t.squeeze(-1), (2, 1, 3), id="squeeze(-1)"),
    pytest.param(lambda t: t.unsqueeze(0), (1, 2, 1, 3, 1), id="unsqueeze(0)"),
    pytest.param(lambda t: t.unsqueeze(-1), (2, 1, 3, 1, 1), id="unsqueeze(-1)"),
    pytest.param(lambda t: t.flatten(), (6,), id="flatten()"),
    pytest.param(lambda t: t.flatten(1), (2, 3), id="flatten(1)"),
    pytest.param(lambda t: t.flatten(2), (2, 1, 3), id="flatten(2)"),
])
def test_reshaping_methods_shape_and_gradient(fn, shape):
    t = leaf((2, 1, 3, 1))
    out = fn(t)
    assert out.shape == shape
    np.testing.assert_array_equal(out.data, t.data.reshape(shape))  # the order is kept
    weights = backward_weighted(out)
    np.testing.assert_array_equal(t.grad, weights.reshape(t.shape))


def test_squeeze_of_an_axis_longer_than_one_is_an_error():
    with pytest.raises(ValueError, match="size not equal to one"):
        leaf((2, 1)).squeeze(0)


# ---- broadcasting -------------------------------------------------------------------------------

def test_expand_sums_the_gradient_over_the_copies():
    t = Tensor([[1.0], [2.0], [3.0]], requires_grad=True)
    out = t.expand(2, 3, 4)
    np.testing.assert_array_equal(out.data, np.broadcast_to(t.data, (2, 3, 4)))
    weights = backward_weighted(out)
    np.testing.assert_array_equal(t.grad, weights.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_array_equal(t.grad, [[1 + 2 + 3 + 4 + 13 + 14 + 15 + 16],
                                           [5 + 6 + 7 + 8 + 17 + 18 + 19 + 20],
                                           [9 + 10 + 11 + 12 + 21 + 22 + 23 + 24]])


def test_broadcast_to_sums_the_gradient_over_the_copies():
    t = Tensor([[1.0, 2.0]], requires_grad=True)
    out = t.broadcast_to((3, 2))
    assert out.shape == (3, 2)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [[3.0, 3.0]])


# ---- padding ------------------------------------------------------------------------------------

@pytest.mark.parametrize("pad_width, value, inside", [
    pytest.param(1, 0.0, (slice(1, 3), slice(1, 4)), id="int"),
    pytest.param((1, 2), 0.0, (slice(1, 3), slice(1, 4)), id="(before, after)"),
    pytest.param(((1, 0), (0, 2)), 5.0, (slice(1, 3), slice(0, 3)), id="a pair per axis"),
    pytest.param(((0, 0), (3, 1)), -1.0, (slice(0, 2), slice(3, 6)), id="one axis only"),
])
def test_pad_round_trip(pad_width, value, inside):
    t = leaf((2, 3))
    out = t.pad(pad_width, value)
    np.testing.assert_array_equal(out.data, np.pad(t.data, pad_width, constant_values=value))
    np.testing.assert_array_equal(out[inside].data, t.data)
    border = np.ones(out.shape, bool)
    border[inside] = False
    assert (out.data[border] == value).all()
    weights = backward_weighted(out)
    np.testing.assert_array_equal(t.grad, weights[inside])  # the border's weights go nowhere


def test_pad2d_takes_left_right_top_bottom():
    t = leaf((1, 2, 2, 3))
    out = t.pad2d((1, 2, 3, 0), value=7.0)
    assert out.shape == (1, 2, 5, 6)
    inside = out[..., 3:5, 1:4]
    np.testing.assert_array_equal(inside.data, t.data)
    assert out.data.sum() == t.data.sum() + 7.0 * (out.size - t.size)
    inside.sum().backward()
    np.testing.assert_array_equal(t.grad, np.ones(t.shape))


def test_negative_padding_is_refused():
    with pytest.raises(ValueError, match="pad: pad_width must be .* all >= 0"):
        leaf((2,)).pad(-1)


# ---- cat and stack ------------------------------------------------------------------------------

def test_cat_round_trip_and_gradients():
    pieces = [leaf((2, 3)), leaf((1, 3)), leaf((4, 3))]
    out = tinygrad_lab.cat(pieces)
    assert out.shape == (7, 3)
    for piece, rows in zip(pieces, (slice(0, 2), slice(2, 3), slice(3, 7)), strict=True):
        np.testing.assert_array_equal(out[rows].data, piece.data)
    weights = backward_weighted(out)
    for piece, rows in zip(pieces, (slice(0, 2), slice(2, 3), slice(3, 7)), strict=True):
        np.testing.assert_array_equal(piece.grad, weights[rows])


def test_cat_along_the_last_axis_with_a_constant():
    a = leaf((2, 1))
    out = tinygrad_lab.cat([a, np.ones((2, 3))], axis=-1)
    np.testing.assert_array_equal(out.data, [[0.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
    weights = backward_weighted(out)
    np.testing.assert_array_equal(a.grad, weights[:, :1])


@pytest.mark.parametrize("axis, shape, take", [
    pytest.param(0, (2, 2, 3), lambda array, i: array[i], id="axis 0"),
    pytest.param(-1, (2, 3, 2), lambda array, i: array[..., i], id="axis -1"),
])
def test_stack_round_trip_and_gradients(axis, shape, take):
    a, b = leaf((2, 3)), Tensor(-np.arange(6.0).reshape(2, 3), requires_grad=True)
    out = tinygrad_lab.stack([a, b], axis=axis)
    assert out.shape == shape
    np.testing.assert_array_equal(take(out.data, 0), a.data)
    np.testing.assert_array_equal(take(out.data, 1), b.data)
    weights = backward_weighted(out)
    np.testing.assert_array_equal(a.grad, take(weights, 0))
    np.testing.assert_array_equal(b.grad, take(weights, 1))


@pytest.mark.parametrize("fn, message", [
    pytest.param(lambda: tinygrad_lab.cat([]), "cat: needs at least one tensor", id="cat []"),
    pytest.param(lambda: tinygrad_lab.stack([]), "stack: needs at least one tensor",
                 id="stack []"),
    pytest.param(lambda: tinygrad_lab.cat([leaf((2, 3)), leaf((2, 4))]),
                 "cat: .*along dimension 1.* size 3 .* size 4", id="cat mismatch"),
    pytest.param(lambda: tinygrad_lab.stack([leaf((2, 3)), leaf((3, 2))]),
                 r"stack: all tensors must have one shape, got \[\(2, 3\), \(3, 2\)\]",
                 id="stack mismatch"),
])
def test_cat_and_stack_errors(fn, message):
    with pytest.raises(ValueError, match=message):
        fn()


# ---- where --------------------------------------------------------------------------------------

@pytest.mark.parametrize("condition, mask", [
    pytest.param(Tensor([1.0, -1.0, 2.0]) > 0, [1.0, 0.0, 1.0], id="Tensor"),
    pytest.param(np.array([False, True, True]), [0.0, 1.0, 1.0], id="bool array"),
    pytest.param(np.array([0.0, 0.0, 3.0]), [0.0, 0.0, 1.0], id="float array"),
    pytest.param(1, [1.0, 1.0, 1.0], id="number 1"),
    pytest.param(0.0, [0.0, 0.0, 0.0], id="number 0"),
])
def test_where_picks_values_and_routes_gradients(condition, mask):
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([-1.0, -2.0, -3.0], requires_grad=True)
    out = tinygrad_lab.where(condition, a, b)
    mask = np.array(mask)
    np.testing.assert_array_equal(out.data, np.where(mask == 1, a.data, b.data))
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, mask)
    np.testing.assert_array_equal(b.grad, 1.0 - mask)


def test_where_with_a_number_branch():
    a = Tensor([1.0, 2.0], requires_grad=True)
    out = tinygrad_lab.where(a > 1.5, a, 0.0)
    np.testing.assert_array_equal(out.data, [0.0, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(a.grad, [0.0, 1.0])


# ---- batched matmul -----------------------------------------------------------------------------

def matmul_gradients_by_loop(a, b, grad):
    """The gradients of a @ b, one 2-D product at a time over the broadcast batch; an operand
    repeated over a batch axis (size 1, or missing) gets the parts of every product it was in."""
    a2 = a[np.newaxis, :] if a.ndim == 1 else a  # a vector on the left is one row
    b2 = b[:, np.newaxis] if b.ndim == 1 else b  # on the right, one column
    batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    grad2 = grad.reshape(*batch, a2.shape[-2], b2.shape[-1])
    grad_a, grad_b = np.zeros(a2.shape), np.zeros(b2.shape)

    def own(index, operand):  # the operand's batch index for the broadcast one
        batch_shape = operand.shape[:-2]
        index = index[len(index) - len(batch_shape):]
        return tuple(i if size > 1 else 0 for i, size in zip(index, batch_shape, strict=True))

    for index in np.ndindex(*batch):
        ia, ib = own(index, a2), own(index, b2)
        grad_a[ia] += grad2[index] @ b2[ib].T
        grad_b[ib] += a2[ia].T @ grad2[index]
    return grad_a.reshape(a.shape), grad_b.reshape(b.shape)


@pytest.mark.parametrize("a_shape, b_shape, out_shape", [
    ((2, 3, 4), (4, 5), (2, 3, 5)),
    ((2, 1, 3, 4), (5, 4, 2), (2, 5, 3, 2)),
    ((4,), (2, 4, 3), (2, 3)),
    ((2, 3, 4), (4,), (2, 3)),
])
def test_batched_matmul_value_and_gradients(a_shape, b_shape, out_shape):
    rng = np.random.default_rng(0)
    a = Tensor(rng.standard_normal(a_shape), requires_grad=True)
    b = Tensor(rng.standard_normal(b_shape), requires_grad=True)
    out = a @ b
    assert out.shape == out_shape
    np.testing.assert_allclose(out.data, np.matmul(a.data, b.data), rtol=1e-13)
    grad = rng.standard_normal(out_shape)
    out.backward(grad)
    expected_a, expected_b = matmul_gradients_by_loop(a.data, b.data, grad)
    assert a.grad.shape == a_shape and b.grad.shape == b_shape
    np.testing.assert_allclose(a.grad, expected_a, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b.grad, expected_b, rtol=1e-12, atol=1e-12)


# ---- iteration ----------------------------------------------------------------------------------

def test_iterating_gives_rows_in_the_graph():
    t = leaf((3, 2))
    rows = list(t)
    assert len(rows) == 3 and all(isinstance(row, Tensor) for row in rows)
    for i, row in enumerate(rows):
        np.testing.assert_array_equal(row.data, t.data[i])
    (rows[0] + 3.0 * rows[2]).sum().backward()
    np.testing.assert_array_equal(t.grad, [[1.0, 1.0], [0.0, 0.0], [3.0, 3.0]])
