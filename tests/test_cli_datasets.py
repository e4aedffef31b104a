"""The command line beyond the lab, called in this process: `train` on spiral, moons and circles
with their defaults, K classes and a held-out part; `data` writing a dataset as CSV;
`--animate`; and what each refuses before any training (one line, exit status 2)."""

import re
import statistics

import numpy as np
import pytest
from PIL import Image

from tinygrad_lab import cli, data
from tinygrad_lab.cli_parser import training_defaults
from tinygrad_lab.lab.config import DATASET_CONFIGS, LAB_CONFIG
from tinygrad_lab.lab.runs import seeded_streams

NEW_DATASETS = tuple(DATASET_CONFIGS)
LAB_SAMPLE = re.compile(r"^\[[01]\.\d{8}\]  ground truth: [01]$")
ACCURACY = re.compile(r"^testing \.\.\. accuracy:([01]\.\d{2})$")
ERROR = re.compile(r"^tinygrad-lab: error: .+$")


def k_class_sample(classes):
    """The testing line of a K-class run: the class probabilities, the predicted class, the
    label."""
    return re.compile(r"^\[" + " ".join([r"(\d\.\d{4})"] * classes)
                      + r"\]  predicted: (\d+)  ground truth: (\d+)$")


def run(capsys, *argv):
    """``tinygrad-lab ARGV`` in this process: (exit status, stdout lines, stderr lines)."""
    status = cli.main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err.splitlines()


def refused(capsys, *argv):
    """The one error line of a run that must be refused with exit status 2 before training."""
    try:
        status = cli.main([str(arg) for arg in argv])
    except SystemExit as stop:  # argparse's own refusals
        status = stop.code
    captured = capsys.readouterr()
    assert status == 2, captured
    assert "training ..." not in captured.out and "settings:" not in captured.out
    assert ERROR.match(captured.err.splitlines()[-1]), captured.err
    assert "Traceback" not in captured.err
    return captured.err.splitlines()[-1]


def block_of_testing(lines):
    """The lines from ``testing ...`` to the accuracy line, and the accuracy it prints."""
    start = lines.index("testing ...")
    end = next(i for i in range(start, len(lines)) if ACCURACY.match(lines[i]))
    return lines[start + 1:end], float(ACCURACY.match(lines[end]).group(1))


def exact_accuracy(samples):
    """The fraction of testing lines whose prediction is the ground truth (not rounded)."""
    right = 0
    for line in samples:
        truth = int(line.rsplit(" ", 1)[1])
        if "predicted:" in line:
            right += int(line.split("predicted: ")[1].split()[0]) == truth
        else:
            right += (float(line[1:line.index("]")]) > 0.5) == truth
    return right / len(samples)


def settings(lines):
    """The settings line as {key: value text}."""
    line = next(line for line in lines if line.startswith("settings: "))
    return dict(re.findall(r"(\w+)=(\([^)]*\)|\S+)", line))


# ---- train on the new datasets ------------------------------------------------------------------

@pytest.mark.parametrize("name", NEW_DATASETS)
def test_a_run_prints_its_datasets_defaults(capsys, name):
    status, lines, _ = run(capsys, "train", "--dataset", name, "--epochs", 3)
    config = DATASET_CONFIGS[name]
    assert status == 0
    assert lines[0] == f"=====data type : {name}====="
    shown = settings(lines)
    held_out = round(config["samples"] * config["test_fraction"])
    assert shown == {"samples": str(config["samples"]), "hidden": str(tuple(config["hidden"])),
                     "activation": config["activation"], "optimizer": config["optimizer"],
                     "lr": f"{config['learning_rate']:g}", "epochs": "3",
                     "epsilon": f"{config['epsilon']:g}", "batch_size": "full",
                     "init": config["init"], "seed": "0",
                     "classes": str(data.dataset_classes(name)), "bias": str(config["bias"]),
                     "test_fraction": f"{config['test_fraction']:g}",
                     "held_out": str(held_out)}
    samples, _ = block_of_testing(lines)
    assert len(samples) == held_out


