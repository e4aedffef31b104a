"""What the report says about the runs: statistics, tables and the sentences computed from them.

Each study's ``*_findings(runs)`` returns two or three sentences built from the numbers in the
runs (results.json's run objects), so that if a result changes the sentence changes with it.
"""

import math

import numpy as np

from .experiments import DATASETS
from .experiments import SAMPLES as LINEAR_SAMPLES

NAMES = {"linear": "the linear data", "xor": "XOR"}
SAMPLES = {"linear": LINEAR_SAMPLES, "xor": 21}
XOR_FLOOR = math.log(2) / 21  # the XOR loss when the output at (0, 0) is stuck at 0.5
TOLERANCE = 1e-5  # the gradient check's largest acceptable relative error


# ---- statistics over runs -------------------------------------------------------------------

def by_variant(runs, study):
    """{label: {dataset: [runs]}} for one study, in the order the runs come."""
    groups = {}
    for run in runs:
        if run["study"] == study:
            groups.setdefault(run["label"], {}).setdefault(run["dataset"], []).append(run)
    return groups


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
    return math.ceil(SAMPLES[run["dataset"]] / (run["config"]["batch_size"]
                                                 or SAMPLES[run["dataset"]]))


def ranking(groups, dataset):
    """Labels, best first: most seeds at 100%, then fewest median epochs, then best accuracy."""
    def key(label):
        runs = groups[label][dataset]
        found = hits(runs)
        return (-len(found), np.median(found) if found else math.inf, -mean(runs, "accuracy"))

    return sorted(groups, key=key)


def reach(runs):
    """'in 4 of 5 seeds after a median of 1586 epochs', or 'in none of 5 seeds within ...'."""
    found = hits(runs)
    if not found:
        return (f"in none of {len(runs)} seeds within {runs[0]['config']['epochs']} epochs "
                f"(mean accuracy {mean(runs, 'accuracy'):.2f})")
    return f"in {len(found)} of {len(runs)} seeds after a median of {np.median(found):.0f} epochs"


