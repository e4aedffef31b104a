"""The report's experiments: the Discussion studies as data, and one training run as a function.

A run is described by a spec, a plain dict: ``study``, ``label`` (the variant, e.g. ``lr=0.3``),
``dataset`` ("linear" or "xor"), ``seed`` and ``config`` (learning_rate, hidden, activation,
optimizer, batch_size (None: full batch), init, epochs, epsilon). ``run(spec)`` trains with
``nn.MLP``, the optimizers and ``train.fit`` and returns the run's results.json object. It trains
compiled (``fit(..., compiled=True)``): the same losses and weights as eager mode, bit for bit,
in about three quarters of the time. All of a run's randomness comes from its seed
(``seeded_streams``: the linear data, the weights and the shuffling), never from process state,
so runs can go to any process in any order.
"""

import json
import math
import multiprocessing
import os
import signal
import time
from dataclasses import dataclass

import numpy as np

from . import data, nn, optim
from .gradcheck import model_gradient_errors
from .tensor import Tensor, no_grad
from .train import accuracy, fit, predict

MOMENTUM = 0.9
SAMPLES = 100  # points in the linear dataset
CURVE_POINTS = 150  # a stored loss curve keeps about this many epochs, spaced geometrically
SATURATED = 4.6  # |pre-activation| beyond which sigmoid'(a) < 0.01 (its peak is 0.25)
# Read by OpenBLAS / MKL / OpenMP when NumPy is imported: one thread per worker process, so J
# workers use J cores and the sums come out the same whatever --jobs is.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
RESULT_KEYS = ("study", "label", "dataset", "seed", "config", "accuracy", "final_loss",
               "epochs_run", "epochs_to_100", "epochs_to_epsilon", "diverged", "seconds",
               "seconds_to_100", "loss_increases", "init_stats", "curve")
TIMING_KEYS = ("seconds", "seconds_to_100")  # the only fields that differ between equal runs


def seeded_streams(seed):
    """Independent generators for the data, the weights and the shuffling, from one seed."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]


def make_optimizer(name, parameters, learning_rate):
    """"adam", "sgd" or "momentum" (SGD with heavy-ball momentum 0.9) over ``parameters``."""
    if name == "adam":
        return optim.Adam(parameters, lr=learning_rate)
    return optim.SGD(parameters, lr=learning_rate, momentum=MOMENTUM if name == "momentum" else 0)


# ---- the studies ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Study:
    """One Discussion study: every variant is the base config with its overrides.

    ``budget`` is the epoch budget (full, quick); a variant may override it with a "budget" key.
    """

    name: str
    title: str
    base: dict
    budget: tuple
    variants: tuple  # (label, overrides) pairs


# The spec's network and training (section 2.B): (10, 10) sigmoid units, no bias, standard-normal
# weights, plain SGD at 0.3, full batch, stop when the epoch loss falls below epsilon = 0.01.
SPEC_CONFIG = {"learning_rate": 0.3, "hidden": [10, 10], "activation": "sigmoid",
               "optimizer": "sgd", "batch_size": None, "init": "normal", "epsilon": 0.01}
# What `tinygrad-lab lab` trains by default (Adam at 0.05), the Results section's run.
LAB_CONFIG = {**SPEC_CONFIG, "optimizer": "adam", "learning_rate": 0.05, "epochs": 20000}
# Epoch budgets (full, quick), chosen so that the full report runs in about 2 minutes on 2 cores:
# a (10, 10) step costs ~0.2-0.4 ms; a (1000, 1000) step ~100x that (25 ms with SGD on the linear
# data, 40 ms with Adam); batch size 1 makes 100 steps of an epoch of the linear data.
BUDGET = (2500, 300)
WIDE_BUDGET = (30, 3)
ADAM = {"optimizer": "adam", "learning_rate": 0.05}

STUDIES = (
    Study("learning_rate", "Learning rate", SPEC_CONFIG, BUDGET, tuple(
        (f"lr={lr:g}", {"learning_rate": lr}) for lr in (0.001, 0.01, 0.1, 0.3, 1.0, 10.0))),
    Study("hidden_units", "Hidden units", SPEC_CONFIG, BUDGET, tuple(
        (f"({h},{h})", {"hidden": [h, h]}) for h in (1, 3, 10, 70))
        + (("(1000,1000)", {"hidden": [1000, 1000], "budget": WIDE_BUDGET}),)),
    Study("init", "Initialisation of the wide network", {**SPEC_CONFIG, "hidden": [1000, 1000]},
          WIDE_BUDGET, (
              ("normal, sgd 0.3", {}),
              ("lecun, sgd 0.3", {"init": "lecun"}),
              ("normal, adam 0.001", {"optimizer": "adam", "learning_rate": 0.001}),
              ("lecun, adam 0.001", {"init": "lecun", "optimizer": "adam",
                                     "learning_rate": 0.001}))),
    Study("activation", "Activation functions", {**SPEC_CONFIG, **ADAM}, (1000, 200), tuple(
        (name, {"activation": name}) for name in nn.ACTIVATIONS)),
    Study("optimizer", "Optimizers", SPEC_CONFIG, BUDGET, (
        ("sgd 0.3", {}),
        ("momentum 0.05", {"optimizer": "momentum", "learning_rate": 0.05}),
        ("adam 0.05", ADAM))),
    Study("batch_size", "Batch size", SPEC_CONFIG, (100, 10), (
        ("batch 1", {"batch_size": 1}), ("batch 16", {"batch_size": 16}), ("full batch", {}))),
)
DATASETS = ("linear", "xor")


def config_of(study, overrides, quick):
    """The full config of one variant: the base, the overrides and the epoch budget."""
    overrides = dict(overrides)
    budget = overrides.pop("budget", study.budget)
    return {**study.base, **overrides, "epochs": budget[1] if quick else budget[0]}


def build_specs(seeds, quick=False):
    """Every run of every study: study by study, variant, dataset, then seed 0..seeds-1."""
    return [{"study": study.name, "label": label, "dataset": dataset, "seed": seed,
             "config": config_of(study, overrides, quick)}
            for study in STUDIES for label, overrides in study.variants
            for dataset in DATASETS for seed in range(seeds)]


def lab_specs():
    """The Results section's runs: `tinygrad-lab lab` on both datasets, seed 0."""
    return [{"study": "lab", "label": "lab", "dataset": dataset, "seed": 0,
             "config": dict(LAB_CONFIG)} for dataset in DATASETS]


