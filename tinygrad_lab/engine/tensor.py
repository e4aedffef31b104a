"""The Tensor: a NumPy array that remembers the op and the inputs that made it, and ``backward``."""

import contextlib
import itertools

import numpy as np

from . import ops
from .autograd import accumulator, backpropagate

FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))

_grad_enabled = True

# While ``recording()`` is active, the list that every op applied is appended to; else None.
_tape = None

# Each new node of the graph takes the next number: 0, -1, -2, ... A node is always made after
# its inputs, so the newest (the lowest number) comes first in the backward walk's heap.
_creation_order = itertools.count(0, -1)


class no_grad:
    """Context manager and decorator (``@no_grad()``): tensors made inside record no graph."""

    def __enter__(self):
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = False

    def __exit__(self, *exc_info):
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, function):
        def without_grad(*args, **kwargs):
            with no_grad():
                return function(*args, **kwargs)

        without_grad.__name__ = function.__name__
        without_grad.__qualname__ = function.__qualname__
        without_grad.__doc__ = function.__doc__
        without_grad.__wrapped__ = function
        return without_grad


@contextlib.contextmanager
def recording():
    """``with recording() as tape:`` appends every op applied inside to the list ``tape``.

    Each entry is ``(op, params, inputs, output, saved)``: the op, its constant parameters, the
    input Tensors, the output Tensor and what the op's forward saved for its backward. This is
    the hook ``compile`` records a function with. Raises RuntimeError if already recording.
    """
    global _tape
    if _tape is not None:
        raise RuntimeError("recording: ops are being recorded already")
    _tape = []
    try:
        yield _tape
    finally:
        _tape = None


def is_recording():
    """Whether ops are being recorded (``recording()`` is active)."""
    return _tape is not None


def as_array(data, dtype=None):
    """``data`` as a new ndarray of a float dtype; TypeError for anything that is not numbers."""
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"Tensor: dtype must be float64 or float32, not {dtype}")
    if isinstance(data, Tensor):
        data = data.data
    try:
        array = np.asarray(data)
    except ValueError as error:  # ragged nested lists
        raise TypeError(f"Tensor: cannot make a tensor from this {type(data).__name__}: "
                        f"{error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"Tensor: data must be numbers (int, float or bool), got "
                        f"{type(data).__name__} of dtype {array.dtype}")
    return np.array(array, dtype=dtype)


