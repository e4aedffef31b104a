"""The ``tinygrad-lab`` command line: its entry point (``main``), and the commands that train in
this process: the lab, single training runs, prediction, gradcheck, the graph of the lab
network. The parser is in ``cli_parser``, the report and submit commands in ``cli_report``."""

import os
import sys

from . import data, nn, viz
from .cli_checks import UsageError, check_save_path, prepare_out_dir
from .cli_parser import build_parser
from .cli_report import command_report, command_submit
from .engine import Tensor
from .explain import explain
from .graph import topological_order
from .lab.config import DEFAULT_LEARNING_RATES, SPEC_CONFIG, make_optimizer
from .lab.gradients import gradient_check, passes
from .lab.runs import seeded_streams
from .train import fit, format_header, predict, testing_lines

# ---- shared pieces --------------------------------------------------------------------------

def load_dataset(args, data_rng):
    """The (name, x, y) that --dataset / --data ask for."""
    if args.data is not None:
        x, y = data.load_csv(args.data)
        return os.path.basename(args.data), x, y
    x, y = data.generate(args.dataset, args.samples, rng=data_rng)
    return args.dataset, x, y


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


COMMANDS = {"lab": command_lab, "train": command_train, "predict": command_predict,
            "gradcheck": command_gradcheck, "graph": command_graph, "report": command_report,
            "submit": command_submit}


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
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
