"""The lab's figures: ground truth against prediction, the learning curve, the decision boundary.

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

CLASS_COLORS = ("tab:red", "tab:blue")  # class 0, class 1: the spec's 'ro' and 'bo'
# Diverging, red at probability 0 and blue at 1 like the classes; the darkest ends are cut off
# so that the points stay visible on top.
PROBABILITY_CMAP, PROBABILITY_CMAP_RANGE = "RdBu", (0.22, 0.78)


def show_result(x, y, pred_y, path=None, threshold=0.5, show=False):
    """The spec's comparison: points coloured by true class beside points coloured by prediction.

    ``x`` is (n, 2); ``y`` holds labels 0/1, shaped (n,) or (n, 1); ``pred_y`` holds probabilities,
    shaped (n,) or (n, 1): above ``threshold`` is class 1. The right panel rings misclassified
    points in black and its title gives the accuracy. Returns the Figure; saves it to ``path`` if
    given. Raises ValueError for mismatched or malformed inputs, ImportError without matplotlib.
    """
    _matplotlib()
    x = _points(x, "show_result")
    labels = _labels(y, "y", "show_result")
    probabilities = _column(pred_y, "pred_y", "show_result")
    _same_length("show_result", x=x.shape, y=np.shape(y), pred_y=np.shape(pred_y))
    if not np.isfinite(probabilities).all():
        raise ValueError("show_result: pred_y has non-finite values (did training diverge?)")
    predicted = (probabilities > threshold).astype(int)
    wrong = predicted != labels

    figure = new_figure(show, figsize=(10, 4.6))
    truth_ax, predict_ax = figure.subplots(1, 2, sharex=True, sharey=True)
    _scatter_classes(truth_ax, x, labels)
    truth_ax.set_title("Ground truth", fontsize=16)
    _scatter_classes(predict_ax, x, predicted)
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
    """Loss and accuracy against epoch, in two panels.

    ``history`` has ``loss`` and ``accuracy``: lists of per-epoch floats (accuracy in [0, 1]), for
    epochs 1..len(loss). Non-finite values (a diverged run) are left out and counted in the panel's
    title; the loss axis is logarithmic when every plotted loss is positive. Returns the Figure;
    saves it to ``path`` if given. Raises ValueError when the two lists differ in length.
    """
    _matplotlib()
    losses = np.asarray(history.loss, dtype=float).reshape(-1)
    accuracies = np.asarray(history.accuracy, dtype=float).reshape(-1)
    if losses.size != accuracies.size:
        raise ValueError(f"learning_curve: history has {losses.size} losses but "
                         f"{accuracies.size} accuracies; need one of each per epoch")
    epochs = np.arange(1, losses.size + 1)

    figure = new_figure(show, figsize=(10, 4))
    loss_ax, accuracy_ax = figure.subplots(1, 2, sharex=True)
    for ax, values, name, color in ((loss_ax, losses, "Loss", "tab:purple"),
                                    (accuracy_ax, accuracies, "Accuracy", "tab:green")):
        finite = np.isfinite(values)
        marker = "o" if values.size <= 30 else None
        ax.plot(epochs[finite], values[finite], color=color, marker=marker, markersize=4)
        skipped = values.size - finite.sum()
        ax.set_title(name + (f" ({skipped} non-finite not shown)" if skipped else ""))
        ax.set_xlabel("epoch")
        ax.set_ylabel(name.lower())
        ax.grid(True, alpha=0.3)
    finite_losses = losses[np.isfinite(losses)]
    if finite_losses.size and (finite_losses > 0).all():
        loss_ax.set_yscale("log")
    accuracy_ax.set_ylim(-0.02, 1.02)
    return _finish(figure, path, show)


def decision_boundary(model, x, y, path=None, resolution=200, show=False, ax=None):
    """The model's probability of class 1 over the plane, with the data points on top.

    ``model`` takes a Tensor (m, 2) and returns probabilities (m, 1); it is evaluated under
    ``no_grad`` on a ``resolution`` x ``resolution`` grid over the points' bounding box plus a
    margin. Red is 0, blue is 1, the black line is 0.5; points are coloured by their label ``y``.
    With ``ax``, draws into it and returns its figure (save or show that yourself); otherwise makes
    a Figure with a colour bar, saves it to ``path`` if given, and returns it. Raises ValueError
    for inputs that are not 2 features with one label each, or a model output of the wrong size.
    """
    _matplotlib()
    from .engine import Tensor, no_grad

    if ax is not None and (path is not None or show):
        raise ValueError("decision_boundary: with ax= the figure is yours: save or show it "
                         "yourself (path= and show= need ax=None)")
    x = _points(x, "decision_boundary")
    labels = _labels(y, "y", "decision_boundary")
    _same_length("decision_boundary", x=x.shape, y=np.shape(y))
    if int(resolution) != resolution or resolution < 2:
        raise ValueError(f"decision_boundary: resolution must be an integer >= 2, "
                         f"got {resolution!r}")
    resolution = int(resolution)

    low, high = x.min(axis=0), x.max(axis=0)
    span = high - low
    margin = np.where(span > 0, 0.1 * span, 0.5)  # a single point still gets a visible square
    axis_1 = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    axis_2 = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    grid_1, grid_2 = np.meshgrid(axis_1, axis_2)
    grid = np.column_stack([grid_1.ravel(), grid_2.ravel()])
    with no_grad():
        output = model(Tensor(grid))
    probabilities = np.asarray(output.data if isinstance(output, Tensor) else output, dtype=float)
    if probabilities.size != grid.shape[0]:
        raise ValueError(f"decision_boundary: the model returned shape {probabilities.shape} for "
                         f"a grid of shape {grid.shape}; expected ({grid.shape[0]}, 1)")
    probabilities = probabilities.reshape(grid_1.shape)

    own_figure = ax is None
    if own_figure:
        figure = new_figure(show, figsize=(6, 4.8))
        ax = figure.add_subplot()
    mesh = ax.pcolormesh(grid_1, grid_2, probabilities, cmap=_probability_cmap(), vmin=0.0,
                         vmax=1.0, shading="nearest", rasterized=True)
    finite = probabilities[np.isfinite(probabilities)]
    if finite.size and finite.min() < 0.5 < finite.max():  # else contour() warns: no 0.5 level
        ax.contour(grid_1, grid_2, probabilities, levels=[0.5], colors="black", linewidths=1.2)
    _scatter_classes(ax, x, labels, edgecolors="black", linewidths=0.5)
    ax.set_title("Decision boundary")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.legend(loc="best", fontsize="small", framealpha=0.9)
    if not own_figure:
        return ax.figure
    figure.colorbar(mesh, ax=ax, label="P(class 1)")
    return _finish(figure, path, show)


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


def _labels(values, name, caller):
    """Class labels shaped (n,) or (n, 1), as ints (n,); ValueError unless every one is 0 or 1."""
    labels = _column(values, name, caller)
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(f"{caller}: {name} must hold class labels 0 and 1, got "
                         f"{np.unique(labels)[:5].tolist()}")
    return labels.astype(int)


def _same_length(caller, **shapes):
    """ValueError naming every shape unless all have the same number of rows."""
    if len({shape[0] for shape in shapes.values()}) > 1:
        listed = ", ".join(f"{name} has shape {shape}" for name, shape in shapes.items())
        raise ValueError(f"{caller}: {listed}; they need the same number of points")


def _scatter_classes(ax, x, classes, **style):
    """One scatter per class, red for 0 and blue for 1, labelled for the legend."""
    for label, color in enumerate(CLASS_COLORS):
        chosen = classes == label
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
