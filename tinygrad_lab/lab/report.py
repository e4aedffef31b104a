"""The lab report's content: ``document(results, trained, schedule)`` builds it as blocks.

The report is built once as a list of blocks (see ``document``): headings, paragraphs, formulas,
tables and figures, rendered as Markdown and as Typst (compiled to the PDF), so the two say the
same thing; every sentence that states a result comes from ``findings``. The figures
(``figures``) are drawn by ``build``, in the worker processes, from what the runs returned.
"""

import math

from ..data import LINEAR_SIZE, XOR_SIZE
from ..train import format_accuracy, format_header, format_log
from . import findings as say
from .config import (
    GRADCHECK_STEP,
    MOMENTUM,
    MOMENTUM_LEARNING_RATE,
    SATURATED,
    SATURATED_SLOPE,
    SPEC_CONFIG,
)
from .figures import (
    TITLES,
    activation_figure,
    curves_figure,
    figure_path,
    gradcheck_figure,
    hidden_figure,
    init_figure,
    lab_figure,
    sigmoid_figure,
)
from .studies import ADAM, STUDIES, STUDY, spec_key
from .tables import all_runs, by_variant, group_of, reach, scientific, study_table

LAB_KEY = ()  # the key of a Results-section run, which belongs to no study
# The runs whose model, data and pre-activations the figures need: (study, seed, dataset or None
# for both).
FIGURE_RUNS = (("lab", 0, None), ("activation", 0, None), ("init", 0, "linear"))


def figure_key(run):
    """(study, dataset, variant key) of a run or spec: how the figures find what it returned."""
    key = LAB_KEY if run["study"] == "lab" else STUDY[run["study"]].key_of(run["config"])
    return run["study"], run["dataset"], key


# ---- the document ---------------------------------------------------------------------------

SECTION_LETTERS = {"learning_rate": "A", "hidden_units": "B", "init": "B2", "activation": "C",
                   "optimizer": "D1", "batch_size": "D2"}
STUDY_NOTES = {
    "learning_rate": "Plain SGD on the spec's network (section 2.B) with six learning rates.",
    "hidden_units": f"SGD at lr {SPEC_CONFIG['learning_rate']:g} with one to a thousand units per "
                    "hidden layer. A (1000,1000) "
                    "step costs about a hundred (10,10) steps, so that network gets a far "
                    "smaller epoch budget (see the budgets in section 2.B).",
    "init": "Why does the (1000,1000) network predict nothing? Each unit of its second layer sums "
            "1000 sigmoid outputs in (0, 1) with standard-normal weights, so its pre-activation "
            "has a standard deviation of about sqrt(Σ z²), tens rather than about one: most "
            "units sit on the sigmoid's flat tails, where σ' ≈ 0, output 0 or 1 and barely "
            "learn. The output sums 1000 such values with standard-normal weights too, so the "
            "untrained network is already sure of every answer, right or wrong, and a plain SGD "
            "step, which moves every output logit by about lr · Σ z² · mean(y − ŷ), is far too "
            "large for it. Weights scaled by 1/sqrt(fan_in) ('lecun') keep every pre-activation "
            "near unit size. The study trains the wide network with both inits, with the spec's "
            "SGD and with Adam (whose steps are about lr per weight, however large the "
            "gradient).",
    "activation": f"Adam at lr {ADAM['learning_rate']:g} (which lets every variant that can fit "
                  "a dataset fit it within the budget) with four hidden activations; the output "
                  "stays a sigmoid.",
    "optimizer": f"The spec's network with plain SGD (lr {SPEC_CONFIG['learning_rate']:g}), SGD "
                 f"with momentum {MOMENTUM:g} (lr {MOMENTUM_LEARNING_RATE:g}) and Adam "
                 f"(lr {ADAM['learning_rate']:g}).",
    "batch_size": f"SGD at lr {SPEC_CONFIG['learning_rate']:g} with one sample per update (the "
                  "spec's pseudocode), 16 (shuffled each epoch) and the whole set.",
}
CAPTIONS = {
    "learning_rate": "Loss per epoch, every seed (seed 0 darker); dashed: ε.",
    "hidden_units": "Loss per epoch for each width, and what an epoch costs.",
    "init": "Left: the wide network's second-layer pre-activations at init. Middle and right: "
            "loss per epoch.",
    "activation": "Decision boundaries after training (seed 0); black line: p = 0.5.",
    "optimizer": "Loss per epoch, every seed; dashed: ε.",
    "batch_size": "Loss per epoch (the mean over the epoch's updates), every seed.",
}


