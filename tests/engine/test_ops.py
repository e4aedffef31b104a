"""Every op in ``tinygrad_lab.ops.OPS``, in every form a user can write it, checked for value
(against NumPy) and gradient (against central differences, every element, float64).

``CASES`` must name every op of the table: adding an op without its domain strategy here makes
``test_every_op_has_a_case`` fail.

Tolerance: gradcheck's defaults (eps 1e-6, atol 1e-5, rtol 1e-3); values to rtol 1e-12.
"""

from dataclasses import dataclass

import numpy as np
import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_lab import Tensor, gradcheck
from tinygrad_lab.engine.ops import OPS


@dataclass(frozen=True)
class Form:
    """One way to write an op: ``kinds`` says what each input is passed as."""

    label: str
    fn: object
    kinds: tuple = ("tensor",)


@dataclass(frozen=True)
class Case:
    domain: object  # strategy of (input arrays, params)
    reference: object  # the NumPy function computing the same value
    forms: tuple


def binary_forms(symbol, fn):
    return (Form(f"t {symbol} t", fn, ("tensor", "tensor")),
            Form(f"t {symbol} array", fn, ("tensor", "array")),
            Form(f"array {symbol} t", fn, ("array", "tensor")),
            Form(f"t {symbol} number", fn, ("tensor", "number")),
            Form(f"number {symbol} t", fn, ("number", "tensor")))


def method(name):
    return Form(f"t.{name}()", lambda x, **params: getattr(x, name)(**params))


def sigmoid_reference(x):
    return 1.0 / (1.0 + np.exp(-x))


CASES = {
    "add": Case(S.broadcast_pair(), np.add, binary_forms("+", lambda a, b: a + b)),
    "sub": Case(S.broadcast_pair(), np.subtract, binary_forms("-", lambda a, b: a - b)),
    "mul": Case(S.broadcast_pair(), np.multiply, binary_forms("*", lambda a, b: a * b)),
    "div": Case(S.broadcast_pair(S.reals, S.away_from_zero), np.divide,
                binary_forms("/", lambda a, b: a / b)),
    "neg": Case(S.unary(), np.negative, (Form("-t", lambda x: -x),)),
    "pow": Case(S.power(), lambda x, exponent: np.power(x, exponent),
                (Form("t ** c", lambda x, exponent: x ** exponent),)),
    "matmul": Case(S.matmul_pair(), np.matmul,
                   (Form("t @ t", lambda a, b: a @ b, ("tensor", "tensor")),
                    Form("t @ array", lambda a, b: a @ b, ("tensor", "array")),
                    Form("array @ t", lambda a, b: a @ b, ("array", "tensor")))),
    "sum": Case(S.reduction(), np.sum, (method("sum"),)),
    "mean": Case(S.reduction(), np.mean, (method("mean"),)),
    "reshape": Case(S.new_shape(), np.reshape,
                    (Form("t.reshape(shape)", lambda x, shape: x.reshape(shape)),
                     Form("t.reshape(*shape)", lambda x, shape: x.reshape(*shape)))),
    "transpose": Case(S.unary(), np.transpose,
                      (method("transpose"), Form("t.T", lambda x: x.T))),
    "exp": Case(S.unary(), np.exp, (method("exp"),)),
    "log": Case(S.unary(S.positives), np.log, (method("log"),)),
    "sigmoid": Case(S.unary(), sigmoid_reference, (method("sigmoid"),)),
    "tanh": Case(S.unary(), np.tanh, (method("tanh"),)),
    "relu": Case(S.unary(S.away_from_kink), lambda x: np.maximum(x, 0.0), (method("relu"),)),
    "clip": Case(S.clip_bounds(), lambda x, lo, hi: np.clip(x, lo, hi), (method("clip"),)),
    "softplus": Case(S.unary(), lambda x: np.log1p(np.exp(x)), (method("softplus"),)),
}

FORMS = [(name, form) for name, case in CASES.items() for form in case.forms]


def as_kind(array, kind):
    if kind == "tensor":
        return Tensor(array, requires_grad=True)
    if kind == "array":
        return array
    return float(array.flat[0])


def draw_inputs(name, form, data):
    """The inputs of op ``name`` drawn from its domain and passed as ``form`` takes them; params."""
    arrays, params = data.draw(CASES[name].domain)
    return [as_kind(array, kind) for array, kind in zip(arrays, form.kinds, strict=True)], params


def test_every_op_has_a_case():
    assert sorted(op.name for op in OPS) == sorted(CASES)


def test_op_names_are_unique():
    names = [op.name for op in OPS]
    assert len(names) == len(set(names))


def test_every_op_states_its_gradient_rule():
    # explain() prints it: "d <expression>: <what each input receives>", in terms of g.
    for op in OPS:
        assert isinstance(op.rule, str) and op.rule.startswith("d ") and ": " in op.rule, op
        assert "g" in op.rule.split(": ", 1)[1], op


@pytest.mark.parametrize("name, form", FORMS, ids=[f"{n}: {f.label}" for n, f in FORMS])
@given(data=st.data())
def test_op_value_and_gradient(name, form, data):
    case = CASES[name]
    inputs, params = draw_inputs(name, form, data)
    out = form.fn(*inputs, **params)
    assert isinstance(out, Tensor)
    assert out.grad_fn == name  # this form really goes through the op under test
    assert out.dtype == np.float64
    expected = case.reference(*[np.asarray(x, dtype=np.float64) for x in inputs], **params)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-300)

    # Weighting the outputs differently makes a gradient routed to the wrong element visible.
    weights = np.random.default_rng(0).normal(size=out.shape)
    assert gradcheck(lambda *xs: (form.fn(*xs, **params) * weights).sum(), *inputs)