def plural(count, noun):
    """'1 update', '7 updates'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def percent(fraction):
    """0.256 -> '26%'."""
    return f"{100 * fraction:.0f}%"


# ---- findings: the sentences computed from the runs -----------------------------------------

def best_and_worst(groups, dataset):
    """One sentence: the best and the worst variant on ``dataset`` (see ``ranking``)."""
    order = ranking(groups, dataset)
    best, worst = order[0], order[-1]
    if not hits(groups[best][dataset]):
        return (f"On {NAMES[dataset]}, no variant reached 100% accuracy within its budget; the "
                f"best mean accuracy was {mean(groups[best][dataset], 'accuracy'):.2f}, with "
                f"{best}, and the worst {mean(groups[worst][dataset], 'accuracy'):.2f}, with "
                f"{worst}.")
    return (f"On {NAMES[dataset]}, {best} did best: it reached 100% accuracy "
            f"{reach(groups[best][dataset])}; {worst} reached it {reach(groups[worst][dataset])}.")


def learning_rate_findings(runs):
    """The best and worst rate on each dataset; how often the loss rose, and divergences."""
    groups = by_variant(runs, "learning_rate")
    sentences = [best_and_worst(groups, dataset) for dataset in DATASETS]
    rises = {label: float(np.median([rise_fraction(r) for r in all_runs(group)]))
             for label, group in groups.items()}
    shaky = max(rises, key=rises.get)
    calm = "lr=0.3" if "lr=0.3" in rises and shaky != "lr=0.3" else min(rises, key=rises.get)
    if rises[shaky] == 0:
        sentence = "The loss fell at every epoch, at every learning rate"
    else:
        sentence = (f"The loss rose from one epoch to the next in a median of "
                    f"{percent(rises[shaky])} of the epochs at {shaky}, against "
                    f"{percent(rises[calm])} at {calm}")
    diverged = {label: sum(r["diverged"] for r in all_runs(group))
                for label, group in groups.items()}
    if any(diverged.values()):
        sentence += "; " + ", ".join(f"{label} diverged (non-finite loss) in {count} of "
                                     f"{len(all_runs(groups[label]))} runs"
                                     for label, count in diverged.items() if count) + "."
    else:
        sentence += "; no run diverged to a non-finite loss."
    return sentences + [sentence]


def hidden_units_findings(runs):
    """The best and worst width on each dataset; the cost and the saturation of the widest."""
    groups = by_variant(runs, "hidden_units")
    sentences = [best_and_worst(groups, dataset) for dataset in DATASETS]
    widths = {label: math.prod(all_runs(group)[0]["config"]["hidden"])
              for label, group in groups.items()}
    wide, small = max(widths, key=widths.get), min(widths, key=widths.get)
    small = "(10,10)" if "(10,10)" in groups else small
    wide_runs = all_runs(groups[wide])
    wide_ms = np.mean([per_epoch_ms(r) for r in wide_runs])
    small_ms = np.mean([per_epoch_ms(r) for r in all_runs(groups[small])])
    sentences.append(
        f"{wide} cost {wide_ms:.1f} ms per epoch against {small_ms:.2f} ms for {small}; within "
        f"its {wide_runs[0]['config']['epochs']}-epoch budget its mean accuracy was "
        f"{mean(groups[wide]['linear'], 'accuracy'):.2f} on the linear data and "
        f"{mean(groups[wide]['xor'], 'accuracy'):.2f} on XOR.")
    (wide_std, wide_saturated), (small_std, small_saturated) = (
        start_of_last_layer(all_runs(groups[label])) for label in (wide, small))
    sentences.append(
        f"With standard-normal weights, {wide}'s last hidden layer starts with pre-activations "
        f"of standard deviation {wide_std:.1f}, {percent(wide_saturated)} of them beyond ±4.6 "
        f"where σ' < 0.01 (for {small}: {small_std:.1f} and {percent(small_saturated)}).")
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
            f"pre-activations of standard deviation {normal[0]} ({normal[1]} beyond ±4.6) and "
            f"output logits of root-mean-square {normal[2]}, for a loss of {normal[3]} "
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
    """Linear vs XOR without an activation; XOR with the others; the ln 2 / 21 loss floor."""
    groups = by_variant(runs, "activation")
    sentences = []
    if "none" in groups:
        xor = groups["none"]["xor"]
        best_xor = max(r["accuracy"] for r in xor)
        linear_part = (f"Without an activation function the network is linear, x W1 W2 W3, so "
                       f"its boundary is a line through the origin: it reached 100% on the "
                       f"linear data {reach(groups['none']['linear'])}")
        if best_xor < 1.0:
            sentences.append(f"{linear_part}, but on XOR its best accuracy was {best_xor:.2f} "
                             f"(mean {mean(xor, 'accuracy'):.2f}): no line separates XOR.")
        else:
            sentences.append(f"{linear_part}, and (unexpectedly) XOR too.")
    others = [label for label in groups if label != "none"]
    sentences.append("On XOR, " + "; ".join(f"{label} reached 100% {reach(groups[label]['xor'])}"
                                            for label in others) + ".")
    stuck = [label for label in others
             if all(r["final_loss"] is not None and abs(r["final_loss"] - XOR_FLOOR)
                    < 0.05 * XOR_FLOOR for r in groups[label]["xor"])]
    if stuck:
        stuck_runs = [r for label in stuck for r in groups[label]["xor"]]
        lowest = min(r["final_loss"] for r in stuck_runs)
        even = ", even at 100% accuracy" if all(r["accuracy"] == 1.0 for r in stuck_runs) else ""
        sentences.append(
            f"{' and '.join(stuck)} never took the XOR loss below {lowest:.4f}, about ln 2 / 21 "
            f"= {XOR_FLOOR:.4f}{even}: with no bias and f(0) = 0, the network outputs exactly "
            f"0.5 at the XOR point (0, 0) whatever its weights.")
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
        for label in order:
            r = groups[label][dataset]
            seconds = hits(r, "seconds_to_100")
            timing = f" ({np.median(seconds):.2f} s)" if seconds else ""
            parts.append(f"by {label} {reach(r)}{timing}")
        sentences.append(reached_sentence(dataset, parts))
        best, worst = order[0], order[-1]
        best_epochs, worst_epochs = hits(groups[best][dataset]), hits(groups[worst][dataset])
        if best_epochs and worst_epochs and len(worst_epochs) == len(groups[worst][dataset]):
            ratio = np.median(worst_epochs) / np.median(best_epochs)
            sentences[-1] += (f" {best} needed {ratio:.0f}× fewer epochs than {worst} "
                              f"(medians).")
    return sentences


def batch_size_findings(runs):
    """Epochs to 100% per batch size, the cost of an epoch, and full batch with more epochs."""
    groups = by_variant(runs, "batch_size")
    sentences = []
    for dataset in DATASETS:
        parts = [f"by {label} ({plural(steps_per_epoch(groups[label][dataset][0]), 'update')} "
                 f"per epoch) {reach(groups[label][dataset])}" for label in groups]
        sentences.append(reached_sentence(dataset, parts))
    ms = {label: np.mean([per_epoch_ms(r) for r in group["linear"]])
          for label, group in groups.items()}
    slow, fast = max(ms, key=ms.get), min(ms, key=ms.get)
    sentences.append(f"But an epoch costs what its updates cost: {ms[slow]:.1f} ms with {slow} "
                     f"on the linear data against {ms[fast]:.2f} ms with {fast}.")
    spec_rate = by_variant(runs, "learning_rate").get("lr=0.3")
    full = next((label for label in groups if groups[label]["xor"][0]["config"]["batch_size"]
                 is None), None)
    if spec_rate and full:
        budget = spec_rate["xor"][0]["config"]["epochs"]
        lead = "Given more epochs the full batch gets there too: w" if hits(spec_rate["xor"]) \
            else "W"
        sentences.append(f"{lead}ith the same settings and {budget} epochs, the learning-rate "
                         f"study's lr=0.3 reached 100% on XOR {reach(spec_rate['xor'])}.")
    return sentences


def gradcheck_findings(check):
    """The largest errors of the gradient check against the tolerance (``check``: see
    ``experiments.gradient_check``)."""
    worst = max(check["layers"], key=lambda layer: layer["max_relative_error"])
    h1, h2 = check["hidden"]
    verdict = ("far below" if check["max_relative_error"] < TOLERANCE / 100 else
               "below" if check["max_relative_error"] < TOLERANCE else "ABOVE")
    meaning = ("the engine's backpropagation matches the finite differences"
               if check["max_relative_error"] < TOLERANCE else "the gradients disagree")
    return [f"All {check['weights']} weights of the ({h1},{h2}) network were checked on "
            f"{check['samples']} linear points: the largest relative error was "
            f"{check['max_relative_error']:.1e} (in {worst['name']}) and the largest absolute "
            f"error {check['max_abs_error']:.1e}, {verdict} the tolerance of {TOLERANCE:g}: "
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


def median_range(values, unit=""):
    """'1586 (1431–2009)': the median and the range of the values that are not None, or '—'."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    low, high = min(values), max(values)
    spread = f" ({low:g}–{high:g})" if low != high else ""
    return f"{np.median(values):g}{unit}{spread}"