class Tensor:
    """An n-dimensional float array that records the ops applied to it, for reverse-mode autodiff.

    ``Tensor(data, requires_grad=False, dtype=None)``: ``data`` is a number, a nested list, an
    ndarray or a Tensor, copied into ``.data`` as float64 (or ``dtype=np.float32``). After
    ``backward()``, ``.grad`` holds the gradient for leaves that require grad.
    """

    # Slots keep a node small and its attributes quick to reach; _saved, _needs (which inputs
    # require grad) and _order are set only on the nodes an op records (``_op`` not None);
    # _pending holds what the backward walk has passed to a tensor so far.
    __slots__ = ("data", "grad", "requires_grad", "_op", "_parents", "_saved", "_needs",
                 "_order", "_retains_grad", "_pending")
    __array_ufunc__ = None  # makes `ndarray * tensor` call Tensor.__rmul__ instead of NumPy

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = as_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._op = None
        self._parents = ()
        self._retains_grad = False
        self._pending = None

    @staticmethod
    def from_numpy(array):
        """A tensor around ``array`` itself (no copy), outside the graph, as torch.from_numpy.

        ``array`` must be a float64 or float32 ndarray; writing to one shows in the other.
        """
        if not isinstance(array, np.ndarray) or array.dtype not in FLOAT_DTYPES:
            kind = array.dtype if isinstance(array, np.ndarray) else type(array).__name__
            raise TypeError(f"from_numpy: needs a float64 or float32 ndarray, got {kind}")
        return _node(array)

    # ---- properties ---------------------------------------------------------------------------
    shape = property(lambda self: self.data.shape, doc="The shape of .data.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions of .data.")
    size = property(lambda self: self.data.size, doc="The number of elements of .data.")
    dtype = property(lambda self: self.data.dtype, doc="The dtype of .data (float64 by default).")
    T = property(lambda self: self.transpose(), doc="The transpose (axes reversed).")
    op = property(lambda self: self._op, doc="The op (from ops.OPS) that made this tensor and "
                  "records its gradient; None for a leaf.")
    inputs = property(lambda self: self._parents, doc="The tensors the op took, in order; () "
                      "for a leaf.")
    retains_grad = property(lambda self: self._retains_grad, doc="Whether backward keeps this "
                            "tensor's gradient in .grad although it is not a leaf.")

    @property
    def grad_fn(self):
        """The name of the op that made this tensor and records its gradient (None for leaves)."""
        return None if self._op is None else self._op.name

    @property
    def is_leaf(self):
        """True for tensors made by the user rather than by an op that records a gradient."""
        return self._op is None

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extras = ""
        if self.data.dtype != np.float64:
            extras += f", dtype={self.data.dtype}"
        if self._op is not None:
            extras += f", grad_fn={self._op.name}"
        elif self.requires_grad:
            extras += ", requires_grad=True"
        return f"Tensor({body}{extras})"

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    # ---- leaving the graph --------------------------------------------------------------------
    def detach(self):
        """A tensor sharing this one's data, outside the graph (no grad)."""
        return Tensor.from_numpy(self.data)

    def numpy(self):
        """A copy of the data as an ndarray."""
        return self.data.copy()

    def item(self):
        """The value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item: the tensor has shape {self.data.shape} ({self.data.size} "
                             "elements); item() needs exactly one element")
        return self.data.item()

    def retain_grad(self):
        """Keep ``.grad`` on this intermediate tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: this tensor does not require grad")
        self._retains_grad = True
        return self

    # ---- operators: ``a + b`` calls ``__add__``; ``2 * a`` calls ``__rmul__`` -------------------
    def __add__(self, other):
        return binary(ops.Add, self, other)

    def __radd__(self, other):
        return binary(ops.Add, other, self)

    def __sub__(self, other):
        return binary(ops.Sub, self, other)

    def __rsub__(self, other):
        return binary(ops.Sub, other, self)

    def __mul__(self, other):
        return binary(ops.Mul, self, other)

    def __rmul__(self, other):
        return binary(ops.Mul, other, self)

    def __truediv__(self, other):
        return binary(ops.Div, self, other)

    def __rtruediv__(self, other):
        return binary(ops.Div, other, self)

    def __matmul__(self, other):
        return binary(ops.MatMul, self, other)

    def __rmatmul__(self, other):
        return binary(ops.MatMul, other, self)

    def __neg__(self):
        return unary(ops.Neg, self)

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor) or not np.isscalar(exponent):
            raise TypeError(f"pow: the exponent must be a number, got {type(exponent).__name__}")
        return unary(ops.Pow, self, float(exponent))

    # ---- methods ------------------------------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (an int, a tuple, or None for all)."""
        return unary(ops.Sum, self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (an int, a tuple, or None for all)."""
        return unary(ops.Mean, self, axis, keepdims)

    def exp(self):
        return unary(ops.Exp, self)

    def log(self):
        return unary(ops.Log, self)

    def sigmoid(self):
        """1 / (1 + exp(-x)), computed without overflow."""
        return unary(ops.Sigmoid, self)

    def tanh(self):
        return unary(ops.Tanh, self)

    def relu(self):
        return unary(ops.Relu, self)

    def softplus(self):
        """log(1 + exp(x)), computed without overflow."""
        return unary(ops.Softplus, self)

    def clip(self, lo, hi):
        """Values limited to [lo, hi]; the gradient is 1 inside (ends included), 0 outside."""
        return unary(ops.Clip, self, lo, hi)

    def reshape(self, *shape):
        """The same values in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return unary(ops.Reshape, self, tuple(shape))

    def transpose(self):
        """The axes reversed (a 2-D matrix transposed), as ``ndarray.T``."""
        return unary(ops.Transpose, self)

    # ---- reverse mode ---------------------------------------------------------------------------
    def backward(self, grad=None):
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``grad`` is the gradient of the final scalar with respect to this tensor; it may be left
        out when this tensor has one element (it is then 1.0).
        """
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad, so there is nothing "
                               "to differentiate (create its inputs with requires_grad=True)")
        data = self.data
        if grad is None:
            if data.size != 1:
                raise RuntimeError(
                    f"backward: a gradient is needed for a non-scalar output (shape "
                    f"{data.shape}); call backward(grad) with grad of that shape")
            grad = np.array(1.0, data.dtype, ndmin=data.ndim)  # one element: every axis is 1
        else:
            grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=data.dtype)
            if grad.shape != data.shape:
                raise ValueError(f"backward: grad has shape {grad.shape} but the output has shape "
                                 f"{data.shape}")
        backpropagate(self, grad, accumulator())


def unary(op, x, *params):
    """Apply the one-input ``op`` (from ``ops.OPS``) to the Tensor ``x``, with constant ``params``.

    A ValueError from NumPy is raised again as the op explains it.
    """
    try:
        data, saved = op.forward(x.data, *params)
    except ValueError as error:
        raise op.error(error, x.data) from None
    return _node(data, op, (x,), saved, (x.requires_grad,), params)


def binary(op, a, b):
    """Apply the two-input ``op`` to ``a`` and ``b``: Tensors, or numbers and arrays, which are
    taken as constants of the other operand's dtype."""
    if not isinstance(a, Tensor):
        a = _constant(a, b.data.dtype)
    elif not isinstance(b, Tensor):
        b = _constant(b, a.data.dtype)
    try:
        data, saved = op.forward(a.data, b.data)
    except ValueError as error:
        raise op.error(error, a.data, b.data) from None
    return _node(data, op, (a, b), saved, (a.requires_grad, b.requires_grad))


def _constant(value, dtype):
    """A number or an array as a Tensor of ``dtype``, outside the graph."""
    if type(value) is float or type(value) is int:  # a Python number needs no checking
        return _node(np.array(value, dtype))
    if isinstance(value, np.ndarray) and value.dtype == dtype:
        return _node(value)  # only read by the op: no copy needed
    return _node(as_array(value, dtype))


def _node(data, op=None, parents=(), saved=None, needs=(), params=()):
    """A new Tensor holding ``data``: the output of ``op`` applied to ``parents`` (with constant
    ``params``), which it records if any of them requires grad (``needs`` says which do), or
    with the defaults a leaf outside the graph. An op's output goes on the tape if one records.
    """
    out = Tensor.__new__(Tensor)
    if type(data) is not np.ndarray:  # NumPy gives scalars, not 0-d arrays, for 0-d inputs
        data = np.asarray(data)
    out.data = data
    out.grad = None
    out._retains_grad = False
    out._pending = None
    # Which inputs need a gradient is worked out once, here, not in the backward walk: ~10% of
    # the lab step (a tuple built per node in the walk costs that much).
    if True in needs and _grad_enabled:
        out.requires_grad = True
        out._op = op
        out._parents = parents
        out._saved = saved
        out._needs = needs
        out._order = next(_creation_order)
    else:
        out.requires_grad = False
        out._op = None
        out._parents = ()
    if _tape is not None and op is not None:
        _tape.append((op, params, parents, out, saved))
    return out
