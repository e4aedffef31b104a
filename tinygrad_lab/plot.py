"""The figures: ground truth against prediction, the learning curve, the decision boundary (the
lab's two classes, or K classes as coloured regions).

matplotlib is imported inside the functions, so the engine works without it. Each function returns
the matplotlib Figure; with ``path`` it also saves it, in the format named by the path's suffix
(PNG when there is none), writing a temporary file beside it and renaming it into place, so a failed
save never leaves a partial image. ``show=True`` shows it with pyplot as well. ``new_figure`` and
``save_figure``, the first and last step of each, are public for ``viz.draw_graph`` and the report.
"""

import os
import sys

import numpy as np

from .files import atomic_write

# Class 0 and class 1 are the spec's 'ro' and 'bo'; a K-class figure uses the first K.
CLASS_COLORS = ("tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown",
                "tab:pink", "tab:olive", "tab:cyan", "tab:gray")
# How much of a class's colour tints its decision region at full confidence (the rest is white),
# and at the least confidence a K-class model can have (1/K): light enough for the points to show.
REGION_TINT = (0.15, 0.55)
# Diverging, red at probability 0 and blue at 1 like the classes; the darkest ends are cut off
# so that the points stay visible on top.
PROBABILITY_CMAP, PROBABILITY_CMAP_RANGE = "RdBu", (0.22, 0.78)


def show_result(x, y, pred_y, path=None, threshold=0.5, show=False):
    """The spec's comparison: points coloured by true class beside points coloured by prediction.

    ``x`` is (n, 2). ``pred_y`` holds probabilities of class 1, shaped (n,) or (n, 1) (above
    ``threshold`` is class 1), or K > 1 class probabilities (n, K) (the row's argmax is the
    class); ``y`` holds the class labels, 0/1 or 0..K-1, shaped (n,) or (n, 1). The right panel
    rings misclassified points in black and its title gives the accuracy. Returns the Figure;
    saves it to ``path`` if given. Raises ValueError for mismatched or malformed inputs,
    ImportError without matplotlib.
    """
    _matplotlib()
    x = _points(x, "show_result")
    _same_length("show_result", x=x.shape, y=np.shape(y), pred_y=np.shape(pred_y))
    scores = np.asarray(pred_y, dtype=float)
    if scores.ndim == 2 and scores.shape[1] > 1:
        classes = scores.shape[1]
        probabilities = scores
    else:
        classes = 2
        probabilities = _column(pred_y, "pred_y", "show_result")
    labels = _labels(y, "y", "show_result", classes)
    if not np.isfinite(probabilities).all():
        raise ValueError("show_result: pred_y has non-finite values (did training diverge?)")
    predicted = probabilities.argmax(axis=1) if probabilities.ndim == 2 \
        else (probabilities > threshold).astype(int)
    wrong = predicted != labels

    figure = new_figure(show, figsize=(10, 4.6))
    truth_ax, predict_ax = figure.subplots(1, 2, sharex=True, sharey=True)
    _scatter_classes(truth_ax, x, labels, classes)
    truth_ax.set_title("Ground truth", fontsize=16)
    _scatter_classes(predict_ax, x, predicted, classes)
    if wrong.any():
        predict_ax.scatter(x[wrong, 0], x[wrong, 1], s=140, facecolors="none",
                           edgecolors="black", linewidths=1.5, label="misclassified")
    predict_ax.set_title(f"Predict result (acc {1.0 - wrong.mean():.2f})", fontsize=16)
    for ax in (truth_ax, predict_ax):
        ax.set_xlabel("$x_1$")
        ax.legend(loc="best", fontsize="small", framealpha=0.9)
    truth_ax.set_ylabel("$x_2$")
    return _finish(figure, path, show)


def learning_curve(history, path=None, show=False):
    """Loss and accuracy against epoch, in two panels; the validation curves beside the training
    ones when the history has them.

    ``history`` has ``loss`` and ``accuracy``: lists of per-epoch floats (accuracy in [0, 1]), for
    epochs 1..len(loss), and optionally ``val_loss`` and ``val_accuracy`` (empty or one per
    epoch). Non-finite values (a diverged run) are left out and counted in the panel's title; the
    loss axis is logarithmic when every plotted loss is positive. Returns the Figure; saves it to
    ``path`` if given. Raises ValueError when the lists differ in length.
    """
    _matplotlib()
    figure = new_figure(show, figsize=(10, 4))
    draw_learning_curve(figure.subplots(1, 2, sharex=True), history)
    return _finish(figure, path, show)


