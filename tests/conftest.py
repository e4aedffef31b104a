import os
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, settings

from tinygrad_lab import Tensor, data, nn

# CI is derandomized so that a red run reproduces exactly; locally, examples vary from run to run.
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("dev", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def lab_loss():
    """The lab network's loss on the 21 XOR points (weights of seed 0), before any backward.

    A namespace of ``loss``, ``model`` and ``names`` (x, y, W1, W2, W3, for ``viz``/``explain``).
    """
    x, y = data.generate_XOR_easy()
    model = nn.MLP(2, (10, 10), 1, rng=0)
    inputs, labels = Tensor(x), Tensor(y)
    loss = nn.binary_cross_entropy(model(inputs), labels)
    names = {"x": inputs, "y": labels,
             **{f"W{i}": layer.weight for i, layer in enumerate(model.layers, start=1)}}
    return SimpleNamespace(loss=loss, model=model, names=names)
