"""Pictures of the graph that produced a Tensor: Graphviz DOT text, and a matplotlib drawing.

Each tensor is a box: its number (its place in ``graph.topological_order``), its op, or for a leaf
"parameter" (requires grad) or "input"; its shape; and ``|grad|``, the norm of its ``.grad``, when
that is set. Arrows run from an op's operands (``a``, then ``b``) to the op. Nothing here needs
more than NumPy, except ``draw_graph`` (matplotlib, imported when it draws) and ``render``
(Graphviz's ``dot`` program).
"""

import os
import shutil
import subprocess

from .files import atomic_write
from .graph import grad_norm, kind, name_lookup, summarize, topological_order

COLORS = {"parameter": "#fdd49e", "input": "#e0e0e0", "op": "#cfe2f3"}
OPERANDS = "ab"  # what the ops' gradient rules call their inputs
MAX_DRAWN_NODES = 200
BOX = (0.84, 0.6)  # a box's width and height in layout units (1: one column, one layer)


def to_dot(tensor, names=None):
    """Graphviz DOT source of the graph that produced ``tensor``, as a str.

    ``names`` optionally maps display names to tensors of the graph (``{"W1": w1}``).
    """
    nodes = topological_order(tensor)
    number = {id(node): i for i, node in enumerate(nodes)}
    name_of = name_lookup(names)
    lines = ["digraph backprop {",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];']
    for i, node in enumerate(nodes):
        label = "\\n".join(_escape(line) for line in _label_lines(node, i, name_of(node)))
        lines.append(f'  n{i} [label="{label}", fillcolor="{_color(node)}"];')
    for i, node in enumerate(nodes):
        for operand, parent in enumerate(node._parents):
            edge_label = f' [label="{OPERANDS[operand]}"]' if len(node._parents) > 1 else ""
            lines.append(f"  n{number[id(parent)]} -> n{i}{edge_label};")
    lines.append("}")
    return "\n".join(lines)


def write_dot(tensor, path, names=None):
    """Write ``to_dot(tensor, names)`` to ``path``, whole or not at all."""
    with atomic_write(path) as file:
        file.write((to_dot(tensor, names) + "\n").encode())


def render(tensor, path, names=None):
    """Draw the graph with Graphviz's ``dot``, in the format of the suffix of ``path`` (png, svg..).

    Raises RuntimeError if ``dot`` is not installed or fails.
    """
    program = shutil.which("dot")
    if program is None:
        raise RuntimeError("render: Graphviz's dot program is not installed; draw_graph draws "
                           "the same graph with matplotlib alone")
    image_format = os.path.splitext(os.fspath(path))[1][1:].lower() or "png"
    result = subprocess.run([program, f"-T{image_format}"], input=to_dot(tensor, names).encode(),
                            capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"render: dot failed: {result.stderr.decode(errors='replace').strip()}")
    with atomic_write(path) as file:
        file.write(result.stdout)


def layout(nodes):
    """Where to draw each node of a topological order: ``{id(node): (x, layer)}``.

    A node's layer is its longest distance from the output (the last node, layer 0), so a leaf
    sits just above the op that uses it furthest up. Layers are placed from the output upwards,
    each node as near as it can be to where its arrows arrive (on average), one unit from its
    neighbours.
    """
    layer = {id(nodes[-1]): 0}
    arrivals = {id(node): [] for node in nodes}  # (user, offset of the arrow on its box)
    for node in reversed(nodes):  # every user of a node comes before it
        for operand, parent in enumerate(node._parents):
            layer[id(parent)] = max(layer.get(id(parent), 0), layer[id(node)] + 1)
            arrivals[id(parent)].append((id(node), _arrival(operand, len(node._parents))))
    rows = {}
    for node in nodes:
        rows.setdefault(layer[id(node)], []).append(id(node))
    place = {}
    for depth in sorted(rows):
        wanted = {key: sum(place[user][0] + offset for user, offset in arrivals[key])
                  / len(arrivals[key]) if arrivals[key] else 0.0 for key in rows[depth]}
        keys = sorted(rows[depth], key=wanted.get)
        xs = [wanted[keys[0]]]
        for key in keys[1:]:
            xs.append(max(wanted[key], xs[-1] + 1.0))
        shift = sum(wanted[key] - x for key, x in zip(keys, xs, strict=True)) / len(keys)
        place.update((key, (x + shift, depth)) for key, x in zip(keys, xs, strict=True))
    return place


