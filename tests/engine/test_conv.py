"""conv2d, conv1d, max_pool2d and avg_pool2d: values against direct loops, gradients against
central differences (gradcheck's defaults: eps 1e-6, atol 1e-5, rtol 1e-3, every element),
PyTorch's tie rule for max pooling, float32 kept, and errors that name the shapes."""

import numpy as np
import pytest

from tinygrad_lab import Tensor, gradcheck
from tinygrad_lab.engine.ops import Conv2d


def conv2d_reference(x, weight, bias=None, stride=(1, 1), padding=(0, 0), groups=1):
    """PyTorch's conv2d, one output element at a time."""
    x = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    n, channels, height, width = x.shape
    out_channels, group_channels, kh, kw = weight.shape
    rows, columns = (height - kh) // stride[0] + 1, (width - kw) // stride[1] + 1
    out = np.zeros((n, out_channels, rows, columns))
    for b in range(n):
        for o in range(out_channels):
            first = o // (out_channels // groups) * group_channels  # this group's first channel
            for i in range(rows):
                for j in range(columns):
                    window = x[b, first:first + group_channels, i * stride[0]:i * stride[0] + kh,
                               j * stride[1]:j * stride[1] + kw]
                    out[b, o, i, j] = (window * weight[o]).sum()
    return out if bias is None else out + bias[:, None, None]


def pool_reference(x, kernel_size, stride, reduce):
    """``reduce`` (np.max or np.mean) of each window, one output position at a time."""
    (kh, kw), (sh, sw) = kernel_size, stride
    rows, columns = (x.shape[-2] - kh) // sh + 1, (x.shape[-1] - kw) // sw + 1
    out = np.zeros((*x.shape[:-2], rows, columns))
    for i in range(rows):
        for j in range(columns):
            out[..., i, j] = reduce(x[..., i * sh:i * sh + kh, j * sw:j * sw + kw], axis=(-2, -1))
    return out


def weighted_sum(out):
    """A scalar in which each output element counts differently, so a gradient routed to the
    wrong element is visible."""
    return (out * np.random.default_rng(1).normal(size=out.shape)).sum()


def as_pair(value):
    return (value, value) if isinstance(value, int) else value


# (x shape, weight shape, stride, padding, groups, bias)
CONV2D = [
    ((2, 3, 5, 5), (4, 3, 3, 3), 1, 0, 1, False),
    ((2, 3, 5, 5), (4, 3, 3, 3), 1, 1, 1, True),
    ((1, 2, 6, 7), (3, 2, 2, 3), 2, 0, 1, True),
    ((1, 2, 5, 6), (2, 2, 3, 2), (2, 1), (1, 2), 1, False),
    ((2, 4, 5, 5), (6, 2, 3, 3), 1, 1, 2, True),
    ((1, 4, 7, 6), (2, 2, 3, 3), 2, (1, 2), 2, False),
]


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, groups, bias", CONV2D)
def test_conv2d_matches_loops_and_gradcheck(x_shape, w_shape, stride, padding, groups, bias):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
    inputs = [Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)]
    if bias:
        inputs.append(Tensor(b, requires_grad=True))

    def conv(x, w, b=None):
        return x.conv2d(w, b, stride=stride, padding=padding, groups=groups)

    expected = conv2d_reference(x, w, b if bias else None, as_pair(stride), as_pair(padding),
                                groups)
    np.testing.assert_allclose(conv(*inputs).data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda *xs: weighted_sum(conv(*xs)), *inputs)


@pytest.mark.parametrize("stride, padding, groups", [(1, 0, 1), (2, 1, 1), ((1,), (2,), 2)])
def test_conv1d_is_conv2d_of_height_1(stride, padding, groups):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(2, 4, 7)), rng.normal(size=(4, 4 // groups, 3)), rng.normal(size=4)
    inputs = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True), Tensor(b)
    (s,), (p,) = np.atleast_1d(stride), np.atleast_1d(padding)
    expected = conv2d_reference(x[:, :, None], w[:, :, None], b, (1, s), (0, p), groups)[:, :, 0]
    out = inputs[0].conv1d(inputs[1], inputs[2], stride=stride, padding=padding, groups=groups)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda x, w: weighted_sum(x.conv1d(w, stride=stride, padding=padding,
                                                        groups=groups)), *inputs[:2])


def test_conv_weight_may_be_a_constant_and_then_gets_no_gradient():
    rng = np.random.default_rng(0)
    x, w = Tensor(rng.normal(size=(1, 2, 4, 4)), requires_grad=True), rng.normal(size=(3, 2, 2, 2))
    x.conv2d(w).sum().backward()
    assert x.grad.shape == x.shape
    grads = Conv2d.backward(np.ones((1, 3, 3, 3)), Conv2d.forward(x.data, w)[1], (False, True))
    assert grads[0] is None and grads[1].shape == w.shape
    x1 = Tensor(rng.normal(size=(1, 2, 5)))
    np.testing.assert_allclose(x1.conv1d(w[:, :, 0].tolist()).data,
                               x1.conv1d(Tensor(w[:, :, 0])).data)


