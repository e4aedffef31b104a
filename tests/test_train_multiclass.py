"""fit beyond the lab: K-class models (an MLP with out_features=3 and a Sequential ending in a
Linear), the choice of loss, validation data, Dropout during training and evaluation, and fit's
refusals. The data are three well-separated Gaussian blobs made here with NumPy (fixed seeds);
reference losses are recomputed with the library's own losses under no_grad on the final model.
"""

import numpy as np
import pytest

from tinygrad_lab import Tensor, accuracy, data, fit, nn, no_grad, optim, predict
from tinygrad_lab import train as training
from tinygrad_lab.engine import tensor as engine_tensor

CENTRES = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])


def blobs(n_per_class=20, seed=0):
    """Three Gaussian blobs (sd 0.4) around CENTRES: x (3n, 2), labels (3n, 1) of 0, 1, 2."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([centre + 0.4 * rng.standard_normal((n_per_class, 2))
                        for centre in CENTRES])
    return x, np.repeat(np.arange(3.0), n_per_class).reshape(-1, 1)


X, Y = blobs()
X_VAL, Y_VAL = blobs(10, seed=1)
XOR_X, XOR_Y = data.generate_XOR_easy()


def three_class_mlp(dtype=None):
    return nn.MLP(2, (8, 8), 3, rng=0, dtype=dtype)


def three_class_sequential(dtype=None, dropout=None):
    middle = [] if dropout is None else [nn.Dropout(dropout, rng=2)]
    return nn.Sequential(nn.Linear(2, 8, bias=True, rng=0, dtype=dtype), nn.ReLU(), *middle,
                         nn.Linear(8, 3, rng=1, dtype=dtype))


MODELS = {"mlp": three_class_mlp, "sequential": three_class_sequential}


def train(model, epochs=5, x=X, y=Y, lr=0.05, **kwargs):
    kwargs.setdefault("log_every", None)
    kwargs.setdefault("optimizer", optim.Adam(model.parameters(), lr=lr))
    return fit(model, x, y, epochs=epochs, **kwargs)


def weights(model):
    return [p.data.copy() for p in model.parameters()]


class StandStill:
    """An optimizer that leaves the weights as they are."""

    def zero_grad(self):
        pass

    def step(self):
        pass


class ModeSpy(nn.Module):
    """The identity; records (grad enabled, self.training) at every call."""

    def __init__(self):
        self.seen = []

    def forward(self, x):
        self.seen.append((engine_tensor.grad_enabled, self.training))
        return x


# ---- K classes learn ----------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size, epochs", [(None, 100), (1, 10), (16, 40)])
@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_three_class_models_reach_high_accuracy(make, batch_size, epochs):
    model = make()
    history = train(model, epochs=epochs, batch_size=batch_size, rng=0,
                    validation=(X_VAL, Y_VAL))
    assert history.loss[-1] < history.loss[0] / 10
    assert history.accuracy[-1] >= 0.95
    assert accuracy(predict(model, X), Y) >= 0.95
    assert history.val_accuracy[-1] >= 0.95  # held-out points of the same blobs


def test_the_default_loss_for_k_outputs_is_cross_entropy_on_the_logits():
    model, copy = three_class_mlp(), three_class_mlp()
    history = train(model, epochs=2)
    with no_grad():
        expected = nn.cross_entropy(copy.logits(Tensor(X)), Y).item()
    assert history.loss[0] == pytest.approx(expected, rel=1e-12)
    assert history.accuracy[0] == accuracy(predict(copy, X), Y)


def test_flat_k_class_labels_train_as_a_column():
    runs = [train(three_class_mlp(), epochs=3, y=labels).loss for labels in (Y, Y.ravel())]
    assert runs[0] == runs[1]


@pytest.mark.parametrize("settings", [{}, {"batch_size": 1}, {"batch_size": 16, "rng": 3}])
@pytest.mark.parametrize("make", MODELS.values(), ids=MODELS.keys())
def test_compiled_k_class_training_matches_eager_training(make, settings):
    # batch_size 16 on 60 points ends each epoch with a batch of 12: a second recorded tape.
    runs = []
    for compiled in (False, True):
        model = make()
        history = train(model, epochs=4 if settings.get("batch_size") == 1 else 15,
                        compiled=compiled, validation=(X_VAL, Y_VAL), **settings)
        runs.append((history, model))
    (eager_history, eager), (history, model) = runs
    assert history.loss == pytest.approx(eager_history.loss, rel=1e-12, abs=0)
    assert history.val_loss == pytest.approx(eager_history.val_loss, rel=1e-12, abs=0)
    assert history.accuracy == eager_history.accuracy
    for a, b in zip(eager.parameters(), model.parameters(), strict=True):
        np.testing.assert_allclose(b.data, a.data, rtol=1e-12, atol=0)


def test_float32_k_class_model():
    model = three_class_sequential(dtype=np.float32)
    history = train(model, epochs=20, validation=(X_VAL, Y_VAL))
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert history.accuracy[-1] >= 0.95


# ---- the loss -----------------------------------------------------------------------------------

def test_loss_bce_is_the_default_for_one_output():
    model, copy = nn.MLP(rng=0), nn.MLP(rng=0)
    default = train(model, epochs=3, x=XOR_X, y=XOR_Y)
    named = train(copy, epochs=3, x=XOR_X, y=XOR_Y, loss="bce")
    first = nn.binary_cross_entropy(nn.MLP(rng=0)(Tensor(XOR_X)), XOR_Y).item()
    assert default.loss == named.loss and default.loss[0] == pytest.approx(first, rel=1e-12)


def test_loss_cross_entropy_of_a_sequential_ending_in_softmax_is_on_its_logits():
    def make():
        return nn.Sequential(nn.Linear(2, 3, bias=True, rng=0), nn.Softmax())

    history = train(make(), epochs=2, loss="cross_entropy")
    reference = make()
    with no_grad():
        expected = nn.cross_entropy(reference.logits(Tensor(X)), Y).item()
    assert history.loss[0] == pytest.approx(expected, rel=1e-12)
    assert train(make(), epochs=2).loss == history.loss  # the default picks the same


def test_loss_mse_one_output_compares_with_the_labels():
    model, copy = nn.MLP(rng=0), nn.MLP(rng=0)
    history = train(model, epochs=2, x=XOR_X, y=XOR_Y, loss="mse")
    expected = np.mean((copy(Tensor(XOR_X)).data - XOR_Y) ** 2)
    assert history.loss[0] == pytest.approx(expected, rel=1e-12)


def test_loss_mse_k_outputs_compares_with_one_hot_rows():
    model, copy = three_class_mlp(), three_class_mlp()
    history = train(model, epochs=30, loss="mse", validation=(X_VAL, Y_VAL))
    one_hot = np.eye(3)[Y.ravel().astype(int)]
    expected = np.mean((copy(Tensor(X)).data - one_hot) ** 2)
    assert history.loss[0] == pytest.approx(expected, rel=1e-12)
    val_one_hot = np.eye(3)[Y_VAL.ravel().astype(int)]
    final = np.mean((predict(model, X_VAL) - val_one_hot) ** 2)
    assert history.val_loss[-1] == pytest.approx(final, rel=1e-12)
    assert history.accuracy[-1] >= 0.95  # accuracy still reads the argmax


def test_loss_as_a_function_gets_the_outputs_and_the_label_column():
    calls = []

    def hinge_like(outputs, labels):
        calls.append((outputs.shape, labels.shape, isinstance(labels, Tensor)))
        return ((outputs - labels) * (outputs - labels)).mean() * 0.5

    model, copy = three_class_sequential(), three_class_sequential()
    history = train(model, epochs=2, loss=hinge_like, batch_size=16)
    assert calls[0] == ((16, 3), (16, 1), True)
    assert {shape[0][0] for shape in calls} == {16, 12}  # 60 points: 16, 16, 16, 12
    assert history.epochs == 2 and np.isfinite(history.loss).all()
    full = train(three_class_sequential(), epochs=1, loss=hinge_like)
    assert calls[-1] == ((60, 3), (60, 1), True)
    expected = 0.5 * np.mean((copy(Tensor(X)).data - Y) ** 2)
    assert full.loss[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("make, loss, words", [
    (three_class_mlp, "hinge", r"loss must be one of bce, cross_entropy, mse or a function"),
    (three_class_mlp, 3, r"loss must be one of .*got 3"),
    (three_class_mlp, "bce", r"loss='bce' needs a model with one output; this one has 3"),
    (nn.MLP, "cross_entropy", r"loss='cross_entropy' needs a model with K >= 2 outputs"),
])
def test_unusable_losses_are_refused_before_training(make, loss, words):
    model = make()
    x, y = (X, Y) if model.out_features == 3 else (XOR_X, XOR_Y)
    before = weights(model)
    with pytest.raises(ValueError, match=words):
        train(model, x=x, y=y, loss=loss)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before,
                                                         strict=True))


# ---- labels and outputs that do not fit ---------------------------------------------------------

@pytest.mark.parametrize("labels, words", [
    (np.where(np.arange(60)[:, None] == 5, 1.5, Y), r"integers 0\.\.2 for a model with 3 "
                                                    r"outputs, found \[1\.5\]"),
    (np.where(np.arange(60)[:, None] == 5, -1.0, Y), r"integers 0\.\.2 .*found \[-1\.0\]"),
    (np.where(np.arange(60)[:, None] == 5, 4.0, Y), r"labels 0\.\.4 are 5 classes, more than "
                                                    r"the model has \(give it 5 outputs\)"),
])
def test_k_class_labels_that_are_not_classes_of_the_model(labels, words):
    with pytest.raises(ValueError, match=words):
        train(three_class_mlp(), y=labels)


def test_three_classes_for_a_one_output_model_say_how_many_outputs():
    with pytest.raises(ValueError, match=r"labels must be 0 or 1 for a model with one output.*"
                                         r"give it 3 outputs"):
        train(nn.MLP(rng=0), y=Y)


def test_a_one_output_model_without_probabilities_is_refused_under_bce():
    model = nn.Sequential(nn.Linear(2, 1, rng=0))
    with pytest.raises(ValueError, match=r"one output is not a probability .* BCE loss needs "
                                         r"values in \[0, 1\]"):
        train(model, x=XOR_X, y=XOR_Y)
    assert train(model, x=XOR_X, y=XOR_Y, loss="mse").epochs == 5  # another loss trains it


def test_an_output_without_a_row_per_sample_is_refused():
    class Flat(nn.Module):
        def __init__(self):
            self.inner = nn.Linear(2, 1, rng=0)

        def forward(self, x):
            return self.inner(x).reshape(-1).sigmoid()

    with pytest.raises(ValueError, match=r"output for inputs of shape \(21, 2\) has shape "
                                         r"\(21,\); fit needs one row per sample"):
        train(Flat(), x=XOR_X, y=XOR_Y)


def test_fit_needs_an_optimizer():
    with pytest.raises(ValueError, match=r"fit needs an optimizer, e\.g\. optim\.SGD"):
        train(three_class_mlp(), optimizer=None)


@pytest.mark.parametrize("optimizer, kind", [
    (object(), "object"),
    ([1, 2], "list"),
    (type("StepOnly", (), {"step": lambda self: None})(), "StepOnly"),
    (type("NotCallable", (), {"step": 1, "zero_grad": 2})(), "NotCallable"),
])
def test_fit_refuses_an_object_without_step_and_zero_grad(optimizer, kind):
    with pytest.raises(TypeError, match=rf"optimizer must have step\(\) and zero_grad\(\).*got "
                                        rf"a {kind}$"):
        train(three_class_mlp(), optimizer=optimizer)


# ---- validation ---------------------------------------------------------------------------------

def test_validation_has_one_entry_per_epoch_matching_the_final_model():
    model = three_class_mlp()
    history = train(model, epochs=7, validation=(X_VAL, Y_VAL))
    assert len(history.val_loss) == len(history.val_accuracy) == history.epochs == 7
    with no_grad():
        expected = nn.cross_entropy(model.logits(Tensor(X_VAL)), Y_VAL).item()
    assert history.val_loss[-1] == pytest.approx(expected, rel=1e-12)
    assert history.val_accuracy[-1] == accuracy(predict(model, X_VAL), Y_VAL)
    assert len(set(history.val_loss)) == 7  # each epoch's model, not one value repeated


def test_validation_is_after_the_epochs_updates():
    model = three_class_mlp()
    history = train(model, epochs=1, validation=(X, Y))  # the training set as validation
    with no_grad():
        after = nn.cross_entropy(model.logits(Tensor(X)), Y).item()
    assert history.val_loss[0] == pytest.approx(after, rel=1e-12)
    assert history.val_loss[0] < history.loss[0]  # loss: before the epoch's step


def test_validation_under_bce_for_one_output():
    x_val, y_val = data.generate_linear(30, rng=4)
    model = nn.MLP(rng=0)
    history = train(model, epochs=4, x=XOR_X, y=XOR_Y, validation=(x_val, y_val.ravel()))
    with no_grad():
        expected = nn.binary_cross_entropy(model(Tensor(x_val)), y_val).item()
    assert len(history.val_loss) == 4
    assert history.val_loss[-1] == pytest.approx(expected, rel=1e-12)
    assert history.val_accuracy[-1] == accuracy(predict(model, x_val), y_val)


def test_validation_stops_with_training():
    model = three_class_sequential()
    history = train(model, epochs=500, epsilon=0.05, validation=(X_VAL, Y_VAL))
    assert history.stopped_at_epsilon and history.epochs < 500
    assert len(history.val_loss) == len(history.val_accuracy) == history.epochs


def test_no_validation_leaves_the_lists_empty():
    history = train(three_class_mlp(), epochs=3)
    assert history.val_loss == [] and history.val_accuracy == []


@pytest.mark.parametrize("validation, words", [
    (X_VAL, "expected a pair"),
    (5, r"expected a pair \(x_val, y_val\), got a int"),
    ((X_VAL, Y_VAL, Y_VAL), "expected a pair"),
    ((X_VAL[:, :1], Y_VAL), "inputs have 1 features but the model expects 2"),
    ((X_VAL, Y_VAL[:-1]), "differ in length: 30 and 29"),
    ((X_VAL, Y_VAL + 1), r"labels must be integers 0\.\.2 for a model with 3 outputs"),
    ((X_VAL, Y_VAL + 0.5), r"labels must be integers 0\.\.2"),
    ((np.where(X_VAL > 1, np.nan, X_VAL), Y_VAL), "finite"),
    ((X_VAL[0], Y_VAL[:1]), "2-D"),
    ((np.empty((0, 2)), np.empty((0, 1))), "empty"),
])
def test_bad_validation_data_is_refused_before_training(validation, words):
    model = three_class_mlp()
    before = weights(model)
    with pytest.raises(ValueError, match=rf"^validation data: .*{words}"):
        train(model, validation=validation)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before,
                                                         strict=True))


# ---- Dropout: on while training, off while evaluating -------------------------------------------

def test_fit_evaluates_in_eval_mode_and_trains_in_the_models_mode():
    spy = ModeSpy()
    model = nn.Sequential(nn.Linear(2, 8, rng=0), spy, nn.ReLU(), nn.Linear(8, 3, rng=1))
    train(model, epochs=2, validation=(X_VAL, Y_VAL))
    # the first look at the outputs, then per epoch: a training step, the validation pass
    assert spy.seen == [(False, False), (True, True), (False, False), (True, True),
                        (False, False)]
    assert all(module.training for module in model.modules())


def test_a_model_in_eval_mode_stays_in_eval_mode():
    model = three_class_sequential(dropout=0.5).eval()
    train(model, epochs=2, validation=(X_VAL, Y_VAL))
    assert not any(module.training for module in model.modules())


def test_dropout_is_off_in_the_validation_loss_and_in_predict():
    model = three_class_sequential(dropout=0.5)
    history = train(model, epochs=3, validation=(X_VAL, Y_VAL))
    model.eval()
    with no_grad():
        expected = nn.cross_entropy(model(Tensor(X_VAL)), Y_VAL).item()
        training_mode_loss = nn.cross_entropy(model.train()(Tensor(X_VAL)), Y_VAL).item()
    assert history.val_loss[-1] == pytest.approx(expected, rel=1e-12)
    assert training_mode_loss != pytest.approx(expected, rel=1e-6)  # dropout would show
    np.testing.assert_array_equal(predict(model, X_VAL), predict(model, X_VAL))


def test_dropout_draws_a_new_mask_every_step():
    def run():
        return train(three_class_sequential(dropout=0.5), epochs=3, optimizer=StandStill()).loss

    losses = run()
    assert losses == run()  # the Dropout's rng is seeded
    assert len(set(losses)) == 3  # the weights stay: only the masks differ


def test_compiled_training_refuses_an_active_dropout():
    # A recorded tape replays the dropout mask it met: every step would drop the same units.
    model = three_class_sequential(dropout=0.5)
    before = weights(model)
    with pytest.raises(ValueError, match=r"compiled=True .*Dropout"):
        train(model, compiled=True)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before,
                                                         strict=True))
    model.eval()  # dropout off: nothing random to replay
    assert train(model, epochs=2, compiled=True).epochs == 2
    assert train(three_class_sequential(dropout=0.0), epochs=2, compiled=True).epochs == 2


# ---- History.saturated and the K-class testing lines --------------------------------------------

def test_k_class_runs_are_never_saturated():
    model = three_class_mlp()
    history = train(model, epochs=20, optimizer=optim.SGD(model.parameters(), lr=1e6))
    assert not history.saturated


def test_testing_lines_for_k_classes():
    probabilities = np.array([[0.01, 0.97, 0.02], [0.5, 0.2, 0.3], [0.1, 0.3, 0.6]])
    lines = training.testing_lines(probabilities, np.array([[1.0], [2.0], [2.0]]))
    assert lines == ["testing ...",
                     "[0.0100 0.9700 0.0200]  predicted: 1  ground truth: 1",
                     "[0.5000 0.2000 0.3000]  predicted: 0  ground truth: 2",
                     "[0.1000 0.3000 0.6000]  predicted: 2  ground truth: 2",
                     "testing ... accuracy:0.67"]
    assert training.testing_lines(probabilities, np.array([1, 2, 2])) == lines


def test_testing_lines_of_a_trained_k_class_model():
    model = three_class_mlp()
    train(model, epochs=60)
    lines = training.testing_lines(predict(model, X_VAL), Y_VAL)
    assert len(lines) == 2 + len(X_VAL) and lines[-1] == "testing ... accuracy:1.00"
    assert all(line.endswith(f"predicted: {int(label)}  ground truth: {int(label)}")
               for line, label in zip(lines[1:-1], Y_VAL.ravel(), strict=True))


@pytest.mark.parametrize("function, name", [(nn.cross_entropy, "cross_entropy"),
                                            (nn.mse_loss, "mse")])
def test_the_librarys_loss_functions_mean_their_names(function, name):
    # nn.cross_entropy gets the logits, as "cross_entropy" does, not model(x)'s probabilities
    runs = [train(three_class_mlp(), epochs=3, loss=loss).loss for loss in (function, name)]
    assert runs[0] == runs[1]


def test_nn_binary_cross_entropy_means_bce():
    model = nn.Sequential(nn.Linear(2, 1, rng=0))
    with pytest.raises(ValueError, match="not a probability"):
        train(model, x=XOR_X, y=XOR_Y, loss=nn.binary_cross_entropy)
    with pytest.raises(ValueError, match="loss='bce' needs a model with one output"):
        train(three_class_mlp(), loss=nn.binary_cross_entropy)
    runs = [train(nn.MLP(rng=0), epochs=3, x=XOR_X, y=XOR_Y, loss=loss).loss
            for loss in (nn.binary_cross_entropy, "bce")]
    assert runs[0] == runs[1]


def test_ctrl_c_during_validation_keeps_the_curves_the_same_length():
    class InterruptedValidation(nn.Module):
        """Its third no-grad call (epoch 2's validation: fit looks at one output first) raises."""

        def __init__(self):
            self.model = three_class_mlp()
            self.no_grad_calls = 0

        def forward(self, x):
            if not engine_tensor.grad_enabled:
                self.no_grad_calls += 1
                if self.no_grad_calls == 3:
                    raise KeyboardInterrupt
            return self.model(x)

    history = train(InterruptedValidation(), epochs=10, validation=(X_VAL, Y_VAL))
    assert history.interrupted
    assert len(history.loss) == len(history.accuracy) == len(history.val_loss) \
        == len(history.val_accuracy) == 1


def test_a_sequential_fed_the_wrong_number_of_features_is_refused_by_name():
    with pytest.raises(ValueError, match="inputs have 3 features but the model expects 2"):
        train(three_class_sequential(), x=np.ones((4, 3)), y=np.zeros(4))
