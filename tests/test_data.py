"""The datasets: the spec's linear split and XOR points, the spiral, moons and circles, the
datasets by name, the stratified split, and CSV files (load_csv with every way it refuses,
save_csv and the round trip)."""

import contextlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_lab import data, files
from tinygrad_lab.data import (
    csv_files,
    generate_circles,
    generate_linear,
    generate_moons,
    generate_spiral,
    generate_XOR_easy,
    load_csv,
    save_csv,
    split,
)


def spec_linear_labels(inputs):
    """The spec's labelling loop, verbatim in meaning: 0 if pt[0] > pt[1] else 1."""
    labels = []
    for pt in inputs:
        labels.append(0 if pt[0] > pt[1] else 1)
    return np.array(labels).reshape(len(inputs), 1)


def spec_xor_easy():
    """The spec's generate_XOR_easy, as written there."""
    inputs = []
    labels = []
    for i in range(11):
        inputs.append([0.1*i, 0.1*i])
        labels.append(0)
        if 0.1*i == 0.5:
            continue
        inputs.append([0.1*i, 1-0.1*i])
        labels.append(1)
    return np.array(inputs), np.array(labels).reshape(21, 1)


# generate_linear

@pytest.mark.parametrize("n", [1, 2, 100, 1000])
def test_linear_shapes_and_dtypes(n):
    inputs, labels = generate_linear(n, rng=0)
    assert inputs.shape == (n, 2) and labels.shape == (n, 1)
    assert inputs.dtype == np.float64 and labels.dtype == np.float64


def test_linear_defaults_to_100_points_with_fresh_randomness():
    inputs, labels = generate_linear()
    assert inputs.shape == (100, 2) and labels.shape == (100, 1)


def test_linear_points_lie_in_the_unit_square():
    inputs, _ = generate_linear(1000, rng=1)
    assert np.all((inputs >= 0.0) & (inputs <= 1.0))


@pytest.mark.parametrize("seed", [0, 1, 2, 12345])
def test_linear_labels_follow_the_spec_rule(seed):
    inputs, labels = generate_linear(500, rng=seed)
    assert np.array_equal(labels, spec_linear_labels(inputs))
    assert set(np.unique(labels)) == {0.0, 1.0}


def test_linear_label_is_1_on_the_line_itself():
    # x0 > x1 is false when they are equal, so the spec labels the diagonal 1.
    assert np.array_equal(spec_linear_labels(np.array([[0.3, 0.3]])), [[1]])


def test_linear_is_reproducible_with_an_int_seed():
    first, second = generate_linear(50, rng=7), generate_linear(50, rng=7)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])


def test_linear_is_reproducible_with_a_generator():
    first = generate_linear(50, rng=np.random.default_rng(7))
    second = generate_linear(50, rng=np.random.default_rng(7))
    from_int = generate_linear(50, rng=7)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[0], from_int[0])


def test_linear_advances_a_generator_it_is_given():
    rng = np.random.default_rng(7)
    first, second = generate_linear(50, rng=rng), generate_linear(50, rng=rng)
    assert not np.array_equal(first[0], second[0])


def test_linear_different_seeds_give_different_data():
    assert not np.array_equal(generate_linear(50, rng=0)[0], generate_linear(50, rng=1)[0])


def test_linear_accepts_a_numpy_integer_n():
    assert generate_linear(np.int64(5), rng=0)[0].shape == (5, 2)


@pytest.mark.parametrize("n", [0, -1, 2.5, 3.0, "10", None, True])
def test_linear_refuses_an_n_that_is_not_a_positive_int(n):
    with pytest.raises(ValueError, match=r"^n must be a positive int, found "):
        generate_linear(n)


# generate_XOR_easy

def test_xor_easy_is_exactly_the_spec_points_in_order():
    inputs, labels = generate_XOR_easy()
    spec_inputs, spec_labels = spec_xor_easy()
    assert inputs.shape == (21, 2) and labels.shape == (21, 1)
    assert inputs.dtype == np.float64 and labels.dtype == np.float64
    assert inputs.tobytes() == spec_inputs.astype(np.float64).tobytes()
    assert np.array_equal(labels, spec_labels)


def test_xor_easy_has_the_centre_once_labelled_0():
    inputs, labels = generate_XOR_easy()
    centre = np.all(inputs == 0.5, axis=1)
    assert centre.sum() == 1 and labels[centre, 0] == 0.0
    assert labels.sum() == 10


# spiral, moons and circles

