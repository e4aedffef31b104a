"""The ``tinygrad-lab`` command line: its entry point (``main``), and the commands that train in
this process: the lab, single training runs, prediction, gradcheck, the graph of the lab
network. The parser is in ``cli_parser``, the report and submit commands in ``cli_report``."""

import math
import os
import sys

from . import animate, data, nn, pipes, viz
from .cli_checks import (
    UsageError,
    check_animation_paths,
    check_matplotlib,
    check_save_path,
    has_display,
    prepare_out_dir,
    warn,
)
from .cli_parser import GRAPH_FILES, build_parser, training_defaults
from .cli_report import command_report, command_submit
from .engine import Tensor
from .explain import explain
from .graph import topological_order
from .lab.config import DATASET_CONFIGS, DEFAULT_LEARNING_RATES, SPEC_CONFIG, make_optimizer
from .lab.gradients import ProgressLog, gradient_check, passes
from .plot import CLASS_COLORS  # plot loads matplotlib only when it draws
from .seeding import seeded_streams
from .train import fit, format_header, predict, testing_lines

# ---- shared pieces --------------------------------------------------------------------------

def load_dataset(args, data_rng):
    """The (name, x, y) that --dataset / --data ask for (with --samples and --classes)."""
    if args.data is not None:
        if args.classes is not None:
            raise UsageError(f"--classes is an option of --dataset spiral; the classes of "
                             f"{args.data} are its labels")
        x, y = data.load_csv(args.data)
        return os.path.splitext(os.path.basename(args.data))[0], x, y  # pts.csv: "pts"
    x, y = data.generate(args.dataset, args.samples, rng=data_rng, classes=args.classes)
    return args.dataset, x, y


def split_dataset(x, y, args, data_rng):
    """``(x_train, y_train, held_out)``: with --test-fraction, ``held_out`` is the (x_test,
    y_test) that data.split keeps apart (with ``data_rng``); without, None."""
    if args.test_fraction is None:
        return x, y, None
    x_train, y_train, x_test, y_test = data.split(x, y, args.test_fraction, rng=data_rng)
    return x_train, y_train, (x_test, y_test)


def build_model(x, y, args, model_rng):
    """The MLP the arguments describe for inputs ``x`` and labels ``y``: one sigmoid output for
    2 classes (as in the lab), K softmax outputs for labels 0..K-1."""
    classes = max(2, int(y.max()) + 1)
    return nn.MLP(in_features=x.shape[1], hidden=args.hidden,
                  out_features=1 if classes == 2 else classes, activation=args.activation,
                  bias=args.bias, init=args.init, rng=model_rng)


def warn_ignored_samples(args):
    """Warn that a --samples given with --dataset xor changes nothing."""
    if args.dataset == "xor" and "samples" not in args.defaulted:
        warn(f"--samples {args.samples} is ignored: xor has its {data.XOR_SIZE} fixed points")


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


def train_one(name, model, x, y, args, shuffle_rng, held_out=None, callback=None):
    """Train ``model`` on (x, y) as the arguments say (``callback`` goes to fit), then test it:
    on ``held_out`` (x_test, y_test) if given (also fit's validation data), else on (x, y) as
    the spec does. Returns the history."""
    learning_rate = args.lr if args.lr is not None else DEFAULT_LEARNING_RATES[args.optimizer]
    optimizer = make_optimizer(args.optimizer, model.parameters(), learning_rate)
    batch = "full" if args.batch_size is None else args.batch_size
    tested = (x, y) if held_out is None else held_out
    samples = len(x) + (0 if held_out is None else len(tested[0]))
    print(format_header(name))
    print(f"settings: samples={samples} hidden={tuple(args.hidden)} activation={args.activation} "
          f"optimizer={args.optimizer} lr={learning_rate:g} epochs={args.epochs} "
          f"epsilon={args.epsilon:g} batch_size={batch} init={args.init} seed={args.seed}"
          + settings_beyond_the_lab(model, args, held_out))
    history = fit(model, x, y, epochs=args.epochs, optimizer=optimizer,
                  batch_size=args.batch_size, epsilon=args.epsilon or None,
                  log_every=args.log_every, rng=shuffle_rng, compiled=args.compile,
                  validation=held_out, callback=callback)
    if history.interrupted:
        print(f"interrupted: training stopped at epoch {history.epochs}; "
              "keeping what was trained so far")
    elif history.diverged:
        print(f"diverged: the loss is no longer finite at epoch {history.epochs}")
    elif history.saturated:
        print(f"saturated: at epoch {history.epochs} every output sits at the loss's clip bound, "
              "where the gradient is 0, and some are wrong: training is stuck (a smaller --lr?)")
    print_testing(*tested, predict(model, tested[0]))
    return history


def settings_beyond_the_lab(model, args, held_out):
    """The settings line's end for what the lab's runs do not have: the classes and bias (on a
    dataset of DATASET_CONFIGS or with K classes), the held-out part; "" for a lab run."""
    classes = model.config["out_features"]
    extra = ""
    if args.dataset in DATASET_CONFIGS or classes > 1:
        extra += f" classes={max(2, classes)} bias={args.bias}"
    if held_out is not None:
        extra += f" test_fraction={args.test_fraction:g} held_out={len(held_out[0])}"
    return extra


# ---- commands -------------------------------------------------------------------------------

