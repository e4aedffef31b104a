"""Ops that move values without changing them: reshape, transpose, expand, indexing, pad, cat."""

import numpy as np

from ..function import Function, unbroadcast


class Reshape(Function):
    name = "reshape"
    rule = "d reshape(a): g in a's shape"

    @staticmethod
    def forward(a, shape):
        return a.reshape(shape), a.shape

    @staticmethod
    def backward(grad, saved, needs):
        return (grad.reshape(saved),)


class Transpose(Function):
    """The axes in the order ``axes`` (None: reversed, as ``ndarray.T``)."""

    name = "transpose"
    rule = "d transpose(a, axes): g with the axes put back"

    @staticmethod
    def forward(a, axes=None):
        return np.transpose(a, axes), axes

    @staticmethod
    def backward(grad, saved, needs):
        return (np.transpose(grad, None if saved is None else np.argsort(saved)),)


class Expand(Function):
    """``a`` broadcast to ``shape``, as ``numpy.broadcast_to``: a view, read only."""

    name = "expand"
    rule = "d expand(a): g summed over the broadcast axes"

    @staticmethod
    def forward(a, shape):
        return np.broadcast_to(a, shape), a.shape

    @staticmethod
    def backward(grad, saved, needs):
        return (unbroadcast(grad, saved),)


class Index(Function):
    """``a[index]`` with NumPy's indexing: ints, slices, None, Ellipsis, integer arrays,
    boolean masks. The gradient goes back to where each value came from; an element picked
    twice (a repeated index) gets both parts, summed."""

    name = "index"
    rule = "d a[i]: g added into zeros at [i]"

    @staticmethod
    def forward(a, index):
        return a[index], (a.shape, index)

    @staticmethod
    def backward(grad, saved, needs):
        shape, index = saved
        out = np.zeros(shape, grad.dtype)
        np.add.at(out, index, grad)  # unlike out[index] += grad, sums repeated indices
        return (out,)

    @classmethod
    def error(cls, numpy_error, a):
        return IndexError(f"index: tensor of shape {a.shape}: {numpy_error}")


class Pad(Function):
    """``a`` with ``value`` added around each axis, ``pad_width`` as ``numpy.pad`` takes it."""

    name = "pad"
    rule = "d pad(a): g with the padding cut off"

    @staticmethod
    def forward(a, pad_width, value=0.0):
        out = np.pad(a, pad_width, constant_values=value)
        widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (a.ndim, 2))
        inside = tuple(slice(before, before + size) for (before, _), size in zip(
            widths.tolist(), a.shape, strict=True))
        return out, inside

    @staticmethod
    def backward(grad, saved, needs):
        return (grad[saved],)


class Cat(Function):
    """The inputs joined along an existing ``axis``, as ``numpy.concatenate``."""

    name = "cat"
    rule = "d cat(a, b, ...): each input its piece of g"

    @staticmethod
    def forward(*arrays, axis=0):
        out = np.concatenate(arrays, axis)
        ends = np.cumsum([array.shape[axis] for array in arrays]).tolist()
        return out, (axis, ends[:-1])

    @staticmethod
    def backward(grad, saved, needs):
        axis, cuts = saved
        pieces = np.split(grad, cuts, axis)
        return tuple(piece if need else None for piece, need in zip(pieces, needs, strict=True))
