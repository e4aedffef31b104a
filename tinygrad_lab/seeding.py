"""The one seeding rule: how a seed S becomes the random numbers of a run.

A seed S is split (NumPy's ``SeedSequence(S).spawn(3)``) into three independent generators, one
for each thing a run draws: the data, the model's weights and the shuffling of the batches. The
command line's ``--seed S``, the demos, the report's runs and the gradient check all follow it,
so ``tinygrad-lab lab --seed 0`` and ``demos/linear.py`` (seed 0) train the same network on the
same points. To reproduce a command-line run in Python::

    data_rng, model_rng, shuffle_rng = seeded_streams(0)
    x, y = data.generate_linear(rng=data_rng)
    model = nn.MLP(rng=model_rng)
    fit(model, x, y, ..., rng=shuffle_rng)

A bare ``rng=S`` given to a library function seeds that one function's generator
(``np.random.default_rng(S)``): ``nn.MLP(rng=0)`` is not the model of ``--seed 0``.
"""

from typing import NamedTuple

import numpy as np


class Streams(NamedTuple):
    """The three generators of one seed: ``data``, ``model`` (the weights), ``shuffle``."""

    data: np.random.Generator
    model: np.random.Generator
    shuffle: np.random.Generator


def seeded_streams(seed):
    """The run's generators for ``seed`` (a non-negative int): a ``Streams`` (data, model,
    shuffle), independent of each other, the same for the same seed. Raises ValueError or
    TypeError, as NumPy does, for a negative or non-integer seed."""
    return Streams(*(np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)))
