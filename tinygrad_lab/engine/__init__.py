"""The autograd engine: Tensor, the op table, the one backward walk, gradcheck and compile.

It needs NumPy and the standard library only, and nothing else of the package.
"""

from . import ops
from .autograd import backpropagate, topological_order
from .compile import CompiledLoss, compile
from .gradcheck import GradcheckError, gradcheck, gradients
from .ops import OPS
from .tensor import Tensor, no_grad

__all__ = ["OPS", "CompiledLoss", "GradcheckError", "Tensor", "backpropagate", "compile",
           "gradcheck", "gradients", "no_grad", "ops", "topological_order"]