def classic_spiral(n_per_class, classes, noise, rng):
    """CS231n's spiral loop, as written there (with a Generator for np.random)."""
    x = np.zeros((n_per_class * classes, 2))
    y = np.zeros(n_per_class * classes, dtype="uint8")
    for j in range(classes):
        ix = range(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1, n_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + rng.standard_normal(n_per_class) * noise
        x[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return x, y


GENERATORS = {"spiral": generate_spiral, "moons": generate_moons, "circles": generate_circles}


@pytest.mark.parametrize("n_per_class, classes, noise", [(100, 3, 0.2), (7, 2, 0.0), (50, 5, 1.0)])
def test_spiral_is_the_classic_spiral(n_per_class, classes, noise):
    inputs, labels = generate_spiral(n_per_class, classes, noise, rng=np.random.default_rng(3))
    expected_x, expected_y = classic_spiral(n_per_class, classes, noise, np.random.default_rng(3))
    np.testing.assert_allclose(inputs, expected_x, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(labels[:, 0], expected_y)


def test_spiral_without_noise_has_each_arm_from_the_centre_to_radius_1():
    inputs, labels = generate_spiral(5, 3, noise=0.0)
    radius = np.hypot(inputs[:, 0], inputs[:, 1])
    np.testing.assert_allclose(radius, np.tile([0.0, 0.25, 0.5, 0.75, 1.0], 3), atol=1e-15)
    # The last point of arm 0 is at angle 4 rad: (sin 4, cos 4).
    np.testing.assert_allclose(inputs[4], [np.sin(4.0), np.cos(4.0)], atol=1e-15)


def test_moons_without_noise_lie_on_their_half_circles():
    inputs, labels = generate_moons(9, noise=0.0)
    upper, lower = inputs[labels[:, 0] == 0], inputs[labels[:, 0] == 1]
    assert len(upper) == 5 and len(lower) == 4  # class 0 gets the odd point
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-15)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-15)
    assert np.all(upper[:, 1] >= -1e-15) and np.all(lower[:, 1] <= 0.5 + 1e-15)
    np.testing.assert_allclose(upper[[0, -1]], [[1, 0], [-1, 0]], atol=1e-15)
    np.testing.assert_allclose(lower[[0, -1]], [[0, 0.5], [2, 0.5]], atol=1e-15)


@pytest.mark.parametrize("factor", [0.5, 0.1, 0.9])
def test_circles_without_noise_have_radius_1_and_factor(factor):
    inputs, labels = generate_circles(10, noise=0.0, factor=factor)
    radius = np.hypot(inputs[:, 0], inputs[:, 1])
    np.testing.assert_allclose(radius, np.repeat([1.0, factor], 5), atol=1e-15)
    np.testing.assert_array_equal(labels[:, 0], np.repeat([0.0, 1.0], 5))
    assert len(np.unique(inputs.round(12), axis=0)) == 10  # no point twice (no endpoint)


@pytest.mark.parametrize("noise", [0.1, 0.5])
def test_moons_and_circles_noise_is_gaussian_of_that_scale(noise):
    for generator in (generate_moons, generate_circles):
        clean, _ = generator(4000, noise=0.0)
        noisy, _ = generator(4000, noise=noise, rng=7)
        moved = (noisy - clean).reshape(-1)
        assert abs(moved.mean()) < 0.05 * noise and abs(moved.std() - noise) < 0.05 * noise


@pytest.mark.parametrize("name, arguments, n, classes", [
    ("spiral", {}, 300, 3), ("spiral", {"n_per_class": 4, "classes": 6}, 24, 6),
    ("moons", {}, 200, 2), ("moons", {"n": 3}, 3, 2),
    ("circles", {}, 200, 2), ("circles", {"n": 2}, 2, 2)])
def test_new_generators_shapes_dtypes_and_balanced_labels(name, arguments, n, classes):
    inputs, labels = GENERATORS[name](**arguments, rng=0)
    assert inputs.shape == (n, 2) and labels.shape == (n, 1)
    assert inputs.dtype == np.float64 and labels.dtype == np.float64
    counts = np.bincount(labels[:, 0].astype(int))
    assert np.array_equal(labels[:, 0], np.sort(labels[:, 0]))  # class 0 first
    assert len(counts) == classes and counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(inputs))


@pytest.mark.parametrize("name", GENERATORS)
def test_new_generators_are_reproducible_with_a_seed(name):
    generator = GENERATORS[name]
    first, second, other = generator(rng=11), generator(rng=np.random.default_rng(11)), \
        generator(rng=12)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("name", GENERATORS)
def test_new_generators_advance_a_generator_they_are_given(name):
    rng = np.random.default_rng(5)
    assert not np.array_equal(GENERATORS[name](rng=rng)[0], GENERATORS[name](rng=rng)[0])


