"""Pictures of the graph: the DOT text (nodes, labels, edges), the matplotlib drawing (a real PNG,
boxes that do not overlap, arrows that go around them, a refusal when too big), and rendering
with Graphviz's dot."""

import os
import re
import struct
import sys

import pytest

from tinygrad_lab import Tensor
from tinygrad_lab.graph import kind, topological_order
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
                     2: ["#2 input", "() = 2"], 3: ["#3 mul", "() = -6"], 4: ["#4 pow", "() = 9"],
                     5: ["#5 add", "() = 3"]}
    assert edges == [(0, 3, "a"), (1, 3, "b"), (1, 4, "a"), (2, 4, "b"), (3, 5, "a"),
                     (4, 5, "b")]


def test_to_dot_shows_gradient_norms_once_grad_is_set():
    a, b, c = small_expression()
    assert "|grad|" not in to_dot(c)
    c.backward()  # dc/da = b = -3, dc/db = a + 2b = -4
    nodes, _ = parse_dot(to_dot(c))
    assert nodes[0][-1] == "|grad| 3" and nodes[1][-1] == "|grad| 4"
    assert not any(line.startswith("|grad|") for number in (2, 3, 4, 5) for line in nodes[number])


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


def assert_readable_layout(nodes):
    """No two boxes overlap; every arrow points down and passes each layer it skips beside the
    boxes there, one bend a layer. Returns ``(place, bends)``."""
    place, bends = layout(nodes)
    assert set(place) == {id(node) for node in nodes}
    positions = list(place.values())
    for i, first in enumerate(positions):
        for second in positions[i + 1:]:
            assert not boxes_overlap(first, second), (first, second)
    for node in nodes:
        for operand, parent in enumerate(node.inputs):
            top, bottom = place[id(parent)][1], place[id(node)][1]
            assert top > bottom
            route = bends.get((id(node), operand), [])
            assert [y for _, y in route] == list(range(top - 1, bottom, -1))
            for bend_x, layer in route:
                assert all(abs(bend_x - x) >= BOX[0] / 2 for x, y in positions if y == layer)
    return place, bends


def test_layout_of_the_lab_network(lab_loss):
    nodes = topological_order(lab_loss.loss)
    place, bends = assert_readable_layout(nodes)
    assert place[id(lab_loss.loss)][1] == 0
    assert max(y for _, y in place.values()) == 13  # neg, mean, add, mul, log, sub, clip, ..., x
    assert kind(nodes[14]) == "log"  # log(p): the one arrow that skips a layer (the sub's) is
    assert list(bends) == [(id(nodes[14]), 0)]  # from the clip to it


def test_an_arrow_that_skips_a_layer_goes_around_the_box_there():
    x = Tensor(3.0, requires_grad=True)
    product = x * x
    total = product + x  # x is above x*x, so its arrow to the add passes the layer of x*x
    _, bends = assert_readable_layout(topological_order(total))
    assert list(bends) == [(id(total), 1)]


def test_layout_of_a_tensor_used_at_every_step():
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(12):
        y = y * x
    _, bends = assert_readable_layout(topological_order(y))
    assert sum(len(route) for route in bends.values()) == sum(range(12))


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


def test_the_title_fits_a_narrow_drawing(tmp_path):
    figure = draw_graph(Tensor([1.0, 2.0], requires_grad=True), tmp_path / "leaf.png")
    title = figure.texts[0]
    assert title.get_text().startswith("The graph of #0 parameter: 1 tensor, ")
    extent = title.get_window_extent()
    assert 0 <= extent.x0 < extent.x1 <= figure.bbox.width


@pytest.mark.parametrize("length, message", [(300, "301 tensors, too many"),
                                             (100, "101 tensors would take 6 x 102 inches")])
def test_draw_graph_refuses_a_huge_graph(tmp_path, length, message):
    y = Tensor(1.0, requires_grad=True)
    for _ in range(length):
        y = -y
    with pytest.raises(ValueError, match=message):
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



def test_draw_graph_without_a_path_returns_the_figure_and_writes_nothing(lab_loss, tmp_path,
                                                                         monkeypatch):
    from matplotlib.figure import Figure

    monkeypatch.chdir(tmp_path)
    figure = draw_graph(lab_loss.loss, names=lab_loss.names)
    assert isinstance(figure, Figure)
    texts = [text.get_text() for ax in figure.axes for text in ax.texts]
    assert any(text.startswith("#1 parameter W1") for text in texts)
    assert os.listdir(tmp_path) == []
