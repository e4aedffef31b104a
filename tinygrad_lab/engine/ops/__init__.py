"""Every differentiable op of the engine, each a ``Function``: forward, gradient and rule side
by side, grouped by kind in the modules of this package.

``OPS`` lists them all; the test suite gradient-checks every entry, so a new op is tested as
soon as it is added here (and the tests fail until it has a domain to be tested on).
"""

from ..function import Function, unbroadcast
from .activations import (
    Abs,
    Clip,
    Exp,
    Gelu,
    Hardswish,
    LeakyRelu,
    Log,
    Mish,
    Relu,
    Relu6,
    Sigmoid,
    Sign,
    Softplus,
    Sqrt,
    Tanh,
)
from .arithmetic import Add, Div, MatMul, Maximum, Minimum, Mul, Neg, Pow, Sub, Where
from .conv import AvgPool2d, Conv2d, MaxPool2d
from .reductions import LogSoftmax, LogSumExp, Max, Mean, Min, Prod, Softmax, Sum
from .shape import Cat, Expand, Index, Pad, Reshape, Transpose

OPS = (Add, Sub, Mul, Div, Neg, Pow, MatMul, Maximum, Minimum, Where,
       Exp, Log, Sqrt, Abs, Sign, Sigmoid, Tanh, Relu, LeakyRelu, Relu6, Hardswish, Gelu, Mish,
       Softplus, Clip,
       Sum, Mean, Max, Min, Prod, LogSumExp, Softmax, LogSoftmax,
       Reshape, Transpose, Expand, Index, Pad, Cat,
       Conv2d, MaxPool2d, AvgPool2d)

__all__ = ["OPS", "Function", "unbroadcast", *(op.__name__ for op in OPS)]
