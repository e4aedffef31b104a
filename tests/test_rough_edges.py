"""The rough edges a newcomer hit in the commands, each fixed: a missing matplotlib refused before
any work, flags that do nothing said so, a loss below epsilon shown below it, a run stuck at the
loss's ceiling called saturated, a CSV run named by the file's stem, and `| head` ending quietly.

Most run the command line in this process (``cli.main``); the pipe tests start a subprocess.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_lab import cli, data, fit, nn, optim, pipes
from tinygrad_lab.seeding import seeded_streams

ROOT = Path(__file__).resolve().parent.parent
ERROR = "tinygrad-lab: error: "
WARNING = "tinygrad-lab: warning: "


def run(capsys, *args):
    """``cli.main(args)``: (status, stdout lines, stderr lines)."""
    status = cli.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err.splitlines()


@pytest.fixture
def without_matplotlib(monkeypatch):
    """``import matplotlib`` fails, as where it is not installed."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)


# ---- a missing matplotlib is refused before any work --------------------------------------------

@pytest.mark.parametrize("args", [
    ["lab", "--out", "lab-output"],
    ["train", "--dataset", "linear", "--out", "figures"],
    ["train", "--dataset", "xor", "--show"],
    ["graph", "--dataset", "xor"],
    ["graph", "--out", "g.png", "--dot", "g.dot"],
])
def test_a_command_that_draws_refuses_before_training(args, capsys, tmp_path, monkeypatch,
                                                      without_matplotlib):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, *args)
    assert status == 2
    assert out == []  # nothing trained, nothing printed
    assert len(err) == 1 and err[0].startswith(ERROR) and "need matplotlib" in err[0]
    assert 'pip install "tinygrad-lab[plot]"' in err[0]
    assert os.listdir(tmp_path) == []  # no empty lab-output/, no half of the files


def test_graph_dot_alone_needs_no_matplotlib(capsys, tmp_path, monkeypatch, without_matplotlib):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, "graph", "--dataset", "xor", "--dot", "g.dot")
    assert status == 0, err
    assert err == []
    assert out[-1] == "wrote: g.dot"
    assert os.listdir(tmp_path) == ["g.dot"]
    assert (tmp_path / "g.dot").read_text().startswith("digraph backprop {")


def test_train_without_figures_needs_no_matplotlib(capsys, without_matplotlib):
    status, out, _ = run(capsys, "train", "--dataset", "xor", "--epochs", 5)
    assert status == 0
    assert out[-1].startswith("testing ... accuracy:")


# ---- flags that would do nothing say so, and the run goes on ------------------------------------

def test_samples_with_xor_is_said_to_be_ignored(capsys):
    status, out, err = run(capsys, "train", "--dataset", "xor", "--samples", 50, "--epochs", 3)
    assert status == 0
    assert err == [f"{WARNING}--samples 50 is ignored: xor has its {data.XOR_SIZE} fixed points"]
    assert "samples=21" in out[1]
    assert run(capsys, "train", "--dataset", "xor", "--epochs", 3)[2] == []
    assert run(capsys, "train", "--dataset", "linear", "--samples", 50, "--epochs", 3)[2] == []


def test_show_without_a_display_is_said_to_show_nothing(capsys, monkeypatch):
    from tinygrad_lab import plot

    shown = []
    monkeypatch.setattr(plot, "show_result", lambda *args, **options: shown.append(options))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    status, out, err = run(capsys, "train", "--dataset", "xor", "--epochs", 3, "--show")
    assert status == 0
    assert len(err) == 1 and err[0].startswith(f"{WARNING}--show needs a display")
    assert out[-1].startswith("testing ... accuracy:") and shown == [{"show": True}]
    monkeypatch.setenv("DISPLAY", ":0")
    assert run(capsys, "train", "--dataset", "xor", "--epochs", 3, "--show")[2] == []


# ---- gradcheck says how much it will check, and can check a sample -----------------------------

def test_gradcheck_says_its_size_up_front_and_keeps_its_output(capsys):
    status, out, err = run(capsys, "gradcheck")
    assert status == 0
    assert err == ["gradcheck: 130 weights to check by central differences, expected time "
                   "under 1s"]
    assert [line.split(":")[0] for line in out[:3]] == ["W1 (2, 10)", "W2 (10, 10)", "W3 (10, 1)"]
    assert out[3].startswith("gradcheck: 130 weights, worst abs error ") and len(out) == 4