def test_a_spiral_run_prints_class_probabilities_and_the_predicted_class(capsys):
    status, lines, _ = run(capsys, "train", "--dataset", "spiral", "--epochs", 20, "--seed", 1)
    assert status == 0
    samples, accuracy = block_of_testing(lines)
    parsed = [k_class_sample(3).match(line) for line in samples]
    assert all(parsed), samples[:3]
    rows = np.array([[float(p) for p in m.groups()[:3]] for m in parsed])
    predicted = np.array([int(m.group(4)) for m in parsed])
    labels = np.array([int(m.group(5)) for m in parsed])
    np.testing.assert_allclose(rows.sum(axis=1), 1, atol=5e-4)
    np.testing.assert_array_equal(predicted, rows.argmax(axis=1))
    assert sorted(set(labels)) == [0, 1, 2]  # the split keeps every class
    assert accuracy == pytest.approx(np.mean(predicted == labels), abs=0.005)


def test_classes_sets_the_spirals_arms(capsys):
    status, lines, _ = run(capsys, "train", "--dataset", "spiral", "--classes", 5,
                           "--epochs", 2, "--samples", 100)
    assert status == 0 and settings(lines)["classes"] == "5"
    samples, _ = block_of_testing(lines)
    assert len(samples) == 25 and all(k_class_sample(5).match(line) for line in samples)


def test_flags_override_the_datasets_defaults(capsys):
    status, lines, _ = run(capsys, "train", "--dataset", "moons", "--epochs", 2, "--hidden", 4,
                           "--activation", "sigmoid", "--no-bias", "--optimizer", "sgd",
                           "--test-fraction", 0.5, "--samples", 40)
    shown = settings(lines)
    assert status == 0
    assert (shown["hidden"], shown["activation"], shown["bias"], shown["optimizer"],
            shown["lr"]) == ("(4,)", "sigmoid", "False", "sgd", "0.3")  # sgd's own rate
    assert (shown["samples"], shown["test_fraction"], shown["held_out"]) == ("40", "0.5", "20")


def test_a_lab_dataset_can_hold_out_points_too(capsys):
    status, lines, _ = run(capsys, "train", "--dataset", "linear", "--test-fraction", 0.2,
                           "--epochs", 50)
    assert status == 0
    shown = settings(lines)
    assert (shown["samples"], shown["test_fraction"], shown["held_out"]) == ("100", "0.2", "20")
    assert "classes" not in shown  # two classes, the lab's sigmoid output
    samples, _ = block_of_testing(lines)
    assert len(samples) == 20 and all(LAB_SAMPLE.match(line) for line in samples)


def test_the_lab_datasets_keep_the_lab_defaults():
    for command in (["lab"], ["train", "--dataset", "xor"], ["train", "--data", "x.csv"]):
        args = cli.build_parser().parse_args(command)
        assert (args.hidden, args.activation, args.bias, args.epochs, args.test_fraction) == \
            (LAB_CONFIG["hidden"], LAB_CONFIG["activation"], False, LAB_CONFIG["epochs"], None)
        assert args.lr is None  # the optimizer's own rate


def test_a_spiral_run_writes_its_figures(capsys, tmp_path):
    status, lines, _ = run(capsys, "train", "--dataset", "spiral", "--epochs", 5,
                           "--out", tmp_path)
    assert status == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["spiral-comparison.png", "spiral-decision-boundary.png",
                       "spiral-learning-curve.png"]
    assert lines[-1].startswith("wrote: ")


