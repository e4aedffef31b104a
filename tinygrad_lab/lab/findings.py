"""What the report says about the runs: the sentences computed from them.

Each study's ``*_findings(runs)`` returns two or three sentences built from the numbers in the
runs (results.json's run objects), so that if a result changes the sentence changes with it.
A variant a sentence singles out (the spec's learning rate, the network without an activation)
is looked up by its key; if the runs lack it, the lookup raises KeyError rather than the sentence
quietly comparing something else.
"""

import math

import numpy as np

from ..data import DATASETS, XOR_SIZE
from .config import GRADCHECK_TOLERANCE, SATURATED, SATURATED_SLOPE
from .studies import STUDY, optimizer_label, spec_key
from .tables import (
    COLUMNS,
    NAMES,
    accuracy_range,
    all_runs,
    by_variant,
    group_of,
    hits,
    per_epoch_ms,
    percent,
    plural,
    ranking,
    reach,
    rise_fraction,
    seconds_to_100,
    steps_per_epoch,
)

# The XOR loss when the output at (0, 0) is stuck at 0.5: ln 2 on one point of XOR_SIZE.
XOR_FLOOR = math.log(2) / XOR_SIZE
NO_ACTIVATION = STUDY["activation"].key_of({"activation": "none"})  # the linear network


# ---- findings: the sentences computed from the runs -----------------------------------------

def best_and_worst(groups, dataset):
    """One sentence: the best and the worst variant on ``dataset`` (see ``ranking``)."""
    order = ranking(groups, dataset)
    best, worst = order[0], order[-1]
    if not hits(groups[best][dataset]):
        return (f"On {NAMES[dataset]}, no variant reached 100% accuracy within its budget; the "
                f"best accuracy was {accuracy_range(groups[best][dataset])}, with "
                f"{best.label}, and the worst {accuracy_range(groups[worst][dataset])}, "
                f"with {worst.label}.")
    return (f"On {NAMES[dataset]}, {best.label} did best: it reached 100% accuracy "
            f"{reach(groups[best][dataset])}; {worst.label} reached it "
            f"{reach(groups[worst][dataset])}.")


def learning_rate_findings(runs):
    """The best and worst rate on each dataset; how often the loss rose, and divergences."""
    groups = by_variant(runs, "learning_rate")
    sentences = [best_and_worst(groups, dataset) for dataset in DATASETS]
    rises = {variant: float(np.median([rise_fraction(r) for r in all_runs(group)]))
             for variant, group in groups.items()}
    shaky = max(rises, key=rises.get)
    spec = STUDY["learning_rate"].variant(spec_key("learning_rate"))
    group_of(groups, "learning_rate", spec.key)  # the spec's rate must be among the runs
    calm = spec if shaky is not spec else min(rises, key=rises.get)
    if rises[shaky] == 0:
        sentence = "The loss fell at every epoch, at every learning rate"
    else:
        sentence = (f"The loss rose from one epoch to the next in a median of "
                    f"{percent(rises[shaky])} of the epochs at {shaky.label}, against "
                    f"{percent(rises[calm])} at {calm.label}")
    diverged = {variant: sum(r["diverged"] for r in all_runs(group))
                for variant, group in groups.items()}
    if any(diverged.values()):
        sentence += "; " + ", ".join(f"{variant.label} diverged (non-finite loss) in {count} of "
                                     f"{len(all_runs(groups[variant]))} runs"
                                     for variant, count in diverged.items() if count) + "."
    else:
        sentence += "; no run diverged to a non-finite loss."
    return sentences + [sentence]


def hidden_units_findings(runs):
    """The best and worst width on each dataset; the cost and the saturation of the widest
    (on the linear data, as the table gives them)."""
    groups = by_variant(runs, "hidden_units")
    sentences = [best_and_worst(groups, dataset) for dataset in DATASETS]
    widths = {variant: math.prod(all_runs(group)[0]["config"]["hidden"])
              for variant, group in groups.items()}
    wide = max(widths, key=widths.get)
    small = STUDY["hidden_units"].variant(spec_key("hidden_units"))  # the spec's (10, 10)
    wide_linear = groups[wide]["linear"]
    small_linear = group_of(groups, "hidden_units", small.key)["linear"]
    sentences.append(
        f"An epoch of {wide.label} on the linear data cost {cell('ms', wide_linear)} ms against "
        f"{cell('ms', small_linear)} ms for {small.label}; within the same "
        f"{wide_linear[0]['config']['epochs']}-epoch budget its accuracy was "
        f"{accuracy_range(wide_linear)} on the linear data and "
        f"{accuracy_range(groups[wide]['xor'])} on XOR.")
    sentences.append(
        f"With standard-normal weights, {wide.label}'s last hidden layer starts with "
        f"pre-activations of standard deviation {cell('std', wide_linear)}, "
        f"{cell('saturated', wide_linear)} of them beyond ±{SATURATED:g} where σ' < "
        f"{SATURATED_SLOPE:g} (for {small.label}: {cell('std', small_linear)} and "
        f"{cell('saturated', small_linear)}).")
    return sentences