# (x shape, kernel_size, stride): default stride (the kernel), overlapping, non-square, 3-D
POOLS = [((2, 3, 4, 6), 2, None), ((1, 2, 5, 5), 3, 1), ((2, 1, 5, 7), (2, 3), (1, 2)),
         ((3, 5, 4), (3, 2), 2)]


@pytest.mark.parametrize("method, reduce", [("max_pool2d", np.max), ("avg_pool2d", np.mean)])
@pytest.mark.parametrize("shape, kernel_size, stride", POOLS)
def test_pool_matches_loops_and_gradcheck(method, reduce, shape, kernel_size, stride):
    x = np.random.default_rng(0).normal(size=shape)  # no ties: the max is differentiable
    kernel = as_pair(kernel_size)
    expected = pool_reference(x, kernel, kernel if stride is None else as_pair(stride), reduce)

    def pool(t):
        return getattr(t, method)(kernel_size, stride)

    np.testing.assert_allclose(pool(Tensor(x)).data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda t: weighted_sum(pool(t)), Tensor(x, requires_grad=True))


def test_max_pool_gives_a_tie_to_the_first_max_and_sums_overlapping_windows():
    x = Tensor(np.ones((1, 1, 2, 4)), requires_grad=True)
    x.max_pool2d(2).sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0]])
    peak = Tensor(np.pad([[5.0]], 1)[None, None], requires_grad=True)  # 5 amid 0s, 3x3
    peak.max_pool2d(2, stride=1).sum().backward()
    np.testing.assert_array_equal(peak.grad[0, 0], [[0, 0, 0], [0, 4, 0], [0, 0, 0]])


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(1, 2, 4, 4)), requires_grad=True, dtype=np.float32)
    w = Tensor(rng.normal(size=(2, 2, 3, 3)), requires_grad=True, dtype=np.float32)
    out = x.conv2d(w, padding=1).max_pool2d(2) + x.avg_pool2d(2)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


@pytest.mark.parametrize("make, match", [
    (lambda: Tensor(np.ones((1, 4, 5, 5))).conv2d(np.ones((3, 3, 2, 2))),
     r"\(1, 4, 5, 5\) and weight \(3, 3, 2, 2\).*have 4 each, but the weight takes 3"),
    (lambda: Tensor(np.ones((1, 4, 5, 5))).conv2d(np.ones((3, 2, 2, 2)), groups=2),
     r"\(1, 4, 5, 5\) and weight \(3, 2, 2, 2\).*2 groups"),
    (lambda: Tensor(np.ones((1, 2, 3, 3))).conv2d(np.ones((1, 2, 4, 2))),
     r"\(1, 2, 3, 3\) and weight \(1, 2, 4, 2\).*larger than"),
    (lambda: Tensor(np.ones((2, 3, 3))).conv2d(np.ones((1, 2, 2, 2))), r"\(2, 3, 3\)"),
    (lambda: Tensor(np.ones((1, 2, 3, 3))).conv2d(np.ones((1, 2, 2, 2)), groups=0), "groups"),
    (lambda: Tensor(np.ones((1, 2, 3, 3))).conv2d(np.ones((1, 2, 2, 2)), padding=-1),
     "padding"),
    (lambda: Tensor(np.ones((1, 2, 3, 3))).conv2d(np.ones((1, 2, 2, 2)), padding=(1, 1, 1)),
     "padding"),
    (lambda: Tensor(np.ones((1, 2, 3, 3))).conv2d(np.ones((3, 2, 2, 2)), bias=np.ones(2)),
     r"bias of shape \(2,\).*\(3, 2, 2, 2\)"),
    (lambda: Tensor(np.ones((1, 2, 5))).conv1d(np.ones((3, 2))), r"\(1, 2, 5\) and \(3, 2\)"),
    (lambda: Tensor(np.ones((1, 2, 5))).conv1d(np.ones((3, 2, 2)), stride=(1, 1)), "stride"),
    (lambda: Tensor(np.ones((1, 1, 3, 3))).max_pool2d(4),
     r"kernel \(4, 4\) is larger than .* \(1, 1, 3, 3\)"),
    (lambda: Tensor(np.ones((1, 1, 3, 3))).avg_pool2d(2, stride=0), "stride"),
    (lambda: Tensor(np.ones(4)).avg_pool2d(2), r"\(4,\)"),
])
def test_bad_shapes_and_params_are_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()
