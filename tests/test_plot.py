"""The lab's figures: what they draw, the files they write, and their errors."""

import os
import subprocess
import sys
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest
from matplotlib.collections import PathCollection, QuadMesh
from matplotlib.colors import rgb_to_hsv
from matplotlib.figure import Figure

from tinygrad_lab import Tensor
from tinygrad_lab.plot import decision_boundary, learning_curve, show_result

matplotlib.use("Agg")  # never open a window, even on a desktop

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Four points; the prediction gets the last one wrong (0.7 > 0.5 says class 1, the label is 0).
X = np.array([[0.1, 0.9], [0.2, 0.6], [0.8, 0.3], [0.9, 0.95]])
Y = np.array([[0], [0], [1], [0]])
PRED = np.array([[0.1], [0.4], [0.8], [0.7]])


def tiny_model(t):
    return (t @ Tensor([[1.0], [-1.0]])).sigmoid()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 5000


def scatters(ax):
    """The labelled point scatters of an axes, by legend label."""
    return {c.get_label(): c for c in ax.collections if isinstance(c, PathCollection)}


def hues(collection):
    return rgb_to_hsv(collection.get_facecolor()[:, :3])[:, 0]


def assert_red(collection):
    hue = hues(collection)
    assert ((hue < 0.05) | (hue > 0.95)).all(), collection.get_facecolor()


def assert_blue(collection):
    hue = hues(collection)
    assert ((hue > 0.5) & (hue < 0.72)).all(), collection.get_facecolor()


def offsets(collection):
    return {tuple(point) for point in np.asarray(collection.get_offsets())}


def points(x, mask):
    return {tuple(point) for point in x[mask]}


# ---- show_result ------------------------------------------------------------------------------

def test_show_result_writes_a_png_and_returns_the_figure(tmp_path):
    figure = show_result(X, Y, PRED, path=tmp_path / "result.png")
    assert isinstance(figure, Figure)
    assert_png(tmp_path / "result.png")
    assert os.listdir(tmp_path) == ["result.png"]


def test_show_result_titles_carry_the_accuracy():
    truth_ax, predict_ax = show_result(X, Y, PRED).axes
    assert truth_ax.get_title() == "Ground truth"
    assert predict_ax.get_title() == "Predict result (acc 0.75)"
    all_right = show_result(X, Y, Y.astype(float))
    assert all_right.axes[1].get_title() == "Predict result (acc 1.00)"


def test_show_result_colours_class_0_red_and_class_1_blue():
    truth_ax, predict_ax = show_result(X, Y, PRED).axes
    labels, predicted = Y.ravel(), PRED.ravel() > 0.5
    for ax, classes in ((truth_ax, labels == 1), (predict_ax, predicted)):
        drawn = scatters(ax)
        assert offsets(drawn["class 0"]) == points(X, ~classes)
        assert offsets(drawn["class 1"]) == points(X, classes)
        assert_red(drawn["class 0"])
        assert_blue(drawn["class 1"])


def test_show_result_rings_the_misclassified_points():
    truth_ax, predict_ax = show_result(X, Y, PRED).axes
    ring = scatters(predict_ax)["misclassified"]
    assert offsets(ring) == {(0.9, 0.95)}
    assert len(ring.get_facecolor()) == 0  # hollow: the class colour shows through
    assert "misclassified" not in scatters(truth_ax)
    assert "misclassified" not in scatters(show_result(X, Y, Y).axes[1])


def test_show_result_thresholds_at_the_given_value_and_takes_flat_arrays_and_tensors():
    figure = show_result(Tensor(X), Y.ravel(), Tensor(PRED.ravel()), threshold=0.75)
    predict_ax = figure.axes[1]
    assert offsets(scatters(predict_ax)["class 1"]) == {(0.8, 0.3)}
    assert predict_ax.get_title() == "Predict result (acc 1.00)"


@pytest.mark.parametrize("y, pred_y", [(Y[:3], PRED), (Y, PRED[:3])])
def test_show_result_names_the_shapes_when_lengths_differ(y, pred_y):
    with pytest.raises(ValueError, match="show_result") as caught:
        show_result(X, y, pred_y)
    message = str(caught.value)
    assert f"x has shape {X.shape}" in message
    assert f"y has shape {y.shape}" in message and f"pred_y has shape {pred_y.shape}" in message


def test_show_result_rejects_bad_inputs():
    with pytest.raises(ValueError, match=r"needs 2 features.*\(4, 3\)"):
        show_result(np.ones((4, 3)), Y, PRED)
    with pytest.raises(ValueError, match=r"y must have shape \(n,\) or \(n, 1\), got \(4, 2\)"):
        show_result(X, np.zeros((4, 2)), PRED)
    with pytest.raises(ValueError, match="class labels 0 and 1"):
        show_result(X, Y * 2, PRED)
    with pytest.raises(ValueError, match="non-finite"):
        show_result(X, Y, np.array([0.1, np.nan, 0.8, 0.7]))


