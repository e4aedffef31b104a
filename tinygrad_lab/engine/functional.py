"""The functions that build on the ops: ``cat``, ``stack``, ``where``, and what Tensor methods
such as ``var``, ``squeeze`` or ``conv2d`` are made of. Each composes ops (``Op.apply``), so
its gradient is theirs; the argument checks and conversions the methods share are here too.
"""

import numpy as np

from . import ops
from .function import normalize_axes


def cat(tensors, axis=0):
    """The tensors joined along the existing ``axis``, as ``numpy.concatenate``."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: needs at least one tensor")
    return ops.Cat.apply(*tensors, axis=axis)


def stack(tensors, axis=0):
    """The tensors (all of one shape) joined along a new ``axis``, as ``numpy.stack``."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    shapes = {np.shape(t.data if hasattr(t, "data") else t) for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors must have one shape, got {sorted(shapes)}")
    shape = np.expand_dims(np.empty(shapes.pop()), axis).shape
    return ops.Cat.apply(*[ops.Reshape.apply(t, shape=shape) for t in tensors], axis=axis)


def where(condition, a, b):
    """``a`` where ``condition`` is nonzero (or True), else ``b``; the condition gets no
    gradient. Any of the three may be a Tensor, an array or a number."""
    if hasattr(condition, "data"):
        condition = condition.data
    return ops.Where.apply(np.asarray(condition, dtype=bool).astype(np.float64), a, b)


def var(x, axis, ddof, keepdims):
    """The variance over ``axis``: the mean square distance from the mean, times n/(n - ddof)."""
    count = int(np.prod([x.shape[a] for a in normalize_axes(axis, x.ndim)]))
    if count - ddof <= 0:
        raise ValueError(f"var: {count} values over axis {axis} and ddof {ddof} leave no "
                         "degrees of freedom")
    centred = x - x.mean(axis, keepdims=True)
    return (centred * centred).sum(axis, keepdims=keepdims) / (count - ddof)


def shape_argument(shape):
    """A shape given as ``f(2, 3)`` or ``f((2, 3))``, as a tuple of ints."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(size) for size in shape)


def expanded(shape, target):
    """``target`` with each -1 replaced by the size of that axis in ``shape`` (aligned from
    the right, as broadcasting aligns them)."""
    if len(target) < len(shape):
        raise ValueError(f"expand: the shape {target} has fewer axes than the tensor's {shape}")
    kept = (-1,) * (len(target) - len(shape)) + tuple(shape)
    return tuple(old if size == -1 else size for size, old in zip(target, kept, strict=True))


def swapped(ndim, axis1, axis2):
    """The axis order with ``axis1`` and ``axis2`` exchanged."""
    axes = list(range(ndim))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return tuple(axes)


def squeezed(shape, axis):
    """``shape`` without its axes of size 1 (``axis`` None), or without ``axis`` (size 1)."""
    return np.squeeze(np.empty(shape), axis).shape


def pad_widths(pad_width):
    """``numpy.pad``'s pad_width as a hashable, printable tuple (the op keeps it as a param)."""
    widths = np.asarray(pad_width, dtype=int)
    if widths.ndim > 2 or (widths.ndim == 2 and widths.shape[1] != 2) or (widths < 0).any():
        raise ValueError(f"pad: pad_width must be an int, (before, after) or one such pair per "
                         f"axis, all >= 0; got {pad_width!r}")
    if widths.ndim == 2:
        return tuple(map(tuple, widths.tolist()))
    return tuple(widths.tolist()) if widths.ndim == 1 else int(widths)


def index_argument(index):
    """An index with any Tensor in it (a mask, positions) replaced by its values."""
    if isinstance(index, tuple):
        return tuple(index_argument(part) for part in index)
    if hasattr(index, "data") and hasattr(index, "requires_grad"):  # a Tensor: a 0/1 mask
        if not np.isin(index.data, (0.0, 1.0)).all():
            raise IndexError("index: a Tensor used as an index is a mask of 0s and 1s, as the "
                             "comparisons give (t[t > 0]); give positions as an int array or list")
        return index.data.astype(bool)
    return index


