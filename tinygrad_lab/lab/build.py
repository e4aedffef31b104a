"""Building the report's folder: run every study, then write results.json, the figures,
report.md, report.typ and report.pdf (the document's content is in ``report``); or render the
documents again from a saved results.json.

The folder is built whole beside its place (``files.atomic_folder``) and moved in at the end, so
a failure or a Ctrl-C at any moment leaves the old folder as it was and no temporary behind.
"""

import datetime
import json
import os
import shutil
import time

import numpy as np

from ..files import atomic_folder, atomic_write
from ..version import __version__
from .document import check_typst, compile_pdf, to_markdown, to_typst
from .figures import FIGURE_DIR, draw
from .gradients import gradient_check
from .pool import run_all, run_key, worker_pool
from .report import FIGURE_RUNS, document, figure_key
from .studies import build_specs, lab_specs

RESULTS, MARKDOWN, TYPST, PDF = "results.json", "report.md", "report.typ", "report.pdf"
META_KEYS = ("author", "student_id", "date")  # what the title shows; results.json's "meta"
# What a results.json must hold to be a report's: the keys ``document`` reads.
RESULT_KEYS = ("version", "numpy", "quick", "seeds", "runs", "lab", "gradcheck")


def check_matplotlib():
    """Raise ImportError with the install hint unless matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as error:
        raise ImportError('the report needs matplotlib: pip install "tinygrad-lab[plot]"') \
            from error


def check_report_extras():
    """Raise ImportError with the install hint unless what the report needs (matplotlib for the
    figures, Typst for the PDF) can be imported: called before any run, rather than after."""
    check_matplotlib()
    check_typst()


def make_meta(author=None, student_id=None, stored=None):
    """The title's author, student_id and date: ``stored`` (results.json's "meta") with the
    given values put over it; a missing name is "", a missing date today's (ISO 8601)."""
    meta = {"author": "", "student_id": "", "date": datetime.date.today().isoformat(),
            **{key: stored[key] for key in META_KEYS if isinstance(stored, dict) and key in stored}}
    for key, value in (("author", author), ("student_id", student_id)):
        if value is not None:
            meta[key] = value
    return meta


def write_report(out_dir, seeds=5, quick=False, jobs=None, log=None, meta=None):
    """Run every study and write results.json, figures/*.png, report.md, report.typ and
    report.pdf into the folder ``out_dir``, which replaces what was there only once it is
    complete.

    ``seeds`` runs per variant and dataset, ``jobs`` worker processes (default: the number of
    cores), ``log`` a file for progress lines (one before each phase: training, figures, PDF),
    ``meta`` the title's author, student_id and date (default ``make_meta()``), kept in
    results.json. Returns the paths written. Raises OSError if ``out_dir`` is unwritable, and
    on a Ctrl-C KeyboardInterrupt (``files.LateInterrupt`` if the folder was already complete).
    """
    start = time.perf_counter()
    meta = make_meta() if meta is None else meta
    with atomic_folder(out_dir) as folder:
        os.mkdir(os.path.join(folder, FIGURE_DIR))
        with worker_pool(jobs or os.cpu_count() or 1) as pool:
            results, trained = collect(seeds, quick, pool, log)
            results["meta"] = meta
            drawings = []  # (name, thunk) of every figure; thunk() gives (function, *arguments)
            blocks = document(results, trained, lambda name, thunk: drawings.append((name, thunk)),
                              meta)
            write_documents(folder, results, blocks)
            say(log, f"drawing {len(drawings)} figures ...")
            figures = pool.starmap(draw, [(folder, name, *thunk()) for name, thunk in drawings],
                                   chunksize=1)
        say(log, f"compiling {PDF} ...")
        compile_pdf(os.path.join(folder, TYPST), os.path.join(folder, PDF))
    return finish(out_dir, [os.path.relpath(path, folder) for path in figures], start, log)


def rerender(results_path, out_dir=None, author=None, student_id=None, log=None):
    """Write report.md, report.typ and report.pdf again from a saved results.json, training
    nothing: into ``out_dir`` (default: the results' folder), whole, as ``write_report`` does.

    The title's author and student_id are the stored ones (results.json's "meta") unless given.
    The figures are the ones in the results' folder, copied with results.json when ``out_dir``
    is elsewhere. Returns the paths written. Raises ValueError if ``results_path`` is not a
    report's results.json or a figure the document links is missing, OSError as writing does.
    """
    start = time.perf_counter()
    results = load_results(results_path)
    source = os.path.dirname(os.path.abspath(results_path))
    out_dir = source if out_dir is None else out_dir
    meta = make_meta(author, student_id, stored=results.get("meta"))
    results["meta"] = meta
    try:
        blocks = document(results, None, lambda name, thunk: None, meta)
    except (KeyError, IndexError, TypeError) as error:  # written by another version, or edited
        raise ValueError(f"cannot re-render from {results_path} (written by tinygrad_lab "
                         f"{results['version']}; this is {__version__}): it lacks what the "
                         f"report reads ({type(error).__name__}: {error})") from None
    figures = [block[1] for block in blocks if block[0] == "figure"]
    for figure in figures:
        if not os.path.isfile(os.path.join(source, figure)):
            raise ValueError(f"cannot re-render from {results_path}: the report links "
                             f"{os.path.join(source, figure)}, which is missing")
    with atomic_folder(out_dir) as folder:
        for figure in figures:
            os.makedirs(os.path.dirname(os.path.join(folder, figure)), exist_ok=True)
            shutil.copy2(os.path.join(source, figure), os.path.join(folder, figure))
        write_documents(folder, results, blocks)
        say(log, f"compiling {PDF} ...")
        compile_pdf(os.path.join(folder, TYPST), os.path.join(folder, PDF))
    return finish(out_dir, figures, start, log)


def load_results(path):
    """The dict a report's results.json holds; ValueError in one line if it is missing,
    unreadable, not JSON or not a report's (see RESULT_KEYS)."""
    try:
        with open(path, encoding="utf-8") as file:
            results = json.load(file)
    except FileNotFoundError:
        raise ValueError(f"no such results file: {path}") from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a folder: give the results.json inside it") from None
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not a report's results.json: not JSON ({error})") from None
    if not isinstance(results, dict):
        raise ValueError(f"{path} is not a report's results.json: not a JSON object")
    missing = [key for key in RESULT_KEYS if key not in results]
    if missing:
        raise ValueError(f"{path} is not a report's results.json: it has no "
                         f"{', '.join(map(repr, missing))}")
    return results


def write_documents(folder, results, blocks):
    """Write results.json, report.md and report.typ into ``folder``."""
    for name, text in ((RESULTS, to_json(results)), (MARKDOWN, to_markdown(blocks)),
                       (TYPST, to_typst(blocks))):
        with atomic_write(os.path.join(folder, name)) as file:
            file.write(text.encode())


def finish(out_dir, figures, start, log):
    """The paths written (the documents, then the figures, each in ``out_dir``), logged."""
    paths = [os.path.join(out_dir, name) for name in (RESULTS, MARKDOWN, TYPST, PDF)]
    say(log, f"wrote {', '.join(paths)} and {len(figures)} figures in "
             f"{os.path.join(out_dir, FIGURE_DIR)} ({time.perf_counter() - start:.0f} s)")
    return paths + [os.path.join(out_dir, figure) for figure in figures]


def say(log, line):
    if log is not None:
        print(line, file=log, flush=True)


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
    say(log, f"training {len({run_key(spec) for spec in specs})} runs ...")
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
