"""Holding out part of a dataset for testing, class by class."""

import math

import numpy as np

from .generators import is_real

TEST_FRACTION = 0.25  # the share of the points split holds out unless asked otherwise


def split(x, y, test_fraction=TEST_FRACTION, rng=None):
    """Split ``(x, y)`` into a training part and a held-out test part, stratified: each class
    (each distinct label) is split in the same proportion.

    ``x`` has shape (n, ...) and ``y`` shape (n, 1) or (n,); ``test_fraction`` is a number
    strictly between 0 and 1; ``rng`` is None, an int seed or a ``numpy.random.Generator``,
    which picks the points and their order (one permutation of the n points). The test part
    holds ``round(n * test_fraction)`` points (halves rounded up), shared among the classes in
    proportion to their sizes (largest remainders first), except that a class of at least 2
    points always keeps at least one point in each part, which can add up to a point a class
    to a small test part; a class of one point stays in the training part.

    Returns ``(x_train, y_train, x_test, y_test)``, rows of ``x`` and ``y`` (same dtypes and
    trailing shapes) in random order. Raises ValueError if the lengths of ``x`` and ``y``
    differ, if ``test_fraction`` is not strictly between 0 and 1, or if it would leave the test
    part or the training part empty (``round(n * test_fraction)`` is 0 or n).
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim not in (1, 2) or (y.ndim == 2 and y.shape[1] != 1) \
            or len(x) != len(y):
        raise ValueError(f"split needs x of shape (n, ...) and y of shape (n, 1) or (n,), "
                         f"found {x.shape} and {y.shape}")
    if not is_real(test_fraction) or not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be a number between 0 and 1 (both excluded), "
                         f"found {test_fraction!r}")
    n = len(x)
    held_out = math.floor(n * test_fraction + 0.5)
    if held_out in (0, n):
        part = "test" if held_out == 0 else "training"
        raise ValueError(f"test_fraction {test_fraction:g} of {n} points holds out {held_out}: "
                         f"the {part} part would be empty")
    labels = y.reshape(-1)
    classes, class_sizes = np.unique(labels, return_counts=True)
    order = np.random.default_rng(rng).permutation(n)
    in_test = np.zeros(n, dtype=bool)
    for label, count in zip(classes, class_test_sizes(class_sizes, held_out), strict=True):
        members = order[labels[order] == label]  # this class's points, in random order
        in_test[members[:count]] = True
    train, test = order[~in_test[order]], order[in_test[order]]
    return x[train], y[train], x[test], y[test]


def class_test_sizes(class_sizes, held_out):
    """How many of each class's points go to the test part: each class's share of ``held_out``
    rounded down, but at least 1 and at most its size - 1 (0 for a class of one point); then
    one more for the classes with the largest remainders that have room, until ``held_out``."""
    share = class_sizes * (held_out / class_sizes.sum())
    sizes = np.where(class_sizes >= 2, np.clip(np.floor(share).astype(int), 1, class_sizes - 1), 0)
    # Stable: equal remainders go to the classes in label order, so the split is reproducible.
    by_remainder = np.argsort(-(share - np.floor(share)), kind="stable")
    with_room = by_remainder[sizes[by_remainder] < class_sizes[by_remainder] - 1]
    sizes[with_room[:max(0, held_out - sizes.sum())]] += 1
    return sizes
