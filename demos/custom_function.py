"""Your own differentiable op: a Swish activation written as a ``tinygrad_lab.Function``.

A Function works on plain NumPy arrays: ``forward`` returns the output and what the gradient
will need (``saved``); ``backward`` gets the gradient of the loss with respect to the output,
``g``, and returns one gradient per input. Here swish(x) = x * sigmoid(x), so by the product
rule d swish / dx = s + x * s * (1 - s), with s = sigmoid(x).

The script checks that hand-written gradient against central differences
(``tinygrad_lab.gradcheck``), then uses Swish as the hidden activation of a small network
trained with ``fit`` on the lab's XOR points, and prints the check's result (and what the check
says of a wrong gradient) and the accuracy.
Run ``python demos/custom_function.py``; it takes a second or two and writes nothing.
"""

import numpy as np

from tinygrad_lab import (
    Function,
    GradcheckError,
    Tensor,
    accuracy,
    fit,
    gradcheck,
    nn,
    optim,
    predict,
)
from tinygrad_lab.data import generate_XOR_easy
from tinygrad_lab.pipes import quiet_broken_pipe
from tinygrad_lab.seeding import seeded_streams

SEED = 0
EPOCHS = 300
HIDDEN = 8


class SwishFunction(Function):
    """swish(x) = x * sigmoid(x), element by element."""

    name = "swish"  # how explain and the graph drawings call the op
    rule = "d x*s(x): g*(s + x*s*(1-s))"  # its gradient in words, shown by explain

    @staticmethod
    def forward(x):
        s = 0.5 * (1.0 + np.tanh(0.5 * x))  # the sigmoid, without overflow for large |x|
        return x * s, (x, s)  # backward needs x and s: save them instead of recomputing

    @staticmethod
    def backward(grad, saved, needs):
        x, s = saved
        return (grad * (s + x * s * (1.0 - s)),)  # one gradient per input, shaped like it


class ForgetfulSwish(SwishFunction):
    """A mistake to catch: d swish / dx taken as s alone."""

    @staticmethod
    def backward(grad, saved, needs):
        _, s = saved
        return (grad * s,)


class Swish(nn.Module):
    """SwishFunction as a layer, to put in an ``nn.Sequential`` like ``nn.ReLU()``."""

    def forward(self, x):
        return SwishFunction.apply(x)

    def __repr__(self):
        return "Swish()"


def main():
    data_rng, model_rng, shuffle_rng = seeded_streams(SEED)

    # 1. The gradient check: every element of a random input, in float64. It returns True, or
    #    raises GradcheckError naming the first element whose gradient is wrong.
    x = Tensor(data_rng.normal(0.0, 3.0, size=(4, 5)), requires_grad=True)
    gradcheck(lambda t: (SwishFunction.apply(t) ** 2).sum(), x)
    print(f"gradcheck of swish on {x.size} values: passed")
    try:  # a backward that forgot the product rule's second term is caught
        gradcheck(lambda t: (ForgetfulSwish.apply(t) ** 2).sum(), x)
    except GradcheckError as error:
        print(f"a wrong backward is caught: {error}")

    # 2. Swish inside a network, trained on the spec's 21 XOR points.
    points, labels = generate_XOR_easy()
    model = nn.Sequential(nn.Linear(2, HIDDEN, bias=True, init="xavier", rng=model_rng), Swish(),
                          nn.Linear(HIDDEN, 1, bias=True, init="xavier", rng=model_rng),
                          nn.Sigmoid())
    print(model)
    history = fit(model, points, labels, epochs=EPOCHS, log_every=100, rng=shuffle_rng,
                  optimizer=optim.Adam(model.parameters(), lr=0.05))
    trained = accuracy(predict(model, points), labels)
    print(f"XOR accuracy after {len(history.loss)} epochs: {trained:.2f}")


if __name__ == "__main__":
    with quiet_broken_pipe():  # `python demos/custom_function.py | head` ends without a traceback
        main()
