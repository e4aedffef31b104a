"""Building the report folder whole (``files.atomic_folder``, Ctrl-C held where it must be), the
title's meta, results.json read back, and ``report --from`` rendering the same documents again.

The tests of ``--from`` share one quick report (``--seeds 1``, ~15 s), a module-scoped fixture;
they and the tests that start a subprocess are marked slow. The rest run in this process.
"""

import contextlib
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from cli_process import ENV, old_report, snapshot, temporaries

from tinygrad_lab import cli, files
from tinygrad_lab.lab import build
from tinygrad_lab.lab.document import TYPST_HINT

TIMEOUT = 300
AUTHOR, STUDENT_ID = "王小明", "313551000"
DOCUMENTS = ("report.md", "report.typ", "results.json")


def run(*args, cwd, env=None):
    """``tinygrad-lab ARGS`` in ``cwd``; the CompletedProcess with text stdout and stderr."""
    return subprocess.run([sys.executable, "-m", "tinygrad_lab", *map(str, args)], cwd=cwd,
                          env=env or ENV, capture_output=True, text=True, timeout=TIMEOUT)


def error_line(capsys):
    """The last stderr line of an in-process ``cli.main``; there must be no traceback."""
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return err.strip().splitlines()[-1]


# ---- the folder, built whole ------------------------------------------------------------------

def test_a_new_folder_appears_whole_with_the_usual_permissions(tmp_path):
    with files.atomic_folder(tmp_path / "out") as folder:
        assert os.path.dirname(folder) == str(tmp_path)
        assert os.path.basename(folder).startswith(".out-") and folder.endswith(".tmp")
        assert not (tmp_path / "out").exists()
        (tmp_path / folder / "a.txt").write_text("new")
    assert snapshot(tmp_path) == {os.path.join("out", "a.txt"): b"new"}
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~umask


def test_an_old_folder_is_replaced_as_a_whole(tmp_path):
    old_report(tmp_path / "out")
    with files.atomic_folder(tmp_path / "out") as folder:
        (tmp_path / folder / "a.txt").write_text("new")
    assert snapshot(tmp_path / "out") == {"a.txt": b"new"}
    assert os.listdir(tmp_path) == ["out"]


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failure_leaves_the_old_folder_and_no_temporary(tmp_path, error):
    before = old_report(tmp_path / "out")
    with pytest.raises(type(error)), files.atomic_folder(tmp_path / "out") as folder:
        (tmp_path / folder / "figures").mkdir()
        (tmp_path / folder / "figures" / "half.png").write_bytes(b"\x89PNG")
        raise error
    assert snapshot(tmp_path / "out") == before
    assert os.listdir(tmp_path) == ["out"]


def test_missing_parents_are_made_and_removed_again_on_failure(tmp_path):
    with pytest.raises(KeyboardInterrupt), files.atomic_folder(tmp_path / "a" / "b" / "out"):
        assert (tmp_path / "a" / "b").is_dir()
        raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []
    with files.atomic_folder(tmp_path / "a" / "b" / "out"):
        pass
    assert (tmp_path / "a" / "b" / "out").is_dir()


def test_a_ctrl_c_while_moving_in_is_held_then_raised_as_late(tmp_path, monkeypatch):
    old_report(tmp_path / "out")
    move = files.replace_folder

    def interrupted_move(new, path):
        signal.raise_signal(signal.SIGINT)  # arrives between the two renames
        move(new, path)

    monkeypatch.setattr(files, "replace_folder", interrupted_move)
    with pytest.raises(files.LateInterrupt), files.atomic_folder(tmp_path / "out") as folder:
        (tmp_path / folder / "a.txt").write_text("new")
    assert snapshot(tmp_path / "out") == {"a.txt": b"new"}
    assert os.listdir(tmp_path) == ["out"]


def test_an_interrupted_write_leaves_the_old_file(tmp_path):
    (tmp_path / "a.txt").write_text("old")
    with pytest.raises(KeyboardInterrupt), files.atomic_write(tmp_path / "a.txt") as file:
        file.write(b"half")
        raise KeyboardInterrupt
    assert snapshot(tmp_path) == {"a.txt": b"old"}


