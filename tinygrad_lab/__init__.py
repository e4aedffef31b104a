"""tinygrad_lab: a small reverse-mode autograd engine on NumPy, and the backpropagation lab."""

from . import data, nn, optim, viz
from .engine import CompiledLoss, GradcheckError, Tensor, compile, gradcheck, no_grad, ops  # noqa: F401 (see below)
from .explain import explain
from .train import History, accuracy, fit, predict
from .version import __version__

# ``compile`` is not in __all__, so that ``from tinygrad_lab import *`` leaves the builtin alone.
__all__ = ["CompiledLoss", "GradcheckError", "History", "Tensor", "__version__", "accuracy",
           "data", "explain", "fit", "gradcheck", "nn", "no_grad", "optim", "predict", "viz"]
