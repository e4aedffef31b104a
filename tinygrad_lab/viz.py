"""Pictures of the graph that produced a Tensor: Graphviz DOT text, and a matplotlib drawing.

Each tensor is a box: its number (its place in ``graph.topological_order``), its op, or for a leaf
"parameter" (requires grad) or "input"; its shape; and ``|grad|``, the norm of its ``.grad``, when
that is set. Arrows run from an op's operands (``a``, then ``b``) to the op. Nothing here needs
more than NumPy, except ``draw_graph`` (matplotlib, imported when it draws) and ``render``
(Graphviz's ``dot`` program).
"""

import itertools
import os
import shutil
import subprocess

from .files import atomic_write
from .graph import grad_norm, kind, name_lookup, summarize, topological_order

COLORS = {"parameter": "#fdd49e", "input": "#e0e0e0", "op": "#cfe2f3"}
OPERANDS = "ab"  # what the ops' gradient rules call their inputs
MAX_DRAWN_NODES = 200
MAX_DRAWN_INCHES = 60  # either way: 6600 pixels at the drawing's 110 dpi
BOX = (0.84, 0.6)  # a box's width and height in layout units (1: one column, one layer)
SLOT_HALF_WIDTH = 0.15  # half the room an arrow takes where it passes a layer
MIN_SPAN = 2.8  # the narrowest drawing, in layout units: the title's width


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
        for operand, parent in enumerate(node.inputs):
            edge_label = f' [label="{OPERANDS[operand]}"]' if len(node.inputs) > 1 else ""
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
    """Where to draw the nodes of a topological order, and where their arrows bend.

    Returns ``(place, bends)``. ``place`` is ``{id(node): (x, layer)}``: a node's layer is its
    longest distance from the output (the last node, layer 0), so a leaf sits just above the op
    that uses it furthest up. An arrow that skips layers (``x`` to the add of ``x*x + x``) passes
    each layer between its ends through a narrow slot of its own, so it never crosses a box:
    ``bends`` is ``{(id(user), operand): [(x, layer), ...]}``, those slots from the operand down,
    for the arrows that have any. Layers are placed from the output upwards, each box or slot as
    near as it can be to where its arrow arrives (on average), boxes one unit apart.
    """
    layer = {id(nodes[-1]): 0}
    for node in reversed(nodes):  # every user of a node comes before it
        for parent in node.inputs:
            layer[id(parent)] = max(layer.get(id(parent), 0), layer[id(node)] + 1)
    rows, half_width, arrivals = {}, {}, {}  # arrivals: [(key pointed at, offset on it)]
    for node in nodes:
        rows.setdefault(layer[id(node)], []).append(id(node))
        half_width[id(node)], arrivals[id(node)] = 0.5, []
    slots = {}
    for node in reversed(nodes):
        for operand, parent in enumerate(node.inputs):
            target = (id(node), _arrival(operand, len(node.inputs)))
            for depth in range(layer[id(node)] + 1, layer[id(parent)]):
                slot = (id(node), operand, depth)
                rows[depth].append(slot)
                half_width[slot], arrivals[slot] = SLOT_HALF_WIDTH, [target]
                slots.setdefault((id(node), operand), []).insert(0, slot)
                target = (slot, 0.0)
            arrivals[id(parent)].append(target)
    place = {}
    for depth in sorted(rows):
        wanted = {key: sum(place[user][0] + offset for user, offset in arrivals[key])
                  / len(arrivals[key]) if arrivals[key] else 0.0 for key in rows[depth]}
        keys = sorted(rows[depth], key=wanted.get)
        xs = [wanted[keys[0]]]
        for left, key in itertools.pairwise(keys):
            xs.append(max(wanted[key], xs[-1] + half_width[left] + half_width[key]))
        shift = sum(wanted[key] - x for key, x in zip(keys, xs, strict=True)) / len(keys)
        place.update((key, (x + shift, depth)) for key, x in zip(keys, xs, strict=True))
    bends = {edge: [place[slot] for slot in route] for edge, route in slots.items()}
    return {id(node): place[id(node)] for node in nodes}, bends


def draw_graph(tensor, path=None, names=None):
    """Draw the graph that produced ``tensor`` with matplotlib, and save it to ``path`` (PNG) if
    given; without one, only return the figure (a notebook shows it inline).

    Inputs are at the top and ``tensor`` at the bottom; boxes are coloured by kind (parameter,
    input, op). ``names`` is as for ``to_dot``. Returns the matplotlib Figure. Raises ValueError
    for a graph of more than 200 tensors or a drawing more than 60 inches wide or tall (too big to
    read; use ``to_dot``), ImportError without matplotlib.
    """
    from .plot import new_figure, save_figure

    nodes = topological_order(tensor)
    if len(nodes) > MAX_DRAWN_NODES:
        raise ValueError(f"draw_graph: the graph has {len(nodes)} tensors, too many to draw "
                         f"readably (at most {MAX_DRAWN_NODES}); use to_dot and Graphviz")
    place, bends = layout(nodes)
    xs = [x for x, _ in place.values()] + [x for route in bends.values() for x, _ in route]
    layers = max(y for _, y in place.values()) + 1
    span = max(MIN_SPAN, max(xs) - min(xs) + 1.1)  # wide enough for the title
    middle = (max(xs) + min(xs)) / 2
    # 1.9 inches a unit and 1 inch a layer keep 8.5-point text inside the boxes.
    size = (1.9 * (span - 0.1) + 0.4, 1.0 * layers + 0.9)
    if max(size) > MAX_DRAWN_INCHES:
        raise ValueError(f"draw_graph: the graph's {len(nodes)} tensors would take {size[0]:.0f} "
                         f"x {size[1]:.0f} inches, too big to read (at most {MAX_DRAWN_INCHES} "
                         "either way); use to_dot and Graphviz")
    width, height = BOX
    # Without matplotlib, new_figure raises the ImportError that says how to install it.
    figure = new_figure(False, figsize=size, dpi=110)
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path

    ax = figure.add_subplot()
    ax.set_axis_off()
    ax.set_xlim(middle - span / 2, middle + span / 2)
    ax.set_ylim(-0.5, layers - 0.5)
    name_of = name_lookup(names)
    for i, node in enumerate(nodes):
        x, y = place[id(node)]
        ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                    boxstyle="round,pad=0,rounding_size=0.06",
                                    facecolor=_color(node), edgecolor="#4d4d4d", linewidth=0.8))
        ax.text(x, y, "\n".join(_label_lines(node, i, name_of(node))), ha="center",
                va="center", fontsize=8.5, linespacing=1.35)
        for operand, parent in enumerate(node.inputs):
            px, py = place[id(parent)]
            points = [(px, py - height / 2)]
            for bend_x, bend_y in bends.get((id(node), operand), ()):
                points += [(bend_x, bend_y + height / 2), (bend_x, bend_y - height / 2)]
            points.append((x + _arrival(operand, len(node.inputs)), y + height / 2))
            ax.add_patch(FancyArrowPatch(path=Path(points), arrowstyle="-|>", mutation_scale=9,
                                         color="#555555", linewidth=0.9))
    count = f"{len(nodes)} tensor" + ("s" if len(nodes) > 1 else "")
    figure.suptitle(f"The graph of #{len(nodes) - 1} {kind(tensor)}: {count}, inputs at the top"
                    "\norange: parameter, grey: input, blue: op; |grad|: the norm of .grad",
                    fontsize=9.5)
    if path is not None:
        save_figure(figure, path)
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
    return COLORS["op" if node.op is not None else kind(node)]


def _escape(text):
    """``text`` inside a double-quoted DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"')