def test_a_saved_spiral_model_predicts_its_classes(capsys, tmp_path):
    weights = tmp_path / "spiral.npz"
    trained = run(capsys, "train", "--dataset", "spiral", "--epochs", 5, "--save", weights)[1]
    status, lines, _ = run(capsys, "predict", "--weights", weights, "--dataset", "spiral")
    assert status == 0
    samples, _ = block_of_testing(lines)
    assert len(samples) == DATASET_CONFIGS["spiral"]["samples"]  # every point of the dataset
    assert all(k_class_sample(3).match(line) for line in samples)
    held_out = block_of_testing(trained)[0]
    assert set(held_out) <= set(samples)  # the same model, the same points, the same lines


# ---- what train refuses ------------------------------------------------------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["--dataset", "spiral", "--classes", "1"], "expected an integer >= 2"),
    (["--dataset", "moons", "--classes", "3"], "classes"),
    (["--dataset", "linear", "--classes", "2"], "classes"),
    (["--test-fraction", "0", "--dataset", "moons"], "between 0 and 1"),
    (["--test-fraction", "1", "--dataset", "moons"], "between 0 and 1"),
    (["--test-fraction", "nan", "--dataset", "moons"], "between 0 and 1"),
    (["--test-fraction", "0.01", "--dataset", "xor"], "empty"),
    (["--test-fraction", "0.99", "--dataset", "moons", "--samples", "20"], "empty"),
])
def test_bad_classes_and_test_fractions_are_refused_before_training(capsys, argv, fragment):
    assert fragment in refused(capsys, "train", *argv)


def test_more_classes_than_the_figures_have_colours_is_refused_before_training(capsys, tmp_path):
    assert "at most 10 classes" in refused(capsys, "train", "--dataset", "spiral", "--classes",
                                           11, "--out", tmp_path)
    status, lines, _ = run(capsys, "train", "--dataset", "spiral", "--classes", 11, "--epochs",
                           1, "--samples", 44)
    assert status == 0 and settings(lines)["classes"] == "11"  # without figures it trains


def test_classes_with_a_csv_file_is_refused(capsys, tmp_path):
    path = tmp_path / "points.csv"
    assert run(capsys, "data", "moons", "--out", path)[0] == 0
    assert "--classes" in refused(capsys, "train", "--data", path, "--classes", 3)


# ---- --animate ----------------------------------------------------------------------------------

def gif_frames(path):
    assert path.read_bytes().startswith(b"GIF89a")
    with Image.open(path) as image:
        return image.n_frames


def test_train_animate_writes_a_gif_of_the_run(capsys, tmp_path):
    path = tmp_path / "moons.gif"
    status, lines, _ = run(capsys, "train", "--dataset", "moons", "--epochs", 12,
                           "--epsilon", 0, "--animate", path)
    assert status == 0
    assert gif_frames(path) == 12  # under MAX_FRAMES epochs: one frame each
    assert lines[-1] == f"wrote: {path}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["moons.gif"]


def test_lab_animate_writes_one_gif_a_dataset(capsys, tmp_path):
    status, lines, _ = run(capsys, "lab", "--out", tmp_path / "figures", "--epochs", 8,
                           "--epsilon", 0, "--animate", tmp_path / "run.gif")
    assert status == 0
    for name in data.DATASETS:
        assert gif_frames(tmp_path / f"run-{name}.gif") == 8
    assert "run-linear.gif" in lines[-1] and "run-xor.gif" in lines[-1]
    assert not (tmp_path / "run.gif").exists()


@pytest.mark.parametrize("target, fragment", [
    ("missing/run.gif", "no such folder"),
    ("folder.gif", "folder.gif: it is a folder"),
    ("run.png", "must end in .gif"),
])
def test_an_unwritable_animation_is_refused_before_training(capsys, tmp_path, monkeypatch,
                                                            target, fragment):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder.gif").mkdir()
    assert fragment in refused(capsys, "train", "--dataset", "spiral", "--animate", target,
                               "--out", "out")
    assert [p.name for p in tmp_path.iterdir()] == ["folder.gif"]  # no --out folder either


