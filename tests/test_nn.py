"""Layers (Linear, the activations, Dropout, Sequential), the lab's MLP, and saving and loading
an MLP's weights (the losses: test_losses.py; Module itself: test_module.py).

Closed forms are compared to rtol 1e-12 (the same arithmetic up to rounding). Dropout's masks
are checked by their statistics over 100,000 draws (standard error of the kept fraction 0.0015,
tolerance 0.01).
"""

import json
import os
import zipfile

import numpy as np
import pytest
from checks import close

from tinygrad_lab import Tensor, nn

X = np.random.default_rng(0).uniform(0, 1, size=(7, 2))


# ---- Linear -------------------------------------------------------------------------------------

@pytest.mark.parametrize("bias", [False, True])
def test_linear_weight_shape_and_value(bias):
    layer = nn.Linear(2, 5, bias=bias, rng=0)
    assert layer.weight.shape == (2, 5)
    assert layer.weight.requires_grad and layer.weight.is_leaf
    if bias:
        assert layer.bias.shape == (5,)
        layer.bias.data[...] = np.arange(5.0)
        expected = X @ layer.weight.data + np.arange(5.0)
        assert layer.parameters() == [layer.weight, layer.bias]
    else:
        assert layer.bias is None
        expected = X @ layer.weight.data
        assert layer.parameters() == [layer.weight]
    close(layer(Tensor(X)).data, expected)


def test_linear_standard_normal_initialisation():
    weight = nn.Linear(400, 500, rng=1).weight.data  # 200,000 draws: standard error 0.0022
    assert abs(weight.mean()) < 0.01
    assert abs(weight.std() - 1.0) < 0.01


@pytest.mark.parametrize("init, expected_std", [
    ("normal", 1.0),
    ("xavier", np.sqrt(2.0 / (400 + 500))),
    ("lecun", 1.0 / np.sqrt(400)),
])
def test_initialisation_scales(init, expected_std):
    weight = nn.Linear(400, 500, rng=2, init=init).weight.data
    assert abs(weight.mean()) < 0.01 * expected_std
    assert weight.std() == pytest.approx(expected_std, rel=0.01)
    # Same stream, only scaled: the draw is the standard normal times the scale.
    close(weight, np.random.default_rng(2).standard_normal((400, 500)) * expected_std)


def test_linear_rng_reproducible_from_int_and_generator():
    a = nn.Linear(3, 4, rng=7).weight.data
    b = nn.Linear(3, 4, rng=7).weight.data
    c = nn.Linear(3, 4, rng=np.random.default_rng(7)).weight.data
    d = nn.Linear(3, 4, rng=8).weight.data
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert not np.array_equal(a, d)


def test_linear_draws_from_a_given_generator_in_turn():
    generator = np.random.default_rng(3)
    first = nn.Linear(3, 4, rng=generator).weight.data
    second = nn.Linear(3, 4, rng=generator).weight.data
    assert not np.array_equal(first, second)
    reference = np.random.default_rng(3)
    assert np.array_equal(first, reference.standard_normal((3, 4)))
    assert np.array_equal(second, reference.standard_normal((3, 4)))


@pytest.mark.parametrize("kwargs", [
    {"in_features": 0, "out_features": 2}, {"in_features": 2, "out_features": -1},
    {"in_features": 2.0, "out_features": 2}, {"in_features": True, "out_features": 2},
    {"in_features": 2, "out_features": 2, "init": "he"},
])
def test_linear_rejects_bad_settings(kwargs):
    with pytest.raises(ValueError, match="in_features|out_features|init"):
        nn.Linear(**kwargs)


# ---- MLP ----------------------------------------------------------------------------------------

def test_mlp_default_is_the_spec_network():
    model = nn.MLP(rng=5)
    shapes = [p.shape for p in model.parameters()]
    assert shapes == [(2, 10), (10, 10), (10, 1)]
    reference = np.random.default_rng(5)  # W1, W2, W3 drawn in order from one stream
    for parameter, shape in zip(model.parameters(), shapes, strict=True):
        assert np.array_equal(parameter.data, reference.standard_normal(shape))
    w1, w2, w3 = (p.data for p in model.parameters())

    def sigmoid(m):
        return 1.0 / (1.0 + np.exp(-m))

    close(model(Tensor(X)).data, sigmoid(sigmoid(sigmoid(X @ w1) @ w2) @ w3))


