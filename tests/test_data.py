"""The datasets: the spec's linear split and XOR points, and load_csv with every way it refuses."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_lab import data
from tinygrad_lab.data import generate_linear, generate_XOR_easy, load_csv


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


# generate: the lab's datasets by name

def test_generate_picks_the_dataset_by_name():
    for got, expected in ((data.generate("linear", 30, rng=5), generate_linear(30, rng=5)),
                          (data.generate("linear", rng=5), generate_linear(rng=5)),
                          (data.generate("xor", 30, rng=5), generate_XOR_easy())):
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_array_equal(got[1], expected[1])


@pytest.mark.parametrize("name", data.DATASETS)
@pytest.mark.parametrize("n", [7, data.LINEAR_SIZE])
def test_size_is_the_number_of_points_generate_returns(name, n):
    assert data.size(name, n) == len(data.generate(name, n, rng=0)[0])
    assert data.size("xor") == data.XOR_SIZE and data.size("linear") == data.LINEAR_SIZE


@pytest.mark.parametrize("function", [data.generate, data.size])
def test_an_unknown_dataset_is_refused_naming_the_choices(function):
    with pytest.raises(ValueError, match="'circles'.*linear, xor"):
        function("circles")


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
                  "data.csv, line 7: label must be 0 or 1, found 2.5"),
    "label -1": ("x,label\n1,0\n2,-1\n", "data.csv, line 3: label must be 0 or 1, found -1"),
    "label word": ("x,label\n1,yes\n2,0\n", "data.csv, line 2: label must be 0 or 1, found yes"),
    "label nan": ("x,label\n1,0\n2,nan\n", "data.csv, line 3: label must be 0 or 1, found nan"),
    "label missing": ("x,label\n1,\n2,0\n",
                      "data.csv, line 2: label must be 0 or 1, found an empty cell"),
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
    write("x,label\n1,0\n2,3\n", name="runs/data.csv")
    with pytest.raises(ValueError, match=r"^runs/data\.csv, line 3: label must be 0 or 1"):
        load_csv("runs/data.csv")
    with pytest.raises(ValueError, match=r"^no such file: runs/missing\.csv$"):
        load_csv(Path("runs", "missing.csv"))
