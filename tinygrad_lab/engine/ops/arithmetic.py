"""Arithmetic: + - * / ** @, negation, maximum, minimum and where, under NumPy broadcasting."""

import numpy as np

from ..function import Elementwise, Function, unbroadcast


class Add(Elementwise):
    name = "add"
    rule = "d a+b: g, g"

    @staticmethod
    def forward(a, b):
        return a + b, (a.shape, b.shape)

    @staticmethod
    def backward(grad, saved, needs):
        a_shape, b_shape = saved
        return (unbroadcast(grad, a_shape) if needs[0] else None,
                unbroadcast(grad, b_shape) if needs[1] else None)


class Sub(Elementwise):
    name = "sub"
    rule = "d a-b: g, -g"

    @staticmethod
    def forward(a, b):
        return a - b, (a.shape, b.shape)

    @staticmethod
    def backward(grad, saved, needs):
        a_shape, b_shape = saved
        return (unbroadcast(grad, a_shape) if needs[0] else None,
                unbroadcast(-grad, b_shape) if needs[1] else None)


class Mul(Elementwise):
    name = "mul"
    rule = "d a*b: g*b, g*a"

    @staticmethod
    def forward(a, b):
        return a * b, (a, b)

    @staticmethod
    def backward(grad, saved, needs):
        a, b = saved
        return (unbroadcast(grad * b, a.shape) if needs[0] else None,
                unbroadcast(grad * a, b.shape) if needs[1] else None)


class Div(Elementwise):
    name = "div"
    rule = "d a/b: g/b, -g*a/b**2"

    @staticmethod
    def forward(a, b):
        out = a / b
        return out, (a.shape, b, out)

    @staticmethod
    def backward(grad, saved, needs):
        a_shape, b, out = saved
        grad_a = grad / b
        # d(a/b)/db = -a/b**2 = -(a/b)/b: reuse the output instead of squaring b.
        return (unbroadcast(grad_a, a_shape) if needs[0] else None,
                unbroadcast(-grad_a * out, b.shape) if needs[1] else None)


class Neg(Function):
    name = "neg"
    rule = "d -a: -g"

    @staticmethod
    def forward(a):
        return -a, None

    @staticmethod
    def backward(grad, saved, needs):
        return (-grad,)


class Pow(Elementwise):
    """``a ** b``; a number exponent (``t ** 2``) or base (``2 ** t``) is a constant input."""

    name = "pow"
    rule = "d a**b: g*b*a**(b-1), g*log(a)*a**b"

    @staticmethod
    def forward(a, b):
        out = a ** b
        return out, (a, b, out)

    @staticmethod
    def backward(grad, saved, needs):
        a, b, out = saved
        grad_a = grad_b = None
        if needs[0]:
            # Where b is 0 the derivative is 0 (as in PyTorch), also at a = 0, where
            # b * a**(b-1) would be 0 * inf: the exponent there is 1 instead of -1.
            with np.errstate(divide="ignore"):  # inf at a = 0 for b < 1, as in PyTorch
                grad_a = unbroadcast(grad * b * a ** np.where(b == 0, 1.0, b - 1), a.shape)
        if needs[1]:
            # a**b is constant in b where a = 0 and b > 0 (PyTorch passes 0 there, not nan).
            log_a = np.log(np.where(a == 0, 1.0, a))
            grad_b = unbroadcast(grad * log_a * out, b.shape)
        return grad_a, grad_b


class MatMul(Function):
    """``a @ b`` as ``numpy.matmul``: 1-D operands are vectors, axes before the last two are
    batch axes, broadcast together (their gradients summed back over the broadcast)."""

    name = "matmul"
    rule = "d a@b: g@b.T, a.T@g"

    @staticmethod
    def forward(a, b):
        return a @ b, (a, b)

    @staticmethod
    def backward(grad, saved, needs):
        a, b = saved
        if a.ndim == 2 and b.ndim == 2:  # the lab's case, with nothing to lift or sum
            return (grad @ b.T if needs[0] else None,
                    a.T @ grad if needs[1] else None)
        # A 1-D operand acts as a row (left) or a column (right): lift to a matrix, then back.
        a2 = a[np.newaxis, :] if a.ndim == 1 else a
        b2 = b[:, np.newaxis] if b.ndim == 1 else b
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        grad2 = grad.reshape(*batch, a2.shape[-2], b2.shape[-1])
        return (unbroadcast(grad2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
                if needs[0] else None,
                unbroadcast(np.swapaxes(a2, -1, -2) @ grad2, b2.shape).reshape(b.shape)
                if needs[1] else None)

    @classmethod
    def error(cls, numpy_error, a, b):
        if a.ndim == 0 or b.ndim == 0:
            return ValueError(f"matmul: shapes {a.shape} and {b.shape}: a 0-d operand has no "
                              "axis to multiply over (use * instead)")
        return ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned")


class Maximum(Elementwise):
    """The larger of ``a`` and ``b``, elementwise; at a tie each gets half the gradient."""

    name = "maximum"
    rule = "d max(a,b): g where a>b, g where b>a, g/2 each at a tie"

    @staticmethod
    def forward(a, b):
        return np.maximum(a, b), (a, b)

    @staticmethod
    def backward(grad, saved, needs):
        return _select_backward(grad, *saved, needs, np.greater)


class Minimum(Elementwise):
    """The smaller of ``a`` and ``b``, elementwise; at a tie each gets half the gradient."""

    name = "minimum"
    rule = "d min(a,b): g where a<b, g where b<a, g/2 each at a tie"

    @staticmethod
    def forward(a, b):
        return np.minimum(a, b), (a, b)

    @staticmethod
    def backward(grad, saved, needs):
        return _select_backward(grad, *saved, needs, np.less)


def _select_backward(grad, a, b, needs, wins):
    """The gradients of maximum (``wins`` is >) or minimum (<): ties split equally."""
    share_a = np.where(wins(a, b), 1.0, np.where(a == b, 0.5, 0.0)).astype(grad.dtype)
    return (unbroadcast(grad * share_a, a.shape) if needs[0] else None,
            unbroadcast(grad * (1.0 - share_a), b.shape) if needs[1] else None)


class Where(Elementwise):
    """``a`` where ``condition`` is nonzero, else ``b``; the condition gets no gradient."""

    name = "where"
    rule = "d where(c,a,b): -, g where c, g where not c"

    @staticmethod
    def forward(condition, a, b):
        mask = condition != 0
        return np.where(mask, a, b), (mask, a.shape, b.shape)

    @staticmethod
    def backward(grad, saved, needs):
        mask, a_shape, b_shape = saved
        zero = np.zeros((), grad.dtype)
        return (None,
                unbroadcast(np.where(mask, grad, zero), a_shape) if needs[1] else None,
                unbroadcast(np.where(mask, zero, grad), b_shape) if needs[2] else None)
