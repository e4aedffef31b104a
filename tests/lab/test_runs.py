"""One run: its result depends on its spec only, it trains compiled with eager mode's results,
and it returns what the figures need beside its results.json object."""

import copy

import numpy as np

from tinygrad_lab import data
from tinygrad_lab.lab import runs
from tinygrad_lab.lab.studies import build_specs, lab_specs
from tinygrad_lab.train import fit, predict


def without_timing(result):
    return {key: value for key, value in result.items() if key not in runs.TIMING_KEYS}


def test_a_run_depends_on_its_spec_only():
    spec = build_specs(1, quick=True)[0]
    first, second = runs.run(spec), runs.run(copy.deepcopy(spec))
    assert tuple(first) == runs.RESULT_KEYS
    assert without_timing(first) == without_timing(second)
    other = runs.run({**spec, "seed": 1})
    assert other["curve"] != second["curve"]


def test_a_run_trains_compiled_with_the_results_of_eager_training(monkeypatch):
    spec = build_specs(1, quick=True)[0]
    compiled = runs.run(spec)
    modes = []

    def eager_fit(*args, **kwargs):
        modes.append(kwargs.pop("compiled"))
        return fit(*args, **kwargs)

    monkeypatch.setattr(runs, "fit", eager_fit)
    eager = runs.run(copy.deepcopy(spec))
    assert modes == [True]
    assert without_timing(compiled) == without_timing(eager)


def test_a_run_returns_its_data_model_and_initial_preactivations():
    spec = {**lab_specs()[1], "config": {**lab_specs()[1]["config"], "epochs": 20}}  # XOR
    result, trained = runs.train(spec)
    x, y = data.generate("xor")
    np.testing.assert_array_equal(trained.x, x)
    np.testing.assert_array_equal(trained.y, y)
    assert result["accuracy"] == np.mean((predict(trained.model, x) > 0.5) == y)
    assert [values.shape for values in trained.preactivations] == [(data.XOR_SIZE, 10)] * 2
    # They are the values before training, from which the run's init_stats were computed.
    assert result["init_stats"]["preactivation_std"] == \
        [float(values.std()) for values in trained.preactivations]
    _, _, untrained, _ = runs.setup(spec)
    for before, values in zip(runs.preactivations(untrained, x), trained.preactivations,
                              strict=True):
        np.testing.assert_array_equal(before, values)


def test_rebuild_holds_the_weights():
    spec = lab_specs()[0]
    _, _, model, _ = runs.setup(spec)
    weights = [p.data for p in model.parameters()]
    copy_ = runs.rebuild(spec["config"], weights)
    for original, rebuilt in zip(model.parameters(), copy_.parameters(), strict=True):
        np.testing.assert_array_equal(original.data, rebuilt.data)
