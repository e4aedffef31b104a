"""The benchmark scripts keep working. Only their output format is checked, never a time."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test here starts a subprocess

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
NUMBER = r"[0-9]+\.[0-9]+"


def launch(script, *args):
    """Run a benchmark script (a path, or a name in benchmarks/): its CompletedProcess."""
    return subprocess.run([sys.executable, str(BENCHMARKS / script), *args],
                          capture_output=True, text=True, timeout=300)


def run(script, *args):
    result = launch(script, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_bench_step_quick(tmp_path):
    out = run("bench_step.py", "--quick", "--json", str(tmp_path / "step.json"))
    assert re.search(r"torch: not installed|torch \S+ \(CPU eager, 1 thread", out)
    for case in ("lab n=100 (10,10)", "xor n=21 (10,10)", "n=100 (70,70)", "n=100 (1000,1000)",
                 "n=10000 (100,100)"):
        assert re.search(rf"^{re.escape(case)}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}x\s+{NUMBER}\s+"
                         rf"{NUMBER}x", out, re.M), case
    assert re.search(rf"float32 / float64 engine step at n=100 \(1000,1000\): {NUMBER}x", out)
    import json

    results = json.loads((tmp_path / "step.json").read_text())
    assert len(results["results"]) == 5
    assert {"numpy", "engine", "compiled"} <= set(results["results"][0]["median_us"])


@pytest.mark.parametrize("mode", [[], ["--compiled"]], ids=["eager", "compiled"])
def test_bench_compare_quick(mode):
    out = run("bench_compare.py", "HEAD", "--quick", *mode)
    assert out.startswith(f"lab n=100 (10,10), {'compiled' if mode else 'engine'}: 3 alternating")
    assert re.search(rf"^working tree\s+{NUMBER}\s+{NUMBER}x$", out, re.M)
    assert re.search(rf"^HEAD \([0-9a-f]{{7}}\)\s+{NUMBER}\s+{NUMBER}x\s+[+-]{NUMBER}$", out,
                     re.M)


def test_bench_compare_names_a_revision_it_cannot_find():
    result = launch("bench_compare.py", "no-such-rev", "--quick")
    assert result.returncode == 2
    assert result.stderr.startswith("bench_compare: no-such-rev: not a revision")
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_bench_compare_names_a_revision_without_the_lab(tmp_path):
    # A repository whose one commit has a tinygrad_lab without nn, under a real working tree.
    shutil.copytree(BENCHMARKS, tmp_path / "benchmarks")
    (tmp_path / "tinygrad_lab").mkdir()
    (tmp_path / "tinygrad_lab" / "__init__.py").write_text('"""An engine with no lab yet."""\n')
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@t"]
    for command in (["init", "-q"], ["add", "tinygrad_lab"], ["commit", "-q", "-m", "early"]):
        subprocess.run(git + command, check=True, capture_output=True)
    shutil.rmtree(tmp_path / "tinygrad_lab")
    shutil.copytree(BENCHMARKS.parent / "tinygrad_lab", tmp_path / "tinygrad_lab")
    result = launch(tmp_path / "benchmarks" / "bench_compare.py", "HEAD", "--quick")
    assert result.returncode == 2
    assert result.stderr.startswith("bench_compare: HEAD: its tinygrad_lab cannot run the lab "
                                    "step (AttributeError:"), result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_bench_backward_quick():
    out = run("bench_backward.py", "--quick")
    for graph in ("chain", "fan-in"):
        for nodes in (1000, 10000, 100000):
            assert re.search(rf"^{graph}\s+{nodes}\s+{NUMBER}\s+{NUMBER}$", out, re.M)


def test_bench_memory_short():
    out = run("bench_memory.py", "--epochs", "300")
    assert re.search(rf"growth {NUMBER} MB \(limit 2.0 MB\): ok", out)


def test_bench_convergence_one_seed():
    out = run("bench_convergence.py", "--seeds", "1")
    for setting in ("defaults (adam, lr 0.05)", "spec (sgd, lr 0.3)"):
        for dataset in ("linear", "xor"):
            assert re.search(rf"^{re.escape(setting)}\s+{dataset}\s+epochs to 100%: median \d+ "
                             rf"\(range \d+-\d+\), seconds: median {NUMBER}; .* 1/1 seeds "
                             "reached 100%$", out, re.M), (setting, dataset)
