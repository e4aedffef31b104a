"""Synthetic run objects (as results.json holds them) for the findings, tables and report tests."""

import zlib

import numpy as np

from tinygrad_lab import data
from tinygrad_lab.lab.config import weight_count
from tinygrad_lab.lab.pool import run_key
from tinygrad_lab.lab.studies import STUDY, build_specs, lab_specs


def fake(study, values, dataset, seed, **fields):
    """A run of the variant of ``study`` that trains with the config ``values`` (the fields the
    study varies, e.g. ``{"learning_rate": 10.0}``), with neutral numbers overridden by
    ``fields``; a 500-epoch budget."""
    definition = STUDY[study]
    variant = definition.variant(definition.key_of({**definition.base, **values}))
    config = {**definition.config_of(variant), "epochs": 500}
    run = {"study": study, "label": variant.label, "dataset": dataset, "seed": seed,
           "config": config, "accuracy": 1.0, "final_loss": 0.1, "epochs_run": 500,
           "epochs_to_100": 200, "epochs_to_epsilon": None, "diverged": False, "seconds": 0.5,
           "seconds_to_100": 0.2, "loss_increases": 0,
           "init_stats": {"preactivation_std": [1.0, 1.0], "saturated": [0.0, 0.0],
                          "output_rms": 1.0, "loss": 0.7, "gradient_norm": [0.1, 0.1, 0.1]},
           "curve": {"epoch": [1, 500], "loss": [0.7, 0.1]}}
    run.update(fields)
    return run


def learning_rate_runs(fast_epochs):
    """lr 10 reaches 100% after ``fast_epochs`` (one per seed), with loss rises; the spec's
    lr 0.3 never does."""
    runs = []
    for dataset in ("linear", "xor"):
        for seed, epochs in enumerate(fast_epochs):
            runs.append(fake("learning_rate", {"learning_rate": 10.0}, dataset, seed,
                             epochs_to_100=epochs, loss_increases=100))
        for seed in range(len(fast_epochs)):
            runs.append(fake("learning_rate", {"learning_rate": 0.3}, dataset, seed,
                             epochs_to_100=None, seconds_to_100=None, accuracy=0.75))
    return runs


# ---- a whole report's results.json, for the report-content tests ----------------------------

def seeded(spec):
    """A generator seeded by what determines the run (``pool.run_key``): runs that the report
    would train once get the same numbers."""
    return np.random.default_rng(zlib.crc32(run_key(spec).encode()))


def never_reaches(spec):
    """The variants whose fake runs never reach 100%: the smallest rate, and the linear network
    on XOR."""
    config = spec["config"]
    return (spec["study"] == "learning_rate" and config["learning_rate"] == 0.001) or \
        (config["activation"] == "none" and spec["dataset"] == "xor")


