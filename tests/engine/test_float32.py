"""The optional float32 mode: values, gradients and training stay float32 end to end.

float64 remains the default everywhere, and gradcheck always works in float64.
"""

import warnings

import numpy as np
import pytest

from tinygrad_lab import Tensor, data, fit, nn, optim, predict


def test_float64_is_the_default():
    assert Tensor([1.0]).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float64
    assert all(p.dtype == np.float64 for p in nn.MLP(rng=0).parameters())


@pytest.mark.parametrize("expression", [
    lambda t: t + 1.0, lambda t: 2 - t, lambda t: t * np.float64(3.0), lambda t: t / 2,
    lambda t: np.ones(3) * t, lambda t: t ** 2, lambda t: -t, lambda t: t @ np.ones(3),
    lambda t: t.sum(), lambda t: t.mean(), lambda t: t.exp(), lambda t: t.log(),
    lambda t: t.sigmoid(), lambda t: t.tanh(), lambda t: t.relu(), lambda t: t.softplus(),
    lambda t: t.clip(0.5, 2.0), lambda t: t.reshape(3, 1), lambda t: t.T,
])
def test_ops_keep_float32_values_and_gradients(expression):
    t = Tensor([0.5, 1.0, 2.0], requires_grad=True, dtype=np.float32)
    out = expression(t)
    assert out.dtype == np.float32
    out.sum().backward()
    assert t.grad.dtype == np.float32


def test_sigmoid_float32_extremes_do_not_overflow():
    t = Tensor([-1e4, -100.0, 0.0, 100.0, 1e4], requires_grad=True, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = t.sigmoid()
        out.sum().backward()
    assert np.isfinite(out.data).all() and np.isfinite(t.grad).all()
    assert out.data[0] < 1e-37 and out.data[-1] == 1.0


def test_bce_is_finite_in_float32_at_zero_and_one():
    pred = Tensor([[0.0], [1.0]], requires_grad=True, dtype=np.float32)
    loss = nn.binary_cross_entropy(pred, np.array([[1.0], [0.0]], dtype=np.float32))
    loss.backward()
    assert loss.dtype == np.float32 and np.isfinite(loss.item()) and np.isfinite(pred.grad).all()


def test_float32_training_matches_float64_closely():
    x, y = data.generate_XOR_easy()
    results = {}
    for dtype in (np.float64, np.float32):
        model = nn.MLP(rng=0, dtype=dtype)
        history = fit(model, x, y, epochs=200, optimizer=optim.Adam(model.parameters(), lr=0.05),
                      log_every=None)
        assert all(p.dtype == dtype and p.grad.dtype == dtype for p in model.parameters())
        assert predict(model, x).dtype == dtype
        results[dtype] = np.array(history.loss)
    np.testing.assert_allclose(results[np.float32], results[np.float64], rtol=1e-3, atol=1e-4)
