"""Assertions the test modules share: values equal to float64 rounding, the ops a graph holds."""

import numpy as np


def close(actual, expected):
    """Equal to 1e-12, relative or absolute: what float64 rounding of a few operations leaves."""
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def graph_ops(root):
    """The grad_fn names of every non-leaf node ``root`` was built from."""
    names, seen, stack = set(), set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.grad_fn is not None:
            names.add(node.grad_fn)
        stack.extend(node.inputs)
    return names