BAD_ARGUMENTS = [
    (generate_spiral, {"n_per_class": 0}, "n_per_class must be a positive int, found 0"),
    (generate_spiral, {"n_per_class": 2.0}, "n_per_class must be a positive int, found 2.0"),
    (generate_spiral, {"classes": 1}, "classes must be an int of at least 2, found 1"),
    (generate_spiral, {"classes": True}, "classes must be an int of at least 2, found True"),
    (generate_spiral, {"noise": -0.1}, "noise must be a finite number >= 0, found -0.1"),
    (generate_spiral, {"noise": float("nan")}, "noise must be a finite number >= 0, found nan"),
    (generate_moons, {"n": 1}, "n must be at least 2 (a point for each of the 2 classes), found 1"),
    (generate_moons, {"n": -3}, "n must be a positive int, found -3"),
    (generate_moons, {"noise": float("inf")}, "noise must be a finite number >= 0, found inf"),
    (generate_moons, {"noise": "0.1"}, "noise must be a finite number >= 0, found '0.1'"),
    (generate_circles, {"n": 0}, "n must be a positive int, found 0"),
    (generate_circles, {"noise": -1}, "noise must be a finite number >= 0, found -1"),
    (generate_circles, {"factor": 0}, "factor must be a number between 0 and 1 (both excluded), "
                                      "found 0"),
    (generate_circles, {"factor": 1.0}, "factor must be a number between 0 and 1 (both "
                                        "excluded), found 1.0"),
    (generate_circles, {"factor": float("nan")}, "factor must be a number between 0 and 1 (both "
                                                 "excluded), found nan"),
]


@pytest.mark.parametrize("generator, arguments, message", BAD_ARGUMENTS,
                         ids=[f"{g.__name__}-{a}" for g, a, _ in BAD_ARGUMENTS])
def test_new_generators_refuse_bad_arguments_naming_them(generator, arguments, message):
    with pytest.raises(ValueError) as caught:
        generator(**arguments)
    assert str(caught.value) == message


# generate: the datasets by name

def test_generate_picks_the_dataset_by_name():
    for got, expected in ((data.generate("linear", 30, rng=5), generate_linear(30, rng=5)),
                          (data.generate("linear", rng=5), generate_linear(rng=5)),
                          (data.generate("xor", 30, rng=5), generate_XOR_easy()),
                          (data.generate("spiral", rng=5), generate_spiral(rng=5)),
                          (data.generate("spiral", 60, 5, classes=4),
                           generate_spiral(15, 4, rng=5)),
                          (data.generate("moons", rng=5), generate_moons(rng=5)),
                          (data.generate("moons", 31, rng=5), generate_moons(31, rng=5)),
                          (data.generate("circles", rng=5), generate_circles(rng=5)),
                          (data.generate("circles", 9, rng=5), generate_circles(9, rng=5))):
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


def test_the_lab_datasets_are_still_the_lab_two():
    # The lab and its report iterate DATASETS: it must not grow with the datasets beyond the lab.
    assert data.DATASETS == ("linear", "xor")
    assert data.NAMED_DATASETS == ("linear", "xor", "spiral", "moons", "circles")


@pytest.mark.parametrize("name", data.NAMED_DATASETS)
@pytest.mark.parametrize("n", [None, 7, 100])
def test_size_is_the_number_of_points_generate_returns(name, n):
    assert data.size(name, n) == len(data.generate(name, n, rng=0)[0])


def test_size_defaults():
    assert data.size("xor") == data.XOR_SIZE and data.size("linear") == data.LINEAR_SIZE
    assert data.size("spiral") == data.SPIRAL_PER_CLASS * data.SPIRAL_CLASSES
    assert data.size("spiral", classes=5) == 5 * data.SPIRAL_PER_CLASS
    assert data.size("moons") == data.MOONS_SIZE and data.size("circles") == data.CIRCLES_SIZE


@pytest.mark.parametrize("n, classes, counts", [(100, 3, [34, 33, 33]), (100, 5, [20] * 5),
                                                (7, 7, [1] * 7), (11, 2, [6, 5])])
def test_a_spiral_of_any_size_shares_its_points_among_the_arms(n, classes, counts):
    _, labels = data.generate("spiral", n, rng=0, classes=classes)
    assert len(labels) == n and data.size("spiral", n, classes) == n
    assert np.bincount(labels[:, 0].astype(int)).tolist() == counts


@pytest.mark.parametrize("name, classes, expected", [
    ("linear", None, 2), ("xor", None, 2), ("moons", None, 2), ("circles", None, 2),
    ("spiral", None, 3), ("spiral", 2, 2), ("spiral", 7, 7), ("spiral", np.int64(4), 4)])
def test_dataset_classes_is_the_number_of_labels_generate_makes(name, classes, expected):
    assert data.dataset_classes(name, classes) == expected
    _, labels = data.generate(name, 70, rng=1, classes=classes)
    assert np.unique(labels).tolist() == list(range(expected))


@pytest.mark.parametrize("function", [data.generate, data.size, data.dataset_classes])
def test_an_unknown_dataset_is_refused_naming_the_choices(function):
    with pytest.raises(ValueError, match="'blobs'.*linear, xor, spiral, moons, circles"):
        function("blobs")


