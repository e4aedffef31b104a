"""The studies as data: every variant has a structured key that code looks it up by."""

import pytest

from tinygrad_lab.data import DATASETS
from tinygrad_lab.lab.config import SPEC_CONFIG
from tinygrad_lab.lab.studies import (
    STUDIES,
    STUDY,
    WIDE_SEEDS,
    build_specs,
    lab_specs,
    make_study,
    spec_key,
)


@pytest.mark.parametrize("study", STUDIES, ids=lambda study: study.name)
def test_each_variant_is_keyed_by_the_values_it_trains_with(study):
    keys = [variant.key for variant in study.variants]
    assert len(set(keys)) == len(keys)
    for variant in study.variants:
        config = study.config_of(variant)
        assert variant.key == study.key_of(config)
        assert [name for name, _ in variant.key] == list(study.varies)
        assert study.variant(study.key_of(config)) is variant
        hash(variant.key)  # keys are plain values: tuples of (field, value) pairs


def test_keys_are_values_a_reader_can_write():
    assert STUDY["learning_rate"].variant((("learning_rate", 0.3),)).label == "lr 0.3"
    assert STUDY["hidden_units"].variant((("hidden", (1000, 1000)),)).label == "(1000,1000)"
    assert STUDY["batch_size"].variant((("batch_size", None),)).label == "full batch"
    assert [v.label for v in STUDY["optimizer"].variants] == [
        "SGD, lr 0.3", "SGD+momentum 0.9, lr 0.05", "Adam, lr 0.05"]
    assert STUDY["optimizer"].variant((("optimizer", "momentum"), ("learning_rate", 0.05))) \
        .label == "SGD+momentum 0.9, lr 0.05"


def test_the_spec_variant_of_a_study_trains_with_the_spec_setting():
    for name in ("learning_rate", "optimizer", "batch_size"):
        variant = STUDY[name].variant(spec_key(name))
        config = STUDY[name].config_of(variant)
        assert {key: config[key] for key in SPEC_CONFIG} == SPEC_CONFIG, name
    # The hidden-units study trains every width with the lab's Adam, at one budget.
    configs = [STUDY["hidden_units"].config_of(v) for v in STUDY["hidden_units"].variants]
    assert {(c["optimizer"], c["learning_rate"], c["epochs"]) for c in configs} == \
        {("adam", 0.05, 100)}
    assert [v.label for v in STUDY["hidden_units"].variants] == [
        "(1,1)", "(3,3)", "(10,10)", "(70,70)", "(1000,1000)"]
    # The init study: the wide network from each init, with Adam at the wide network's rate.
    init = STUDY["init"]
    assert [v.label for v in init.variants] == ["standard normal", "1/sqrt(fan_in)"]
    assert [init.config_of(v)["init"] for v in init.variants] == ["normal", "lecun"]
    assert {(c["optimizer"], c["learning_rate"], tuple(c["hidden"])) for c in
            map(init.config_of, init.variants)} == {("adam", 0.001, (1000, 1000))}
    assert init.variant(spec_key("init")).label == "standard normal"


def test_an_unknown_key_is_an_error_that_names_it():
    with pytest.raises(KeyError, match="0.25"):
        STUDY["learning_rate"].variant((("learning_rate", 0.25),))


def test_two_variants_with_one_key_are_refused():
    with pytest.raises(ValueError, match="same key"):
        make_study("twice", "Twice", SPEC_CONFIG, (10, 1), ("learning_rate",),
                   [("a", {}), ("b", {"learning_rate": SPEC_CONFIG["learning_rate"]})])


def test_build_specs_covers_every_variant_dataset_and_seed():
    specs = build_specs(5, quick=True)
    assert len(specs) == sum(study.seeds_of(variant, 5) for study in STUDIES
                             for variant in study.variants) * len(DATASETS)
    assert max(s["seed"] for s in specs if s["label"] == "(1000,1000)") == WIDE_SEEDS - 1 < 4
    assert max(s["seed"] for s in specs if s["label"] == "(10,10)") == 4
    first = specs[0]
    assert (first["study"], first["label"], first["dataset"], first["seed"]) == \
        ("learning_rate", "lr 0.001", "linear", 0)
    wide = next(s for s in specs if s["label"] == "(1000,1000)")
    assert wide["config"]["epochs"] == 30  # the hidden-units study's quick budget
    assert [(spec["label"], spec["dataset"]) for spec in lab_specs()] == [
        (label, dataset) for label in ("spec setting", "program default")
        for dataset in DATASETS]
    main = lab_specs()[0]["config"]
    assert {key: main[key] for key in SPEC_CONFIG} == SPEC_CONFIG
