"""Checking the engine's gradients against central finite differences."""

import numpy as np

from .tensor import Tensor, no_grad


class GradcheckError(AssertionError):
    """An analytic gradient that disagrees with the numeric one."""


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Compare the gradient of the scalar ``fn(*inputs)`` with central differences.

    Every element of every input Tensor that requires grad is checked, in float64: the check
    passes where ``|analytic - numeric| <= atol + rtol * |numeric|``. Inputs that are not Tensors
    are passed through unchanged. The inputs themselves are left untouched (their copies are
    differentiated).

    Returns True; raises GradcheckError naming the input, the index and both values.
    """
    inputs = [Tensor(x, requires_grad=x.requires_grad) if isinstance(x, Tensor) else x
              for x in inputs]
    output = fn(*inputs)
    if not isinstance(output, Tensor) or output.size != 1:
        shape = output.shape if isinstance(output, Tensor) else type(output).__name__
        raise ValueError(f"gradcheck: fn must return a one-element Tensor, got {shape}")
    if output.requires_grad:
        output.backward()

    def value():
        with no_grad():
            return float(fn(*inputs).data.sum())

    for position, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            continue
        analytic = np.zeros_like(x.data) if x.grad is None else x.grad
        for index in np.ndindex(x.shape):
            original = x.data[index]
            x.data[index] = original + eps
            above = value()
            x.data[index] = original - eps
            below = value()
            x.data[index] = original
            numeric = (above - below) / (2 * eps)
            if not abs(analytic[index] - numeric) <= atol + rtol * abs(numeric):
                raise GradcheckError(
                    f"gradcheck: input {position} (shape {x.shape}) at index {index}: "
                    f"analytic gradient {analytic[index]:.10g}, numeric {numeric:.10g}")
    return True