def pair(value, name, minimum=1, length=2):
    """An int or a pair of ints (a kernel size, a stride, a padding), each at least ``minimum``,
    as a pair of ints (``length`` 1: an int or a 1-tuple, as a 1-tuple); ValueError naming
    ``name`` for anything else (a float, a bool, too many ints)."""
    def is_int(v):
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    values = ((value,) * length if is_int(value)
              else tuple(value) if isinstance(value, (tuple, list)) else ())
    if len(values) != length or not all(is_int(v) and v >= minimum for v in values):
        kind = "a pair of them" if length == 2 else f"a tuple of {length}"
        raise ValueError(f"{name} must be an int >= {minimum} or {kind}, got {value!r}")
    return tuple(int(v) for v in values)


def conv2d(x, weight, bias, stride, padding, groups):
    """x (N, C, H, W) cross-correlated with weight (C_out, C/groups, kh, kw), plus bias (C_out,);
    ``padding`` (an int or (rows, columns)) zeros on both sides of H and W."""
    if x.ndim != 4:  # checked before padding, which would change the shape the error names
        raise ValueError(f"conv2d: needs input (N, C, H, W), got shape {x.shape}")
    rows, columns = pair(padding, "conv2d: padding", minimum=0)
    stride = pair(stride, "conv2d: stride")
    if bias is not None:
        weight_shape = np.shape(weight.data if hasattr(weight, "data") else weight)
        bias_shape = np.shape(bias.data if hasattr(bias, "data") else bias)
        if bias_shape != weight_shape[:1]:
            raise ValueError(f"conv2d: bias of shape {bias_shape} for a weight of shape "
                             f"{weight_shape}: needs one value per output channel")
    if rows or columns:
        x = x.pad2d((columns, columns, rows, rows))
    out = ops.Conv2d.apply(x, weight, stride=stride, groups=groups)
    if bias is not None:
        out = out + ops.Reshape.apply(bias, shape=(1, -1, 1, 1))
    return out


def conv1d(x, weight, bias, stride, padding, groups):
    """x (N, C, L) cross-correlated with weight (C_out, C/groups, k): conv2d of height 1.
    ``stride`` and ``padding`` are ints or 1-tuples, as PyTorch takes them."""
    weight_shape = np.shape(weight.data if hasattr(weight, "data") else weight)
    if x.ndim != 3 or len(weight_shape) != 3:
        raise ValueError(f"conv1d: needs input (N, C, L) and weight (C_out, C/groups, k), got "
                         f"{x.shape} and {weight_shape}")
    (stride,) = pair(stride, "conv1d: stride", length=1)
    (padding,) = pair(padding, "conv1d: padding", minimum=0, length=1)
    n, channels, length = x.shape
    out_channels, group_channels, size = weight_shape
    out = conv2d(x.reshape(n, channels, 1, length),
                 ops.Reshape.apply(weight, shape=(out_channels, group_channels, 1, size)),
                 bias, (1, stride), (0, padding), groups)
    return out.reshape(out.shape[0], out.shape[1], out.shape[3])


def max_pool2d(x, kernel_size, stride):
    """The max of each window over the last two axes; ``stride`` None is the kernel size."""
    kernel = pair(kernel_size, "max_pool2d: kernel_size")
    return ops.MaxPool2d.apply(x, kernel_size=kernel, stride=kernel if stride is None
                               else pair(stride, "max_pool2d: stride"))


def avg_pool2d(x, kernel_size, stride):
    """The mean of each window over the last two axes; ``stride`` None is the kernel size."""
    kernel = pair(kernel_size, "avg_pool2d: kernel_size")
    return ops.AvgPool2d.apply(x, kernel_size=kernel, stride=kernel if stride is None
                               else pair(stride, "avg_pool2d: stride"))
