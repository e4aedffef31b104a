"""Building the report's folder: run every study, then write results.json, the figures,
report.md, report.typ and report.pdf (the document's content is in ``report``)."""

import json
import os
import time

import numpy as np

from ..files import atomic_write
from ..version import __version__
from .document import to_markdown, write_pdf
from .figures import FIGURE_DIR, draw
from .gradients import gradient_check
from .pool import run_all, worker_pool
from .report import FIGURE_RUNS, document, figure_key
from .studies import build_specs, lab_specs


def check_matplotlib():
    """Raise ImportError with the install hint unless matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise ImportError('the report needs matplotlib: pip install "tinygrad-lab[plot]"') \
            from error


def write_report(out_dir, seeds=5, quick=False, jobs=None, log=None):
    """Run every study and write results.json, figures/*.png, report.md and report.pdf.

    ``seeds`` runs per variant and dataset, ``jobs`` worker processes (default: the number of
    cores), ``log`` a file for progress lines. Returns the paths written. Each file is written
    whole (a temporary file renamed into place). Raises OSError if ``out_dir`` is unwritable.
    """
    start = time.perf_counter()
    os.makedirs(os.path.join(out_dir, FIGURE_DIR), exist_ok=True)
    paths = [os.path.join(out_dir, name) for name in ("results.json", "report.md", "report.pdf")]
    with worker_pool(jobs or os.cpu_count() or 1) as pool:
        results, trained = collect(seeds, quick, pool, log)
        with atomic_write(paths[0]) as file:
            file.write(to_json(results).encode())
        drawings = []  # (name, thunk) of every figure; thunk() gives (function, *arguments)
        blocks = document(results, trained, lambda name, thunk: drawings.append((name, thunk)))
        with atomic_write(paths[1]) as file:
            file.write(to_markdown(blocks).encode())
        if log is not None:
            print(f"drawing {len(drawings)} figures, then report.pdf ...", file=log, flush=True)
        jobs = [(out_dir, name, *thunk()) for name, thunk in drawings]
        figure_paths = pool.starmap(draw, jobs, chunksize=1)
    write_pdf(blocks, paths[2], out_dir)
    if log is not None:
        print(f"wrote {', '.join(paths)} and {len(figure_paths)} figures in "
              f"{os.path.join(out_dir, FIGURE_DIR)} ({time.perf_counter() - start:.0f} s)",
              file=log, flush=True)
    return paths + figure_paths


def collect(seeds, quick, pool, log=None):
    """Run the studies, the lab runs and the gradient check; returns (results, trained).

    ``results`` is what results.json holds; ``trained`` maps (study, dataset, variant key) of
    each of the FIGURE_RUNS to what that run returned beside its result (``runs.Trained``: the
    trained model, the data, the pre-activations at init), for the figures. The Results
    section's runs have the key LAB_KEY.
    """
    specs = build_specs(seeds, quick) + lab_specs()
    keep = [i for i, spec in enumerate(specs)
            if any(spec["study"] == study and spec["seed"] == seed
                   and dataset in (None, spec["dataset"]) for study, seed, dataset in FIGURE_RUNS)]
    lab = [i for i, spec in enumerate(specs) if spec["study"] == "lab"]
    runs, trained = run_all(specs, pool, keep=keep, full_curves=lab, log=log)
    results = {"version": __version__, "numpy": np.__version__, "quick": quick, "seeds": seeds,
               "runs": [run for run in runs if run["study"] != "lab"],
               "lab": [run for run in runs if run["study"] == "lab"],
               "gradcheck": gradient_check()}
    return results, {figure_key(specs[i]): trained[i] for i in keep}


def to_json(results):
    """results.json's text: the top-level keys indented, one run per line."""
    def dump(value):
        return json.dumps(value, allow_nan=False)

    fields = []
    for key, value in results.items():
        if isinstance(value, list):
            items = ",\n".join(f"  {dump(item)}" for item in value)
            fields.append(f"{dump(key)}: [\n{items}\n ]")
        else:
            fields.append(f"{dump(key)}: {dump(value)}")
    return "{\n " + ",\n ".join(fields) + "\n}\n"


