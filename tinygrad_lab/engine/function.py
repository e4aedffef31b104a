"""``Function``: what every differentiable op is, the engine's own and a user's alike.

A Function works on plain NumPy arrays and knows nothing of Tensors:

- ``forward(*arrays, **params)`` returns ``(output, saved)``: ``params`` are constants (an
  axis, a shape, a slope), and ``saved`` is whatever the gradient needs later (references,
  never copies).
- ``backward(grad, saved, needs)`` takes the gradient of the loss with respect to the output
  and returns one gradient per input, shaped like that input, or ``None`` where ``needs`` says
  the input does not require a gradient (so no work is spent on it).
- ``name`` is what ``explain`` and the drawings call it, and ``rule`` its gradient in words:
  ``"d <expression>: <what each input receives>"``, in terms of the incoming gradient ``g``.

``MyOp.apply(*tensors, **params)`` applies it: the result is a Tensor that remembers the op,
so ``backward``, ``gradcheck``, ``explain``, the drawings and ``compile`` all work with it.
"""

import numpy as np


class Function:
    """Base class of every op: subclass it, give ``forward``, ``backward``, ``name``, ``rule``."""

    name = "function"
    rule = "d f(a): unknown"

    @classmethod
    def apply(cls, *inputs, **params):
        """The Tensor ``cls.forward`` makes from ``inputs`` (Tensors, or numbers and arrays,
        taken as constants of the first Tensor's dtype), recording this op for backward."""
        from .tensor import apply  # tensor.py imports the ops: importing it first would loop

        return apply(cls, inputs, params)

    @staticmethod
    def forward(*arrays, **params):
        raise NotImplementedError("a Function needs forward(*arrays, **params) -> (out, saved)")

    @staticmethod
    def backward(grad, saved, needs):
        raise NotImplementedError("a Function needs backward(grad, saved, needs) -> gradients")

    @classmethod
    def error(cls, numpy_error, *arrays):
        """The ValueError to raise when NumPy rejects this op's inputs."""
        return ValueError(f"{cls.name}: {numpy_error}")


class Elementwise(Function):
    """An op applied element by element to inputs that NumPy broadcasts together."""

    @classmethod
    def error(cls, numpy_error, *arrays):
        shapes = " and ".join(str(array.shape) for array in arrays)
        return ValueError(f"{cls.name}: shapes {shapes} cannot be broadcast")


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that NumPy broadcasting added or stretched, giving ``shape``."""
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    stretched = tuple(
        leading + i for i, size in enumerate(shape) if size == 1 and grad.shape[leading + i] != 1
    )
    return grad.sum(axis=tuple(range(leading)) + stretched).reshape(shape)


def normalize_axes(axis, ndim):
    """``axis`` (None, an int or a tuple, negatives allowed) as a sorted tuple of axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"axis {a} is out of range for an array of {ndim} dimensions")
    return tuple(sorted({int(a) % ndim for a in axes}))
