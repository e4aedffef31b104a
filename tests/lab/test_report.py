"""``tinygrad-lab report``: the files it writes, results.json's schema, reproducibility whatever
--jobs is, the figures drawn from what the runs returned, and the refused flags.

The two quick reports (``--jobs 2`` and ``--jobs 1``, ~15 s each) are module-scoped fixtures shared
by the tests. Every test here starts a subprocess or builds a report: all are marked slow.
"""

import json
import os
import re
import subprocess
import sys

import pypdf
import pytest
from cli_process import ENV, interrupt_on_line

from tinygrad_lab import __version__
from tinygrad_lab.lab.runs import RESULT_KEYS, TIMING_KEYS
from tinygrad_lab.lab.studies import STUDIES as LAB_STUDIES

pytestmark = pytest.mark.slow
TIMEOUT = 300
ERROR_PREFIX = "tinygrad-lab: error: "
AUTHOR, STUDENT_ID = "李美慧", "309551027"  # the spec's example
STUDIES = {"learning_rate", "hidden_units", "activation", "optimizer", "batch_size", "init"}
CONFIG_TYPES = {"learning_rate": float, "hidden": list, "activation": str, "optimizer": str,
                "batch_size": (int, type(None)), "init": str, "epochs": int, "epsilon": float}
RUN_TYPES = {"study": str, "label": str, "dataset": str, "seed": int, "config": dict,
             "accuracy": float, "final_loss": (float, type(None)), "epochs_run": int,
             "epochs_to_100": (int, type(None)), "epochs_to_epsilon": (int, type(None)),
             "diverged": bool, "seconds": float, "seconds_to_100": (float, type(None)),
             "loss_increases": int, "init_stats": dict, "curve": dict}
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] .+ (linear|xor) seed=\d+ \.\.\. acc [01]\.\d\d "
                      r"in \d+\.\ds(, ETA (\d+m\d\ds|\d+s|under 1s))?$")


def run(*args, cwd):
    """``tinygrad-lab ARGS`` in ``cwd``; the CompletedProcess with text stdout and stderr."""
    return subprocess.run([sys.executable, "-m", "tinygrad_lab", *map(str, args)], cwd=cwd,
                          env=ENV, capture_output=True, text=True, timeout=TIMEOUT)


def quick_report(tmp_path_factory, jobs):
    folder = tmp_path_factory.mktemp(f"jobs{jobs}")
    result = run("report", "--quick", "--jobs", jobs, "--out", folder / "out", "--author",
                 AUTHOR, "--student-id", STUDENT_ID, cwd=folder)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder / "out", result


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return quick_report(tmp_path_factory, jobs=2)


@pytest.fixture(scope="module")
def report_one_job(tmp_path_factory):
    return quick_report(tmp_path_factory, jobs=1)


def load(out):
    return json.loads((out / "results.json").read_text())


def run_without_timing(run_):
    """A run's object without the fields that measure time (they differ from run to run)."""
    return {key: value for key, value in run_.items() if key not in TIMING_KEYS}


def without_timing(results):
    """results.json without the fields that measure time."""
    return {**results, "runs": [run_without_timing(run_) for run_ in results["runs"]],
            "lab": [run_without_timing(run_) for run_ in results["lab"]]}


# ---- the files --------------------------------------------------------------------------------

def test_writes_the_report_results_and_figures(report):
    out, _ = report
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert (out / "report.md").read_text().startswith("# ")
    load(out)
    figures = sorted((out / "figures").iterdir())
    assert len(figures) >= 8
    for figure in figures:
        assert figure.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), figure
    assert not [name for name in os.listdir(out) if name.endswith(".tmp")]


def test_every_figure_and_link_in_the_markdown_exists(report):
    out, _ = report
    markdown = (out / "report.md").read_text()
    targets = [t for t in re.findall(r"\]\(([^)\s]+)\)", markdown)
               if not t.startswith("#")]  # the contents link to headings
    assert len(targets) >= 8
    for target in targets:
        assert (out / target).is_file(), target
    linked = {target for target in targets if target.endswith(".png")}
    assert linked == {f"figures/{path.name}" for path in (out / "figures").iterdir()}


SECTIONS = {  # the spec's Report Spec, then the conclusion and the references
    "1. Introduction": [],
    "2. Experiment setups": ["A. Sigmoid functions", "B. Neural network", "C. Backpropagation"],
    "3. Results of your testing": ["A. Screenshot and comparison figure",
                                   "B. Show the accuracy of your prediction",
                                   "C. Learning curve (loss, epoch curve)",
                                   "D. Anything you want to present"],
    "4. Discussion": ["A. Try different learning rates", "B. Try different numbers of hidden units",
                      "C. Try without activation functions", "D. Anything you want to share"],
    "5. Conclusion": [],
    "References": [],
}


def test_the_markdown_follows_the_spec_report_layout(report):
    out, _ = report
    markdown = (out / "report.md").read_text()
    headings = [line for line in markdown.splitlines() if line.startswith(("## ", "### "))]
    expected = [heading for section, subsections in SECTIONS.items()
                for heading in [f"## {section}", *(f"### {s}" for s in subsections)]]
    assert [h for h in headings if h != "## Contents"] == expected
    assert markdown.count("$$") >= 2 * 6  # the formulas of section 2
    assert "median (min–max)" in markdown  # the tables say their statistic


def pdf_text(out):
    reader = pypdf.PdfReader(out / "report.pdf")
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text.replace("\xa0", " ")  # Typst joins "Figure" and its number unbreakably


