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

from tinygrad_lab import experiments  # noqa: E402

SETTINGS = [("defaults (adam, lr 0.05)", "adam", 0.05), ("spec (sgd, lr 0.3)", "sgd", 0.3)]


def to_100(dataset, optimizer, learning_rate, seed):
    """(epoch at 100%, seconds to it, epochs until the loss fell below 0.01) for one run."""
    config = {"learning_rate": learning_rate, "hidden": [10, 10], "activation": "sigmoid",
              "optimizer": optimizer, "batch_size": None, "init": "normal", "epochs": 20000,
              "epsilon": 0.01}
    result = experiments.run({"study": "optimizer", "label": optimizer, "dataset": dataset,
                              "seed": seed, "config": config})
    missing = np.nan
    return (missing if result["epochs_to_100"] is None else result["epochs_to_100"],
            missing if result["seconds_to_100"] is None else result["seconds_to_100"],
            result["epochs_run"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 (default 10)")
    args = parser.parse_args()
    for label, optimizer, learning_rate in SETTINGS:
        for dataset in ("linear", "xor"):
            runs = np.array([to_100(dataset, optimizer, learning_rate, seed)
                             for seed in range(args.seeds)])
            epochs, seconds, stops = runs.T
            print(f"{label:<25} {dataset:<6} epochs to 100%: median {np.median(epochs):.0f} "
                  f"(range {np.min(epochs):.0f}-{np.max(epochs):.0f}), seconds: median "
                  f"{np.median(seconds):.2f}; loss < 0.01 after a median of "
                  f"{np.median(stops):.0f} epochs; {np.sum(~np.isnan(epochs))}/{args.seeds} "
                  f"seeds reached 100%")


if __name__ == "__main__":
    main()
