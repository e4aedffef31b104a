"""The command line called in this process (fast): it takes its datasets, defaults and gradcheck
verdict from the library and the lab's config. ``test_cli.py`` runs it as a subprocess."""

import numpy as np
import pytest

from tinygrad_lab import cli, data
from tinygrad_lab.lab.config import GRADCHECK_TOLERANCE


@pytest.mark.parametrize("name", data.DATASETS)
def test_load_dataset_is_the_library_dataset(name):
    args = cli.build_parser().parse_args(["train", "--dataset", name, "--samples", "30"])
    loaded, x, y = cli.load_dataset(args, np.random.default_rng(4))
    expected_x, expected_y = data.generate(name, 30, rng=np.random.default_rng(4))
    assert loaded == name
    np.testing.assert_array_equal(x, expected_x)
    np.testing.assert_array_equal(y, expected_y)


def test_the_dataset_choices_are_the_library_datasets():
    parser = cli.build_parser()
    for command in (["train"], ["predict", "--weights", "W.npz"], ["graph"]):
        for name in data.DATASETS:
            assert parser.parse_args([*command, "--dataset", name]).dataset == name


def test_gradcheck_reports_ok_within_the_tolerance(capsys, monkeypatch):
    assert cli.main(["gradcheck", "--samples", "20"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(": ok")
    check = {"seed": 0, "hidden": [10, 10], "samples": 20, "weights": 130, "total_weights": 130,
             "max_abs_error": 1e-3, "max_relative_error": GRADCHECK_TOLERANCE,
             "layers": [{"name": "W1", "shape": [2, 10], "max_abs_error": 1e-3,
                         "max_relative_error": GRADCHECK_TOLERANCE}]}
    monkeypatch.setattr(cli, "gradient_check", lambda *args, **options: check)
    assert cli.main(["gradcheck"]) == 1
    assert capsys.readouterr().out.splitlines()[-1].endswith(": MISMATCH")
