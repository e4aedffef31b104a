"""explain(loss): one row per node in backward order, the gradients it computes itself (equal to
the engine's), the table it prints, and every .grad left as it was.

Gradients are compared with the engine's ``backward`` to rtol 1e-12 (the same arithmetic, so equal
up to rounding).
"""

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ops import FORMS, draw_inputs

from tinygrad_lab import Tensor, explain
from tinygrad_lab.graph import topological_order


def quiet_explain(loss, names=None):
    """explain's rows and its printed lines."""
    out = io.StringIO()
    rows = explain(loss, names, file=out)
    return rows, out.getvalue().splitlines()


def grads_of(nodes):
    return [node.grad for node in nodes]


def test_rows_match_the_graph(lab_loss):
    nodes = topological_order(lab_loss.loss)
    rows, _ = quiet_explain(lab_loss.loss)
    assert len(rows) == len(nodes) == 22
    assert [row["index"] for row in rows] == list(range(21, -1, -1))  # loss first
    assert [row["shape"] for row in rows] == [node.shape for node in reversed(nodes)]
    assert [row["op"] for row in rows[:4]] == ["neg", "mean", "add", "mul"]
    assert [row["op"] for row in rows[-7:]] == ["leaf"] * 7  # the leaves last
    assert "leaf" not in [row["op"] for row in rows[:-7]]
    assert rows[0]["grad_norm"] == 1.0
    assert rows[0]["value"] == f"{lab_loss.loss.item():.4g}"


def test_gradients_match_backward_at_every_node(lab_loss):
    nodes = topological_order(lab_loss.loss)
    for node in nodes:
        if node.requires_grad:
            node.retain_grad()
    rows, _ = quiet_explain(lab_loss.loss)
    lab_loss.loss.backward()
    for row, node in zip(rows, reversed(nodes), strict=True):
        if node.requires_grad:
            np.testing.assert_allclose(row["grad"], node.grad, rtol=1e-12, atol=1e-300)
            assert row["grad_norm"] == pytest.approx(np.linalg.norm(node.grad), rel=1e-12)
        else:  # the data and the constants: nothing needs their gradient
            assert row["grad"] is None and row["grad_norm"] is None


@pytest.mark.parametrize("name, form", FORMS, ids=[f"{n}: {f.label}" for n, f in FORMS])
@settings(max_examples=5)  # the op's own gradient is checked in test_ops; this is the display
@given(data=st.data())
def test_every_op_is_explained_with_its_rule_and_gradient(name, form, data):
    inputs, params = draw_inputs(name, form, data)
    out = form.fn(*inputs, **params)
    loss = (out * np.random.default_rng(0).normal(size=out.shape)).sum()
    rows, lines = quiet_explain(loss)
    index = [id(node) for node in topological_order(loss)].index(id(out))
    row = next(row for row in rows if row["index"] == index)
    assert row["op"] == name and row["rule"] == out.op.rule
    assert any(line.split()[1:2] == [name] for line in lines)
    out.retain_grad()
    loss.backward()
    np.testing.assert_array_equal(row["grad"], out.grad)


def test_leaf_norms_equal_their_grads_after_backward(lab_loss):
    lab_loss.loss.backward()
    rows, _ = quiet_explain(lab_loss.loss, lab_loss.names)
    by_node = {row["node"]: row for row in rows}
    for name in ("W1", "W2", "W3"):
        weight = lab_loss.names[name]
        row = next(row for key, row in by_node.items() if key.endswith(f" {name}"))
        assert row["op"] == "leaf" and row["shape"] == weight.shape
        assert row["grad_norm"] == pytest.approx(np.linalg.norm(weight.grad), rel=1e-12)