def init_findings(runs):
    """The wide network at init with each init, and how each trained (the linear data's
    numbers, as the table gives them); which init did better within the budget."""
    groups = by_variant(runs, "init")
    variants = list(groups)
    starts = [f"{variant.label} weights give the last hidden layer pre-activations of "
              f"standard deviation {cell('std', groups[variant]['linear'])} "
              f"({cell('saturated', groups[variant]['linear'])} beyond ±{SATURATED:g}), output "
              f"logits of root-mean-square {cell('output', groups[variant]['linear'])} and a "
              f"loss of {cell('initial_loss', groups[variant]['linear'])}"
              for variant in variants]
    sentences = ["On the linear data at initialisation, " + "; ".join(starts) + "."]
    for dataset in DATASETS:
        sentences.append(reached_sentence(dataset, [f"with {variant.label} {reach(group[dataset])}"
                                                    for variant, group in groups.items()]))
    counts = {variant: len(hits(all_runs(group))) for variant, group in groups.items()}
    best = max(counts, key=counts.get)
    if len(set(counts.values())) == 1:
        sentences.append("Neither init reached 100% more often than the other within the "
                         "budget.")
    elif best.overrides:  # the scaled init
        sentences.append(f"So {best.label} weights, which remove the saturation, are what lets "
                         "the wide network learn here.")
    else:
        sentences.append(f"So removing the saturation is not what the wide network needs at "
                         f"this rate: {best.label} weights reached 100% more often. Saturated "
                         "units still give the output layer 1000 features of 0s and 1s, on "
                         "which it can fit both datasets; the scaled init starts the output "
                         "near 0.5 with small gradients, and needs more epochs.")
    return sentences


def activation_findings(runs):
    """Linear vs XOR without an activation; XOR with the others; the ln 2 / XOR_SIZE floor."""
    groups = by_variant(runs, "activation")
    linear_network = group_of(groups, "activation", NO_ACTIVATION)
    xor = linear_network["xor"]
    best_xor = max(r["accuracy"] for r in xor)
    linear_part = (f"Without an activation function the network is linear, x W1 W2 W3, so "
                   f"its boundary is a line through the origin: it reached 100% on the "
                   f"linear data {reach(linear_network['linear'])}")
    if best_xor < 1.0:
        sentences = [f"{linear_part}, but on XOR its best accuracy was {best_xor:.2f}: "
                     "no line separates XOR."]
    else:
        sentences = [f"{linear_part}, and (unexpectedly) XOR too."]
    others = [variant for variant in groups if variant.key != NO_ACTIVATION]
    sentences.append("On XOR, " + "; ".join(f"{variant.label} reached 100% "
                                            f"{reach(groups[variant]['xor'])}"
                                            for variant in others) + ".")
    stuck = [variant for variant in others
             if all(r["final_loss"] is not None and abs(r["final_loss"] - XOR_FLOOR)
                    < 0.05 * XOR_FLOOR for r in groups[variant]["xor"])]
    if stuck:
        stuck_runs = [r for variant in stuck for r in groups[variant]["xor"]]
        lowest = min(r["final_loss"] for r in stuck_runs)
        even = ", even at 100% accuracy" if all(r["accuracy"] == 1.0 for r in stuck_runs) else ""
        sentences.append(
            f"{' and '.join(variant.label for variant in stuck)} never took the XOR loss below "
            f"{lowest:.4f}, about ln 2 / {XOR_SIZE} = {XOR_FLOOR:.4f}{even}: with no bias and "
            f"f(0) = 0, the network outputs exactly 0.5 at the XOR point (0, 0) whatever its "
            f"weights.")
    return sentences


def cell(column, runs):
    """A statistic of ``runs`` written exactly as the study tables write it."""
    return COLUMNS[column][1](runs)


def reached_sentence(dataset, parts):
    """"On <dataset>, 100% accuracy was reached by A ...; by B ...." from the "by ..." parts."""
    return f"On {NAMES[dataset]}, 100% accuracy was reached " + "; ".join(parts) + "."


def optimizer_findings(runs):
    """Each optimizer's epochs and seconds to 100% on each dataset, and the speed-up."""
    groups = by_variant(runs, "optimizer")
    sentences = []
    for dataset in DATASETS:
        order = ranking(groups, dataset)
        parts = []
        for variant in order:
            r = groups[variant][dataset]
            seconds = seconds_to_100(r)
            timing = f" ({np.median(seconds):g} s)" if seconds else ""
            parts.append(f"by {variant.label} {reach(r)}{timing}")
        sentences.append(reached_sentence(dataset, parts))
        best, worst = order[0], order[-1]
        best_epochs, worst_epochs = hits(groups[best][dataset]), hits(groups[worst][dataset])
        if best_epochs and worst_epochs and len(worst_epochs) == len(groups[worst][dataset]):
            ratio = np.median(worst_epochs) / np.median(best_epochs)
            sentences[-1] += (f" {best.label} needed {ratio:.0f}× fewer epochs than "
                              f"{worst.label} (medians).")
    return sentences