# ---- one run --------------------------------------------------------------------------------

def load(dataset, data_rng):
    """The (inputs, labels) of "linear" (100 points drawn with ``data_rng``) or "xor"."""
    if dataset == "linear":
        return data.generate_linear(SAMPLES, rng=data_rng)
    return data.generate_XOR_easy()


def build_model(config, rng=None):
    """The MLP that ``config`` describes (2 inputs, its hidden sizes, 1 output, no bias)."""
    return nn.MLP(hidden=config["hidden"], activation=config["activation"], init=config["init"],
                  rng=rng)


def setup(spec):
    """The run's data, its untrained model and its shuffling generator: (x, y, model, rng)."""
    data_rng, model_rng, shuffle_rng = seeded_streams(spec["seed"])
    x, y = load(spec["dataset"], data_rng)
    return x, y, build_model(spec["config"], model_rng), shuffle_rng


def train(spec, full_curve=False):
    """Run ``spec``; returns (its results.json object, the trained model).

    ``full_curve`` keeps every epoch's loss and accuracy instead of about CURVE_POINTS losses.
    """
    config = spec["config"]
    x, y, model, shuffle_rng = setup(spec)
    init_stats = initial_state(model, x, y)
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
    return result, model


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


def initial_state(model, x, y):
    """How the untrained model looks on (x, y): per hidden layer, the standard deviation of the
    pre-activations and the fraction beyond +-SATURATED; the root-mean-square of the output
    logits (how sure the network is); the loss; per weight matrix, the norm of the gradient."""
    values = preactivations(model, x)
    logits = model.logits(Tensor(x))
    loss = nn.binary_cross_entropy(logits.sigmoid(), y)
    loss.backward()
    norms = [float(np.linalg.norm(p.grad)) for p in model.parameters()]
    model.zero_grad()
    return {"preactivation_std": [float(v.std()) for v in values],
            "saturated": [float(np.mean(np.abs(v) > SATURATED)) for v in values],
            "output_rms": float(np.sqrt(np.mean(logits.data ** 2))), "loss": float(loss.item()),
            "gradient_norm": norms}


def gradient_check(seed=0, hidden=(10, 10), samples=SAMPLES, activation="sigmoid"):
    """The lab network's analytic gradients against central differences (cli ``gradcheck``).

    Returns a dict: the network, the number of weights checked, and per weight matrix its shape,
    largest absolute and largest relative error; plus the largest of each over all matrices.
    """
    data_rng, model_rng, _ = seeded_streams(seed)
    x, y = data.generate_linear(samples, rng=data_rng)
    model = nn.MLP(hidden=hidden, activation=activation, rng=model_rng)
    layers = model_gradient_errors(model, x, y)
    return {"seed": seed, "hidden": list(hidden), "samples": samples,
            "weights": sum(math.prod(layer["shape"]) for layer in layers), "layers": layers,
            "max_abs_error": max(layer["max_abs_error"] for layer in layers),
            "max_relative_error": max(layer["max_relative_error"] for layer in layers)}


