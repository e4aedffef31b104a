"""The ``tinygrad-lab`` command line's arguments: the parser of every command, with its flags,
their defaults (from the lab's config) and the types that check their values."""

import argparse
import math
import os
import sys

from . import data, nn
from .lab.config import DEFAULT_LEARNING_RATES, LAB_CONFIG, LOG_EVERY, OPTIMIZERS, SPEC_CONFIG
from .version import __version__


class Parser(argparse.ArgumentParser):
    """argparse, but every error's last line reads ``tinygrad-lab: error: ...``."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"tinygrad-lab: error: {message}\n")


def bounded(convert, low, inclusive=False):
    """An argparse type: ``convert(text)``, finite and above ``low`` (or equal, if inclusive)."""
    what = f"{'an integer' if convert is int else 'a number'} {'>=' if inclusive else '>'} {low}"

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not (math.isfinite(value) and (value >= low if inclusive else value > low)):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return parse


positive_int = bounded(int, 0)
positive_float = bounded(float, 0)
non_negative_int = bounded(int, 0, inclusive=True)
non_negative_float = bounded(float, 0, inclusive=True)


def add_training_options(parser):
    """The training flags, with the lab's defaults (``LAB_CONFIG``)."""
    lab, rates = LAB_CONFIG, DEFAULT_LEARNING_RATES
    parser.add_argument("--hidden", type=positive_int, nargs="+", default=list(lab["hidden"]),
                        metavar="H", help="hidden layer sizes (default: "
                        f"{' '.join(map(str, lab['hidden']))})")
    parser.add_argument("--activation", choices=nn.ACTIVATIONS, default=lab["activation"],
                        help=f"hidden activation (default: {lab['activation']})")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=lab["optimizer"],
                        help=f"default: {lab['optimizer']} (the spec's is "
                             f"{SPEC_CONFIG['optimizer']})")
    parser.add_argument("--lr", type=positive_float, default=None,
                        help=f"learning rate (default: {rates['adam']:g} for adam and momentum, "
                             f"{rates['sgd']:g} for sgd)")
    parser.add_argument("--epochs", type=positive_int, default=lab["epochs"],
                        help=f"most epochs to train (default: {lab['epochs']})")
    parser.add_argument("--epsilon", type=non_negative_float, default=lab["epsilon"],
                        help="stop when the epoch loss is below this; 0 never stops early "
                             f"(default: {lab['epsilon']:g})")
    parser.add_argument("--batch-size", type=positive_int, default=lab["batch_size"],
                        help="samples per step (default: all; 1 is the spec's per-sample loop)")
    parser.add_argument("--init", choices=nn.INITS, default=lab["init"],
                        help=f"weight initialisation (default: {lab['init']}, as in the spec)")
    parser.add_argument("--bias", action="store_true", help="give the layers a bias")
    parser.add_argument("--log-every", type=positive_int, default=LOG_EVERY, metavar="K",
                        help=f"print a training line every K epochs (default: {LOG_EVERY})")
    parser.add_argument("--compile", action="store_true",
                        help="record the training step once and replay it (tinygrad_lab.compile):"
                             " the same results, in less time")


def add_data_options(parser, required=True):
    source = parser.add_mutually_exclusive_group(required=required)
    source.add_argument("--dataset", choices=data.DATASETS, help="one of the lab's datasets")
    source.add_argument("--data", metavar="FILE.csv",
                        help="your own data: a header row, feature columns, the 0/1 label last")
    add_samples(parser)


def add_samples(parser):
    parser.add_argument("--samples", type=positive_int, default=data.LINEAR_SIZE,
                        help=f"points in the linear dataset (default: {data.LINEAR_SIZE})")


def add_seed(parser):
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seed for data, weights and shuffling (default: 0)")