def draw_learning_curve(axes, history, epochs=None):
    """Draw ``learning_curve``'s two panels into ``axes`` (loss, accuracy): the first ``epochs``
    epochs of ``history`` (all of them when None), on an epoch axis as long as the whole run.
    Raises ValueError when the history's lists differ in length."""
    curves = _history_curves(history)
    loss_ax, accuracy_ax = axes
    total = curves["training"][0].size
    shown = total if epochs is None else epochs
    panels = ((loss_ax, 0, "Loss", "tab:purple"), (accuracy_ax, 1, "Accuracy", "tab:green"))
    for ax, column, name, color in panels:
        skipped = 0
        for curve, style in (("training", "-"), ("validation", "--")):
            if curve not in curves:
                continue
            values = curves[curve][column][:shown]
            epoch_numbers = np.arange(1, values.size + 1)
            finite = np.isfinite(values)
            marker = "o" if total <= 30 else None
            ax.plot(epoch_numbers[finite], values[finite], style, color=color, marker=marker,
                    markersize=4, label=curve)
            skipped += values.size - finite.sum()
        ax.set_title(name + (f" ({skipped} non-finite not shown)" if skipped else ""))
        ax.set_xlabel("epoch")
        ax.set_ylabel(name.lower())
        ax.grid(True, alpha=0.3)
        if "validation" in curves:
            ax.legend(loc="best", fontsize="small")
    losses = np.concatenate([values[0] for values in curves.values()])
    finite_losses = losses[np.isfinite(losses)]
    if finite_losses.size and (finite_losses > 0).all():
        loss_ax.set_yscale("log")
    if epochs is not None and total:  # an animation's frames keep the whole run's axes
        for ax in axes:
            ax.set_xlim(0, total + 1)
        if finite_losses.size:
            low, high = finite_losses.min(), finite_losses.max()
            loss_ax.set_ylim(*((low / 1.5, high * 1.5) if loss_ax.get_yscale() == "log"
                               else (low - 0.05, high + 0.05)))
    accuracy_ax.set_ylim(-0.02, 1.02)


def _history_curves(history):
    """{"training": (losses, accuracies)} and, when the history has them, "validation": the same
    of ``val_loss`` and ``val_accuracy``; ValueError naming the lengths when they differ."""
    curves = {}
    for curve, prefix in (("training", ""), ("validation", "val_")):
        losses = np.asarray(getattr(history, prefix + "loss", []), dtype=float).reshape(-1)
        accuracies = np.asarray(getattr(history, prefix + "accuracy", []),
                                dtype=float).reshape(-1)
        if losses.size != accuracies.size:
            raise ValueError(f"learning_curve: history has {losses.size} {prefix}losses but "
                             f"{accuracies.size} {prefix}accuracies; need one of each per epoch")
        if curve == "training" or losses.size:
            curves[curve] = (losses, accuracies)
    if "validation" in curves and curves["validation"][0].size != curves["training"][0].size:
        raise ValueError(f"learning_curve: history has {curves['training'][0].size} losses but "
                         f"{curves['validation'][0].size} validation losses; need one of each "
                         "per epoch")
    return curves


def decision_boundary(model, x, y, path=None, resolution=200, show=False, ax=None):
    """The model's decision regions over the plane, with the data points on top.

    ``model`` takes a Tensor (m, 2) and returns a Tensor (or array) (m, 1) of probabilities of
    class 1, or (m, K) of K > 1 class probabilities or logits; it is evaluated under ``no_grad``
    on a ``resolution`` x ``resolution`` grid over the points' bounding box plus a margin. One
    output: red is 0, blue is 1, the black line is 0.5 (with a colour bar). K outputs: each grid
    cell takes its predicted class's colour, paler where the model is less sure, and black lines
    separate the classes. Points are coloured by their label ``y`` (0/1, or 0..K-1). With ``ax``,
    draws into it and returns its figure (save or show that yourself); otherwise makes a Figure,
    saves it to ``path`` if given, and returns it. Raises ValueError for inputs that are not 2
    features with one label each, labels that are not the model's classes, or a model output of
    the wrong size.
    """
    _matplotlib()
    if ax is not None and (path is not None or show):
        raise ValueError("decision_boundary: with ax= the figure is yours: save or show it "
                         "yourself (path= and show= need ax=None)")
    x = _points(x, "decision_boundary")
    _same_length("decision_boundary", x=x.shape, y=np.shape(y))
    if int(resolution) != resolution or resolution < 2:
        raise ValueError(f"decision_boundary: resolution must be an integer >= 2, "
                         f"got {resolution!r}")
    own_figure = ax is None
    if own_figure:
        figure = new_figure(show, figsize=(6, 4.8))
        ax = figure.add_subplot()
    mesh = draw_decision_regions(ax, model, x, y, int(resolution))
    if not own_figure:
        return ax.figure
    if mesh is not None:
        figure.colorbar(mesh, ax=ax, label="P(class 1)")
    return _finish(figure, path, show)


