"""Every differentiable operation, with its forward and its gradient side by side.

An op works on plain NumPy arrays and knows nothing of Tensors:

- ``forward(*arrays, **params)`` returns ``(output, saved)``, where ``saved`` is whatever the
  gradient needs later (references, never copies).
- ``backward(grad, saved, needs)`` takes the gradient of the loss with respect to the output and
  returns one gradient per input, shaped like that input, or ``None`` where ``needs`` says the
  input does not require a gradient (so no work is spent on it).

``OPS`` lists them all; the test suite gradient-checks every entry, so a new op is tested as
soon as it is added here (and the tests fail until it has a domain to be tested on).
"""

import numpy as np


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes that NumPy broadcasting added or stretched, giving ``shape``."""
    if grad.shape == shape:
        return grad
    leading = grad.ndim - len(shape)
    stretched = tuple(
        leading + i for i, size in enumerate(shape) if size == 1 and grad.shape[leading + i] != 1
    )
    return grad.sum(axis=tuple(range(leading)) + stretched).reshape(shape)


class Op:
    """Base of the ops: a name (the Tensor method that applies it) and how to explain a failure."""

    name = "op"

    @classmethod
    def error(cls, numpy_error, *arrays):
        """The ValueError to raise when NumPy rejects this op's inputs."""
        return ValueError(f"{cls.name}: {numpy_error}")


class BinaryOp(Op):
    """An elementwise op of two arrays under NumPy broadcasting."""

    @classmethod
    def error(cls, numpy_error, a, b):
        return ValueError(f"{cls.name}: shapes {a.shape} and {b.shape} cannot be broadcast")


# ---- elementwise arithmetic ---------------------------------------------------------------------

class Add(BinaryOp):
    name = "add"
    rule = "d a+b: g, g"

    @staticmethod
    def forward(a, b):
        return a + b, (a.shape, b.shape)

    @staticmethod
    def backward(grad, saved, needs):
        a_shape, b_shape = saved
        return (unbroadcast(grad, a_shape) if needs[0] else None,
                unbroadcast(grad, b_shape) if needs[1] else None)


class Sub(BinaryOp):
    name = "sub"
    rule = "d a-b: g, -g"

    @staticmethod
    def forward(a, b):
        return a - b, (a.shape, b.shape)

    @staticmethod
    def backward(grad, saved, needs):
        a_shape, b_shape = saved
        return (unbroadcast(grad, a_shape) if needs[0] else None,
                unbroadcast(-grad, b_shape) if needs[1] else None)


class Mul(BinaryOp):
    name = "mul"
    rule = "d a*b: g*b, g*a"

    @staticmethod
    def forward(a, b):
        return a * b, (a, b)

    @staticmethod
    def backward(grad, saved, needs):
        a, b = saved
        return (unbroadcast(grad * b, a.shape) if needs[0] else None,
                unbroadcast(grad * a, b.shape) if needs[1] else None)


class Div(BinaryOp):
    name = "div"
    rule = "d a/b: g/b, -g*a/b**2"

    @staticmethod
    def forward(a, b):
        out = a / b
        return out, (a.shape, b, out)

    @staticmethod
    def backward(grad, saved, needs):
        a_shape, b, out = saved
        grad_a = grad / b
        # d(a/b)/db = -a/b**2 = -(a/b)/b: reuse the output instead of squaring b.
        return (unbroadcast(grad_a, a_shape) if needs[0] else None,
                unbroadcast(-grad_a * out, b.shape) if needs[1] else None)


class Neg(Op):
    name = "neg"
    rule = "d -a: -g"

    @staticmethod
    def forward(a):
        return -a, None

    @staticmethod
    def backward(grad, saved, needs):
        return (-grad,)


class Pow(Op):
    """``a ** exponent`` for a constant number ``exponent``."""

    name = "pow"
    rule = "d a**c: g*c*a**(c-1)"

    @staticmethod
    def forward(a, exponent):
        return a ** exponent, (a, exponent)

    @staticmethod
    def backward(grad, saved, needs):
        a, exponent = saved
        return (grad * (exponent * a ** (exponent - 1)),)


class MatMul(Op):
    """``a @ b`` as ``numpy.matmul`` computes it, for 1-D and 2-D operands."""

    name = "matmul"
    rule = "d a@b: g@b.T, a.T@g"

    @staticmethod
    def forward(a, b):
        if a.ndim > 2 or b.ndim > 2:  # NumPy itself rejects 0-d operands
            raise ValueError("only 1-D and 2-D operands are supported")
        return a @ b, (a, b)

    @staticmethod
    def backward(grad, saved, needs):
        a, b = saved
        if grad.ndim == 2:  # both operands are 2-D: only then is the output 2-D
            return (grad @ b.T if needs[0] else None,
                    a.T @ grad if needs[1] else None)
        # A 1-D operand acts as a row (left) or a column (right) vector: lift to 2-D, then back.
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        grad2 = grad.reshape(a2.shape[0], b2.shape[1])
        return ((grad2 @ b2.T).reshape(a.shape) if needs[0] else None,
                (a2.T @ grad2).reshape(b.shape) if needs[1] else None)

    @classmethod
    def error(cls, numpy_error, a, b):
        if not (1 <= a.ndim <= 2 and 1 <= b.ndim <= 2):
            return ValueError(f"matmul: shapes {a.shape} and {b.shape}: only 1-D and 2-D operands "
                              "are supported")
        return ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned")


# ---- reductions and shape -----------------------------------------------------------------------

