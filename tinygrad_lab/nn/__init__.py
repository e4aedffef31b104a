"""Modules, layers, the lab's network and the losses, built from the engine's ops."""

from .layers import (
    INITS,
    Dropout,
    LeakyReLU,
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
    init_scale,
)
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
)
from .mlp import ACTIVATION_FUNCTIONS, ACTIVATIONS, MLP
from .module import Module

__all__ = ["ACTIVATIONS", "ACTIVATION_FUNCTIONS", "INITS", "MLP", "Dropout", "LeakyReLU",
           "Linear", "Module", "ReLU", "Sequential", "Sigmoid", "Softmax", "Tanh",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "init_scale", "mse_loss"]
