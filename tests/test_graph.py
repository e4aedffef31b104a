"""The one walk of a graph that viz and explain share: every tensor once, in a topological order
with the leaves first, for graphs of any depth."""

import numpy as np

from tinygrad_lab import Tensor
from tinygrad_lab.graph import grad_norm, kind, name_lookup, topological_order


def assert_topological(nodes):
    """Each node once; every operand before the op that uses it; all leaves before all ops."""
    position = {id(node): i for i, node in enumerate(nodes)}
    assert len(position) == len(nodes)
    for i, node in enumerate(nodes):
        for parent in node.inputs:
            assert position[id(parent)] < i
    leaves = [node.op is None for node in nodes]
    assert leaves == sorted(leaves, reverse=True)


def test_a_small_expression_in_order():
    a = Tensor(2.0, requires_grad=True)
    b = Tensor(-3.0, requires_grad=True)
    product = a * b
    square = b ** 2
    c = product + square
    nodes = topological_order(c)
    exponent = square.inputs[1]  # the number 2, a constant input of pow
    assert [id(node) for node in nodes] == [id(t) for t in (a, b, exponent, product, square, c)]
    assert [kind(node) for node in nodes] == ["parameter", "parameter", "input", "mul", "pow",
                                              "add"]


def test_the_lab_network(lab_loss):
    nodes = topological_order(lab_loss.loss)
    assert_topological(nodes)
    assert nodes[-1] is lab_loss.loss
    names = lab_loss.names
    # Leaves in the order the ops first use them: x and W1 (first matmul), W2, W3, then the loss's.
    assert [id(node) for node in nodes[:5]] == \
        [id(names[key]) for key in ("x", "W1", "W2", "W3", "y")]
    assert [kind(node) for node in nodes] == [
        "input", "parameter", "parameter", "parameter", "input", "input", "input",
        "matmul", "sigmoid", "matmul", "sigmoid", "matmul", "sigmoid", "clip", "log", "mul",
        "sub", "log", "mul", "add", "mean", "neg"]


def test_a_node_used_many_times_is_listed_once():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = (y + y * x + x).sum()
    nodes = topological_order(z)
    assert_topological(nodes)
    assert sum(node is x for node in nodes) == 1
    assert sum(node is y for node in nodes) == 1
    assert len(nodes) == 6  # x, x*x, y*x, y+y*x, +x, sum


def test_a_leaf_or_a_constant_is_its_own_graph():
    leaf = Tensor([1.0], requires_grad=True)
    assert topological_order(leaf) == [leaf]
    constant = Tensor([1.0]) * 3  # computed without grad: no graph behind it
    assert topological_order(constant) == [constant]
    assert kind(constant) == "input"


def test_a_chain_deeper_than_the_recursion_limit():
    x = Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = -y
    nodes = topological_order(y)
    assert len(nodes) == 100_001
    assert nodes[0] is x and nodes[-1] is y
    pairs = zip(nodes[:-1], nodes[1:], strict=True)
    assert all(node.inputs[0] is previous for previous, node in pairs)


def test_names_and_norms():
    w = Tensor([3.0, 4.0], requires_grad=True)
    name_of = name_lookup({"w": w})
    assert name_of(w) == "w"
    assert name_of(Tensor([3.0, 4.0])) == ""  # by identity, not by value
    assert name_lookup(None)(w) == ""
    assert grad_norm(np.array([[3.0], [4.0]])) == 5.0
    assert grad_norm(None) is None
