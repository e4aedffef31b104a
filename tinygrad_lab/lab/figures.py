"""The report's figures: each function draws one matplotlib Figure from plain data (results.json's
run objects, and what the runs returned beside them: ``runs.Trained``), never by training anything
again (the graph figure builds the lab network's loss once, untrained). They run in the
report's worker processes; matplotlib is imported inside the functions.
"""

import os
from types import SimpleNamespace

import numpy as np

from .. import data, nn, plot, viz
from ..data import DATASETS
from ..engine import Tensor
from ..files import atomic_write
from ..plot import new_figure
from ..train import predict
from .config import (
    GRADCHECK_TOLERANCE,
    SATURATED,
    SATURATED_SLOPE,
    SPEC_CONFIG,
    build_model,
    weight_count,
)
from .tables import NAMES, by_variant, last_layer_start, per_epoch_ms

FIGURE_DIR = "figures"  # inside the report's folder
TITLES = {"linear": "Linear data", "xor": "XOR"}


def draw(out_dir, name, function, *arguments):
    """Draw ``function(*arguments)`` and write it whole to out_dir/figures/name.png."""
    figure = function(*arguments)
    path = os.path.join(out_dir, figure_path(name))
    with atomic_write(path) as file:
        figure.savefig(file, format="png", dpi=110)
    return path


def figure_path(name):
    return f"{FIGURE_DIR}/{name}.png"


