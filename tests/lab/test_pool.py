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
    # no ETA before ETA_AFTER_RUNS runs have finished
    assert re.fullmatch(r"\[1/1\] .+ linear seed=0 \.\.\. acc [01]\.\d\d in \d+\.\ds",
                        lines[0]), lines[0]


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
    assert pool.progress_line(1, 2, result).endswith("in 0.8s")  # no estimate yet: no ETA


def test_format_duration():
    assert [pool.format_duration(s) for s in (0.2, 0.6, 4.4, 59.6, 65.2, 3600, 39725)] == \
        ["under 1s", "1s", "4s", "1m00s", "1m05s", "1h00m", "11h02m"]


def test_the_eta_waits_for_a_few_runs():
    specs = [short({**spec, "seed": seed}, epochs=2)
             for seed, spec in enumerate(build_specs(1, quick=True)[:pool.ETA_AFTER_RUNS + 2])]
    log = io.StringIO()
    pool.run_all(specs, InProcess(), log=log)
    lines = log.getvalue().splitlines()
    assert len(lines) == len(specs)
    with_eta = [", ETA " in line for line in lines]
    assert with_eta == [False] * (pool.ETA_AFTER_RUNS - 1) + [True] * 3
