"""Time the engine's lab step at other git revisions beside the working tree's, in one process.

From one run of bench_step.py to the next, this machine moves the engine/NumPy ratio of the lab
step by up to 0.1 (1.50x in one process, 1.60x in the next: memory layout, the neighbours'
load), so two runs cannot tell whether a change saved 3%. Inside one process, steppers that take
turns see the same conditions, and the difference between two of them varies by about 0.03 from
run to run (two copies of the same code: -0.027 to +0.009 in four runs). So this script times
the versions side by side: it extracts each revision's ``tinygrad_lab`` with ``git archive``
into a temporary directory, under a package name of its own, and times its step (bench_step.py's
engine stepper, through that version's public API) in turns with the working tree's and with
the hand-written NumPy step. Per round it takes each version's ratio to NumPy minus the working
tree's, and prints the median of those differences. With --compiled, it times each version's
step recorded by ``compile`` (bench_step.py's compiled stepper) instead.

    python benchmarks/bench_compare.py REV [REV ...] [--case lab|xor] [--compiled] [--rounds N]
                                       [--quick]

REV is anything git understands (HEAD, HEAD~3, a tag, a commit). The working tree is the
checkout this script sits in, with its uncommitted changes.
"""

import argparse
import importlib
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile

import bench_step

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = {"lab": bench_step.CASES[0], "xor": bench_step.CASES[1]}


class CompareError(Exception):
    """A revision that cannot be compared: the message says which and why."""


def extract(revision, directory):
    """Import ``revision``'s tinygrad_lab from ``directory`` as a package of its own name."""
    git = ["git", "-C", REPOSITORY]
    found = subprocess.run([*git, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
                           capture_output=True, text=True)
    if found.returncode != 0:
        raise CompareError(f"{revision}: not a revision of the repository at {REPOSITORY}")
    commit = found.stdout.strip()
    archive = subprocess.run([*git, "archive", "--format=tar", commit, "tinygrad_lab"],
                             capture_output=True)
    if archive.returncode != 0:
        raise CompareError(f"{revision}: git archive failed: {archive.stderr.decode().strip()}")
    name = f"tinygrad_lab_{commit[:10]}"
    target = os.path.join(directory, name)
    # Extraction filters came in Python 3.11.4 (and 3.10.12); the archive is git's own output.
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(directory, **safe)
    os.rename(os.path.join(directory, "tinygrad_lab"), target)
    return importlib.import_module(name), commit


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="+", metavar="REV", help="git revisions to compare")
    parser.add_argument("--case", choices=sorted(CASES), default="lab",
                        help="which of bench_step.py's small cases to time (default: lab)")
    parser.add_argument("--compiled", action="store_true",
                        help="time the step recorded by tinygrad_lab.compile, not eager mode")
    parser.add_argument("--rounds", type=int, default=None,
                        help="alternating rounds (default 21; 3 with --quick)")
    parser.add_argument("--quick", action="store_true", help="fewer steps and rounds (seconds)")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 21)
    bench_step.keep_freed_memory()

    name, samples, hidden = CASES[args.case]
    make_stepper = bench_step.compiled_stepper if args.compiled else bench_step.engine_stepper
    contenders = {"numpy": bench_step.numpy_stepper, "working tree": make_stepper}
    with tempfile.TemporaryDirectory() as directory:
        sys.path.insert(0, directory)
        for revision in args.revisions:
            try:
                lib, commit = extract(revision, directory)
            except CompareError as error:
                parser.exit(2, f"bench_compare: {error}\n")
            label = f"{revision} ({commit[:7]})"

            def stepper(x, y, weights, lib=lib):
                return make_stepper(x, y, weights, lib=lib)

            try:  # one step now, so that a version without the lab's API fails before timing
                stepper(*bench_step.case_data(samples, hidden))()
            except Exception as error:  # whatever an old version raises, say which and why
                parser.exit(2, f"bench_compare: {revision}: its tinygrad_lab cannot run the lab "
                               f"step ({type(error).__name__}: {error})\n")

            contenders[label] = stepper
        result = bench_step.run_case(name, samples, hidden, rounds, args.quick, contenders)

    mode = "compiled" if args.compiled else "engine"
    print(f"{name}, {mode}: {rounds} alternating rounds of {result['steps']} steps; medians; per "
          "round, each version's ratio to NumPy minus the working tree's")
    print(f"{'version':<28} {mode + ' us':>11} {mode + '/numpy':>14} {'change':>8}")
    ours = result["round_ratios"]["working tree"]
    print(f"{'numpy':<28} {result['median_us']['numpy']:>11.1f}")
    for label, ratios in result["round_ratios"].items():
        change = statistics.median(r - o for r, o in zip(ratios, ours, strict=True))
        shown = "" if label == "working tree" else f"{change:>+8.3f}"
        print(f"{label:<28} {result['median_us'][label]:>11.1f} {result['ratio'][label]:>13.2f}x"
              f" {shown}".rstrip())


if __name__ == "__main__":
    main()
