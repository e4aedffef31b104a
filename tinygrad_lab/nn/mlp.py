"""The lab's network, ``MLP``: Linear layers with an activation between them and a sigmoid output
(or a softmax over K outputs), saved to a file together with its architecture."""

import json
import types
from collections.abc import Iterable

import numpy as np

from ..engine import Tensor
from ..files import atomic_write
from .layers import Linear, positive_int
from .module import Module, copy_into, read_weights

# The hidden layers' activations, by the name a user gives (``MLP(activation="tanh")``).
ACTIVATION_FUNCTIONS = {"sigmoid": Tensor.sigmoid, "tanh": Tensor.tanh, "relu": Tensor.relu,
                        "none": lambda x: x}
ACTIVATIONS = tuple(ACTIVATION_FUNCTIONS)


class _Load:
    """``MLP.load``: on the class, it builds the MLP a file describes (``build_from_file``); on
    a model, it loads the file into the model (``load_into``), as ``load`` does for any Module.
    (A classmethod alone would make ``model.load(path)`` return a new model, quietly.)"""

    def __get__(self, model, cls):
        if model is None:
            return types.MethodType(build_from_file, cls)
        return types.MethodType(load_into, model)


class MLP(Module):
    """The lab's network: Linear layers with ``activation`` between them and a sigmoid output.

    ``MLP(2, (10, 10), 1)`` is the spec's network: sigmoid(sigmoid(sigmoid(x W1) W2) W3), no bias,
    weights drawn from a standard normal. ``model(x)`` returns probabilities: for one output its
    sigmoid, for ``out_features=K > 1`` the softmax over the K classes; ``model.logits(x)`` the
    values before that. Raises ValueError for sizes, an activation or an init it does not know.
    """

    def __init__(self, in_features=2, hidden=(10, 10), out_features=1, activation="sigmoid",
                 bias=False, rng=None, init="normal", dtype=None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; "
                             f"got {activation!r}")
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Iterable):
            raise ValueError(f"hidden must be a sequence of layer sizes such as (10, 10), "
                             f"got {hidden!r}")
        hidden = tuple(positive_int(size, "every hidden size") for size in hidden)
        rng = np.random.default_rng(rng)  # one stream: W1, W2, ... are drawn in order
        sizes = (positive_int(in_features, "in_features"), *hidden,
                 positive_int(out_features, "out_features"))
        self.layers = [Linear(fan_in, fan_out, bias=bias, rng=rng, init=init, dtype=dtype)
                       for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True)]
        self.config = {"in_features": sizes[0], "hidden": list(hidden),
                       "out_features": sizes[-1], "activation": activation, "bias": bool(bias),
                       "init": init}

    in_features = property(lambda self: self.config["in_features"])
    hidden = property(lambda self: tuple(self.config["hidden"]))
    out_features = property(lambda self: self.config["out_features"])
    activation = property(lambda self: self.config["activation"])

    def logits(self, x):
        """The output layer's values before the sigmoid or softmax (for a loss from logits).

        It calls each layer's ``forward`` directly (``layer(x)`` would only pass ``x`` on to it):
        in a small network, a training step's time goes mostly to Python calls like that one.
        """
        *hidden, output = self.layers
        activation = ACTIVATION_FUNCTIONS[self.config["activation"]]
        for layer in hidden:
            x = activation(layer.forward(x))
        return output.forward(x)

    def forward(self, x):
        logits = self.logits(x)
        return logits.sigmoid() if self.config["out_features"] == 1 else logits.softmax(-1)

    def __repr__(self):
        c = self.config
        return (f"MLP(in_features={c['in_features']}, hidden={tuple(c['hidden'])}, "
                f"out_features={c['out_features']}, activation={c['activation']!r}, "
                f"bias={c['bias']})")

    def save(self, path):
        """Write the weights (``state_dict``) and the architecture to one .npz file, whole or
        not at all; ``MLP.load(path)`` builds the model again from it."""
        arrays = self.state_dict()
        arrays["config"] = np.array(json.dumps(self.config))
        with atomic_write(path) as file:
            np.savez(file, **arrays)

    load = _Load()


def build_from_file(cls, path, dtype=None):
    """``MLP.load(path, dtype=None)``: the MLP a file written by ``MLP.save`` describes, holding
    its weights (as float64, or ``dtype``).

    Raises FileNotFoundError if there is no such file, and ValueError if it is not a weights file
    written by MLP.save or its weights do not fit its architecture.
    """
    weights, config = read_weights(path)
    architecture = _architecture(path, config)
    try:
        model = cls(**architecture, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path}: not a weights file written by MLP.save (its architecture: "
                         f"{error})") from None
    copy_into(model, _by_name(weights, model, path), True,
              f"{path}: the weights do not fit {model!r}")
    return model


def load_into(model, path):
    """``model.load(path)``: the weights of a file written by ``save`` loaded into ``model``;
    returns it.

    Raises FileNotFoundError if there is no such file, and ValueError if it is not a weights file
    or holds another architecture (saying what differs).
    """
    weights, config = read_weights(path)
    if config is not None:
        stored = _architecture(path, config)
        differs = [f"{key} {value!r} (this model: {model.config.get(key)!r})"
                   for key, value in stored.items()
                   if key != "init" and value != model.config.get(key)]  # init: gone once loaded
        if differs:
            raise ValueError(f"{path}: holds another architecture than {model!r}: "
                             f"{'; '.join(differs)}")
    copy_into(model, _by_name(weights, model, path), True,
              f"{path}: the weights do not fit {model!r}")
    return model


def _architecture(path, config):
    """The keyword arguments of MLP stored in a file's config text; ValueError if there are
    none."""
    if config is None:
        raise ValueError(f"{path}: not a weights file written by MLP.save (it holds no "
                         f"architecture; load it into a model of yours with model.load(path))")
    try:
        stored = json.loads(config)
    except ValueError:
        stored = None
    if not isinstance(stored, dict):
        raise ValueError(f"{path}: not a weights file written by MLP.save (its architecture is "
                         f"not a JSON object)")
    return stored


def _by_name(weights, model, path):
    """``weights`` named as ``model.state_dict()`` names them. A file from before the state
    dict names its arrays param0, param1, ... in the order of ``parameters()``."""
    names = [name for name, _ in model.named_parameters()]
    legacy = [f"param{i}" for i in range(len(weights))]
    if not weights or sorted(weights) != sorted(legacy) or set(weights) == set(names):
        return weights
    if len(weights) != len(names):
        raise ValueError(f"{path}: holds {len(weights)} weight arrays but the architecture "
                         f"{model!r} has {len(names)}")
    return {name: weights[key] for name, key in zip(names, legacy, strict=True)}

