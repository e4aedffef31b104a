"""Backward time per node through long chains and wide fan-in graphs of 1e3, 1e4, 1e5 nodes.

The graph walk is iterative and linear, so the time per node should stay flat as graphs grow.

    python benchmarks/bench_backward.py [--quick]
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tinygrad_lab import Tensor  # noqa: E402

SIZES = (1_000, 10_000, 100_000)


def chain(nodes):
    """x -> x*c -> (x*c)*c -> ...: every node has one input, the previous node."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(nodes - 1):
        y = y * 1.0001
    return x, y.sum()


def fan_in(nodes):
    """Many products of one leaf, summed into one output: a wide, shallow graph."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    total = x * 0.0
    for _ in range((nodes - 2) // 2):
        total = total + x * 0.5
    return x, total.sum()


def backward_seconds(build, nodes, repeats):
    times = []
    for _ in range(repeats):
        x, out = build(nodes)
        start = time.perf_counter()
        out.backward()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    print(f"{'graph':<8} {'nodes':>8} {'backward ms':>12} {'us per node':>12}")
    for name, build in (("chain", chain), ("fan-in", fan_in)):
        for nodes in SIZES:
            seconds = backward_seconds(build, nodes, repeats)
            print(f"{name:<8} {nodes:>8} {seconds * 1e3:>12.2f} {seconds / nodes * 1e6:>12.3f}")


if __name__ == "__main__":
    main()
