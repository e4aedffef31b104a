"""Optimizers: they update the parameters' ``.data`` in place from their ``.grad``.

The updates work on the NumPy arrays directly, so they record no graph.
"""

import math
import numbers

import numpy as np


def _check(name, value, low, high=math.inf, low_inclusive=False):
    # numbers.Real, not (int, float): a NumPy float32 is a fine learning rate; the type is
    # checked before comparing, so that a string gives ValueError, not TypeError.
    ok = (isinstance(value, numbers.Real) and not isinstance(value, bool)
          and math.isfinite(value)
          and (value >= low if low_inclusive else value > low) and value < high)
    if not ok:
        raise ValueError(f"{name} must be a finite number in {'[' if low_inclusive else '('}"
                         f"{low}, {high}), got {value!r}")
    return float(value)


class Optimizer:
    """Holds the parameters; ``zero_grad`` forgets their gradients.

    ``weight_decay`` (L2, as PyTorch's optimizers take it) adds ``weight_decay * p`` to each
    gradient before the update; 0 leaves the gradient itself.
    """

    def __init__(self, params, weight_decay=0.0):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got no parameters to optimize")
        if not all(p.requires_grad for p in self.params):
            raise ValueError(f"{type(self).__name__}: every parameter must require grad")
        self.weight_decay = _check("weight_decay", weight_decay, 0.0, low_inclusive=True)

    def zero_grad(self):
        """Set every parameter's ``.grad`` to None (the next backward starts from zero)."""
        for p in self.params:
            p.grad = None

    def gradient(self, p):
        """The gradient the update uses for ``p``: its ``.grad``, plus the weight decay."""
        # Without decay, .grad itself: the updates stay bit for bit what they were.
        return p.grad + self.weight_decay * p.data if self.weight_decay else p.grad


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (heavy-ball) momentum.

    ``v = momentum * v + grad; p -= lr * v`` (momentum 0 gives ``p -= lr * grad``), ``grad``
    including the weight decay. Raises ValueError for a setting out of range.
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, weight_decay)
        self.lr = _check("lr", lr, 0.0)
        self.momentum = _check("momentum", momentum, 0.0, 1.0, low_inclusive=True)
        self.velocities = [np.zeros_like(p.data) for p in self.params] if self.momentum else None

    def step(self):
        """Update every parameter that has a gradient."""
        if self.velocities is None:
            for p in self.params:
                if p.grad is not None:
                    p.data -= self.lr * self.gradient(p)
            return
        for p, velocity in zip(self.params, self.velocities, strict=True):
            if p.grad is not None:
                velocity *= self.momentum
                velocity += self.gradient(p)
                p.data -= self.lr * velocity


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias-corrected moment estimates.

    The weight decay is added to the gradient (as PyTorch's Adam; not AdamW's decoupled decay).
    Raises ValueError for a setting out of range.
    """

    def __init__(self, params, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, weight_decay)
        self.lr = _check("lr", lr, 0.0)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = tuple(_check("betas", b, 0.0, 1.0, low_inclusive=True) for b in betas)
        self.eps = _check("eps", eps, 0.0)
        self.steps = 0
        # Per parameter, as in PyTorch: a parameter skipped (no grad) on some step must not
        # get the bias correction of moments it never accumulated.
        self.param_steps = [0] * len(self.params)
        self.first_moments = [np.zeros_like(p.data) for p in self.params]
        self.second_moments = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        """Update every parameter that has a gradient."""
        self.steps += 1
        beta1, beta2 = self.betas
        for i, (p, m, v) in enumerate(zip(self.params, self.first_moments, self.second_moments,
                                           strict=True)):
            if p.grad is None:
                continue
            self.param_steps[i] += 1
            first_correction = 1 - beta1 ** self.param_steps[i]
            second_correction = 1 - beta2 ** self.param_steps[i]
            grad = self.gradient(p)
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            p.data -= self.lr * (m / first_correction) / (np.sqrt(v / second_correction) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), as PyTorch's: ``v = alpha * v + (1 - alpha) * grad**2;
    p -= lr * grad / (sqrt(v) + eps)``, ``grad`` including the weight decay.

    Raises ValueError for a setting out of range.
    """

    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.0):
        super().__init__(params, weight_decay)
        self.lr = _check("lr", lr, 0.0)
        self.alpha = _check("alpha", alpha, 0.0, 1.0, low_inclusive=True)
        self.eps = _check("eps", eps, 0.0)
        self.square_averages = [np.zeros_like(p.data) for p in self.params]

    def step(self):
        """Update every parameter that has a gradient."""
        for p, v in zip(self.params, self.square_averages, strict=True):
            if p.grad is None:
                continue
            grad = self.gradient(p)
            v *= self.alpha
            v += (1 - self.alpha) * grad * grad
            p.data -= self.lr * grad / (np.sqrt(v) + self.eps)
