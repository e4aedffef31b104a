"""The ``tinygrad-lab`` command line as a subprocess: output format, files, exit status, errors.

Each run is ``python -m tinygrad_lab ...`` in a temporary folder. The slow runs (the whole lab takes
2-3 s, mostly matplotlib) are module-scoped fixtures shared by several tests.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_process import ENV, interrupt_on_line

from tinygrad_lab import __version__

pytestmark = pytest.mark.slow  # every test here starts a subprocess

TIMEOUT = 120
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LAB_FIGURES = {f"{name}-{kind}.png" for name in ("linear", "xor")
               for kind in ("comparison", "learning-curve", "decision-boundary")}

# 5 decimals, more for a loss below epsilon that 5 would show at it (train.format_loss)
TRAINING = re.compile(r"^training \.\.\. epoch:(\d+), loss:(-?\d+\.\d{5,}), acc:([01]\.\d{2})$")
SAMPLE = re.compile(r"^\[([01]\.\d{8})\]  ground truth: ([01])$")
ACCURACY = re.compile(r"^testing \.\.\. accuracy:([01]\.\d{2})$")
ERROR_PREFIX = "tinygrad-lab: error: "


def run(*args, cwd, timeout=TIMEOUT):
    """``tinygrad-lab ARGS`` in ``cwd``; the CompletedProcess with text stdout and stderr."""
    return subprocess.run([sys.executable, "-m", "tinygrad_lab", *map(str, args)], cwd=cwd,
                          env=ENV, capture_output=True, text=True, timeout=timeout)


def sections(stdout):
    """The lines of each ``=====data type : NAME=====`` block, by NAME, in order."""
    found = {}
    current = None
    for line in stdout.splitlines():
        header = re.fullmatch(r"=====data type : (.+)=====", line)
        if header:
            current = found.setdefault(header.group(1), [])
        elif current is not None:
            current.append(line)
    return found


def parse_run(lines, log_every):
    """Check one dataset's block against the spec's format; returns its parts.

    The block is: the settings line, training lines at every ``log_every`` multiple and at the
    last epoch, ``testing ...``, one prediction per sample, the accuracy line; then possibly a
    ``figures:`` note and the ``wrote:`` line, which are dropped here.
    """
    while lines[-1].startswith(("wrote: ", "figures: ")):
        lines = lines[:-1]
    assert lines[0].startswith("settings: "), lines[0]
    training = [TRAINING.fullmatch(line) for line in lines[1:]]
    count = training.index(None) if None in training else len(training)
    logged = [(int(m.group(1)), float(m.group(2)), float(m.group(3))) for m in training[:count]]
    assert logged, "no training lines"
    last_epoch = logged[-1][0]
    expected_epochs = list(range(log_every, last_epoch + 1, log_every))
    if last_epoch % log_every:
        expected_epochs.append(last_epoch)
    assert [epoch for epoch, _, _ in logged] == expected_epochs
    rest = lines[1 + count:]
    assert rest[0] == "testing ...", rest[0]
    samples = [SAMPLE.fullmatch(line) for line in rest[1:-1]]
    assert all(samples), [line for line, m in zip(rest[1:-1], samples, strict=True) if not m]
    accuracy = ACCURACY.fullmatch(rest[-1])
    assert accuracy, rest[-1]
    predictions = [(float(m.group(1)), int(m.group(2))) for m in samples]
    right = sum((probability > 0.5) == label for probability, label in predictions)
    assert float(accuracy.group(1)) == pytest.approx(right / len(predictions), abs=0.005)
    return {"settings": lines[0], "logged": logged, "predictions": predictions,
            "accuracy": float(accuracy.group(1)), "testing": rest}


def wrote(stdout, cwd):
    """The files named on the ``wrote:`` line (the last line of stdout), as paths."""
    last = stdout.splitlines()[-1]
    assert last.startswith("wrote: "), last
    return [cwd / name for name in last[len("wrote: "):].split(", ")]


def assert_png(path):
    assert path.read_bytes()[:8] == PNG_SIGNATURE, path


def assert_usage_error(result, *fragments):
    """Exit status 2, no traceback, and a last stderr line ``tinygrad-lab: error: ...``."""
    assert result.returncode == 2, (result.returncode, result.stdout[-500:], result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(ERROR_PREFIX), result.stderr
    for fragment in fragments:
        assert fragment in last, (fragment, last)


def write_csv(path, rows, header="x1,x2,x3,label"):
    path.write_text(header + "\n" + "".join(",".join(map(str, row)) + "\n" for row in rows))
    return path


def three_feature_rows(n=20):
    """Deterministic, separable 3-feature data: label 1 where x1 + x2 + x3 > 1.5."""
    rows = []
    for i in range(n):
        features = [round((i * 7 + j * 3) % 11 / 10, 1) for j in range(3)]
        rows.append([*features, int(sum(features) > 1.5)])
    assert {row[-1] for row in rows} == {0, 1}
    return rows


# ---- the lab --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab_default_out(tmp_path_factory):
    """``lab --seed 0`` with no --out: the figures go to ./lab-output."""
    cwd = tmp_path_factory.mktemp("lab-default")
    return cwd, run("lab", "--seed", 0, cwd=cwd)


@pytest.fixture(scope="module")
def lab_again(tmp_path_factory):
    """The same run in another folder, naming --out explicitly."""
    cwd = tmp_path_factory.mktemp("lab-again")
    return cwd, run("lab", "--seed", 0, "--out", "lab-output", cwd=cwd)


@pytest.fixture(scope="module")
def lab_other_seeds(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("lab-seeds")
    return {seed: run("lab", "--seed", seed, "--out", f"out-{seed}", cwd=cwd)
            for seed in (1, 2)}


def test_lab_prints_the_spec_format(lab_default_out):
    _, result = lab_default_out
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "=====data type : linear====="
    assert lines.count("=====data type : xor=====") == 1
    blocks = sections(result.stdout)
    assert list(blocks) == ["linear", "xor"]
    for name, samples in (("linear", 100), ("xor", 21)):
        parsed = parse_run(blocks[name], log_every=100)
        settings = parsed["settings"]
        # The spec's network: two hidden layers of 10, sigmoid.
        for part in (f"samples={samples}", "hidden=(10, 10)", "activation=sigmoid", "seed=0"):
            assert part in settings, (part, settings)
        assert len(parsed["predictions"]) == samples
        assert parsed["accuracy"] == 1.0
        # Stopped by epsilon (0.01) before the epoch limit, at the last logged epoch.
        last_epoch, last_loss, _ = parsed["logged"][-1]
        assert last_epoch < 20000 and last_loss <= 0.01
    assert [line for line in lines if ACCURACY.fullmatch(line)] == \
        ["testing ... accuracy:1.00"] * 2


def test_lab_writes_six_pngs_to_the_default_folder_and_names_them(lab_default_out):
    cwd, result = lab_default_out
    assert result.returncode == 0, result.stderr
    out = cwd / "lab-output"
    assert set(os.listdir(out)) == LAB_FIGURES  # and no temporary files left behind
    named = wrote(result.stdout, cwd)
    assert sorted(path.resolve() for path in named) == \
        sorted((out / name).resolve() for name in LAB_FIGURES)
    for path in named:
        assert_png(path)


def test_lab_with_the_same_seed_prints_exactly_the_same(lab_default_out, lab_again):
    (_, first), (cwd, second) = lab_default_out, lab_again
    assert second.returncode == 0, second.stderr
    assert first.stdout == second.stdout
    assert set(os.listdir(cwd / "lab-output")) == LAB_FIGURES


def test_lab_with_another_seed_trains_differently(lab_default_out, lab_other_seeds):
    _, seed_0 = lab_default_out

    def losses(result):
        return [line for line in result.stdout.splitlines() if TRAINING.fullmatch(line)]

    assert losses(lab_other_seeds[1]) != losses(seed_0)
    assert "seed=1" in lab_other_seeds[1].stdout


@pytest.mark.parametrize("seed", [1, 2])
def test_default_lab_reaches_full_accuracy(lab_other_seeds, seed, tmp_path):
    result = lab_other_seeds[seed]
    assert result.returncode == 0, result.stderr
    blocks = sections(result.stdout)
    for name in ("linear", "xor"):
        assert parse_run(blocks[name], log_every=100)["accuracy"] == 1.0, (seed, name)
    assert len(wrote(result.stdout, tmp_path)) == 6


# ---- train and predict ----------------------------------------------------------------------

def test_train_with_the_specs_setting_stops_at_epsilon(tmp_path):
    result = run("train", "--dataset", "xor", "--optimizer", "sgd", "--lr", "0.3",
                 "--epsilon", "0.01", "--log-every", 1000, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    blocks = sections(result.stdout)
    assert list(blocks) == ["xor"]
    parsed = parse_run(blocks["xor"], log_every=1000)
    for part in ("optimizer=sgd", "lr=0.3 ", "epsilon=0.01 ", "samples=21"):
        assert part in parsed["settings"], (part, parsed["settings"])
    last_epoch, last_loss, _ = parsed["logged"][-1]
    assert last_epoch < 20000 and last_loss <= 0.01  # the epsilon stop, not the epoch limit
    assert len(parsed["predictions"]) == 21
    assert parsed["accuracy"] == 1.0


def test_epsilon_zero_trains_every_epoch(tmp_path):
    # With epsilon 0.01 this run stops early; with 0 it runs all 600 epochs.
    early = run("train", "--dataset", "linear", "--epochs", 600, "--log-every", 100,
                cwd=tmp_path)
    full = run("train", "--dataset", "linear", "--epochs", 600, "--log-every", 100,
               "--epsilon", 0, cwd=tmp_path)
    assert early.returncode == 0 and full.returncode == 0, (early.stderr, full.stderr)
    early_logged = parse_run(sections(early.stdout)["linear"], 100)["logged"]
    full_run = parse_run(sections(full.stdout)["linear"], 100)
    assert early_logged[-1][0] < 600 and early_logged[-1][1] <= 0.01
    assert [epoch for epoch, _, _ in full_run["logged"]] == [100, 200, 300, 400, 500, 600]
    assert full_run["logged"][-1][1] < 0.01  # below epsilon, and it went on anyway
    assert "epsilon=0 " in full_run["settings"]


def test_save_then_predict_reproduces_the_test_output(tmp_path):
    trained = run("train", "--dataset", "linear", "--epochs", 300, "--log-every", 100,
                  "--save", "W.npz", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert (tmp_path / "W.npz").is_file()
    assert trained.stdout.splitlines()[-1] == "wrote: W.npz"
    assert [name for name in os.listdir(tmp_path) if name != "W.npz"] == []  # no temp files
    predicted = run("predict", "--weights", "W.npz", "--dataset", "linear", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    trained_testing = parse_run(sections(trained.stdout)["linear"], 100)["testing"]
    lines = predicted.stdout.splitlines()
    assert lines[0].startswith("model: MLP(")
    assert lines[1:] == trained_testing
    assert len(lines[1:]) == 102  # "testing ...", 100 samples, the accuracy


def test_train_on_a_three_feature_csv(tmp_path):
    write_csv(tmp_path / "points.csv", three_feature_rows())
    result = run("train", "--data", "points.csv", "--epochs", 200, "--log-every", 50,
                 "--out", "figures", "--save", "W3.npz", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    blocks = sections(result.stdout)
    assert list(blocks) == ["points"]  # the file's stem names the run and its figures
    parsed = parse_run(blocks["points"], 50)
    assert "samples=20" in parsed["settings"]
    assert len(parsed["predictions"]) == 20
    # The comparison and decision boundary draw points in a plane of 2 features: with 3 only
    # the learning curve is written, and the output says why.
    assert "need 2 features" in result.stdout
    assert os.listdir(tmp_path / "figures") == ["points-learning-curve.png"]
    assert_png(tmp_path / "figures" / "points-learning-curve.png")
    named = wrote(result.stdout, tmp_path)
    assert [path.name for path in named] == ["W3.npz", "points-learning-curve.png"]

    predicted = run("predict", "--weights", "W3.npz", "--data", "points.csv", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    assert predicted.stdout.splitlines()[1:] == parsed["testing"]

    unfit = run("predict", "--weights", "W3.npz", "--dataset", "linear", cwd=tmp_path)
    assert_usage_error(unfit, "W3.npz", "3 features", "2")


@pytest.mark.parametrize("options, shown", [
    (["--batch-size", 1], "batch_size=1"),
    (["--batch-size", 4], "batch_size=4"),
    (["--activation", "relu"], "activation=relu"),
    (["--activation", "tanh"], "activation=tanh"),
    (["--activation", "none"], "activation=none"),
    (["--optimizer", "momentum"], "optimizer=momentum"),
    (["--hidden", 5, 5, 5], "hidden=(5, 5, 5)"),
])
def test_train_options_run(tmp_path, options, shown):
    result = run("train", "--dataset", "xor", "--epochs", 20, "--log-every", 10, "--epsilon", 0,
                 *options, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    parsed = parse_run(sections(result.stdout)["xor"], 10)
    assert shown in parsed["settings"]
    assert [epoch for epoch, _, _ in parsed["logged"]] == [10, 20]
    assert len(parsed["predictions"]) == 21


def test_train_with_the_same_seed_and_shuffling_is_reproducible(tmp_path):
    args = ("train", "--dataset", "linear", "--batch-size", 8, "--epochs", 20, "--log-every", 5)
    first, second = run(*args, "--seed", 7, cwd=tmp_path), run(*args, "--seed", 7, cwd=tmp_path)
    other = run(*args, "--seed", 8, cwd=tmp_path)
    assert first.returncode == second.returncode == other.returncode == 0
    assert first.stdout == second.stdout
    assert first.stdout != other.stdout


@pytest.mark.parametrize("options", [[], ["--batch-size", 8, "--activation", "relu", "--bias"]])
def test_train_with_compile_prints_exactly_what_eager_training_prints(tmp_path, options):
    args = ("train", "--dataset", "linear", "--epochs", 60, "--log-every", 10, *options)
    eager, compiled = run(*args, cwd=tmp_path), run(*args, "--compile", cwd=tmp_path)
    assert eager.returncode == compiled.returncode == 0, compiled.stderr
    assert compiled.stdout == eager.stdout
    assert len(parse_run(sections(compiled.stdout)["linear"], 10)["logged"]) >= 1


# ---- gradcheck, help, version ---------------------------------------------------------------

def test_gradcheck_passes(tmp_path):
    result = run("gradcheck", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    last = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"gradcheck: \d+ weights, worst abs error \S+, worst relative error "
                        r"\S+: ok", last), last


@pytest.mark.parametrize("command, options", [
    ([], ["lab", "train", "predict", "gradcheck", "graph", "--version"]),
    (["lab"], ["--seed", "--out"]),
    (["train"], ["--dataset", "--data", "--hidden", "--lr", "--epochs", "--epsilon",
                 "--activation", "--optimizer", "--batch-size", "--seed", "--log-every",
                 "--out", "--save", "--show"]),
    (["predict"], ["--weights", "--dataset", "--data"]),
    (["gradcheck"], []),
    (["graph"], ["--dataset", "--out", "--dot", "--seed"]),
])
def test_help(tmp_path, command, options):
    result = run(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(" ".join(["usage: tinygrad-lab", *command]))
    for option in options:
        assert option in result.stdout, option


def test_no_command_prints_help(tmp_path):
    result = run(cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("usage: tinygrad-lab")


def test_version(tmp_path):
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"tinygrad-lab {__version__}"


# ---- graph ----------------------------------------------------------------------------------

DOCS_LAB_GRAPH = Path(__file__).resolve().parent.parent / "docs" / "lab-graph.dot"
EXPLAIN_ROW = re.compile(r"^(#\d+)(?: (\S+))? +(\S+) +(\(.*?\)) +(.+?)  +(.+?)  +(\S+)$")


def explained_rows(stdout):
    """The explain table's rows in ``graph``'s output: (number, name, op, shape, norm) each."""
    lines = stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("node "))
    assert set(lines[header + 1].replace(" ", "")) == {"-"}
    assert lines[-1].startswith("wrote: ")
    rows = [EXPLAIN_ROW.fullmatch(line) for line in lines[header + 2:-1]]
    assert all(rows), lines[header + 2:-1]
    return [(m.group(1), m.group(2), m.group(3), m.group(4), m.group(7)) for m in rows]


def test_graph_draws_writes_and_explains_the_xor_step(tmp_path):
    result = run("graph", "--dataset", "xor", "--out", "xor.png", "--dot", "xor.dot",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "=====backprop through the lab network: xor, 21 samples, seed 0====="
    assert lines[-1] == "wrote: xor.png, xor.dot"
    assert sorted(os.listdir(tmp_path)) == ["xor.dot", "xor.png"]
    assert_png(tmp_path / "xor.png")
    rows = explained_rows(result.stdout)
    assert [number for number, *_ in rows] == [f"#{i}" for i in range(21, -1, -1)]
    assert rows[0][2:4] == ("neg", "()") and rows[0][4] == "1"
    assert [(name, op, shape) for _, name, op, shape, _ in rows[-4:]] == [
        ("W3", "leaf", "(10, 1)"), ("W2", "leaf", "(10, 10)"), ("W1", "leaf", "(2, 10)"),
        ("x", "leaf", "(21, 2)")]
    # The drawing's source shows the same gradient norm at every node as the table.
    dot = (tmp_path / "xor.dot").read_text()
    assert dot.startswith("digraph backprop {")
    assert dot == DOCS_LAB_GRAPH.read_text(), ("docs/lab-graph.dot and .png are out of date: "
                                              "run tinygrad-lab graph --dataset xor --out "
                                              "docs/lab-graph.png --dot docs/lab-graph.dot")
    for number, name, op, shape, norm in rows:
        kind = {"W1": "parameter", "W2": "parameter", "W3": "parameter"}.get(name, "input")
        title = f"{number} {op if op != 'leaf' else kind}" + (f" {name}" if name else "")
        label = re.search(rf'label="{title}\\n(.*?)"', dot).group(1).split("\\n")
        assert label[0].split(" = ")[0] == shape
        assert (label[-1] if label[-1].startswith("|grad| ") else "|grad| -") == f"|grad| {norm}"


def test_graph_defaults_to_the_linear_data(tmp_path):
    result = run("graph", "--seed", 3, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(": linear, 100 samples, seed 3=====")
    assert result.stdout.splitlines()[-1] == "wrote: graph.png, graph.dot"
    assert sorted(os.listdir(tmp_path)) == ["graph.dot", "graph.png"]
    assert explained_rows(result.stdout)[-1][1:4] == ("x", "leaf", "(100, 2)")


@pytest.mark.parametrize("options, fragments", [
    (["--out", "missing/g.png"], ["--out", "missing/g.png", "no such folder"]),
    (["--out", "afile/g.png"], ["--out", "afile/g.png"]),
    (["--dot", "adir"], ["--dot", "adir", "folder"]),
    (["--out", "g.txt"], ["g.txt", "image format 'txt'"]),
    (["--dataset", "circles"], ["--dataset", "'circles'"]),
    (["--out", ""], ["--out ''", "not a file name"]),
    (["--dot", "adir/"], ["--dot 'adir/'", "not a file name"]),
    (["--dot", "new/"], ["--dot 'new/'", "not a file name"]),
    (["--out", "same.png", "--dot", "./same.png"], ["--out and --dot are the same file"]),
])
def test_graph_bad_input(tmp_path, options, fragments):
    (tmp_path / "afile").write_text("a regular file")
    (tmp_path / "adir").mkdir()
    result = run("graph", *options, cwd=tmp_path)
    assert_usage_error(result, *fragments)
    assert result.stderr.count(ERROR_PREFIX) == 1
    assert result.stdout == ""
    assert sorted(os.listdir(tmp_path)) == ["adir", "afile"]
    assert os.listdir(tmp_path / "adir") == []


# ---- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("options, fragments", [
    (["--lr", "0"], ["--lr", "'0'"]),
    (["--lr", "-1"], ["--lr", "'-1'"]),
    (["--lr", "nan"], ["--lr", "'nan'"]),
    (["--lr", "inf"], ["--lr", "'inf'"]),
    (["--lr", "abc"], ["--lr", "'abc'"]),
    (["--epochs", "0"], ["--epochs", "'0'"]),
    (["--epochs", "-5"], ["--epochs", "'-5'"]),
    (["--epochs", "2.5"], ["--epochs", "'2.5'"]),
    (["--hidden", "0"], ["--hidden", "'0'"]),
    (["--hidden", "10", "-1"], ["--hidden", "'-1'"]),
    (["--batch-size", "0"], ["--batch-size", "'0'"]),
    (["--epsilon", "-0.1"], ["--epsilon", "'-0.1'"]),
    (["--log-every", "0"], ["--log-every", "'0'"]),
    (["--seed", "-1"], ["--seed", "'-1'"]),
    (["--activation", "foo"], ["--activation", "'foo'"]),
    (["--optimizer", "foo"], ["--optimizer", "'foo'"]),
])
def test_bad_flag_values(tmp_path, options, fragments):
    assert_usage_error(run("train", "--dataset", "xor", *options, cwd=tmp_path), *fragments)


def test_bad_lab_flag(tmp_path):
    assert_usage_error(run("lab", "--lr", "0", cwd=tmp_path), "--lr")
    assert not (tmp_path / "lab-output").exists()


def test_unknown_command(tmp_path):
    assert_usage_error(run("fly", cwd=tmp_path), "'fly'")


def test_data_source_missing_or_doubled(tmp_path):
    assert_usage_error(run("train", cwd=tmp_path), "--dataset", "--data", "required")
    assert_usage_error(run("predict", "--weights", "W.npz", cwd=tmp_path), "--dataset")
    write_csv(tmp_path / "points.csv", three_feature_rows())
    assert_usage_error(run("train", "--dataset", "xor", "--data", "points.csv", cwd=tmp_path),
                       "--data", "--dataset")
    assert_usage_error(run("train", "--dataset", "galaxy", cwd=tmp_path), "'galaxy'")


@pytest.mark.parametrize("name, text, fragments", [
    (None, None, ["no such file", "data.csv"]),
    ("data.csv", "", ["data.csv", "empty"]),
    ("data.csv", "x1,x2,label\n0.1,0.2,0\n0.3,0.4\n", ["data.csv", "line 3", "columns"]),
    ("data.csv", "x1,x2,label\n0.1,0.2,0\n0.3,0.4,1.5\n", ["data.csv", "line 3", "1.5"]),
    ("data.csv", "x1,x2,label\n0.1,abc,0\n0.3,0.4,1\n", ["data.csv", "line 2", "abc"]),
])
def test_bad_csv(tmp_path, name, text, fragments):
    if name is not None:
        (tmp_path / name).write_text(text)
    result = run("train", "--data", "data.csv", "--epochs", 5, cwd=tmp_path)
    assert_usage_error(result, *fragments)
    assert "training ..." not in result.stdout


def test_show_with_three_features_is_refused_before_training(tmp_path):
    write_csv(tmp_path / "points.csv", three_feature_rows())
    result = run("train", "--data", "points.csv", "--show", cwd=tmp_path)
    assert_usage_error(result, "--show", "2 features", "points.csv")
    assert "training ..." not in result.stdout


def test_predict_with_a_missing_weights_file(tmp_path):
    result = run("predict", "--weights", "nothing.npz", "--dataset", "xor", cwd=tmp_path)
    assert_usage_error(result, "nothing.npz")


def test_predict_with_a_corrupt_weights_file(tmp_path):
    # Fixed bytes (a zip signature among them), so the run is the same every time.
    (tmp_path / "corrupt.npz").write_bytes(bytes(range(256)) * 3 + b"PK\x03\x04" + b"\xff" * 64)
    result = run("predict", "--weights", "corrupt.npz", "--dataset", "xor", cwd=tmp_path)
    assert_usage_error(result, "corrupt.npz")
    assert len(result.stderr.strip().splitlines()) == 1


def test_predict_with_a_truncated_weights_file(tmp_path):
    trained = run("train", "--dataset", "xor", "--epochs", 3, "--save", "W.npz", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    whole = (tmp_path / "W.npz").read_bytes()
    (tmp_path / "W.npz").write_bytes(whole[:len(whole) // 2])
    result = run("predict", "--weights", "W.npz", "--dataset", "xor", cwd=tmp_path)
    assert_usage_error(result, "W.npz")


@pytest.mark.parametrize("command", [
    ["lab", "--epochs", 5],
    ["train", "--dataset", "xor", "--epochs", 5],
])
def test_unwritable_out(tmp_path, command):
    (tmp_path / "afile").write_text("a regular file")
    under_a_file = run(*command, "--out", tmp_path / "afile" / "sub", cwd=tmp_path)
    assert_usage_error(under_a_file, "--out", "afile")
    assert "training ..." not in under_a_file.stdout  # refused before any training
    is_a_file = run(*command, "--out", "afile", cwd=tmp_path)
    assert_usage_error(is_a_file, "--out", "afile")
    assert (tmp_path / "afile").read_text() == "a regular file"


@pytest.mark.parametrize("target", ["missing/W.npz", "afile/W.npz", "adir"])
def test_save_to_an_impossible_path_is_refused_before_training(tmp_path, target):
    (tmp_path / "afile").write_text("a regular file")
    (tmp_path / "adir").mkdir()
    result = run("train", "--dataset", "xor", "--epochs", 5, "--save", target, cwd=tmp_path)
    assert_usage_error(result, "--save", target)
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert sorted(os.listdir(tmp_path)) == ["adir", "afile"]
    assert os.listdir(tmp_path / "adir") == []


# ---- Ctrl-C ---------------------------------------------------------------------------------

def interrupt_after_first_training_line(args, cwd):
    """Start ``tinygrad-lab ARGS``, send SIGINT once a training line is out; (status, out, err)."""
    return interrupt_on_line(args, cwd, "training ...", "stdout", TIMEOUT)


# Slow enough to be caught mid-training: plain SGD at a tiny rate, no epsilon stop.
ENDLESS = ["--optimizer", "sgd", "--lr", "0.001", "--epochs", 10_000_000, "--epsilon", 0,
           "--log-every", 1000]


def test_ctrl_c_during_train_stops_cleanly_and_keeps_the_figures(tmp_path):
    status, stdout, stderr = interrupt_after_first_training_line(
        ["train", "--dataset", "xor", *ENDLESS, "--out", "figures"], tmp_path)
    assert status == 130, (stdout[-500:], stderr)
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = stdout.splitlines()
    assert any(line.startswith("interrupted: training stopped at epoch") for line in lines)
    assert "testing ..." in lines
    assert sum(bool(SAMPLE.fullmatch(line)) for line in lines) == 21
    assert ACCURACY.fullmatch(lines[-2]), lines[-2]
    named = wrote(stdout, tmp_path)
    assert sorted(path.name for path in named) == \
        sorted(f"xor-{kind}.png" for kind in ("comparison", "learning-curve",
                                              "decision-boundary"))
    for path in named:
        assert_png(path)
    assert sorted(os.listdir(tmp_path / "figures")) == sorted(path.name for path in named)


def test_ctrl_c_during_the_lab_writes_the_first_datasets_figures(tmp_path):
    status, stdout, stderr = interrupt_after_first_training_line(["lab", *ENDLESS], tmp_path)
    assert status == 130, (stdout[-500:], stderr)
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = stdout.splitlines()
    assert "=====data type : xor=====" not in lines  # stopped: the second dataset never ran
    assert any(line.startswith("interrupted: ") for line in lines)
    assert sum(bool(SAMPLE.fullmatch(line)) for line in lines) == 100
    linear = {f"linear-{kind}.png" for kind in ("comparison", "learning-curve",
                                                "decision-boundary")}
    assert {path.name for path in wrote(stdout, tmp_path)} == linear
    assert set(os.listdir(tmp_path / "lab-output")) == linear
