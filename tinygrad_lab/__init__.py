"""tinygrad_lab: a small reverse-mode autograd engine on NumPy, and the backpropagation lab."""

from . import data, nn, optim, viz
from .capture import CompiledLoss, compile
from .explain import explain
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor, no_grad
from .train import History, accuracy, fit, predict

__version__ = "0.1.0"
__all__ = ["CompiledLoss", "GradcheckError", "History", "Tensor", "__version__", "accuracy",
           "compile", "data", "explain",
           "fit", "gradcheck", "nn", "no_grad", "optim", "predict", "viz"]