@pytest.mark.parametrize("function", [data.generate, data.size, data.dataset_classes])
@pytest.mark.parametrize("name", ["linear", "xor", "moons", "circles"])
def test_classes_is_refused_for_a_dataset_without_that_option(function, name):
    with pytest.raises(ValueError, match=f"^classes is an option of the spiral only; {name} "):
        function(name, classes=3)


@pytest.mark.parametrize("function", [data.generate, data.size, data.dataset_classes])
@pytest.mark.parametrize("classes", [1, 0, -2, 2.0, "3", True])
def test_the_spiral_refuses_classes_below_2_or_not_an_int(function, classes):
    with pytest.raises(ValueError, match=r"^classes must be an int of at least 2, found "):
        function("spiral", classes=classes)


@pytest.mark.parametrize("name, n, message", [
    ("spiral", 2, "n must be at least the spiral's 3 classes (a point an arm), found 2"),
    ("moons", 1, "n must be at least 2 (a point for each of the 2 classes), found 1"),
    ("circles", 1, "n must be at least 2 (a point for each of the 2 classes), found 1"),
    ("linear", 0, "n must be a positive int, found 0"),
    ("spiral", 2.5, "n must be a positive int, found 2.5"),
])
@pytest.mark.parametrize("function", [data.generate, data.size])
def test_generate_refuses_too_few_points(function, name, n, message):
    with pytest.raises(ValueError) as caught:
        function(name, n)
    assert str(caught.value) == message


# load_csv: accepted files

@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Work in tmp_path, so files are named as a user would: ``data.csv``."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(text, name="data.csv"):
    """Write ``text`` (str or bytes) to ``name`` byte for byte and return the name."""
    data = text.encode() if isinstance(text, str) else text
    with open(name, "wb") as file:
        file.write(data)
    return name


def test_load_csv_round_trips_generated_data(in_tmp):
    inputs, labels = generate_linear(20, rng=3)
    rows = [f"{x0!r},{x1!r},{int(label)}"
            for (x0, x1), (label,) in zip(inputs.tolist(), labels, strict=True)]
    loaded_inputs, loaded_labels = load_csv(write("x0,x1,label\n" + "\n".join(rows) + "\n"))
    assert loaded_inputs.dtype == np.float64 and loaded_labels.dtype == np.float64
    assert np.array_equal(loaded_inputs, inputs) and np.array_equal(loaded_labels, labels)


@pytest.mark.parametrize("features", [1, 3, 5])
def test_load_csv_reads_any_number_of_feature_columns(in_tmp, features):
    header = ",".join([f"f{j}" for j in range(features)] + ["label"])
    rows = [",".join([str(i * 10 + j) for j in range(features)] + [str(i % 2)]) for i in range(4)]
    inputs, labels = load_csv(write(header + "\n" + "\n".join(rows)))
    assert inputs.shape == (4, features) and labels.shape == (4, 1)
    assert np.array_equal(inputs[:, 0], [0, 10, 20, 30])
    assert np.array_equal(inputs[2], [20 + j for j in range(features)])
    assert np.array_equal(labels[:, 0], [0, 1, 0, 1])


def test_load_csv_accepts_the_four_ways_of_writing_a_label(in_tmp):
    _, labels = load_csv(write("x,label\n1,0\n2,1\n3,0.0\n4,1.0\n"))
    assert np.array_equal(labels[:, 0], [0.0, 1.0, 0.0, 1.0])


def test_load_csv_ignores_blank_lines_and_accepts_crlf_and_a_bom(in_tmp):
    text = "\ufeffx,label\r\n\r\n1.5,0\r\n   \r\n-2e3,1\r\n\r\n\r\n"
    inputs, labels = load_csv(write(text))
    assert np.array_equal(inputs, [[1.5], [-2000.0]]) and np.array_equal(labels, [[0.0], [1.0]])


def test_load_csv_accepts_a_path_object(in_tmp):
    inputs, _ = load_csv(in_tmp / write("x,label\n1,0\n2,1\n"))
    assert np.array_equal(inputs, [[1.0], [2.0]])


@given(matrix=hnp.arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(1, 4)),
                         elements=st.floats(allow_nan=False, allow_infinity=False)),
       data=st.data())
def test_load_csv_round_trips_any_finite_matrix_exactly(tmp_path_factory, matrix, data):
    """Strategy: finite float64 matrices (2-6 rows, 1-4 columns, any magnitude, signed zeros,
    subnormals) with labels 0, 1, 0.0 or 1.0, all written with repr(). Tolerance: none, bitwise."""
    labels = data.draw(st.lists(st.sampled_from([0, 1, 0.0, 1.0]), min_size=len(matrix),
                                max_size=len(matrix)))
    header = ",".join([f"x{j}" for j in range(matrix.shape[1])] + ["label"])
    rows = [",".join([repr(value) for value in row] + [repr(label)])
            for row, label in zip(matrix.tolist(), labels, strict=True)]
    path = tmp_path_factory.mktemp("roundtrip") / "data.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    inputs, loaded_labels = load_csv(path)
    assert inputs.dtype == np.float64 and inputs.tobytes() == matrix.tobytes()
    assert loaded_labels.shape == (len(matrix), 1)
    assert np.array_equal(loaded_labels[:, 0], np.array(labels, dtype=np.float64))


