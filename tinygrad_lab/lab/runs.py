"""One training run of the lab: its data and model from a seed, its training, what it measured.

``train(spec)`` (a spec: see ``studies``) trains with ``nn.MLP``, the optimizers and
``train.fit`` and returns the run's results.json object, with what the report's figures need
beside it (the trained model, the data, the pre-activations at initialisation). It trains
compiled (``fit(..., compiled=True)``): the same losses and weights as eager mode, bit for bit,
in about three quarters of the time. All of a run's randomness comes from its seed
(``seeding.seeded_streams``: the linear data, the weights and the shuffling), never from process
state, so runs can go to any process in any order.
"""

import math
import time
from dataclasses import dataclass

import numpy as np

from .. import data, nn
from ..engine import Tensor, no_grad
from ..seeding import seeded_streams
from ..train import accuracy, fit, predict
from .config import SATURATED, build_model, make_optimizer

CURVE_POINTS = 150  # a stored loss curve keeps about this many epochs, spaced geometrically
RESULT_KEYS = ("study", "label", "dataset", "seed", "config", "accuracy", "final_loss",
               "epochs_run", "epochs_to_100", "epochs_to_epsilon", "diverged", "seconds",
               "seconds_to_100", "loss_increases", "init_stats", "curve")
TIMING_KEYS = ("seconds", "seconds_to_100")  # the only fields that differ between equal runs


@dataclass
class Trained:
    """What a run leaves beside its results.json object, for the figures: the trained ``model``,
    the data ``x``, ``y`` it trained on, and ``preactivations``, per hidden layer, the values
    entering its activation before training (an (n, units) array each)."""

    model: nn.MLP
    x: np.ndarray
    y: np.ndarray
    preactivations: list


def setup(spec):
    """The run's data, its untrained model and its shuffling generator: (x, y, model, rng)."""
    data_rng, model_rng, shuffle_rng = seeded_streams(spec["seed"])
    x, y = data.generate(spec["dataset"], rng=data_rng)
    return x, y, build_model(spec["config"], model_rng), shuffle_rng


def train(spec, full_curve=False):
    """Run ``spec``; returns (its results.json object (see RESULT_KEYS), a ``Trained``).

    ``full_curve`` keeps every epoch's loss and accuracy instead of about CURVE_POINTS losses,
    and the points with the trained network's probability of class 1 for each (``points``).
    """
    config = spec["config"]
    x, y, model, shuffle_rng = setup(spec)
    values = preactivations(model, x)
    init_stats = initial_state(model, x, y, values)
    optimizer = make_optimizer(config["optimizer"], model.parameters(), config["learning_rate"])
    reached = {}
    start = time.perf_counter()

    def note_full_accuracy(epoch, loss, accuracy):
        if accuracy >= 1.0 and not reached:
            reached.update(epoch=epoch, seconds=time.perf_counter() - start)

    history = fit(model, x, y, epochs=config["epochs"], optimizer=optimizer,
                  batch_size=config["batch_size"], epsilon=config["epsilon"], log_every=None,
                  rng=shuffle_rng, callback=note_full_accuracy, compiled=True)
    probabilities = predict(model, x)
    losses = np.asarray(history.loss)
    result = {
        "study": spec["study"], "label": spec["label"], "dataset": spec["dataset"],
        "seed": spec["seed"], "config": dict(config),
        "accuracy": accuracy(probabilities, y),
        "final_loss": finite_or_none(nn.binary_cross_entropy(Tensor(probabilities), y).item()),
        "epochs_run": history.epochs,
        "epochs_to_100": reached.get("epoch"),
        "epochs_to_epsilon": history.epochs if history.stopped_at_epsilon else None,
        "diverged": bool(history.diverged or not np.isfinite(probabilities).all()),
        "seconds": history.seconds,
        "seconds_to_100": reached.get("seconds"),
        "loss_increases": int(np.sum(losses[1:] > losses[:-1])),
        "init_stats": init_stats,
        "curve": curve(history, full_curve),
    }
    if full_curve:  # a Results-section run: its per-sample predictions are printed
        result["points"] = {"x": x.round(6).tolist(), "label": y.ravel().astype(int).tolist(),
                            "probability": [float(f"{p:.6g}") for p in probabilities.ravel()]}
    return result, Trained(model, x, y, values)


def run(spec):
    """Train the run ``spec`` describes and return its results.json object (see RESULT_KEYS)."""
    return train(spec)[0]


def finite_or_none(value):
    """``value`` as a float, or None for NaN and infinities (JSON has neither)."""
    return float(value) if math.isfinite(value) else None


def curve(history, full=False):
    """The loss per epoch, every epoch or about CURVE_POINTS of them (geometrically spaced)."""
    count = history.epochs
    if full or count <= CURVE_POINTS:
        epochs = np.arange(1, count + 1)
    else:
        epochs = np.unique(np.geomspace(1, count, CURVE_POINTS).round().astype(int))
    # 6 significant digits are plenty for a figure and keep results.json small.
    points = {"epoch": epochs.tolist(),
              "loss": [finite_or_none(float(f"{history.loss[e - 1]:.6g}")) for e in epochs]}
    if full:
        points["accuracy"] = list(history.accuracy)
    return points


def preactivations(model, x):
    """The values entering each hidden layer's activation, for inputs ``x`` (ndarrays)."""
    values, hidden = [], Tensor(x)
    with no_grad():
        for layer in model.layers[:-1]:
            pre_activation = layer(hidden)
            values.append(pre_activation.data)
            hidden = nn.ACTIVATION_FUNCTIONS[model.activation](pre_activation)
    return values


def initial_state(model, x, y, values):
    """How the untrained model looks on (x, y), given its ``preactivations`` ``values``: per
    hidden layer, the standard deviation of the pre-activations and the fraction beyond
    +-SATURATED; the root-mean-square of the output logits (how sure the network is); the loss;
    per weight matrix, the norm of the gradient."""
    logits = model.logits(Tensor(x))
    loss = nn.binary_cross_entropy(logits.sigmoid(), y)
    loss.backward()
    norms = [float(np.linalg.norm(p.grad)) for p in model.parameters()]
    model.zero_grad()
    return {"preactivation_std": [float(v.std()) for v in values],
            "saturated": [float(np.mean(np.abs(v) > SATURATED)) for v in values],
            "output_rms": float(np.sqrt(np.mean(logits.data ** 2))), "loss": float(loss.item()),
            "gradient_norm": norms}


def rebuild(config, weights):
    """An MLP of ``config``'s architecture holding ``weights`` (arrays, in parameter order)."""
    model = build_model(config)
    for parameter, values in zip(model.parameters(), weights, strict=True):
        parameter.data[...] = values
    return model
