"""Module: parameters found from the attributes, train/eval, the state dict, save and load.

Outputs of a model and of its copy are compared bit for bit (the same arithmetic on the same
numbers).
"""

import os

import numpy as np
import pytest

from tinygrad_lab import Tensor, nn

X = np.random.default_rng(0).uniform(0, 1, size=(5, 2))


class TwoTowers(nn.Module):
    """A module as a learner writes one: layers in a list, a dict, and one of its own."""

    def __init__(self, rng=0):
        super().__init__()
        rng = np.random.default_rng(rng)
        self.trunk = [nn.Linear(2, 4, bias=True, rng=rng), nn.Linear(4, 4, rng=rng)]
        self.heads = {"left": nn.Linear(4, 1, rng=rng), "right": nn.Linear(4, 1, rng=rng)}
        self.scale = Tensor(np.ones(1), requires_grad=True)
        self.offset = Tensor(np.zeros(1))  # no grad: a constant, not a parameter
        self.dropout = nn.Dropout(0.5, rng=rng)

    def forward(self, x):
        for layer in self.trunk:
            x = layer(x).tanh()
        x = self.dropout(x)
        return (self.heads["left"](x) + self.heads["right"](x)) * self.scale + self.offset


class NoSuperInit(nn.Module):
    """A subclass that forgets super().__init__()."""

    def __init__(self):
        self.layer = nn.Linear(2, 3, rng=0)

    def forward(self, x):
        return self.layer(x)


NAMES = ["trunk.0.weight", "trunk.0.bias", "trunk.1.weight", "heads.left.weight",
         "heads.right.weight", "scale"]


def test_parameters_are_found_in_definition_order():
    model = TwoTowers()
    assert [name for name, _ in model.named_parameters()] == NAMES
    expected = [model.trunk[0].weight, model.trunk[0].bias, model.trunk[1].weight,
                model.heads["left"].weight, model.heads["right"].weight, model.scale]
    assert model.parameters() == expected
    assert all(p.requires_grad and p.is_leaf for p in model.parameters())


def test_a_parameter_reached_twice_counts_once():
    model = TwoTowers()
    model.shared = model.trunk[0]  # the same layer under another name
    model.tied = model.scale
    model.pair = (model.heads["left"], [model.heads["left"]])
    assert [name for name, _ in model.named_parameters()] == NAMES


def test_an_op_output_kept_on_a_module_is_no_parameter():
    model = NoSuperInit()
    model.cached = model.layer(Tensor(X))  # requires grad, but an op made it
    assert model.parameters() == [model.layer.weight]


def test_a_module_that_refers_to_its_parent():
    model = TwoTowers()
    model.trunk[1].owner = model
    assert [name for name, _ in model.named_parameters()] == NAMES
    assert len(model.modules()) == 6


def test_modules_lists_each_module_once_parents_first():
    model = TwoTowers()
    model.again = model.dropout
    assert model.modules() == [model, *model.trunk, model.heads["left"], model.heads["right"],
                               model.dropout]


def test_train_and_eval_reach_every_module():
    model = TwoTowers()
    assert model.training and all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    eval_out = model(Tensor(X)).data
    assert np.array_equal(model(Tensor(X)).data, eval_out)  # no dropout: the same each time
    assert model.train() is model
    assert all(m.training for m in model.modules())
    assert model.train(False) is model and not model.dropout.training


def test_a_subclass_without_super_init_still_works():
    model = NoSuperInit()
    assert model.training
    assert model.parameters() == [model.layer.weight]
    model.eval()
    assert not model.training and not model.layer.training
    assert nn.Module.training is True  # the class default is left alone
    assert NoSuperInit().training


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Empty must define forward"):
        type("Empty", (nn.Module,), {})()(Tensor(X))


