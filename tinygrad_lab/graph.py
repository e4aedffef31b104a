"""What the tools that show a graph (``viz``, ``explain``) say about its nodes.

Nodes are numbered by their place in the engine's ``topological_order``, so ``#7`` names the same
tensor in the DOT text, the drawing and the explain table.
"""

import numpy as np

from .engine import topological_order  # noqa: F401 (the order the numbers come from)


def kind(node):
    """The op's name, or for a leaf "parameter" (it requires grad) or "input" (it does not)."""
    if node.op is not None:
        return node.op.name
    return "parameter" if node.requires_grad else "input"


def name_lookup(names):
    """``{"W1": tensor, ...}`` (or None) as a function from a tensor to its name ("" if none)."""
    by_id = {id(tensor): name for name, tensor in (names or {}).items()}
    return lambda node: by_id.get(id(node), "")


def grad_norm(grad):
    """The Euclidean (Frobenius) norm of a gradient array as a float; None for no gradient."""
    return None if grad is None else float(np.linalg.norm(grad))


def summarize(array):
    """A one-element array's value, else ``mean m [min, max]``, to 3 or 4 significant digits."""
    if array.size == 1:
        return f"{array.item() + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0
    if array.size == 0:
        return "empty"
    return f"mean {array.mean() + 0.0:.3g} [{array.min() + 0.0:.3g}, {array.max() + 0.0:.3g}]"
