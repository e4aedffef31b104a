"""The one seeding rule (``seeding.seeded_streams``): a seed's three generators, and every part of
the project that takes a seed (the command line, the report's runs, the gradient check)
following it."""

import numpy as np
import pytest

from tinygrad_lab import cli, data, fit, nn, optim
from tinygrad_lab.lab import gradients, runs
from tinygrad_lab.lab.config import LAB_CONFIG
from tinygrad_lab.seeding import Streams, seeded_streams


def test_a_seed_gives_three_named_generators_the_same_each_time():
    streams = seeded_streams(0)
    assert isinstance(streams, Streams) and len(streams) == 3
    assert all(isinstance(g, np.random.Generator) for g in streams)
    data_rng, model_rng, shuffle_rng = seeded_streams(0)  # unpacks in the order of the names
    assert data_rng.random() == streams.data.random()
    assert model_rng.random() == streams.model.random()
    assert shuffle_rng.random() == streams.shuffle.random()


def test_the_streams_differ_from_each_other_from_other_seeds_and_from_a_bare_seed():
    draws = [g.random(4) for g in seeded_streams(0)]
    others = [g.random(4) for g in seeded_streams(1)]
    bare = np.random.default_rng(0).random(4)
    rows = [*draws, *others, bare]
    assert len({row.tobytes() for row in rows}) == len(rows)


def test_a_bad_seed_is_numpys_error():
    with pytest.raises(ValueError):
        seeded_streams(-1)
    with pytest.raises(TypeError):
        seeded_streams(0.5)


def lab_run_lines(seed):
    """The training lines of the lab's linear run, built from the rule in Python."""
    data_rng, model_rng, shuffle_rng = seeded_streams(seed)
    x, y = data.generate_linear(rng=data_rng)
    model = nn.MLP(rng=model_rng)
    lines = []
    fit(model, x, y, epochs=LAB_CONFIG["epochs"], epsilon=LAB_CONFIG["epsilon"],
        optimizer=optim.Adam(model.parameters(), lr=LAB_CONFIG["learning_rate"]),
        log_every=100, log=lines.append, rng=shuffle_rng)
    return lines


@pytest.mark.parametrize("seed", [0, 3])
def test_the_command_lines_seed_is_the_rule(capsys, seed):
    assert cli.main(["train", "--dataset", "linear", "--seed", str(seed)]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines()
               if line.startswith("training ... ")]
    assert printed == lab_run_lines(seed)


def test_seed_0_is_the_lab_run_the_readme_shows():
    assert lab_run_lines(0)[-1] == "training ... epoch:317, loss:0.00996, acc:1.00"


def test_the_reports_runs_and_the_gradient_check_follow_the_rule():
    spec = {"dataset": "linear", "seed": 4, "config": {**LAB_CONFIG, "epochs": 1}}
    x, _, model, _ = runs.setup(spec)
    streams = seeded_streams(4)
    np.testing.assert_array_equal(x, data.generate("linear", rng=streams.data)[0])
    expected = nn.MLP(hidden=LAB_CONFIG["hidden"], rng=streams.model)
    for mine, theirs in zip(model.parameters(), expected.parameters(), strict=True):
        np.testing.assert_array_equal(mine.data, theirs.data)
    streams = seeded_streams(4)
    x, y = data.generate("linear", 20, rng=streams.data)
    by_hand = gradients.model_gradient_errors(nn.MLP(rng=streams.model), x, y)
    assert gradients.gradient_check(seed=4, samples=20)["layers"] == by_hand
