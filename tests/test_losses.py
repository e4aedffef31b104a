"""The losses: the two BCEs, cross_entropy over K classes and mse_loss, against the formulas.

Closed forms and NumPy references are compared to rtol 1e-12 (the same arithmetic up to
rounding). The property tests draw probabilities from [0.02, 0.98] and targets from [0, 1]
(``probabilities``/``targets``) for BCE, and logits from ``strategies.reals`` ([-3, 3]) with
labels 0..K-1 for cross_entropy, and gradient-check with gradcheck's float64 defaults
(atol 1e-5, rtol 1e-3).
"""

import numpy as np
import pytest
import strategies as S
from checks import close, graph_ops
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_lab import Tensor, compile, gradcheck, nn

# ---- binary_cross_entropy -----------------------------------------------------------------------

def bce_formula(p, t):
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


@pytest.mark.parametrize("target", [
    np.array([[0.0], [1.0], [1.0], [0.0]]),  # hard
    np.array([[0.2], [0.9], [0.5], [0.0]]),  # soft
])
def test_bce_equals_the_formula(target):
    p = np.array([[0.1], [0.7], [0.4], [0.95]])
    close(nn.binary_cross_entropy(Tensor(p), target).item(), bce_formula(p, target))
    close(nn.binary_cross_entropy(Tensor(p), Tensor(target)).item(), bce_formula(p, target))


def test_bce_gradient_closed_form():
    p = np.array([[0.1], [0.7], [0.4], [0.95]])
    t = np.array([[0.2], [0.9], [0.5], [0.0]])
    pred = Tensor(p, requires_grad=True)
    nn.binary_cross_entropy(pred, t).backward()
    close(pred.grad, (p - t) / (p * (1 - p)) / len(p))


def test_bce_is_finite_at_zero_and_one():
    pred = Tensor([[0.0], [1.0], [0.0], [1.0]], requires_grad=True)
    target = np.array([[0.0], [1.0], [1.0], [0.0]])
    loss = nn.binary_cross_entropy(pred, target)
    loss.backward()
    assert np.isfinite(loss.item())
    # Two confident mistakes each cost about -log(1e-12) (1 - 1e-12 is not exact in binary);
    # the two right answers cost about 1e-12.
    assert loss.item() == pytest.approx(-np.log(1e-12) / 2, rel=1e-5)
    assert np.all(np.isfinite(pred.grad))


def test_bce_uses_eps():
    pred = Tensor([[0.0]])
    assert nn.binary_cross_entropy(pred, np.ones((1, 1)), eps=1e-3).item() == pytest.approx(
        -np.log(1e-3), rel=1e-12)


def test_bce_float32_is_finite_at_the_ends():
    pred = Tensor([[0.0], [1.0]], requires_grad=True, dtype=np.float32)
    loss = nn.binary_cross_entropy(pred, np.array([[1.0], [0.0]]))
    loss.backward()
    assert loss.dtype == np.float32 and np.isfinite(loss.item())
    assert np.all(np.isfinite(pred.grad))


probabilities = st.floats(0.02, 0.98)
targets = st.floats(0.0, 1.0)


@given(st.integers(1, 6).flatmap(lambda n: st.tuples(
    hnp.arrays(np.float64, (n, 1), elements=probabilities),
    hnp.arrays(np.float64, (n, 1), elements=targets))))
def test_bce_gradcheck(pair):
    p, t = pair
    assert gradcheck(nn.binary_cross_entropy, Tensor(p, requires_grad=True),
                     Tensor(t, requires_grad=True))
    close(nn.binary_cross_entropy(Tensor(p), t).item(), bce_formula(p, t))


@pytest.mark.parametrize("loss", [nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits,
                                  nn.mse_loss])
def test_losses_reject_mismatched_shapes(loss):
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        loss(Tensor(np.full((4, 1), 0.5)), np.ones(4))
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 1\)"):
        loss(Tensor(np.full(3, 0.5)), Tensor(np.ones((3, 1))))


def test_bce_is_built_from_primitives():
    pred = Tensor([[0.3], [0.8]], requires_grad=True)
    loss = nn.binary_cross_entropy(pred, np.array([[0.0], [1.0]]))
    assert loss.grad_fn == "neg"
    assert graph_ops(loss) == {"clip", "log", "mul", "sub", "add", "mean", "neg"}