def draw_decision_regions(ax, model, x, y, resolution):
    """Draw ``decision_boundary``'s picture into ``ax`` for points ``x`` (n, 2) and labels ``y``
    on a grid of ``resolution`` squared. Returns the probability mesh of a one-output model (for a
    colour bar), None for K outputs. Raises ValueError as ``decision_boundary`` does."""
    x = _points(x, "decision_boundary")
    _same_length("decision_boundary", x=x.shape, y=np.shape(y))
    grid_1, grid_2, scores = _grid_scores(model, x, resolution)
    classes = 2 if scores.shape[1] == 1 else scores.shape[1]
    labels = _labels(y, "y", "decision_boundary", classes)
    mesh = None
    if scores.shape[1] == 1:
        probabilities = scores.reshape(grid_1.shape)
        mesh = ax.pcolormesh(grid_1, grid_2, probabilities, cmap=_probability_cmap(), vmin=0.0,
                             vmax=1.0, shading="nearest", rasterized=True)
        finite = probabilities[np.isfinite(probabilities)]
        if finite.size and finite.min() < 0.5 < finite.max():  # else contour() warns: no level
            ax.contour(grid_1, grid_2, probabilities, levels=[0.5], colors="black",
                       linewidths=1.2)
    else:
        predicted, image = _class_regions(scores, classes)
        extent = (grid_1[0, 0], grid_1[0, -1], grid_2[0, 0], grid_2[-1, 0])
        ax.imshow(image.reshape(*grid_1.shape, 3), origin="lower", extent=extent,
                  aspect="auto", interpolation="nearest")
        predicted = predicted.reshape(grid_1.shape)
        if len(np.unique(predicted)) > 1:  # else contour() warns: no level to draw
            ax.contour(grid_1, grid_2, predicted, levels=np.arange(classes - 1) + 0.5,
                       colors="black", linewidths=0.8)
    _scatter_classes(ax, x, labels, classes, edgecolors="black", linewidths=0.5)
    ax.set_title("Decision boundary" if classes == 2 else f"Decision regions ({classes} classes)")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", fontsize="small", framealpha=0.9)
    return mesh


def _grid_scores(model, x, resolution):
    """The grid over the points' box plus a margin, and the model's outputs on it as a float
    array (resolution**2, width); ValueError for an output that is not a row per grid point."""
    from .engine import Tensor, no_grad

    low, high = x.min(axis=0), x.max(axis=0)
    span = high - low
    margin = np.where(span > 0, 0.1 * span, 0.5)  # a single point still gets a visible square
    axis_1 = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    axis_2 = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    grid_1, grid_2 = np.meshgrid(axis_1, axis_2)
    grid = np.column_stack([grid_1.ravel(), grid_2.ravel()])
    with no_grad():
        output = model(Tensor(grid))
    scores = np.asarray(output.data if isinstance(output, Tensor) else output, dtype=float)
    if scores.size == grid.shape[0]:
        return grid_1, grid_2, scores.reshape(-1, 1)
    if scores.ndim != 2 or scores.shape[0] != grid.shape[0]:
        raise ValueError(f"decision_boundary: the model returned shape {scores.shape} for "
                         f"a grid of shape {grid.shape}; expected ({grid.shape[0]}, 1) or "
                         f"({grid.shape[0]}, K)")
    return grid_1, grid_2, scores


def _class_regions(scores, classes):
    """Each row's predicted class (its argmax) and its RGB colour: the class's colour mixed with
    white, more of it where the class probability is higher. ``scores`` are probabilities, or
    logits (any row outside [0, 1] or not summing to 1), which are put through a softmax."""
    from matplotlib.colors import to_rgb

    probabilities = scores
    if not (np.all((scores >= 0) & (scores <= 1)) and np.allclose(scores.sum(axis=1), 1)):
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    predicted = probabilities.argmax(axis=1)
    # Confidence from 1/K (a tie) to 1 (certain), mapped onto the tint range.
    confidence = (probabilities.max(axis=1) - 1 / classes) / (1 - 1 / classes)
    least, most = REGION_TINT
    tint = (least + (most - least) * np.clip(confidence, 0, 1))[:, None]
    colors = np.array([to_rgb(color) for color in CLASS_COLORS[:classes]])
    return predicted, tint * colors[predicted] + (1 - tint)


