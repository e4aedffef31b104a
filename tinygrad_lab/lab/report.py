"""The lab report's content: ``document(results, trained, schedule, meta)`` builds it as blocks.

The report is a list of blocks (see ``document``): headings, paragraphs, formulas, tables,
listings and figures, rendered as Markdown and as Typst (compiled to the PDF), so the two say the
same thing. Its sections follow the spec's Report Spec. Every number comes from results.json
(``results``), and every sentence that states a result is computed from it (``findings``); the
figures are drawn by ``build`` from what the runs returned (``trained``), or, when re-rendering
from results.json, taken as they are (``trained`` None: no figure is scheduled).
"""

import math

from ..data import LINEAR_SIZE, XOR_SIZE
from ..train import format_accuracy, format_header, format_log
from . import findings as say
from .config import GRADCHECK_STEP, SATURATED, SATURATED_SLOPE, SPEC_CONFIG
from .figures import (
    TITLES,
    activation_figure,
    curves_figure,
    figure_path,
    graph_figure,
    hidden_figure,
    init_figure,
    lab_figure,
    sigmoid_figure,
)
from .pool import run_key
from .prose import CAPTIONS, CONCLUSION_NOTE, REFERENCES, STUDY_NOTES, SUBSECTIONS
from .studies import STUDY, WIDE_SEEDS, optimizer_label
from .tables import by_variant, scientific, study_table

MAIN, DEFAULT = "spec setting", "program default"  # the Results runs' labels (RESULT_CONFIGS)
# The runs whose model, data and pre-activations the figures need: (study, seed, dataset or None
# for both).
FIGURE_RUNS = (("lab", 0, None), ("activation", 0, None), ("init", 0, "linear"))
STATISTICS = ("accuracy: median (min–max) over the seeds; 100%: the seeds that reached it; "
              "epochs: median (min–max) over those seeds")


def figure_key(run):
    """(study, dataset, variant key) of a run or spec: how the figures find what it returned.
    A Results-section run's key is its label."""
    key = run["label"] if run["study"] == "lab" else STUDY[run["study"]].key_of(run["config"])
    return run["study"], run["dataset"], key


def document(results, trained, schedule, meta):
    """The report as blocks, from results.json's ``results`` and what the runs returned
    (``trained``, see ``build.collect``; None when re-rendering: then no figure is drawn).
    ``schedule(name, thunk)`` is called for each figure; ``thunk()`` gives ``(function,
    *arguments)``, to be drawn to figures/name.png. ``meta``: author, student_id, date."""
    def figure(name, caption, thunk):
        if trained is not None:
            schedule(name, thunk)
        return ("figure", figure_path(name), caption, f"fig-{name}")

    runs, lab = results["runs"], {(r["label"], r["dataset"]): r for r in results["lab"]}
    count = len({run_key(run) for run in runs + results["lab"]})
    title_meta = {**meta, "subtitle": f"Experiment report. tinygrad_lab {results['version']}, "
                                      f"NumPy {results['numpy']}: {count} training runs"
                                      f"{', quick mode' if results['quick'] else ''}"}
    return [("title", "Lab 1: Back-propagation", title_meta),
            *introduction(results, lab), *setups(results, lab, figure),
            *result_section(results, lab, trained, figure),
            *discussion(results, trained, figure), *conclusion(results, lab),
            ("h2", "References", "sec-references", {"numbered": False}),
            ("enum", list(REFERENCES))]


def introduction(results, lab):
    main = [lab[MAIN, dataset] for dataset in ("linear", "xor")]
    return [
        ("h2", "Introduction", "sec-introduction"),
        ("p", "The lab's objective is to implement a neural network with two hidden layers and "
              "train it by backpropagation, using only NumPy and the standard library, on two "
              f"datasets: {LINEAR_SIZE} points drawn uniformly from the unit square and labelled "
              "by the side of the diagonal $x_1 = x_2$ they fall on (a linear split), and the "
              f"{XOR_SIZE} 'easy XOR' points, where the diagonal is class 0 and the anti-diagonal "
              "class 1 (no straight line separates them)."),
        ("p", "The network here is built on tinygrad_lab, a small reverse-mode autograd engine "
              "on NumPy written for this lab: every operation records how to pass a gradient "
              "back to its inputs, and one backward walk applies the chain rule. Section 2.C "
              "derives the spec's backpropagation by hand and shows the code the engine runs "
              "for it; a gradient check confirms both."),
        ("p", "**Key results.** " + " ".join(say.lab_findings(main, short=True))
              + f" {say.gradcheck_findings(results['gradcheck'])[0]}"),
        ("list", say.key_findings(results["runs"])),
    ]


