"""The datasets drawn by code: the lab's linear split and easy XOR points, and three classic
two-dimensional problems beyond the lab (spiral, moons, circles), written here from their
textbook definitions.

Each returns ``(inputs, labels)``: inputs of shape (n, 2) and labels of shape (n, 1), both
float64, the labels being class indices 0..K-1 with the points of class 0 first. ``rng`` is None
(fresh entropy), an int seed or a ``numpy.random.Generator`` (which is advanced).
"""

import math
import numbers

import numpy as np

LINEAR_SIZE = 100  # points in the linear dataset unless asked otherwise
XOR_SIZE = 21  # the spec's easy XOR points: 11 on the diagonal, 10 more on the anti-diagonal
SPIRAL_PER_CLASS = 100  # points on each arm of the spiral unless asked otherwise
SPIRAL_CLASSES = 3
SPIRAL_NOISE = 0.2  # the standard deviation of the angle's noise, in radians
SPIRAL_TURN = 4.0  # each arm sweeps this many radians, the next one starting where it ends
MOONS_SIZE = 200
MOONS_NOISE = 0.1
CIRCLES_SIZE = 200
CIRCLES_NOISE = 0.05
CIRCLES_FACTOR = 0.5  # the inner circle's radius, the outer one's being 1


def generate_linear(n=LINEAR_SIZE, rng=None):
    """Draw ``n`` points uniformly from [0, 1]^2, labelled by which side of x0 = x1 they fall.

    A point is labelled 0 where ``x0 > x1`` and 1 otherwise, as in the lab's spec (the points are
    in the order drawn, not by class). Returns ``(inputs, labels)`` of shapes (n, 2) and (n, 1),
    float64. Raises ValueError if ``n`` is not a positive int.
    """
    check_positive_int(n, "n")
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


def generate_spiral(n_per_class=SPIRAL_PER_CLASS, classes=SPIRAL_CLASSES, noise=SPIRAL_NOISE,
                    rng=None):
    """``classes`` interleaved spiral arms of ``n_per_class`` points each (CS231n's spiral).

    On arm j the radius runs evenly from 0 to 1 while the angle runs evenly from 4j to 4(j + 1)
    radians plus ``noise`` times a standard normal draw; a point is (r sin t, r cos t), labelled
    j. Returns ``(inputs, labels)`` of shapes (n_per_class * classes, 2) and (.., 1), float64.
    Raises ValueError if ``n_per_class`` is not a positive int, ``classes`` not an int >= 2 or
    ``noise`` not a number >= 0.
    """
    check_positive_int(n_per_class, "n_per_class")
    check_classes(classes)
    return spiral_arms([int(n_per_class)] * int(classes), noise, rng)


def spiral_arms(counts, noise, rng):
    """The spiral with ``counts[j]`` points on arm j (as ``generate_spiral``, which checks the
    arguments; ``generate`` gives the arms unequal counts to reach any total)."""
    check_noise(noise)
    rng = np.random.default_rng(rng)
    inputs, labels = [], []
    for arm, count in enumerate(counts):
        radius = np.linspace(0.0, 1.0, count)
        angle = (np.linspace(SPIRAL_TURN * arm, SPIRAL_TURN * (arm + 1), count)
                 + noise * rng.standard_normal(count))
        inputs.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(count, float(arm)))
    return np.concatenate(inputs), np.concatenate(labels).reshape(-1, 1)


def generate_moons(n=MOONS_SIZE, noise=MOONS_NOISE, rng=None):
    """Two interleaving half circles of radius 1: class 0 the upper one, centred at (0, 0),
    class 1 the lower one, centred at (1, 0.5); each point moved by ``noise`` times a standard
    normal draw in each coordinate.

    Class 0 has ``n - n // 2`` points and class 1 ``n // 2``, evenly spaced along their arcs
    before the noise. Returns ``(inputs, labels)`` of shapes (n, 2) and (n, 1), float64. Raises
    ValueError if ``n`` is not an int >= 2 (a point a class) or ``noise`` not a number >= 0.
    """
    upper, lower = two_class_sizes(n)
    check_noise(noise)
    upper_angle, lower_angle = np.linspace(0.0, math.pi, upper), np.linspace(0.0, math.pi, lower)
    inputs = np.concatenate([
        np.column_stack([np.cos(upper_angle), np.sin(upper_angle)]),
        np.column_stack([1.0 - np.cos(lower_angle), 0.5 - np.sin(lower_angle)])])
    return with_noise(inputs, noise, rng), two_class_labels(upper, lower)


def generate_circles(n=CIRCLES_SIZE, noise=CIRCLES_NOISE, factor=CIRCLES_FACTOR, rng=None):
    """Two circles centred at the origin: class 0 of radius 1, class 1 of radius ``factor``;
    each point moved by ``noise`` times a standard normal draw in each coordinate.

    Class 0 has ``n - n // 2`` points and class 1 ``n // 2``, evenly spaced around their circles
    before the noise. Returns ``(inputs, labels)`` of shapes (n, 2) and (n, 1), float64. Raises
    ValueError if ``n`` is not an int >= 2, ``noise`` not a number >= 0, or ``factor`` not a
    number strictly between 0 and 1.
    """
    outer, inner = two_class_sizes(n)
    check_noise(noise)
    if not is_real(factor) or not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be a number between 0 and 1 (both excluded), "
                         f"found {factor!r}")

    def circle(count, radius):
        angle = np.linspace(0.0, 2.0 * math.pi, count, endpoint=False)
        return radius * np.column_stack([np.cos(angle), np.sin(angle)])

    inputs = np.concatenate([circle(outer, 1.0), circle(inner, float(factor))])
    return with_noise(inputs, noise, rng), two_class_labels(outer, inner)


def with_noise(inputs, noise, rng):
    """``inputs`` plus ``noise`` times standard normal draws from ``rng``."""
    return inputs + noise * np.random.default_rng(rng).standard_normal(inputs.shape)


def two_class_sizes(n):
    """The points of class 0 and of class 1 in a two-class set of ``n`` (class 0 gets the odd
    one); ValueError unless ``n`` is an int >= 2."""
    check_positive_int(n, "n")
    if n < 2:
        raise ValueError(f"n must be at least 2 (a point for each of the 2 classes), found {n!r}")
    return int(n) - int(n) // 2, int(n) // 2


def two_class_labels(first, second):
    """``first`` labels 0 then ``second`` labels 1, as a float64 (n, 1) column."""
    return np.repeat([0.0, 1.0], [first, second]).reshape(-1, 1)


def is_int(value):
    """Whether ``value`` is an int (a NumPy one too), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value):
    """Whether ``value`` is a real number (a NumPy one too), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_positive_int(value, name):
    """Raise ValueError naming ``name`` unless ``value`` is an int >= 1 (NumPy ints too)."""
    if not is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive int, found {value!r}")


def check_classes(classes):
    """Raise ValueError unless ``classes`` is an int >= 2."""
    if not is_int(classes) or classes < 2:
        raise ValueError(f"classes must be an int of at least 2, found {classes!r}")


def check_noise(noise):
    """Raise ValueError unless ``noise`` is a finite number >= 0."""
    if not is_real(noise) or not 0.0 <= noise < math.inf:
        raise ValueError(f"noise must be a finite number >= 0, found {noise!r}")
