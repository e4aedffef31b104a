"""Time conv2d and max_pool2d, forward and forward + backward, at the size of a small MNIST batch.

conv2d: a (32, 3, 28, 28) float64 input, 8 filters of 3x3, padding 1, with bias; max_pool2d(2)
on its output, (32, 8, 28, 28). Each time is the median of the runs after one warm-up run.

OpenBLAS runs on one thread unless OPENBLAS_NUM_THREADS says otherwise: the im2col matmuls are
too small to share, and two threads on a 2-core machine that is doing anything else made the
conv2d 2 to 4 times slower and its time swing from run to run.

    python benchmarks/bench_conv.py [--quick] [--runs N]
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads OpenBLAS: see above

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tinygrad_lab import Tensor  # noqa: E402


def median_ms(fn, runs):
    """The median wall time of ``fn()`` over ``runs`` calls after a warm-up call, in ms."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 runs instead of --runs")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per case (default 20)")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(32, 3, 28, 28)), requires_grad=True)
    weight = Tensor(rng.normal(size=(8, 3, 3, 3)) / np.sqrt(27), requires_grad=True)
    bias = Tensor(np.zeros(8), requires_grad=True)
    pooled = Tensor(x.conv2d(weight, bias, padding=1).data, requires_grad=True)
    cases = [  # (name, forward): backward takes the sum's gradient, ones
        ("conv2d (32,3,28,28) * 8 3x3, pad 1, bias", lambda: x.conv2d(weight, bias, padding=1)),
        ("max_pool2d(2) on (32,8,28,28)", lambda: pooled.max_pool2d(2)),
    ]
    print(f"float64, median of {runs} runs, OpenBLAS threads: {os.environ['OPENBLAS_NUM_THREADS']}")
    print(f"{'case':<42} {'forward ms':>11} {'fwd+bwd ms':>11}")
    for name, forward in cases:
        forward_ms = median_ms(forward, runs)
        both_ms = median_ms(lambda forward=forward: forward().sum().backward(), runs)
        print(f"{name:<42} {forward_ms:>11.2f} {both_ms:>11.2f}")


if __name__ == "__main__":
    main()
