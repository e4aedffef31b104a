"""Training a model on (inputs, labels): the lab's loop, its history, prediction and accuracy.

The spec's output lines (``=====data type : NAME=====``, ``training ... epoch:...``, the testing
block) are formatted here and nowhere else: the command line, the report and the demos use these.
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .engine import Tensor, compile, no_grad
from .nn import binary_cross_entropy


@dataclass
class History:
    """What ``fit`` saw: one loss and one accuracy per epoch (before that epoch's updates)."""

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    stopped_at_epsilon: bool = False
    diverged: bool = False  # the loss became NaN or infinite, and training stopped
    interrupted: bool = False  # Ctrl-C stopped training; the model keeps what it learned
    seconds: float = 0.0

    @property
    def epochs(self):
        """The number of epochs run."""
        return len(self.loss)


def format_header(name):
    """The spec's line before a dataset's training: ``=====data type : linear=====``."""
    return f"=====data type : {name}====="


def format_log(epoch, loss, accuracy):
    """The spec's training line: ``training ... epoch:500, loss:0.09334, acc:1.00``."""
    return f"training ... epoch:{epoch}, loss:{loss:.5f}, acc:{accuracy:.2f}"


def format_accuracy(accuracy):
    """The spec's last testing line: ``testing ... accuracy:1.00``."""
    return f"testing ... accuracy:{accuracy:.2f}"


def testing_lines(probabilities, labels):
    """The spec's testing block: ``testing ...``, ``[0.99812345]  ground truth: 1`` per sample,
    then the accuracy line. ``probabilities`` and ``labels`` are (n, 1) arrays."""
    return ["testing ...",
            *(f"[{probability[0]:.8f}]  ground truth: {int(label[0])}"
              for probability, label in zip(probabilities, labels, strict=True)),
            format_accuracy(accuracy(probabilities, labels))]


def check_dataset(x, y, in_features=None):
    """``(x, y)`` as float arrays of shapes (n, k) and (n, 1); ValueError saying what is wrong."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"inputs must be a 2-D array (samples, features), got shape {x.shape}")
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.ndim != 2 or y.shape[1] != 1:
        raise ValueError(f"labels must have shape (n, 1), got {y.shape}")
    if len(x) != len(y):
        raise ValueError(f"inputs and labels differ in length: {len(x)} and {len(y)} samples")
    if len(x) == 0:
        raise ValueError("inputs and labels are empty")
    if in_features is not None and x.shape[1] != in_features:
        raise ValueError(f"inputs have {x.shape[1]} features but the model expects {in_features}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("inputs and labels must be finite (found NaN or inf)")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"labels must be 0 or 1, found {np.setdiff1d(y, (0.0, 1.0))[:5]}")
    return x, y


def accuracy(probabilities, labels, threshold=0.5):
    """The fraction of samples whose class (1 where ``probability > threshold``) is the label."""
    probabilities = np.asarray(probabilities, dtype=np.float64).reshape(-1)
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    if probabilities.shape != labels.shape:
        raise ValueError(f"accuracy: {probabilities.size} probabilities but {labels.size} labels")
    return float(np.mean((probabilities > threshold) == labels))


@no_grad()
def predict(model, x):
    """The model's probabilities for inputs ``x`` (n, k), as an ndarray of shape (n, 1)."""
    parameters = model.parameters() if hasattr(model, "parameters") else []
    return model(Tensor(x, dtype=parameters[0].dtype if parameters else None)).data


def fit(model, x, y, *, epochs, optimizer, batch_size=None, epsilon=None, log_every=500,
        rng=None, callback=None, log=print, compiled=False):
    """Train ``model`` on inputs ``x`` (n, k) and 0/1 labels ``y`` (n, 1) with the mean BCE loss.

    - ``batch_size=None`` uses the whole set per step; ``batch_size=1`` is the spec's
      one-sample-at-a-time loop, in order; other sizes shuffle each epoch (with ``rng``).
    - Stops after ``epochs``, when the epoch's loss falls below ``epsilon``, when the loss is
      no longer finite, when ``callback(epoch, loss, accuracy)`` (called after every epoch)
      returns True, or on Ctrl-C.
    - Every ``log_every`` epochs, and at the last, ``log`` gets the spec's training line
      (``log_every=None`` logs nothing).
    - ``compiled=True`` records the forward and backward pass once (``tinygrad_lab.compile``)
      and replays it: the same losses and weights, in less time.

    Returns a ``History``; raises ValueError for unusable data or settings.
    """
    x, y = check_dataset(x, y, getattr(model, "in_features", None))
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs <= 0:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if batch_size is not None and (isinstance(batch_size, bool)
                                   or not isinstance(batch_size, (int, np.integer))
                                   or batch_size <= 0):
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    if epsilon is not None and not epsilon > 0:
        raise ValueError(f"epsilon must be positive, got {epsilon!r}")
    rng = np.random.default_rng(rng)
    n = len(x)
    batch_size = n if batch_size is None else min(batch_size, n)
    dtype = model.parameters()[0].dtype if model.parameters() else np.float64
    inputs, labels = x.astype(dtype), y.astype(dtype)

    def loss_and_predictions(batch_x, batch_y):
        predictions = model(batch_x)
        return binary_cross_entropy(predictions, batch_y), predictions

    compiled_step = compile(loss_and_predictions) if compiled else None
    history = History()
    start = time.perf_counter()
    try:
        for epoch in range(1, epochs + 1):
            order = rng.permutation(n) if 1 < batch_size < n else None
            total_loss, correct = 0.0, 0
            for begin in range(0, n, batch_size):
                batch = slice(begin, begin + batch_size) if order is None else \
                    order[begin:begin + batch_size]
                batch_x, batch_y = inputs[batch], labels[batch]
                optimizer.zero_grad()
                if compiled_step is None:
                    loss, pred = loss_and_predictions(Tensor.from_numpy(batch_x), batch_y)
                    loss.backward()
                else:
                    loss, pred = compiled_step(batch_x, batch_y)
                optimizer.step()
                total_loss += loss.item() * len(batch_y)
                correct += int(((pred.data > 0.5) == batch_y).sum())
            epoch_loss, epoch_accuracy = total_loss / n, correct / n
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
                log(format_log(epoch, epoch_loss, epoch_accuracy))
            if stop:
                break
    except KeyboardInterrupt:
        history.interrupted = True
    history.seconds = time.perf_counter() - start
    return history
