"""Making tensors: zeros, ones, full, arange, eye, rand, randn, and the ``_like`` forms.

Each takes ``dtype`` (float64 by default, or float32) and ``requires_grad``; the random ones
take ``rng``: a seed or a ``numpy.random.Generator`` (None: a fresh, unseeded one).
"""

import numpy as np

from .functional import shape_argument
from .tensor import Tensor


def _tensor(array, dtype, requires_grad):
    return Tensor(array, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape, dtype=None, requires_grad=False):
    """A tensor of 0s: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _tensor(np.zeros(shape_argument(shape)), dtype, requires_grad)


def ones(*shape, dtype=None, requires_grad=False):
    """A tensor of 1s: ``ones(2, 3)`` or ``ones((2, 3))``."""
    return _tensor(np.ones(shape_argument(shape)), dtype, requires_grad)


def full(shape, value, dtype=None, requires_grad=False):
    """A tensor of ``shape`` filled with ``value``."""
    return _tensor(np.full(shape, value, dtype=float), dtype, requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False):
    """Evenly spaced values in [start, stop), as ``numpy.arange`` (floats)."""
    return _tensor(np.arange(start, stop, step, dtype=float), dtype, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    """The n x m (default n x n) identity matrix."""
    return _tensor(np.eye(n, m), dtype, requires_grad)


def rand(*shape, rng=None, dtype=None, requires_grad=False):
    """Uniform random values in [0, 1)."""
    return _tensor(np.random.default_rng(rng).random(shape_argument(shape)), dtype, requires_grad)


def randn(*shape, rng=None, dtype=None, requires_grad=False):
    """Standard normal random values."""
    return _tensor(np.random.default_rng(rng).standard_normal(shape_argument(shape)), dtype,
                   requires_grad)


def zeros_like(tensor, dtype=None, requires_grad=False):
    """0s of the shape and (unless ``dtype`` is given) the dtype of ``tensor`` (or an array)."""
    array = tensor.data if isinstance(tensor, Tensor) else np.asarray(tensor)
    return _tensor(np.zeros(np.shape(array)), dtype or array.dtype, requires_grad)


def ones_like(tensor, dtype=None, requires_grad=False):
    """1s of the shape and (unless ``dtype`` is given) the dtype of ``tensor`` (or an array)."""
    array = tensor.data if isinstance(tensor, Tensor) else np.asarray(tensor)
    return _tensor(np.ones(np.shape(array)), dtype or array.dtype, requires_grad)