def test_every_grad_is_left_as_it_was(lab_loss):
    nodes = topological_order(lab_loss.loss)
    quiet_explain(lab_loss.loss)
    assert grads_of(nodes) == [None] * len(nodes)  # before any backward: still none

    for node in nodes:  # the intermediate gradients too, as `tinygrad-lab graph` keeps them
        if node.requires_grad:
            node.retain_grad()
    lab_loss.loss.backward()
    before = grads_of(nodes)
    copies = [None if grad is None else grad.copy() for grad in before]
    quiet_explain(lab_loss.loss)
    after = grads_of(nodes)
    assert all(a is b for a, b in zip(before, after, strict=True))  # the same arrays ...
    for grad, copy in zip(after, copies, strict=True):  # ... with the same values
        assert (grad is None) == (copy is None)
        if grad is not None:
            np.testing.assert_array_equal(grad, copy)


def test_a_node_used_several_times_gets_the_sum():
    x = Tensor([1.0, -2.0], requires_grad=True)
    y = x * x  # used twice below: its gradient is the sum of both uses
    loss = (y + y * 3.0).sum()
    rows, _ = quiet_explain(loss, {"x": x, "y": y})
    by_node = {row["node"]: row for row in rows}
    np.testing.assert_array_equal(by_node["#2 y"]["grad"], [4.0, 4.0])
    np.testing.assert_array_equal(by_node["#0 x"]["grad"], [8.0, -16.0])  # 4 * 2x
    # Leaves x (#0) and the constant 3 (#1) last; y is reported after both of its users.
    assert [row["node"] for row in rows] == ["#5", "#4", "#3", "#2 y", "#1", "#0 x"]


def test_the_printed_table(lab_loss):
    rows, lines = quiet_explain(lab_loss.loss, lab_loss.names)
    header, rule, *body = lines[2:]
    assert header.split() == ["node", "op", "shape", "value", "local", "gradient", "rule",
                              "|grad|"]
    assert set(rule.replace(" ", "")) == {"-"}
    assert len(body) == len(rows)
    # Fixed-width columns: every column starts where its header does.
    starts = [header.index(title) for title in ("op", "shape", "value", "local", "|grad|")]
    for line, row in zip(body, rows, strict=True):
        assert line.startswith(row["node"])
        assert line[starts[0]:].startswith(row["op"])
        assert line[starts[1]:].startswith(str(row["shape"]))
        assert line[starts[2]:].startswith(row["value"])
        assert line[starts[3]:].startswith(row["rule"])
        norm = row["grad_norm"]
        assert line[starts[4]:] == ("-" if norm is None else f"{norm:.4g}")
    assert body[0].split()[:2] == ["#21", "neg"]
    assert "d s=sigmoid(a): g*s*(1-s)" in lines[2 + 2 + 9]  # #12, the output sigmoid
    assert body[-4].split()[:3] == ["#3", "W3", "leaf"]
    assert "parameter: g is added to .grad" in body[-4]


def test_the_rows_show_in_one_line_at_the_prompt(lab_loss):
    rows, _ = quiet_explain(lab_loss.loss)
    assert isinstance(rows, list) and all(type(row) is dict for row in rows)
    assert repr(rows) == "<22 rows of explain, from #21 (neg) down>"


def test_value_summaries():
    loss = (Tensor([[0.25, -0.5], [1.0, 2.0]], requires_grad=True) * 0.0).sum()
    rows, _ = quiet_explain(loss)
    assert [row["value"] for row in rows] == ["0", "mean 0 [0, 0]", "0", "mean 0.688 [-0.5, 2]"]


def test_a_chain_deeper_than_the_recursion_limit():
    x = Tensor(0.5, requires_grad=True)
    y = x
    for _ in range(5_000):
        y = -y
    rows, lines = quiet_explain(y)
    assert len(rows) == len(lines) - 4 == 5_001
    assert rows[-1]["grad"] == 1.0  # an even number of negations


def test_a_loss_with_more_than_one_element_is_refused():
    with pytest.raises(ValueError, match=r"one element, got shape \(2,\)"):
        explain(Tensor([1.0, 2.0], requires_grad=True) * 2)