def test_mlp_parameters_in_layer_order_with_bias():
    model = nn.MLP(3, (4, 5), 2, bias=True, rng=0)
    shapes = [p.shape for p in model.parameters()]
    assert shapes == [(3, 4), (4,), (4, 5), (5,), (5, 2), (2,)]
    layers = model.layers
    assert model.parameters() == [layers[0].weight, layers[0].bias, layers[1].weight,
                                  layers[1].bias, layers[2].weight, layers[2].bias]


def test_mlp_parameters_are_the_live_tensors():
    model = nn.MLP(rng=0)
    before = model(Tensor(X)).data
    for parameter in model.parameters():
        assert parameter.requires_grad and parameter.is_leaf
    model.parameters()[2].data *= -1.0  # flipping W3 turns every p into 1 - p
    close(model(Tensor(X)).data, 1.0 - before)
    model.parameters()[0].data[...] = 0.0  # W1 = 0: every hidden unit is sigmoid(0)
    after = model(Tensor(X)).data
    assert np.allclose(after, after[0])


def test_mlp_zero_grad():
    model = nn.MLP(rng=0)
    nn.binary_cross_entropy(model(Tensor(X)), np.ones((7, 1))).backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "none"])
def test_mlp_output_is_a_probability_and_equals_sigmoid_of_logits(activation):
    model = nn.MLP(2, (6, 4), activation=activation, rng=1)
    x = np.random.default_rng(1).normal(0, 3, size=(9, 2))
    out = model(Tensor(x))
    assert out.shape == (9, 1)
    assert np.all((out.data > 0) & (out.data < 1))
    close(out.data, model.logits(Tensor(x)).sigmoid().data)
    assert model.activation == activation


@pytest.mark.parametrize("activation, function", [
    ("sigmoid", lambda m: 1 / (1 + np.exp(-m))),
    ("tanh", np.tanh),
    ("relu", lambda m: np.maximum(m, 0)),
    ("none", lambda m: m),
])
def test_mlp_hidden_activation(activation, function):
    model = nn.MLP(activation=activation, rng=4)
    w1, w2, w3 = (p.data for p in model.parameters())
    x = np.random.default_rng(4).normal(size=(5, 2))
    close(model.logits(Tensor(x)).data, function(function(x @ w1) @ w2) @ w3)


def test_mlp_without_activation_is_linear_before_the_output():
    model = nn.MLP(activation="none", rng=2)
    w1, w2, w3 = (p.data for p in model.parameters())
    close(model.logits(Tensor(X)).data, X @ w1 @ w2 @ w3)
    close(model.logits(Tensor(X)).data, X @ (w1 @ w2 @ w3))


@pytest.mark.parametrize("kwargs, words", [
    ({"activation": "softmax"}, "activation"),
    ({"activation": None}, "activation"),
    ({"init": "kaiming"}, "init"),
    ({"hidden": (10, 0)}, "hidden"),
    ({"hidden": (-3,)}, "hidden"),
    ({"hidden": (2.5, 3)}, "hidden"),
    ({"in_features": 0}, "in_features"),
    ({"out_features": 0}, "out_features"),
])
def test_mlp_rejects_bad_settings(kwargs, words):
    with pytest.raises(ValueError, match=words):
        nn.MLP(**kwargs)