def test_gradcheck_sample_checks_that_many_weights_drawn_by_the_seed(capsys):
    status, out, err = run(capsys, "gradcheck", "--sample", 20)
    assert status == 0 and err[0].startswith("gradcheck: 20 weights to check")
    counts = [int(line.split(": ")[1].split(" of ")[0]) for line in out[:-1]]
    assert sum(counts) == 20
    assert out[-1].startswith("gradcheck: 20 of 130 weights, worst abs error ")
    assert out[-1].endswith(": ok")
    assert run(capsys, "gradcheck", "--sample", 20)[1] == out  # the same seed, the same weights
    assert run(capsys, "gradcheck", "--sample", 20, "--seed", 1)[1] != out


# ---- what a run's last lines say ----------------------------------------------------------------

def test_the_last_log_line_shows_a_loss_below_epsilon_as_below(capsys):
    # Find an epoch of the lab's XOR run (seed 0) whose loss prints as the epsilon it is below
    # at 5 decimals, and make that epsilon the threshold: the run stops there.
    _, model_rng, shuffle_rng = seeded_streams(0)
    x, y = data.generate_XOR_easy()
    model = nn.MLP(rng=model_rng)
    losses = fit(model, x, y, epochs=400, optimizer=optim.Adam(model.parameters(), lr=0.05),
                 log_every=None, rng=shuffle_rng).loss
    epoch, epsilon = next(
        (epoch, float(f"{loss:.5f}")) for epoch, loss in enumerate(losses, start=1)
        if float(f"{loss:.5f}") > loss and min(losses[:epoch - 1]) >= float(f"{loss:.5f}"))
    status, out, _ = run(capsys, "train", "--dataset", "xor", "--epsilon", repr(epsilon))
    assert status == 0
    last = [line for line in out if line.startswith("training ... ")][-1]
    assert last.startswith(f"training ... epoch:{epoch}, loss:")
    shown = last.split("loss:")[1].split(",")[0]
    assert float(shown) < epsilon and len(shown.split(".")[1]) > 5


def test_a_run_stuck_at_the_loss_ceiling_is_called_saturated(capsys):
    status, out, _ = run(capsys, "train", "--dataset", "linear", "--optimizer", "sgd", "--lr",
                         "1e6", "--epochs", 50, "--log-every", 50)
    assert status == 0
    saturated = [line for line in out if line.startswith("saturated: ")]
    assert saturated and "clip bound" in saturated[0]
    assert not any(line.startswith("diverged: ") for line in out)
    assert float(out[-1].split(":")[1]) < 1.0  # stuck, not converged
    _, lab_run, _ = run(capsys, "train", "--dataset", "linear")
    assert not any(line.startswith("saturated: ") for line in lab_run)


def test_a_csv_run_is_named_by_the_files_stem(capsys, tmp_path):
    x, y = data.generate_linear(30, rng=np.random.default_rng(1))
    rows = "".join(f"{a:.6f},{b:.6f},{int(label)}\n" for (a, b), (label,) in zip(x, y, strict=True))
    (tmp_path / "pts.csv").write_text("x1,x2,label\n" + rows)
    status, out, _ = run(capsys, "train", "--data", tmp_path / "pts.csv", "--epochs", 3,
                         "--out", tmp_path / "figures")
    assert status == 0
    assert out[0] == "=====data type : pts====="
    assert sorted(os.listdir(tmp_path / "figures")) == [
        "pts-comparison.png", "pts-decision-boundary.png", "pts-learning-curve.png"]


# ---- `| head`: the reader leaves, the command ends quietly --------------------------------------

def closed_pipe_run(*args):
    """Run ``python ARGS`` from the repository with standard output a pipe whose reading end is
    already closed: its first write fails. Returns (status, stderr)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, *args], cwd=ROOT, stdout=write_end,
                                stderr=subprocess.PIPE, text=True, timeout=120,
                                env={**os.environ, "MPLBACKEND": "Agg"})
    finally:
        os.close(write_end)
    return result.returncode, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["-m", "tinygrad_lab", "gradcheck"],
    ["-m", "tinygrad_lab", "train", "--dataset", "xor", "--epochs", "5"],
    ["demos/xor.py"],
    ["demos/manual_vs_engine.py"],
])
def test_a_reader_that_left_ends_the_command_quietly(args):
    status, stderr = closed_pipe_run(*args)
    assert status == pipes.BROKEN_PIPE_STATUS
    assert "Traceback" not in stderr and "Error" not in stderr, stderr
