"""The lab network's gradient check, built on the engine's public ``gradients``."""

import io

import numpy as np

from tinygrad_lab import Tensor, data, nn
from tinygrad_lab.engine import gradients as engine_gradients
from tinygrad_lab.lab import gradients
from tinygrad_lab.lab.config import GRADCHECK_ABS_TOLERANCE, GRADCHECK_TOLERANCE


def test_the_lab_network_passes():
    check = gradients.gradient_check()
    assert check["weights"] == 2 * 10 + 10 * 10 + 10
    assert [layer["name"] for layer in check["layers"]] == ["W1", "W2", "W3"]
    assert check["max_relative_error"] < GRADCHECK_TOLERANCE and gradients.passes(check)
    wrong = {**check, "max_relative_error": GRADCHECK_TOLERANCE,
             "max_abs_error": GRADCHECK_ABS_TOLERANCE}
    assert not gradients.passes(wrong)


def test_errors_at_the_noise_of_central_differences_pass_whatever_their_relative_size():
    # A wide network's gradients near 0: abs error 8e-10 was relative error 1.0 (a false MISMATCH).
    tiny = {"max_relative_error": 1.0, "max_abs_error": 8e-10}
    assert gradients.passes(tiny)
    assert not gradients.passes({**tiny, "max_abs_error": 2 * GRADCHECK_ABS_TOLERANCE})


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


def engine_errors(model, x, y):
    """(max abs, max relative) error per parameter by the engine's own ``gradients``: what the
    check computed before it could sample, the reference for every weight."""
    slots = [(layer, "weight") for layer in model.layers]
    originals = [layer.weight for layer, _ in slots]

    def loss(*parameters):
        for (layer, _), parameter in zip(slots, parameters, strict=True):
            layer.weight = parameter
        return nn.binary_cross_entropy(model(Tensor(x)), y)

    try:
        results = engine_gradients(loss, *originals, eps=1e-6)
    finally:
        for (layer, _), parameter in zip(slots, originals, strict=True):
            layer.weight = parameter
    pairs = []
    for _, analytic, numeric in results:
        error = np.abs(analytic - numeric)
        pairs.append((float(error.max()),
                      float((error / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)).max())))
    return pairs


def test_every_weight_checked_gives_the_engines_numbers_to_the_bit():
    x, y = data.generate("linear", 30, rng=5)
    model = nn.MLP(hidden=(4, 3), rng=6)
    layers = gradients.model_gradient_errors(model, x, y)
    assert [(la["max_abs_error"], la["max_relative_error"]) for la in layers] == \
        engine_errors(model, x, y)
    assert [la["checked"] for la in layers] == [8, 12, 3]
    # A sample as large as the network checks every weight, the same way.
    assert gradients.model_gradient_errors(model, x, y, sample=23, rng=1) == layers


def test_a_sample_checks_that_many_distinct_weights_drawn_by_the_seed():
    picks = gradients.chosen_weights([20, 100, 10], sample=17, rng=3)
    assert sum(len(p) for p in picks) == 17
    for flat, size in zip(picks, [20, 100, 10], strict=True):
        assert list(flat) == sorted(set(flat.tolist())) and all(0 <= i < size for i in flat)
    again = gradients.chosen_weights([20, 100, 10], sample=17, rng=3)
    assert all(np.array_equal(a, b) for a, b in zip(picks, again, strict=True))
    check = gradients.gradient_check(sample=17)
    assert (check["weights"], check["total_weights"]) == (17, 130)
    assert sum(layer["checked"] for layer in check["layers"]) == 17
    assert gradients.passes(check)
    full = gradients.gradient_check()
    assert full["weights"] == full["total_weights"] == 130
    assert check["max_abs_error"] <= full["max_abs_error"]  # a subset of the same differences


def test_a_sampled_weights_difference_is_the_full_checks():
    # Checking one weight alone gives the error the full check finds at that weight.
    x, y = data.generate("linear", 20, rng=1)
    model = nn.MLP(hidden=(3,), rng=2)
    picks = gradients.chosen_weights([6, 3], sample=1, rng=0)
    (layer,) = gradients.model_gradient_errors(model, x, y, sample=1, rng=0)
    position = 0 if len(picks[0]) else 1
    parameter = model.parameters()[position]
    index = np.unravel_index(int(picks[position][0]), parameter.shape)
    numeric = gradients.central_difference(model, x, y, parameter, int(picks[position][0]),
                                           1e-6)
    loss = nn.binary_cross_entropy(model(Tensor(x)), y)
    loss.backward()
    assert layer["checked"] == 1
    assert layer["max_abs_error"] == abs(float(parameter.grad[index]) - numeric)


class FakeClock:
    """Seconds that advance by ``step`` at each call."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def test_the_progress_log_estimates_after_a_few_weights_then_reports_now_and_then():
    log = io.StringIO()
    progress = gradients.ProgressLog(log, clock=FakeClock(2.0))  # 2 s a weight
    total = 1000
    for done in range(total + 1):
        progress(done, total)
    lines = log.getvalue().splitlines()
    assert lines[0] == "gradcheck: 1000 weights to check by central differences, expected " \
                       "time 33m20s"
    # then a line at most every PROGRESS_SECONDS (each weight takes 2 s): not one per weight
    assert len(lines) - 1 == (2 * (total - gradients.CALIBRATION_WEIGHTS)
                              ) // gradients.PROGRESS_SECONDS
    assert lines[1] == "gradcheck: 20 of 1000 weights checked, 32m40s left (estimated)"


def test_a_small_check_says_only_its_size():
    log = io.StringIO()
    progress = gradients.ProgressLog(log, clock=FakeClock(1e-4))
    for done in range(4):
        progress(done, 3)
    assert log.getvalue() == "gradcheck: 3 weights to check by central differences, expected " \
                             "time under 1s\n"
