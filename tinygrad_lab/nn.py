"""Layers, the lab's network and its losses, built from the engine's ops."""

import json
import zipfile

import numpy as np

from .engine import Tensor
from .files import atomic_write

# The hidden layers' activations, by the name a user gives (``MLP(activation="tanh")``).
ACTIVATION_FUNCTIONS = {"sigmoid": Tensor.sigmoid, "tanh": Tensor.tanh, "relu": Tensor.relu,
                        "none": lambda x: x}
ACTIVATIONS = tuple(ACTIVATION_FUNCTIONS)
INITS = ("normal", "xavier", "lecun")


class Module:
    """Something with parameters that maps a Tensor to a Tensor: subclasses define ``forward``."""

    def parameters(self):
        """The trainable Tensors, in a fixed order."""
        return []

    def zero_grad(self):
        """Forget the gradients of every parameter (sets ``.grad`` to None)."""
        for parameter in self.parameters():
            parameter.grad = None

    def __call__(self, x):
        return self.forward(x)


def init_scale(init, fan_in, fan_out):
    """The standard deviation of a normal initialisation.

    "normal" is the spec's standard normal; "xavier" (Glorot) is sqrt(2 / (fan_in + fan_out));
    "lecun" is 1 / sqrt(fan_in), which keeps a wide layer out of saturation.
    """
    if init == "normal":
        return 1.0
    if init == "xavier":
        return float(np.sqrt(2.0 / (fan_in + fan_out)))
    if init == "lecun":
        return float(1.0 / np.sqrt(fan_in))
    raise ValueError(f"init must be one of {', '.join(INITS)}; got {init!r}")


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class Linear(Module):
    """``x @ weight (+ bias)`` with ``weight`` of shape (in_features, out_features)."""

    def __init__(self, in_features, out_features, bias=False, rng=None, init="normal",
                 dtype=None):
        self.in_features = _positive_int(in_features, "in_features")
        self.out_features = _positive_int(out_features, "out_features")
        rng = np.random.default_rng(rng)
        scale = init_scale(init, in_features, out_features)
        weight = rng.standard_normal((in_features, out_features)) * scale
        self.weight = Tensor(weight, requires_grad=True, dtype=dtype)
        self.bias = (Tensor(np.zeros(out_features), requires_grad=True, dtype=dtype)
                     if bias else None)

    def parameters(self):
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def forward(self, x):
        out = x @ self.weight
        return out if self.bias is None else out + self.bias

    def __repr__(self):
        return (f"Linear(in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None})")


