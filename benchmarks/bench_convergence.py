"""Epochs and seconds to 100% training accuracy for the lab, with the defaults and the spec's SGD.

For each seed, trains the lab's network exactly as `tinygrad-lab lab --seed S` does (same data,
weights and shuffling streams) on the linear data and on XOR, and records the first epoch whose
training accuracy is 100% and the wall time to it; prints medians and ranges over the seeds.

    python benchmarks/bench_convergence.py [--seeds 10]
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tinygrad_lab.data import DATASETS  # noqa: E402
from tinygrad_lab.lab.config import LAB_CONFIG, SPEC_CONFIG  # noqa: E402
from tinygrad_lab.lab.runs import run  # noqa: E402

# The lab's defaults, and the spec's setting with the same epoch budget.
SETTINGS = [("defaults", LAB_CONFIG), ("spec", {**SPEC_CONFIG, "epochs": LAB_CONFIG["epochs"]})]


def label(name, config):
    """'defaults (adam, lr 0.05)'."""
    return f"{name} ({config['optimizer']}, lr {config['learning_rate']:g})"


def to_100(dataset, config, seed):
    """(epoch at 100%, seconds to it, epochs until the loss fell below epsilon) for one run."""
    result = run({"study": "optimizer", "label": config["optimizer"], "dataset": dataset,
                  "seed": seed, "config": config})
    missing = np.nan
    return (missing if result["epochs_to_100"] is None else result["epochs_to_100"],
            missing if result["seconds_to_100"] is None else result["seconds_to_100"],
            result["epochs_run"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    args = parser.parse_args()
    for name, config in SETTINGS:
        for dataset in DATASETS:
            runs = np.array([to_100(dataset, config, seed) for seed in range(args.seeds)])
            epochs, seconds, stops = runs.T
            print(f"{label(name, config):<25} {dataset:<6} epochs to 100%: median "
                  f"{np.median(epochs):.0f} (range {np.min(epochs):.0f}-{np.max(epochs):.0f}), "
                  f"seconds: median {np.median(seconds):.2f}; loss < {config['epsilon']:g} "
                  f"after a median of "
                  f"{np.median(stops):.0f} epochs; {np.sum(~np.isnan(epochs))}/{args.seeds} "
                  f"seeds reached 100%")


if __name__ == "__main__":
    main()
