"""The lab network's gradient check, built on the engine's public ``gradients``."""

import numpy as np

from tinygrad_lab import data, nn
from tinygrad_lab.lab import gradients
from tinygrad_lab.lab.config import GRADCHECK_TOLERANCE


def test_the_lab_network_passes():
    check = gradients.gradient_check()
    assert check["weights"] == 2 * 10 + 10 * 10 + 10
    assert [layer["name"] for layer in check["layers"]] == ["W1", "W2", "W3"]
    assert check["max_relative_error"] < GRADCHECK_TOLERANCE and gradients.passes(check)
    assert not gradients.passes({**check, "max_relative_error": GRADCHECK_TOLERANCE})


def test_model_gradient_errors_names_biases_and_leaves_the_model_as_it_was():
    x, y = data.generate("linear", 20, rng=1)
    model = nn.MLP(hidden=(3,), bias=True, activation="tanh", rng=2)
    before = [p.data.copy() for p in model.parameters()]
    layers = gradients.model_gradient_errors(model, x, y)
    assert [(layer["name"], layer["shape"]) for layer in layers] == \
        [("W1", [2, 3]), ("b1", [3]), ("W2", [3, 1]), ("b2", [1])]
    assert max(layer["max_relative_error"] for layer in layers) < GRADCHECK_TOLERANCE
    for original, parameter in zip(before, model.parameters(), strict=True):
        np.testing.assert_array_equal(original, parameter.data)
        assert parameter.grad is None