def draw_curves(ax, groups, dataset, epsilon=None):
    """Every run's loss curve, one colour per variant, on log-log axes."""
    from matplotlib import colormaps

    colors = colormaps["viridis"](np.linspace(0.0, 0.9, len(groups)))
    for color, (variant, group) in zip(colors, groups.items(), strict=True):
        for seed, run in enumerate(group[dataset]):
            loss = [np.nan if v is None else v for v in run["curve"]["loss"]]
            ax.plot(run["curve"]["epoch"], loss, color=color, alpha=0.8 if seed == 0 else 0.35,
                    linewidth=1.3, label=variant.label if seed == 0 else None)
    if epsilon:
        ax.axhline(epsilon, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(TITLES[dataset])
    ax.grid(True, alpha=0.3)


def curves_figure(runs, study):
    """The loss curves of every run of ``study``, one panel per dataset."""
    figure = new_figure(False, figsize=(10, 4))
    axes = figure.subplots(1, 2)
    for ax, dataset in zip(axes, DATASETS, strict=True):
        draw_curves(ax, by_variant(runs, study), dataset, epsilon=runs[0]["config"]["epsilon"])
    axes[1].legend(fontsize="small", loc="lower left")
    return figure


def hidden_figure(runs):
    """The loss curves of each width, and the cost of an epoch against the number of weights."""
    groups = by_variant(runs, "hidden_units")
    figure = new_figure(False, figsize=(12, 3.8))
    *curve_axes, cost_ax = figure.subplots(1, 3)
    for ax, dataset in zip(curve_axes, DATASETS, strict=True):
        draw_curves(ax, groups, dataset, epsilon=runs[0]["config"]["epsilon"])
    curve_axes[1].legend(fontsize="small", loc="lower left")
    for dataset, marker in zip(DATASETS, "os", strict=True):
        sizes = [weight_count(g[dataset][0]["config"]["hidden"]) for g in groups.values()]
        ms = [np.mean([per_epoch_ms(r) for r in g[dataset]]) for g in groups.values()]
        cost_ax.plot(sizes, ms, marker=marker, label=NAMES[dataset])
    cost_ax.set_xscale("log")
    cost_ax.set_yscale("log")
    cost_ax.set_xlabel("weights in the network")
    cost_ax.set_ylabel("ms per epoch (mean)")
    cost_ax.set_title("Cost of an epoch")
    cost_ax.grid(True, alpha=0.3)
    cost_ax.legend(fontsize="small")
    return figure


def init_figure(runs, preactivations):
    """Histograms of the last hidden layer's pre-activations at init, and the loss curves.

    ``preactivations`` maps each variant's label to those values (an array) on the linear data
    of seed 0, as the runs returned them. The legend gives each init's standard deviation as
    the table and the text do: the mean over its runs on the linear data.
    """
    groups = by_variant(runs, "init")
    figure = new_figure(False, figsize=(12, 3.8))
    hist_ax, *curve_axes = figure.subplots(1, 3)
    for variant, group in groups.items():
        std = last_layer_start(group["linear"])[0]
        hist_ax.hist(preactivations[variant.label].ravel(), bins=80, density=True,
                     histtype="stepfilled", alpha=0.55, label=f"{variant.label} (std {std:.2f})")
    hist_ax.axvspan(-SATURATED, SATURATED, color="green", alpha=0.08,
                    label=f"|a| < {SATURATED:g}: σ'(a) ≥ {SATURATED_SLOPE:g}")
    hist_ax.set_yscale("log")
    hist_ax.set_xlabel("pre-activation a of hidden layer 2 at init")
    hist_ax.set_ylabel("density (linear data, seed 0)")
    hist_ax.legend(fontsize="small")
    for ax, dataset in zip(curve_axes, DATASETS, strict=True):
        draw_curves(ax, groups, dataset)
    curve_axes[1].legend(fontsize="small", loc="lower left")
    return figure


def graph_figure():
    """The graph of the lab network's loss on the XOR points (seed 0), as ``viz`` draws it."""
    x, y = data.generate("xor")
    model = build_model(SPEC_CONFIG, rng=0)
    loss = nn.binary_cross_entropy(model(Tensor(x)), y)
    names = {f"W{i}": layer.weight for i, layer in enumerate(model.layers, start=1)}
    return viz.draw_graph(loss, None, names)


def activation_figure(runs, trained):
    """Decision boundaries of seed 0, one column per activation, one row per dataset.

    ``trained`` maps (variant key, dataset) to the seed-0 run's ``runs.Trained``.
    """
    groups = by_variant(runs, "activation")
    figure = new_figure(False, figsize=(3.2 * len(groups), 6.2))
    axes = figure.subplots(len(DATASETS), len(groups), squeeze=False)
    for row, dataset in enumerate(DATASETS):
        for column, (variant, group) in enumerate(groups.items()):
            run = next(r for r in group[dataset] if r["seed"] == 0)
            result = trained[variant.key, dataset]
            ax = axes[row, column]
            plot.decision_boundary(result.model, result.x, result.y, ax=ax, resolution=120)
            ax.set_title(f"{variant.label} — {TITLES[dataset]}: acc {run['accuracy']:.2f}",
                         fontsize="medium")
            if (row, column) != (0, 0):
                ax.get_legend().remove()
    return figure


def gradcheck_figure(check):
    figure = new_figure(False, figsize=(6, 3.2))
    ax = figure.add_subplot()
    names = [layer["name"] for layer in check["layers"]]
    errors = [max(layer["max_relative_error"], 1e-18) for layer in check["layers"]]
    ax.bar(names, errors, color="tab:purple")
    ax.axhline(GRADCHECK_TOLERANCE, color="tab:red", linestyle="--",
               label=f"tolerance {GRADCHECK_TOLERANCE:g}")
    ax.set_yscale("log")
    ax.set_ylabel("max relative error")
    ax.set_title("Analytic vs finite-difference gradient")
    ax.legend(fontsize="small")
    return figure


def sigmoid_figure():
    figure = new_figure(False, figsize=(7, 3))
    ax = figure.add_subplot()
    a = np.linspace(-8, 8, 400)
    s = 1 / (1 + np.exp(-a))
    ax.plot(a, s, label="σ(x)")
    ax.plot(a, s * (1 - s), label="σ'(x) = σ(x)(1 − σ(x))")
    for side in (-1, 1):
        ax.axvspan(side * SATURATED, side * 8, color="grey", alpha=0.15)
    ax.text(6.3, 0.55, f"σ' < {SATURATED_SLOPE:g}", ha="center", fontsize="small")
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small", loc="upper left")
    return figure


def lab_figure(run, trained, kind):
    """The lab run's "comparison", "learning-curve" or "decision-boundary" figure, from its
    results.json object and its ``runs.Trained``."""
    model, x, y = trained.model, trained.x, trained.y
    if kind == "comparison":
        return plot.show_result(x, y, predict(model, x))
    if kind == "learning-curve":
        return plot.learning_curve(SimpleNamespace(
            loss=[np.nan if v is None else v for v in run["curve"]["loss"]],
            accuracy=run["curve"]["accuracy"]))
    return plot.decision_boundary(model, x, y)
