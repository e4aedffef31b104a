"""Time one training step of the engine against a hand-written NumPy step, in one process.

A step is forward + mean BCE + backward + SGD update, full batch, for the lab's network (sigmoid
hidden layers, no bias). The engine goes through the public API (nn.MLP, nn.binary_cross_entropy,
optim.SGD); the hand-written step computes the same loss and update with NumPy directly, keeping
the activations of the forward pass, as a careful student would. A third stepper is the engine's
step with forward and backward recorded once by ``tinygrad_lab.compile`` and then replayed. The
three alternate in rounds, and within a round in turns of a tenth of its steps; each round gives
a per-step time of each and its ratio to NumPy's, and the table shows the medians over rounds.
PyTorch CPU eager is timed too when it is installed (it is never a dependency), against NumPy
in a child process: loading torch's thread pool beside NumPy's would disturb the engine's timing.

The big cases allocate arrays of megabytes each step. By default glibc's malloc hands such
blocks back to the system when they are freed, and the next step pays a page fault for every
4 KB it touches again: about a third of a step at n=10000, more or less for each stepper
depending on which one freed memory last, so their ratio swung from 0.97 to 1.40 between
consecutive runs. The script therefore asks malloc (mallopt, glibc only) to keep freed memory
for reuse, for both steppers alike; --default-malloc leaves the allocator as it is.

    python benchmarks/bench_step.py [--quick] [--json PATH] [--default-malloc]
"""

import argparse
import ctypes
import ctypes.util
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import tinygrad_lab  # noqa: E402
from tinygrad_lab import data  # noqa: E402

LEARNING_RATE = 0.1
EPS = 1e-12
CASES = [  # (name, samples, hidden sizes)
    ("lab n=100 (10,10)", 100, (10, 10)),
    ("xor n=21 (10,10)", 21, (10, 10)),
    ("n=100 (70,70)", 100, (70, 70)),
    ("n=100 (1000,1000)", 100, (1000, 1000)),
    ("n=10000 (100,100)", 10000, (100, 100)),
]