def document(results, trained, schedule):
    """The report as blocks, from results.json's ``results`` and what the runs returned
    (``trained``: see ``collect``). ``schedule(name, function, *arguments)`` is called for each
    figure: the caller draws ``function(*arguments)`` to figures/name.png."""
    runs = results["runs"]

    def figure(name, caption, function, *arguments):
        # The arguments are worked out only when the figure is drawn: re-rendering from
        # results.json (``trained`` None) draws none.
        schedule(name, lambda: (function, *arguments))
        return ("figure", figure_path(name), caption)

    blocks = [("title", "Lab 1: back-propagation — report"),
              ("p", f"Written by `tinygrad-lab report{' --quick' if results['quick'] else ''}` "
                    f"(tinygrad_lab {results['version']}, NumPy {results['numpy']}) from "
                    f"{len(runs)} training runs, {results['seeds']} seeds per setting. Every "
                    "number below comes from results.json, and every sentence that states a "
                    "result is computed from it.")]
    blocks += introduction()
    blocks += setups(runs, figure)
    blocks += result_section(results, trained, figure)
    blocks += discussion(results, trained, figure)
    return blocks


def introduction():
    return [
        ("h2", "1. Introduction"),
        ("p", "The lab trains a network with two hidden layers by backpropagation, using only "
              f"NumPy, on two datasets: {LINEAR_SIZE} points drawn uniformly from the unit "
              "square and labelled by the side of the diagonal x1 = x2 they fall on (a linear "
              f"split), and the {XOR_SIZE} 'easy XOR' points, where the diagonal is class 0 and "
              "the anti-diagonal "
              "class 1 (no straight line separates them). Here the gradients come from "
              "tinygrad_lab, a small reverse-mode autograd engine on NumPy; a test checks them "
              "against the spec's hand-derived backpropagation."),
        ("p", "Section 3 shows the lab's network trained on both datasets. Section 4 runs the "
              "discussion's experiments as controlled studies: each changes one setting (learning "
              "rate, hidden units, initialisation, activation, optimizer, batch size), repeats "
              "every variant over several seeds on both datasets, and reports mean and spread; "
              "it ends with a gradient check of the network."),
    ]


def budget_rows(runs):
    """Per study: its variants and its epoch budget (with the variants that differ)."""
    rows = []
    for study in STUDIES:
        epochs = {}
        for variant, group in by_variant(runs, study.name).items():
            epochs.setdefault(all_runs(group)[0]["config"]["epochs"], []).append(variant.label)
        usual = max(epochs, key=lambda e: len(epochs[e]))
        others = "; ".join(f"{', '.join(labels)}: {e}" for e, labels in epochs.items()
                           if e != usual)
        rows.append([study.title, "; ".join(variant.label for variant in study.variants),
                     f"{usual}" + (f" ({others})" if others else "")])
    return rows


