"""The engine's gradient of the lab network's loss equals the spec's hand-derived backprop.

The network of lab1-spec section 2.B (x @ W1 -> sigmoid -> @ W2 -> sigmoid -> @ W3 -> sigmoid, no
bias) with the mean binary cross-entropy done right (the spec's sample ``loss`` has a bug: it
writes ``gt_y*np.log(gt_y+eps)`` where ``gt_y*np.log(pred_y)`` is meant). Built from the engine's
ops directly; tolerance 1e-10.
"""

import numpy as np
import pytest

from tinygrad_lab import Tensor


def lab_data(rng, n):
    x = rng.uniform(0, 1, size=(n, 2))
    y = (x[:, 0] <= x[:, 1]).astype(float).reshape(n, 1)
    return x, y


def sigmoid(m):
    return 1.0 / (1.0 + np.exp(-m))


def manual_gradients(x, y, w1, w2, w3):
    """Section 2.C of the spec, line by line, with the activations kept from the forward pass."""
    z1 = sigmoid(x @ w1)
    z2 = sigmoid(z1 @ w2)
    pred_y = sigmoid(z2 @ w3)
    batch = y.shape[0]
    grad_l_y = (-1 / batch) * (y / pred_y - (1 - y) / (1 - pred_y))
    grad_l_z2w3 = grad_l_y * pred_y * (1 - pred_y)
    grad_l_w3 = z2.T @ grad_l_z2w3
    grad_l_z1w2 = (grad_l_z2w3 @ w3.T) * z2 * (1 - z2)
    grad_l_w2 = z1.T @ grad_l_z1w2
    grad_l_xw1 = (grad_l_z1w2 @ w2.T) * z1 * (1 - z1)
    grad_l_w1 = x.T @ grad_l_xw1
    loss = -np.mean(y * np.log(pred_y) + (1 - y) * np.log(1 - pred_y))
    return loss, (grad_l_w1, grad_l_w2, grad_l_w3)


def engine_gradients(x, y, w1, w2, w3, eps=1e-12):
    weights = [Tensor(w, requires_grad=True) for w in (w1, w2, w3)]
    hidden = Tensor(x)
    for w in weights:
        hidden = (hidden @ w).sigmoid()
    p = hidden.clip(eps, 1 - eps)
    loss = -(y * p.log() + (1 - y) * (1 - p).log()).mean()
    loss.backward()
    return loss.item(), tuple(w.grad for w in weights)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("hidden", [(10, 10), (3, 7)])
def test_engine_matches_hand_derived_backprop(seed, hidden):
    rng = np.random.default_rng(seed)
    x, y = lab_data(rng, 100)
    h1, h2 = hidden
    weights = [rng.standard_normal(shape) for shape in ((2, h1), (h1, h2), (h2, 1))]
    manual_loss, manual = manual_gradients(x, y, *weights)
    engine_loss, engine = engine_gradients(x, y, *weights)
    assert engine_loss == pytest.approx(manual_loss, rel=1e-12)
    for expected, actual in zip(manual, engine, strict=True):
        assert actual.shape == expected.shape
        np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-10)
