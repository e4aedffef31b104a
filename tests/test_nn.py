"""Layers, the lab's MLP, the two BCE losses, and saving/loading weights.

Closed forms are compared to rtol 1e-12 (the same arithmetic up to rounding). The property test
draws probabilities from [0.02, 0.98] and targets from [0, 1] (``probabilities``/``targets``
below) and gradient-checks with gradcheck's float64 defaults (atol 1e-5, rtol 1e-3).
"""

import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_lab import Tensor, gradcheck, nn

X = np.random.default_rng(0).uniform(0, 1, size=(7, 2))


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def graph_ops(root):
    """The grad_fn names of every non-leaf node ``root`` was built from."""
    names, seen, stack = set(), set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.grad_fn is not None:
            names.add(node.grad_fn)
        stack.extend(node.inputs)
    return names


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


# ---- binary_cross_entropy -----------------------------------------------------------------------

def bce_formula(p, t):
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


@pytest.mark.parametrize("target", [
    np.array([[0.0], [1.0], [1.0], [0.0]]),  # hard
    np.array([[0.2], [0.9], [0.5], [0.0]]),  # soft
])
def test_bce_equals_the_formula(target):
    p = np.array([[0.1], [0.7], [0.4], [0.95]])
    close(nn.binary_cross_entropy(Tensor(p), target).item(), bce_formula(p, target))
    close(nn.binary_cross_entropy(Tensor(p), Tensor(target)).item(), bce_formula(p, target))


def test_bce_gradient_closed_form():
    p = np.array([[0.1], [0.7], [0.4], [0.95]])
    t = np.array([[0.2], [0.9], [0.5], [0.0]])
    pred = Tensor(p, requires_grad=True)
    nn.binary_cross_entropy(pred, t).backward()
    close(pred.grad, (p - t) / (p * (1 - p)) / len(p))


def test_bce_is_finite_at_zero_and_one():
    pred = Tensor([[0.0], [1.0], [0.0], [1.0]], requires_grad=True)
    target = np.array([[0.0], [1.0], [1.0], [0.0]])
    loss = nn.binary_cross_entropy(pred, target)
    loss.backward()
    assert np.isfinite(loss.item())
    # Two confident mistakes each cost about -log(1e-12) (1 - 1e-12 is not exact in binary);
    # the two right answers cost about 1e-12.
    assert loss.item() == pytest.approx(-np.log(1e-12) / 2, rel=1e-5)
    assert np.all(np.isfinite(pred.grad))


def test_bce_uses_eps():
    pred = Tensor([[0.0]])
    assert nn.binary_cross_entropy(pred, np.ones((1, 1)), eps=1e-3).item() == pytest.approx(
        -np.log(1e-3), rel=1e-12)


def test_bce_float32_is_finite_at_the_ends():
    pred = Tensor([[0.0], [1.0]], requires_grad=True, dtype=np.float32)
    loss = nn.binary_cross_entropy(pred, np.array([[1.0], [0.0]]))
    loss.backward()
    assert loss.dtype == np.float32 and np.isfinite(loss.item())
    assert np.all(np.isfinite(pred.grad))


probabilities = st.floats(0.02, 0.98)
targets = st.floats(0.0, 1.0)


@given(st.integers(1, 6).flatmap(lambda n: st.tuples(
    hnp.arrays(np.float64, (n, 1), elements=probabilities),
    hnp.arrays(np.float64, (n, 1), elements=targets))))
def test_bce_gradcheck(pair):
    p, t = pair
    assert gradcheck(nn.binary_cross_entropy, Tensor(p, requires_grad=True),
                     Tensor(t, requires_grad=True))
    close(nn.binary_cross_entropy(Tensor(p), t).item(), bce_formula(p, t))


@pytest.mark.parametrize("loss", [nn.binary_cross_entropy, nn.binary_cross_entropy_with_logits])
def test_losses_reject_mismatched_shapes(loss):
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        loss(Tensor(np.full((4, 1), 0.5)), np.ones(4))
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 1\)"):
        loss(Tensor(np.full(3, 0.5)), Tensor(np.ones((3, 1))))


def test_bce_is_built_from_primitives():
    pred = Tensor([[0.3], [0.8]], requires_grad=True)
    loss = nn.binary_cross_entropy(pred, np.array([[0.0], [1.0]]))
    assert loss.grad_fn == "neg"
    assert graph_ops(loss) == {"clip", "log", "mul", "sub", "add", "mean", "neg"}


# ---- binary_cross_entropy_with_logits -----------------------------------------------------------

def test_bce_with_logits_equals_bce_of_sigmoid():
    z = np.linspace(-8, 8, 17).reshape(-1, 1)
    t = np.random.default_rng(0).uniform(0, 1, size=z.shape)
    t[::3] = np.round(t[::3])
    from_logits = nn.binary_cross_entropy_with_logits(Tensor(z), t).item()
    from_probabilities = nn.binary_cross_entropy(Tensor(z).sigmoid(), t).item()
    assert from_logits == pytest.approx(from_probabilities, rel=1e-12)


def test_bce_with_logits_is_stable_at_huge_logits():
    z = Tensor([[1e4], [-1e4], [1e4], [-1e4]], requires_grad=True)
    t = np.array([[1.0], [0.0], [0.0], [1.0]])
    loss = nn.binary_cross_entropy_with_logits(z, t)  # warnings are errors under pytest
    loss.backward()
    # Right with certainty: 0. Wrong with certainty: |z| each, so the mean is 2e4 / 4.
    assert loss.item() == pytest.approx(0.5e4, rel=1e-12)
    close(z.grad, np.array([[0.0], [0.0], [0.25], [-0.25]]))


def test_bce_with_logits_gradient():
    z = np.array([[-3.0], [-0.5], [0.0], [2.0], [7.0]])
    t = np.array([[0.0], [1.0], [0.3], [1.0], [0.0]])
    logits = Tensor(z, requires_grad=True)
    nn.binary_cross_entropy_with_logits(logits, t).backward()
    close(logits.grad, (1 / (1 + np.exp(-z)) - t) / len(z))


def test_mlp_logits_with_logits_loss_matches_bce_of_output():
    model = nn.MLP(rng=3)
    y = (X[:, :1] <= X[:, 1:]).astype(float)
    a = nn.binary_cross_entropy_with_logits(model.logits(Tensor(X)), y).item()
    b = nn.binary_cross_entropy(model(Tensor(X)), y).item()
    assert a == pytest.approx(b, rel=1e-12)


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
    with pytest.raises(ValueError, match=r"weight 1 should have shape \(10, 10\).*\(10, 7\)"):
        nn.MLP.load(path)


def test_load_architecture_that_does_not_fit_the_weights(tmp_path):
    model = nn.MLP(rng=0)
    weights = {f"param{i}": p.data for i, p in enumerate(model.parameters())}
    path = write_npz(tmp_path / "w.npz", {**model.config, "hidden": [10, 4]}, **weights)
    with pytest.raises(ValueError, match=r"shape \(10, 4\).*found shape \(10, 10\)"):
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
        assert sorted(archive.namelist()) == ["config.npy", "param0.npy", "param1.npy",
                                              "param2.npy"]
