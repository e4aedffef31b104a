"""The datasets by name: the one place that turns a dataset's name into its points, its size or
its number of classes. Everything that takes a name (the command line, the lab's runs, the
report) goes through it."""

from .generators import (
    CIRCLES_SIZE,
    LINEAR_SIZE,
    MOONS_SIZE,
    SPIRAL_CLASSES,
    SPIRAL_NOISE,
    SPIRAL_PER_CLASS,
    XOR_SIZE,
    check_classes,
    check_positive_int,
    generate_circles,
    generate_linear,
    generate_moons,
    generate_XOR_easy,
    spiral_arms,
    two_class_sizes,
)

DATASETS = ("linear", "xor")  # the lab's datasets: the lab and its report run on each of them
NAMED_DATASETS = (*DATASETS, "spiral", "moons", "circles")  # every name generate takes


def generate(name, n=None, rng=None, classes=None):
    """The dataset called ``name`` (one of NAMED_DATASETS) with its generator's defaults.

    ``n`` is the number of points (None: the dataset's default, see ``size``); "xor" has its
    XOR_SIZE fixed points, so ``n`` and ``rng`` are not used there. For "spiral", ``n`` points
    are shared among the arms as evenly as they go (the first arms get one more), so
    ``generate("spiral", 3 * m, rng)`` is ``generate_spiral(m, 3, rng=rng)``. ``classes`` is
    the spiral's number of arms (None: SPIRAL_CLASSES). Returns ``(inputs, labels)``.

    Raises ValueError for an unknown name, a ``classes`` given for a dataset other than
    "spiral" or below 2, an ``n`` that is not a positive int, or a spiral ``n`` below its
    number of classes.
    """
    arms = dataset_classes(name, classes)
    if name == "xor":
        return generate_XOR_easy()
    n = size(name, n, classes)
    if name == "linear":
        return generate_linear(n, rng=rng)
    if name == "moons":
        return generate_moons(n, rng=rng)
    if name == "circles":
        return generate_circles(n, rng=rng)
    counts = [n // arms + (arm < n % arms) for arm in range(arms)]
    return spiral_arms(counts, SPIRAL_NOISE, rng)


def size(name, n=None, classes=None):
    """The number of points ``generate(name, n, classes=classes)`` returns: XOR_SIZE for "xor",
    else ``n``, or the dataset's default when ``n`` is None (LINEAR_SIZE, SPIRAL_PER_CLASS a
    class, MOONS_SIZE, CIRCLES_SIZE). Raises ValueError as ``generate`` does."""
    arms = dataset_classes(name, classes)
    if name == "xor":
        return XOR_SIZE
    if n is None:
        return {"linear": LINEAR_SIZE, "spiral": SPIRAL_PER_CLASS * arms,
                "moons": MOONS_SIZE, "circles": CIRCLES_SIZE}[name]
    check_positive_int(n, "n")
    if name == "spiral" and n < arms:
        raise ValueError(f"n must be at least the spiral's {arms} classes (a point an arm), "
                         f"found {n!r}")
    if name in ("moons", "circles"):
        two_class_sizes(n)  # raises for fewer than a point a class
    return int(n)


def dataset_classes(name, classes=None):
    """The number of classes K of the dataset ``name``: ``classes`` for "spiral" (None:
    SPIRAL_CLASSES), 2 for the others. Raises ValueError for an unknown name, for a
    ``classes`` given to a dataset other than "spiral", or one that is not an int >= 2."""
    dataset_name(name)
    if name != "spiral":
        if classes is not None:
            raise ValueError(f"classes is an option of the spiral only; {name} has 2 classes")
        return 2
    if classes is None:
        return SPIRAL_CLASSES
    check_classes(classes)
    return int(classes)


def dataset_name(name):
    """``name`` if it is one of NAMED_DATASETS; raises ValueError naming the choices otherwise."""
    if name not in NAMED_DATASETS:
        raise ValueError(f"no dataset {name!r}: expected one of {', '.join(NAMED_DATASETS)}")
    return name
