"""Many runs in parallel: a pool of worker processes, the runs shared out longest first, and a
progress line per finished run with an estimate of the time left."""

import contextlib
import json
import math
import multiprocessing
import os
import signal
import time

from .. import data
from ..files import held_interrupts
from .config import weight_count
from .runs import Trained, rebuild, train

# Read by OpenBLAS / MKL / OpenMP when NumPy is imported: one thread per worker process, so J
# workers use J cores and the sums come out the same whatever --jobs is.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

# The cost model of ``estimated_seconds``: seconds per training step, compiled, on one thread.
STEP_SECONDS = 1.5e-4  # the part every step pays whatever its size (the Python around ~20 ops)
WEIGHT_SECONDS = 1e-8  # per weight: the update and the parts of a step that do not see the batch
WEIGHT_SAMPLE_SECONDS = 1.6e-10  # per weight and sample of the batch: the matmuls
ADAM_WEIGHT_SECONDS = 2e-8  # per weight, what Adam adds to the update (its two moving averages)
# The progress lines give an ETA once this many runs have finished: the first few, cut short at
# epsilon and paying for the workers' start-up, once made it 29m for a report of 2 minutes.
ETA_AFTER_RUNS = 5


def run_key(spec):
    """What determines a run's result: equal keys give equal runs (up to timing)."""
    return json.dumps([spec["dataset"], spec["seed"], spec["config"]], sort_keys=True)


def estimated_seconds(spec):
    """A rough cost of the run, for scheduling (longest first) and the ETA.

    Its steps (epochs times the updates of an epoch) times the cost of a step: STEP_SECONDS, plus
    per weight WEIGHT_SECONDS, WEIGHT_SAMPLE_SECONDS per sample of the batch and, with Adam,
    ADAM_WEIGHT_SECONDS. The constants reproduce the step times quoted beside the epoch budgets
    in ``studies``: a (10, 10) step about 0.15 ms; a (1000, 1000) step on the 100 linear points
    about 26 ms with SGD, 46 ms with Adam. Only the order of the runs and the ETA depend on
    them, never a result.
    """
    config = spec["config"]
    samples = data.size(spec["dataset"])
    batch = min(config["batch_size"] or samples, samples)
    steps = config["epochs"] * math.ceil(samples / batch)
    per_weight = (WEIGHT_SECONDS + WEIGHT_SAMPLE_SECONDS * batch
                  + (ADAM_WEIGHT_SECONDS if config["optimizer"] == "adam" else 0))
    return steps * (STEP_SECONDS + per_weight * weight_count(config["hidden"]))


def run_all(specs, pool, keep=(), full_curves=(), log=None):
    """Run every spec in ``pool`` (see ``worker_pool``); returns (results in spec order, trained).

    Specs with equal ``run_key`` run once and share the result (with their own study and label).
    ``trained`` maps each index in ``keep`` to its ``runs.Trained`` (the trained model, the data,
    the pre-activations at init); ``full_curves`` lists the indexes whose whole curve is kept.
    ``log`` (a file) gets a progress line per run, with an ETA from the ETA_AFTER_RUNS-th on.
    """
    unique = {}
    for index, spec in enumerate(specs):
        unique.setdefault(run_key(spec), []).append(index)
    tasks = [(indexes[0], specs[indexes[0]], any(i in keep for i in indexes),
              any(i in full_curves for i in indexes)) for indexes in unique.values()]
    tasks.sort(key=lambda task: -estimated_seconds(task[1]))  # longest first: less idle at the end
    # The ETA scales the estimated cost of what is left by the wall time per estimated second of
    # the work done so far, counting a run that stopped early (at epsilon) by the epochs it ran.
    remaining, done_work = sum(estimated_seconds(t[1]) for t in tasks), 0.0
    results, trained = [None] * len(specs), {}
    start = time.perf_counter()
    for done, (index, result, kept) in enumerate(pool.imap_unordered(_work, tasks), start=1):
        for other in unique[run_key(specs[index])]:
            results[other] = {**result, "study": specs[other]["study"],
                              "label": specs[other]["label"]}
            if kept is not None and other in keep:
                weights, *arrays = kept
                trained[other] = Trained(rebuild(specs[other]["config"], weights), *arrays)
        estimate = estimated_seconds(specs[index])
        remaining -= estimate
        done_work += estimate * result["epochs_run"] / specs[index]["config"]["epochs"]
        if log is not None:
            eta = None if done < ETA_AFTER_RUNS else \
                (time.perf_counter() - start) / max(done_work, 1e-9) * max(remaining, 0.0)
            print(progress_line(done, len(tasks), result, eta), file=log, flush=True)
    return results, trained


def progress_line(done, total, result, eta=None):
    """``[12/140] lr=0.01 xor seed=3 ... acc 1.00 in 0.8s, ETA 1m05s``; without ``eta`` (seconds),
    no ETA."""
    return (f"[{done}/{total}] {result['label']} {result['dataset']} seed={result['seed']} ... "
            f"acc {result['accuracy']:.2f} in {result['seconds']:.1f}s"
            + ("" if eta is None else f", ETA {format_duration(eta)}"))


def format_duration(seconds):
    """A time to wait, rounded to the second: ``4s``, ``1m05s``, ``11h02m``; ``under 1s``."""
    if seconds < 0.5:
        return "under 1s"
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


@contextlib.contextmanager
def worker_pool(jobs):
    """A pool of ``jobs`` fresh ("spawn") processes, each with one BLAS/OpenMP thread; use it as
    ``with worker_pool(jobs) as pool:``. Leaving the block, however it is left, terminates the
    workers and waits for them to end, so none outlives it.

    The thread variables must be set before NumPy is imported in the child, so they are put in
    this process's environment just while the workers start (spawn copies it), then restored.
    Workers never see Ctrl-C (a terminal sends it to the whole process group): they start with
    SIGINT ignored, so even one pressed while a worker is still importing is left to the parent.
    Ctrl-C is held while the pool starts and while it stops, so that it cannot leave workers
    without a parent to stop them.
    """
    pool = None
    try:
        with held_interrupts(), _interrupts_ignored():
            saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
            os.environ.update({name: "1" for name in THREAD_VARIABLES})
            try:
                pool = multiprocessing.get_context("spawn").Pool(
                    jobs, initializer=_ignore_interrupts)
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
        yield pool
    finally:
        if pool is not None:
            with held_interrupts():
                pool.terminate()
                pool.join()


@contextlib.contextmanager
def _interrupts_ignored():
    """Ignore SIGINT while the workers are started: an ignored signal stays ignored across the
    exec that starts a worker, so a worker ignores Ctrl-C from its first instruction (a blocked
    mask is not enough: the worker's interpreter starts with SIGINT unblocked, and a Ctrl-C while
    it imports prints a traceback). Starting the workers takes milliseconds; a Ctrl-C in them is
    lost, where the workers' own start-up (a few hundred ms) is safe."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _ignore_interrupts():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(task):
    """Train one task in a worker; what is kept goes back as arrays (weights, x, y, values)."""
    index, spec, keep, full_curve = task
    result, trained = train(spec, full_curve=full_curve)
    kept = None
    if keep:
        kept = ([p.data for p in trained.model.parameters()], trained.x, trained.y,
                trained.preactivations)
    return index, result, kept