def test_the_pdf_is_typst_s_and_holds_what_the_spec_asks_for(report):
    out, _ = report
    reader, text = pdf_text(out)
    assert reader.metadata["/Creator"].startswith("Typst")
    assert len(reader.pages) >= 10
    for needed in (AUTHOR, STUDENT_ID, "Figure 1", "Table 1", "Listing 1", "SGD, lr 0.3",
                   "spec setting", "probability", *(name.split(". ", 1)[-1] for name in
                                                    SECTIONS)):
        assert needed in text, needed
    results = load(out)
    main_xor = next(r for r in results["lab"] if r["label"] == "spec setting"
                    and r["dataset"] == "xor")
    for probability in main_xor["points"]["probability"][:5]:  # the prediction table
        assert f"{probability:.6f}" in text
    typst_source = (out / "report.typ").read_text(encoding="utf-8")
    assert AUTHOR in typst_source and "#outline" in typst_source


# ---- results.json -----------------------------------------------------------------------------

def check_run(run_, points=False):
    """A run's object; a Results-section run (``points``) also has its per-sample predictions."""
    assert tuple(run_) == ((*RESULT_KEYS, "points") if points else RESULT_KEYS)
    if points:
        assert len(run_["points"]["x"]) == len(run_["points"]["label"]) \
            == len(run_["points"]["probability"])
    for key, kind in RUN_TYPES.items():
        assert isinstance(run_[key], kind), (key, run_[key])
    assert set(run_["config"]) == set(CONFIG_TYPES)
    for key, kind in CONFIG_TYPES.items():
        assert isinstance(run_["config"][key], kind), (key, run_["config"][key])
    assert run_["dataset"] in ("linear", "xor")
    assert 0.0 <= run_["accuracy"] <= 1.0
    assert run_["epochs_run"] <= run_["config"]["epochs"]
    for key in ("epochs_to_100", "epochs_to_epsilon"):
        assert run_[key] is None or 1 <= run_[key] <= run_["epochs_run"]
    assert (run_["epochs_to_100"] is None) == (run_["seconds_to_100"] is None)
    assert len(run_["curve"]["epoch"]) == len(run_["curve"]["loss"]) >= 1
    assert run_["curve"]["epoch"][-1] == run_["epochs_run"]


def test_results_json_schema(report):
    out, _ = report
    results = load(out)
    assert results["version"] == __version__
    assert isinstance(results["numpy"], str) and results["quick"] is True
    seeds = results["seeds"]
    assert seeds == 2
    for run_ in results["runs"]:
        check_run(run_)
        assert run_["study"] in STUDIES
    assert {run_["study"] for run_ in results["runs"]} == STUDIES
    count = sum(study.seeds_of(variant, seeds) for study in LAB_STUDIES
                for variant in study.variants)
    assert len(results["runs"]) == count * 2
    assert [(r["label"], r["dataset"]) for r in results["lab"]] == [
        ("spec setting", "linear"), ("spec setting", "xor"), ("program default", "linear"),
        ("program default", "xor")]
    for run_ in results["lab"]:
        check_run(run_, points=True)
    check = results["gradcheck"]
    assert check["max_relative_error"] < 1e-5
    assert [layer["name"] for layer in check["layers"]] == ["W1", "W2", "W3"]


def test_without_an_activation_the_network_learns_linear_but_not_xor(report):
    out, _ = report
    runs = [run_ for run_ in load(out)["runs"]
            if run_["study"] == "activation" and run_["config"]["activation"] == "none"]
    assert {run_["dataset"] for run_ in runs} == {"linear", "xor"}
    for run_ in runs:
        if run_["dataset"] == "linear":
            assert run_["accuracy"] == 1.0, run_["seed"]
        else:
            assert run_["accuracy"] < 0.9, run_["seed"]


def test_a_progress_line_per_run_on_stderr(report):
    _, result = report
    matches = [PROGRESS.match(line) for line in result.stderr.splitlines()]
    progress = [match for match in matches if match]
    assert progress, result.stderr
    totals = {int(match.group(2)) for match in progress}
    assert len(totals) == 1
    assert [int(match.group(1)) for match in progress] == list(range(1, totals.pop() + 1))
    assert result.stderr.splitlines()[-1].startswith("wrote ")


def test_the_same_results_whatever_jobs_is(report, report_one_job):
    first, second = load(report[0]), load(report_one_job[0])
    assert without_timing(first) == without_timing(second)


# ---- flags ------------------------------------------------------------------------------------

def assert_usage_error(result, *fragments):
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(ERROR_PREFIX), result.stderr
    for fragment in fragments:
        assert fragment in last, (fragment, last)


@pytest.mark.parametrize("flags, fragment", [
    (["--seeds", 0], "--seeds"),
    (["--seeds", "two"], "--seeds"),
    (["--jobs", 0], "--jobs"),
    (["--jobs", -1], "--jobs"),
])
def test_bad_numbers_are_refused(tmp_path, flags, fragment):
    assert_usage_error(run("report", *flags, cwd=tmp_path), fragment)
    assert os.listdir(tmp_path) == []


def test_an_unwritable_out_is_refused_before_any_run(tmp_path):
    (tmp_path / "afile").write_text("a regular file")
    for out in ("afile", tmp_path / "afile" / "sub"):
        result = run("report", "--quick", "--out", out, cwd=tmp_path)
        assert_usage_error(result, "--out", "afile")
        assert "[1/" not in result.stderr
    assert os.listdir(tmp_path) == ["afile"]


def test_help_lists_the_options(tmp_path):
    result = run("report", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for option in ("--out", "--quick", "--seeds", "--jobs"):
        assert option in result.stdout


def test_ctrl_c_stops_the_report_without_a_traceback(tmp_path):
    status, _, stderr = interrupt_on_line(["report", "--quick", "--out", "out"], tmp_path, "[1/",
                                          "stderr", TIMEOUT)
    assert status == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == "tinygrad-lab: interrupted; out is as it was"
    assert not (tmp_path / "out" / "results.json").exists()
