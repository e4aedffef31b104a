"""Losses built from the engine's ops: the lab's binary cross-entropies, the cross-entropy over K
classes, and the mean squared error. Each returns the mean over the samples, a 0-d Tensor."""

import numpy as np

from ..engine import Tensor

# How far a row of class probabilities may sum from 1 (float32 rounding of a few terms is ~1e-7).
PROBABILITY_TOLERANCE = 1e-5


def _shape(value):
    return np.shape(getattr(value, "data", value))


def _check_same_shape(name, pred, target, hint=" (use labels of shape (n, 1))"):
    if pred.data.shape != _shape(target):
        raise ValueError(f"{name}: pred has shape {pred.shape} but target has shape "
                         f"{_shape(target)}; they must be equal{hint}")


# The smallest eps that keeps 1 - eps below 1 in each float type (1 - 1e-12 is 1 in float32).
_MIN_EPS = {np.dtype(np.float64): float(np.finfo(np.float64).eps),
            np.dtype(np.float32): float(np.finfo(np.float32).eps)}


def binary_cross_entropy(pred, target, eps=1e-12):
    """Mean binary cross-entropy ``-mean(t*log(p) + (1-t)*log(1-p))`` of probabilities ``pred``.

    ``p`` is clipped to [eps, 1 - eps] so the loss stays finite at 0 and 1; targets may be soft
    (any value in [0, 1]). ``target`` is a Tensor or an array of ``pred``'s shape (ValueError
    naming both shapes otherwise).
    """
    _check_same_shape("binary_cross_entropy", pred, target)
    eps = max(eps, _MIN_EPS[pred.data.dtype])
    p = pred.clip(eps, 1.0 - eps)
    # Each product has the Tensor on the left: `array * tensor` goes through NumPy's ufunc
    # dispatch first (~1 us); the product is the same either way.
    return -(p.log() * target + (1.0 - p).log() * (1.0 - target)).mean()


def binary_cross_entropy_with_logits(logits, target):
    """Mean binary cross-entropy of ``sigmoid(logits)``, computed stably from the logits.

    Uses ``softplus(z) - z*t``, which equals ``max(z, 0) - z*t + log(1 + exp(-|z|))``.
    ``target`` must have the logits' shape (ValueError naming both shapes otherwise).
    """
    _check_same_shape("binary_cross_entropy_with_logits", logits, target)
    return (logits.softplus() - logits * target).mean()


def cross_entropy(logits, target):
    """Mean cross-entropy ``-mean(sum(t * log_softmax(z), axis=1))`` of logits ``z`` (n, K).

    ``target`` (a Tensor or an array) holds integer class labels 0..K-1 of shape (n,) or
    (n, 1) (floats holding integers are fine, as the datasets' float label columns), or class
    probabilities of shape (n, K). Computed from ``log_softmax``, so it stays finite (its
    gradient too) for logits of 1e4. Labels become a one-hot array by the engine's ops, so
    ``compile`` replays the loss right for new labels passed as an argument.

    Raises ValueError naming what is wrong: logits not of shape (n, K) with K >= 2, a target of
    another shape, labels that are not integers in 0..K-1, probabilities outside [0, 1] or rows
    not summing to 1.
    """
    if logits.ndim != 2 or logits.shape[1] < 2:
        raise ValueError(f"cross_entropy: logits must have shape (n, K) with K >= 2 classes, got "
                         f"{logits.shape} (for one output, use binary_cross_entropy_with_logits)")
    count, classes = logits.shape
    values = np.asarray(getattr(target, "data", target))
    if values.shape == (count, classes):
        _check_probabilities(values)
    elif values.shape in ((count,), (count, 1)):
        _check_labels(values, classes)
    else:
        raise ValueError(f"cross_entropy: target has shape {values.shape}; for logits of shape "
                         f"{logits.shape} it must hold labels of shape ({count},) or ({count}, 1) "
                         f"or probabilities of shape {logits.shape}")
    target = target if isinstance(target, Tensor) else Tensor(values, dtype=logits.dtype)
    if values.shape == (count, classes):
        probabilities = target
    else:  # 1 - |label - k| is 1 for the label's class and at most 0 for the others, exactly
        distances = (target.reshape(count, 1) - np.arange(classes, dtype=logits.dtype)).abs()
        probabilities = (1.0 - distances).relu()
    return -(logits.log_softmax(axis=1) * probabilities).sum(axis=1).mean()


def _check_labels(labels, classes):
    wrong = ~np.isin(labels, np.arange(classes)) if labels.dtype.kind in "biuf" else None
    if wrong is None or wrong.any():
        found = labels if wrong is None else np.unique(labels[wrong])
        raise ValueError(f"cross_entropy: labels must be the integers 0..{classes - 1} for "
                         f"{classes} classes, found {found.ravel()[:5].tolist()}")


def _check_probabilities(probabilities):
    if probabilities.dtype.kind not in "biuf":
        raise ValueError(f"cross_entropy: class probabilities must be numbers, got "
                         f"{probabilities.dtype}")
    if not ((probabilities >= 0) & (probabilities <= 1)).all():
        outside = probabilities[~((probabilities >= 0) & (probabilities <= 1))]
        raise ValueError(f"cross_entropy: class probabilities must be in [0, 1], found "
                         f"{np.unique(outside)[:5].tolist()}")
    sums = probabilities.sum(axis=1)
    wrong = np.abs(sums - 1) > PROBABILITY_TOLERANCE
    if wrong.any():
        raise ValueError(f"cross_entropy: each row of class probabilities must sum to 1; rows "
                         f"{np.flatnonzero(wrong)[:5].tolist()} sum to "
                         f"{sums[wrong][:5].tolist()}")


def mse_loss(pred, target):
    """Mean squared error ``mean((pred - target) ** 2)``; ``target`` is a Tensor or an array of
    ``pred``'s shape (ValueError naming both shapes otherwise)."""
    _check_same_shape("mse_loss", pred, target, hint="")
    difference = pred - target
    return (difference * difference).mean()
