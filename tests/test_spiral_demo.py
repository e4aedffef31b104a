"""demos/spiral.py as a script: it trains a Sequential on a held-out split of the spiral, prints
the held-out accuracy and writes the decision regions where it is told (or beside it)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a subprocess

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demos" / "spiral.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(*args, cwd):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])), "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, str(DEMO), *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    return result.stdout.splitlines()


def test_the_spiral_demo_reaches_97_percent_held_out_and_draws_the_regions(tmp_path):
    lines = run(cwd=tmp_path)
    assert lines[0].startswith("Sequential(Linear(in_features=2, out_features=32, bias=True)")
    assert re.fullmatch(r"training on \d+ points, \d+ held out", lines[1])
    accuracy = re.fullmatch(r"test accuracy: (\d\.\d\d) on the (\d+) held-out points", lines[-2])
    assert accuracy and float(accuracy.group(1)) >= 0.97
    assert lines[-1] == "wrote spiral-decision-regions.png"
    assert os.listdir(tmp_path) == ["spiral-decision-regions.png"]
    assert (tmp_path / "spiral-decision-regions.png").read_bytes().startswith(PNG_SIGNATURE)


def test_the_spiral_demo_writes_the_figure_it_is_given(tmp_path):
    lines = run("regions.svg", cwd=tmp_path)
    assert lines[-1] == "wrote regions.svg"
    assert (tmp_path / "regions.svg").read_bytes().startswith(b"<?xml")
    assert os.listdir(tmp_path) == ["regions.svg"]
