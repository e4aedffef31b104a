"""Elementwise functions of one array: exp, log, sqrt, abs, sign, the activations, clip."""

import math

import numpy as np

from ..function import Function

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


def softplus(a):
    """log(1 + exp(a)) without overflow."""
    return np.logaddexp(ZERO[a.dtype], a)


class Exp(Function):
    name = "exp"
    rule = "d e=exp(a): g*e"

    @staticmethod
    def forward(a):
        out = np.exp(a)
        return out, out

    @staticmethod
    def backward(grad, saved, needs):
        return (grad * saved,)


class Log(Function):
    name = "log"
    rule = "d log(a): g/a"

    @staticmethod
    def forward(a):
        return np.log(a), a

    @staticmethod
    def backward(grad, saved, needs):
        return (grad / saved,)


class Sqrt(Function):
    name = "sqrt"
    rule = "d r=sqrt(a): g/(2*r)"

    @staticmethod
    def forward(a):
        out = np.sqrt(a)
        return out, out

    @staticmethod
    def backward(grad, saved, needs):
        with np.errstate(divide="ignore"):  # inf at 0, as in PyTorch, without a warning
            return (grad / (2 * saved),)


class Abs(Function):
    """|a|; the gradient at 0 is 0, as in PyTorch."""

    name = "abs"
    rule = "d |a|: g*sign(a)"

    @staticmethod
    def forward(a):
        return np.abs(a), a

    @staticmethod
    def backward(grad, saved, needs):
        return (grad * np.sign(saved),)


class Sign(Function):
    """-1, 0 or 1; piecewise constant, so its gradient is 0 everywhere."""

    name = "sign"
    rule = "d sign(a): 0*g"

    @staticmethod
    def forward(a):
        return np.sign(a), a.shape

    @staticmethod
    def backward(grad, saved, needs):
        return (np.zeros(saved, grad.dtype),)


class Sigmoid(Function):
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


class Tanh(Function):
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


# The gradients below select with np.where rather than multiply by a 0/1 mask: a product
# turns an incoming inf into nan where the gradient should be 0 (inf * 0), as PyTorch gives.

class Relu(Function):
    """max(a, 0); the gradient at 0 is 0, and a nan passes its gradient on, as in PyTorch."""

    name = "relu"
    rule = "d relu(a): g where relu(a)>0, else 0"

    @staticmethod
    def forward(a):
        out = np.maximum(a, ZERO[a.dtype])  # relu(nan) is nan
        return out, out

    @staticmethod
    def backward(grad, saved, needs):
        return (np.where(saved <= ZERO[saved.dtype], ZERO[grad.dtype], grad),)


class LeakyRelu(Function):
    """a where a > 0, else slope * a; the gradient at 0 is the slope, as in PyTorch."""

    name = "leaky_relu"
    rule = "d leaky_relu(a): g where a>0, else slope*g"

    @staticmethod
    def forward(a, slope=0.01):
        return np.where(a > 0, a, a * slope), (a, slope)

    @staticmethod
    def backward(grad, saved, needs):
        a, slope = saved
        return (np.where(a > 0, grad, grad * slope),)


class Relu6(Function):
    """min(max(a, 0), 6); the gradient is 0 at both kinks, as in PyTorch."""

    name = "relu6"
    rule = "d relu6(a): g where 0<a<6, else 0"

    @staticmethod
    def forward(a):
        return np.minimum(np.maximum(a, 0.0), 6.0), a

    @staticmethod
    def backward(grad, saved, needs):
        return (np.where((saved > 0) & (saved < 6), grad, ZERO[grad.dtype]),)


class Hardswish(Function):
    """a * relu6(a + 3) / 6; the gradient is PyTorch's: 0 below -3, 1 above 3, else (2a+3)/6."""

    name = "hardswish"
    rule = "d hardswish(a): g*(2a+3)/6 where -3<a<3, g where a>=3, else 0"

    @staticmethod
    def forward(a):
        return a * np.minimum(np.maximum(a + 3.0, 0.0), 6.0) / 6.0, a

    @staticmethod
    def backward(grad, saved, needs):
        local = np.where(saved <= -3.0, 0.0, np.where(saved < 3.0, (2.0 * saved + 3.0) / 6.0, 1.0))
        return (grad * local,)


class Gelu(Function):
    """The tanh form of GELU (PyTorch's ``approximate="tanh"``):
    a/2 * (1 + tanh(sqrt(2/pi) * (a + 0.044715 a**3)))."""

    name = "gelu"
    rule = "d gelu(a): g*(phi(a) + a*phi'(a)), phi(a) = (1+tanh(k(a+0.044715a**3)))/2"

    @staticmethod
    def forward(a):
        inner = math.sqrt(2.0 / math.pi) * (a + 0.044715 * a ** 3)
        t = np.tanh(inner)
        return 0.5 * a * (1.0 + t), (a, t)

    @staticmethod
    def backward(grad, saved, needs):
        a, t = saved
        d_inner = math.sqrt(2.0 / math.pi) * (1.0 + 3 * 0.044715 * a ** 2)
        return (grad * (0.5 * (1.0 + t) + 0.5 * a * (1.0 - t * t) * d_inner),)


class Mish(Function):
    """a * tanh(softplus(a))."""

    name = "mish"
    rule = "d mish(a): g*(t + a*sigmoid(a)*(1-t**2)), t = tanh(softplus(a))"

    @staticmethod
    def forward(a):
        t = np.tanh(softplus(a))
        return a * t, (a, t)

    @staticmethod
    def backward(grad, saved, needs):
        a, t = saved
        return (grad * (t + a * sigmoid(a) * (1.0 - t * t)),)


class Softplus(Function):
    """log(1 + exp(a)), computed without overflow; its derivative is the sigmoid."""

    name = "softplus"
    rule = "d softplus(a): g*sigmoid(a)"

    @staticmethod
    def forward(a):
        return softplus(a), a

    @staticmethod
    def backward(grad, saved, needs):
        return (grad * sigmoid(saved),)


class Clip(Function):
    """Limits values to [lo, hi]; the gradient is 1 inside the interval (ends included), else 0."""

    name = "clip"
    rule = "d clip(a): g where lo<=a<=hi, else 0"

    @staticmethod
    def forward(a, lo, hi):
        if lo > hi:
            raise ValueError(f"the lower bound {lo} is above the upper bound {hi}")
        out = np.minimum(np.maximum(a, lo), hi)  # np.clip does the same, with more overhead
        return out, (a, out)

    @staticmethod
    def backward(grad, saved, needs):
        a, out = saved
        # a == out exactly where lo <= a <= hi (never for nan: clip's gradient there is 0)
        return (np.where(a == out, grad, ZERO[grad.dtype]),)
