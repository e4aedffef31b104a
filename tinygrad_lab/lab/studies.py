"""The Discussion's studies as data, and the runs (specs) they and the Results section ask for.

A study trains a base config with one setting changed per variant. A variant has a ``key``, the
values of the config fields its study varies (``(("learning_rate", 0.3),)``), by which code looks
it up, and a ``label`` for people (``lr=0.3``). A run's object in results.json holds its study,
label and config; ``Study.key_of(config)`` finds its variant from the config, so no code needs to
match labels.

A run is described by a spec, a plain dict: ``study``, ``label``, ``dataset`` ("linear" or
"xor"), ``seed`` and ``config`` (see ``config``).
"""

from dataclasses import dataclass

from .. import nn
from ..data import DATASETS
from .config import LAB_CONFIG, MOMENTUM_LEARNING_RATE, SPEC_CONFIG


@dataclass(frozen=True, eq=False)  # each variant is one object in STUDIES: hashed by identity
class Variant:
    """One variant of a study: its ``key`` (see ``Study.key_of``), its ``label`` and the
    ``overrides`` of the study's base config (a "budget" override replaces the study's)."""

    key: tuple
    label: str
    overrides: dict


@dataclass(frozen=True)
class Study:
    """One Discussion study: every variant is the base config with its overrides.

    ``budget`` is the epoch budget (full, quick); ``varies`` names the config fields whose values
    tell the variants apart. Build one with ``make_study``, which gives each variant its key.
    """

    name: str
    title: str
    base: dict
    budget: tuple
    varies: tuple
    variants: tuple

    def key_of(self, config):
        """The key of the variant that trains with ``config``: its ``(field, value)`` pairs for
        the fields in ``varies`` (lists as tuples). KeyError if ``config`` lacks one."""
        return tuple((name, tuple(value) if isinstance(value, list) else value)
                     for name, value in ((name, config[name]) for name in self.varies))

    def variant(self, key):
        """The variant with ``key``; KeyError naming the study and the key if it has none."""
        for variant in self.variants:
            if variant.key == key:
                return variant
        raise KeyError(f"the {self.name} study has no variant {key!r}; its variants are "
                       f"{[variant.key for variant in self.variants]}")

    def config_of(self, variant, quick=False):
        """The full config of one variant: the base, the overrides and the epoch budget."""
        overrides = dict(variant.overrides)
        budget = overrides.pop("budget", self.budget)
        return {**self.base, **overrides, "epochs": budget[1] if quick else budget[0]}


def make_study(name, title, base, budget, varies, variants):
    """A ``Study`` of ``(label, overrides)`` pairs, each variant keyed by the values it trains
    with; ValueError if two variants would have the same key."""
    study = Study(name, title, base, budget, varies, ())
    keyed = tuple(Variant(study.key_of({**base, **overrides}), label, overrides)
                  for label, overrides in variants)
    if len({variant.key for variant in keyed}) < len(keyed):
        raise ValueError(f"the {name} study has two variants with the same key")
    return Study(name, title, base, budget, varies, keyed)


# Epoch budgets (full, quick), chosen so that the full report runs in about 2 minutes on 2 cores:
# a (10, 10) step costs ~0.2-0.4 ms; a (1000, 1000) step ~100x that (25 ms with SGD on the linear
# data, 40 ms with Adam); batch size 1 makes 100 steps of an epoch of the linear data.
BUDGET = (2500, 300)
WIDE_BUDGET = (30, 3)
ADAM = {"optimizer": LAB_CONFIG["optimizer"], "learning_rate": LAB_CONFIG["learning_rate"]}
WIDE = [1000, 1000]
SGD = f"sgd {SPEC_CONFIG['learning_rate']:g}"  # the spec's optimizer, as the labels name it

STUDIES = (
    make_study("learning_rate", "Learning rate", SPEC_CONFIG, BUDGET, ("learning_rate",), [
        (f"lr={lr:g}", {"learning_rate": lr}) for lr in (0.001, 0.01, 0.1, 0.3, 1.0, 10.0)]),
    make_study("hidden_units", "Hidden units", SPEC_CONFIG, BUDGET, ("hidden",), [
        *((f"({h},{h})", {"hidden": [h, h]}) for h in (1, 3, 10, 70)),
        ("({},{})".format(*WIDE), {"hidden": list(WIDE), "budget": WIDE_BUDGET})]),
    make_study("init", "Initialisation of the wide network", {**SPEC_CONFIG, "hidden": list(WIDE)},
               WIDE_BUDGET, ("init", "optimizer", "learning_rate"), [
                   (f"normal, {SGD}", {}),
                   (f"lecun, {SGD}", {"init": "lecun"}),
                   ("normal, adam 0.001", {"optimizer": "adam", "learning_rate": 0.001}),
                   ("lecun, adam 0.001", {"init": "lecun", "optimizer": "adam",
                                          "learning_rate": 0.001})]),
    make_study("activation", "Activation functions", {**SPEC_CONFIG, **ADAM}, (1000, 200),
               ("activation",), [(name, {"activation": name}) for name in nn.ACTIVATIONS]),
    make_study("optimizer", "Optimizers", SPEC_CONFIG, BUDGET, ("optimizer", "learning_rate"), [
        (SGD, {}),
        (f"momentum {MOMENTUM_LEARNING_RATE:g}", {"optimizer": "momentum",
                                                 "learning_rate": MOMENTUM_LEARNING_RATE}),
        (f"adam {ADAM['learning_rate']:g}", ADAM)]),
    make_study("batch_size", "Batch size", SPEC_CONFIG, (100, 10), ("batch_size",), [
        ("batch 1", {"batch_size": 1}), ("batch 16", {"batch_size": 16}), ("full batch", {})]),
)
STUDY = {study.name: study for study in STUDIES}


def spec_key(study):
    """The key of the variant of ``study`` (a name) that trains with the spec's setting."""
    return STUDY[study].key_of(SPEC_CONFIG)


def build_specs(seeds, quick=False):
    """Every run of every study: study by study, variant, dataset, then seed 0..seeds-1."""
    return [{"study": study.name, "label": variant.label, "dataset": dataset, "seed": seed,
             "config": study.config_of(variant, quick)}
            for study in STUDIES for variant in study.variants
            for dataset in DATASETS for seed in range(seeds)]


def lab_specs():
    """The Results section's runs: `tinygrad-lab lab` on both datasets, seed 0."""
    return [{"study": "lab", "label": "lab", "dataset": dataset, "seed": 0,
             "config": dict(LAB_CONFIG)} for dataset in DATASETS]
