"""Checking the engine's gradients against central finite differences."""

import numpy as np

from .mode import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic gradient that disagrees with the numeric one."""


def gradients(fn, *inputs, eps=1e-6):
    """The engine's and the central-difference gradients of the scalar ``fn(*inputs)``.

    Works on float64 copies of the input Tensors (the originals are untouched); inputs that are
    not Tensors are passed through. Returns a list with, for each input Tensor that requires
    grad, ``(position, analytic, numeric)``; an input the output does not reach gets zeros.
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

    results = []
    for position, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            continue
        numeric = np.empty_like(x.data)
        for index in np.ndindex(x.shape):
            original = x.data[index]
            x.data[index] = original + eps
            above = value()
            x.data[index] = original - eps
            below = value()
            x.data[index] = original
            numeric[index] = (above - below) / (2 * eps)
        analytic = np.zeros_like(x.data) if x.grad is None else x.grad
        results.append((position, analytic, numeric))
    return results


def gradcheck(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Compare the gradient of the scalar ``fn(*inputs)`` with central differences.

    Every element of every input Tensor that requires grad is checked, in float64: the check
    passes where ``|analytic - numeric| <= atol + rtol * |numeric|``. Inputs that are not Tensors
    are passed through unchanged, and the inputs themselves are left untouched.

    Returns True; raises GradcheckError naming the input, the index and both values.
    """
    for position, analytic, numeric in gradients(fn, *inputs, eps=eps):
        wrong = ~(np.abs(analytic - numeric) <= atol + rtol * np.abs(numeric))
        if wrong.any():
            index = tuple(int(i) for i in np.argwhere(wrong)[0])
            raise GradcheckError(
                f"gradcheck: input {position} (shape {analytic.shape}) at index {index}: "
                f"analytic gradient {analytic[index]:.10g}, numeric {numeric[index]:.10g}")
    return True
