"""The lab network's gradient check: the engine's gradient of the loss against central differences,
for every weight (what `tinygrad-lab gradcheck` prints and the report's section 4.D3 shows)."""

import math

import numpy as np

from .. import data, nn
from ..engine import Tensor, compile, gradients
from .config import GRADCHECK_STEP, GRADCHECK_TOLERANCE, SPEC_CONFIG
from .runs import seeded_streams


def model_gradient_errors(model, x, y, eps=GRADCHECK_STEP):
    """How far the engine's gradient of the mean BCE of ``model`` on (x, y) is from central
    differences, for every weight (and bias) of an ``nn.MLP``; the model is left as it was.

    Returns one dict per parameter, in order: ``name`` ("W1", "b1", ...), ``shape``,
    ``max_abs_error`` and ``max_relative_error`` (|a - n| / max(|a| + |n|, 1e-12)).
    """
    slots = [(layer, attribute) for layer in model.layers for attribute in ("weight", "bias")
             if getattr(layer, attribute) is not None]
    originals = [getattr(layer, attribute) for layer, attribute in slots]

    def loss(*parameters):  # gradients() hands in copies of the parameters; the model uses them
        for (layer, attribute), parameter in zip(slots, parameters, strict=True):
            setattr(layer, attribute, parameter)
        return nn.binary_cross_entropy(model(Tensor(x)), y)

    try:
        results = gradients(loss, *originals, eps=eps)
    finally:
        for (layer, attribute), parameter in zip(slots, originals, strict=True):
            setattr(layer, attribute, parameter)
    errors = []
    for position, analytic, numeric in results:
        layer_number = model.layers.index(slots[position][0]) + 1
        error = np.abs(analytic - numeric)
        relative = error / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
        errors.append({"name": f"{'W' if slots[position][1] == 'weight' else 'b'}{layer_number}",
                       "shape": list(analytic.shape), "max_abs_error": float(error.max()),
                       "max_relative_error": float(relative.max())})
    return errors


def gradient_check(seed=0, hidden=tuple(SPEC_CONFIG["hidden"]), samples=data.LINEAR_SIZE,
                   activation=SPEC_CONFIG["activation"]):
    """The lab network's analytic gradients against central differences, on ``samples`` linear
    points and the weights of ``seed`` (by default the spec's network).

    Returns a dict: the network, the number of weights checked, and per weight matrix its shape,
    largest absolute and largest relative error; plus the largest of each over all matrices.
    """
    data_rng, model_rng, _ = seeded_streams(seed)
    x, y = data.generate("linear", samples, rng=data_rng)
    model = nn.MLP(hidden=hidden, activation=activation, rng=model_rng)
    layers = model_gradient_errors(model, x, y)
    return {"seed": seed, "hidden": list(hidden), "samples": samples,
            "step_source": compiled_step_source(seed, hidden),
            "weights": sum(math.prod(layer["shape"]) for layer in layers), "layers": layers,
            "max_abs_error": max(layer["max_abs_error"] for layer in layers),
            "max_relative_error": max(layer["max_relative_error"] for layer in layers)}


def compiled_step_source(seed=0, hidden=tuple(SPEC_CONFIG["hidden"])):
    """The code ``compile`` writes for one training step's forward and backward of the lab
    network on XOR (``step.source``), with the parameters named: a line ``# p2 = W1, ...``."""
    x, y = data.generate("xor")
    model = nn.MLP(hidden=hidden, rng=seeded_streams(seed)[1])
    step = compile(lambda: nn.binary_cross_entropy(model(Tensor(x)), y))
    step()
    lines = step.source.splitlines()
    slots = lines[1].removeprefix("# parameters: ").split(", ")
    names = ", ".join(f"{slot} = W{number}" for number, slot in enumerate(slots, start=1))
    return "\n".join([lines[0], f"# parameters: {names}", *lines[2:]])


def passes(check):
    """Whether a ``gradient_check`` result is within GRADCHECK_TOLERANCE (relative error)."""
    return check["max_relative_error"] < GRADCHECK_TOLERANCE