def test_mlp_float32():
    model = nn.MLP(rng=0, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in model.parameters())
    out = model(Tensor(X, dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, nn.MLP(rng=0)(Tensor(X)).data, rtol=1e-5)
    loss = nn.binary_cross_entropy(out, np.ones((7, 1)))
    assert loss.dtype == np.float32
    loss.backward()
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


def test_mlp_repr_and_properties():
    model = nn.MLP(3, (4, 5), activation="tanh", bias=True, rng=0)
    assert model.in_features == 3 and model.hidden == (4, 5)
    assert repr(model) == ("MLP(in_features=3, hidden=(4, 5), out_features=1, "
                           "activation='tanh', bias=True)")


def test_mlp_logits_with_logits_loss_matches_bce_of_output():
    model = nn.MLP(rng=3)
    y = (X[:, :1] <= X[:, 1:]).astype(float)
    a = nn.binary_cross_entropy_with_logits(model.logits(Tensor(X)), y).item()
    b = nn.binary_cross_entropy(model(Tensor(X)), y).item()
    assert a == pytest.approx(b, rel=1e-12)


def test_mlp_hidden_must_be_a_sequence():
    message = r"hidden must be a sequence of layer sizes such as \(10, 10\), got 10"
    with pytest.raises(ValueError, match=message):
        nn.MLP(hidden=10)
    with pytest.raises(ValueError, match="hidden must be a sequence"):
        nn.MLP(hidden="10")
    assert nn.MLP(hidden=[3], rng=0).hidden == (3,)
    assert nn.MLP(hidden=(n for n in (3, 4)), rng=0).hidden == (3, 4)


def test_mlp_with_k_outputs_gives_softmax_probabilities():
    model = nn.MLP(2, (6,), out_features=3, rng=2)
    assert model.out_features == 3
    x = np.random.default_rng(2).normal(0, 3, size=(8, 2))
    probabilities = model(Tensor(x)).data
    assert probabilities.shape == (8, 3)
    close(probabilities.sum(axis=1), np.ones(8))
    assert np.all(probabilities > 0)
    logits = model.logits(Tensor(x)).data
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    close(probabilities, expected / expected.sum(axis=1, keepdims=True))
    assert "out_features=3" in repr(model)


def test_mlp_with_one_output_is_still_the_sigmoid():
    model = nn.MLP(rng=0)
    assert model.out_features == 1
    close(model(Tensor(X)).data, 1 / (1 + np.exp(-model.logits(Tensor(X)).data)))


# ---- save / load --------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {},
    {"bias": True},
    {"in_features": 3, "hidden": (4, 6, 5), "activation": "tanh", "bias": True},
    {"hidden": (7,), "activation": "relu"},
    {"activation": "none", "init": "xavier"},
])
def test_save_load_round_trip(tmp_path, kwargs):
    model = nn.MLP(rng=11, **kwargs)
    for parameter in model.parameters():  # biases away from their zero init too
        parameter.data += 0.125
    path = tmp_path / "weights.npz"
    model.save(path)
    loaded = nn.MLP.load(path)
    assert loaded.config == model.config
    assert repr(loaded) == repr(model)
    assert len(loaded.parameters()) == len(model.parameters())
    for a, b in zip(loaded.parameters(), model.parameters(), strict=True):
        assert a.dtype == b.dtype and np.array_equal(a.data, b.data)
        assert a.requires_grad and a.is_leaf
    x = np.random.default_rng(0).uniform(size=(5, model.in_features))
    assert np.array_equal(loaded(Tensor(x)).data, model(Tensor(x)).data)
    assert os.listdir(tmp_path) == ["weights.npz"]  # no temp file left behind


def test_save_replaces_an_existing_file(tmp_path):
    path = tmp_path / "w.npz"
    nn.MLP(rng=1).save(path)
    nn.MLP(rng=2).save(path)
    assert np.array_equal(nn.MLP.load(path).parameters()[0].data,
                          nn.MLP(rng=2).parameters()[0].data)
    assert os.listdir(tmp_path) == ["w.npz"]


