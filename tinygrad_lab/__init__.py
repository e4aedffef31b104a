"""tinygrad_lab: a small reverse-mode autograd engine on NumPy, and the backpropagation lab."""

from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor, no_grad

__version__ = "0.1.0"
__all__ = ["GradcheckError", "Tensor", "__version__", "gradcheck", "no_grad"]
