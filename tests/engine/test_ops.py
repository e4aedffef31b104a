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

import tinygrad_lab
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


def gelu_reference(x):
    return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))


def log_softmax_reference(x, axis):
    shifted = x - x.max(axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis, keepdims=True))


def logsumexp_reference(x, axis, keepdims):
    peak = x.max(axis, keepdims=True)
    out = peak + np.log(np.exp(x - peak).sum(axis, keepdims=True))
    return out if keepdims else out.reshape(np.sum(x, axis).shape)


def pad_reference(x, pad_width, value):
    return np.pad(x, pad_width, constant_values=value)


def conv2d_reference(x, weight, stride, groups):
    """PyTorch's conv2d without padding, one kernel offset (i, j) at a time: the strided slice of
    x that offset sees, times weight[..., i, j], summed over each group's channels."""
    (sh, sw), (out_channels, group_channels, kh, kw) = stride, weight.shape
    rows, columns = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    x_groups = x.reshape(x.shape[0], groups, group_channels, *x.shape[2:])
    w_groups = weight.reshape(groups, out_channels // groups, group_channels, kh, kw)
    out = np.zeros((x.shape[0], groups, out_channels // groups, rows, columns))
    for i in range(kh):
        for j in range(kw):
            seen = x_groups[..., i:i + sh * (rows - 1) + 1:sh, j:j + sw * (columns - 1) + 1:sw]
            out += np.einsum("ngchw,goc->ngohw", seen, w_groups[..., i, j])
    return out.reshape(x.shape[0], out_channels, rows, columns)


def pool_reference(reduce):
    """max_pool2d (``reduce`` np.max) or avg_pool2d (np.mean), one output position at a time."""
    def pooled(x, kernel_size, stride):
        (kh, kw), (sh, sw) = kernel_size, stride
        rows, columns = (x.shape[-2] - kh) // sh + 1, (x.shape[-1] - kw) // sw + 1
        return np.stack([np.stack([reduce(x[..., r * sh:r * sh + kh, c * sw:c * sw + kw],
                                          axis=(-2, -1)) for c in range(columns)], axis=-1)
                         for r in range(rows)], axis=-2)
    return pooled


def joined(label, kinds):
    return Form(label, lambda *parts, axis: tinygrad_lab.cat(parts, axis=axis), kinds)


CASES = {
    # arithmetic
    "add": Case(S.broadcast_pair(), np.add, binary_forms("+", lambda a, b: a + b)),
    "sub": Case(S.broadcast_pair(), np.subtract, binary_forms("-", lambda a, b: a - b)),
    "mul": Case(S.broadcast_pair(), np.multiply, binary_forms("*", lambda a, b: a * b)),
    "div": Case(S.broadcast_pair(S.reals, S.away_from_zero), np.divide,
                binary_forms("/", lambda a, b: a / b)),
    "neg": Case(S.unary(), np.negative, (Form("-t", lambda x: -x),)),
    "pow": Case(S.broadcast_pair(S.positives, S.reals), np.power,
                binary_forms("**", lambda a, b: a ** b)),
    "matmul": Case(S.batched_matmul_pair(), np.matmul,
                   (Form("t @ t", lambda a, b: a @ b, ("tensor", "tensor")),
                    Form("t @ array", lambda a, b: a @ b, ("tensor", "array")),
                    Form("array @ t", lambda a, b: a @ b, ("array", "tensor")))),
    "maximum": Case(S.distinct_pair(), np.maximum,
                    (Form("t.maximum(t)", lambda a, b: a.maximum(b), ("tensor", "tensor")),
                     Form("t.maximum(number)", lambda a, b: a.maximum(b), ("tensor", "number")))),
    "minimum": Case(S.distinct_pair(), np.minimum,
                    (Form("t.minimum(t)", lambda a, b: a.minimum(b), ("tensor", "tensor")),
                     Form("t.minimum(array)", lambda a, b: a.minimum(b), ("tensor", "array")))),
    "where": Case(S.where_triple(), lambda c, a, b: np.where(c != 0, a, b),
                  (Form("where(c, t, t)", tinygrad_lab.where, ("array", "tensor", "tensor")),
                   Form("where(c, t, number)", tinygrad_lab.where, ("array", "tensor", "number")),
                   Form("where(c, array, t)", tinygrad_lab.where, ("array", "array", "tensor")))),
    # elementwise functions
    "exp": Case(S.unary(), np.exp, (method("exp"),)),
    "log": Case(S.unary(S.positives), np.log, (method("log"),)),
    "sqrt": Case(S.unary(S.positives), np.sqrt, (method("sqrt"),)),
    "abs": Case(S.unary(S.away_from_kink), np.abs, (method("abs"), Form("abs(t)", abs))),
    "sign": Case(S.unary(S.away_from_kink), np.sign, (method("sign"),)),
    "sigmoid": Case(S.unary(), sigmoid_reference, (method("sigmoid"),)),
    "tanh": Case(S.unary(), np.tanh, (method("tanh"),)),
    "relu": Case(S.unary(S.away_from_kink), lambda x: np.maximum(x, 0.0), (method("relu"),)),
    "leaky_relu": Case(S.leaky(), lambda x, slope: np.where(x > 0, x, slope * x),
                       (method("leaky_relu"),)),
    "relu6": Case(S.unary(S.away_from(0.0, 6.0)), lambda x: np.clip(x, 0.0, 6.0),
                  (method("relu6"),)),
    "hardswish": Case(S.unary(S.away_from(-3.0, 3.0)),
                      lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0, (method("hardswish"),)),
    "gelu": Case(S.unary(), gelu_reference, (method("gelu"),)),
    "mish": Case(S.unary(), lambda x: x * np.tanh(np.log1p(np.exp(x))), (method("mish"),)),
    "softplus": Case(S.unary(), lambda x: np.log1p(np.exp(x)), (method("softplus"),)),
    "clip": Case(S.clip_bounds(), lambda x, lo, hi: np.clip(x, lo, hi), (method("clip"),)),
    # reductions
    "sum": Case(S.reduction(), np.sum, (method("sum"),)),
    "mean": Case(S.reduction(), np.mean, (method("mean"),)),
    "max": Case(S.distinct_reduction(), np.max, (method("max"),)),
    "min": Case(S.distinct_reduction(), np.min, (method("min"),)),
    "prod": Case(S.reduction(), np.prod, (method("prod"),)),
    "logsumexp": Case(S.reduction(), logsumexp_reference, (method("logsumexp"),)),
    "softmax": Case(S.along_axis(), lambda x, axis: np.exp(log_softmax_reference(x, axis)),
                    (method("softmax"),)),
    "log_softmax": Case(S.along_axis(), log_softmax_reference, (method("log_softmax"),)),
    # shape
    "reshape": Case(S.new_shape(), np.reshape,
                    (Form("t.reshape(shape)", lambda x, shape: x.reshape(shape)),
                     Form("t.reshape(*shape)", lambda x, shape: x.reshape(*shape)))),
    "transpose": Case(S.axis_order(), np.transpose,
                      (Form("t.transpose(*axes)", lambda x, axes: x.transpose(*(axes or ()))),
                       Form("t.permute(axes)", lambda x, axes: x.permute(axes or ())),
                       Form("t.T", lambda x, axes: x.T if axes is None else x.permute(axes)))),
    "expand": Case(S.expansion(), np.broadcast_to,
                   (Form("t.expand(*shape)", lambda x, shape: x.expand(*shape)),
                    Form("t.broadcast_to(shape)", lambda x, shape: x.broadcast_to(shape)))),
    "index": Case(S.index(), lambda x, index: x[index],
                  (Form("t[index]", lambda x, index: x[index]),)),
    "pad": Case(S.padding(), pad_reference, (method("pad"),)),
    "cat": Case(S.joinable(), lambda *parts, axis: np.concatenate(parts, axis),
                (joined("cat([t, t, t])", ("tensor", "tensor", "tensor")),
                 joined("cat([t, array, t])", ("tensor", "array", "tensor")))),
    # convolution and pooling
    "conv2d": Case(S.conv_pair(), conv2d_reference,
                   (Form("t.conv2d(t)", lambda x, w, stride, groups:
                         x.conv2d(w, stride=stride, groups=groups), ("tensor", "tensor")),
                    Form("t.conv2d(array)", lambda x, w, stride, groups:
                         x.conv2d(w, stride=stride, groups=groups), ("tensor", "array")))),
    "max_pool2d": Case(S.pool_input(), pool_reference(np.max),
                       (Form("t.max_pool2d(k, s)", lambda x, kernel_size, stride:
                             x.max_pool2d(kernel_size, stride)),)),
    "avg_pool2d": Case(S.pool_input(unique=False), pool_reference(np.mean),
                       (Form("t.avg_pool2d(k, s)", lambda x, kernel_size, stride:
                             x.avg_pool2d(kernel_size, stride)),)),
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
    expected = case.reference(*[x.data if isinstance(x, Tensor) else np.asarray(x, np.float64)
                                for x in inputs], **params)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-300)

    # Weighting the outputs differently makes a gradient routed to the wrong element visible.
    weights = np.random.default_rng(0).normal(size=out.shape)
    assert gradcheck(lambda *xs: (form.fn(*xs, **params) * weights).sum(), *inputs)