def setups(results, lab, figure):
    main = lab[MAIN, "linear"]["config"]
    hyper = [["hidden units (h1, h2)", f"({main['hidden'][0]}, {main['hidden'][1]})"],
             ["activation", f"{main['activation']} (every layer)"],
             ["weights", "standard normal, no bias"], ["optimizer", optimizer_label(main)],
             ["batch", "the full dataset per update"],
             ["stop", f"loss < ε = {main['epsilon']:g}, or {main['epochs']} epochs"],
             ["seed", "0 (data, weights and shuffling from one seed)"]]
    check = results["gradcheck"]
    check_rows = [[layer["name"], "×".join(map(str, layer["shape"])),
                   f"{layer['max_abs_error']:.2e}", f"{layer['max_relative_error']:.2e}"]
                  for layer in check["layers"]]
    return [
        ("h2", "Experiment setups", "sec-setups"),
        ("h3", "Sigmoid functions", "sec-sigmoid"),
        ("p", "The sigmoid squashes any real number into (0, 1); its derivative is a bell that "
              f"peaks at 0.25 at $x = 0$ and is below {SATURATED_SLOPE:g} once $|x| > "
              f"{SATURATED:g}$ (@fig-sigmoid), which matters for the wide network of Section "
              "4.B. The engine computes it as $e^x / (1 + e^x)$ with the input capped where "
              "exp would overflow, so large $|x|$ neither overflows nor returns NaN."),
        ("math", r"\sigma(x) = \frac{1}{1 + e^{-x}}", None),
        ("math", r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))", None),
        figure("sigmoid", f"The sigmoid and its derivative; shaded: σ' < {SATURATED_SLOPE:g}.",
               lambda: (sigmoid_figure,)),
        ("h3", "Neural network", "sec-network"),
        ("p", "Inputs $X$ ($n \\times 2$), two hidden layers of $h_1$ and $h_2$ sigmoid units and "
              "one sigmoid output, with no bias, as in the spec. The weights $W_1$ ($2 \\times "
              "h_1$), $W_2$ ($h_1 \\times h_2$) and $W_3$ ($h_2 \\times 1$) are drawn from a "
              "standard normal. A point is predicted as class 1 when $y > 0.5$."),
        ("math", r"Z_1 = \sigma(X W_1), \quad Z_2 = \sigma(Z_1 W_2), \quad y = \sigma(Z_2 W_3)",
         None),
        ("p", "The loss is the mean binary cross-entropy, with $\\hat{y}$ the ground truth. So "
              "that it stays finite when an output reaches 0 or 1 in floating point, the "
              "output is clipped to $[\\epsilon, 1 - \\epsilon]$ with $\\epsilon = 10^{-12}$ "
              "first (inside the interval the gradient is unchanged)."),
        ("math", r"L = -\frac{1}{n} \sum_{i=1}^{n} \left[\hat{y}_i \log \hat{p}_i + (1 - "
                 r"\hat{y}_i) \log (1 - \hat{p}_i)\right], \quad \hat{p} = \mathrm{clip}(y, "
                 r"\epsilon, 1 - \epsilon)", "eq-loss"),
        ("p", "The main run (Section 3) trains the spec's setting, @tab-hyperparameters. Each "
              "run derives three independent random streams from its seed (the linear data, "
              "the weights, the shuffling), so a run is reproducible on its own and variants "
              "with one seed start from the same data and weights. The studies of Section 4 "
              "change one setting at a time (@tab-budgets)."),
        ("table", ["setting", "value"], hyper, "The main run's hyperparameters (the spec's "
         "setting).", "tab-hyperparameters"),
        ("table", ["study", "variants", "optimizer", "epoch budget"], budget_rows(
            results["runs"]), "The studies of Section 4: what each varies and its budget.",
         "tab-budgets"),
        ("h3", "Backpropagation", "sec-backprop"),
        *backprop_derivation(),
        ("code", check["step_source"], "The training step of the lab network on XOR as "
         "`compile` writes it from the engine's ops: the forward pass, then the backward pass "
         "in the order the chain rule visits the nodes (p1, p4, p7 are W1, W2, W3).",
         "lst-step"),
        ("p", f"@tab-gradcheck compares the engine's gradient with central differences (step "
              f"{scientific(GRADCHECK_STEP)}) for every weight, as `tinygrad-lab gradcheck` "
              f"does. {say.gradcheck_findings(check)[0]}"),
        ("table", ["weights", "shape", "max abs error", "max relative error"], check_rows,
         "The gradient check of the spec's network.", "tab-gradcheck"),
    ]