# load_csv: every refusal names the file, and the line where there is one

LABEL_RULE = "label must be a class index (an integer >= 0), found "
REFUSALS = {
    "empty file": (b"", "data.csv: the file is empty"),
    "only blank lines": ("\n\n  \n", "data.csv: the file is empty"),
    "only a BOM": ("\ufeff", "data.csv: the file is empty"),
    "header only": ("x0,x1,label\n", "data.csv: expected at least 2 data rows after the header, "
                                     "found 0"),
    "one data row": ("x0,x1,label\n1,2,0\n",
                     "data.csv: expected at least 2 data rows after the header, found 1"),
    "header of one column": ("label\n0\n1\n", "data.csv, line 1: the header needs at least 2 "
                                              "columns (features, then the label), found 1"),
    "row too short": ("x0,x1,label\n1,2,0\n3,4,1\n5,1\n",
                      "data.csv, line 4: expected 3 columns (as in the header), found 2"),
    "row too long": ("x0,x1,label\n1,2,0\n3,4,5,1\n",
                     "data.csv, line 3: expected 3 columns (as in the header), found 4"),
    "blank lines still count": ("x0,x1,label\n\n1,2,0\n\n3,4\n",
                                "data.csv, line 5: expected 3 columns (as in the header), found 2"),
    "word in a feature": ("x0,x1,label\n1,2,0\n3,abc,1\n",
                          "data.csv, line 3, column 2: expected a number, found abc"),
    "empty feature cell": ("x0,x1,label\n1,,0\n3,4,1\n",
                           "data.csv, line 2, column 2: expected a number, found an empty cell"),
    "underscore in a number": ("x0,x1,label\n1_000,2,0\n3,4,1\n",
                               "data.csv, line 2, column 1: expected a number, found 1_000"),
    "nan feature": ("x0,x1,label\n1,2,0\n3,4,1\nnan,5,0\n",
                    "data.csv, line 4, column 1: expected a finite number, found nan"),
    "inf feature": ("x0,x1,label\n1,inf,0\n3,4,1\n",
                    "data.csv, line 2, column 2: expected a finite number, found inf"),
    "-Infinity feature": ("x0,x1,label\n1,2,0\n3,-Infinity,1\n",
                          "data.csv, line 3, column 2: expected a finite number, found -Infinity"),
    "overflowing feature": ("x,label\n1e999,0\n3,1\n",
                            "data.csv, line 2, column 1: expected a finite number, found 1e999"),
    "label 2.5": ("x,y,label\n" + "0,0,1\n" * 5 + "1,2,2.5\n",
                  "data.csv, line 7: " + LABEL_RULE + "2.5"),
    "label -1": ("x,label\n1,0\n2,-1\n", "data.csv, line 3: " + LABEL_RULE + "-1"),
    "label word": ("x,label\n1,yes\n2,0\n", "data.csv, line 2: " + LABEL_RULE + "yes"),
    "label nan": ("x,label\n1,0\n2,nan\n", "data.csv, line 3: " + LABEL_RULE + "nan"),
    "label missing": ("x,label\n1,\n2,0\n",
                      "data.csv, line 2: " + LABEL_RULE + "an empty cell"),
    "not UTF-8": (b"x,label\n\xff,0\n1,1\n", "data.csv: not UTF-8 text"),
    "field over the csv limit": ("x,label\n1,0\n" + "1" * 200_000 + ",1\n",
                                 "data.csv, line 3: field larger than field limit (131072)"),
}


@pytest.mark.parametrize("text, message", REFUSALS.values(), ids=REFUSALS.keys())
def test_load_csv_refuses_with_file_and_line(in_tmp, text, message):
    with pytest.raises(ValueError) as caught:
        load_csv(write(text))
    assert str(caught.value) == message


def test_load_csv_refuses_a_missing_file(in_tmp):
    with pytest.raises(ValueError) as caught:
        load_csv("data.csv")
    assert str(caught.value) == "no such file: data.csv"


def test_load_csv_refuses_a_directory(in_tmp):
    (in_tmp / "data.csv").mkdir()
    with pytest.raises(ValueError) as caught:
        load_csv("data.csv")
    assert str(caught.value) == "data.csv is a directory, not a CSV file"


def test_load_csv_names_the_path_as_given(in_tmp):
    (in_tmp / "runs").mkdir()
    write("x,label\n1,0\n2,0.5\n", name="runs/data.csv")
    with pytest.raises(ValueError, match=r"^runs/data\.csv, line 3: label must be a class index"):
        load_csv("runs/data.csv")
    with pytest.raises(ValueError, match=r"^no such file: runs/missing\.csv$"):
        load_csv(Path("runs", "missing.csv"))