def test_held_interrupts_act_when_the_block_ends():
    done = []
    with pytest.raises(KeyboardInterrupt), files.held_interrupts():
        signal.raise_signal(signal.SIGINT)
        done.append("after the signal")
    assert done == ["after the signal"]
    with files.held_interrupts():  # no signal, nothing raised
        pass


def test_only_the_first_ctrl_c_interrupts():
    steps = []
    with files.interrupted_once():
        try:
            signal.raise_signal(signal.SIGINT)
            steps.append("not reached")
        except KeyboardInterrupt:
            signal.raise_signal(signal.SIGINT)  # the second, during the cleanup: ignored
            with files.held_interrupts():
                signal.raise_signal(signal.SIGINT)
            steps.append("cleaned up")
    assert steps == ["cleaned up"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_failing_build_leaves_the_old_folder(tmp_path, monkeypatch):
    before = old_report(tmp_path / "out")

    def collect(*args):
        raise OSError("no space left")

    monkeypatch.setattr(build, "worker_pool", lambda jobs: contextlib.nullcontext())
    monkeypatch.setattr(build, "collect", collect)
    with pytest.raises(OSError, match="no space left"):
        build.write_report(tmp_path / "out", seeds=1, quick=True, jobs=1)
    assert snapshot(tmp_path / "out") == before
    assert temporaries(tmp_path) == []


# ---- the folders report refuses ---------------------------------------------------------------

def test_report_refuses_a_folder_that_is_not_a_report(tmp_path, capsys):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("keep me")
    assert cli.main(["report", "--quick", "--out", str(tmp_path / "notes")]) == 2
    line = error_line(capsys)
    assert line.startswith("tinygrad-lab: error: ") and "results.json" in line, line
    assert snapshot(tmp_path) == {os.path.join("notes", "mine.txt"): b"keep me"}


def test_report_refuses_a_folder_holding_the_current_one(tmp_path, capsys, monkeypatch):
    old_report(tmp_path / "out")
    (tmp_path / "out" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "out" / "sub")
    for out in (str(tmp_path / "out"), "..", "."):
        assert cli.main(["report", "--quick", "--out", out]) == 2
        assert "current folder" in error_line(capsys)


# ---- meta and results.json --------------------------------------------------------------------

def test_meta_defaults_stored_values_and_flags():
    today = datetime.date.today().isoformat()
    assert build.make_meta() == {"author": "", "student_id": "", "date": today}
    stored = {"author": "A", "student_id": "1", "date": "2025-03-14"}
    assert build.make_meta(stored=stored) == stored
    assert build.make_meta("李美慧", None, stored) == {**stored, "author": "李美慧"}
    assert build.make_meta(None, "2", {"author": "A"}) == \
        {"author": "A", "student_id": "2", "date": today}


@pytest.mark.parametrize("text, fragment", [
    (None, "no such results file"),
    ("{not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"version": "0.1.0"}', "'runs'"),
    ('{"version": "0.0.1", "numpy": "1.26", "quick": true, "seeds": 1, "runs": [], "lab": [], '
     '"gradcheck": {}}', "lacks what the report reads"),
])
def test_from_refuses_what_is_not_a_reports_results(tmp_path, capsys, text, fragment):
    path = tmp_path / "results.json"
    if text is not None:
        path.write_text(text)
    assert cli.main(["report", "--from", str(path)]) == 2
    line = error_line(capsys)
    assert line.startswith("tinygrad-lab: error: ") and str(path) in line, line
    assert fragment in line, line
    assert sorted(os.listdir(tmp_path)) == ([] if text is None else ["results.json"])


@pytest.mark.parametrize("flag", [["--quick"], ["--seeds", "2"], ["--jobs", "2"]])
def test_from_refuses_the_training_flags(tmp_path, capsys, flag):
    assert cli.main(["report", "--from", str(tmp_path / "results.json"), *flag]) == 2
    assert flag[0] in error_line(capsys)


# ---- without the report's extras --------------------------------------------------------------

MATPLOTLIB_HINT = 'the report needs matplotlib: pip install "tinygrad-lab[plot]"'


@pytest.mark.slow
@pytest.mark.parametrize("module, hint, flags", [
    ("typst", TYPST_HINT, ["--quick"]),
    ("typst", TYPST_HINT, ["--from", "old/results.json"]),
    ("matplotlib", MATPLOTLIB_HINT, ["--quick"]),  # re-rendering draws nothing: no matplotlib
], ids=["typst", "typst-from", "matplotlib"])
def test_without_an_extra_report_refuses_before_any_run(tmp_path, module, hint, flags):
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / f"{module}.py").write_text(f"raise ImportError('no {module} (the test hides it)')\n")
    env = {**ENV, "PYTHONPATH": os.pathsep.join([str(blocked), ENV.get("PYTHONPATH", "")])}
    before = old_report(tmp_path / "old")
    result = run("report", *flags, "--out", "old", cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [f"tinygrad-lab: error: {hint}"]
    assert snapshot(tmp_path / "old") == before
    assert sorted(os.listdir(tmp_path)) == ["blocked", "old"]


# ---- report --from ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A quick report with an author and a student ID: its folder."""
    folder = tmp_path_factory.mktemp("report")
    result = run("report", "--quick", "--seeds", 1, "--jobs", 2, "--author", AUTHOR,
                 "--student-id", STUDENT_ID, "--out", folder / "out", cwd=folder)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder / "out"


def linked_figures(folder):
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    return sorted({line.split("](")[1].split(")")[0] for line in markdown.splitlines()
                   if line.startswith("![")})


@pytest.mark.slow
def test_the_report_keeps_its_meta_in_results_json(report):
    meta = json.loads((report / "results.json").read_text())["meta"]
    assert meta == {"author": AUTHOR, "student_id": STUDENT_ID,
                    "date": datetime.date.today().isoformat()}
    markdown = (report / "report.md").read_text(encoding="utf-8")
    assert AUTHOR in markdown and STUDENT_ID in markdown
    assert AUTHOR in (report / "report.typ").read_text(encoding="utf-8")


@pytest.mark.slow
def test_from_renders_the_same_documents_elsewhere(report, tmp_path):
    result = run("report", "--from", report / "results.json", "--out", "again", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    again = tmp_path / "again"
    for name in DOCUMENTS:
        assert (again / name).read_bytes() == (report / name).read_bytes(), name
    assert (again / "report.pdf").read_bytes().startswith(b"%PDF-")
    figures = linked_figures(report)
    assert len(figures) >= 8
    assert sorted(f"figures/{name}" for name in os.listdir(again / "figures")) == figures
    for figure in figures:
        assert (again / figure).read_bytes() == (report / figure).read_bytes(), figure
    assert temporaries(tmp_path) == []


@pytest.mark.slow
def test_from_renders_in_place_and_flags_override_the_stored_meta(report, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(report, copy)
    result = run("report", "--from", "copy/results.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in DOCUMENTS:
        assert (copy / name).read_bytes() == (report / name).read_bytes(), name
    result = run("report", "--from", "copy/results.json", "--author", "Ada Lovelace", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    meta = json.loads((copy / "results.json").read_text())["meta"]
    stored = json.loads((report / "results.json").read_text())["meta"]
    assert meta == {**stored, "author": "Ada Lovelace"}
    markdown = (copy / "report.md").read_text(encoding="utf-8")
    assert "Ada Lovelace" in markdown and AUTHOR not in markdown and STUDENT_ID in markdown
    assert os.listdir(tmp_path) == ["copy"]


@pytest.mark.slow
def test_from_refuses_a_results_folder_missing_a_linked_figure(report, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(report, copy)
    missing = linked_figures(report)[0]
    (copy / missing).unlink()
    before = snapshot(copy)
    result = run("report", "--from", copy / "results.json", "--out", "elsewhere", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("tinygrad-lab: error: ") and missing in line, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(copy) == before and os.listdir(tmp_path) == ["copy"]