def build_parser():
    parser = Parser(prog="tinygrad-lab", description="A small reverse-mode autograd engine on "
                    "NumPy, and the backpropagation lab (two hidden layers, linear and XOR data).")
    parser.add_argument("--version", action="version", version=f"tinygrad-lab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    lab = commands.add_parser("lab", help="run the whole lab: train on linear and XOR, test, "
                              "write the figures")
    add_seed(lab)
    lab.add_argument("--out", default="lab-output", help="folder for the figures "
                     "(default: ./lab-output)")
    add_training_options(lab)
    add_samples(lab)
    lab.set_defaults(data=None)

    train = commands.add_parser("train", help="one training run on a dataset or your CSV file")
    add_data_options(train)
    add_training_options(train)
    add_seed(train)
    train.add_argument("--out", help="folder to write the figures to (default: none)")
    train.add_argument("--save", metavar="WEIGHTS.npz", help="save the trained model")
    train.add_argument("--show", action="store_true", help="show the comparison in a window")

    predict_parser = commands.add_parser("predict", help="predictions and accuracy of a saved "
                                         "model")
    predict_parser.add_argument("--weights", required=True, metavar="WEIGHTS.npz")
    add_data_options(predict_parser)
    add_seed(predict_parser)

    check = commands.add_parser("gradcheck", help="check the lab network's gradients against "
                                "finite differences")
    check.add_argument("--hidden", type=positive_int, nargs="+",
                       default=list(SPEC_CONFIG["hidden"]), metavar="H")
    check.add_argument("--activation", choices=nn.ACTIVATIONS, default=SPEC_CONFIG["activation"])
    check.add_argument("--samples", type=positive_int, default=data.LINEAR_SIZE)
    add_seed(check)

    graph = commands.add_parser(
        "graph", help="the lab network's graph for one batch: draw it, write its DOT source, and "
        "explain its backward pass", description="Build the lab network's loss on a whole "
        "dataset, run backward, draw the graph (--out) and write its Graphviz source (--dot), "
        "then print the backward pass node by node, loss first.")
    graph.add_argument("--dataset", choices=data.DATASETS, default="linear",
                       help="one of the lab's datasets (default: linear)")
    graph.add_argument("--out", default="graph.png", metavar="PNG",
                       help="the drawing (default: graph.png)")
    graph.add_argument("--dot", default="graph.dot", metavar="DOT",
                       help="the Graphviz source (default: graph.dot)")
    add_seed(graph)
    graph.set_defaults(data=None, samples=data.LINEAR_SIZE)

    add_report_commands(commands)
    return parser




def add_report_commands(commands):
    """``report`` (run the studies, or re-render from results.json) and ``submit``."""
    report = commands.add_parser(
        "report", help="run every Discussion study and write report.md, report.typ, report.pdf, "
        "results.json and the figures", description="Run every study and write the report "
        "folder, which replaces the old one only once it is complete (Ctrl-C leaves it as it "
        "was); or, with --from, render the documents again from a saved results.json.")
    report.add_argument("--out", default=None, help="folder to write (default: ./report; with "
                        "--from, the results' folder)")
    report.add_argument("--quick", action="store_true", help="fewer seeds and epochs: the whole "
                        "report in well under a minute")
    report.add_argument("--seeds", type=positive_int, default=None, metavar="K",
                        help="seeds per variant and dataset (default: 5, 2 with --quick)")
    report.add_argument("--jobs", type=positive_int, default=None, metavar="J",
                        help="worker processes (default: the number of cores, "
                        f"{os.cpu_count() or 1} here); the results do not depend on it")
    report.add_argument("--author", default=None, metavar="NAME",
                        help="the author's name on the title (default: none, or the stored one)")
    report.add_argument("--student-id", default=None, metavar="ID",
                        help="the student ID on the title (default: none, or the stored one)")
    report.add_argument("--from", dest="results", default=None, metavar="RESULTS.json",
                        help="train nothing: write report.md, report.typ and report.pdf again "
                        "from this results.json and the figures beside it")

    submit = commands.add_parser(
        "submit", help="zip report.pdf and the source code as DLP_LAB1_<ID>_<NAME>.zip",
        description="Write DLP_LAB1_<ID>_<NAME>.zip: report.pdf, the package's .py files, "
        "demos/, README.md and pyproject.toml.")
    submit.add_argument("--student-id", required=True, metavar="ID")
    submit.add_argument("--name", required=True, metavar="NAME")
    submit.add_argument("--report", default="report", metavar="DIR",
                        help="the report folder holding report.pdf (default: ./report)")
    submit.add_argument("--out", default=".", metavar="FOLDER",
                        help="folder to write the zip into (default: the current folder)")
