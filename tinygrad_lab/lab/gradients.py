"""The lab network's gradient check: the engine's gradient of the loss against central differences,
for every weight or a random sample of them (what `tinygrad-lab gradcheck` prints and the
report's section 4.D3 shows), with the progress of a long check."""

import time

import numpy as np

from .. import data, nn
from ..engine import Tensor, compile, no_grad
from ..seeding import seeded_streams
from .config import GRADCHECK_ABS_TOLERANCE, GRADCHECK_STEP, GRADCHECK_TOLERANCE, SPEC_CONFIG
from .pool import format_duration

CALIBRATION_WEIGHTS = 5  # the estimate up front times the differences of this many weights
PROGRESS_SECONDS = 30.0  # a long check writes a progress line at most this often


def model_gradient_errors(model, x, y, eps=GRADCHECK_STEP, sample=None, rng=None,
                          progress=None):
    """How far the engine's gradient of the mean BCE of ``model`` on (x, y) is from central
    differences, for every weight (and bias) of an ``nn.MLP``; the model is left as it was.

    ``sample`` (an int) checks that many weights drawn from all of them without replacement by
    ``rng`` (a Generator or seed); every one when it is None or at least their number.
    ``progress(done, total)``, if given, is called with done = 0 before the first difference and
    after each weight checked. Returns one dict per parameter with a weight checked, in order:
    ``name`` ("W1", "b1", ...), ``shape``, ``checked`` (how many of its weights),
    ``max_abs_error`` and ``max_relative_error`` (|a - n| / max(|a| + |n|, 1e-12)) over them.
    """
    slots = [(layer, attribute) for layer in model.layers for attribute in ("weight", "bias")
             if getattr(layer, attribute) is not None]
    originals = [getattr(layer, attribute) for layer, attribute in slots]
    # float64 copies, as the engine's ``gradients`` makes; the model uses them meanwhile
    copies = [Tensor(parameter, requires_grad=True) for parameter in originals]
    picks = chosen_weights([copy.size for copy in copies], sample, rng)
    total = sum(len(flat) for flat in picks)
    try:
        for (layer, attribute), copy in zip(slots, copies, strict=True):
            setattr(layer, attribute, copy)
        nn.binary_cross_entropy(model(Tensor(x)), y).backward()
        errors, done = [], 0
        if progress is not None:
            progress(0, total)
        for (layer, attribute), copy, flat in zip(slots, copies, picks, strict=True):
            if not len(flat):
                continue
            grad = np.zeros(copy.shape) if copy.grad is None else copy.grad  # unused: 0
            analytic = grad.reshape(-1)[flat]
            numeric = np.empty(len(flat))
            for position, index in enumerate(flat):
                numeric[position] = central_difference(model, x, y, copy, index, eps)
                done += 1
                if progress is not None:
                    progress(done, total)
            error = np.abs(analytic - numeric)
            relative = error / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
            errors.append({"name": f"{'W' if attribute == 'weight' else 'b'}"
                                   f"{model.layers.index(layer) + 1}",
                           "shape": list(copy.shape), "checked": len(flat),
                           "max_abs_error": float(error.max()),
                           "max_relative_error": float(relative.max())})
        return errors
    finally:
        for (layer, attribute), parameter in zip(slots, originals, strict=True):
            setattr(layer, attribute, parameter)


def chosen_weights(sizes, sample=None, rng=None):
    """For parameters of ``sizes`` weights each, the flat indexes to check in each: all of them,
    or ``sample`` drawn at random (``rng``) from all the weights together, in increasing order."""
    if sample is None or sample >= sum(sizes):
        return [np.arange(size) for size in sizes]
    drawn = np.sort(np.random.default_rng(rng).choice(sum(sizes), sample, replace=False))
    offsets = np.cumsum([0, *sizes])
    return [drawn[(drawn >= low) & (drawn < high)] - low
            for low, high in zip(offsets[:-1], offsets[1:], strict=True)]


