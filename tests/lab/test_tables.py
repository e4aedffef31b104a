"""Runs grouped by the variant their config belongs to, and the study tables built from them."""

import pytest
from fake_runs import fake, learning_rate_runs

from tinygrad_lab.lab import tables
from tinygrad_lab.lab.studies import STUDY


def test_tables_give_medians_and_ranges():
    headers, rows = tables.study_table(learning_rate_runs([100, 120, 140]), "learning_rate")
    assert headers[:4] == ["variant", "data", "accuracy", "100% reached"]
    assert rows[0][:5] == ["lr 10", "linear", "1.00", "3/3", "120 (100–140)"]
    assert rows[2][:5] == ["lr 0.3", "linear", "0.75", "0/3", "—"]
    runs = learning_rate_runs([100, 120, 140])
    runs[0]["accuracy"] = 0.99  # one seed short of 100%: the range shows it
    assert tables.study_table(runs, "learning_rate")[1][0][2] == "1.00 (0.99–1.00)"


def test_runs_are_grouped_by_the_variant_of_their_config_not_their_label():
    runs = learning_rate_runs([100])
    for run in runs:
        run["label"] = "renamed"
    groups = tables.by_variant(runs, "learning_rate")
    study = STUDY["learning_rate"]
    assert [variant.key for variant in groups] == [(("learning_rate", 10.0),),
                                                   (("learning_rate", 0.3),)]
    assert all(variant is study.variant(variant.key) for variant in groups)
    assert [len(group["xor"]) for group in groups.values()] == [1, 1]


def test_a_run_whose_config_is_no_variant_is_an_error():
    runs = [fake("learning_rate", {"learning_rate": 0.3}, "xor", 0)]
    runs[0]["config"]["learning_rate"] = 0.25
    with pytest.raises(KeyError, match="no variant"):
        tables.by_variant(runs, "learning_rate")


def test_group_of_names_the_missing_variant():
    groups = tables.by_variant(learning_rate_runs([100]), "learning_rate")
    assert len(tables.group_of(groups, "learning_rate", (("learning_rate", 10.0),))["xor"]) == 1
    with pytest.raises(KeyError, match="lr 0.01"):
        tables.group_of(groups, "learning_rate", (("learning_rate", 0.01),))


def test_steps_per_epoch_counts_the_dataset_by_its_size():
    run = fake("batch_size", {"batch_size": 16}, "linear", 0)
    assert tables.steps_per_epoch(run) == 7  # 100 points in batches of 16
    assert tables.steps_per_epoch({**run, "dataset": "xor"}) == 2  # 21 points


@pytest.mark.parametrize("value, text", [(1e-6, "1e-6"), (1e-5, "1e-5"), (0.01, "1e-2"),
                                         (2e3, "2e3")])
def test_scientific(value, text):
    assert tables.scientific(value) == text
