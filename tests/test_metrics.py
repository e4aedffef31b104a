"""metrics: predictions (n, 1) or (n, K), accuracy by threshold or argmax, the label and dataset
checks fit shares, and ``evaluating`` (eval mode inside a block, each module's mode after).

Reference values are NumPy computations in the test (a softmax, an argmax) or small hand cases.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_lab import Tensor, accuracy, nn, predict
from tinygrad_lab.engine import tensor as engine_tensor
from tinygrad_lab.metrics import check_dataset, check_labels, classes_of, evaluating

POINTS = np.random.default_rng(0).uniform(-2, 2, size=(12, 2))


def softmax(z):
    """Row-wise softmax in NumPy, the reference for predict's K-class probabilities."""
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


class ModeSpy(nn.Module):
    """The identity; records (grad enabled, self.training) at every call."""

    def __init__(self):
        self.seen = []

    def forward(self, x):
        self.seen.append((engine_tensor.grad_enabled, self.training))
        return x


# ---- predict ------------------------------------------------------------------------------------

def test_predict_one_output_is_the_models_output():
    model = nn.MLP(rng=0)
    probabilities = predict(model, POINTS)
    assert probabilities.shape == (12, 1)
    np.testing.assert_array_equal(probabilities, model(Tensor(POINTS)).data)
    assert ((probabilities > 0) & (probabilities < 1)).all()


def test_predict_k_outputs_of_an_mlp_are_its_softmax():
    model = nn.MLP(2, (6, 6), 3, rng=0)
    probabilities = predict(model, POINTS)
    assert probabilities.shape == (12, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(probabilities, softmax(model.logits(Tensor(POINTS)).data),
                               rtol=1e-12)
    np.testing.assert_allclose(probabilities, model(Tensor(POINTS)).data, rtol=1e-12)


def test_predict_of_a_sequential_ending_in_linear_gives_probabilities():
    model = nn.Sequential(nn.Linear(2, 5, bias=True, rng=0), nn.ReLU(), nn.Linear(5, 4, rng=1))
    probabilities = predict(model, POINTS)
    assert probabilities.shape == (12, 4)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(probabilities, softmax(model(Tensor(POINTS)).data), rtol=1e-12)


def test_predict_of_a_sequential_ending_in_softmax_is_its_output():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Softmax())
    np.testing.assert_allclose(predict(model, POINTS), model(Tensor(POINTS)).data, rtol=1e-12)


def test_predict_of_a_module_without_logits_takes_the_softmax_of_its_output():
    class Scores(nn.Module):
        def __init__(self):
            self.weight = Tensor(np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]]),
                                 requires_grad=True)

        def forward(self, x):
            return x @ self.weight

    model = Scores()
    expected = softmax(POINTS @ model.weight.data)
    np.testing.assert_allclose(predict(model, POINTS), expected, rtol=1e-12)


def test_predict_runs_in_eval_mode_without_a_graph_and_restores_the_mode():
    spy = ModeSpy()
    model = nn.Sequential(nn.Linear(2, 6, rng=0), spy, nn.Dropout(0.5, rng=0), nn.Linear(6, 3))
    first, second = predict(model, POINTS), predict(model, POINTS)
    np.testing.assert_array_equal(first, second)  # no dropout mask: the same both times
    assert spy.seen and all(seen == (False, False) for seen in spy.seen)
    assert all(module.training for module in model.modules())
    model.eval()
    np.testing.assert_allclose(first, softmax(model(Tensor(POINTS)).data), rtol=1e-12)


def test_predict_float32_model():
    model = nn.MLP(2, (4,), 3, rng=0, dtype=np.float32)
    probabilities = predict(model, POINTS)
    assert probabilities.dtype == np.float32 and probabilities.shape == (12, 3)


# ---- accuracy -----------------------------------------------------------------------------------

def test_accuracy_of_k_columns_is_by_argmax():
    scores = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.4, 0.3], [0.2, 0.5, 0.3]])
    assert accuracy(scores, np.array([0, 2, 1, 1])) == 1.0
    assert accuracy(scores, np.array([[0], [2], [1], [0]])) == 0.75
    assert accuracy(scores, np.array([1, 1, 1, 1])) == 0.5
    # the threshold does not apply to K columns: 0.4 is not above 0.5 but is the row's largest
    assert accuracy(scores[2:3], np.array([1]), threshold=0.9) == 1.0


