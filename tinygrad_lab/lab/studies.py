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
from .config import LAB_CONFIG, MAIN_EPOCHS, MOMENTUM, MOMENTUM_LEARNING_RATE, SPEC_CONFIG


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
    seeds: int = None  # at most this many seeds per variant (None: as many as the report runs)

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
        overrides = {name: value for name, value in variant.overrides.items()
                     if name not in ("budget", "seeds")}
        budget = variant.overrides.get("budget", self.budget)
        return {**self.base, **overrides, "epochs": budget[1] if quick else budget[0]}

    def seeds_of(self, variant, seeds):
        """How many seeds the variant runs: ``seeds``, or fewer if a "seeds" override (the
        wide network's runs, which cost a hundred times the others) says so."""
        return min(seeds, variant.overrides.get("seeds", self.seeds or seeds))


def make_study(name, title, base, budget, varies, variants, seeds=None):
    """A ``Study`` of ``(label, overrides)`` pairs, each variant keyed by the values it trains
    with; ValueError if two variants would have the same key."""
    study = Study(name, title, base, budget, varies, ())
    keyed = tuple(Variant(study.key_of({**base, **overrides}), label, overrides)
                  for label, overrides in variants)
    if len({variant.key for variant in keyed}) < len(keyed):
        raise ValueError(f"the {name} study has two variants with the same key")
    return Study(name, title, base, budget, varies, keyed, seeds)


# Epoch budgets (full, quick), chosen so that the full report runs in about 30 s on 2 cores: a
# (10, 10) step costs ~0.05-0.1 ms; a (1000, 1000) step ~200-300x that (~20 ms with SGD on the
# linear data, ~27 ms with Adam; a third of that on XOR's 21 points); batch size 1 makes 100
# steps of an epoch of the linear data.
BUDGET = (2500, 300)
# The hidden-units study gives every width the same budget, and trains with Adam at the lab's
# rate: the small widths reach 100% within it, so the comparison concludes.
HIDDEN_BUDGET = (100, 30)
WIDE_BUDGET = (50, 15)
ADAM = {"optimizer": LAB_CONFIG["optimizer"], "learning_rate": LAB_CONFIG["learning_rate"]}
WIDE = [1000, 1000]
# A rate for the wide network: an Adam step moves each of a unit's 1000 weights by about lr, so
# its pre-activation moves by up to ~1000 lr; 0.001 keeps that near one.
WIDE_RATE = 0.001
WIDE_SEEDS = 3  # the wide network's variants run at most this many seeds


def optimizer_label(config):
    """What trains: 'SGD, lr 0.3', 'SGD+momentum 0.9, lr 0.05', 'Adam, lr 0.05'."""
    name = {"sgd": "SGD", "momentum": f"SGD+momentum {MOMENTUM:g}", "adam": "Adam"}
    return f"{name[config['optimizer']]}, lr {config['learning_rate']:g}"


SPEC_SGD = optimizer_label(SPEC_CONFIG)

STUDIES = (
    make_study("learning_rate", "Learning rate", SPEC_CONFIG, BUDGET, ("learning_rate",), [
        (f"lr {lr:g}", {"learning_rate": lr}) for lr in (0.001, 0.01, 0.1, 0.3, 1.0, 10.0)]),
    make_study("hidden_units", "Hidden units", {**SPEC_CONFIG, **ADAM}, HIDDEN_BUDGET,
               ("hidden",), [*((f"({h},{h})", {"hidden": [h, h]}) for h in (1, 3, 10, 70)),
                             ("({},{})".format(*WIDE), {"hidden": list(WIDE),
                                                        "seeds": WIDE_SEEDS})]),
    make_study("init", "Initialisation of the wide network",
               {**SPEC_CONFIG, "hidden": list(WIDE), "optimizer": "adam",
                "learning_rate": WIDE_RATE}, WIDE_BUDGET, ("init",), [
                   ("standard normal", {}), ("1/sqrt(fan_in)", {"init": "lecun"})],
               seeds=WIDE_SEEDS),
    make_study("activation", "Activation functions", {**SPEC_CONFIG, **ADAM}, (1000, 200),
               ("activation",), [(name, {"activation": name}) for name in nn.ACTIVATIONS]),
    make_study("optimizer", "Optimizers", SPEC_CONFIG, BUDGET, ("optimizer", "learning_rate"), [
        (optimizer_label(config), config) for config in (
            SPEC_CONFIG, {"optimizer": "momentum", "learning_rate": MOMENTUM_LEARNING_RATE},
            ADAM)]),
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
            for dataset in DATASETS for seed in range(study.seeds_of(variant, seeds))]


# The Results section's runs, by label: the spec's setting (the main run) and the program's
# default (what `tinygrad-lab lab` trains), each on both datasets with seed 0.
RESULT_CONFIGS = {"spec setting": {**SPEC_CONFIG, "epochs": MAIN_EPOCHS},
                  "program default": dict(LAB_CONFIG)}


def lab_specs():
    """The Results section's runs (see RESULT_CONFIGS)."""
    return [{"study": "lab", "label": label, "dataset": dataset, "seed": 0,
             "config": dict(config)}
            for label, config in RESULT_CONFIGS.items() for dataset in DATASETS]