# load_csv: K classes, and a first row of numbers

def test_load_csv_reads_class_indices_beyond_1(in_tmp):
    _, labels = load_csv(write("x,label\n1,0\n2,2\n3,1.0\n4,7\n5,2.0\n6,-0\n"))
    assert np.array_equal(labels[:, 0], [0, 2, 1, 7, 2, 0])
    assert not np.signbit(labels).any()  # "-0" is class 0, not -0.0


def test_load_csv_reads_a_first_row_of_numbers_as_data(in_tmp):
    inputs, labels = load_csv(write("0.5,1e-3,1\n2,3,0\n-4,5,2\n"))
    assert np.array_equal(inputs, [[0.5, 1e-3], [2, 3], [-4, 5]])
    assert np.array_equal(labels[:, 0], [1, 0, 2])


def test_load_csv_reads_a_first_row_with_any_word_as_the_header(in_tmp):
    # One name among numbers makes it a header: a user's "1,2,label" names columns 1 and 2.
    inputs, _ = load_csv(write("1,2,label\n3,4,0\n5,6,1\n"))
    assert np.array_equal(inputs, [[3, 4], [5, 6]])


@pytest.mark.parametrize("text, message", [
    ("1,2,0\n3,4,1\n5,1\n", "data.csv, line 3: expected 3 columns (as in line 1), found 2"),
    ("\n\n1,2,0\n3,4\n", "data.csv, line 4: expected 3 columns (as in line 3), found 2"),
    ("5\n6\n", "data.csv, line 1: the first row needs at least 2 columns (features, then the "
               "label), found 1"),
    ("1,0\n", "data.csv: expected at least 2 data rows, found 1"),
    ("1,2,0\n3,inf,1\n", "data.csv, line 2, column 2: expected a finite number, found inf"),
    ("1,0.5\n2,1\n", "data.csv, line 1: label must be a class index (an integer >= 0), "
                     "found 0.5"),
])
def test_load_csv_without_a_header_names_its_lines(in_tmp, text, message):
    with pytest.raises(ValueError) as caught:
        load_csv(write(text))
    assert str(caught.value) == message


# save_csv

def test_save_csv_writes_a_header_then_repr_floats_and_integer_labels(in_tmp):
    save_csv("out.csv", np.array([[0.1, -2.0], [1 / 3, 1e-300]]), np.array([[2.0], [0.0]]))
    assert (in_tmp / "out.csv").read_text() == (
        "x1,x2,label\n0.1,-2.0,2\n0.3333333333333333,1e-300,0\n")


@pytest.mark.parametrize("name", data.NAMED_DATASETS)
def test_save_csv_round_trips_every_named_dataset(in_tmp, name):
    inputs, labels = data.generate(name, rng=2)
    save_csv(f"{name}.csv", inputs, labels)
    loaded_inputs, loaded_labels = load_csv(f"{name}.csv")
    assert loaded_inputs.tobytes() == inputs.tobytes()
    assert loaded_labels.tobytes() == labels.tobytes()


@given(matrix=hnp.arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(1, 4)),
                         elements=st.floats(allow_nan=False, allow_infinity=False)),
       data=st.data())
def test_save_csv_round_trips_any_finite_matrix_exactly(tmp_path_factory, matrix, data):
    """Strategy: finite float64 matrices (2-6 rows, 1-4 columns, any magnitude, signed zeros,
    subnormals) and labels 0..9 as a column or a flat vector. Tolerance: none, bitwise."""
    labels = np.array(data.draw(st.lists(st.integers(0, 9), min_size=len(matrix),
                                         max_size=len(matrix))), dtype=np.float64)
    flat = data.draw(st.booleans())
    path = tmp_path_factory.mktemp("save") / "points.csv"
    save_csv(path, matrix, labels if flat else labels.reshape(-1, 1))
    inputs, loaded_labels = load_csv(path)
    assert inputs.tobytes() == matrix.tobytes()
    assert loaded_labels.tobytes() == labels.reshape(-1, 1).tobytes()


def test_save_csv_accepts_ints_and_float32(in_tmp):
    save_csv("out.csv", np.array([[1, 2], [3, 4]]), [0, 1])
    save_csv("f32.csv", np.array([[0.1], [0.2]], dtype=np.float32), np.array([1, 0]))
    assert (in_tmp / "out.csv").read_text() == "x1,x2,label\n1.0,2.0,0\n3.0,4.0,1\n"
    inputs, _ = load_csv("f32.csv")
    assert inputs.astype(np.float32).tobytes() == np.array([[0.1], [0.2]], np.float32).tobytes()