def test_save_failing_midway_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "w.npz"
    nn.MLP(rng=1).save(path)
    before = path.read_bytes()

    def broken_savez(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        nn.MLP(rng=2).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.npz"]


def test_save_failing_leaves_no_file_when_there_was_none(tmp_path, monkeypatch):
    def broken_savez(file, **arrays):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(KeyboardInterrupt):
        nn.MLP(rng=2).save(tmp_path / "w.npz")
    assert os.listdir(tmp_path) == []


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.MLP.load(tmp_path / "nothing.npz")


def write_npz(path, config, **arrays):
    if config is not None:
        arrays["config"] = np.array(json.dumps(config))
    np.savez(path, **arrays)
    return path


def corrupt_files(tmp_path):
    """(name, path) of files that are not weights files."""
    good = tmp_path / "good.npz"
    nn.MLP(rng=0).save(good)
    raw = good.read_bytes()
    config = nn.MLP(rng=0).config
    weights = {f"param{i}": p.data for i, p in enumerate(nn.MLP(rng=0).parameters())}
    files = {
        "random bytes": np.random.default_rng(0).bytes(2000),
        "truncated": raw[: len(raw) // 2],
        "empty": b"",
        "text": b"in_features,hidden\n2,10\n",
    }
    paths = []
    for name, content in files.items():
        path = tmp_path / f"{name.replace(' ', '-')}.npz"
        path.write_bytes(content)
        paths.append(path)
    paths.append(write_npz(tmp_path / "no-config.npz", None, **weights))
    np.savez(tmp_path / "bad-config.npz", config=np.array("{not json"), **weights)
    paths.append(tmp_path / "bad-config.npz")
    paths.append(write_npz(tmp_path / "unknown-key.npz", {**config, "colour": "red"}, **weights))
    paths.append(write_npz(tmp_path / "bad-activation.npz", {**config, "activation": "gelu"},
                           **weights))
    paths.append(write_npz(tmp_path / "text-weights.npz", {**config, "hidden": [1, 1]},
                           param0=np.array([["a"], ["b"]]), param1=np.array([["c"]]),
                           param2=np.array([["d"]])))
    npy = tmp_path / "array.npy"
    np.save(npy, np.zeros(3))
    paths.append(npy)
    return paths


def test_load_corrupt_files(tmp_path):
    for path in corrupt_files(tmp_path):
        with pytest.raises(ValueError, match="not a weights file") as caught:
            nn.MLP.load(path)
        assert str(path) in str(caught.value)


def test_load_a_directory(tmp_path):
    with pytest.raises(ValueError, match="not a weights file"):
        nn.MLP.load(tmp_path)


def test_load_weights_that_do_not_fit(tmp_path):
    model = nn.MLP(rng=0)
    weights = {f"param{i}": p.data for i, p in enumerate(model.parameters())}
    weights["param1"] = np.zeros((10, 7))
    path = write_npz(tmp_path / "w.npz", model.config, **weights)
    with pytest.raises(ValueError, match=r"layers\.1\.weight should have shape \(10, 10\), "
                                         r"found \(10, 7\)"):
        nn.MLP.load(path)


def test_load_architecture_that_does_not_fit_the_weights(tmp_path):
    model = nn.MLP(rng=0)
    weights = {f"param{i}": p.data for i, p in enumerate(model.parameters())}
    path = write_npz(tmp_path / "w.npz", {**model.config, "hidden": [10, 4]}, **weights)
    with pytest.raises(ValueError, match=r"shape \(10, 4\), found \(10, 10\)"):
        nn.MLP.load(path)


def test_load_wrong_number_of_weights(tmp_path):
    model = nn.MLP(rng=0)
    weights = {f"param{i}": p.data for i, p in enumerate(model.parameters())}
    path = write_npz(tmp_path / "w.npz", {**model.config, "bias": True}, **weights)
    with pytest.raises(ValueError, match="holds 3 weight arrays.*has 6"):
        nn.MLP.load(path)


def test_saved_file_is_an_npz_with_config(tmp_path):
    path = tmp_path / "w.npz"
    nn.MLP(hidden=(3, 4), rng=0).save(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["config.npy", "layers.0.weight.npy",
                                              "layers.1.weight.npy", "layers.2.weight.npy"]


def test_a_file_of_the_old_format_still_loads(tmp_path):
    # MLP.save wrote param0, param1, ... (in parameters() order) before the state-dict names.
    model = nn.MLP(3, (4,), bias=True, rng=5)
    weights = {f"param{i}": p.data for i, p in enumerate(model.parameters())}
    path = write_npz(tmp_path / "old.npz", model.config, **weights)
    for loaded in (nn.MLP.load(path), nn.MLP(3, (4,), bias=True, rng=6).load(path)):
        for a, b in zip(loaded.parameters(), model.parameters(), strict=True):
            assert np.array_equal(a.data, b.data)


def test_load_on_a_model_loads_into_it(tmp_path):
    path = tmp_path / "w.npz"
    nn.MLP(rng=1).save(path)
    model = nn.MLP(rng=2)
    arrays = [p.data for p in model.parameters()]
    assert model.load(path) is model
    for parameter, array, saved in zip(model.parameters(), arrays, nn.MLP(rng=1).parameters(),
                                       strict=True):
        assert parameter.data is array  # loaded into the live arrays
        assert np.array_equal(parameter.data, saved.data)


def test_load_on_a_model_of_another_architecture(tmp_path):
    path = tmp_path / "w.npz"
    nn.MLP(activation="tanh", rng=1).save(path)
    model = nn.MLP(rng=2)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"another architecture.*activation 'tanh' \(this "
                                         r"model: 'sigmoid'\)"):
        model.load(path)
    nn.MLP(hidden=(10, 4), rng=1).save(path)
    with pytest.raises(ValueError, match=r"hidden \[10, 4\] \(this model: \[10, 10\]\)"):
        model.load(path)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before,
                                                         strict=True))
    nn.MLP(init="xavier", rng=3).save(path)  # the init does not matter once loaded
    assert np.array_equal(model.load(path).parameters()[0].data,
                          nn.MLP(init="xavier", rng=3).parameters()[0].data)