def case_data(samples, hidden, dtype=np.float64):
    if samples == 21:
        x, y = data.generate_XOR_easy()
    else:
        x, y = data.generate_linear(samples, rng=0)
    rng = np.random.default_rng(1)
    sizes = (2, *hidden, 1)
    weights = [rng.standard_normal((a, b)) / np.sqrt(a)
               for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    return x.astype(dtype), y.astype(dtype), [w.astype(dtype) for w in weights]


def engine_model(weights, dtype, lib=tinygrad_lab):
    """The lab network with ``weights`` and its SGD optimizer, from the package ``lib``."""
    model = lib.nn.MLP(hidden=tuple(w.shape[1] for w in weights[:-1]), rng=0, dtype=dtype)
    for parameter, w in zip(model.parameters(), weights, strict=True):
        parameter.data[...] = w
    return model, lib.optim.SGD(model.parameters(), lr=LEARNING_RATE)


def engine_stepper(x, y, weights, dtype=np.float64, lib=tinygrad_lab):
    """The engine's step, from the package ``lib`` (bench_compare.py passes older versions)."""
    model, optimizer = engine_model(weights, dtype, lib)
    inputs = lib.Tensor(x, dtype=dtype)
    binary_cross_entropy = lib.nn.binary_cross_entropy

    def step():
        optimizer.zero_grad()
        loss = binary_cross_entropy(model(inputs), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def compiled_stepper(x, y, weights, lib=tinygrad_lab):
    """The engine's step with forward and backward recorded once by ``compile``, from ``lib``."""
    model, optimizer = engine_model(weights, np.float64, lib)
    inputs = lib.Tensor(x)
    forward_backward = lib.compile(lambda: lib.nn.binary_cross_entropy(model(inputs), y))

    def step():
        optimizer.zero_grad()
        loss = forward_backward()
        optimizer.step()
        return loss

    return step


def numpy_stepper(x, y, weights):
    weights = [w.copy() for w in weights]
    n = len(x)

    def sigmoid(m):
        return 1.0 / (1.0 + np.exp(-m))

    def step():
        activations = [x]
        for w in weights:
            activations.append(sigmoid(activations[-1] @ w))
        p = np.clip(activations[-1], EPS, 1 - EPS)
        loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        grad = (-1.0 / n) * (y / p - (1 - y) / (1 - p))
        for i in range(len(weights) - 1, -1, -1):
            out = activations[i + 1]
            grad = grad * out * (1 - out)  # through the sigmoid
            weight_grad = activations[i].T @ grad
            if i:
                grad = grad @ weights[i].T
            weights[i] -= LEARNING_RATE * weight_grad
        return loss

    return step


def torch_stepper(x, y, weights):
    import torch

    torch.set_num_threads(1)  # its OpenMP pool beside NumPy's OpenBLAS threads thrashes 2 cores
    params = [torch.tensor(w, requires_grad=True) for w in weights]
    inputs, labels = torch.tensor(x), torch.tensor(y)
    optimizer = torch.optim.SGD(params, lr=LEARNING_RATE)

    def step():
        optimizer.zero_grad()
        hidden = inputs
        for w in params:
            hidden = torch.sigmoid(hidden @ w)
        loss = torch.nn.functional.binary_cross_entropy(hidden, labels)
        loss.backward()
        optimizer.step()
        return loss

    return step


def per_step_seconds(step, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def steps_for(samples, hidden, quick):
    work = samples * sum(hidden) * max(hidden)
    steps = max(3, min(2000, int(2e8 / max(work, 1))))
    return max(3, steps // 10) if quick else steps


def timed_round(steppers, steps):
    """Per-step seconds of each stepper over ``steps`` steps, taken in turns of a tenth of them.

    Turns this short let every stepper see the same moments of a noisy machine, so the ratio of
    their times changes less from round to round than their times do. Each turn begins with one
    untimed step, so that a stepper is timed from its own steady state, not from the memory
    layout the other left behind: with the big cases, whichever step runs second otherwise
    reuses or misses the pages the first one freed, and that swings the ratio by 20%.
    """
    turn = max(1, steps // 10)
    spent = dict.fromkeys(steppers, 0.0)
    done = 0
    while done < steps:
        count = min(turn, steps - done)
        for label, step in steppers.items():
            step()
            spent[label] += per_step_seconds(step, count) * count
        done += count
    return {label: seconds / steps for label, seconds in spent.items()}


def run_case(name, samples, hidden, rounds, quick, contenders):
    x, y, weights = case_data(samples, hidden)
    steppers = {label: make(x, y, weights) for label, make in contenders.items()}
    steps = steps_for(samples, hidden, quick)
    for step in steppers.values():  # warm up caches and allocators
        per_step_seconds(step, max(1, steps // 10))
    times = {label: [] for label in steppers}
    for _ in range(rounds):
        for label, seconds in timed_round(steppers, steps).items():
            times[label].append(seconds)
    base = times["numpy"]
    result = {"case": name, "samples": samples, "hidden": list(hidden), "steps": steps,
              "rounds": rounds, "median_us": {k: statistics.median(v) * 1e6
                                              for k, v in times.items()}}
    result["round_ratios"] = {k: [t / b for t, b in zip(v, base, strict=True)]
                              for k, v in times.items() if k != "numpy"}
    result["ratio"] = {k: statistics.median(v) for k, v in result["round_ratios"].items()}
    return result


def float32_ratio(rounds, quick):
    """Per-step time of the engine in float32 over float64 at (n=100, (1000,1000))."""
    ratios = []
    x64, y64, w64 = case_data(100, (1000, 1000))
    step64 = engine_stepper(x64, y64, w64)
    step32 = engine_stepper(x64.astype(np.float32), y64.astype(np.float32),
                            [w.astype(np.float32) for w in w64], dtype=np.float32)
    steps = steps_for(100, (1000, 1000), quick)
    per_step_seconds(step64, 2)
    per_step_seconds(step32, 2)
    for _ in range(rounds):
        seconds = timed_round({"float32": step32, "float64": step64}, steps)
        ratios.append(seconds["float32"] / seconds["float64"])
    return statistics.median(ratios)


def keep_freed_memory():
    """Ask glibc's malloc to reuse freed blocks rather than return them to the system.

    Returns False where that cannot be asked (another C library, or no mallopt).
    """
    M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from glibc's malloc.h
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, 1 << 30) and mallopt(M_TRIM_THRESHOLD, 1 << 30))


def torch_results(rounds, quick, default_malloc):
    """torch against NumPy, timed in a child process (None when torch is not installed)."""
    if importlib.util.find_spec("torch") is None:
        return None
    command = [sys.executable, __file__, "--torch-child", "--rounds", str(rounds)]
    command += (["--quick"] if quick else []) + (["--default-malloc"] if default_malloc else [])
    child = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(child.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and rounds (< 20 s)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds per case")
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave malloc's settings alone (the big cases then swing with page "
                             "faults)")
    parser.add_argument("--torch-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 7)
    memory_kept = not args.default_malloc and keep_freed_memory()

    if args.torch_child:
        import torch

        contenders = {"numpy": numpy_stepper, "torch": torch_stepper}
        results = [run_case(name, samples, hidden, rounds, args.quick, contenders)
                   for name, samples, hidden in CASES]
        print(json.dumps({"version": torch.__version__, "results": results}))
        return

    contenders = {"numpy": numpy_stepper, "engine": engine_stepper, "compiled": compiled_stepper}
    torch_run = torch_results(rounds, args.quick, args.default_malloc)
    torch_note = ("torch: not installed" if torch_run is None
                  else f"torch {torch_run['version']} (CPU eager, 1 thread, timed in a child)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, NumPy {np.__version__}; {torch_note}")
    print(f"{rounds} alternating rounds per case; medians of per-step time, ratio to NumPy; "
          f"malloc: {'freed memory kept for reuse' if memory_kept else 'default settings'}")
    header = (f"{'case':<20} {'numpy us':>10} {'engine us':>10} {'engine/numpy':>13}"
              f" {'compiled us':>12} {'compiled/numpy':>15}")
    if torch_run:
        header += f" {'torch us':>10} {'torch/numpy':>12}"
    print(header)
    results = []
    for index, (name, samples, hidden) in enumerate(CASES):
        result = run_case(name, samples, hidden, rounds, args.quick, contenders)
        us, ratio = result["median_us"], result["ratio"]
        line = (f"{name:<20} {us['numpy']:>10.1f} {us['engine']:>10.1f} {ratio['engine']:>12.2f}x"
                f" {us['compiled']:>12.1f} {ratio['compiled']:>14.2f}x")
        if torch_run:
            theirs = torch_run["results"][index]
            result["torch"] = theirs
            line += (f" {theirs['median_us']['torch']:>10.1f}"
                     f" {theirs['ratio']['torch']:>11.2f}x")
        results.append(result)
        print(line, flush=True)
    f32 = float32_ratio(rounds, args.quick)
    print(f"float32 / float64 engine step at n=100 (1000,1000): {f32:.2f}x")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"machine": platform.machine(), "cores": os.cpu_count(),
                       "numpy": np.__version__, "torch": torch_note, "results": results,
                       "malloc_keeps_freed_memory": memory_kept,
                       "float32_over_float64": f32}, file, indent=2)


if __name__ == "__main__":
    main()
