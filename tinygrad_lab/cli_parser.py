"""The ``tinygrad-lab`` command line's arguments: the parser of every command, with its flags,
their defaults (from the lab's config) and the types that check their values."""

import argparse
import math
import os
import sys

from . import data, nn
from .lab.config import (
    DATASET_CONFIGS,
    DEFAULT_LEARNING_RATES,
    LAB_CONFIG,
    LOG_EVERY,
    OPTIMIZERS,
    SPEC_CONFIG,
)
from .version import __version__


class Parser(argparse.ArgumentParser):
    """argparse, but every error's last line reads ``tinygrad-lab: error: ...``."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(2, f"tinygrad-lab: error: {message}\n")

    def parse_known_args(self, args=None, namespace=None):
        """argparse's; then, for a command that trains, the training flags left out take the
        defaults of the run's dataset (``fill_training_defaults``)."""
        namespace, extras = super().parse_known_args(args, namespace)
        if getattr(namespace, "fill_defaults", False):
            fill_training_defaults(namespace)
        return namespace, extras


# What `graph` writes when neither --out nor --dot names a file: the drawing and the DOT source.
GRAPH_FILES = ("graph.png", "graph.dot")

# The flags whose default depends on the dataset (the learning rate's is resolved apart).
DATASET_FLAGS = ("samples", "hidden", "activation", "bias", "init", "optimizer", "epochs",
                 "epsilon", "batch_size", "test_fraction")


def training_defaults(dataset):
    """The defaults of a run on ``dataset`` (None for the user's CSV file), keyed as
    DATASET_CONFIGS: that dict's entry for the datasets beyond the lab's, else LAB_CONFIG with
    the lab's LINEAR_SIZE points, no bias and no held-out part."""
    if dataset in DATASET_CONFIGS:
        return DATASET_CONFIGS[dataset]
    return {**LAB_CONFIG, "samples": data.LINEAR_SIZE, "bias": False, "test_fraction": None}


def fill_training_defaults(args):
    """Give each of DATASET_FLAGS that ``args`` has but the user left out (None) its dataset's
    default; for the datasets of DATASET_CONFIGS, ``lr`` too when the optimizer is the
    dataset's own (else ``lr`` stays None: the optimizer's DEFAULT_LEARNING_RATES). The flags so
    filled are listed in ``args.defaulted``. Returns ``args``."""
    dataset = getattr(args, "dataset", None)
    defaults = training_defaults(dataset)
    filled = [flag for flag in DATASET_FLAGS if hasattr(args, flag) and getattr(args, flag) is None]
    for flag in filled:
        value = defaults[flag]
        setattr(args, flag, list(value) if isinstance(value, list) else value)
    # The command's parser fills them, then the main parser's call finds none left to fill.
    args.defaulted = [*getattr(args, "defaulted", []), *filled]
    if dataset in DATASET_CONFIGS and getattr(args, "lr", False) is None \
            and args.optimizer == defaults["optimizer"]:
        args.lr = defaults["learning_rate"]
    return args


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
class_count = bounded(int, 2, inclusive=True)
positive_float = bounded(float, 0)
non_negative_int = bounded(int, 0, inclusive=True)
non_negative_float = bounded(float, 0, inclusive=True)


def fraction(text):
    """An argparse type: a number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1 (both "
                                         f"excluded), got {text!r}")
    return value


def dataset_defaults_help():
    """The help's closing lines: each of DATASET_CONFIGS' defaults."""
    lines = ["defaults for spiral, moons and circles (the lab's for linear, xor and CSV files):"]
    for name, config in DATASET_CONFIGS.items():
        lines.append(f"  {name + ':':9} samples={config['samples']} hidden="
                     f"{' '.join(map(str, config['hidden']))} activation={config['activation']} "
                     f"bias={config['bias']} init={config['init']}")
        lines.append(f"{'':12}optimizer={config['optimizer']} lr={config['learning_rate']:g} "
                     f"epochs={config['epochs']} epsilon={config['epsilon']:g} "
                     f"test-fraction={config['test_fraction']:g}")
    return "\n".join(lines)


def add_training_options(parser):
    """The training flags, with the lab's defaults (``LAB_CONFIG``) for the lab's datasets and
    CSV files, DATASET_CONFIGS' for the others (filled in by ``fill_training_defaults``)."""
    lab, rates = LAB_CONFIG, DEFAULT_LEARNING_RATES
    parser.set_defaults(fill_defaults=True)
    parser.add_argument("--hidden", type=positive_int, nargs="+", default=None,
                        metavar="H", help="hidden layer sizes (default: "
                        f"{' '.join(map(str, lab['hidden']))})")
    parser.add_argument("--activation", choices=nn.ACTIVATIONS, default=None,
                        help=f"hidden activation (default: {lab['activation']})")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default=None,
                        help=f"default: {lab['optimizer']} (the spec's is "
                             f"{SPEC_CONFIG['optimizer']})")
    parser.add_argument("--lr", type=positive_float, default=None,
                        help=f"learning rate (default: {rates['adam']:g} for adam and momentum, "
                             f"{rates['sgd']:g} for sgd)")
    parser.add_argument("--epochs", type=positive_int, default=None,
                        help=f"most epochs to train (default: {lab['epochs']})")
    parser.add_argument("--epsilon", type=non_negative_float, default=None,
                        help="stop when the epoch loss is below this; 0 never stops early "
                             f"(default: {lab['epsilon']:g})")
    parser.add_argument("--batch-size", type=positive_int, default=None,
                        help="samples per step (default: all; 1 is the spec's per-sample loop)")
    parser.add_argument("--init", choices=nn.INITS, default=None,
                        help=f"weight initialisation (default: {lab['init']}, as in the spec)")
    parser.add_argument("--bias", action=argparse.BooleanOptionalAction, default=None,
                        help="give the layers a bias (default: no bias)")
    parser.add_argument("--log-every", type=positive_int, default=LOG_EVERY, metavar="K",
                        help=f"print a training line every K epochs (default: {LOG_EVERY})")
    parser.add_argument("--compile", action="store_true",
                        help="record the training step once and replay it (tinygrad_lab.compile):"
                             " the same results, in less time")