@pytest.mark.parametrize("target, fragment", [
    ("missing/run.gif", "no such folder"),
    ("run.gif", "run-xor.gif: it is a folder"),
    ("run", "must end in .gif"),
])
def test_the_labs_unwritable_animations_are_refused_before_training(capsys, tmp_path,
                                                                    monkeypatch, target,
                                                                    fragment):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "run-xor.gif").mkdir()  # the lab writes FILE-linear.gif and FILE-xor.gif
    assert fragment in refused(capsys, "lab", "--animate", target, "--out", "out")
    assert [p.name for p in tmp_path.iterdir()] == ["run-xor.gif"]


def test_animate_needs_two_features(capsys, tmp_path):
    path = tmp_path / "three.csv"
    path.write_text("a,b,c,label\n0,0,0,0\n1,1,1,1\n0,1,0,0\n")
    assert "2 features" in refused(capsys, "train", "--data", path, "--animate",
                                   tmp_path / "run.gif")


# ---- the data command ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", data.NAMED_DATASETS)
def test_data_writes_the_points_train_trains_on(capsys, tmp_path, name):
    path = tmp_path / f"{name}.csv"
    status, lines, _ = run(capsys, "data", name, "--out", path, "--seed", 3)
    assert status == 0 and lines[-1].startswith(f"wrote: {path} (")
    x, y = data.load_csv(path)
    expected_x, expected_y = data.generate(name, training_defaults(name)["samples"],
                                           rng=seeded_streams(3)[0])
    np.testing.assert_array_equal(x, expected_x)
    np.testing.assert_array_equal(y, expected_y)


def test_training_on_the_written_csv_is_training_on_the_dataset(capsys, tmp_path):
    path = tmp_path / "linear.csv"
    run(capsys, "data", "linear", "--out", path, "--seed", 2)
    options = ["--seed", 2, "--epochs", 300]
    from_csv = run(capsys, "train", "--data", path, *options)[1]
    generated = run(capsys, "train", "--dataset", "linear", *options)[1]
    # The same points, weights and shuffling: all but the name in the header line agree.
    assert from_csv[1:] == generated[1:] and len(generated) > 100


def test_a_written_spiral_trains_as_three_classes(capsys, tmp_path):
    path = tmp_path / "spiral.csv"
    run(capsys, "data", "spiral", "--out", path, "--classes", 3, "--samples", 60)
    status, lines, _ = run(capsys, "train", "--data", path, "--epochs", 3, "--bias")
    samples, _ = block_of_testing(lines)
    assert status == 0 and len(samples) == 60
    assert all(k_class_sample(3).match(line) for line in samples)


@pytest.mark.parametrize("argv, fragment", [
    (["moons", "--out", "missing/points.csv"], "no such folder"),
    (["moons", "--out", "points.csv", "--classes", "3"], "classes"),
    (["galaxy", "--out", "points.csv"], "invalid choice"),
])
def test_data_refuses_and_writes_nothing(capsys, tmp_path, monkeypatch, argv, fragment):
    monkeypatch.chdir(tmp_path)
    assert fragment in refused(capsys, "data", *argv)
    assert list(tmp_path.iterdir()) == []


# ---- the defaults' measured accuracy ------------------------------------------------------------

@pytest.mark.parametrize("name", NEW_DATASETS)  # 30 trainings with the defaults: a few seconds
def test_the_defaults_reach_97_percent_held_out_for_seeds_0_to_9(capsys, name):
    accuracies = []
    for seed in range(10):
        status, lines, _ = run(capsys, "train", "--dataset", name, "--seed", seed,
                               "--log-every", 100000)
        assert status == 0
        accuracies.append(exact_accuracy(block_of_testing(lines)[0]))
    print(f"{name}: median {statistics.median(accuracies):.3f}, worst {min(accuracies):.3f}")
    assert min(accuracies) >= 0.97, accuracies
