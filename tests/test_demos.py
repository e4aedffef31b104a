"""The demos run as scripts: what they print, that they write nothing unless asked, their figures.

Each runs in a subprocess from an empty working directory, with the repository on PYTHONPATH.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_lab import cli

pytestmark = pytest.mark.slow  # every test here starts a subprocess

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ROOT / "demos"
LOG_LINE = re.compile(r"^training \.\.\. epoch:\d+, loss:\d+\.\d{5}, acc:[01]\.\d{2}$")
PREDICTION = re.compile(r"^\[[01]\.\d{8}\]  ground truth: [01]$")


def run(name, *args, cwd, typed=None):
    """The demo's output lines. With ``typed``, run as ``python -i`` with those lines typed at
    the prompt it leaves."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), "MPLBACKEND": "Agg"}
    interactive = [] if typed is None else ["-i"]
    result = subprocess.run([sys.executable, *interactive, str(DEMOS / name), *args], cwd=cwd,
                            env=env, input=typed, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # Only the prompts (and a newline at the end of the input) on stderr: no error.
    assert result.stderr == ("" if typed is None else ">>> " * (typed.count("\n") + 1) + "\n")
    return result.stdout.splitlines()


@pytest.mark.parametrize("name, title, samples", [
    ("linear.py", "=====data type : linear=====", 100),
    ("xor.py", "=====data type : XOR=====", 21),
])
def test_training_demo(tmp_path, name, title, samples):
    lines = run(name, cwd=tmp_path)
    assert lines[0] == title
    testing = lines.index("testing ...")
    training = lines[1:testing]
    assert training and all(LOG_LINE.match(line) for line in training), training
    assert training[-1].endswith("acc:1.00")
    assert float(training[-1].split("loss:")[1].split(",")[0]) < 0.01  # stopped at epsilon
    predictions = lines[testing + 1:-1]
    assert len(predictions) == samples
    assert all(PREDICTION.match(line) for line in predictions), predictions[:3]
    assert lines[-1] == "testing ... accuracy:1.00"
    assert list(tmp_path.iterdir()) == []  # no files unless --plot asks for them


@pytest.mark.parametrize("name, dataset", [("linear.py", "linear"), ("xor.py", "xor")])
def test_a_training_demo_is_the_command_lines_run(tmp_path, capsys, name, dataset):
    # Seed 0 by the one rule (seeding.py): the demo trains what `tinygrad-lab lab` trains.
    training = [line for line in run(name, cwd=tmp_path) if line.startswith("training ... ")]
    assert cli.main(["train", "--dataset", dataset]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert training == [line for line in printed if line.startswith("training ... ")]
    assert training[-1].startswith("training ... epoch:317," if dataset == "linear"
                                   else "training ... epoch:145,")


def test_training_demo_plots_when_asked(tmp_path):
    lines = run("xor.py", "--plot", "figures", cwd=tmp_path)
    assert lines[-1] == "wrote the figures to figures"
    written = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert written == ["xor-comparison.png", "xor-learning-curve.png"]
    for name in written:
        assert (tmp_path / "figures" / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_manual_vs_engine(tmp_path):
    lines = run("manual_vs_engine.py", cwd=tmp_path)
    gradients = [line for line in lines if line.startswith("gradient ")]
    steps = [line for line in lines if line.startswith("after one SGD step")]
    assert [line.split()[1] for line in gradients] == ["W1", "W2", "W3"]
    assert [line.split(",")[1].split(":")[0].strip() for line in steps] == ["W1", "W2", "W3"]
    for line in gradients + steps:
        difference = float(line.rsplit("=", 1)[1])
        assert 0.0 <= difference < 1e-10, line
    manual, engine = re.match(r"^loss: manual (\S+), engine (\S+)$", lines[1]).groups()
    assert abs(float(manual) - float(engine)) < 1e-9
    assert lines[-1].startswith("same: largest difference")
    assert list(tmp_path.iterdir()) == []


def test_repl_tour(tmp_path):
    lines = run("repl_tour.py", cwd=tmp_path)
    sections = [line for line in lines if line.startswith("== ")]
    assert [line.split()[1] for line in sections] == ["1.", "2.", "3.", "4.", "5."]
    assert "dc/da = -3.0 (that is b), dc/db = -4.0 (that is a + 2b)" in lines
    assert lines[lines.index("digraph backprop {") + 2].startswith('  n0 [label="#0 parameter')
    dashes = lines.index(sections[3]) + 4  # the title, two notes, the header, then dashes
    rows = lines[dashes + 1:lines.index("", dashes)]
    assert len(rows) == 22
    assert rows[0].split()[:2] == ["#21", "neg"] and rows[-1].split()[:3] == ["#0", "x", "leaf"]
    assert lines[-1] == "wrote lab-graph.png"
    assert os.listdir(tmp_path) == ["lab-graph.png"]  # the one file it writes, where it runs
    assert (tmp_path / "lab-graph.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def explain_table(lines):
    """The rows of the first explain table in ``lines``."""
    header = next(i for i, line in enumerate(lines) if line.startswith("node "))
    end = next((i for i in range(header, len(lines)) if not lines[i].startswith("#")
                and i > header + 1), len(lines))
    return lines[header + 2:end]


def test_repl_tours_graph_is_the_readmes_picture(tmp_path, capsys):
    # The tour's network has the weights of --seed 0, so its table is the one `tinygrad-lab
    # graph --dataset xor` prints beside the drawing it makes (docs/lab-graph.png).
    tour = explain_table(run("repl_tour.py", cwd=tmp_path))
    assert cli.main(["graph", "--dataset", "xor", "--dot", str(tmp_path / "g.dot")]) == 0
    graph = explain_table(capsys.readouterr().out.splitlines())
    assert len(tour) == 22 and tour == graph


def test_repl_tour_leaves_its_variables_at_the_prompt(tmp_path):
    # What its docstring suggests trying, typed at the prompt that `python -i` leaves.
    typed = ("print(rows[3]['op'], c.item(), C.shape, sorted(names))\n"
             "print(to_dot(c).splitlines()[2])\n"
             "more = explain((A @ B).sum())\n"
             "print(len(more), more[0]['grad_norm'])\n")
    lines = run("repl_tour.py", cwd=tmp_path, typed=typed)
    at_the_prompt = lines[lines.index("wrote lab-graph.png") + 1:]
    assert at_the_prompt[:2] == [
        "mul 3.0 (2, 2) ['W1', 'W2', 'W3', 'x', 'y']",
        '  n0 [label="#0 parameter\\n() = 2\\n|grad| 3", fillcolor="#fdd49e"];']
    table = at_the_prompt[6:-1]  # after the two notes, the header and the dashes
    assert [line.split()[:2] for line in table] == [["#3", "sum"], ["#2", "matmul"],
                                                    ["#1", "leaf"], ["#0", "leaf"]]
    assert at_the_prompt[-1] == "4 1.0"
