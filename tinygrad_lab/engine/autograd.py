"""The chain rule, written once: the walk from a result back through the graph that made it.

``backpropagate`` is the only code that orders a graph for the backward pass and adds up the
parts of a gradient. ``Tensor.backward`` runs it on arrays; ``explain`` runs it to show every
node's gradient; ``compile`` runs it once with callbacks that write the backward pass out as
code. So the three visit the nodes in the same order and add the same parts in the same order,
and their gradients agree to the last bit.
"""

import operator
from heapq import heappop, heappush

import numpy as np


def op_backward(node, grad, needs):
    """What ``node``'s op passes back to its inputs: the op's own backward (eager mode)."""
    return node._op.backward(grad, node._saved, needs)


def backpropagate(root, grad, deliver, through=op_backward, add=operator.add, visit=None):
    """Push ``grad`` (d loss / d root) from ``root`` back to every tensor below it that needs it.

    Op nodes are taken newest first. Every user of a tensor was made after it, so when a node is
    taken, all of its users have passed their parts back: a topological order found without
    recursion or a separate pass over the graph. For each node:

    - its parts have been added up with ``add(total, part)`` in the order they arrived;
    - ``visit(node, grad)``, if given, sees that total, and so does ``deliver`` if the node
      retains its gradient (``retain_grad()``);
    - ``through(node, grad, needs)`` returns what the node's op passes to each input (by default
      the op's own backward), ``needs`` saying which inputs require a gradient.

    Leaves wait until the walk is over; then ``deliver(leaf, grad)`` gets each leaf's total, in
    the order the leaves received their first part.
    """
    if root._op is None:
        deliver(root, grad)
        return
    # What each node has received so far waits in its _pending slot: ~5% of the lab step
    # quicker than a dict by id. A node is in the heap, or in ``leaves``, while it is set.
    root._pending = grad
    newest_first = [(root._order, root)]
    leaves = []
    try:
        while newest_first:
            node = heappop(newest_first)[1]
            grad = node._pending
            node._pending = None
            if visit is not None:
                visit(node, grad)
            if node._retains_grad:
                deliver(node, grad)
            needs = node._needs
            parts = through(node, grad, needs)
            for parent, part in zip(node._parents, parts):  # noqa: B905 (one part per input)
                if part is None:  # the parent does not require grad
                    continue
                if parent._pending is not None:
                    parent._pending = add(parent._pending, part)
                else:
                    parent._pending = part
                    if parent._op is None:
                        leaves.append(parent)
                    else:
                        heappush(newest_first, (parent._order, parent))
        for leaf in leaves:
            grad = leaf._pending
            leaf._pending = None
            deliver(leaf, grad)
    except BaseException:  # forget what the nodes still waiting had received
        for node in [node for _, node in newest_first] + leaves:
            node._pending = None
        raise


def backward(root, grad=None):
    """``root.backward(grad)``: accumulate d root / d leaf into ``.grad`` of every leaf that
    requires grad; ``grad`` (d loss / d root) may be left out when root has one element."""
    if not root.requires_grad:
        # An op's output remembers which inputs required grad even when it recorded nothing.
        if True in getattr(root, "_needs", ()):
            raise RuntimeError("backward: this tensor was computed under no_grad, so it "
                               "recorded no graph to differentiate (compute it outside no_grad)")
        raise RuntimeError("backward: this tensor does not require grad, so there is nothing "
                           "to differentiate (create its inputs with requires_grad=True)")
    data = root.data
    if grad is None:
        if data.size != 1:
            raise RuntimeError(
                f"backward: a gradient is needed for a non-scalar output (shape "
                f"{data.shape}); call backward(grad) with grad of that shape")
        grad = np.array(1.0, data.dtype, ndmin=data.ndim)  # one element: every axis is 1
    else:
        grad = np.array(getattr(grad, "data", grad), dtype=data.dtype)  # a Tensor or an array
        if grad.shape != data.shape:
            raise ValueError(f"backward: grad has shape {grad.shape} but the output has shape "
                             f"{data.shape}")
    backpropagate(root, grad, accumulator())


def accumulator(shared=()):
    """A ``deliver`` for ``backpropagate`` that adds each gradient into the tensor's ``.grad``.

    It never lets a ``.grad`` be an array that something else holds: not another tensor's
    ``.grad`` (an op may pass one array to two inputs), not a view, not an array whose id is in
    ``shared`` (``compile`` lists the arrays its replay keeps). Those are copied.
    """
    stored = set(shared)

    def deliver(tensor, grad):
        dtype = tensor.data.dtype  # a .grad has its tensor's dtype, as in PyTorch
        if tensor.grad is not None:
            tensor.grad = np.asarray(tensor.grad + grad, dtype)  # a 0-d sum is a NumPy scalar
            return
        if (type(grad) is not np.ndarray or grad.base is not None or id(grad) in stored
                or grad.dtype != dtype):
            grad = np.array(grad, dtype)
        stored.add(id(grad))
        tensor.grad = grad

    return deliver


def topological_order(root):
    """Every tensor of the graph that produced ``root``, each once, inputs before their users.

    The leaves come first, in the order the ops first use them, then the ops in the order they
    were applied, ending with ``root``. Reversed, it is the order ``backpropagate`` takes the ops
    in, with the leaves last.
    """
    ops, seen, stack = [], {id(root)}, [root]
    while stack:
        node = stack.pop()
        if node._op is not None:
            ops.append(node)
            for parent in node._parents:
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
    if not ops:
        return [root]
    ops.sort(key=lambda node: -node._order)  # creation order: the newest has the lowest number
    leaves = {id(parent): parent for node in ops for parent in node._parents
              if parent._op is None}  # keyed by id: the first use sets the order
    return list(leaves.values()) + ops
