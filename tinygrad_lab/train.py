"""Training a model on (inputs, labels): the lab's loop, its history, and the spec's output lines.

The spec's output lines (``=====data type : NAME=====``, ``training ... epoch:...``, the testing
block) are formatted here and nowhere else: the command line, the report and the demos use these.
Predictions, accuracy and the data checks live in ``metrics`` (importable from here too).
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .engine import Tensor, compile, no_grad
from .metrics import accuracy, check_dataset, check_labels, classes_of, evaluating, predict
from .nn import Dropout, Module, binary_cross_entropy, cross_entropy, mse_loss

__all__ = ["LOSSES", "History", "accuracy", "check_dataset", "fit", "format_accuracy",
           "format_header", "format_log", "format_loss", "predict", "testing_lines"]

# The losses fit knows by name (``loss=None`` picks "bce" for one output, "cross_entropy" for K).
LOSSES = ("bce", "cross_entropy", "mse")
# The library's own loss functions, passed as loss=, mean their name: nn.cross_entropy then
# gets the logits, as "cross_entropy" does, not the softmax probabilities that model(x) gives.
LOSS_NAMES = {binary_cross_entropy: "bce", cross_entropy: "cross_entropy", mse_loss: "mse"}

OPTIMIZER_EXAMPLE = "optim.SGD(model.parameters(), lr=0.3)"


@dataclass
class History:
    """What ``fit`` saw: one loss and one accuracy per epoch (before that epoch's updates) and,
    with ``validation``, the validation loss and accuracy after each epoch's updates."""

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)  # empty without validation data
    val_accuracy: list = field(default_factory=list)
    stopped_at_epsilon: bool = False
    diverged: bool = False  # the loss became NaN or infinite, and training stopped
    # BCE only: the trained model's outputs all sit at the loss's clip bounds, where its
    # gradient is 0, and some are wrong: training is stuck (e.g. lr=1e6), not converged.
    saturated: bool = False
    interrupted: bool = False  # Ctrl-C stopped training; the model keeps what it learned
    seconds: float = 0.0

    @property
    def epochs(self):
        """The number of epochs run."""
        return len(self.loss)


def format_header(name):
    """The spec's line before a dataset's training: ``=====data type : linear=====``."""
    return f"=====data type : {name}====="


def format_loss(loss, epsilon=None):
    """``loss`` with 5 decimals; for a loss below ``epsilon`` that 5 decimals would show at or
    above it (0.0099999 as ``0.01000``), the fewest more decimals that show it below."""
    decimals = 5
    if epsilon is not None and loss < epsilon:
        # Ends: with enough decimals the text is the float's exact value, which is below.
        while float(f"{loss:.{decimals}f}") >= epsilon:
            decimals += 1
    return f"{loss:.{decimals}f}"


def format_log(epoch, loss, accuracy, epsilon=None):
    """The spec's training line: ``training ... epoch:500, loss:0.09334, acc:1.00``; the loss as
    ``format_loss(loss, epsilon)`` gives it."""
    return f"training ... epoch:{epoch}, loss:{format_loss(loss, epsilon)}, acc:{accuracy:.2f}"


def format_accuracy(accuracy):
    """The spec's last testing line: ``testing ... accuracy:1.00``."""
    return f"testing ... accuracy:{accuracy:.2f}"


def testing_lines(probabilities, labels):
    """The spec's testing block: ``testing ...``, a line per sample, then the accuracy line.

    ``probabilities`` (n, 1) give the spec's ``[0.99812345]  ground truth: 1``; (n, K) class
    probabilities give ``[0.0100 0.9700 0.0200]  predicted: 1  ground truth: 1`` (the predicted
    class is the row's argmax). ``labels`` are (n, 1) or (n,) class indices.
    """
    probabilities = np.asarray(probabilities)
    labels = np.asarray(labels).reshape(-1, 1)
    if probabilities.ndim == 2 and probabilities.shape[1] > 1:
        samples = [f"[{' '.join(f'{p:.4f}' for p in row)}]  predicted: {int(row.argmax())}  "
                   f"ground truth: {int(label[0])}"
                   for row, label in zip(probabilities, labels, strict=True)]
    else:
        samples = [f"[{probability[0]:.8f}]  ground truth: {int(label[0])}"
                   for probability, label in zip(probabilities, labels, strict=True)]
    return ["testing ...", *samples, format_accuracy(accuracy(probabilities, labels))]