def test_accuracy_of_one_column_or_a_flat_vector_is_by_threshold():
    p = np.array([0.2, 0.5, 0.51, 0.9])
    assert accuracy(p, np.array([0, 0, 1, 1])) == 1.0
    assert accuracy(p[:, None], np.array([[0], [0], [1], [1]])) == 1.0
    assert accuracy(p[:, None], np.array([0, 1, 1, 1])) == 0.75


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(2, 5)),
                  elements=st.floats(-5, 5)),
       st.data())
def test_accuracy_k_classes_matches_numpy(scores, draw):
    """Strategy: score matrices (1..8, 2..5) in [-5, 5]; exact: a mean of 0/1 values."""
    labels = np.array(draw.draw(st.lists(st.integers(0, scores.shape[1] - 1),
                                         min_size=len(scores), max_size=len(scores))))
    assert accuracy(scores, labels) == np.mean(scores.argmax(axis=1) == labels)


def test_accuracy_k_classes_rejects_mismatched_sizes():
    with pytest.raises(ValueError, match="3 probabilities but 4 labels"):
        accuracy(np.full((3, 3), 1 / 3), np.zeros(4))


# ---- the label and dataset checks ---------------------------------------------------------------

def test_classes_of_a_width():
    assert [classes_of(width) for width in (1, 2, 3, 10)] == [2, 2, 3, 10]


def test_check_labels_gives_a_float_column():
    labels = check_labels(np.array([0, 2, 1, 2]), classes=3)
    assert labels.dtype == np.float64 and labels.shape == (4, 1)
    np.testing.assert_array_equal(labels.ravel(), [0, 2, 1, 2])


@pytest.mark.parametrize("labels, classes, words", [
    ([0, 1.5, 2], 3, r"labels must be integers 0\.\.2 for a model with 3 outputs, found \[1\.5\]$"),
    ([0, -1, 2], 3, r"integers 0\.\.2 for a model with 3 outputs, found \[-1\.0\]$"),
    ([0, 4, 2, 3], 3, r"found \[3\.0, 4\.0\]: labels 0\.\.4 are 5 classes, more than the model "
                      r"has \(give it 5 outputs\)"),
    ([0, 1, 2], 2, r"labels must be 0 or 1 for a model with one output, found \[2\.0\]: labels "
                   r"0\.\.2 are 3 classes.*give it 3 outputs"),
    ([0, 0.5], 2, r"labels must be 0 or 1 for a model with one output, found \[0\.5\]$"),
    ([[0, 1]], 2, r"labels must have shape \(n, 1\), got \(1, 2\)"),
    ([0, np.nan], 3, "finite"),
])
def test_check_labels_refuses(labels, classes, words):
    with pytest.raises(ValueError, match=words):
        check_labels(np.array(labels, dtype=float), classes)


def test_check_dataset_with_classes_none_checks_only_finiteness():
    x, y = check_dataset(POINTS[:3], [0, 7, 2.5], classes=None)
    np.testing.assert_array_equal(y.ravel(), [0, 7, 2.5])
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        check_dataset(POINTS[:3], [0, 7, 2.5])
    with pytest.raises(ValueError, match="finite"):
        check_dataset(POINTS[:2], [0, np.inf], classes=None)


def test_check_dataset_k_classes():
    x, y = check_dataset(POINTS[:4], [0, 3, 1, 2], in_features=2, classes=4)
    assert x.shape == (4, 2) and y.shape == (4, 1)
    with pytest.raises(ValueError, match="integers 0..2 for a model with 3 outputs"):
        check_dataset(POINTS[:4], [0, 3, 1, 2], classes=3)


# ---- evaluating ---------------------------------------------------------------------------------

def test_evaluating_turns_every_module_off_and_restores_each_mode():
    inner = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    model = nn.Sequential(inner, nn.ReLU(), nn.Dropout(0.2))
    inner.eval()  # a mixed model: each module must get its own mode back
    before = [module.training for module in model.modules()]
    assert True in before and False in before
    with evaluating(model) as same:
        assert same is model
        assert not any(module.training for module in model.modules())
    assert [module.training for module in model.modules()] == before


def test_evaluating_restores_the_modes_after_an_error():
    model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    with pytest.raises(RuntimeError, match="boom"), evaluating(model):
        raise RuntimeError("boom")
    assert all(module.training for module in model.modules())


def test_evaluating_leaves_a_plain_callable_alone():
    def model(x):
        return x

    with evaluating(model) as same:
        assert same is model
