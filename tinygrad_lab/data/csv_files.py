"""The user's own data as CSV files: feature columns, then the label, one point a row."""

import csv
import math
import os

import numpy as np

from ..files import atomic_write

MIN_ROWS = 2  # load_csv's fewest data rows (fit, and the lab's accuracy, want more than one)


def load_csv(path):
    """Read a CSV file of the user's data: feature columns with the label last, one point a row.

    ``path`` is a str or path-like. There may be any number (at least one) of feature columns,
    and at least MIN_ROWS data rows; each label is a class index 0, 1, 2, ... (an integer,
    written as ``2`` or ``2.0``). The first row is a header (its names are not used) unless
    every cell of it is a number: then it is read as the first data row, so a file without a
    header loses no point. Blank lines are ignored and a UTF-8 byte-order mark is accepted.
    Returns ``(inputs, labels)`` of shapes (n, k) and (n, 1), float64.

    Raises ValueError naming the file, and the 1-based line number where there is one, for: a
    missing file or a directory, an empty file, a first row with fewer than 2 columns, a row
    whose number of columns differs from the first row's, a cell that is not a number, a
    feature that is NaN or infinite, a label that is not an integer >= 0, and fewer than
    MIN_ROWS data rows.
    """
    rows = read_rows(path)
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    first_line, first = rows[0]
    has_header = not all(number(cell) is not None for cell in first)
    if len(first) < 2:
        row = "the header" if has_header else "the first row"
        raise ValueError(f"{path}, line {first_line}: {row} needs at least 2 columns "
                         f"(features, then the label), found {len(first)}")
    data = rows[1:] if has_header else rows
    width = "as in the header" if has_header else f"as in line {first_line}"
    inputs, labels = [], []
    for line, row in data:
        if len(row) != len(first):
            raise ValueError(f"{path}, line {line}: expected {len(first)} columns "
                             f"({width}), found {len(row)}")
        *features, label = row
        inputs.append([feature(cell, f"{path}, line {line}, column {column}")
                       for column, cell in enumerate(features, start=1)])
        labels.append(class_index(label, f"{path}, line {line}"))
    if len(data) < MIN_ROWS:
        after = " after the header" if has_header else ""
        raise ValueError(f"{path}: expected at least {MIN_ROWS} data rows{after}, "
                         f"found {len(data)}")
    return np.array(inputs, dtype=np.float64), np.array(labels, dtype=np.float64).reshape(-1, 1)


def save_csv(path, x, y):
    """Write ``(x, y)`` to the CSV file ``path`` as ``load_csv`` reads it back, exactly.

    ``x`` has shape (n, k) with finite values, ``y`` shape (n, 1) or (n,) with class indices
    0, 1, 2, ..., and n >= MIN_ROWS. The file has a header row ``x1,x2,...,xk,label``, then one
    row a point: each feature as Python's ``repr`` of the float (the shortest text that reads
    back to the same float64) and the label as an integer. The file is written whole or not at
    all: on any error an existing file at ``path`` is left as it was.

    Raises ValueError for shapes other than these, a feature that is not finite, or a label that
    is not an integer >= 0 (naming its row), fewer than MIN_ROWS rows; FileNotFoundError if
    the folder of ``path`` does not exist.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 1 or y.shape not in ((len(x),), (len(x), 1)):
        raise ValueError(f"save_csv needs x of shape (n, k) and y of shape (n, 1) or (n,), "
                         f"found {x.shape} and {y.shape}")
    if len(x) < MIN_ROWS:
        raise ValueError(f"save_csv needs at least {MIN_ROWS} rows (as load_csv reads), "
                         f"found {len(x)}")
    labels = y.reshape(-1)
    for row, (features, label) in enumerate(zip(x, labels, strict=True)):
        if not np.all(np.isfinite(features)):
            raise ValueError(f"save_csv: x[{row}] is not finite: {features.tolist()}")
        if not (math.isfinite(label) and label >= 0 and label == int(label)):
            raise ValueError(f"save_csv: y[{row}] must be a class index (an integer >= 0), "
                             f"found {float(label)!r}")
    header = [f"x{column}" for column in range(1, x.shape[1] + 1)] + ["label"]
    lines = [",".join(header)]
    lines += [",".join([*map(repr, features.tolist()), str(int(label))])
              for features, label in zip(x, labels, strict=True)]
    with atomic_write(path) as file:
        file.write(("\n".join(lines) + "\n").encode("utf-8"))


def read_rows(path):
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


def number(cell):
    """The cell's value as a float, or None if it is not a number."""
    # float() also reads "1_000"; in a data file that is far more likely a typo than a number.
    try:
        return None if "_" in cell else float(cell)
    except ValueError:
        return None


def shown(cell):
    """The cell as a message shows it."""
    return cell.strip() or "an empty cell"


def feature(cell, where):
    """The cell as a finite float; ValueError starting with ``where`` otherwise."""
    value = number(cell)
    if value is None:
        raise ValueError(f"{where}: expected a number, found {shown(cell)}")
    if not math.isfinite(value):
        raise ValueError(f"{where}: expected a finite number, found {shown(cell)}")
    return value


def class_index(cell, where):
    """The cell as a class index (a float holding an integer >= 0); ValueError starting with
    ``where`` otherwise."""
    value = number(cell)
    if value is None or not math.isfinite(value) or value < 0 or value != int(value):
        raise ValueError(f"{where}: label must be a class index (an integer >= 0), "
                         f"found {shown(cell)}")
    return float(int(value))  # -0.0 as 0.0