# ---- many runs, in parallel -----------------------------------------------------------------

def run_key(spec):
    """What determines a run's result: equal keys give equal runs (up to timing)."""
    return json.dumps([spec["dataset"], spec["seed"], spec["config"]], sort_keys=True)


def weight_count(hidden):
    """The number of weights of the network with these hidden sizes (2 inputs, 1 output)."""
    sizes = [2, *hidden, 1]
    return sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


def estimated_seconds(spec):
    """A rough cost of the run, for scheduling (longest first) and the ETA."""
    config = spec["config"]
    samples = SAMPLES if spec["dataset"] == "linear" else 21
    batch = min(config["batch_size"] or samples, samples)
    weights = weight_count(config["hidden"])
    steps = config["epochs"] * math.ceil(samples / batch)
    per_weight = 1e-8 + 1.6e-10 * batch + (2e-8 if config["optimizer"] == "adam" else 0)
    return steps * (1.5e-4 + per_weight * weights)


def run_all(specs, pool, keep_models=(), full_curves=(), log=None):
    """Run every spec in ``pool`` (see ``worker_pool``); returns (results in spec order, models).

    Specs with equal ``run_key`` run once and share the result (with their own study and label).
    ``models`` maps each index in ``keep_models`` to its trained MLP; ``full_curves`` lists the
    indexes whose whole curve is kept. ``log`` (a file) gets a progress line per run.
    """
    unique = {}
    for index, spec in enumerate(specs):
        unique.setdefault(run_key(spec), []).append(index)
    tasks = [(indexes[0], specs[indexes[0]], any(i in keep_models for i in indexes),
              any(i in full_curves for i in indexes)) for indexes in unique.values()]
    tasks.sort(key=lambda task: -estimated_seconds(task[1]))  # longest first: less idle at the end
    # The ETA scales the estimated cost of what is left by the wall time per estimated second of
    # the work done so far, counting a run that stopped early (at epsilon) by the epochs it ran.
    remaining, done_work = sum(estimated_seconds(t[1]) for t in tasks), 0.0
    results, models = [None] * len(specs), {}
    start = time.perf_counter()
    for done, (index, result, weights) in enumerate(pool.imap_unordered(_work, tasks), start=1):
        for other in unique[run_key(specs[index])]:
            results[other] = {**result, "study": specs[other]["study"],
                              "label": specs[other]["label"]}
            if weights is not None and other in keep_models:
                models[other] = rebuild(specs[other]["config"], weights)
        estimate = estimated_seconds(specs[index])
        remaining -= estimate
        done_work += estimate * result["epochs_run"] / specs[index]["config"]["epochs"]
        if log is not None:
            eta = (time.perf_counter() - start) / max(done_work, 1e-9) * max(remaining, 0.0)
            print(progress_line(done, len(tasks), result, eta), file=log, flush=True)
    return results, models


def progress_line(done, total, result, eta):
    """``[12/140] lr=0.01 xor seed=3 ... acc 1.00 in 0.8s, ETA 1m05s``."""
    minutes, seconds = divmod(round(eta), 60)
    eta_text = f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
    return (f"[{done}/{total}] {result['label']} {result['dataset']} seed={result['seed']} ... "
            f"acc {result['accuracy']:.2f} in {result['seconds']:.1f}s, ETA {eta_text}")


def worker_pool(jobs):
    """A pool of ``jobs`` fresh ("spawn") processes, each with one BLAS/OpenMP thread.

    The thread variables must be set before NumPy is imported in the child, so they are put in
    this process's environment just while the workers start (spawn copies it), then restored.
    Workers ignore Ctrl-C: the parent gets it, and leaving the ``with`` block terminates them.
    Use it as ``with worker_pool(jobs) as pool:``.
    """
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    os.environ.update({name: "1" for name in THREAD_VARIABLES})
    try:
        return multiprocessing.get_context("spawn").Pool(jobs, initializer=_ignore_interrupts)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _ignore_interrupts():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(task):
    index, spec, keep_model, full_curve = task
    result, model = train(spec, full_curve=full_curve)
    weights = [p.data for p in model.parameters()] if keep_model else None
    return index, result, weights


def rebuild(config, weights):
    """An MLP of ``config``'s architecture holding ``weights`` (arrays, in parameter order)."""
    model = build_model(config)
    for parameter, values in zip(model.parameters(), weights, strict=True):
        parameter.data[...] = values
    return model