# ---- helpers ----------------------------------------------------------------------------------

def _matplotlib():
    """The matplotlib module, or ImportError with the install hint."""
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError('plotting needs matplotlib: pip install "tinygrad-lab[plot]"') from error
    return matplotlib


def _probability_cmap():
    """The colour map for probabilities: the middle of RdBu."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap

    return ListedColormap(colormaps[PROBABILITY_CMAP](np.linspace(*PROBABILITY_CMAP_RANGE, 256)),
                          name=f"{PROBABILITY_CMAP}_light")


def _points(x, caller):
    """``x`` as a float array (n, 2) of finite values; ValueError otherwise."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"{caller}: needs 2 features, x of shape (n, 2); got x of shape "
                         f"{x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{caller}: x has no points")
    if not np.isfinite(x).all():
        raise ValueError(f"{caller}: x has non-finite values")
    return x


def _column(values, name, caller):
    """``values`` shaped (n,) or (n, 1) as a float array (n,); ValueError for other shapes."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 1 or (array.ndim == 2 and array.shape[1] == 1):
        return array.reshape(-1)
    raise ValueError(f"{caller}: {name} must have shape (n,) or (n, 1), got {array.shape}")


def _labels(values, name, caller, classes=2):
    """Class labels shaped (n,) or (n, 1), as ints (n,); ValueError unless every one is a class
    0..classes-1 (0 or 1 by default) and there are colours for that many classes."""
    if classes > len(CLASS_COLORS):
        raise ValueError(f"{caller}: {classes} classes are more than the {len(CLASS_COLORS)} "
                         "colours there are to draw them")
    labels = _column(values, name, caller)
    if not np.isin(labels, np.arange(classes)).all():
        expected = "0 and 1" if classes == 2 else f"0..{classes - 1}"
        raise ValueError(f"{caller}: {name} must hold class labels {expected}, got "
                         f"{np.unique(labels)[:5].tolist()}")
    return labels.astype(int)


def _same_length(caller, **shapes):
    """ValueError naming every shape unless all have the same number of rows."""
    if len({shape[0] for shape in shapes.values()}) > 1:
        listed = ", ".join(f"{name} has shape {shape}" for name, shape in shapes.items())
        raise ValueError(f"{caller}: {listed}; they need the same number of points")


def _scatter_classes(ax, x, labels, classes, **style):
    """One scatter per class of ``classes``, in CLASS_COLORS (red for 0, blue for 1, ...),
    labelled for the legend."""
    for label, color in enumerate(CLASS_COLORS[:classes]):
        chosen = labels == label
        ax.scatter(x[chosen, 0], x[chosen, 1], s=36, color=color, label=f"class {label}",
                   zorder=3, **style)


def new_figure(show, **options):
    """A constrained-layout Figure, for the lab's figures and ``viz.draw_graph``.

    ``options`` go to ``Figure`` (``figsize``, ``dpi``, ...). With ``show``, a pyplot figure (the
    Agg backend when there is no display); otherwise a plain Figure drawn by Agg, not registered
    with pyplot. Raises ImportError with the install hint without matplotlib.
    """
    matplotlib = _matplotlib()
    if show:
        headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        if (headless and sys.platform not in ("darwin", "win32")
                and "matplotlib.pyplot" not in sys.modules):
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        return plt.figure(layout="constrained", **options)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(layout="constrained", **options)
    FigureCanvasAgg(figure)  # not registered with pyplot: nothing to close, no GUI needed
    return figure


def _finish(figure, path, show):
    """Save ``figure`` to ``path`` if given, show it if asked, and return it."""
    if path is not None:
        save_figure(figure, path)
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return figure


def save_figure(figure, path):
    """Write ``figure`` whole to ``path``: into a temporary file beside it, then rename.

    The format is the suffix of ``path`` (PNG when there is none). Raises ValueError for a format
    matplotlib cannot write, OSError (nothing written) if the file cannot be written.
    """
    path = os.path.abspath(os.fspath(path))
    image_format = os.path.splitext(path)[1][1:].lower() or "png"
    supported = figure.canvas.get_supported_filetypes()
    if image_format not in supported:
        raise ValueError(f"cannot save {path}: unknown image format {image_format!r}; "
                         f"use one of {', '.join(sorted(supported))}")
    with atomic_write(path) as file:
        figure.savefig(file, format=image_format)
