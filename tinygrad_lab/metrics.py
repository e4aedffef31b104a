"""A trained model's predictions and their accuracy, and the checks on (inputs, labels) that
``fit`` and they share: labels are class indices 0..K-1 for a model of K classes."""

from contextlib import contextmanager

import numpy as np

from .engine import Tensor, no_grad
from .nn import Module


@contextmanager
def evaluating(model):
    """``model`` in eval mode (Dropout off) inside the block, each module's mode as it was after.
    A model that is not a Module is left alone."""
    modes = [(module, module.training) for module in model.modules()] \
        if isinstance(model, Module) else []
    for module, _ in modes:
        module.training = False
    try:
        yield model
    finally:
        for module, training in modes:
            module.training = training


def classes_of(width):
    """The number of classes a model with ``width`` outputs tells apart: 2 for one output (its
    sigmoid is the probability of class 1), K for K outputs."""
    return 2 if width == 1 else width


def check_labels(y, classes=2):
    """``y`` (n,) or (n, 1) as a float (n, 1) column of class indices 0..classes-1.

    Raises ValueError naming the shape, or the labels that are not integers in range (for
    labels past the last class: how many outputs the model would need).
    """
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y.reshape(-1, 1)
    if y.ndim != 2 or y.shape[1] != 1:
        raise ValueError(f"labels must have shape (n, 1), got {y.shape}")
    if not np.isfinite(y).all():
        raise ValueError("inputs and labels must be finite (found NaN or inf)")
    wrong = np.setdiff1d(y, np.arange(classes))
    if wrong.size == 0:
        return y
    expected = "0 or 1" if classes == 2 else f"integers 0..{classes - 1}"
    outputs = "one output" if classes == 2 else f"{classes} outputs"
    message = f"labels must be {expected} for a model with {outputs}, found {wrong[:5].tolist()}"
    if (wrong == np.round(wrong)).all() and (wrong > 0).all():
        message += (f": labels 0..{int(wrong.max())} are {int(wrong.max()) + 1} classes, more "
                    f"than the model has (give it {int(wrong.max()) + 1} outputs)")
    raise ValueError(message)


def check_dataset(x, y, in_features=None, classes=2):
    """``(x, y)`` as float arrays of shapes (n, k) and (n, 1), the labels class indices
    0..classes-1 (0 or 1 by default; ``classes=None`` checks only that they are finite);
    ValueError saying what is wrong."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"inputs must be a 2-D array (samples, features), got shape {x.shape}")
    labels = np.asarray(y, dtype=np.float64)
    labels = labels.reshape(-1, 1) if labels.ndim == 1 else labels
    if labels.ndim != 2 or labels.shape[1] != 1:
        raise ValueError(f"labels must have shape (n, 1), got {labels.shape}")
    if len(x) != len(labels):
        raise ValueError(f"inputs and labels differ in length: {len(x)} and {len(labels)} "
                         f"samples")
    if len(x) == 0:
        raise ValueError("inputs and labels are empty")
    if in_features is not None and x.shape[1] != in_features:
        raise ValueError(f"inputs have {x.shape[1]} features but the model expects {in_features}")
    if not (np.isfinite(x).all() and np.isfinite(labels).all()):
        raise ValueError("inputs and labels must be finite (found NaN or inf)")
    return x, labels if classes is None else check_labels(labels, classes)


def accuracy(probabilities, labels, threshold=0.5):
    """The fraction of samples whose predicted class is the label.

    ``probabilities`` (n, 1) (or (n,)) are those of class 1: the class is 1 where
    ``probability > threshold``. For (n, K) with K > 1 the class is the argmax of the row (the
    threshold is not used). ``labels`` are (n,) or (n, 1) class indices. Returns a float;
    raises ValueError if the counts differ.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    if probabilities.ndim == 2 and probabilities.shape[1] > 1:
        predicted = probabilities.argmax(axis=1)
    else:
        predicted = probabilities.reshape(-1) > threshold
    if predicted.shape != labels.shape:
        raise ValueError(f"accuracy: {predicted.size} probabilities but {labels.size} labels")
    return float(np.mean(predicted == labels))


def predict(model, x):
    """The model's class probabilities for inputs ``x`` (n, k), an ndarray, computed under
    no_grad in eval mode.

    One output: ``model(x)`` as it is, (n, 1), the probability of class 1. K > 1 outputs: the
    softmax of the logits (``model.logits(x)`` if the model has that method, else ``model(x)``,
    as ``fit`` trains them), (n, K), so a Sequential ending in a Linear gives probabilities too.
    """
    parameters = model.parameters() if hasattr(model, "parameters") else []
    inputs = Tensor(x, dtype=parameters[0].dtype if parameters else None)
    with no_grad(), evaluating(model):
        if not hasattr(model, "logits"):
            outputs = model(inputs)
            return outputs.data if outputs.shape[-1] == 1 else outputs.softmax(-1).data
        logits = model.logits(inputs)
        return model(inputs).data if logits.shape[-1] == 1 else logits.softmax(-1).data