# ---- learning_curve ---------------------------------------------------------------------------

def history(loss, accuracy=None):
    return SimpleNamespace(loss=loss, accuracy=accuracy or [0.5] * len(loss))


def test_learning_curve_writes_a_png_with_loss_on_a_log_scale(tmp_path):
    figure = learning_curve(history([0.7, 0.4, 0.2, 0.1], [0.5, 0.75, 1.0, 1.0]),
                            path=tmp_path / "curve.png")
    assert_png(tmp_path / "curve.png")
    loss_ax, accuracy_ax = figure.axes
    assert (loss_ax.get_title(), accuracy_ax.get_title()) == ("Loss", "Accuracy")
    assert loss_ax.get_yscale() == "log" and accuracy_ax.get_yscale() == "linear"
    epochs, accuracies = accuracy_ax.lines[0].get_data()
    assert list(epochs) == [1, 2, 3, 4] and list(accuracies) == [0.5, 0.75, 1.0, 1.0]


def test_learning_curve_skips_non_finite_losses(tmp_path):
    figure = learning_curve(history([0.7, 0.4, float("nan"), float("inf"), 0.3]),
                            path=tmp_path / "curve.png")
    assert_png(tmp_path / "curve.png")
    loss_ax = figure.axes[0]
    epochs, losses = loss_ax.lines[0].get_data()
    assert list(epochs) == [1, 2, 5] and list(losses) == [0.7, 0.4, 0.3]
    assert loss_ax.get_yscale() == "log"
    assert "2 non-finite" in loss_ax.get_title()


def test_learning_curve_uses_a_linear_scale_unless_every_loss_is_positive():
    assert learning_curve(history([0.5, 0.0])).axes[0].get_yscale() == "linear"
    assert learning_curve(history([float("nan")] * 3)).axes[0].get_yscale() == "linear"


def test_learning_curve_needs_one_accuracy_per_loss():
    with pytest.raises(ValueError, match="3 losses but 2 accuracies"):
        learning_curve(history([0.3, 0.2, 0.1], [0.5, 0.6]))


# ---- decision_boundary ------------------------------------------------------------------------

def test_decision_boundary_writes_a_png_of_the_model_probability(tmp_path):
    figure = decision_boundary(tiny_model, X, Y, path=tmp_path / "boundary.png", resolution=50)
    assert_png(tmp_path / "boundary.png")
    ax = figure.axes[0]
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    probabilities = np.asarray(mesh.get_array()).reshape(50, 50)
    # The grid spans the points' box plus 10%: its first cell is the bottom-left corner.
    corner = np.array([[0.1 - 0.08, 0.3 - 0.065]])
    assert probabilities[0, 0] == pytest.approx(tiny_model(Tensor(corner)).item())
    assert probabilities.min() < 0.5 < probabilities.max()
    assert len(figure.axes) == 2  # the plot and its colour bar
    drawn = scatters(ax)
    assert offsets(drawn["class 0"]) == points(X, Y.ravel() == 0)
    assert_red(drawn["class 0"])
    assert_blue(drawn["class 1"])


def test_decision_boundary_colours_probability_0_red_and_1_blue():
    figure = decision_boundary(tiny_model, X, Y, resolution=20)
    mesh = next(c for c in figure.axes[0].collections if isinstance(c, QuadMesh))
    low, high = mesh.cmap(mesh.norm(0.0)), mesh.cmap(mesh.norm(1.0))
    assert rgb_to_hsv(low[:3])[0] < 0.05 or rgb_to_hsv(low[:3])[0] > 0.95
    assert 0.5 < rgb_to_hsv(high[:3])[0] < 0.72


def test_decision_boundary_draws_into_a_given_axes_and_saves_nothing(tmp_path):
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert decision_boundary(tiny_model, X, Y, ax=left, resolution=10) is figure
    assert decision_boundary(lambda t: 1 - tiny_model(t), X, Y, ax=right, resolution=10) is figure
    assert len(figure.axes) == 2  # no colour bar squeezed into the caller's layout
    assert all(scatters(ax).keys() == {"class 0", "class 1"} for ax in (left, right))
    with pytest.raises(ValueError, match="save or show it yourself"):
        decision_boundary(tiny_model, X, Y, ax=left, path=tmp_path / "boundary.png")
    assert os.listdir(tmp_path) == []