# ---- binary_cross_entropy_with_logits -----------------------------------------------------------

def test_bce_with_logits_equals_bce_of_sigmoid():
    z = np.linspace(-8, 8, 17).reshape(-1, 1)
    t = np.random.default_rng(0).uniform(0, 1, size=z.shape)
    t[::3] = np.round(t[::3])
    from_logits = nn.binary_cross_entropy_with_logits(Tensor(z), t).item()
    from_probabilities = nn.binary_cross_entropy(Tensor(z).sigmoid(), t).item()
    assert from_logits == pytest.approx(from_probabilities, rel=1e-12)


def test_bce_with_logits_is_stable_at_huge_logits():
    z = Tensor([[1e4], [-1e4], [1e4], [-1e4]], requires_grad=True)
    t = np.array([[1.0], [0.0], [0.0], [1.0]])
    loss = nn.binary_cross_entropy_with_logits(z, t)  # warnings are errors under pytest
    loss.backward()
    # Right with certainty: 0. Wrong with certainty: |z| each, so the mean is 2e4 / 4.
    assert loss.item() == pytest.approx(0.5e4, rel=1e-12)
    close(z.grad, np.array([[0.0], [0.0], [0.25], [-0.25]]))


def test_bce_with_logits_gradient():
    z = np.array([[-3.0], [-0.5], [0.0], [2.0], [7.0]])
    t = np.array([[0.0], [1.0], [0.3], [1.0], [0.0]])
    logits = Tensor(z, requires_grad=True)
    nn.binary_cross_entropy_with_logits(logits, t).backward()
    close(logits.grad, (1 / (1 + np.exp(-z)) - t) / len(z))


# ---- cross_entropy ------------------------------------------------------------------------------

LOGITS = np.random.default_rng(0).normal(0, 2, size=(6, 3))
LABELS = np.array([0, 2, 1, 1, 0, 2])


def log_softmax_reference(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def cross_entropy_reference(z, labels):
    """-mean(log softmax(z)[i, label_i]) in NumPy."""
    return -np.mean(log_softmax_reference(z)[np.arange(len(z)), labels])


@pytest.mark.parametrize("target", [
    LABELS,  # (n,) ints
    LABELS.reshape(-1, 1),  # (n, 1) ints
    LABELS.reshape(-1, 1).astype(float),  # the datasets' float label column
    LABELS.tolist(),
    Tensor(LABELS.reshape(-1, 1)),
    np.eye(3)[LABELS],  # one-hot probabilities
], ids=["n", "n1", "float-n1", "list", "tensor", "one-hot"])
def test_cross_entropy_against_numpy(target):
    close(nn.cross_entropy(Tensor(LOGITS), target).item(),
          cross_entropy_reference(LOGITS, LABELS))


def test_cross_entropy_with_soft_targets():
    soft = np.random.default_rng(1).dirichlet(np.ones(3), size=len(LOGITS))
    expected = -np.mean((soft * log_softmax_reference(LOGITS)).sum(axis=1))
    close(nn.cross_entropy(Tensor(LOGITS), soft).item(), expected)
    close(nn.cross_entropy(Tensor(LOGITS), Tensor(soft)).item(), expected)


def test_cross_entropy_gradient_is_softmax_minus_one_hot():
    logits = Tensor(LOGITS, requires_grad=True)
    nn.cross_entropy(logits, LABELS).backward()
    softmax = np.exp(log_softmax_reference(LOGITS))
    close(logits.grad, (softmax - np.eye(3)[LABELS]) / len(LOGITS))


@given(st.integers(1, 5).flatmap(lambda n: st.integers(2, 4).flatmap(lambda k: st.tuples(
    hnp.arrays(np.float64, (n, k), elements=S.reals),
    hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1))))))
def test_cross_entropy_gradcheck(case):
    z, labels = case
    assert gradcheck(lambda logits: nn.cross_entropy(logits, labels),
                     Tensor(z, requires_grad=True))
    close(nn.cross_entropy(Tensor(z), labels).item(), cross_entropy_reference(z, labels))


