"""Many runs: shared out once per distinct run, in spec order, with a progress line each."""

import io
import re

from tinygrad_lab.lab import pool
from tinygrad_lab.lab.studies import STUDY, build_specs


class InProcess:
    """A stand-in for a worker pool that runs every task here, in order."""

    def imap_unordered(self, function, tasks):
        return map(function, tasks)


def short(spec, epochs=5):
    return {**spec, "config": {**spec["config"], "epochs": epochs}}


def test_equal_runs_run_once_and_keep_their_own_study_and_label():
    base = short(build_specs(1, quick=True)[0])
    twin = {**base, "study": "optimizer", "label": "twin"}
    log = io.StringIO()
    results, trained = pool.run_all([base, twin], InProcess(), keep=[1], log=log)
    assert [r["label"] for r in results] == [base["label"], "twin"]
    assert results[0]["curve"] == results[1]["curve"]
    assert list(trained) == [1]
    assert trained[1].x.shape == (100, 2)
    lines = log.getvalue().splitlines()
    assert len(lines) == 1  # one run for the two specs
    assert re.fullmatch(r"\[1/1\] .+ linear seed=0 \.\.\. acc [01]\.\d\d in \d+\.\ds, "
                        r"ETA (\d+m\d\ds|\d+s)", lines[0]), lines[0]


def test_the_wide_network_is_estimated_to_cost_the_most():
    wide = STUDY["hidden_units"]
    specs = [{"dataset": "linear", "config": wide.config_of(variant)}
             for variant in wide.variants]
    costs = [pool.estimated_seconds(spec) for spec in specs]
    assert max(costs) == costs[-1]  # (1000,1000)
    assert costs == sorted(costs[:-1]) + costs[-1:]  # wider costs more per epoch


def test_progress_line_formats_the_eta():
    result = {"label": "lr=0.3", "dataset": "xor", "seed": 3, "accuracy": 1.0, "seconds": 0.84}
    assert pool.progress_line(12, 140, result, 65.2) == \
        "[12/140] lr=0.3 xor seed=3 ... acc 1.00 in 0.8s, ETA 1m05s"
    assert pool.progress_line(1, 2, result, 4.4).endswith("ETA 4s")