def test_mlp_load_of_a_file_without_an_architecture(tmp_path):
    path = tmp_path / "w.npz"
    nn.Sequential(nn.Linear(2, 3)).save(path)
    with pytest.raises(ValueError, match="not a weights file written by MLP.save.*no "
                                         "architecture.*model.load"):
        nn.MLP.load(path)


@pytest.mark.parametrize("config, words", [
    ({"hidden": 10}, "hidden must be a sequence"),
    ([1, 2], "not a JSON object"),
])
def test_mlp_load_of_a_bad_architecture(tmp_path, config, words):
    path = write_npz(tmp_path / "w.npz", config)
    with pytest.raises(ValueError, match=f"{tmp_path}.*not a weights file.*{words}"):
        nn.MLP.load(path)


def test_pickles_give_no_numpy_advice(tmp_path):
    objects = np.array([{"a": 1}], dtype=object)
    pickled = tmp_path / "pickled.npz"
    with open(pickled, "wb") as file:
        np.save(file, objects, allow_pickle=True)
    inside = tmp_path / "inside.npz"
    np.savez(inside, config=np.array(json.dumps(nn.MLP().config)), **{"layers.0.weight": objects})
    for path in (pickled, inside):
        with pytest.raises(ValueError, match="not a weights file") as caught:
            nn.MLP.load(path)
        assert "allow_pickle" not in str(caught.value)


# ---- activations --------------------------------------------------------------------------------

Z = np.linspace(-3, 3, 12).reshape(3, 4)


@pytest.mark.parametrize("layer, function", [
    (nn.Sigmoid(), lambda z: 1 / (1 + np.exp(-z))),
    (nn.Tanh(), np.tanh),
    (nn.ReLU(), lambda z: np.maximum(z, 0)),
    (nn.LeakyReLU(), lambda z: np.where(z > 0, z, 0.01 * z)),
    (nn.LeakyReLU(slope=0.2), lambda z: np.where(z > 0, z, 0.2 * z)),
    (nn.Softmax(), lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)),
    (nn.Softmax(axis=0), lambda z: np.exp(z) / np.exp(z).sum(axis=0, keepdims=True)),
], ids=repr)
def test_activation_layers(layer, function):
    close(layer(Tensor(Z)).data, function(Z))
    assert layer.parameters() == []


def test_activation_reprs():
    assert [repr(m) for m in (nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.LeakyReLU(0.1),
                              nn.Softmax(), nn.Dropout(0.25))] == [
        "Sigmoid()", "Tanh()", "ReLU()", "LeakyReLU(slope=0.1)", "Softmax(axis=-1)",
        "Dropout(p=0.25)"]


# ---- dropout ------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.9])
def test_dropout_mask_statistics(p):
    x = Tensor(np.ones((200, 500)), requires_grad=True)
    out = x.dropout(p, rng=0)
    kept = out.data != 0
    assert abs(1 - kept.mean() - p) < 0.01  # 100,000 draws
    assert np.all(out.data[kept] == 1 / (1 - p))  # inverted: the kept are scaled up
    assert abs(out.data.mean() - 1) < 0.01 / (1 - p)  # the expected value is unchanged
    out.sum().backward()
    assert np.array_equal(x.grad, out.data)  # the gradient is the mask


