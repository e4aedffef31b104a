"""Statistics over runs (results.json's run objects) and the study tables built from them.

Runs are grouped by variant with ``by_variant``, which finds each run's variant from its config
(``studies.Study.key_of``); the groups are keyed by the ``studies.Variant`` itself, whose label is
what a table or sentence shows.
"""

import math

import numpy as np

from .. import data
from ..data import DATASETS
from .studies import STUDY

NAMES = {"linear": "the linear data", "xor": "XOR"}  # the datasets as a sentence names them

# ---- statistics over runs -------------------------------------------------------------------

def by_variant(runs, study):
    """{Variant: {dataset: [runs]}} for one study (its name), in the order the runs come.

    Raises KeyError if a run's config is not one of the study's variants.
    """
    definition = STUDY[study]
    groups = {}
    for run in runs:
        if run["study"] == study:
            variant = definition.variant(definition.key_of(run["config"]))
            groups.setdefault(variant, {}).setdefault(run["dataset"], []).append(run)
    return groups


def group_of(groups, study, key):
    """The runs (by dataset) of the variant of ``study`` with ``key``, from ``by_variant``'s
    ``groups``; KeyError naming the variant if there are none."""
    variant = STUDY[study].variant(key)
    if variant not in groups:
        raise KeyError(f"no runs of the {study} study's variant {variant.label} ({key!r})")
    return groups[variant]


def all_runs(group):
    """Every run of a variant, both datasets."""
    return [run for runs in group.values() for run in runs]


def hits(runs, key="epochs_to_100"):
    """The values of ``key`` over the runs that reached it (not None)."""
    return [run[key] for run in runs if run[key] is not None]


def mean(runs, key):
    """The mean of ``key`` over the runs."""
    return float(np.mean([run[key] for run in runs]))


def per_epoch_ms(run):
    """The run's milliseconds per epoch."""
    return 1000 * run["seconds"] / max(run["epochs_run"], 1)


def rise_fraction(run):
    """The fraction of epochs whose loss was above the previous epoch's."""
    return run["loss_increases"] / max(run["epochs_run"] - 1, 1)


def steps_per_epoch(run):
    """The updates in an epoch of the run: ceil(samples / batch size)."""
    samples = data.size(run["dataset"])
    return math.ceil(samples / (run["config"]["batch_size"] or samples))


def ranking(groups, dataset):
    """Variants, best first: most seeds at 100%, then fewest median epochs, then best accuracy."""
    def key(variant):
        runs = groups[variant][dataset]
        found = hits(runs)
        return (-len(found), np.median(found) if found else math.inf, -mean(runs, "accuracy"))

    return sorted(groups, key=key)


def reach(runs):
    """'in 4 of 5 seeds after a median of 1586 epochs', or 'in none of 5 seeds within ...'.

    The numbers are written as the tables write them (``median_range``, ``accuracy_range``)."""
    found = hits(runs)
    if not found:
        return (f"in none of {len(runs)} seeds within {runs[0]['config']['epochs']} epochs, "
                f"with an accuracy of {accuracy_range(runs)}")
    return (f"in {len(found)} of {len(runs)} seeds after a median of {np.median(found):g} "
            "epochs")


def last_layer_start(runs):
    """The mean over ``runs`` of the last hidden layer's pre-activation std at init, and of the
    fraction of those pre-activations beyond +-SATURATED (the table, the text and the init
    figure's legend all quote these)."""
    return (float(np.mean([r["init_stats"]["preactivation_std"][-1] for r in runs])),
            float(np.mean([r["init_stats"]["saturated"][-1] for r in runs])))


def plural(count, noun):
    """'1 update', '7 updates'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def scientific(value):
    """1e-06 -> '1e-6': one significant digit, and the exponent without a leading zero."""
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def percent(fraction):
    """0.256 -> '26%'."""
    return f"{100 * fraction:.0f}%"


# ---- tables ---------------------------------------------------------------------------------

def mean_std(values, digits=2):
    """'0.98 ± 0.02' over the values that are not None, or '—'."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


