"""The lab on the linear split: train the spec's network, then test it, in the spec's format.

Run ``python demos/linear.py``; ``--plot DIR`` also saves the comparison figure and the learning
curve as PNG files in DIR (nothing is written otherwise). Seed 0 follows the command line's rule
(``tinygrad_lab.seeding``), so this is the run `tinygrad-lab lab` prints for linear.
"""

import argparse
import os

from tinygrad_lab import fit, predict
from tinygrad_lab.data import generate_linear
from tinygrad_lab.lab.config import LAB_CONFIG as LAB  # the lab's settings, as `tinygrad-lab lab`
from tinygrad_lab.lab.config import LOG_EVERY
from tinygrad_lab.nn import MLP
from tinygrad_lab.optim import Adam
from tinygrad_lab.pipes import quiet_broken_pipe
from tinygrad_lab.seeding import seeded_streams
from tinygrad_lab.train import format_header, testing_lines

SEED = 0


def main():
    parser = argparse.ArgumentParser(description="Train and test the lab's network on the "
                                     "linear data.")
    parser.add_argument("--plot", metavar="DIR", help="save the figures as PNG files in DIR")
    args = parser.parse_args()

    data_rng, model_rng, shuffle_rng = seeded_streams(SEED)  # as `tinygrad-lab lab --seed 0`
    x, y = generate_linear(rng=data_rng)
    model = MLP(in_features=2, hidden=LAB["hidden"], activation=LAB["activation"], bias=False,
                rng=model_rng)
    optimizer = Adam(model.parameters(), lr=LAB["learning_rate"])  # the lab trains with Adam
    print(format_header("linear"))
    history = fit(model, x, y, epochs=LAB["epochs"], optimizer=optimizer,
                  epsilon=LAB["epsilon"], log_every=LOG_EVERY, rng=shuffle_rng)

    pred_y = predict(model, x)
    print("\n".join(testing_lines(pred_y, y)))

    if args.plot:
        from tinygrad_lab import plot  # matplotlib is needed only for the figures

        os.makedirs(args.plot, exist_ok=True)
        plot.show_result(x, y, pred_y, path=os.path.join(args.plot, "linear-comparison.png"))
        plot.learning_curve(history, path=os.path.join(args.plot, "linear-learning-curve.png"))
        print(f"wrote the figures to {args.plot}")


if __name__ == "__main__":
    with quiet_broken_pipe():  # `python demos/linear.py | head` ends without a traceback
        main()
