"""The autograd engine: Tensor, the op table, the one backward walk, gradcheck and compile.

It needs NumPy and the standard library only, and nothing else of the package.
"""

from . import ops
from .autograd import backpropagate, topological_order
from .compile import CompiledLoss, compile
from .creation import arange, eye, full, ones, ones_like, rand, randn, zeros, zeros_like
from .function import Function
from .functional import cat, stack, where
from .gradcheck import GradcheckError, gradcheck, gradients
from .mode import no_grad
from .ops import OPS
from .tensor import Tensor

__all__ = ["OPS", "CompiledLoss", "Function", "GradcheckError", "Tensor", "arange",
           "backpropagate", "cat", "compile", "eye", "full", "gradcheck", "gradients", "no_grad",
           "ones", "ones_like", "ops", "rand", "randn", "stack", "topological_order", "where",
           "zeros", "zeros_like"]
