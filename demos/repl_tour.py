"""The README's API tour as a script: run ``python -i demos/repl_tour.py`` and keep exploring.

Five steps: a scalar expression and its gradients; the same in 2x2 matrices; the lab network's
forward and backward pass; ``explain``, the backward pass node by node; ``draw_graph``, which
writes the graph to ``lab-graph.png`` in the current folder. With ``-i`` you are then left at the
prompt with every variable: ``a, b, c``, ``A, B, C``, ``model, loss, names``, ``rows``, ...
Try ``rows[3]``, ``print(to_dot(c))`` or ``more = explain((A @ B).sum())`` (assign what it
returns, or the prompt echoes every row again after the table). The network has the weights of
seed 0 by the command line's rule (``tinygrad_lab.seeding``), so steps 4 and 5 show what
`tinygrad-lab graph --dataset xor` prints and draws (the README's picture, docs/lab-graph.png).
"""

import numpy as np

from tinygrad_lab import Tensor, data, explain, nn
from tinygrad_lab.seeding import seeded_streams
from tinygrad_lab.viz import draw_graph, to_dot

GRAPH_PNG = "lab-graph.png"
np.set_printoptions(precision=4, suppress=True)

print("== 1. a scalar expression: c = a*b + b**2 ==")
a = Tensor(2.0, requires_grad=True)
b = Tensor(-3.0, requires_grad=True)
c = a * b + b ** 2
c.backward()
print(f"a = {a.item()}, b = {b.item()}, c = {c.item()}")
print(f"dc/da = {a.grad.item()} (that is b), dc/db = {b.grad.item()} (that is a + 2b)")
print(to_dot(c))

print("\n== 2. the same in 2x2 matrices ==")
A = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
B = Tensor([[0.5, -1.0], [2.0, 0.0]], requires_grad=True)
C = A * B + B ** 2
C.sum().backward()  # a scalar on top: the sum of C
print(f"C =\n{C.data}\nd sum(C)/dA = B =\n{A.grad}\nd sum(C)/dB = A + 2B =\n{B.grad}")

print("\n== 3. the lab network on the XOR points: forward and backward ==")
x, y = data.generate_XOR_easy()
# sigmoid(sigmoid(sigmoid(x W1) W2) W3), no bias; the weights `--seed 0` gives (seeding.py)
model = nn.MLP(2, (10, 10), 1, rng=seeded_streams(0).model)
inputs, labels = Tensor(x), Tensor(y)
p = model(inputs)
loss = nn.binary_cross_entropy(p, labels)
loss.backward()
W1, W2, W3 = model.parameters()
print(f"p: {p.shape}, loss = {loss.item():.4f}")
for name, weight in (("W1", W1), ("W2", W2), ("W3", W3)):
    print(f"dL/d{name}: shape {weight.grad.shape}, norm {np.linalg.norm(weight.grad):.4f}")

print("\n== 4. explain: the same backward pass, node by node ==")
names = {"x": inputs, "y": labels, "W1": W1, "W2": W2, "W3": W3}
rows = explain(loss, names)

print("\n== 5. draw_graph: the same graph as a picture ==")
draw_graph(loss, GRAPH_PNG, names)
print(f"wrote {GRAPH_PNG}")