def fake_study_run(spec):
    """A study run (see ``studies.build_specs``) with varied, deterministic numbers: about three
    in four seeds reach 100%, timings with three decimals, the wide standard-normal network
    saturated at init."""
    rng, config = seeded(spec), spec["config"]
    epochs = config["epochs"]
    reached = not never_reaches(spec) and rng.random() < 0.75
    to_100 = int(rng.integers(2, epochs)) if reached else None
    to_epsilon = int(rng.integers(to_100, epochs + 1)) if reached and rng.random() < 0.5 \
        else None
    epochs_run = to_epsilon or epochs
    ms = rng.uniform(0.05, 0.2) * weight_count(config["hidden"]) ** 0.5 / 10
    final_loss = float(rng.uniform(0.002, 0.3))
    wide = config["hidden"] == [1000, 1000]
    std = float(rng.uniform(15, 20)) if wide and config["init"] == "normal" \
        else float(rng.uniform(0.5, 1.5))
    return {**{key: spec[key] for key in ("study", "label", "dataset", "seed")},
            "config": dict(config),
            "accuracy": 1.0 if reached else float(np.round(rng.uniform(0.5, 0.99), 2)),
            "final_loss": final_loss, "epochs_run": epochs_run, "epochs_to_100": to_100,
            "epochs_to_epsilon": to_epsilon, "diverged": False,
            "seconds": float(np.round(epochs_run * ms / 1000, 6)),
            "seconds_to_100": float(np.round(to_100 * ms / 1000, 6)) if reached else None,
            "loss_increases": int(rng.integers(0, epochs_run // 3 + 1)),
            "init_stats": {"preactivation_std": [float(rng.uniform(0.5, 1.5)), std],
                           "saturated": [0.0, float(rng.uniform(0.6, 0.8)) if std > 4 else 0.0],
                           "output_rms": float(rng.uniform(0.1, 30)),
                           "loss": float(rng.uniform(0.6, 9)),
                           "gradient_norm": [float(rng.uniform(0.001, 3)) for _ in range(3)]},
            "curve": {"epoch": [1, epochs_run], "loss": [0.7, final_loss]}}


MISCLASSIFIED = 40  # the one point of the main linear run on the wrong side of 0.5


def fake_lab_run(spec):
    """A Results-section run (see ``studies.lab_specs``) with its full curve and its points: every
    point on the right side of 0.5 except MISCLASSIFIED of the spec setting on the linear data,
    which therefore never reaches 100%."""
    rng, dataset = seeded(spec), spec["dataset"]
    x, y = data.generate(dataset, rng=np.random.default_rng(0))
    labels = y.ravel().astype(int).tolist()
    probability = [float(f"{p:.6g}") for p in
                   np.where(y.ravel() == 1, rng.uniform(0.6, 1.0, len(labels)),
                            rng.uniform(0.0, 0.4, len(labels)))]
    flawed = spec["label"] == "spec setting" and dataset == "linear"
    if flawed:
        probability[MISCLASSIFIED] = 1 - probability[MISCLASSIFIED]
    accuracy = float(np.mean([(p > 0.5) == label for p, label in zip(probability, labels,
                                                                      strict=True)]))
    epochs_run = int(rng.integers(300, 900))
    to_100 = None if flawed else int(rng.integers(10, epochs_run))
    loss = np.geomspace(0.7, 0.009, epochs_run)
    per_epoch = [min(accuracy, 0.5 + epoch / epochs_run) if to_100 is None or epoch < to_100
                 else 1.0 for epoch in range(1, epochs_run + 1)]
    return {**{key: spec[key] for key in ("study", "label", "dataset", "seed")},
            "config": dict(spec["config"]), "accuracy": accuracy,
            "final_loss": float(loss[-1]), "epochs_run": epochs_run, "epochs_to_100": to_100,
            "epochs_to_epsilon": epochs_run, "diverged": False,
            "seconds": float(np.round(rng.uniform(0.1, 3), 6)),
            "seconds_to_100": None if to_100 is None else 0.05, "loss_increases": 0,
            "init_stats": {"preactivation_std": [1.0, 1.0], "saturated": [0.0, 0.0],
                           "output_rms": 1.0, "loss": 0.7, "gradient_norm": [0.1, 0.1, 0.1]},
            "curve": {"epoch": list(range(1, epochs_run + 1)),
                      "loss": [float(f"{v:.6g}") for v in loss], "accuracy": per_epoch},
            "points": {"x": x.round(6).tolist(), "label": labels, "probability": probability}}


def fake_gradcheck():
    """A ``gradients.gradient_check`` result for the spec's network, with a listing."""
    layers = [{"name": f"W{i}", "shape": shape, "max_abs_error": 3.1e-11 * i,
               "max_relative_error": 2.7e-9 * i}
              for i, shape in enumerate(([2, 10], [10, 10], [10, 1]), start=1)]
    return {"seed": 0, "hidden": [10, 10], "samples": 100, "weights": 130,
            "step_source": "def step(p1, p4, p7):\n# parameters: p1 = W1, p4 = W2, p7 = W3\n"
                           "    t1 = matmul(x, p1)\n    return loss",
            "layers": layers, "max_abs_error": max(la["max_abs_error"] for la in layers),
            "max_relative_error": max(la["max_relative_error"] for la in layers)}


def fake_results(seeds=3):
    """results.json of a report over ``seeds`` seeds: every study run, the Results section's
    runs and the gradient check."""
    return {"version": "0.0.0-test", "numpy": np.__version__, "quick": False, "seeds": seeds,
            "runs": [fake_study_run(spec) for spec in build_specs(seeds)],
            "lab": [fake_lab_run(spec) for spec in lab_specs()],
            "gradcheck": fake_gradcheck()}