def test_decision_boundary_needs_2_features_and_matching_labels():
    with pytest.raises(ValueError, match=r"decision_boundary: needs 2 features.*\(4, 3\)"):
        decision_boundary(tiny_model, np.ones((4, 3)), Y)
    with pytest.raises(ValueError, match=r"x has shape \(4, 2\), y has shape \(3, 1\)"):
        decision_boundary(tiny_model, X, Y[:3])
    with pytest.raises(ValueError, match=r"model returned shape \(1,\)"):
        decision_boundary(lambda t: Tensor([0.5]), X, Y)


def test_decision_boundary_survives_a_model_that_never_crosses_one_half():
    figure = decision_boundary(lambda t: tiny_model(t) * 0.1, X, Y, resolution=10)
    assert isinstance(figure, Figure)  # no 0.5 contour to draw, and no warning about it


# ---- saving -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, start", [("figure.svg", b"<?xml"), ("figure.pdf", b"%PDF"),
                                         ("figure", PNG_SIGNATURE)])
def test_the_format_follows_the_suffix(tmp_path, name, start):
    show_result(X, Y, PRED, path=str(tmp_path / name))
    assert (tmp_path / name).read_bytes().startswith(start)
    assert os.listdir(tmp_path) == [name]


def test_an_unknown_suffix_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown image format 'xyz'"):
        show_result(X, Y, PRED, path=tmp_path / "figure.xyz")
    assert os.listdir(tmp_path) == []


def test_saving_into_a_missing_directory_fails_and_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing"):
        show_result(X, Y, PRED, path=tmp_path / "missing" / "result.png")
    assert os.listdir(tmp_path) == []


def test_a_failed_save_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    target = tmp_path / "result.png"
    target.write_bytes(b"the old figure")

    def savefig_then_fail(self, file, **options):
        file.write(PNG_SIGNATURE + b"half an image")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", savefig_then_fail)
    with pytest.raises(OSError, match="disk full"):
        show_result(X, Y, PRED, path=target)
    with pytest.raises(OSError, match="disk full"):
        learning_curve(history([0.5]), path=target)
    assert target.read_bytes() == b"the old figure"
    assert os.listdir(tmp_path) == ["result.png"]


def test_show_uses_pyplot(monkeypatch, tmp_path):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(True))
    figure = show_result(X, Y, PRED, path=tmp_path / "result.png", show=True)
    assert shown == [True] and plt.fignum_exists(figure.number)
    assert_png(tmp_path / "result.png")


# ---- without matplotlib -----------------------------------------------------------------------

def test_the_module_imports_without_matplotlib_and_says_how_to_get_it():
    # A None entry in sys.modules makes "import matplotlib" fail, as if it were not installed.
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "import tinygrad_lab.plot as plot\n"
            "try:\n"
            "    plot.show_result([[0.0, 1.0]], [0], [0.2])\n"
            "except ImportError as error:\n"
            "    print(error)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == 'plotting needs matplotlib: pip install "tinygrad-lab[plot]"'


def test_importing_the_module_does_not_import_matplotlib():
    code = "import sys, tinygrad_lab.plot; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# ---- K classes --------------------------------------------------------------------------------

# Three points a class, around three centres; the model below puts each centre's region first.
X3 = np.array([[0.0, 0.0], [0.1, 0.2], [0.2, 0.0], [1.0, 1.0], [0.9, 1.1], [1.1, 0.9],
               [0.0, 1.0], [0.1, 0.9], [-0.1, 1.1]])
Y3 = np.repeat([0, 1, 2], 3).reshape(-1, 1)
CENTRES = Tensor(X3[[0, 3, 6]].T)


def nearest_centre(t):
    """Logits of a 3-class model: minus the squared distance to each class's centre, times 10."""
    squares = (t * t).sum(axis=1, keepdims=True)
    return (t @ CENTRES * 2 - squares - (CENTRES * CENTRES).sum(axis=0, keepdims=True)) * 10


def class_hues(image, saturation=0.15):
    """The hues (0..1, rounded to 0.01) of the image's pixels saturated at least that much."""
    hsv = rgb_to_hsv(np.asarray(image, dtype=float)[..., :3].reshape(-1, 3))
    return set(np.round(hsv[hsv[:, 1] >= saturation, 0], 2).tolist())


def colour_hue(name):
    from matplotlib.colors import to_rgb

    return round(float(rgb_to_hsv(np.array(to_rgb(name)))[0]), 2)


