"""The graph behind a Tensor, walked once for everything that shows it: ``viz`` and ``explain``.

Nodes are numbered by their place in ``topological_order``, so ``#7`` names the same tensor in the
DOT text, the drawing and the explain table.
"""

import numpy as np


def topological_order(root):
    """Every tensor of the graph that produced ``root``, each once, inputs before their users.

    The leaves come first, in the order the ops below first use them, then the ops in the order
    they were applied (depth first, operands left to right), ending with ``root``; reversed, the
    list is an order for the backward pass with the leaves last. The walk is iterative, so a graph
    of any depth is fine.
    """
    if root._op is None:
        return [root]
    ops = []
    seen = {id(root)}
    stack = [(root, iter(root._parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent._op is not None and id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parent._parents)))
                break
        else:  # every operand of ``node`` is placed: so is ``node``
            stack.pop()
            ops.append(node)
    leaves = []
    for node in ops:
        for parent in node._parents:
            if parent._op is None and id(parent) not in seen:
                seen.add(id(parent))
                leaves.append(parent)
    return leaves + ops


def kind(node):
    """The op's name, or for a leaf "parameter" (it requires grad) or "input" (it does not)."""
    if node._op is not None:
        return node._op.name
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
