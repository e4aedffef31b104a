"""Every ``>>>`` example of README.md runs, and prints what the README says it prints.

The examples are the contents of the README's ```python blocks, run in order in one namespace
with ``doctest`` (exact output), in a temporary working directory (the tour writes a PNG).
"""

import doctest
import re
from pathlib import Path

import numpy as np
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


@pytest.fixture
def restore_numpy_printing():
    options = np.get_printoptions()
    yield
    np.set_printoptions(**options)


def test_readme_examples(tmp_path, monkeypatch, restore_numpy_printing):
    text = README.read_text(encoding="utf-8")
    examples = []
    for block in PYTHON_BLOCK.finditer(text):
        block_line = text.count("\n", 0, block.start(1))
        for example in doctest.DocTestParser().get_examples(block.group(1)):
            example.lineno += block_line  # failures name the README's own line numbers
            examples.append(example)
    # Every prompt in the file is inside a python block, so every one is run here.
    assert len(examples) == len(re.findall(r"^>>> ", text, re.MULTILINE)) > 40
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTest(examples, {}, "README.md", str(README), 0, None)
    report = []
    runner = doctest.DocTestRunner(optionflags=doctest.REPORT_NDIFF)
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert (tmp_path / "lab-graph.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