def test_decision_regions_of_three_classes_take_their_class_colours(tmp_path):
    from matplotlib.image import imread

    from tinygrad_lab.plot import CLASS_COLORS

    figure = decision_boundary(nearest_centre, X3, Y3, path=tmp_path / "regions.png",
                               resolution=40)
    assert_png(tmp_path / "regions.png")
    ax = figure.axes[0]
    assert ax.get_title() == "Decision regions (3 classes)"
    assert len(figure.axes) == 1  # no probability colour bar for K classes
    region = ax.images[0].get_array()
    assert region.shape == (40, 40, 3)
    # Each class's region is its colour mixed with white: the same hue, paler.
    expected = {colour_hue(name) for name in CLASS_COLORS[:3]}
    assert {round(h, 2) for h in class_hues(region)} == expected
    # The saved image shows the three colours (and no fourth class colour).
    saved = class_hues(imread(tmp_path / "regions.png"), saturation=0.3)
    assert expected <= {round(h, 2) for h in saved}
    assert colour_hue(CLASS_COLORS[3]) not in saved
    drawn = scatters(ax)
    for label in range(3):
        assert offsets(drawn[f"class {label}"]) == points(X3, Y3.ravel() == label)
        assert {colour_hue(CLASS_COLORS[label])} == set(np.round(hues(drawn[f"class {label}"]),
                                                                 2).tolist())


def test_decision_regions_take_probabilities_or_logits_alike():
    logits = decision_boundary(nearest_centre, X3, Y3, resolution=20)
    probabilities = decision_boundary(lambda t: nearest_centre(t).softmax(-1), X3, Y3,
                                      resolution=20)
    np.testing.assert_allclose(logits.axes[0].images[0].get_array(),
                               probabilities.axes[0].images[0].get_array(), atol=1e-9)


def test_decision_regions_need_labels_of_the_model_classes():
    with pytest.raises(ValueError, match=r"class labels 0\.\.2"):
        decision_boundary(nearest_centre, X3, Y3 + 1)


def test_show_result_of_three_classes_colours_each_class():
    from tinygrad_lab.plot import CLASS_COLORS

    predicted = np.eye(3)[[0, 0, 0, 1, 1, 1, 2, 2, 1]]  # the last point is called class 1
    truth_ax, predict_ax = show_result(X3, Y3, predicted).axes
    assert predict_ax.get_title() == "Predict result (acc 0.89)"
    assert offsets(scatters(predict_ax)["misclassified"]) == {(-0.1, 1.1)}
    for label in range(3):
        assert set(np.round(hues(scatters(truth_ax)[f"class {label}"]), 2).tolist()) == {
            colour_hue(CLASS_COLORS[label])}


# ---- validation curves ------------------------------------------------------------------------

def test_learning_curve_draws_the_validation_curve_dashed_beside_training(tmp_path):
    run = SimpleNamespace(loss=[0.7, 0.4, 0.2], accuracy=[0.5, 0.8, 1.0],
                          val_loss=[0.8, 0.5, 0.4], val_accuracy=[0.4, 0.7, 0.9])
    figure = learning_curve(run, path=tmp_path / "curve.png")
    assert_png(tmp_path / "curve.png")
    loss_ax, accuracy_ax = figure.axes
    for ax, training, validation in ((loss_ax, run.loss, run.val_loss),
                                     (accuracy_ax, run.accuracy, run.val_accuracy)):
        lines = {line.get_label(): line for line in ax.lines}
        assert lines.keys() == {"training", "validation"}
        assert list(lines["training"].get_ydata()) == training
        assert list(lines["validation"].get_ydata()) == validation
        assert lines["training"].get_linestyle() == "-"
        assert lines["validation"].get_linestyle() == "--"
        assert ax.get_legend() is not None


def test_learning_curve_without_validation_draws_one_curve_and_no_legend():
    run = SimpleNamespace(loss=[0.7, 0.4], accuracy=[0.5, 1.0], val_loss=[], val_accuracy=[])
    for ax in learning_curve(run).axes:
        assert len(ax.lines) == 1 and ax.get_legend() is None


def test_learning_curve_needs_a_validation_point_per_epoch():
    run = SimpleNamespace(loss=[0.7, 0.4, 0.2], accuracy=[0.5, 0.8, 1.0], val_loss=[0.8],
                          val_accuracy=[0.4])
    with pytest.raises(ValueError, match="3 losses but 1 validation losses"):
        learning_curve(run)
    run.val_accuracy = [0.4, 0.5]
    with pytest.raises(ValueError, match="1 val_losses but 2 val_accuracies"):
        learning_curve(run)


def test_the_first_epochs_of_a_run_are_drawn_on_the_whole_runs_axes():
    from tinygrad_lab.plot import draw_learning_curve

    run = SimpleNamespace(loss=[0.7, 0.5, 0.4, 0.3, 0.2, 0.1],
                          accuracy=[0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
    axes = Figure().subplots(1, 2)  # not sharing x, as an animation's panels
    draw_learning_curve(axes, run, epochs=2)
    for ax in axes:
        assert list(ax.lines[0].get_xdata()) == [1, 2]
        assert ax.get_xlim() == (0, 7)
    assert axes[0].get_ylim()[0] < 0.1 and axes[0].get_ylim()[1] > 0.7  # every loss fits
