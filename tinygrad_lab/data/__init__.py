"""The datasets: the lab's linear split and easy XOR points, the spiral, moons and circles beyond
the lab, the user's own CSV files, and a stratified held-out split.

Every loader returns ``(inputs, labels)``: inputs of shape (n, k) and labels of shape (n, 1),
both float64, the labels being class indices 0..K-1 (0 or 1 for the lab's datasets).
``generate(name)`` is the one place that picks a dataset by its name.
"""

from .csv_files import MIN_ROWS, load_csv, save_csv
from .generators import (
    CIRCLES_FACTOR,
    CIRCLES_NOISE,
    CIRCLES_SIZE,
    LINEAR_SIZE,
    MOONS_NOISE,
    MOONS_SIZE,
    SPIRAL_CLASSES,
    SPIRAL_NOISE,
    SPIRAL_PER_CLASS,
    XOR_SIZE,
    generate_circles,
    generate_linear,
    generate_moons,
    generate_spiral,
    generate_XOR_easy,
)
from .named import DATASETS, NAMED_DATASETS, dataset_classes, dataset_name, generate, size
from .split import TEST_FRACTION, split

__all__ = ["CIRCLES_FACTOR", "CIRCLES_NOISE", "CIRCLES_SIZE", "DATASETS", "LINEAR_SIZE",
           "MIN_ROWS", "MOONS_NOISE", "MOONS_SIZE", "NAMED_DATASETS", "SPIRAL_CLASSES",
           "SPIRAL_NOISE", "SPIRAL_PER_CLASS", "TEST_FRACTION", "XOR_SIZE", "dataset_classes",
           "dataset_name", "generate", "generate_XOR_easy", "generate_circles",
           "generate_linear", "generate_moons", "generate_spiral", "load_csv", "save_csv",
           "size", "split"]
