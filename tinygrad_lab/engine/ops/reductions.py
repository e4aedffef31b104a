"""Reductions over axes: sum, mean, max, min, prod, logsumexp; and softmax, log_softmax.

Each takes ``axis`` (None for all, an int or a tuple) and, the reductions, ``keepdims``.
"""

import numpy as np

from ..function import Function, normalize_axes


def spread(grad, shape, axis, keepdims):
    """The gradient of a sum over ``axis``: ``grad`` copied back along the summed axes."""
    if axis is not None and not keepdims:
        grad = np.expand_dims(grad, axis)
    out = np.empty(shape, dtype=grad.dtype)
    out[...] = grad
    return out


def _kept(grad, axis, keepdims):
    """``grad`` of a reduction with the reduced axes put back, as size 1 (for broadcasting)."""
    return grad if axis is None or keepdims else np.expand_dims(grad, axis)


class Sum(Function):
    name = "sum"
    rule = "d sum(a): g copied over a"

    @staticmethod
    def forward(a, axis=None, keepdims=False):
        # np.add.reduce, as for mean and clip's np.minimum/np.maximum, skips the Python
        # wrappers of ndarray.sum and np.clip: together ~4% of the lab step.
        return np.add.reduce(a, axis, keepdims=keepdims), (a.shape, axis, keepdims)

    @staticmethod
    def backward(grad, saved, needs):
        return (spread(grad, *saved),)


class Mean(Function):
    name = "mean"
    rule = "d mean(a): g/n copied over a"

    @staticmethod
    def forward(a, axis=None, keepdims=False):
        # What ndarray.mean does, without its overhead (ndarray.sum calls np.add.reduce from Python)
        total = np.add.reduce(a, axis, keepdims=keepdims)
        count = a.size // total.size if total.size else 0
        return total / count, (a.shape, axis, keepdims, count)

    @staticmethod
    def backward(grad, saved, needs):
        shape, axis, keepdims, count = saved
        return (spread(grad / count, shape, axis, keepdims),)


def _extreme_backward(grad, saved):
    """max/min: the gradient shared equally by the elements equal to the extreme (torch.amax)."""
    a, out, axis, keepdims = saved
    out = _kept(out, axis, keepdims)
    chosen = a == out
    share = _kept(grad, axis, keepdims) / chosen.sum(axis, keepdims=True)
    return (np.where(chosen, share, np.zeros((), grad.dtype)),)


class Max(Function):
    """The largest value over ``axis``; elements tied for it share the gradient equally."""

    name = "max"
    rule = "d max(a): g/k to each of the k elements equal to the max"

    @staticmethod
    def forward(a, axis=None, keepdims=False):
        out = np.max(a, axis, keepdims=keepdims)
        return out, (a, out, axis, keepdims)

    @staticmethod
    def backward(grad, saved, needs):
        return _extreme_backward(grad, saved)


class Min(Function):
    """The smallest value over ``axis``; elements tied for it share the gradient equally."""

    name = "min"
    rule = "d min(a): g/k to each of the k elements equal to the min"

    @staticmethod
    def forward(a, axis=None, keepdims=False):
        out = np.min(a, axis, keepdims=keepdims)
        return out, (a, out, axis, keepdims)

    @staticmethod
    def backward(grad, saved, needs):
        return _extreme_backward(grad, saved)


class Prod(Function):
    """The product over ``axis``. Its gradient, the product of the other elements, is built from
    running products from both sides, not as out / a, so it is exact where an element is 0."""

    name = "prod"
    rule = "d prod(a): g*(product of the other elements)"

    @staticmethod
    def forward(a, axis=None, keepdims=False):
        return np.prod(a, axis, keepdims=keepdims), (a, axis, keepdims)

    @staticmethod
    def backward(grad, saved, needs):
        a, axis, keepdims = saved
        axes = normalize_axes(axis, a.ndim)
        order = [i for i in range(a.ndim) if i not in axes] + list(axes)
        moved = np.transpose(a, order)  # the reduced axes last, then as one axis
        rows = moved.reshape(*moved.shape[:a.ndim - len(axes)], -1)
        ones = np.ones((*rows.shape[:-1], 1), a.dtype)
        before = np.cumprod(np.concatenate([ones, rows[..., :-1]], -1), -1)
        after = np.cumprod(np.concatenate([ones, rows[..., :0:-1]], -1), -1)[..., ::-1]
        others = np.transpose((before * after).reshape(moved.shape), np.argsort(order))
        return (others * _kept(grad, axis, keepdims),)


def _shifted(a, axis):
    """``a`` minus its max over ``axis`` (kept), so exp of it cannot overflow; and that max."""
    peak = np.max(a, axis, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0.0)  # all -inf (or inf): shift by nothing
    return a - peak, peak


class LogSumExp(Function):
    """log(sum(exp(a))) over ``axis``, computed with the max subtracted first."""

    name = "logsumexp"
    rule = "d logsumexp(a): g*softmax(a)"

    @staticmethod
    def forward(a, axis=None, keepdims=False):
        shifted, peak = _shifted(a, axis)
        out = np.log(np.sum(np.exp(shifted), axis, keepdims=True)) + peak
        kept = out
        if not keepdims:
            out = out.reshape(()) if axis is None else np.squeeze(out, axis)
        return out, (a, kept, axis, keepdims)

    @staticmethod
    def backward(grad, saved, needs):
        a, kept, axis, keepdims = saved
        return (_kept(grad, axis, keepdims) * np.exp(a - kept),)


class Softmax(Function):
    """exp(a) / sum(exp(a)) over ``axis``, computed with the max subtracted first."""

    name = "softmax"
    rule = "d s=softmax(a): s*(g - sum(g*s))"

    @staticmethod
    def forward(a, axis=-1):
        e = np.exp(_shifted(a, axis)[0])
        out = e / np.sum(e, axis, keepdims=True)
        return out, (out, axis)

    @staticmethod
    def backward(grad, saved, needs):
        out, axis = saved
        return (out * (grad - np.sum(grad * out, axis, keepdims=True)),)


class LogSoftmax(Function):
    """a - logsumexp(a) over ``axis``, stably; its gradient is written directly, in one step."""

    name = "log_softmax"
    rule = "d log_softmax(a): g - softmax(a)*sum(g)"

    @staticmethod
    def forward(a, axis=-1):
        shifted = _shifted(a, axis)[0]
        out = shifted - np.log(np.sum(np.exp(shifted), axis, keepdims=True))
        return out, (out, axis)

    @staticmethod
    def backward(grad, saved, needs):
        out, axis = saved
        return (grad - np.exp(out) * np.sum(grad, axis, keepdims=True),)