def budget_rows(runs):
    """Per study: its variants, the optimizer they train with, and the epoch budget."""
    rows = []
    for study, groups in ((s, by_variant(runs, s.name)) for s in STUDY.values()):
        configs = [next(iter(group.values()))[0]["config"] for group in groups.values()]
        if "optimizer" in study.varies:
            optimizer = "as named"
        elif "learning_rate" in study.varies:
            optimizer = "SGD, lr as named"
        else:
            optimizer = "; ".join(sorted({optimizer_label(c) for c in configs}))
        budgets = sorted({c["epochs"] for c in configs})
        rows.append([study.title, "; ".join(v.label for v in groups), optimizer,
                     " / ".join(map(str, budgets))])
    return rows


def backprop_derivation():
    return [
        ("p", "Write $a_3 = Z_2 W_3$, $a_2 = Z_1 W_2$ and $a_1 = X W_1$ for the "
              "pre-activations. The chain rule, from the loss back to each weight matrix, is a "
              "product of local derivatives:"),
        ("math", r"\frac{\partial L}{\partial W_3} = \frac{\partial L}{\partial y} \cdot "
                 r"\frac{\partial y}{\partial a_3} \cdot \frac{\partial a_3}{\partial W_3}, "
                 r"\quad \frac{\partial L}{\partial W_2} = \frac{\partial L}{\partial y} \cdot "
                 r"\frac{\partial y}{\partial a_3} \cdot \frac{\partial a_3}{\partial Z_2} \cdot "
                 r"\frac{\partial Z_2}{\partial a_2} \cdot \frac{\partial a_2}{\partial W_2}",
         None),
        ("math", r"\frac{\partial L}{\partial W_1} = \frac{\partial L}{\partial y} \cdot "
                 r"\frac{\partial y}{\partial a_3} \cdot \frac{\partial a_3}{\partial Z_2} \cdot "
                 r"\frac{\partial Z_2}{\partial a_2} \cdot \frac{\partial a_2}{\partial Z_1} "
                 r"\cdot \frac{\partial Z_1}{\partial a_1} \cdot \frac{\partial a_1}{\partial "
                 r"W_1}", None),
        ("p", "For one sample, $\\partial L / \\partial y = (y - \\hat{y}) / (y (1 - y))$ and "
              "$\\partial y / \\partial a_3 = y (1 - y)$, so their product is simply $y - "
              "\\hat{y}$: the sigmoid's derivative cancels the cross-entropy's denominator. "
              "Averaged over the batch, and with $\\delta_k$ for the gradient with respect to "
              "$a_k$, each layer passes its $\\delta$ back through its weights ($\\delta W^T$) "
              "and multiplies it by the sigmoid's derivative element-wise ($\\odot$): the "
              "Jacobian of an element-wise function is diagonal, so the spec's matrix product "
              "becomes a Hadamard product."),
        ("math", r"\delta_3 = \frac{1}{n}(y - \hat{y}), \quad \frac{\partial L}{\partial W_3} = "
                 r"Z_2^{\top} \delta_3", "eq-delta3"),
        ("math", r"\delta_2 = (\delta_3 W_3^{\top}) \odot Z_2 \odot (1 - Z_2), \quad "
                 r"\frac{\partial L}{\partial W_2} = Z_1^{\top} \delta_2", None),
        ("math", r"\delta_1 = (\delta_2 W_2^{\top}) \odot Z_1 \odot (1 - Z_1), \quad "
                 r"\frac{\partial L}{\partial W_1} = X^{\top} \delta_1", None),
        ("math", r"W_k \leftarrow W_k - \eta \, \frac{\partial L}{\partial W_k}", None),
        ("p", "The engine does not hard-code these formulas. Each op of @lst-step has a "
              "backward that passes the gradient to its inputs (`matmul_backward` gives "
              "$Z_2^T \\delta_3$ for $W_3$ and $\\delta_3 W_3^T$ for the layer below, "
              "`sigmoid_backward` multiplies by $Z (1 - Z)$), and reading the backward lines "
              "bottom up gives exactly the three lines above (a test compares them to the "
              "hand-derived matrices to $10^{-10}$). The clip passes the gradient unchanged "
              "inside $[\\epsilon, 1 - \\epsilon]$, and the log and the products give "
              "$\\partial L / \\partial y$."),
    ]


