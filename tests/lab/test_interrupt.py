"""Ctrl-C during ``tinygrad-lab report --quick``: at each phase (training, drawing the figures,
compiling the PDF), sent once or twice, to the main process or to its whole process group as a
terminal sends it. Each time: status 130, one line and no traceback, the out folder exactly as
it was (a byte-for-byte copy of an old report, or absent), no temporary file or folder anywhere,
and no process of the command's group left running.

Each test waits for the progress line that starts a phase, then signals: no sleeping. Every test
starts a report (``--seeds 1``: ~1 s to reach training, ~6 s the figures, ~10 s the PDF).
"""

import os

import pytest
from cli_process import interrupt_at, live_processes, old_report, snapshot, temporaries

pytestmark = pytest.mark.slow
TIMEOUT = 300
QUICK = ["report", "--quick", "--seeds", 1, "--jobs", 2]


def check_interrupted(done, out, shown):
    """Status 130; the one line naming ``shown`` last on stderr; no traceback; no process of
    its group still running."""
    assert done.status == 130, done.stderr
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    own = [line for line in lines if line.startswith("tinygrad-lab:")]
    assert own == [f"tinygrad-lab: interrupted; {shown} is as it was"] == lines[-1:], done.stderr
    assert live_processes(done.group) == []
    assert not os.path.exists(os.path.join(out, "report.pdf"))


@pytest.mark.parametrize("line, to_group, times", [
    ("training ", True, 2),  # the workers are still starting
    ("[1/", False, 1),  # the first run is done
    ("[1/", True, 2),
], ids=["starting-group-twice", "process-once", "group-twice"])
def test_ctrl_c_while_training_leaves_the_old_report(tmp_path, line, to_group, times):
    before = old_report(tmp_path / "report")
    done = interrupt_at(QUICK, tmp_path, line, "stderr", TIMEOUT, to_group, times)
    check_interrupted(done, tmp_path / "report", "report")
    assert snapshot(tmp_path / "report") == before
    assert temporaries(tmp_path) == []


def test_ctrl_c_while_training_into_a_new_folder_leaves_nothing(tmp_path):
    done = interrupt_at([*QUICK, "--out", "new/deeper/out"], tmp_path, "[1/", "stderr", TIMEOUT,
                        to_group=True)
    check_interrupted(done, tmp_path / "new" / "deeper" / "out", "new/deeper/out")
    assert os.listdir(tmp_path) == []


def test_ctrl_c_while_drawing_the_figures_leaves_the_old_report(tmp_path):
    before = old_report(tmp_path / "out")
    done = interrupt_at([*QUICK, "--out", "out"], tmp_path, "drawing ", "stderr", TIMEOUT,
                        to_group=True)
    check_interrupted(done, tmp_path / "out", "out")
    assert "compiling report.pdf" not in done.stderr
    assert snapshot(tmp_path / "out") == before
    assert temporaries(tmp_path) == []


def test_ctrl_c_while_compiling_the_pdf_leaves_the_old_report(tmp_path):
    before = old_report(tmp_path / "out")
    done = interrupt_at([*QUICK, "--out", "out"], tmp_path, "compiling report.pdf", "stderr",
                        TIMEOUT, to_group=False, times=2)
    check_interrupted(done, tmp_path / "out", "out")
    assert not any(line.startswith("wrote ") for line in done.stderr.splitlines())
    assert snapshot(tmp_path / "out") == before
    assert temporaries(tmp_path) == []
