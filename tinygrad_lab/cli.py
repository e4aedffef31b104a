"""The ``tinygrad-lab`` command line: the lab, single training runs, prediction, gradcheck, the
graph of the lab network, the report."""

import argparse
import math
import os
import sys
import tempfile

from . import data, nn, viz
from .engine import Tensor
from .explain import explain
from .graph import topological_order
from .lab.config import (
    DEFAULT_LEARNING_RATES,
    LAB_CONFIG,
    LOG_EVERY,
    OPTIMIZERS,
    SPEC_CONFIG,
    make_optimizer,
)
from .lab.gradients import gradient_check, passes
from .lab.runs import seeded_streams
from .train import fit, format_header, predict, testing_lines
from .version import __version__


class UsageError(Exception):
    """A problem with what the user asked for: reported in one line, exit status 2."""


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


# ---- shared pieces --------------------------------------------------------------------------

def load_dataset(args, data_rng):
    """The (name, x, y) that --dataset / --data ask for."""
    if args.data is not None:
        x, y = data.load_csv(args.data)
        return os.path.basename(args.data), x, y
    x, y = data.generate(args.dataset, args.samples, rng=data_rng)
    return args.dataset, x, y


def prepare_out_dir(path):
    """Create ``path`` if needed and make sure files can be written there."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"cannot write to --out {path}: it is a file, not a folder")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot write to --out {path}: {error.strerror or error}") from None
    check_writable(path, f"cannot write to --out {path}")
    return path


def check_writable(folder, problem):
    """Raise UsageError starting with ``problem`` unless a file can be created in ``folder``."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise UsageError(f"{problem}: {error.strerror or error}") from None


def check_save_path(path, option="--save"):
    """Refuse, before any work, a file path (given as ``option``) whose folder is missing or
    unwritable."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.basename(path):  # "" or "name/": abspath drops the "/" that says "a folder"
        raise UsageError(f"cannot save to {option} {path!r}: not a file name")
    if os.path.isdir(path):
        raise UsageError(f"cannot save to {option} {path}: it is a folder, not a file")
    if not os.path.isdir(folder):
        raise UsageError(f"cannot save to {option} {path}: no such folder {folder}")
    check_writable(folder, f"cannot save to {option} {path}")
    return path


def print_testing(x, y, probabilities):
    """The spec's testing output: one prediction per sample, then the accuracy."""
    print("\n".join(testing_lines(probabilities, y)))


def write_figures(name, model, x, y, history, out_dir):
    """The learning curve and, for 2 features, the comparison and decision boundary, as PNGs."""
    from . import plot  # matplotlib is loaded only when figures are written

    stem = os.path.join(out_dir, name.replace(os.sep, "_"))
    if x.shape[1] != 2:  # both other figures draw the points in the plane of the two features
        print(f"figures: the comparison and decision boundary need 2 features; {name} has "
              f"{x.shape[1]}, so only the learning curve is drawn")
        plot.learning_curve(history, path=f"{stem}-learning-curve.png")
        return [f"{stem}-learning-curve.png"]
    written = [f"{stem}-comparison.png", f"{stem}-learning-curve.png",
               f"{stem}-decision-boundary.png"]
    plot.show_result(x, y, predict(model, x), path=written[0])
    plot.learning_curve(history, path=written[1])
    plot.decision_boundary(model, x, y, path=written[2])
    return written


def train_one(name, x, y, args, model_rng, shuffle_rng):
    """Build, train and test one model as the arguments say; returns (model, history)."""
    learning_rate = args.lr if args.lr is not None else DEFAULT_LEARNING_RATES[args.optimizer]
    model = nn.MLP(in_features=x.shape[1], hidden=args.hidden, activation=args.activation,
                   bias=args.bias, init=args.init, rng=model_rng)
    optimizer = make_optimizer(args.optimizer, model.parameters(), learning_rate)
    batch = "full" if args.batch_size is None else args.batch_size
    print(format_header(name))
    print(f"settings: samples={len(x)} hidden={tuple(args.hidden)} activation={args.activation} "
          f"optimizer={args.optimizer} lr={learning_rate:g} epochs={args.epochs} "
          f"epsilon={args.epsilon:g} batch_size={batch} init={args.init} seed={args.seed}")
    history = fit(model, x, y, epochs=args.epochs, optimizer=optimizer,
                  batch_size=args.batch_size, epsilon=args.epsilon or None,
                  log_every=args.log_every, rng=shuffle_rng, compiled=args.compile)
    if history.interrupted:
        print(f"interrupted: training stopped at epoch {history.epochs}; "
              "keeping what was trained so far")
    elif history.diverged:
        print(f"diverged: the loss is no longer finite at epoch {history.epochs}")
    print_testing(x, y, predict(model, x))
    return model, history


# ---- commands -------------------------------------------------------------------------------

def command_lab(args):
    out_dir = prepare_out_dir(args.out)
    written = []
    for dataset in data.DATASETS:
        args.dataset = dataset
        data_rng, model_rng, shuffle_rng = seeded_streams(args.seed)
        name, x, y = load_dataset(args, data_rng)
        model, history = train_one(name, x, y, args, model_rng, shuffle_rng)
        written += write_figures(name, model, x, y, history, out_dir)
        if history.interrupted:
            break
    print("wrote: " + ", ".join(written))
    return 130 if history.interrupted else 0