def mean_std_significant(values, digits=2):
    """Mean ± standard deviation to ``digits`` significant digits: '2.9 ± 1.8'."""
    return f"{np.mean(values):.{digits}g} ± {np.std(values):.{digits}g}"


def accuracy_range(runs):
    """The runs' accuracy as the tables give it: '1.00' if all equal, else the median and the
    range, '0.99 (0.95–1.00)'."""
    values = [run["accuracy"] for run in runs]
    low, high = min(values), max(values)
    median = f"{np.median(values):.2f}"
    return median if f"{low:.2f}" == f"{high:.2f}" else f"{median} ({low:.2f}–{high:.2f})"


def seconds_to_100(runs):
    """The seconds each run took to 100% accuracy, to the millisecond; runs that never got there
    are left out."""
    return [round(seconds, 3) for seconds in hits(runs, "seconds_to_100")]


def median_range(values, unit=""):
    """'1586 (1431–2009)': the median and the range of the values that are not None, or '—'."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    low, high = min(values), max(values)
    spread = f" ({low:g}–{high:g})" if low != high else ""
    return f"{np.median(values):g}{unit}{spread}"


COLUMNS = {
    "accuracy": ("accuracy", accuracy_range),
    "reached": ("100% reached", lambda r: f"{len(hits(r))}/{len(r)}"),
    "epochs": ("epochs to 100%", lambda r: median_range(hits(r))),
    "epsilon": ("epochs to loss < ε", lambda r: median_range(hits(r, "epochs_to_epsilon"))),
    "rises": ("epochs with a loss rise", lambda r: median_range(
        [round(100 * rise_fraction(x)) for x in r], "%")),
    "seconds": ("seconds", lambda r: mean_std([x["seconds"] for x in r])),
    "to_100": ("seconds to 100%", lambda r: median_range(seconds_to_100(r))),
    "ms": ("ms per epoch (mean)", lambda r: f"{np.mean([per_epoch_ms(x) for x in r]):.2f}"),
    "loss": ("final loss", lambda r: mean_std([x["final_loss"] for x in r], 4)),
    "std": ("layer-2 std (init, mean)", lambda r: f"{last_layer_start(r)[0]:.2f}"),
    "saturated": ("saturated (init, mean)", lambda r: percent(last_layer_start(r)[1])),
    "gradient": ("‖∂L/∂W1‖ (init)", lambda r: mean_std_significant(
        [x["init_stats"]["gradient_norm"][0] for x in r])),
    "output": ("logit rms (init)", lambda r: mean_std_significant(
        [x["init_stats"]["output_rms"] for x in r])),
    "initial_loss": ("loss (init)", lambda r: mean_std_significant(
        [x["init_stats"]["loss"] for x in r])),
    "updates": ("updates per epoch", lambda r: str(steps_per_epoch(r[0]))),
    "updates_to_100": ("updates to 100%", lambda r: median_range(
        [x["epochs_to_100"] * steps_per_epoch(x) for x in r if x["epochs_to_100"]])),
}
STUDY_COLUMNS = {
    "learning_rate": ("accuracy", "reached", "epochs", "epsilon", "rises", "seconds"),
    "hidden_units": ("accuracy", "reached", "epochs", "ms", "std", "saturated"),
    "init": ("accuracy", "reached", "epochs", "std", "saturated", "output", "initial_loss",
             "gradient"),
    "activation": ("accuracy", "reached", "epochs", "epsilon", "loss"),
    "optimizer": ("accuracy", "reached", "epochs", "to_100", "ms"),
    "batch_size": ("updates", "accuracy", "reached", "epochs", "updates_to_100", "ms"),
}


def study_table(runs, study):
    """(headers, rows): one row per variant and dataset."""
    names = STUDY_COLUMNS[study]
    rows = [[variant.label, dataset, *(COLUMNS[name][1](group[dataset]) for name in names)]
            for variant, group in by_variant(runs, study).items() for dataset in DATASETS]
    return ["variant", "data", *(COLUMNS[name][0] for name in names)], rows
