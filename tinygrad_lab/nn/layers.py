"""Layers: Linear, the activation modules, Dropout, and Sequential to chain them."""

import numpy as np

from ..engine import Tensor
from .module import Module

INITS = ("normal", "xavier", "lecun")


def init_scale(init, fan_in, fan_out):
    """The standard deviation of a normal initialisation.

    "normal" is the spec's standard normal; "xavier" (Glorot) is sqrt(2 / (fan_in + fan_out));
    "lecun" is 1 / sqrt(fan_in), which keeps a wide layer out of saturation.
    Raises ValueError for another name.
    """
    if init == "normal":
        return 1.0
    if init == "xavier":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    if init == "lecun":
        return float(1.0 / np.sqrt(fan_in))
    raise ValueError(f"init must be one of {', '.join(INITS)}; got {init!r}")


def positive_int(value, name):
    """``value`` as an int; ValueError naming ``name`` unless it is a positive integer."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class Linear(Module):
    """``x @ weight (+ bias)`` with ``weight`` of shape (in_features, out_features).

    ``rng`` (a seed or a NumPy Generator) draws the weight from a normal of the ``init``'s scale;
    the bias starts at 0. Raises ValueError for sizes that are not positive integers.
    """

    def __init__(self, in_features, out_features, bias=False, rng=None, init="normal",
                 dtype=None):
        self.in_features = positive_int(in_features, "in_features")
        self.out_features = positive_int(out_features, "out_features")
        rng = np.random.default_rng(rng)
        scale = init_scale(init, in_features, out_features)
        weight = rng.standard_normal((in_features, out_features)) * scale
        # weight before bias: the parameters' order, which the lab's figures and files follow
        self.weight = Tensor(weight, requires_grad=True, dtype=dtype)
        self.bias = (Tensor(np.zeros(out_features), requires_grad=True, dtype=dtype)
                     if bias else None)

    def forward(self, x):
        out = x @ self.weight
        return out if self.bias is None else out + self.bias

    def __repr__(self):
        return (f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None})")


class Sigmoid(Module):
    """``x.sigmoid()`` as a layer."""

    def forward(self, x):
        return x.sigmoid()

    def __repr__(self):
        return "Sigmoid()"


class Tanh(Module):
    """``x.tanh()`` as a layer."""

    def forward(self, x):
        return x.tanh()

    def __repr__(self):
        return "Tanh()"


class ReLU(Module):
    """``x.relu()`` as a layer."""

    def forward(self, x):
        return x.relu()

    def __repr__(self):
        return "ReLU()"


class LeakyReLU(Module):
    """``x.leaky_relu(slope)`` as a layer: x for x > 0, ``slope * x`` below."""

    def __init__(self, slope=0.01):
        self.slope = slope

    def forward(self, x):
        return x.leaky_relu(self.slope)

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope})"


class Softmax(Module):
    """``x.softmax(axis)`` as a layer: probabilities over ``axis``."""

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        return x.softmax(self.axis)

    def __repr__(self):
        return f"Softmax(axis={self.axis})"


class Dropout(Module):
    """``x.dropout(p)`` while training (each value zeroed with probability p, the others scaled
    by 1 / (1 - p)); the identity after ``eval()``. ``rng`` (a seed or a NumPy Generator) draws
    the masks, one after another. Raises ValueError unless 0 <= p < 1.
    """

    def __init__(self, p=0.5, rng=None):
        # Checked now as Tensor.dropout checks it, so a bad p fails where it is written.
        if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be a probability in [0, 1), got {p!r}")
        self.p = float(p)
        self.rng = np.random.default_rng(rng)

    def forward(self, x):
        return x.dropout(self.p, training=self.training, rng=self.rng)

    def __repr__(self):
        return f"Dropout(p={self.p})"


class Sequential(Module):
    """Modules applied one after another: ``Sequential(Linear(2, 8), ReLU(), Linear(8, 3))``.

    ``len``, indexing (a slice gives a Sequential) and iteration go over the modules; their
    parameters are named by position (``0.weight``). Raises TypeError for what is not a Module.
    """

    def __init__(self, *modules):
        for position, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: module {position} is a {type(module).__name__}, "
                                f"not a Module")
        self.steps = list(modules)

    def _attributes(self):
        return enumerate(self.steps)

    @property
    def in_features(self):
        """The first module's ``in_features`` (so ``fit`` can name a mismatch), else None."""
        return getattr(self.steps[0], "in_features", None) if self.steps else None

    def forward(self, x):
        for module in self.steps:
            x = module(x)
        return x

    def logits(self, x):
        """The output before a final Softmax or Sigmoid (for a loss computed from logits, such
        as ``cross_entropy``); without one, the output itself."""
        steps = self.steps
        if steps and isinstance(steps[-1], (Softmax, Sigmoid)):
            steps = steps[:-1]
        for module in steps:
            x = module(x)
        return x

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(*self.steps[index])
        return self.steps[index]

    def __iter__(self):
        return iter(self.steps)

    def __repr__(self):
        return f"Sequential({', '.join(repr(module) for module in self.steps)})"
