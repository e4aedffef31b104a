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
from .studies import STUDY, spec_key
from .tables import (
    NAMES,
    all_runs,
    by_variant,
    group_of,
    hits,
    mean,
    per_epoch_ms,
    percent,
    plural,
    ranking,
    reach,
    rise_fraction,
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
                f"best mean accuracy was {mean(groups[best][dataset], 'accuracy'):.2f}, with "
                f"{best.label}, and the worst {mean(groups[worst][dataset], 'accuracy'):.2f}, "
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
    """The best and worst width on each dataset; the cost and the saturation of the widest."""
    groups = by_variant(runs, "hidden_units")
    sentences = [best_and_worst(groups, dataset) for dataset in DATASETS]
    widths = {variant: math.prod(all_runs(group)[0]["config"]["hidden"])
              for variant, group in groups.items()}
    wide = max(widths, key=widths.get)
    small = STUDY["hidden_units"].variant(spec_key("hidden_units"))  # the spec's (10, 10)
    wide_runs = all_runs(groups[wide])
    wide_ms = np.mean([per_epoch_ms(r) for r in wide_runs])
    small_ms = np.mean([per_epoch_ms(r)
                        for r in all_runs(group_of(groups, "hidden_units", small.key))])
    sentences.append(
        f"{wide.label} cost {wide_ms:.1f} ms per epoch against {small_ms:.2f} ms for "
        f"{small.label}; within "
        f"its {wide_runs[0]['config']['epochs']}-epoch budget its mean accuracy was "
        f"{mean(groups[wide]['linear'], 'accuracy'):.2f} on the linear data and "
        f"{mean(groups[wide]['xor'], 'accuracy'):.2f} on XOR.")
    (wide_std, wide_saturated), (small_std, small_saturated) = (
        start_of_last_layer(all_runs(groups[variant])) for variant in (wide, small))
    sentences.append(
        f"With standard-normal weights, {wide.label}'s last hidden layer starts with "
        f"pre-activations of standard deviation {wide_std:.1f}, {percent(wide_saturated)} of them "
        f"beyond ±{SATURATED:g} where σ' < {SATURATED_SLOPE:g} (for {small.label}: "
        f"{small_std:.1f} and {percent(small_saturated)}).")
    return sentences


def start_of_last_layer(runs):
    """The mean std of the last hidden layer's pre-activations at init, and the saturated part."""
    return (float(np.mean([r["init_stats"]["preactivation_std"][-1] for r in runs])),
            float(np.mean([r["init_stats"]["saturated"][-1] for r in runs])))


def init_findings(runs):
    """The wide network at init with each init; how often each trained to 100%; which won."""
    groups = by_variant(runs, "init")
    inits = {}
    for run in (r for group in groups.values() for r in all_runs(group)):
        inits.setdefault(run["config"]["init"], []).append(run)

    def start(init):
        std, saturated = start_of_last_layer(inits[init])
        stats = [r["init_stats"] for r in inits[init]]
        return (f"{std:.2f}", percent(saturated),
                f"{np.mean([s['output_rms'] for s in stats]):.2g}",
                f"{np.mean([s['loss'] for s in stats]):.2g}",
                f"{np.mean([s['gradient_norm'][0] for s in stats]):.2g}")

    sentences = []
    if {"normal", "lecun"} <= inits.keys():
        normal, lecun = start("normal"), start("lecun")
        sentences.append(
            f"At initialisation, standard-normal weights give the last hidden layer "
            f"pre-activations of standard deviation {normal[0]} ({normal[1]} beyond "
            f"±{SATURATED:g}) and output logits of root-mean-square {normal[2]}, for a loss of "
            f"{normal[3]} "
            f"before training; weights scaled by 1/sqrt(fan_in) (lecun) give {lecun[0]} "
            f"({lecun[1]}), {lecun[2]} and a loss of {lecun[3]}. The gradient reaching W1 does "
            f"not vanish with standard-normal weights: its norm is {normal[4]}, against "
            f"{lecun[4]} with lecun.")
    by_optimizer = {}
    for group in groups.values():
        config = all_runs(group)[0]["config"]
        setting = f"{config['optimizer']} {config['learning_rate']:g}"
        by_optimizer.setdefault(setting, {})[config["init"]] = all_runs(group)
    budget = all_runs(next(iter(groups.values())))[0]["config"]["epochs"]
    parts = [", ".join(f"{init} reached 100% in {len(hits(r))} of {len(r)} runs (mean accuracy "
                       f"{mean(r, 'accuracy'):.2f})" for init, r in inits_.items())
             for inits_ in by_optimizer.values()]
    sentences.append(f"Within {budget} epochs, " + "; ".join(
        f"with {setting}: {part}" for setting, part in zip(by_optimizer, parts, strict=True)) + ".")
    better = [setting for setting, r in by_optimizer.items() if {"normal", "lecun"} <= r.keys()
              and len(hits(r["lecun"])) > len(hits(r["normal"]))]
    worse = [setting for setting, r in by_optimizer.items() if {"normal", "lecun"} <= r.keys()
             and len(hits(r["lecun"])) < len(hits(r["normal"]))]
    if better and not worse:
        sentences.append(f"So the scaled init is what lets the wide network learn here "
                         f"(with {' and '.join(better)}).")
    elif worse:
        sentences.append(f"So removing the saturation is not enough at this width: with "
                         f"{' and '.join(worse)} the standard-normal init reached 100% more "
                         f"often within the budget.")
    else:
        sentences.append("Neither init reached 100% more often than the other within the "
                         "budget.")
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
        sentences = [f"{linear_part}, but on XOR its best accuracy was {best_xor:.2f} "
                     f"(mean {mean(xor, 'accuracy'):.2f}): no line separates XOR."]
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
            seconds = hits(r, "seconds_to_100")
            timing = f" ({np.median(seconds):.2f} s)" if seconds else ""
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
    sentences.append(f"But an epoch costs what its updates cost: {ms[slow]:.1f} ms with "
                     f"{slow.label} on the linear data against {ms[fast]:.2f} ms with "
                     f"{fast.label}.")
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


def lab_findings(lab_runs):
    """What each run of `tinygrad-lab lab` reached, and when."""
    sentences = []
    for run in lab_runs:
        eps = run["config"]["epsilon"]
        epsilon = (f"the loss fell below ε = {eps:g} at epoch {run['epochs_to_epsilon']}"
                   if run["epochs_to_epsilon"] else
                   f"the loss stayed above ε = {eps:g} for all {run['epochs_run']} epochs")
        reached = (f"first reached 100% training accuracy at epoch {run['epochs_to_100']}"
                   if run["epochs_to_100"] else "never reached 100% training accuracy")
        sentences.append(f"On {NAMES[run['dataset']]} the network {reached}; {epsilon}, and the "
                         f"trained network classifies {percent(run['accuracy'])} of the points "
                         f"correctly (final loss {run['final_loss']:.4f}, "
                         f"{run['seconds']:.2f} s).")
    return sentences


FINDINGS = {"learning_rate": learning_rate_findings, "hidden_units": hidden_units_findings,
            "init": init_findings, "activation": activation_findings,
            "optimizer": optimizer_findings, "batch_size": batch_size_findings}
