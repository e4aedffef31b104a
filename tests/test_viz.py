"""Pictures of the graph: the DOT text (nodes, labels, edges), the matplotlib drawing (a real PNG,
boxes that do not overlap), and rendering with Graphviz's dot."""

import os
import re
import struct
import sys

import pytest

from tinygrad_lab import Tensor
from tinygrad_lab.graph import topological_order
from tinygrad_lab.viz import BOX, draw_graph, layout, render, to_dot

NODE = re.compile(r'^  n(\d+) \[label="(.*)", fillcolor="(#[0-9a-f]{6})"\];$')
EDGE = re.compile(r'^  n(\d+) -> n(\d+)(?: \[label="([ab])"\])?;$')


def parse_dot(text):
    """({number: label lines}, [(from, to, operand label or None)]) of ``to_dot``'s output."""
    lines = text.splitlines()
    assert lines[0] == "digraph backprop {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[2:-1]:
        node, edge = NODE.match(line), EDGE.match(line)
        assert node or edge, line
        if node:
            nodes[int(node.group(1))] = node.group(2).split("\\n")
        else:
            edges.append((int(edge.group(1)), int(edge.group(2)), edge.group(3)))
    return nodes, edges


def small_expression():
    """c = a*b + b**2 at a = 2, b = -3: leaves #0 a and #1 b, then #2 mul, #3 pow, #4 add."""
    a = Tensor(2.0, requires_grad=True)
    b = Tensor(-3.0, requires_grad=True)
    return a, b, a * b + b ** 2


def test_to_dot_of_a_small_expression():
    a, b, c = small_expression()
    nodes, edges = parse_dot(to_dot(c, names={"a": a, "b": b}))
    assert nodes == {0: ["#0 parameter a", "() = 2"], 1: ["#1 parameter b", "() = -3"],
                     2: ["#2 mul", "() = -6"], 3: ["#3 pow", "() = 9"], 4: ["#4 add", "() = 3"]}
    assert edges == [(0, 2, "a"), (1, 2, "b"), (1, 3, None), (2, 4, "a"), (3, 4, "b")]


def test_to_dot_shows_gradient_norms_once_grad_is_set():
    a, b, c = small_expression()
    assert "|grad|" not in to_dot(c)
    c.backward()  # dc/da = b = -3, dc/db = a + 2b = -4
    nodes, _ = parse_dot(to_dot(c))
    assert nodes[0][-1] == "|grad| 3" and nodes[1][-1] == "|grad| 4"
    assert not any(line.startswith("|grad|") for number in (2, 3, 4) for line in nodes[number])


def test_to_dot_of_the_lab_network(lab_loss):
    lab_loss.loss.backward()
    nodes, edges = parse_dot(to_dot(lab_loss.loss, lab_loss.names))
    assert len(nodes) == 22 and len(edges) == 22  # 15 ops: 7 with two operands, 8 with one
    assert nodes[1][:2] == ["#1 parameter W1", "(2, 10)"]
    w1_norm = float(nodes[1][2].split()[1])
    assert w1_norm == pytest.approx(float(sum(lab_loss.names["W1"].grad.ravel() ** 2)) ** 0.5,
                                    rel=1e-3)
    assert nodes[0] == ["#0 input x", "(21, 2)"]
    assert nodes[21][0] == "#21 neg"
    assert (0, 7, "a") in edges and (1, 7, "b") in edges  # x @ W1


def test_to_dot_escapes_names():
    w = Tensor(1.0, requires_grad=True)
    text = to_dot(w * 2, names={'say "hi" \\o/': w})
    assert '#0 parameter say \\"hi\\" \\\\o/' in text


def boxes_overlap(first, second):
    (x1, y1), (x2, y2) = first, second
    return abs(x1 - x2) < BOX[0] and abs(y1 - y2) < BOX[1]


def test_layout_of_the_lab_network(lab_loss):
    nodes = topological_order(lab_loss.loss)
    place = layout(nodes)
    assert set(place) == {id(node) for node in nodes}
    positions = list(place.values())
    for i, first in enumerate(positions):
        for second in positions[i + 1:]:
            assert not boxes_overlap(first, second), (first, second)
    for node in nodes:  # every arrow points down, from an operand's layer to a lower one
        for parent in node._parents:
            assert place[id(parent)][1] > place[id(node)][1]
    assert place[id(lab_loss.loss)][1] == 0
    assert max(y for _, y in positions) == 13  # neg, mean, add, mul, log, sub, clip, ..., x


def test_draw_graph_writes_a_png(lab_loss, tmp_path):
    lab_loss.loss.backward()
    path = tmp_path / "graph.png"
    draw_graph(lab_loss.loss, path, names=lab_loss.names)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert 500 < width < height < 2500  # one tall column of layers
    assert 20_000 < len(data) < 300_000
    assert os.listdir(tmp_path) == ["graph.png"]  # no temporary file left


def test_draw_graph_refuses_a_huge_graph(tmp_path):
    y = Tensor(1.0, requires_grad=True)
    for _ in range(300):
        y = -y
    with pytest.raises(ValueError, match="301 tensors"):
        draw_graph(y, tmp_path / "huge.png")
    assert os.listdir(tmp_path) == []


def fake_dot(folder):
    """A ``dot`` program that writes its -T flag and then its input."""
    program = folder / "dot"
    program.write_text(f"#!{sys.executable}\nimport sys\n"
                       "sys.stdout.write(sys.argv[1] + '|' + sys.stdin.read())\n")
    program.chmod(0o755)
    return program


def test_render_runs_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(fake_dot(tmp_path).parent))
    _, _, c = small_expression()
    render(c, tmp_path / "graph.svg")
    assert (tmp_path / "graph.svg").read_text() == "-Tsvg|" + to_dot(c)


def test_render_without_dot(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    _, _, c = small_expression()
    with pytest.raises(RuntimeError, match="dot program is not installed"):
        render(c, tmp_path / "graph.png")
    assert os.listdir(tmp_path) == []