def spread(grad, shape, axis, keepdims):
    """The gradient of a sum over ``axis``: ``grad`` copied back along the summed axes."""
    if axis is not None and not keepdims:
        grad = np.expand_dims(grad, axis)
    out = np.empty(shape, dtype=grad.dtype)
    out[...] = grad
    return out


class Sum(Op):
    name = "sum"
    rule = "d sum(a): g copied over a"

    @staticmethod
    def forward(a, axis=None, keepdims=False):
        # np.add.reduce, as for mean and clip's np.minimum/np.maximum below, skips the Python
        # wrappers of ndarray.sum and np.clip: together ~4% of the lab step.
        return np.add.reduce(a, axis, keepdims=keepdims), (a.shape, axis, keepdims)

    @staticmethod
    def backward(grad, saved, needs):
        return (spread(grad, *saved),)


class Mean(Op):
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


class Reshape(Op):
    name = "reshape"
    rule = "d reshape(a): g in a's shape"

    @staticmethod
    def forward(a, shape):
        return a.reshape(shape), a.shape

    @staticmethod
    def backward(grad, saved, needs):
        return (grad.reshape(saved),)


class Transpose(Op):
    """Reverses the axes, as ``ndarray.T`` does (a 2-D matrix is transposed)."""

    name = "transpose"
    rule = "d a.T: g.T"

    @staticmethod
    def forward(a):
        return a.T, None

    @staticmethod
    def backward(grad, saved, needs):
        return (grad.T,)


# ---- elementwise functions ----------------------------------------------------------------------

class Exp(Op):
    name = "exp"
    rule = "d e=exp(a): g*e"

    @staticmethod
    def forward(a):
        out = np.exp(a)
        return out, out

    @staticmethod
    def backward(grad, saved, needs):
        return (grad * saved,)


class Log(Op):
    name = "log"
    rule = "d log(a): g/a"

    @staticmethod
    def forward(a):
        return np.log(a), a

    @staticmethod
    def backward(grad, saved, needs):
        return (grad / saved,)


# The numbers the activations combine with whole arrays, as 0-d arrays of each float dtype:
# NumPy converts a Python float anew on every call, which takes as long as the arithmetic on a
# small array, and takes a 0-d array as it is (with the in-place sigmoid and tanh backward, ~5%
# of the lab step). exp(x) overflows float64 above ~709.78 (float32 above ~88.72): its inputs
# are capped below that.
EXP_LIMIT = {np.dtype(np.float64): np.array(709.0, np.float64),
             np.dtype(np.float32): np.array(88.0, np.float32)}
ONE = {dtype: np.array(1.0, dtype) for dtype in EXP_LIMIT}
ZERO = {dtype: np.array(0.0, dtype) for dtype in EXP_LIMIT}


def sigmoid(a):
    """1 / (1 + exp(-a)), computed as e / (1 + e) with e = exp(a).

    One transcendental per element, and no overflow warning: ``a`` is capped where exp would
    overflow, and the result there is 1.0 either way.
    """
    dtype = a.dtype
    e = np.exp(np.minimum(a, EXP_LIMIT[dtype]))
    e /= e + ONE[dtype]
    return e


class Sigmoid(Op):
    name = "sigmoid"
    rule = "d s=sigmoid(a): g*s*(1-s)"

    @staticmethod
    def forward(a):
        out = sigmoid(a)
        return out, out

    @staticmethod
    def backward(grad, saved, needs):
        local = ONE[saved.dtype] - saved  # sigmoid' = s * (1 - s), from the saved output
        local *= saved
        local *= grad
        return (local,)


class Tanh(Op):
    name = "tanh"
    rule = "d t=tanh(a): g*(1-t**2)"

    @staticmethod
    def forward(a):
        out = np.tanh(a)
        return out, out

    @staticmethod
    def backward(grad, saved, needs):
        local = ONE[saved.dtype] - saved * saved  # tanh' = 1 - tanh**2
        local *= grad
        return (local,)


class Relu(Op):
    """max(a, 0); the gradient at 0 is 0, as in PyTorch."""

    name = "relu"
    rule = "d relu(a): g*(a>0)"

    @staticmethod
    def forward(a):
        return np.maximum(a, ZERO[a.dtype]), a

    @staticmethod
    def backward(grad, saved, needs):
        return (grad * (saved > ZERO[saved.dtype]),)


class Clip(Op):
    """Limits values to [lo, hi]; the gradient is 1 inside the interval (ends included), else 0."""

    name = "clip"
    rule = "d clip(a): g*(lo<=a<=hi)"

    @staticmethod
    def forward(a, lo, hi):
        if lo > hi:
            raise ValueError(f"the lower bound {lo} is above the upper bound {hi}")
        out = np.minimum(np.maximum(a, lo), hi)  # np.clip does the same, with more overhead
        return out, (a, out)

    @staticmethod
    def backward(grad, saved, needs):
        a, out = saved
        return (grad * (a == out),)  # unchanged exactly where lo <= a <= hi


class Softplus(Op):
    """log(1 + exp(a)), computed without overflow; its derivative is the sigmoid."""

    name = "softplus"
    rule = "d softplus(a): g*sigmoid(a)"

    @staticmethod
    def forward(a):
        return np.logaddexp(ZERO[a.dtype], a), a

    @staticmethod
    def backward(grad, saved, needs):
        return (grad * sigmoid(saved),)


OPS = (Add, Sub, Mul, Div, Neg, Pow, MatMul, Sum, Mean, Reshape, Transpose,
       Exp, Log, Sigmoid, Tanh, Relu, Clip, Softplus)