def choose_loss(loss, width):
    """The loss fit uses for a model of ``width`` outputs: a name of ``LOSSES`` or ``loss``
    itself if it is a function (one of ``LOSS_NAMES``: its name). ``None`` gives "bce" for one
    output, "cross_entropy" for more. Raises ValueError for an unknown name or one that does not
    fit the width."""
    if loss is None:
        return "bce" if width == 1 else "cross_entropy"
    if callable(loss):
        # by identity: a callable object need not be hashable
        names = [name for function, name in LOSS_NAMES.items() if loss is function]
        if not names:
            return loss
        loss = names[0]
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)} or a function "
                         f"loss(outputs, labels) -> 0-d Tensor; got {loss!r}")
    if loss == "bce" and width != 1:
        raise ValueError(f"loss='bce' needs a model with one output; this one has {width} "
                         f"(use loss='cross_entropy')")
    if loss == "cross_entropy" and width == 1:
        raise ValueError("loss='cross_entropy' needs a model with K >= 2 outputs; this one has "
                         "one (use loss='bce' on a sigmoid output)")
    return loss


def loss_function(model, loss):
    """``(inputs, targets) -> (loss, scores)``, the forward pass and loss of one batch, for a loss
    ``choose_loss`` gave. ``scores`` are what accuracy reads: probabilities of class 1 for one
    output (class 1 above 0.5), otherwise a row per sample whose argmax is the class."""
    if loss == "bce":
        def step(inputs, targets):
            predictions = model(inputs)
            return binary_cross_entropy(predictions, targets), predictions
    elif loss == "cross_entropy":
        forward = model.logits if hasattr(model, "logits") else model

        def step(inputs, targets):
            logits = forward(inputs)
            return cross_entropy(logits, targets), logits
    else:
        compare = mse_loss if loss == "mse" else loss

        def step(inputs, targets):
            outputs = model(inputs)
            return compare(outputs, targets), outputs
    return step


def count_correct(scores, labels):
    """How many rows of ``scores`` (as ``loss_function`` returns them) give the label's class."""
    if scores.shape[1] == 1:
        return int(((scores > 0.5) == labels).sum())
    return int((scores.argmax(axis=1) == labels[:, 0]).sum())


def model_outputs(model, inputs):
    """``model(inputs)`` as an ndarray, under no_grad in eval mode; ValueError unless it has a
    row per sample, (n, 1) or (n, K)."""
    with no_grad(), evaluating(model):
        outputs = model(Tensor.from_numpy(inputs)).data
    if outputs.ndim != 2 or len(outputs) != len(inputs):
        raise ValueError(f"the model's output for inputs of shape {inputs.shape} has shape "
                         f"{outputs.shape}; fit needs one row per sample, (n, 1) or (n, K)")
    return outputs


def check_probabilities(outputs):
    """ValueError unless one-output ``outputs`` are probabilities, as the BCE loss needs."""
    if not ((outputs >= 0) & (outputs <= 1)).all():
        raise ValueError(f"the model's one output is not a probability (found values from "
                         f"{outputs.min():.4g} to {outputs.max():.4g}) but the BCE loss needs "
                         f"values in [0, 1]: end the model with a sigmoid (nn.Sigmoid()), or "
                         f"pass loss= (e.g. loss='mse')")


def check_replayable(model):
    """ValueError if ``model`` has a Dropout that is on (training, p > 0): a compiled step
    replays the ops it recorded, that Dropout's mask among them, so every step would drop the
    same units."""
    modules = model.modules() if isinstance(model, Module) else []
    if any(isinstance(module, Dropout) and module.training and module.p > 0
           for module in modules):
        raise ValueError("compiled=True replays the ops it recorded, a Dropout's mask among "
                         "them, at every step: train a model with Dropout without compiled=True "
                         "(or with its dropout off, model.eval())")