def test_cross_entropy_is_finite_at_huge_logits():
    logits = Tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]], requires_grad=True)
    loss = nn.cross_entropy(logits, [0, 0])  # warnings are errors under pytest
    loss.backward()
    # Right with certainty: 0. Wrong by 2e4 in the logits: 2e4. The mean: 1e4.
    assert loss.item() == pytest.approx(1e4, rel=1e-12)
    close(logits.grad, np.array([[0.0, 0.0, 0.0], [-0.5, 0.5, 0.0]]))


def test_cross_entropy_float32():
    logits = Tensor(LOGITS, requires_grad=True, dtype=np.float32)
    loss = nn.cross_entropy(logits, LABELS.reshape(-1, 1).astype(float))
    assert loss.dtype == np.float32
    loss.backward()
    assert logits.grad.dtype == np.float32
    assert loss.item() == pytest.approx(cross_entropy_reference(LOGITS, LABELS), rel=1e-6)


def test_compiled_cross_entropy_follows_new_labels():
    # fit passes each batch's labels as an argument: the replay must not keep the first one's.
    model = nn.Linear(2, 3, bias=True, rng=0)
    x = np.random.default_rng(2).normal(size=(5, 2))
    step = compile(lambda inputs, labels: nn.cross_entropy(model(inputs), labels))
    for labels in ([[0.0], [1.0], [2.0], [1.0], [0.0]], [[2.0], [2.0], [0.0], [1.0], [1.0]]):
        model.zero_grad()
        loss = step(x, np.array(labels))
        replayed = [loss.item(), model.weight.grad.copy(), model.bias.grad.copy()]
        model.zero_grad()
        eager = nn.cross_entropy(model(Tensor(x)), np.array(labels))
        eager.backward()
        assert replayed[0] == eager.item()
        assert np.array_equal(replayed[1], model.weight.grad)
        assert np.array_equal(replayed[2], model.bias.grad)


@pytest.mark.parametrize("logits, target, words", [
    (np.zeros(3), [0, 1, 2], r"logits must have shape \(n, K\).*\(3,\)"),
    (np.zeros((3, 1)), [0, 0, 0], r"K >= 2.*\(3, 1\).*binary_cross_entropy_with_logits"),
    (np.zeros((3, 2)), np.zeros((3, 3)), r"target has shape \(3, 3\).*\(3, 2\)"),
    (np.zeros((3, 2)), [0, 1], r"target has shape \(2,\).*\(3,\) or \(3, 1\)"),
    (np.zeros((3, 2)), [0, 1, 2], r"integers 0\.\.1 for 2 classes, found \[2\]"),
    (np.zeros((3, 2)), [0, -1, 1], r"found \[-1\]"),
    (np.zeros((3, 2)), [0.0, 0.5, 1.0], r"found \[0\.5\]"),
    (np.zeros((3, 2)), [0.0, np.nan, 1.0], r"found \[nan\]"),
    (np.zeros((3, 2)), np.array(["a", "b", "a"]), r"integers 0\.\.1.*found \['a', 'b', 'a'\]"),
    (np.zeros((2, 2)), [[0.5, 0.6], [1.0, 0.0]], r"sum to 1; rows \[0\] sum to \[1\.1"),
    (np.zeros((2, 2)), [[1.5, -0.5], [1.0, 0.0]], r"in \[0, 1\], found \[-0\.5, 1\.5\]"),
])
def test_cross_entropy_refuses(logits, target, words):
    with pytest.raises(ValueError, match=words):
        nn.cross_entropy(Tensor(logits), target)


# ---- mse_loss -----------------------------------------------------------------------------------

def test_mse_loss_value_and_gradient():
    p = np.array([[0.5, -1.0], [2.0, 0.25], [0.0, 3.0]])
    t = np.array([[1.0, -1.0], [0.0, 0.5], [0.5, 1.0]])
    pred = Tensor(p, requires_grad=True)
    loss = nn.mse_loss(pred, t)
    close(loss.item(), np.mean((p - t) ** 2))
    loss.backward()
    close(pred.grad, 2 * (p - t) / p.size)
    close(nn.mse_loss(Tensor(p), Tensor(t)).item(), np.mean((p - t) ** 2))


@given(S.arrays(S.reals).flatmap(lambda a: st.tuples(
    st.just(a), hnp.arrays(np.float64, a.shape, elements=S.reals))))
def test_mse_loss_gradcheck(pair):
    p, t = pair
    assert gradcheck(nn.mse_loss, Tensor(p, requires_grad=True), Tensor(t, requires_grad=True))
