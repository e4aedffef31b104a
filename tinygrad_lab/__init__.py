"""tinygrad_lab: a small reverse-mode autograd engine on NumPy, and the backpropagation lab."""

from . import data, nn, optim, viz
from .engine import (  # noqa: F401 (compile: see below)
    CompiledLoss,
    Function,
    GradcheckError,
    Tensor,
    arange,
    cat,
    compile,
    eye,
    full,
    gradcheck,
    no_grad,
    ones,
    ones_like,
    ops,
    rand,
    randn,
    stack,
    where,
    zeros,
    zeros_like,
)
from .explain import explain
from .train import History, accuracy, fit, predict
from .version import __version__

# ``compile`` is not in __all__, so that ``from tinygrad_lab import *`` leaves the builtin alone.
__all__ = ["CompiledLoss", "Function", "GradcheckError", "History", "Tensor", "__version__",
           "accuracy", "arange", "cat", "data", "explain", "eye", "fit", "full", "gradcheck",
           "nn", "no_grad", "ones", "ones_like", "optim", "predict", "rand", "randn", "stack",
           "viz", "where", "zeros", "zeros_like"]