def add_data_options(parser, required=True):
    source = parser.add_mutually_exclusive_group(required=required)
    source.add_argument("--dataset", choices=data.NAMED_DATASETS,
                        help="the lab's linear or xor, or spiral, moons, circles")
    source.add_argument("--data", metavar="FILE.csv",
                        help="your own data: a header row, feature columns, the label (a class "
                        "0..K-1) last")
    add_samples(parser)
    add_classes(parser)


def add_samples(parser):
    parser.add_argument("--samples", type=positive_int, default=None,
                        help=f"points in the dataset (default: {data.LINEAR_SIZE} for linear, "
                        + ", ".join(f"{config['samples']} for {name}"
                                    for name, config in DATASET_CONFIGS.items())
                        + f"; xor has its {data.XOR_SIZE} fixed points)")


def add_classes(parser):
    parser.add_argument("--classes", type=class_count, default=None, metavar="K",
                        help=f"arms of the spiral (default: {data.SPIRAL_CLASSES}); the "
                        "other datasets have 2 classes")


def add_animate(parser, help_text):
    parser.add_argument("--animate", metavar="FILE.gif", default=None, help=help_text)


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
    add_animate(lab, "also write the training as GIFs, FILE-linear.gif and FILE-xor.gif: the "
                "decision boundary and the learning curve, epoch by epoch")
    lab.set_defaults(data=None, classes=None, test_fraction=None)

    train = commands.add_parser("train", help="one training run on a dataset or your CSV file",
                                epilog=dataset_defaults_help(),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_options(train)
    add_training_options(train)
    train.add_argument("--test-fraction", type=fraction, default=None, metavar="F",
                       help="hold out this share of the points (per class) and test on them "
                       "(default: none for linear, xor and CSV files, which test on the "
                       "training points as the spec does)")
    add_seed(train)
    add_animate(train, "also write the training as a GIF: the decision regions and the "
                "learning curve, epoch by epoch (2 features only)")
    train.add_argument("--out", help="folder to write the figures to (default: none)")
    train.add_argument("--save", metavar="WEIGHTS.npz", help="save the trained model")
    train.add_argument("--show", action="store_true", help="show the comparison in a window")

    predict_parser = commands.add_parser("predict", help="predictions and accuracy of a saved "
                                         "model")
    predict_parser.add_argument("--weights", required=True, metavar="WEIGHTS.npz")
    add_data_options(predict_parser)
    add_seed(predict_parser)
    predict_parser.set_defaults(fill_defaults=True)

    check = commands.add_parser("gradcheck", help="check the lab network's gradients against "
                                "finite differences")
    check.add_argument("--hidden", type=positive_int, nargs="+",
                       default=list(SPEC_CONFIG["hidden"]), metavar="H")
    check.add_argument("--activation", choices=nn.ACTIVATIONS, default=SPEC_CONFIG["activation"])
    check.add_argument("--samples", type=positive_int, default=data.LINEAR_SIZE,
                       help=f"linear points the loss is computed on (default: {data.LINEAR_SIZE})")
    check.add_argument("--sample", type=positive_int, default=None, metavar="N",
                       help="check N weights drawn at random (by --seed) instead of every one: "
                       "each weight costs two forward passes")
    add_seed(check)

    graph = commands.add_parser(
        "graph", help="the lab network's graph for one batch: draw it, write its DOT source, and "
        "explain its backward pass", description="Build the lab network's loss on a whole "
        "dataset, run backward, draw the graph (--out) and write its Graphviz source (--dot), "
        "both unless one of them is named alone, then print the backward pass node by node, "
        "loss first.")
    graph.add_argument("--dataset", choices=data.DATASETS, default="linear",
                       help="one of the lab's datasets (default: linear)")
    graph.add_argument("--out", default=None, metavar="PNG", help="the drawing (default: "
                       f"{GRAPH_FILES[0]} unless --dot is given alone)")
    graph.add_argument("--dot", default=None, metavar="DOT", help="the Graphviz source "
                       f"(default: {GRAPH_FILES[1]} unless --out is given alone; --dot alone "
                       "needs no matplotlib)")
    add_seed(graph)
    graph.set_defaults(data=None, samples=data.LINEAR_SIZE, classes=None)

    data_parser = commands.add_parser(
        "data", help="write a dataset as a CSV file, for train --data",
        description="Write one of the datasets as a CSV file (a header row, the features, the "
        "class label last), the same points that train --dataset NAME --seed S trains on.")
    data_parser.add_argument("name", choices=data.NAMED_DATASETS, metavar="NAME",
                             help=f"one of {', '.join(data.NAMED_DATASETS)}")
    data_parser.add_argument("--out", required=True, metavar="FILE.csv",
                             help="the file to write")
    add_samples(data_parser)
    add_classes(data_parser)
    add_seed(data_parser)

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
