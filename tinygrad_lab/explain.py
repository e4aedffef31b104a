"""``explain(loss)``: the backward pass through a graph, node by node, as a table to follow.

It runs the engine's one backward walk (``backpropagate``, the chain rule ``Tensor.backward``
runs), keeping the gradient that arrives at every node, intermediates included, instead of
storing any of them in ``.grad``.
"""

import sys

import numpy as np

from .engine import backpropagate
from .graph import grad_norm, kind, name_lookup, summarize, topological_order

COLUMNS = (("node", "node"), ("op", "op"), ("shape", "shape"), ("value", "value"),
           ("rule", "local gradient rule"), ("grad_norm", "|grad|"))
LEAF_RULES = {"parameter": "parameter: g is added to .grad", "input": "input: needs no gradient"}


def explain(loss, names=None, file=None):
    """Print the backward pass from ``loss`` as a table, loss first, leaves last; return its rows.

    ``loss`` is a one-element Tensor. Each row (a dict) describes one node of the graph: ``index``
    (its number, as in ``viz``), ``node`` (``#7``, or ``#1 W1`` with ``names={"W1": w1}``), ``op``
    ("leaf" for leaves), ``shape``, ``value`` (a summary), ``rule`` (the op's local gradient rule,
    in terms of g, the gradient arriving at the node), ``grad`` (that gradient, d loss / d node;
    None where nothing needs it) and ``grad_norm`` (its norm). ``.grad`` is left untouched
    everywhere. Prints to ``file`` (default: standard output). Raises ValueError unless ``loss``
    has one element.
    """
    if loss.size != 1:
        raise ValueError(f"explain: the loss must have one element, got shape {loss.shape}")
    nodes = topological_order(loss)
    name_of = name_lookup(names)
    seed = np.ones(loss.shape, dtype=loss.dtype)
    grads = {id(loss): seed}

    def keep(node, grad):
        grads[id(node)] = grad

    if loss.requires_grad:
        backpropagate(loss, seed, keep, visit=keep)
    # Reversed, the topological order is the walk's: each node after every node that uses it.
    rows = Rows(_row(node, index, name_of(node), grads.get(id(node)))
                for index, node in reversed(list(enumerate(nodes))))
    _print_table(rows, sys.stdout if file is None else file)
    return rows


class Rows(list):
    """explain's rows: a plain list of dicts, shown in one line at the prompt.

    Typed at the prompt, ``explain(loss)`` has just printed the table; echoing every row again,
    gradient arrays and all, would bury it.
    """

    def __repr__(self):
        return f"<{len(self)} rows of explain, from {self[0]['node']} ({self[0]['op']}) down>"


def _row(node, index, name, grad):
    leaf = node.op is None
    return {"index": index, "node": f"#{index}" + (f" {name}" if name else ""),
            "op": "leaf" if leaf else node.op.name, "shape": node.shape,
            "value": summarize(node.data),
            "rule": LEAF_RULES[kind(node)] if leaf else node.op.rule,
            "grad": grad, "grad_norm": grad_norm(grad)}


def _print_table(rows, file):
    cells = [[_cell(row[key]) for key, _ in COLUMNS] for row in rows]
    headers = [title for _, title in COLUMNS]
    widths = [max(len(text) for text in column) for column in zip(headers, *cells, strict=True)]
    print("the backward pass, loss first: g is d loss / d node, summed over the ops that use the "
          "node,\nand |grad| its norm (binary ops also sum what they pass back over broadcast "
          "axes)", file=file)
    for line in (headers, ["-" * width for width in widths], *cells):
        print("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True))
              .rstrip(), file=file)


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
