"""demos/custom_function.py as a script: its Swish passes gradcheck, the wrong backward is
caught, and the network using it learns XOR; it writes nothing."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a subprocess

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "demos" / "custom_function.py"


def test_the_custom_function_demo_checks_its_gradient_and_learns_xor(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, str(DEMO)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "gradcheck of swish on 20 values: passed"
    assert re.fullmatch(r"a wrong backward is caught: gradcheck: input 0 \(shape \(4, 5\)\) at "
                        r"index \(\d, \d\): analytic gradient \S+, numeric \S+", lines[1])
    assert lines[2].startswith("Sequential(Linear(") and "Swish()" in lines[2]
    assert all(line.startswith("training ... epoch:") for line in lines[3:-1])
    assert lines[-1] == "XOR accuracy after 300 epochs: 1.00"
    assert os.listdir(tmp_path) == []