def command_lab(args):
    check_matplotlib("the lab's figures")
    animations = check_animation_paths(args.animate, data.DATASETS)
    out_dir = prepare_out_dir(args.out)
    written = []
    for dataset in data.DATASETS:
        args.dataset = dataset
        data_rng, model_rng, shuffle_rng = seeded_streams(args.seed)
        name, x, y = load_dataset(args, data_rng)
        model = build_model(x, y, args, model_rng)
        snapshots = animate.Snapshots(model) if animations else None
        history = train_one(name, model, x, y, args, shuffle_rng, callback=snapshots)
        written += write_figures(name, model, x, y, history, out_dir)
        if snapshots is not None:
            animate.write_animation(animations[dataset], snapshots, x, y, history, title=name)
            written.append(animations[dataset])
        if history.interrupted:
            break
    print("wrote: " + ", ".join(written))
    return 130 if history.interrupted else 0


def command_train(args):
    if args.out or args.show:
        check_matplotlib("the figures of --out and --show")
    if args.show and not has_display():
        warn("--show needs a display and there is none (DISPLAY is not set): nothing will be "
             "shown; --out DIR saves the figures")
    animation = check_animation_paths(args.animate, ["train"]).get("train")
    out_dir = prepare_out_dir(args.out) if args.out else None
    if args.save:
        check_save_path(args.save)
    data_rng, model_rng, shuffle_rng = seeded_streams(args.seed)
    name, x, y = load_dataset(args, data_rng)
    warn_ignored_samples(args)
    if args.show and x.shape[1] != 2:
        raise UsageError(f"--show draws the comparison figure, which needs 2 features; "
                         f"{args.data or name} has {x.shape[1]}")
    if animation and x.shape[1] != 2:
        raise UsageError(f"--animate draws the decision regions, which need 2 features; "
                         f"{args.data or name} has {x.shape[1]}")
    if (animation or out_dir or args.show) and int(y.max()) + 1 > len(CLASS_COLORS):
        raise UsageError(f"the figures have colours for at most {len(CLASS_COLORS)} classes; "
                         f"{name} has {int(y.max()) + 1}")
    x_train, y_train, held_out = split_dataset(x, y, args, data_rng)
    model = build_model(x, y, args, model_rng)
    snapshots = animate.Snapshots(model) if animation else None
    history = train_one(name, model, x_train, y_train, args, shuffle_rng, held_out, snapshots)
    written = []
    if args.save:
        model.save(args.save)
        written.append(args.save)
    if out_dir:
        written += write_figures(name, model, x, y, history, out_dir)
    if snapshots is not None:
        animate.write_animation(animation, snapshots, x, y, history, title=name)
        written.append(animation)
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
    warn_ignored_samples(args)
    if x.shape[1] != model.in_features:
        raise UsageError(f"{args.weights} expects {model.in_features} features but the data has "
                         f"{x.shape[1]}")
    print(f"model: {model!r}")
    print_testing(x, y, predict(model, x))
    return 0


def command_data(args):
    check_save_path(args.out, "--out")
    samples = args.samples or training_defaults(args.name)["samples"]
    data_rng, _, _ = seeded_streams(args.seed)  # the points train --dataset trains on
    x, y = data.generate(args.name, samples, rng=data_rng, classes=args.classes)
    data.save_csv(args.out, x, y)
    print(f"wrote: {args.out} ({len(x)} samples of {args.name}, {x.shape[1]} features, "
          f"{int(y.max()) + 1} classes, seed {args.seed})")
    return 0


def command_gradcheck(args):
    check = gradient_check(args.seed, args.hidden, args.samples, args.activation,
                           sample=args.sample, progress=ProgressLog(sys.stderr))
    sampled = check["weights"] < check["total_weights"]
    for layer in check["layers"]:
        count = f" {layer['checked']} of {math.prod(layer['shape'])} checked," if sampled else ""
        print(f"{layer['name']} {tuple(layer['shape'])}:{count} max abs error "
              f"{layer['max_abs_error']:.3e}, max relative error {layer['max_relative_error']:.3e}")
    ok = passes(check)
    weights = f"{check['weights']} of {check['total_weights']}" if sampled else check["weights"]
    print(f"gradcheck: {weights} weights, worst abs error {check['max_abs_error']:.3e}, "
          f"worst relative error {check['max_relative_error']:.3e}: {'ok' if ok else 'MISMATCH'}")
    return 0 if ok else 1


def command_graph(args):
    if args.out is None and args.dot is None:
        args.out, args.dot = GRAPH_FILES
    if args.out is not None:  # --dot alone draws nothing, so it needs no matplotlib
        check_matplotlib("the drawing of --out")
        check_save_path(args.out, "--out")
    if args.dot is not None:
        check_save_path(args.dot, "--dot")
    if args.out and args.dot and os.path.abspath(args.out) == os.path.abspath(args.dot):
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
    written = [path for path in (args.out, args.dot) if path is not None]
    if args.out is not None:  # first: it refuses a --out it cannot draw in
        viz.draw_graph(loss, args.out, names)
    if args.dot is not None:
        viz.write_dot(loss, args.dot, names)
    print(f"=====backprop through the lab network: {name}, {len(x)} samples, seed {args.seed}"
          "=====")
    explain(loss, names)
    print(f"wrote: {', '.join(written)}")
    return 0


COMMANDS = {"lab": command_lab, "train": command_train, "predict": command_predict,
            "gradcheck": command_gradcheck, "graph": command_graph, "report": command_report,
            "submit": command_submit, "data": command_data}


def main(argv=None):
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # here, not at exit: a reader that left is caught below
        return status
    except KeyboardInterrupt:
        print("tinygrad-lab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader (e.g. `| head`) left: stop quietly
        return pipes.reader_gone()
    except (UsageError, ValueError, OSError, ImportError) as error:
        print(f"tinygrad-lab: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
