"""The spec's hand-derived backprop (section 2.C) beside the engine's gradients, same weights.

Run ``python demos/manual_vs_engine.py``. For W1, W2 and W3 it prints the largest difference
between the two gradients, then takes one SGD step (lr 0.3) both ways and prints the largest
difference between the updated weights. Exit status 1 if any difference reaches 1e-10.
"""

import sys

import numpy as np

from tinygrad_lab import Tensor
from tinygrad_lab.data import generate_linear
from tinygrad_lab.nn import MLP, binary_cross_entropy
from tinygrad_lab.optim import SGD
from tinygrad_lab.pipes import quiet_broken_pipe
from tinygrad_lab.seeding import seeded_streams

SEED = 0
TOLERANCE = 1e-10


# ---- the spec, section 2.A-2.C, as written there (only the loss is fixed; see below) ----------

def sigmoid(M):
    return 1.0/(1.0+np.exp(-M))


def derivative_sigmoid(M):
    return sigmoid(M)*(1-sigmoid(M))


class SpecNetwork:
    def __init__(self, W1, W2, W3, learningRate=0.3, epsilon=0.01):
        # The spec draws np.random.randn(2, h1) etc.; here the weights are handed in, so that
        # both sides start from the same ones.
        self.lr = learningRate
        self.eps = epsilon
        self.W1, self.W2, self.W3 = W1.copy(), W2.copy(), W3.copy()

    def forward(self, bx):
        self.inputs = bx
        self.Z1 = sigmoid(self.inputs@self.W1)
        self.Z2 = sigmoid(self.Z1@self.W2)
        pred_y = sigmoid(self.Z2@self.W3)
        return pred_y

    def loss(self, gt_y, pred_y):
        # BUG FIXED: the spec writes gt_y*np.log(gt_y+self.eps) + (1-pred_y)*np.log(1-pred_y+...),
        # which is not the cross-entropy it states; it is gt_y*log(pred_y) + (1-gt_y)*log(1-pred_y).
        # The guard inside the logs is also a tiny 1e-12 rather than self.eps (0.01, the
        # convergence threshold), which would shift every loss value. backward() is unaffected.
        batchsize = gt_y.shape[0]
        return (-1/batchsize) * np.sum(
            gt_y*np.log(pred_y+1e-12)
            +(1-gt_y)*np.log(1-pred_y+1e-12))

    def backward(self, gt_y, pred_y):
        #backward propagation
        #dL/d{W3} = dL/dy * dy/d{Z2W3} * d{Z2W3}/d{W3}
        batchsize = gt_y.shape[0]

        grad_L_y = (-1/batchsize) * (gt_y/pred_y - (1-gt_y)/(1-pred_y))
        grad_L_Z2W3 = grad_L_y * derivative_sigmoid(self.Z2@self.W3)
        grad_L_W3 = (grad_L_Z2W3.T @ self.Z2).T

        #dL/d{W2} = dL/d{Z2W3} * d{Z2W3}/d{Z2} * d{Z2}/d{Z1W2} * d{Z1W2}/d{W2}
        grad_L_Z2 = grad_L_Z2W3 @ self.W3.T
        grad_L_Z1W2 = grad_L_Z2 * derivative_sigmoid(self.Z1@self.W2)
        grad_L_W2 = (grad_L_Z1W2.T @ self.Z1).T

        #dL/d{W1} = dL/d{Z1W2} * d{Z1W2}/d{Z1} * d{Z1}/d{XW1} * d{XW1}/d{W1}
        grad_L_Z1 = grad_L_Z1W2 @ self.W2.T
        grad_L_XW1 = grad_L_Z1 * derivative_sigmoid(self.inputs@self.W1)
        grad_L_W1 = (grad_L_XW1.T @ self.inputs).T
        self.grads = (grad_L_W1, grad_L_W2, grad_L_W3)  # kept (not in the spec) to compare

        #update model weights
        self.W1 = self.W1 - self.lr*grad_L_W1
        self.W2 = self.W2 - self.lr*grad_L_W2
        self.W3 = self.W3 - self.lr*grad_L_W3


# ---- the same network on the engine, and the comparison -----------------------------------------

def main():
    data_rng, model_rng, _ = seeded_streams(SEED)  # the data and weights of `--seed 0`
    x, y = generate_linear(n=100, rng=data_rng)
    model = MLP(in_features=2, hidden=(10, 10), activation="sigmoid", bias=False, rng=model_rng)
    spec = SpecNetwork(*(w.numpy() for w in model.parameters()), learningRate=0.3)
    print(f"=====manual backprop (spec 2.C) vs the engine: linear data, n={len(x)}, "
          f"seed {SEED}=====")

    pred_y = spec.forward(x)
    manual_loss = spec.loss(y, pred_y)
    spec.backward(y, pred_y)  # computes the gradients, then takes one SGD step

    optimizer = SGD(model.parameters(), lr=0.3)
    optimizer.zero_grad()
    engine_loss = binary_cross_entropy(model(Tensor(x)), y)
    engine_loss.backward()
    print(f"loss: manual {manual_loss:.10f}, engine {engine_loss.item():.10f}")

    worst = 0.0
    for name, manual, weight in zip(("W1", "W2", "W3"), spec.grads, model.parameters(),
                                    strict=True):
        difference = float(np.max(np.abs(manual - weight.grad)))
        worst = max(worst, difference)
        print(f"gradient {name} {weight.shape}: max |manual - engine| = {difference:.3e}")

    optimizer.step()
    for name, manual, weight in zip(("W1", "W2", "W3"), (spec.W1, spec.W2, spec.W3),
                                    model.parameters(), strict=True):
        difference = float(np.max(np.abs(manual - weight.data)))
        worst = max(worst, difference)
        print(f"after one SGD step (lr 0.3), {name}: max |manual - engine| = {difference:.3e}")

    same = worst < TOLERANCE
    print(f"{'same' if same else 'DIFFERENT'}: largest difference {worst:.3e} "
          f"({'<' if same else '>='} {TOLERANCE:g})")
    return 0 if same else 1


if __name__ == "__main__":
    with quiet_broken_pipe():  # `python demos/manual_vs_engine.py | head` ends without a traceback
        status = main()
    sys.exit(status)