def loss_targets(loss, labels, width):
    """What the loss compares against: the one-hot rows of ``labels`` for "mse" over K outputs,
    else the (n, 1) label column itself."""
    if loss == "mse" and width > 1:
        return (labels == np.arange(width)).astype(labels.dtype)
    return labels


def stuck_at_clip(model, x, y):
    """True when the BCE loss gives every one of the model's outputs on ``x`` a zero gradient
    (all at or past its clip bounds) while some of them are on the wrong side of 0.5."""
    probabilities = predict(model, x)
    outputs = Tensor(probabilities, requires_grad=True, dtype=probabilities.dtype)
    binary_cross_entropy(outputs, y.astype(probabilities.dtype)).backward()
    return not outputs.grad.any() and accuracy(probabilities, y) < 1.0


def fit(model, x, y, *, epochs, optimizer=None, batch_size=None, epsilon=None, log_every=500,
        rng=None, callback=None, log=print, compiled=False, loss=None, validation=None):
    """Train ``model`` (any Module) on inputs ``x`` (n, k) and class labels ``y`` (n, 1) or (n,).

    - The loss follows the model's output, found by one forward pass of ``x`` (no grad, eval
      mode): one output is the probability of class 1, trained with the lab's mean BCE on
      ``model(x)`` (labels 0/1); K > 1 outputs are K classes (labels 0..K-1), trained with
      ``nn.cross_entropy`` on ``model.logits(x)`` if the model has that method, else on
      ``model(x)``. ``loss=`` chooses: "bce", "cross_entropy", "mse" (against the labels for one
      output, their one-hot rows for K), or a function ``loss(outputs, labels)`` given
      ``model(x)`` of a batch and its (b, 1) label column as a Tensor, returning a 0-d Tensor
      (``nn.binary_cross_entropy``, ``nn.cross_entropy`` and ``nn.mse_loss`` mean their name).
      Accuracy counts class 1 where an output is above 0.5, or the argmax over K outputs.
    - ``batch_size=None`` uses the whole set per step; ``batch_size=1`` is the spec's
      one-sample-at-a-time loop, in order; other sizes shuffle each epoch (with ``rng``).
    - ``validation=(x_val, y_val)``: after every epoch, the loss and accuracy on it (no grad,
      eval mode) go to ``History.val_loss`` and ``History.val_accuracy``.
    - Stops after ``epochs``, when the epoch's loss falls below ``epsilon``, when the loss is
      no longer finite, when ``callback(epoch, loss, accuracy)`` (called after every epoch)
      returns True, or on Ctrl-C.
    - Every ``log_every`` epochs, and at the last, ``log`` gets the spec's training line
      (``log_every=None`` logs nothing).
    - ``compiled=True`` records the forward and backward pass once (``tinygrad_lab.compile``)
      and replays it: the same losses and weights, in less time.

    Returns a ``History``. Raises ValueError for unusable data or settings (labels that are
    not classes of the model, a one-output model without probabilities under BCE, no
    optimizer, ``compiled=True`` for a model whose Dropout is on) and TypeError for an
    optimizer without ``step`` and ``zero_grad``.
    """
    x, y = check_dataset(x, y, getattr(model, "in_features", None), classes=None)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs <= 0:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if batch_size is not None and (isinstance(batch_size, bool)
                                   or not isinstance(batch_size, (int, np.integer))
                                   or batch_size <= 0):
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    if epsilon is not None and not epsilon > 0:
        raise ValueError(f"epsilon must be positive, got {epsilon!r}")
    if optimizer is None:
        raise ValueError(f"fit needs an optimizer, e.g. {OPTIMIZER_EXAMPLE}")
    if not all(callable(getattr(optimizer, name, None)) for name in ("step", "zero_grad")):
        raise TypeError(f"optimizer must have step() and zero_grad(), as {OPTIMIZER_EXAMPLE} "
                        f"has; got a {type(optimizer).__name__}")
    if compiled:
        check_replayable(model)
    rng = np.random.default_rng(rng)
    n = len(x)
    batch_size = n if batch_size is None else min(batch_size, n)
    dtype = model.parameters()[0].dtype if model.parameters() else np.float64
    inputs = x.astype(dtype)
    outputs = model_outputs(model, inputs)
    width = outputs.shape[1]
    loss = choose_loss(loss, width)
    if loss == "bce":
        check_probabilities(outputs)
    labels = check_labels(y, classes_of(width)).astype(dtype)
    targets = loss_targets(loss, labels, width)
    if validation is not None:
        val_inputs, val_labels = _validation_data(validation, x.shape[1], width)
        val_inputs, val_labels = val_inputs.astype(dtype), val_labels.astype(dtype)
        val_targets = loss_targets(loss, val_labels, width)

    loss_and_scores = loss_function(model, loss)
    compiled_step = compile(loss_and_scores) if compiled else None
    history = History()
    start = time.perf_counter()
    try:
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n) if 1 < batch_size < n else None
            total_loss, correct = 0.0, 0
            for begin in range(0, n, batch_size):
                batch = slice(begin, begin + batch_size) if order is None else \
                    order[begin:begin + batch_size]
                batch_x, batch_targets = inputs[batch], targets[batch]
                optimizer.zero_grad()
                if compiled_step is None:
                    batch_loss, scores = loss_and_scores(Tensor.from_numpy(batch_x),
                                                         Tensor.from_numpy(batch_targets))
                    batch_loss.backward()
                else:
                    batch_loss, scores = compiled_step(batch_x, batch_targets)
                optimizer.step()
                total_loss += batch_loss.item() * len(batch_x)
                correct += count_correct(scores.data, labels[batch])
            epoch_loss, epoch_accuracy = total_loss / n, correct / n
            if validation is not None:
                with no_grad(), evaluating(model):
                    val_loss, val_scores = loss_and_scores(Tensor.from_numpy(val_inputs),
                                                           Tensor.from_numpy(val_targets))
                # Appended with the epoch's own numbers, so a Ctrl-C here keeps the lists equal.
                history.val_loss.append(val_loss.item())
                history.val_accuracy.append(count_correct(val_scores.data, val_labels)
                                            / len(val_labels))
            history.loss.append(epoch_loss)
            history.accuracy.append(epoch_accuracy)
            history.diverged = not math.isfinite(epoch_loss)
            history.stopped_at_epsilon = epsilon is not None and epoch_loss < epsilon
            # The callback sees every epoch, the last one too (it may be drawing a live curve).
            asked_to_stop = callback is not None and bool(
                callback(epoch, epoch_loss, epoch_accuracy))
            stop = (history.diverged or history.stopped_at_epsilon or epoch == epochs
                    or asked_to_stop)
            if log_every and (epoch % log_every == 0 or stop):
                log(format_log(epoch, epoch_loss, epoch_accuracy, epsilon))
            if stop:
                break
    except KeyboardInterrupt:
        history.interrupted = True
    history.seconds = time.perf_counter() - start
    if loss == "bce" and history.loss and not (history.interrupted or history.diverged):
        history.saturated = stuck_at_clip(model, inputs, labels)
    return history


def _validation_data(validation, in_features, width):
    """``validation`` checked as fit's data are: a pair (x_val, y_val) whose labels are classes of
    a model of ``width`` outputs; ValueError starting "validation data:" otherwise."""
    try:
        val_x, val_y = validation
    except (TypeError, ValueError):
        raise ValueError(f"validation data: expected a pair (x_val, y_val), got a "
                         f"{type(validation).__name__}") from None
    try:
        return check_dataset(val_x, val_y, in_features, classes=classes_of(width))
    except ValueError as error:
        raise ValueError(f"validation data: {error}") from None