def setups(runs, figure):
    return [
        ("h2", "2. Experiment setups"),
        ("h3", "A. Sigmoid functions"),
        ("p", "The sigmoid squashes any real number into (0, 1); its derivative is a bell that "
              f"peaks at 0.25 at x = 0 and is below {SATURATED_SLOPE:g} once |x| > "
              f"{SATURATED:g}, which matters for the wide network of section 4.B. The engine "
              "computes it in a numerically stable form, so large |x| neither overflows nor "
              "returns NaN."),
        ("math", r"\sigma(x) = \frac{1}{1 + e^{-x}}"),
        ("math", r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))"),
        figure("sigmoid", f"The sigmoid and its derivative; shaded: σ' < {SATURATED_SLOPE:g}.",
               sigmoid_figure),
        ("h3", "B. Neural network"),
        ("p", "Inputs X (n × 2), two hidden layers of h1 and h2 units and one output, with no "
              "bias, as in the spec. The weights W1 (2 × h1), W2 (h1 × h2) and W3 (h2 × 1) are "
              "drawn from a standard normal unless a study says otherwise. The loss is the mean "
              "binary cross-entropy, with ŷ the ground truth as in the spec; a point is "
              "predicted as class 1 when y > 0.5. Training stops at the epoch budget or when the "
              f"epoch's loss falls below ε = {SPEC_CONFIG['epsilon']:g}."),
        ("math", r"Z_1 = \sigma(X W_1), \quad Z_2 = \sigma(Z_1 W_2), \quad y = \sigma(Z_2 W_3)"),
        ("math", r"L = -\frac{1}{n} \sum_{i=1}^{n} \left[\hat{y}_i \log y_i + (1 - \hat{y}_i)"
                 r" \log (1 - y_i)\right]"),
        ("p", "Each run derives three independent random streams from its seed: one draws the "
              "linear data, one the weights, one the shuffling. So a run is reproducible on its "
              "own, and variants with the same seed start from the same data and weights. The "
              "studies and their epoch budgets:"),
        ("table", ["study", "variants", "epoch budget"], budget_rows(runs)),
        ("h3", "C. Backpropagation"),
        ("p", "With δ for the gradient of the loss with respect to a layer's pre-activation, the "
              "chain rule gives, from the output back (⊙ is the element-wise product):"),
        ("math", r"\delta_3 = \frac{\partial L}{\partial (Z_2 W_3)} = \frac{1}{n}(y - \hat{y}),"
                 r" \quad \frac{\partial L}{\partial W_3} = Z_2^{\top} \delta_3"),
        ("math", r"\delta_2 = (\delta_3 W_3^{\top}) \odot Z_2 \odot (1 - Z_2), \quad "
                 r"\frac{\partial L}{\partial W_2} = Z_1^{\top} \delta_2"),
        ("math", r"\delta_1 = (\delta_2 W_2^{\top}) \odot Z_1 \odot (1 - Z_1), \quad "
                 r"\frac{\partial L}{\partial W_1} = X^{\top} \delta_1"),
        ("math", r"W_k \leftarrow W_k - \eta \, \frac{\partial L}{\partial W_k}"),
        ("p", "The engine does not hard-code these: every operation records how to push a "
              "gradient to its inputs, and backward() walks the graph in reverse. For the lab's "
              "network it produces exactly the matrices above (tests/test_lab_gradient.py "
              "compares them to 1e-10), and section 4.D3 checks them against finite "
              "differences. Momentum and Adam replace the last line's update."),
    ]


