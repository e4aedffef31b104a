"""The package installs as documented: console script, --version, and numpy as its only need."""

import subprocess
import sys
from pathlib import Path

import pytest

import tinygrad_lab


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_version_from_module_and_console_script():
    script = Path(sys.executable).with_name("tinygrad-lab")
    for command in ([sys.executable, "-m", "tinygrad_lab"], [str(script)]):
        result = run(*command, "--version")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"tinygrad-lab {tinygrad_lab.__version__}"
        help_result = run(*command, "--help")
        assert help_result.returncode == 0 and "usage: tinygrad-lab" in help_result.stdout


@pytest.mark.slow
def test_engine_imports_and_works_without_matplotlib():
    # A None entry in sys.modules makes "import matplotlib" fail, as if it were not installed.
    code = ("import io, sys; sys.modules['matplotlib'] = None\n"
            "from tinygrad_lab import Tensor, explain, gradcheck, no_grad, viz\n"
            "import tinygrad_lab.engine.ops, tinygrad_lab.engine.gradcheck\n"
            "x = Tensor([1.0, 2.0], requires_grad=True)\n"
            "loss = (x * x).sum()\n"
            "loss.backward()\n"
            "explain(loss, file=io.StringIO())\n"
            "print(x.grad.tolist(), viz.to_dot(loss).splitlines()[0])")
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[2.0, 4.0] digraph backprop {"


def test_public_names():
    assert {"Tensor", "no_grad", "gradcheck", "GradcheckError", "explain", "viz"} <= \
        set(tinygrad_lab.__all__)
    assert callable(tinygrad_lab.explain) and callable(tinygrad_lab.viz.draw_graph)
    assert callable(tinygrad_lab.compile) and "compile" not in tinygrad_lab.__all__
