"""Beyond the lab: three interleaved spirals, one class each. A network of Linear and ReLU
modules in an ``nn.Sequential``, trained with cross-entropy on three quarters of the points,
then tested on the quarter it never saw. Seed 0 follows the command line's rule
(``tinygrad_lab.seeding``): the points, the split and the weights of
`tinygrad-lab train --dataset spiral`.

Run ``python demos/spiral.py [FIGURE.png]``: it prints the training lines and the held-out
accuracy and writes the decision regions to FIGURE.png (default: spiral-decision-regions.png in
the current folder). A few seconds.
"""

import sys

from tinygrad_lab import data, nn, optim
from tinygrad_lab.lab.config import DATASET_CONFIGS
from tinygrad_lab.seeding import seeded_streams
from tinygrad_lab.train import accuracy, fit, predict

SPIRAL = DATASET_CONFIGS["spiral"]  # what `tinygrad-lab train --dataset spiral` trains
CLASSES = 3
SEED = 0
DEFAULT_FIGURE = "spiral-decision-regions.png"


def spiral_network(rng):
    """2 inputs, the hidden ReLU layers of SPIRAL, and one output per class (logits: no softmax
    here, since cross-entropy is computed from the logits)."""
    sizes = [2, *SPIRAL["hidden"], CLASSES]
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(fan_in, fan_out, bias=True, init=SPIRAL["init"], rng=rng),
                   nn.ReLU()]
    return nn.Sequential(*layers[:-1])  # no ReLU after the last layer


def main(figure_path=DEFAULT_FIGURE):
    data_rng, model_rng, shuffle_rng = seeded_streams(SEED)
    x, y = data.generate_spiral(n_per_class=SPIRAL["samples"] // CLASSES, classes=CLASSES,
                                rng=data_rng)
    x_train, y_train, x_test, y_test = data.split(x, y, SPIRAL["test_fraction"], rng=data_rng)
    model = spiral_network(model_rng)
    print(model)
    print(f"training on {len(x_train)} points, {len(x_test)} held out")
    fit(model, x_train, y_train, epochs=SPIRAL["epochs"], loss="cross_entropy",
        optimizer=optim.Adam(model.parameters(), lr=SPIRAL["learning_rate"]),
        epsilon=SPIRAL["epsilon"], validation=(x_test, y_test), log_every=100, rng=shuffle_rng)
    held_out = accuracy(predict(model, x_test), y_test)  # predict gives (n, 3) probabilities
    print(f"test accuracy: {held_out:.2f} on the {len(x_test)} held-out points")

    from tinygrad_lab.plot import decision_boundary  # matplotlib is needed only for the figure

    decision_boundary(model, x, y, path=figure_path)
    print(f"wrote {figure_path}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