def result_section(results, lab, trained, figure):
    def lab_figures(label, kind, caption):
        return [figure(f"{slug(label)}-{dataset}-{kind}", f"{TITLES[dataset]}, {label}: "
                       f"{caption}", lambda run=lab[label, dataset]: (
                           lab_figure, run, trained[figure_key(run)], kind))
                for dataset in ("linear", "xor")]

    rows = [[label, r["dataset"], optimizer_label(r["config"]), f"{r['accuracy']:.2f}",
             str(r["epochs_to_100"] or "—"), str(r["epochs_to_epsilon"] or "—"),
             f"{r['final_loss']:.4f}", f"{r['seconds']:.2f}"]
            for (label, _), r in lab.items()]
    main = [lab[MAIN, dataset] for dataset in ("linear", "xor")]
    return [
        ("h2", "Results of your testing", "sec-results"),
        ("p", f"The main run is the spec's setting (@tab-hyperparameters): (10,10) sigmoid "
              f"units, {optimizer_label(SPEC_CONFIG)}, full batch, ε = "
              f"{SPEC_CONFIG['epsilon']:g}, seed 0, on both datasets. The program's default "
              f"(what `tinygrad-lab lab` trains: {optimizer_label(lab[DEFAULT, 'xor']['config'])}"
              ") is a second run."),
        ("h3", "Screenshot and comparison figure", "sec-comparison"),
        ("p", "The training output in the spec's format (every few hundred epochs, then the "
              "test), for the main run:"),
        ("code", "\n\n".join(training_log(run) for run in main), "The main run's training "
         "log, excerpt.", "lst-log"),
        *lab_figures(MAIN, "comparison", "ground truth (left) and prediction (right)."),
        ("h3", "Show the accuracy of your prediction", "sec-accuracy"),
        ("table", ["run", "data", "optimizer", "accuracy", "epochs to 100%",
                   "epochs to loss < ε", "final loss", "seconds"], rows,
         "Accuracy of the trained networks on their data (seed 0).", "tab-accuracy"),
        *(("p", sentence) for sentence in say.lab_findings(list(lab.values()))),
        ("p", "The per-sample predictions of the main run (the probability of class 1 the "
              "trained network gives each point; predicted class 1 above 0.5): every XOR point "
              "in @tab-predictions-xor, and for the linear data the first points and every "
              "misclassified one in @tab-predictions-linear."),
        prediction_table(lab[MAIN, "xor"], "xor"),
        prediction_table(lab[MAIN, "linear"], "linear"),
        ("h3", "Learning curve (loss, epoch curve)", "sec-curves"),
        *lab_figures(MAIN, "learning-curve", "loss and accuracy per epoch."),
        *lab_figures(DEFAULT, "learning-curve", "loss and accuracy per epoch."),
        ("h3", "Anything you want to present", "sec-present"),
        ("p", "The probability of class 1 the trained main network gives over the whole plane; "
              "the black line is 0.5, the decision boundary. On the linear data it is close "
              "to the diagonal; on XOR it bends around the two diagonals."),
        *lab_figures(MAIN, "decision-boundary", "decision boundary."),
    ]


def slug(label):
    return label.replace(" ", "-")


