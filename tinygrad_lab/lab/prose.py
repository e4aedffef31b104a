"""The report's fixed text: what each study does, the figure captions, the Discussion's
subsections (in the spec's order), the conclusion's closing note and the references.

Sentences that state a result are not here: they are computed from the runs in ``findings``.
"""

from . import findings as say
from .config import MOMENTUM, MOMENTUM_LEARNING_RATE, SATURATED, SPEC_CONFIG
from .studies import ADAM, HIDDEN_BUDGET, WIDE_RATE, optimizer_label

SPEC_SGD = optimizer_label(SPEC_CONFIG)
LAB_ADAM = optimizer_label({**SPEC_CONFIG, **ADAM})

STUDY_NOTES = {
    "learning_rate": "Plain SGD on the spec's network (Section 2.B) with six learning rates, "
                     "every other setting as in the main run.",
    "hidden_units": f"One to a thousand units per hidden layer, every width with the same "
                    f"budget of {HIDDEN_BUDGET[0]} epochs and {LAB_ADAM} (with which the small "
                    "widths reach 100% well within that budget, so the comparison concludes); "
                    "the cost of an epoch is in the table and in the figure's right panel.",
    "init": f"The widest network again, with Adam at lr {WIDE_RATE:g} (an Adam step moves each "
            "of a unit's 1000 incoming weights by about lr, so its pre-activation by up to "
            "1000 lr: a rate for this width), from standard-normal weights and from weights "
            "scaled by $1/\\sqrt{n_{in}}$ (each layer's weights divided by the square root of "
            "its number of inputs).",
    "activation": f"{LAB_ADAM} (which lets every variant that can fit a dataset fit it within "
                  "the budget) with four hidden activations; the output stays a sigmoid.",
    "optimizer": f"The spec's network with plain {SPEC_SGD}, SGD with heavy-ball momentum "
                 f"{MOMENTUM:g} at lr {MOMENTUM_LEARNING_RATE:g} (momentum makes a steady step "
                 f"about {1 / (1 - MOMENTUM):.0f} times longer, so it takes a smaller rate) and "
                 f"{LAB_ADAM}.",
    "batch_size": f"{SPEC_SGD} with one sample per update (the spec's pseudocode), 16 "
                  "(shuffled each epoch) and the whole set.",
}
CAPTIONS = {
    "learning_rate": "Loss per epoch at each learning rate, every seed (seed 0 darker); "
                     "dashed: ε.",
    "hidden_units": "Loss per epoch for each width (same budget), and what an epoch costs.",
    "init": "Left: the wide network's second-layer pre-activations at init, linear data, seed "
            "0 (legend: their standard deviation, the mean over the runs on the linear data, "
            "as in the table). Middle and right: loss per epoch.",
    "activation": "Decision boundaries after training (seed 0); black line: p = 0.5.",
    "optimizer": "Loss per epoch with each optimizer, every seed; dashed: ε.",
    "batch_size": "Loss per epoch (the mean over the epoch's updates), every seed.",
}


def learning_rate_explanation(runs):
    return [
        "Why do large rates do well here? The gradient that reaches the weights is small: the "
        "output's δ is $(y - \\hat{y})/n$, and every sigmoid layer below multiplies it by "
        "$\\sigma' \\le 0.25$ and by weights of about unit size, so a rate of 0.3 moves the "
        "weights of the first layer by a tiny step. A larger rate takes larger steps along "
        "the same directions, and on these two small, smooth problems that is faster. What a "
        "too-large rate costs shows in the curves (and in the 'loss rise' column): the loss "
        "no longer falls at every epoch but jumps up and down, because a step overshoots the "
        "valley it was going down.",
    ]


def constant_classifier(runs):
    return [
        "Why is (1,1) a constant classifier? With one unit per hidden layer and no bias, "
        "$Z_2 = \\sigma(w_2\\,\\sigma(X w_1))$ is a number in (0, 1), always positive, so the "
        "output's pre-activation $w_3 Z_2$ has the sign of $w_3$ for every input: $y > 0.5$ "
        "for every point or for none. The network predicts one class for the whole plane, "
        "whatever it learns; its accuracy is the share of that class.",
        *say.constant_classifier_findings(runs),
    ]


def saturation(runs):
    return [
        f"Why does the (1000,1000) network with standard-normal weights learn badly? Each unit "
        f"of its second layer sums 1000 sigmoid outputs in (0, 1) with standard-normal "
        f"weights, so its pre-activation has a standard deviation of about "
        f"$\\sqrt{{\\sum_j z_j^2}}$, tens rather than about one: most units sit on the "
        f"sigmoid's flat tails beyond ±{SATURATED:g}, output 0 or 1 and barely learn, and the "
        f"output, a sum of 1000 such values, is far too sure of itself at the start. Scaling "
        f"the weights by $1/\\sqrt{{n_{{in}}}}$ keeps every pre-activation near unit size. The "
        f"init study below trains the wide network both ways, at a rate suited to its width.",
    ]


# The Discussion's subsections, as the spec names them: (title, label, parts), each part a
# study's name (its note, table, findings and figure) or a function of the runs giving
# paragraphs.
SUBSECTIONS = (
    ("Try different learning rates", "sec-learning-rate",
     ("learning_rate", learning_rate_explanation)),
    ("Try different numbers of hidden units", "sec-hidden-units",
     ("hidden_units", constant_classifier, saturation, "init")),
    ("Try without activation functions", "sec-activation", ("activation",)),
    ("Anything you want to share", "sec-share", ("optimizer", "batch_size")),
)

CONCLUSION_NOTE = (
    "Backpropagation here is the chain rule applied once per op, from the loss back: the "
    "engine's gradients are the hand-derived formulas of Section 2.C, and agree with finite "
    "differences. What the studies of Section 4 found, in short:")

REFERENCES = (
    "Logistic regression: http://www.bogotobogo.com/python/scikit-learn/logistic_regression.php",
    "Python tutorial: https://docs.python.org/3/tutorial/",
    "NumPy tutorial: https://www.tutorialspoint.com/numpy/index.htm",
    "Python Standard Library: https://docs.python.org/3/library/index.html",
    "Hung-yi Lee, Backpropagation: http://speech.ee.ntu.edu.tw/~tlkagk/courses/ML_2016/Lecture/"
    "BP.pdf",
    "Sigmoid function: https://en.wikipedia.org/wiki/Sigmoid_function",
    "Backpropagation: https://en.wikipedia.org/wiki/Backpropagation",
)