def test_dropout_is_the_identity_when_not_training_or_p_is_0():
    x = Tensor(Z, requires_grad=True)
    assert x.dropout(0.5, training=False) is x
    assert x.dropout(0.0) is x
    assert x.dropout(0) is x


def test_dropout_rng():
    x = Tensor(np.ones((4, 5)))
    assert np.array_equal(x.dropout(0.5, rng=3).data, x.dropout(0.5, rng=3).data)
    generator = np.random.default_rng(3)
    first = x.dropout(0.5, rng=generator).data
    assert not np.array_equal(first, x.dropout(0.5, rng=generator).data)  # drawn in turn
    assert np.array_equal(first, x.dropout(0.5, rng=3).data)


def test_dropout_float32():
    x = Tensor(np.ones((3, 3)), dtype=np.float32)
    assert x.dropout(0.5, rng=0).dtype == np.float32


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, float("nan"), "0.5", None, True])
def test_dropout_refuses_p_outside_0_1(p):
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\)"):
        Tensor(Z).dropout(p)
    with pytest.raises(ValueError, match=r"p must be a probability in \[0, 1\)"):
        nn.Dropout(p)


def test_dropout_layer_trains_and_evaluates():
    layer = nn.Dropout(0.5, rng=0)
    x = Tensor(np.ones((50, 40)))
    assert layer.training
    first, second = layer(x).data, layer(x).data
    assert 0.4 < (first == 0).mean() < 0.6
    assert not np.array_equal(first, second)  # a new mask each call
    assert layer.eval() is layer and not layer.training
    assert layer(x) is x
    layer.train()
    assert (layer(x).data == 0).any()


# ---- Sequential ---------------------------------------------------------------------------------

def stack(rng=0):
    return nn.Sequential(nn.Linear(2, 5, bias=True, rng=rng), nn.ReLU(),
                         nn.Linear(5, 3, bias=True, rng=rng + 1), nn.Softmax())


def test_sequential_chains_its_modules():
    model = stack()
    first, _, second, _ = model
    hidden = np.maximum(X @ first.weight.data + first.bias.data, 0)
    logits = hidden @ second.weight.data + second.bias.data
    close(model.logits(Tensor(X)).data, logits)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    close(model(Tensor(X)).data, expected)


def test_sequential_names_indexing_and_length():
    model = stack()
    assert len(model) == 4
    assert isinstance(model[1], nn.ReLU) and isinstance(model[-1], nn.Softmax)
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                              "2.bias"]
    assert model.parameters() == [model[0].weight, model[0].bias, model[2].weight,
                                  model[2].bias]
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is model[0]
    assert list(model) == [model[0], model[1], model[2], model[3]]
    assert repr(nn.Sequential(nn.Linear(2, 3), nn.Tanh())) == (
        "Sequential(Linear(in_features=2, out_features=3, bias=False), Tanh())")


@pytest.mark.parametrize("last, drops_it", [
    (nn.Softmax(), True), (nn.Sigmoid(), True), (nn.ReLU(), False), (None, False)])
def test_sequential_logits(last, drops_it):
    linear = nn.Linear(2, 3, rng=0)
    model = nn.Sequential(linear, *([last] if last else []))
    expected = X @ linear.weight.data if drops_it else model(Tensor(X)).data
    close(model.logits(Tensor(X)).data, expected)
    close(nn.Sequential().logits(Tensor(X)).data, X)


def test_sequential_eval_reaches_its_dropout():
    model = nn.Sequential(nn.Linear(2, 4, rng=0), nn.Dropout(0.5, rng=0))
    model.eval()
    assert not model[1].training
    close(model(Tensor(X)).data, X @ model[0].weight.data)


def test_sequential_refuses_what_is_not_a_module():
    with pytest.raises(TypeError, match="module 1 is a function, not a Module"):
        nn.Sequential(nn.Linear(2, 3), Tensor.relu)