def command_train(args):
    out_dir = prepare_out_dir(args.out) if args.out else None
    if args.save:
        check_save_path(args.save)
    data_rng, model_rng, shuffle_rng = seeded_streams(args.seed)
    name, x, y = load_dataset(args, data_rng)
    if args.show and x.shape[1] != 2:
        raise UsageError(f"--show draws the comparison figure, which needs 2 features; {name} "
                         f"has {x.shape[1]}")
    model, history = train_one(name, x, y, args, model_rng, shuffle_rng)
    written = []
    if args.save:
        model.save(args.save)
        written.append(args.save)
    if out_dir:
        written += write_figures(name, model, x, y, history, out_dir)
    if written:
        print("wrote: " + ", ".join(written))
    if args.show:
        from . import plot

        plot.show_result(x, y, predict(model, x), show=True)
    return 130 if history.interrupted else 0


def command_predict(args):
    try:
        model = nn.MLP.load(args.weights)
    except FileNotFoundError:
        raise UsageError(f"no such weights file: {args.weights}") from None
    data_rng, _, _ = seeded_streams(args.seed)
    _, x, y = load_dataset(args, data_rng)
    if x.shape[1] != model.in_features:
        raise UsageError(f"{args.weights} expects {model.in_features} features but the data has "
                         f"{x.shape[1]}")
    print(f"model: {model!r}")
    print_testing(x, y, predict(model, x))
    return 0


def command_gradcheck(args):
    check = gradient_check(args.seed, args.hidden, args.samples, args.activation)
    for layer in check["layers"]:
        print(f"{layer['name']} {tuple(layer['shape'])}: max abs error "
              f"{layer['max_abs_error']:.3e}, max relative error {layer['max_relative_error']:.3e}")
    ok = passes(check)
    print(f"gradcheck: {check['weights']} weights, worst abs error {check['max_abs_error']:.3e}, "
          f"worst relative error {check['max_relative_error']:.3e}: {'ok' if ok else 'MISMATCH'}")
    return 0 if ok else 1


def command_graph(args):
    check_save_path(args.out, "--out")
    check_save_path(args.dot, "--dot")
    if os.path.abspath(args.out) == os.path.abspath(args.dot):
        raise UsageError(f"--out and --dot are the same file, {args.out}: the DOT source would "
                         "replace the drawing")
    data_rng, model_rng, _ = seeded_streams(args.seed)
    name, x, y = load_dataset(args, data_rng)
    model = nn.MLP(in_features=x.shape[1], hidden=SPEC_CONFIG["hidden"], rng=model_rng)
    inputs, labels = Tensor(x), Tensor(y)
    loss = nn.binary_cross_entropy(model(inputs), labels)
    for node in topological_order(loss):  # keep every gradient, for the drawing to show
        if node.requires_grad:
            node.retain_grad()
    loss.backward()
    names = {"x": inputs, "y": labels,
             **{f"W{i}": layer.weight for i, layer in enumerate(model.layers, start=1)}}
    viz.draw_graph(loss, args.out, names)  # first: it refuses a --out it cannot draw in
    viz.write_dot(loss, args.dot, names)
    print(f"=====backprop through the lab network: {name}, {len(x)} samples, seed {args.seed}"
          "=====")
    explain(loss, names)
    print(f"wrote: {args.out}, {args.dot}")
    return 0


def command_report(args):
    from .lab import build  # matplotlib is loaded only here

    build.check_matplotlib()  # refuse before any run, rather than after them
    out_dir = prepare_out_dir(args.out)
    seeds = args.seeds if args.seeds is not None else (2 if args.quick else 5)
    build.write_report(out_dir, seeds=seeds, quick=args.quick, jobs=args.jobs,
                        log=sys.stderr)
    return 0


# ---- the parser -----------------------------------------------------------------------------

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
    lab.set_defaults(run=command_lab, data=None)

    train = commands.add_parser("train", help="one training run on a dataset or your CSV file")
    add_data_options(train)
    add_training_options(train)
    add_seed(train)
    train.add_argument("--out", help="folder to write the figures to (default: none)")
    train.add_argument("--save", metavar="WEIGHTS.npz", help="save the trained model")
    train.add_argument("--show", action="store_true", help="show the comparison in a window")
    train.set_defaults(run=command_train)

    predict_parser = commands.add_parser("predict", help="predictions and accuracy of a saved "
                                         "model")
    predict_parser.add_argument("--weights", required=True, metavar="WEIGHTS.npz")
    add_data_options(predict_parser)
    add_seed(predict_parser)
    predict_parser.set_defaults(run=command_predict)

    check = commands.add_parser("gradcheck", help="check the lab network's gradients against "
                                "finite differences")
    check.add_argument("--hidden", type=positive_int, nargs="+",
                       default=list(SPEC_CONFIG["hidden"]), metavar="H")
    check.add_argument("--activation", choices=nn.ACTIVATIONS, default=SPEC_CONFIG["activation"])
    check.add_argument("--samples", type=positive_int, default=data.LINEAR_SIZE)
    add_seed(check)
    check.set_defaults(run=command_gradcheck)

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
    graph.set_defaults(run=command_graph, data=None, samples=data.LINEAR_SIZE)

    report_parser = commands.add_parser("report", help="run every Discussion study and write "
                                        "report.md, report.pdf, results.json and the figures")
    report_parser.add_argument("--out", default="report", help="folder to write into "
                               "(default: ./report)")
    report_parser.add_argument("--quick", action="store_true", help="fewer seeds and epochs: "
                               "the whole report in well under a minute")
    report_parser.add_argument("--seeds", type=positive_int, default=None, metavar="K",
                               help="seeds per variant and dataset (default: 5, 2 with --quick)")
    report_parser.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1,
                               metavar="J", help="worker processes (default: the number of "
                               "cores); the results do not depend on it")
    report_parser.set_defaults(run=command_report)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("tinygrad-lab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (e.g. `| head`) left: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (UsageError, ValueError, OSError, ImportError) as error:
        print(f"tinygrad-lab: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