def batch_size_findings(runs):
    """Epochs to 100% per batch size, the cost of an epoch, and full batch with more epochs."""
    groups = by_variant(runs, "batch_size")
    sentences = []
    for dataset in DATASETS:
        parts = [f"by {variant.label} "
                 f"({plural(steps_per_epoch(group[dataset][0]), 'update')} per epoch) "
                 f"{reach(group[dataset])}" for variant, group in groups.items()]
        sentences.append(reached_sentence(dataset, parts))
    ms = {variant: np.mean([per_epoch_ms(r) for r in group["linear"]])
          for variant, group in groups.items()}
    slow, fast = max(ms, key=ms.get), min(ms, key=ms.get)
    sentences.append(f"But an epoch costs what its updates cost: "
                     f"{cell('ms', groups[slow]['linear'])} ms with {slow.label} on the linear "
                     f"data against {cell('ms', groups[fast]['linear'])} ms with {fast.label}.")
    group_of(groups, "batch_size", spec_key("batch_size"))  # the full batch is among the runs
    # The full batch is the spec's setting: the learning-rate study's spec run trained it longer.
    spec_rate = STUDY["learning_rate"].variant(spec_key("learning_rate"))
    xor = group_of(by_variant(runs, "learning_rate"), "learning_rate", spec_rate.key)["xor"]
    lead = "Given more epochs the full batch gets there too: w" if hits(xor) else "W"
    sentences.append(f"{lead}ith the same settings and {xor[0]['config']['epochs']} epochs, the "
                     f"learning-rate study's {spec_rate.label} reached 100% on XOR "
                     f"{reach(xor)}.")
    return sentences


def gradcheck_findings(check):
    """The largest errors of the gradient check against the tolerance (``check``: see
    ``gradients.gradient_check``)."""
    worst = max(check["layers"], key=lambda layer: layer["max_relative_error"])
    h1, h2 = check["hidden"]
    error, tolerance = check["max_relative_error"], GRADCHECK_TOLERANCE
    verdict = "far below" if error < tolerance / 100 else "below" if error < tolerance else "ABOVE"
    meaning = ("the engine's backpropagation matches the finite differences"
               if error < tolerance else "the gradients disagree")
    return [f"All {check['weights']} weights of the ({h1},{h2}) network were checked on "
            f"{check['samples']} linear points: the largest relative error was "
            f"{check['max_relative_error']:.1e} (in {worst['name']}) and the largest absolute "
            f"error {check['max_abs_error']:.1e}, {verdict} the tolerance of {tolerance:g}: "
            f"{meaning}."]


def lab_findings(lab_runs, short=False):
    """What each Results-section run reached, and when; ``short``: one clause per run."""
    sentences = []
    for run in lab_runs:
        eps = run["config"]["epsilon"]
        setting = f"with the {run['label']} ({optimizer_label(run['config'])})"
        reached = (f"first reached 100% training accuracy at epoch {run['epochs_to_100']}"
                   if run["epochs_to_100"] else "never reached 100% training accuracy")
        if short:
            sentences.append(f"On {NAMES[run['dataset']]}, {setting}, the network {reached} "
                             f"and classifies {percent(run['accuracy'])} of the points "
                             "correctly.")
            continue
        epsilon = (f"the loss fell below ε = {eps:g} at epoch {run['epochs_to_epsilon']}"
                   if run["epochs_to_epsilon"] else
                   f"the loss stayed above ε = {eps:g} for all {run['epochs_run']} epochs")
        sentences.append(f"On {NAMES[run['dataset']]} {setting} the network {reached}; "
                         f"{epsilon}, and the trained network classifies "
                         f"{percent(run['accuracy'])} of the points correctly (final loss "
                         f"{run['final_loss']:.4f}, {run['seconds']:.2f} s).")
    return sentences


def key_findings(runs):
    """The Discussion's results in a few bullets, for the Introduction and the Conclusion."""
    rates = by_variant(runs, "learning_rate")
    widths = by_variant(runs, "hidden_units")
    return [f"Learning rate: {best_and_worst(rates, 'xor')}",
            f"Hidden units: {best_and_worst(widths, 'xor')}",
            f"Activation: {activation_findings(runs)[0]}",
            f"Optimizers: {optimizer_findings(runs)[1]}"]


def constant_classifier_findings(runs):
    """What the (1,1) network scored: the share of the one class it predicts."""
    group = group_of(by_variant(runs, "hidden_units"), "hidden_units",
                     STUDY["hidden_units"].key_of({"hidden": [1, 1]}))
    shares = {dataset: sorted({f"{r['accuracy']:.2f}" for r in group[dataset]})
              for dataset in DATASETS}
    return [f"In the study, (1,1) ended at an accuracy of {' or '.join(shares['linear'])} on "
            f"the linear data and {' or '.join(shares['xor'])} on XOR, in every seed: the "
            "share of the class it predicts."]


FINDINGS = {"learning_rate": learning_rate_findings, "hidden_units": hidden_units_findings,
            "init": init_findings, "activation": activation_findings,
            "optimizer": optimizer_findings, "batch_size": batch_size_findings}
