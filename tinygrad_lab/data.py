"""The lab's datasets: the linear split, the easy XOR points, and the user's own CSV files.

Every loader returns ``(inputs, labels)``: inputs of shape (n, k) and labels of shape (n, 1),
both float64, with labels 0 or 1. ``generate(name)`` is the one place that picks a lab dataset
by its name; everything that takes a dataset name (the command line, the lab's runs, the report)
goes through it.
"""

import csv
import math
import numbers
import os

import numpy as np

DATASETS = ("linear", "xor")  # the lab's datasets, by the name the command line takes
LINEAR_SIZE = 100  # points in the linear dataset unless asked otherwise
XOR_SIZE = 21  # the spec's easy XOR points: 11 on the diagonal, 10 more on the anti-diagonal


def generate(name, n=LINEAR_SIZE, rng=None):
    """The lab dataset called ``name``: "linear" (``n`` points drawn with ``rng``, see
    ``generate_linear``) or "xor" (the XOR_SIZE fixed points; ``n`` and ``rng`` are not used).

    Returns ``(inputs, labels)``; raises ValueError for any other name.
    """
    if dataset_name(name) == "xor":
        return generate_XOR_easy()
    return generate_linear(n, rng=rng)


def size(name, n=LINEAR_SIZE):
    """The number of points ``generate(name, n)`` returns; ValueError for an unknown name."""
    return XOR_SIZE if dataset_name(name) == "xor" else n


def dataset_name(name):
    """``name`` if it is one of DATASETS; raises ValueError naming the choices otherwise."""
    if name not in DATASETS:
        raise ValueError(f"no dataset {name!r}: expected one of {', '.join(DATASETS)}")
    return name


def generate_linear(n=LINEAR_SIZE, rng=None):
    """Draw ``n`` points uniformly from [0, 1]^2, labelled by which side of x0 = x1 they fall.

    A point is labelled 0 where ``x0 > x1`` and 1 otherwise, as in the lab's spec. ``rng`` is
    None (fresh entropy), an int seed or a ``numpy.random.Generator``. Returns ``(inputs,
    labels)`` of shapes (n, 2) and (n, 1), float64. Raises ValueError if ``n`` is not a positive
    int.
    """
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive int, found {n!r}")
    inputs = np.random.default_rng(rng).uniform(0.0, 1.0, size=(int(n), 2))
    labels = (inputs[:, 0] <= inputs[:, 1]).astype(np.float64).reshape(-1, 1)
    return inputs, labels


def generate_XOR_easy():
    """The spec's 21 XOR points: the diagonal labelled 0, the anti-diagonal labelled 1.

    Points come in the spec's order and with its float values (``0.1 * i``, ``1 - 0.1 * i``); the
    centre (0.5, 0.5) appears once, labelled 0. Takes nothing, raises nothing. Returns ``(inputs,
    labels)`` of shapes (21, 2) and (21, 1), float64.
    """
    inputs, labels = [], []
    for i in range(11):
        inputs.append([0.1 * i, 0.1 * i])
        labels.append(0.0)
        if 0.1 * i == 0.5:
            continue
        inputs.append([0.1 * i, 1 - 0.1 * i])
        labels.append(1.0)
    return np.array(inputs, dtype=np.float64), np.array(labels, dtype=np.float64).reshape(-1, 1)


def load_csv(path):
    """Read a CSV file of the user's data: a header row, then feature columns with the label last.

    ``path`` is a str or path-like. There may be any number (at least one) of feature columns,
    and at least two data rows; each label is 0 or 1 (written as ``0``, ``1``, ``0.0`` or ``1.0``).
    Blank lines are ignored and a UTF-8 byte-order mark is accepted. Returns ``(inputs, labels)``
    of shapes (n, k) and (n, 1), float64.

    Raises ValueError naming the file, and the 1-based line number where there is one, for: a
    missing file or a directory, an empty file, a header with fewer than 2 columns, a row whose
    number of columns differs from the header's, a cell that is not a number, a feature that is
    NaN or infinite, a label that is not 0 or 1, and fewer than 2 data rows.
    """
    rows = _read_rows(path)
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    (header_line, header), data = rows[0], rows[1:]
    if len(header) < 2:
        raise ValueError(f"{path}, line {header_line}: the header needs at least 2 columns "
                         f"(features, then the label), found {len(header)}")
    inputs, labels = [], []
    for line, row in data:
        if len(row) != len(header):
            raise ValueError(f"{path}, line {line}: expected {len(header)} columns "
                             f"(as in the header), found {len(row)}")
        *features, label = row
        inputs.append([_feature(cell, f"{path}, line {line}, column {column}")
                       for column, cell in enumerate(features, start=1)])
        labels.append(_label(label, f"{path}, line {line}"))
    if len(data) < 2:
        raise ValueError(f"{path}: expected at least 2 data rows after the header, "
                         f"found {len(data)}")
    return np.array(inputs, dtype=np.float64), np.array(labels, dtype=np.float64).reshape(-1, 1)


def _read_rows(path):
    """The file's non-blank rows as ``(line number, cells)`` pairs; file problems as ValueError."""
    if os.path.isdir(path):
        raise ValueError(f"{path} is a directory, not a CSV file")
    try:
        # utf-8-sig drops a byte-order mark, which spreadsheet programs like to write.
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            return [(reader.line_num, row) for row in reader
                    if len(row) > 1 or (row and row[0].strip())]
    except FileNotFoundError:
        raise ValueError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    except csv.Error as error:
        raise ValueError(f"{path}, line {reader.line_num}: {error}") from None


def _number(cell):
    """The cell's value as a float, or None if it is not a number."""
    # float() also reads "1_000"; in a data file that is far more likely a typo than a number.
    try:
        return None if "_" in cell else float(cell)
    except ValueError:
        return None


def _shown(cell):
    return cell.strip() or "an empty cell"


def _feature(cell, where):
    value = _number(cell)
    if value is None:
        raise ValueError(f"{where}: expected a number, found {_shown(cell)}")
    if not math.isfinite(value):
        raise ValueError(f"{where}: expected a finite number, found {_shown(cell)}")
    return value


def _label(cell, where):
    value = _number(cell)
    if value not in (0.0, 1.0):
        raise ValueError(f"{where}: label must be 0 or 1, found {_shown(cell)}")
    return 1.0 if value == 1.0 else 0.0
