"""The studies as data: every variant has a structured key that code looks it up by."""

import pytest

from tinygrad_lab.data import DATASETS
from tinygrad_lab.lab.config import SPEC_CONFIG
from tinygrad_lab.lab.studies import STUDIES, STUDY, build_specs, lab_specs, make_study, spec_key


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
    assert STUDY["learning_rate"].variant((("learning_rate", 0.3),)).label == "lr=0.3"
    assert STUDY["hidden_units"].variant((("hidden", (1000, 1000)),)).label == "(1000,1000)"
    assert STUDY["batch_size"].variant((("batch_size", None),)).label == "full batch"


def test_the_spec_variant_of_a_study_trains_with_the_spec_setting():
    for name in ("learning_rate", "hidden_units", "optimizer", "batch_size"):
        variant = STUDY[name].variant(spec_key(name))
        config = STUDY[name].config_of(variant)
        assert {key: config[key] for key in SPEC_CONFIG} == SPEC_CONFIG, name


def test_an_unknown_key_is_an_error_that_names_it():
    with pytest.raises(KeyError, match="0.25"):
        STUDY["learning_rate"].variant((("learning_rate", 0.25),))


def test_two_variants_with_one_key_are_refused():
    with pytest.raises(ValueError, match="same key"):
        make_study("twice", "Twice", SPEC_CONFIG, (10, 1), ("learning_rate",),
                   [("a", {}), ("b", {"learning_rate": SPEC_CONFIG["learning_rate"]})])


def test_build_specs_covers_every_variant_dataset_and_seed():
    specs = build_specs(2, quick=True)
    assert len(specs) == sum(len(study.variants) for study in STUDIES) * len(DATASETS) * 2
    first = specs[0]
    assert (first["study"], first["label"], first["dataset"], first["seed"]) == \
        ("learning_rate", "lr=0.001", "linear", 0)
    wide = next(s for s in specs if s["label"] == "(1000,1000)")
    assert wide["config"]["epochs"] == 3  # the wide network's quick budget
    assert [spec["dataset"] for spec in lab_specs()] == list(DATASETS)