def prediction_table(run, dataset, first=8):
    """The run's per-sample predictions: all of them for XOR, else the first ``first`` and every
    misclassified point."""
    points = run["points"]
    rows = []
    for index, ((x1, x2), label, p) in enumerate(zip(points["x"], points["label"],
                                                     points["probability"], strict=True)):
        predicted = int(p > 0.5)
        if dataset == "xor" or index < first or predicted != label:
            rows.append([str(index), f"{x1:.2f}", f"{x2:.2f}", str(label), f"{p:.6f}",
                         str(predicted), "yes" if predicted == label else "**no**"])
    wrong = sum(int(p > 0.5) != label for label, p in zip(points["label"], points["probability"],
                                                         strict=True))
    shown = "all points" if dataset == "xor" else f"the first {first} points and the " \
                                                  f"{wrong} misclassified"
    return ("table", ["#", "x1", "x2", "label", "probability", "predicted", "correct"], rows,
            f"Predictions of the main run on {TITLES[dataset]} ({shown}; {wrong} of "
            f"{len(points['label'])} wrong).", f"tab-predictions-{dataset}")


def training_log(run, lines=8):
    """The spec's training output for a run with a full curve, in about ``lines`` lines."""
    epochs, losses = run["curve"]["epoch"], run["curve"]["loss"]
    step = 10 ** max(0, math.floor(math.log10(max(len(epochs) / lines, 1))))
    while len(epochs) / step > lines:
        step *= 2
    shown = [e for e in epochs if e % step == 0 or e == epochs[-1]]
    text = [format_header(run["dataset"])]
    text += [format_log(e, losses[e - 1], run["curve"]["accuracy"][e - 1]) for e in shown]
    text.append(format_accuracy(run["accuracy"]))
    return "\n".join(text)


def initial_preactivations(trained):
    """{variant label: the wide network's last hidden pre-activations at init, linear data,
    seed 0}, for the init study's variants."""
    return {variant.label: trained["init", "linear", variant.key].preactivations[-1]
            for variant in STUDY["init"].variants}


def study_blocks(results, trained, figure, name):
    """One study's subsection body: its note, its table, what the runs say, its figure."""
    runs = results["runs"]
    study_runs = [r for r in runs if r["study"] == name]
    drawings = {
        "learning_rate": lambda: (curves_figure, study_runs, "learning_rate"),
        "hidden_units": lambda: (hidden_figure, study_runs),
        "init": lambda: (init_figure, study_runs, initial_preactivations(trained)),
        "activation": lambda: (activation_figure, study_runs, {
            (key, dataset): result for (study, dataset, key), result in trained.items()
            if study == "activation"}),
        "optimizer": lambda: (curves_figure, study_runs, "optimizer"),
        "batch_size": lambda: (curves_figure, study_runs, "batch_size"),
    }
    headers, rows = study_table(runs, name)
    return [("p", STUDY_NOTES[name]),
            ("table", headers, rows, f"{STUDY[name].title} ({STATISTICS}).", f"tab-{name}"),
            *(("p", sentence) for sentence in say.FINDINGS[name](runs)),
            figure(name, CAPTIONS[name], drawings[name])]


def discussion(results, trained, figure):
    blocks = [("h2", "Discussion", "sec-discussion"),
              ("p", f"Each study changes one setting and repeats every variant over "
                    f"{results['seeds']} seeds on both datasets (the (1000,1000) network's "
                    f"variants over at most {WIDE_SEEDS}: an epoch of it costs hundreds of "
                    "times more); its table gives, per variant and dataset, "
                    f"{STATISTICS}.")]
    for title, label, parts in SUBSECTIONS:
        blocks.append(("h3", title, label))
        for part in parts:
            if isinstance(part, str):
                blocks += study_blocks(results, trained, figure, part)
            else:
                blocks += [("p", text) for text in part(results["runs"])]
    return blocks + [
        ("p", "The engine shows the network it differentiates: @fig-graph is the graph of the "
              "lab network's loss on the XOR points as `tinygrad_lab.viz` draws it, from the "
              "inputs and weights at the top to the loss at the bottom. Each box is one op of "
              "@lst-step; the backward pass visits them bottom up."),
        figure("graph", "The lab network's graph: orange the weights, grey the inputs, blue "
               "the ops.", lambda: (graph_figure,)),
    ]


def conclusion(results, lab):
    return [("h2", "Conclusion", "sec-conclusion"),
            ("p", " ".join(say.lab_findings([lab[MAIN, d] for d in ("linear", "xor")],
                                            short=True)) + " " + CONCLUSION_NOTE),
            ("list", say.key_findings(results["runs"]))]