COLUMNS = {
    "accuracy": ("accuracy", lambda r: mean_std([x["accuracy"] for x in r])),
    "reached": ("100% reached", lambda r: f"{len(hits(r))}/{len(r)}"),
    "epochs": ("epochs to 100%", lambda r: median_range(hits(r))),
    "epsilon": ("epochs to loss < ε", lambda r: median_range(hits(r, "epochs_to_epsilon"))),
    "rises": ("epochs with a loss rise", lambda r: median_range(
        [round(100 * rise_fraction(x)) for x in r], "%")),
    "seconds": ("seconds", lambda r: mean_std([x["seconds"] for x in r])),
    "to_100": ("seconds to 100%", lambda r: median_range(
        [round(s, 3) for s in hits(r, "seconds_to_100")])),
    "ms": ("ms per epoch", lambda r: mean_std([per_epoch_ms(x) for x in r])),
    "loss": ("final loss", lambda r: mean_std([x["final_loss"] for x in r], 4)),
    "std": ("layer-2 std (init)", lambda r: mean_std(
        [x["init_stats"]["preactivation_std"][-1] for x in r])),
    "saturated": ("saturated (init)", lambda r: percent(
        np.mean([x["init_stats"]["saturated"][-1] for x in r]))),
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
    "init": ("accuracy", "reached", "std", "saturated", "output", "initial_loss", "gradient"),
    "activation": ("accuracy", "reached", "epochs", "epsilon", "loss"),
    "optimizer": ("accuracy", "reached", "epochs", "to_100", "ms"),
    "batch_size": ("updates", "accuracy", "reached", "epochs", "updates_to_100", "ms"),
}


def study_table(runs, study):
    """(headers, rows): one row per variant and dataset."""
    names = STUDY_COLUMNS[study]
    rows = [[label, dataset, *(COLUMNS[name][1](group[dataset]) for name in names)]
            for label, group in by_variant(runs, study).items() for dataset in DATASETS]
    return ["variant", "data", *(COLUMNS[name][0] for name in names)], rows