def result_section(results, trained, figure):
    lab = results["lab"]
    config = lab[0]["config"]
    spec_sgd = group_of(by_variant(results["runs"], "optimizer"), "optimizer",
                        spec_key("optimizer"))
    rows = [[r["dataset"], f"{r['accuracy']:.2f}", str(r["epochs_to_100"] or "—"),
             str(r["epochs_to_epsilon"] or "—"), f"{r['final_loss']:.4f}", f"{r['seconds']:.2f}"]
            for r in lab]

    def lab_figures(kind, caption):
        return [figure(f"lab-{run['dataset']}-{kind}", f"{TITLES[run['dataset']]}: {caption}",
                       lab_figure, run, trained[figure_key(run)], kind)
                for run in lab]

    return [
        ("h2", "3. Results of your testing"),
        ("p", f"`tinygrad-lab lab` with its defaults: the spec's (10,10) sigmoid network, "
              f"{config['optimizer']} at lr {config['learning_rate']:g}, full batch, at most "
              f"{config['epochs']} epochs, ε = {config['epsilon']:g}, seed 0. (The spec's plain "
              f"SGD at lr {SPEC_CONFIG['learning_rate']:g} reached 100% on XOR "
              f"{reach(spec_sgd['xor'])} in section 4.D1.)"),
        ("h3", "A. Comparison figures"),
        *lab_figures("comparison", "ground truth and prediction."),
        ("h3", "B. Accuracy"),
        ("table", ["data", "accuracy", "epochs to 100%", "epochs to loss < ε", "final loss",
                   "seconds"], rows),
        *(("p", sentence) for sentence in say.lab_findings(lab)),
        *(("code", training_log(run)) for run in lab),
        ("h3", "C. Learning curves"),
        *lab_figures("learning-curve", "loss and accuracy per epoch."),
        ("h3", "D. Decision boundaries"),
        ("p", "The probability the trained network gives class 1 over the plane; the black "
              "line is 0.5."),
        *lab_figures("decision-boundary", "decision boundary."),
    ]


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
    """{init: the wide network's last hidden pre-activations at init, linear data, seed 0}, in
    the order of the init study's variants (the first variant with each init)."""
    values = {}
    for variant in STUDY["init"].variants:
        init = {**STUDY["init"].base, **variant.overrides}["init"]
        values.setdefault(init, trained["init", "linear", variant.key].preactivations[-1])
    return values


def discussion(results, trained, figure):
    runs = results["runs"]
    study_runs = {study.name: [r for r in runs if r["study"] == study.name]
                  for study in STUDIES}
    activation_trained = {(key, dataset): result
                          for (study, dataset, key), result in trained.items()
                          if study == "activation"}
    drawings = {
        "learning_rate": (curves_figure, study_runs["learning_rate"], "learning_rate"),
        "hidden_units": (hidden_figure, study_runs["hidden_units"]),
        "init": (init_figure, study_runs["init"], initial_preactivations(trained)),
        "activation": (activation_figure, study_runs["activation"], activation_trained),
        "optimizer": (curves_figure, study_runs["optimizer"], "optimizer"),
        "batch_size": (curves_figure, study_runs["batch_size"], "batch_size"),
    }
    blocks = [("h2", "4. Discussion"),
              ("p", "Tables give the mean ± standard deviation over seeds, or the median (min–max) "
                    "over the seeds that got there; 'epochs to 100%' is the first epoch whose "
                    "training accuracy was 100%.")]
    for index, study in enumerate(STUDIES):
        headers, rows = study_table(runs, study.name)
        blocks += [("h3", f"{SECTION_LETTERS[study.name]}. {study.title}", index > 0),
                   ("p", STUDY_NOTES[study.name]),
                   ("table", headers, rows),
                   *(("p", sentence) for sentence in say.FINDINGS[study.name](runs)),
                   figure(study.name, CAPTIONS[study.name], *drawings[study.name])]
    check = results["gradcheck"]
    rows = [[layer["name"], "×".join(map(str, layer["shape"])), f"{layer['max_abs_error']:.2e}",
             f"{layer['max_relative_error']:.2e}"] for layer in check["layers"]]
    return blocks + [
        ("h3", "D3. Gradient check", True),
        ("p", f"The engine's gradient of the loss of the lab's network (seed {check['seed']}) "
              f"against central differences (step {scientific(GRADCHECK_STEP)}) for every "
              "weight, as "
              "`tinygrad-lab gradcheck` does."),
        ("table", ["weights", "shape", "max abs error", "max relative error"], rows),
        *(("p", sentence) for sentence in say.gradcheck_findings(check)),
        figure("gradcheck", "Largest relative error per weight matrix.", gradcheck_figure, check),
    ]