def central_difference(model, x, y, parameter, index, eps):
    """(loss(w + eps) - loss(w - eps)) / (2 eps) for the weight at flat ``index`` of
    ``parameter`` (the model's own Tensor), which is left as it was."""
    where = np.unravel_index(index, parameter.shape)
    original = parameter.data[where]
    losses = []
    for shifted in (original + eps, original - eps):
        parameter.data[where] = shifted
        with no_grad():
            losses.append(float(nn.binary_cross_entropy(model(Tensor(x)), y).data.sum()))
    parameter.data[where] = original
    return (losses[0] - losses[1]) / (2 * eps)


def gradient_check(seed=0, hidden=tuple(SPEC_CONFIG["hidden"]), samples=data.LINEAR_SIZE,
                   activation=SPEC_CONFIG["activation"], sample=None, progress=None):
    """The lab network's analytic gradients against central differences, on ``samples`` linear
    points and the weights of ``seed`` (by default the spec's network): every weight, or a
    random ``sample`` of them drawn with the seed's shuffle stream (``seeding``).
    ``progress`` goes to ``model_gradient_errors``.

    Returns a dict: the network, the number of weights checked (``weights``) and in all
    (``total_weights``), and per weight matrix with a weight checked its shape, count checked,
    largest absolute and largest relative error; plus the largest of each over all matrices.
    """
    streams = seeded_streams(seed)
    x, y = data.generate("linear", samples, rng=streams.data)
    model = nn.MLP(hidden=hidden, activation=activation, rng=streams.model)
    layers = model_gradient_errors(model, x, y, sample=sample, rng=streams.shuffle,
                                   progress=progress)
    return {"seed": seed, "hidden": list(hidden), "samples": samples,
            "step_source": compiled_step_source(seed, hidden),
            "weights": sum(layer["checked"] for layer in layers),
            "total_weights": sum(p.size for p in model.parameters()), "layers": layers,
            "max_abs_error": max(layer["max_abs_error"] for layer in layers),
            "max_relative_error": max(layer["max_relative_error"] for layer in layers)}


class ProgressLog:
    """A ``progress`` for ``gradient_check`` that writes lines to ``log`` (a file): once the
    first CALIBRATION_WEIGHTS weights are checked, how many there are and about how long they
    take (from the time of those); after that, at most every PROGRESS_SECONDS, how many are done
    and about how long is left. ``clock`` gives the time in seconds."""

    def __init__(self, log, clock=time.perf_counter):
        self.log, self.clock = log, clock
        self.start = self.last = None

    def __call__(self, done, total):
        now = self.clock()
        if done == 0:
            self.start = self.last = now
            return
        per_weight = (now - self.start) / done
        if done == min(CALIBRATION_WEIGHTS, total):
            self.say(now, f"{total} weights to check by central differences, expected time "
                          f"{format_duration(per_weight * total)}")
        elif done < total and now - self.last >= PROGRESS_SECONDS:
            self.say(now, f"{done} of {total} weights checked, "
                          f"{format_duration(per_weight * (total - done))} left (estimated)")

    def say(self, now, text):
        print(f"gradcheck: {text}", file=self.log, flush=True)
        self.last = now


def compiled_step_source(seed=0, hidden=tuple(SPEC_CONFIG["hidden"])):
    """The code ``compile`` writes for one training step's forward and backward of the lab
    network on XOR (``step.source``), with the parameters named: a line ``# p2 = W1, ...``."""
    x, y = data.generate("xor")
    model = nn.MLP(hidden=hidden, rng=seeded_streams(seed).model)
    step = compile(lambda: nn.binary_cross_entropy(model(Tensor(x)), y))
    step()
    lines = step.source.splitlines()
    slots = lines[1].removeprefix("# parameters: ").split(", ")
    names = ", ".join(f"{slot} = W{number}" for number, slot in enumerate(slots, start=1))
    return "\n".join([lines[0], f"# parameters: {names}", *lines[2:]])


def passes(check):
    """Whether a ``gradient_check`` result is within GRADCHECK_TOLERANCE (relative error), or
    every error is below GRADCHECK_ABS_TOLERANCE (absolute)."""
    return (check["max_relative_error"] < GRADCHECK_TOLERANCE
            or check["max_abs_error"] < GRADCHECK_ABS_TOLERANCE)