SAVE_REFUSALS = [
    (np.zeros((3,)), np.zeros((3, 1)), "save_csv needs x of shape (n, k) and y of shape (n, 1) "
                                        "or (n,), found (3,) and (3, 1)"),
    (np.zeros((3, 0)), np.zeros(3), "save_csv needs x of shape (n, k) and y of shape (n, 1) or "
                                    "(n,), found (3, 0) and (3,)"),
    (np.zeros((3, 2)), np.zeros((2, 1)), "save_csv needs x of shape (n, k) and y of shape "
                                         "(n, 1) or (n,), found (3, 2) and (2, 1)"),
    (np.zeros((3, 2)), np.zeros((3, 2)), "save_csv needs x of shape (n, k) and y of shape "
                                         "(n, 1) or (n,), found (3, 2) and (3, 2)"),
    (np.zeros((1, 2)), np.zeros(1), "save_csv needs at least 2 rows (as load_csv reads), found 1"),
    ([[0, 1], [2, np.nan]], [0, 1], "save_csv: x[1] is not finite: [2.0, nan]"),
    ([[0, 1], [np.inf, 0]], [0, 1], "save_csv: x[1] is not finite: [inf, 0.0]"),
    ([[0], [1]], [0.5, 1], "save_csv: y[0] must be a class index (an integer >= 0), found 0.5"),
    ([[0], [1]], [0, -1], "save_csv: y[1] must be a class index (an integer >= 0), found -1.0"),
    ([[0], [1]], [0, np.nan], "save_csv: y[1] must be a class index (an integer >= 0), "
                              "found nan"),
]


@pytest.mark.parametrize("x, y, message", SAVE_REFUSALS)
def test_save_csv_refuses_what_load_csv_would_not_read_back(in_tmp, x, y, message):
    with pytest.raises(ValueError) as caught:
        save_csv("out.csv", x, y)
    assert str(caught.value) == message
    assert list(in_tmp.iterdir()) == []


def test_save_csv_leaves_an_existing_file_as_it_was_when_it_fails(in_tmp, monkeypatch):
    write("old contents\n", name="points.csv")
    with pytest.raises(ValueError):
        save_csv("points.csv", [[0], [1]], [0, 0.5])

    def fail(self, *args):  # the write itself fails midway, after the temporary file exists
        raise OSError(28, "No space left on device")

    inputs, labels = data.generate("moons", rng=0)
    monkeypatch.setattr(csv_files, "atomic_write", failing_atomic_write(fail))
    with pytest.raises(OSError, match="No space left"):
        save_csv("points.csv", inputs, labels)
    assert sorted(p.name for p in in_tmp.iterdir()) == ["points.csv"]  # no temporary left
    assert (in_tmp / "points.csv").read_text() == "old contents\n"


def failing_atomic_write(fail):
    """``files.atomic_write`` whose file's ``write`` calls ``fail`` instead of writing."""
    @contextlib.contextmanager
    def opened(path):
        with files.atomic_write(path) as file:
            yield FailingFile(file, fail)
    return opened


class FailingFile:
    """A file whose ``write`` calls ``fail``; everything else is the wrapped file's."""

    def __init__(self, file, fail):
        self.file, self.fail = file, fail

    def write(self, *args):
        self.file.write(b"part of the ")
        return self.fail(self, *args)


def test_save_csv_refuses_a_missing_folder(in_tmp):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        save_csv(in_tmp / "missing" / "out.csv", [[0], [1]], [0, 1])


# split

def blobs(counts):
    """Points with labels ``0`` x counts[0], ``1`` x counts[1], ...; x's first column is the
    point's index, so a split's rows can be traced back."""
    labels = np.repeat(np.arange(len(counts), dtype=np.float64), counts).reshape(-1, 1)
    inputs = np.column_stack([np.arange(len(labels), dtype=np.float64), labels[:, 0] * 10])
    return inputs, labels


def class_counts(labels, classes):
    return np.bincount(labels.reshape(-1).astype(int), minlength=classes).tolist()


def test_split_holds_out_each_class_in_proportion():
    x, y = blobs([200, 200, 200])
    x_train, y_train, x_test, y_test = split(x, y, 0.25, rng=0)
    assert x_train.shape == (450, 2) and y_train.shape == (450, 1)
    assert x_test.shape == (150, 2) and y_test.shape == (150, 1)
    assert class_counts(y_test, 3) == [50, 50, 50] and class_counts(y_train, 3) == [150] * 3
    assert x_train.dtype == np.float64 and y_test.dtype == np.float64


def test_split_is_a_partition_with_the_rows_kept_whole():
    x, y = blobs([30, 20, 11])
    x_train, y_train, x_test, y_test = split(x, y, 0.3, rng=4)
    indices = np.concatenate([x_train[:, 0], x_test[:, 0]]).astype(int)
    assert sorted(indices) == list(range(61))
    for inputs, labels in ((x_train, y_train), (x_test, y_test)):
        np.testing.assert_array_equal(inputs, x[inputs[:, 0].astype(int)])
        np.testing.assert_array_equal(labels, y[inputs[:, 0].astype(int)])