def draw_graph(tensor, path, names=None):
    """Draw the graph that produced ``tensor`` with matplotlib and save it to ``path`` (PNG).

    Inputs are at the top and ``tensor`` at the bottom; boxes are coloured by kind (parameter,
    input, op). ``names`` is as for ``to_dot``. Returns the matplotlib Figure. Raises ValueError
    for a graph of more than 200 tensors (too many to read; use ``to_dot``), ImportError without
    matplotlib.
    """
    from .plot import _new_figure, _save  # the lab figures' helpers: Agg canvas, atomic save

    nodes = topological_order(tensor)
    if len(nodes) > MAX_DRAWN_NODES:
        raise ValueError(f"draw_graph: the graph has {len(nodes)} tensors, too many to draw "
                         f"readably (at most {MAX_DRAWN_NODES}); use to_dot and Graphviz")
    place = layout(nodes)
    xs = [x for x, _ in place.values()]
    layers = max(y for _, y in place.values()) + 1
    width, height = BOX
    # 1.9 inches a column and 1 inch a layer keep 8.5-point text inside the boxes. Without
    # matplotlib, _new_figure raises the ImportError that says how to install it.
    figure = _new_figure(False, figsize=(1.9 * (max(xs) - min(xs) + 1) + 0.4, 1.0 * layers + 0.9),
                         dpi=110)
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(min(xs) - 0.55, max(xs) + 0.55)
    ax.set_ylim(-0.5, layers - 0.5)
    name_of = name_lookup(names)
    for i, node in enumerate(nodes):
        x, y = place[id(node)]
        ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                    boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor=_color(node), edgecolor="#4d4d4d", linewidth=0.8))
        ax.text(x, y, "\n".join(_label_lines(node, i, name_of(node))), ha="center",
                va="center", fontsize=8.5, linespacing=1.35)
        for operand, parent in enumerate(node._parents):
            px, py = place[id(parent)]
            arrival = x + _arrival(operand, len(node._parents))
            ax.add_patch(FancyArrowPatch((px, py - height / 2), (arrival, y + height / 2),
                                         arrowstyle="-|>", mutation_scale=9, color="#555555",
                                         linewidth=0.9, shrinkA=0, shrinkB=0))
    figure.suptitle(f"The graph of #{len(nodes) - 1} {kind(tensor)}: {len(nodes)} tensors, "
                    "inputs at the top\norange: parameter, grey: input, blue: op; |grad|: the "
                    "norm of .grad", fontsize=9.5)
    _save(figure, path)
    return figure


def _label_lines(node, number, name):
    """A node's text: ``#7 matmul`` (or ``#1 parameter W1``); its shape (and value, if it has one
    element); ``|grad| ...`` if ``.grad`` is set."""
    shape = str(node.shape) + (f" = {summarize(node.data)}" if node.size == 1 else "")
    lines = [f"#{number} {kind(node)}" + (f" {name}" if name else ""), shape]
    if node.grad is not None:
        lines.append(f"|grad| {grad_norm(node.grad):.4g}")
    return lines


def _arrival(operand, count):
    """Where an op's operand number ``operand`` of ``count`` arrives on its box: a, b left to right,
    as an offset from the box's centre."""
    return (operand - (count - 1) / 2) * BOX[0] / 3


def _color(node):
    return COLORS["op" if node._op is not None else kind(node)]


def _escape(text):
    """``text`` inside a double-quoted DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')