class MLP(Module):
    """The lab's network: Linear layers with ``activation`` between them and a sigmoid output.

    ``MLP(2, (10, 10), 1)`` is the spec's network: sigmoid(sigmoid(sigmoid(x W1) W2) W3), no bias,
    weights drawn from a standard normal. ``model(x)`` returns probabilities; ``model.logits(x)``
    the values before the output sigmoid.
    """

    def __init__(self, in_features=2, hidden=(10, 10), out_features=1, activation="sigmoid",
                 bias=False, rng=None, init="normal", dtype=None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; "
                             f"got {activation!r}")
        hidden = tuple(_positive_int(size, "every hidden size") for size in hidden)
        rng = np.random.default_rng(rng)  # one stream: W1, W2, ... are drawn in order
        sizes = (_positive_int(in_features, "in_features"), *hidden,
                 _positive_int(out_features, "out_features"))
        self.layers = [Linear(fan_in, fan_out, bias=bias, rng=rng, init=init, dtype=dtype)
                       for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)]
        self.config = {"in_features": sizes[0], "hidden": list(hidden),
                       "out_features": sizes[-1], "activation": activation, "bias": bool(bias),
                       "init": init}

    in_features = property(lambda self: self.config["in_features"])
    hidden = property(lambda self: tuple(self.config["hidden"]))
    activation = property(lambda self: self.config["activation"])

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def logits(self, x):
        """The output layer's values before the sigmoid (for the from-logits loss).

        It calls each layer's ``forward`` directly (``layer(x)`` would only pass ``x`` on to it):
        in a small network, a training step's time goes mostly to Python calls like that one.
        """
        *hidden, output = self.layers
        activation = ACTIVATION_FUNCTIONS[self.config["activation"]]
        for layer in hidden:
            x = activation(layer.forward(x))
        return output.forward(x)

    def forward(self, x):
        return self.logits(x).sigmoid()

    def __repr__(self):
        c = self.config
        return (f"MLP(in_features={c['in_features']}, hidden={tuple(c['hidden'])}, "
                f"out_features={c['out_features']}, activation={c['activation']!r}, "
                f"bias={c['bias']})")

    def save(self, path):
        """Write the architecture and the weights to one .npz file, whole or not at all."""
        arrays = {f"param{i}": p.data for i, p in enumerate(self.parameters())}
        arrays["config"] = np.array(json.dumps(self.config))
        with atomic_write(path) as file:
            np.savez(file, **arrays)

    @classmethod
    def load(cls, path, dtype=None):
        """An MLP from a file written by ``save``; ValueError if it is corrupt or does not fit."""
        try:
            # Opened here, not by np.load: np.load leaves its own handle open when the file
            # starts like a zip but is not one (a truncated save), leaking a ResourceWarning.
            with open(path, "rb") as file, np.load(file, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
            config = json.loads(str(arrays.pop("config")))
            model = cls(**config, dtype=dtype)
        except FileNotFoundError:
            raise
        except (OSError, KeyError, ValueError, TypeError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path}: not a weights file written by MLP.save ({error})") from None
        parameters = model.parameters()
        if len(arrays) != len(parameters):
            raise ValueError(f"{path}: holds {len(arrays)} weight arrays but the architecture "
                             f"{model!r} has {len(parameters)}")
        for i, parameter in enumerate(parameters):
            stored = arrays.get(f"param{i}")
            if stored is not None and stored.dtype.kind not in "biuf":
                raise ValueError(f"{path}: not a weights file written by MLP.save (weight {i} "
                                 f"holds {stored.dtype} values, not numbers)")
            if stored is None or stored.shape != parameter.shape:
                found = "nothing" if stored is None else f"shape {stored.shape}"
                raise ValueError(f"{path}: weight {i} should have shape {parameter.shape} for "
                                 f"{model!r}, found {found}")
            parameter.data[...] = stored
        return model


def _check_same_shape(name, pred, target):
    if pred.data.shape != target.shape:
        raise ValueError(f"{name}: pred has shape {pred.shape} but target has shape "
                         f"{target.shape}; they must be equal (use labels of shape (n, 1))")


# The smallest eps that keeps 1 - eps below 1 in each float type (1 - 1e-12 is 1 in float32).
_MIN_EPS = {np.dtype(np.float64): float(np.finfo(np.float64).eps),
            np.dtype(np.float32): float(np.finfo(np.float32).eps)}


def binary_cross_entropy(pred, target, eps=1e-12):
    """Mean binary cross-entropy ``-mean(t*log(p) + (1-t)*log(1-p))`` of probabilities ``pred``.

    ``p`` is clipped to [eps, 1 - eps] so the loss stays finite at 0 and 1; targets may be soft
    (any value in [0, 1]). ``target`` is a Tensor or an array of ``pred``'s shape.
    """
    _check_same_shape("binary_cross_entropy", pred, target)
    eps = max(eps, _MIN_EPS[pred.data.dtype])
    p = pred.clip(eps, 1.0 - eps)
    # Each product has the Tensor on the left: `array * tensor` goes through NumPy's ufunc
    # dispatch first (~1 us); the product is the same either way.
    return -(p.log() * target + (1.0 - p).log() * (1.0 - target)).mean()


def binary_cross_entropy_with_logits(logits, target):
    """Mean binary cross-entropy of ``sigmoid(logits)``, computed stably from the logits.

    Uses ``softplus(z) - z*t``, which equals ``max(z, 0) - z*t + log(1 + exp(-|z|))``.
    """
    _check_same_shape("binary_cross_entropy_with_logits", logits, target)
    return (logits.softplus() - logits * target).mean()