def test_zero_grad_reaches_every_parameter():
    model = TwoTowers()
    model(Tensor(X)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# ---- state dict ---------------------------------------------------------------------------------

def test_state_dict_is_a_copy():
    model = TwoTowers()
    state = model.state_dict()
    assert list(state) == NAMES
    for parameter, array in zip(model.parameters(), state.values(), strict=True):
        assert np.array_equal(array, parameter.data) and array is not parameter.data
    state["scale"][...] = 7.0
    assert model.scale.data[0] == 1.0


def test_state_dict_round_trip():
    source, target = TwoTowers(rng=1).eval(), TwoTowers(rng=2).eval()
    arrays = [p.data for p in target.parameters()]
    assert target.load_state_dict(source.state_dict()) is None
    assert np.array_equal(target(Tensor(X)).data, source(Tensor(X)).data)
    assert all(p.data is a for p, a in zip(target.parameters(), arrays, strict=True))


def test_load_state_dict_takes_tensors_and_casts_to_the_parameters_dtype():
    model = nn.Linear(2, 3, dtype=np.float32)
    model.load_state_dict({"weight": Tensor(np.full((2, 3), 0.5))})
    assert model.weight.dtype == np.float32 and np.all(model.weight.data == 0.5)


@pytest.mark.parametrize("change, words", [
    (lambda s: s.pop("trunk.1.weight"), r"missing trunk\.1\.weight"),
    (lambda s: s.update({"heads.middle.weight": np.zeros((4, 1))}),
     r"unexpected heads\.middle\.weight"),
    (lambda s: s.update({"scale": np.zeros(2)}), r"scale should have shape \(1,\), found \(2,\)"),
    (lambda s: s.update({"scale": np.array(["a"])}), r"scale holds <U1 values, not numbers"),
])
def test_load_state_dict_refuses_and_changes_nothing(change, words):
    model = TwoTowers(rng=2)
    before = model.state_dict()
    state = TwoTowers(rng=1).state_dict()
    change(state)
    with pytest.raises(ValueError, match=f"^load_state_dict: {words}$"):
        model.load_state_dict(state)
    for name, array in model.state_dict().items():
        assert np.array_equal(array, before[name])


def test_load_state_dict_names_every_problem():
    state = TwoTowers().state_dict()
    state["trunk.0.bias"] = np.zeros(3)
    del state["scale"]
    state["extra"] = np.zeros(1)
    with pytest.raises(ValueError, match=r"missing scale; unexpected extra; trunk\.0\.bias "
                                         r"should have shape \(4,\), found \(3,\)"):
        TwoTowers().load_state_dict(state)


def test_load_state_dict_lists_a_few_names_then_counts():
    with pytest.raises(ValueError, match=r"unexpected a0, a1, a2, a3, a4 and 3 more$"):
        NoSuperInit().load_state_dict({"layer.weight": np.zeros((2, 3)),
                                       **{f"a{i}": np.zeros(1) for i in range(8)}})


def test_load_state_dict_not_strict():
    model = TwoTowers(rng=2)
    state = TwoTowers(rng=1).state_dict()
    del state["scale"]
    state["heads.middle.weight"] = np.zeros((4, 1))
    model.load_state_dict(state, strict=False)
    assert np.array_equal(model.trunk[0].weight.data, TwoTowers(rng=1).trunk[0].weight.data)
    assert model.scale.data[0] == 1.0
    state["trunk.0.bias"] = np.zeros(5)
    with pytest.raises(ValueError, match=r"trunk\.0\.bias should have shape \(4,\)"):
        model.load_state_dict(state, strict=False)


def test_load_state_dict_needs_a_dict():
    with pytest.raises(TypeError, match="state must be a dict of name -> array, got list"):
        NoSuperInit().load_state_dict([np.zeros((2, 3))])


# ---- save / load --------------------------------------------------------------------------------

def test_save_load_round_trip(tmp_path):
    path = tmp_path / "towers.npz"
    source = TwoTowers(rng=1).eval()
    source.save(path)
    assert os.listdir(tmp_path) == ["towers.npz"]  # no temporary file left behind
    with np.load(path) as archive:
        assert archive.files == NAMES
    target = TwoTowers(rng=2).eval()
    assert target.load(path) is target
    assert np.array_equal(target(Tensor(X)).data, source(Tensor(X)).data)


def test_save_load_of_a_module_without_parameters(tmp_path):
    path = tmp_path / "relu.npz"
    nn.ReLU().save(path)
    assert isinstance(nn.ReLU().load(path), nn.ReLU)


def test_load_refuses_another_architecture(tmp_path):
    path = tmp_path / "towers.npz"
    TwoTowers().save(path)
    model = nn.Sequential(nn.Linear(2, 4))
    with pytest.raises(ValueError, match=rf"{path}: the weights do not fit this Sequential: "
                                         r"missing 0\.weight; unexpected trunk\.0\.weight"):
        model.load(path)
    nn.MLP(rng=0).save(path)
    with pytest.raises(ValueError, match=r"missing 0\.weight; unexpected layers\.0\.weight"):
        model.load(path)


@pytest.mark.parametrize("content", [b"", b"not an archive", b"PK\x03\x04 half a zip",
                                     bytes(range(256))])
def test_load_refuses_a_corrupt_file(tmp_path, content):
    path = tmp_path / "w.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"^{path}: not a weights file") as caught:
        NoSuperInit().load(path)
    assert "allow_pickle" not in str(caught.value)


def test_load_of_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        NoSuperInit().load(tmp_path / "nothing.npz")