def test_split_shuffles_the_parts():
    x, y = blobs([50, 50])
    x_train, _, x_test, _ = split(x, y, rng=1)
    for part in (x_train, x_test):
        assert not np.array_equal(part[:, 0], np.sort(part[:, 0]))


def test_split_is_reproducible_with_a_seed_and_differs_between_seeds():
    x, y = blobs([40, 40])
    first, again, other = split(x, y, rng=3), split(x, y, rng=np.random.default_rng(3)), \
        split(x, y, rng=4)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[2], other[2])


@pytest.mark.parametrize("counts, fraction, test_counts", [
    ([10, 10], 0.25, [3, 2]),  # 5 held out: halves round up, the tie goes to class 0
    ([10, 10, 10], 0.25, [3, 3, 2]),  # 7.5 -> 8
    ([90, 10], 0.1, [9, 1]),
    ([97, 3], 0.1, [9, 1]),
    ([99, 1], 0.5, [50, 0]),  # a one-point class stays for training
    ([2, 2, 2, 2], 0.1, [1, 1, 1, 1]),  # 1 held out asked; each class keeps one in each part
    ([5, 5], 0.9, [4, 4]),  # and one in training
])
def test_split_rounds_each_class_so_both_parts_keep_it(counts, fraction, test_counts):
    x, y = blobs(counts)
    _, y_train, _, y_test = split(x, y, fraction, rng=0)
    assert class_counts(y_test, len(counts)) == test_counts
    assert class_counts(y_train, len(counts)) == [c - t for c, t in zip(counts, test_counts,
                                                                        strict=True)]


@given(counts=st.lists(st.integers(1, 40), min_size=1, max_size=5),
       fraction=st.floats(0.01, 0.99), seed=st.integers(0, 2**32 - 1))
def test_split_stratifies_any_labels(counts, fraction, seed):
    """Strategy: 1-5 classes of 1-40 points, fractions in [0.01, 0.99], any seed. Exact
    counts: a class's test size is within one point of its share of round(n * fraction)."""
    x, y = blobs(counts)
    n = sum(counts)
    held_out = int(np.floor(n * fraction + 0.5))
    if held_out in (0, n):
        with pytest.raises(ValueError, match="would be empty"):
            split(x, y, fraction, rng=seed)
        return
    x_train, y_train, x_test, y_test = split(x, y, fraction, rng=seed)
    tested = class_counts(y_test, len(counts))
    for count, test_count in zip(counts, tested, strict=True):
        if count == 1:
            assert test_count == 0
        else:
            assert 1 <= test_count <= count - 1
            assert abs(test_count - count * held_out / n) < 1 + 1e-9
    assert len(x_train) + len(x_test) == n and len(y_train) == len(x_train)


def test_split_takes_flat_labels_and_any_trailing_shape():
    x = np.arange(40.0).reshape(10, 2, 2)
    y = np.array([0, 1] * 5)
    x_train, y_train, x_test, y_test = split(x, y, 0.2, rng=0)
    assert x_train.shape == (8, 2, 2) and y_train.shape == (8,) and y_test.shape == (2,)
    assert sorted(y_test.tolist()) == [0, 1] and y_test.dtype == y.dtype


@pytest.mark.parametrize("fraction", [0, 1, 0.0, 1.0, -0.25, 1.5, float("nan"), "0.25", True,
                                      None])
def test_split_refuses_a_fraction_outside_0_1(fraction):
    x, y = blobs([10, 10])
    with pytest.raises(ValueError) as caught:
        split(x, y, fraction)
    assert str(caught.value) == ("test_fraction must be a number between 0 and 1 (both "
                                 f"excluded), found {fraction!r}")


@pytest.mark.parametrize("fraction, message", [
    (0.02, "test_fraction 0.02 of 20 points holds out 0: the test part would be empty"),
    (0.975, "test_fraction 0.975 of 20 points holds out 20: the training part would be empty"),
])
def test_split_refuses_a_fraction_that_leaves_a_part_empty(fraction, message):
    x, y = blobs([10, 10])
    with pytest.raises(ValueError) as caught:
        split(x, y, fraction)
    assert str(caught.value) == message


@pytest.mark.parametrize("x_shape, y_shape", [((10, 2), (9, 1)), ((10, 2), (10, 2)),
                                              ((10, 2), (10, 1, 1)), ((), (1,))])
def test_split_refuses_mismatched_shapes_naming_them(x_shape, y_shape):
    with pytest.raises(ValueError) as caught:
        split(np.zeros(x_shape), np.zeros(y_shape))
    assert str(caught.value) == (f"split needs x of shape (n, ...) and y of shape (n, 1) or "
                                 f"(n,), found {x_shape} and {y_shape}")
