"""The Tensor: a NumPy array that remembers the op and inputs that made it, and ``backward``."""

import gc
import itertools
from heapq import heappop, heappush

import numpy as np

from . import ops

FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))

_grad_enabled = True

# While ``capture.compile`` records a function, the list that every op application is appended
# to, as (op, params, inputs, output); None the rest of the time.
_tape = None

# Constant Tensors for the numbers used in expressions (the 1.0 of 1.0 - p, a 0.5, ...), made
# once per value and dtype: they are never written to, and a step uses the same few each time.
_NUMBER_CONSTANTS = {}

# Each new node of the graph takes the next number: 0, -1, -2, ... A node is always made after
# its inputs, so the newest (smallest number) comes first in backward's heap.
_CREATION_ORDER = itertools.count(0, -1)


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


def _as_array(data, dtype):
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


def _binary_method(name, op, reflected=False):
    """The Tensor method ``name`` that applies the two-input ``op``, e.g. ``__add__`` and ops.Add.

    The method takes a Tensor, a number or an array as ``other``. A reflected method
    (``__radd__``, for ``2 + t``) puts ``other`` first. Making each method from this one
    template, rather than a ``def __add__`` that calls a shared helper, spares a Python call in
    every op of every step: in a small network, such calls are most of the time.
    """
    def method(self, other):
        if type(other) is not Tensor:
            other = self._constant(other)
        inputs = (other, self) if reflected else (self, other)
        a, b = inputs
        try:
            data, saved = op.forward(a.data, b.data)
        except ValueError as error:
            raise op.error(error, a.data, b.data) from None
        out = _node(data, op, inputs, saved, a.requires_grad or b.requires_grad)
        if _tape is not None:
            _tape.append((op, (), inputs, out))
        return out

    method.__name__ = name
    method.__qualname__ = f"Tensor.{name}"
    return method


class Tensor:
    """An n-dimensional float array that records the ops applied to it, for reverse-mode autodiff.

    ``Tensor(data, requires_grad=False, dtype=None)``: ``data`` is a number, a nested list, an
    ndarray or a Tensor, copied into ``.data`` as float64 (or ``dtype=np.float32``). After
    ``backward()``, ``.grad`` holds the gradient for leaves that require grad.
    """

    # _saved, _order and _pending are set only on the nodes that an op records (``_op`` not None).
    __slots__ = ("data", "grad", "requires_grad", "_op", "_parents", "_retains_grad", "_saved",
                 "_order", "_pending")
    __array_ufunc__ = None  # makes `ndarray * tensor` call Tensor.__rmul__ instead of NumPy

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = _as_array(data, dtype)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self._op = None
        self._parents = ()
        self._retains_grad = False

    # ---- properties ---------------------------------------------------------------------------
    shape = property(lambda self: self.data.shape, doc="The shape of .data.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions of .data.")
    size = property(lambda self: self.data.size, doc="The number of elements of .data.")
    dtype = property(lambda self: self.data.dtype, doc="The dtype of .data (float64 by default).")
    T = property(lambda self: self.transpose(), doc="The transpose (axes reversed).")

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
        return Tensor._make(self.data)

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

    # ---- graph building -----------------------------------------------------------------------
    @staticmethod
    def _make(data):
        """A tensor around an ndarray the engine made or checked (no copy), outside the graph."""
        return _node(data, None, (), None, False)

    def _unary(self, op, *params):
        """Apply a one-input op (with constant ``params``) to this tensor."""
        try:
            data, saved = op.forward(self.data, *params)
        except ValueError as error:
            raise op.error(error, self.data) from None
        out = _node(data, op, (self,), saved, self.requires_grad)
        if _tape is not None:
            _tape.append((op, params, (self,), out))
        return out

    def _constant(self, value):
        """A number or an array as a Tensor of this tensor's dtype, outside the graph."""
        dtype = self.data.dtype
        if type(value) is float or type(value) is int:
            constant = _NUMBER_CONSTANTS.get((value, dtype))
            if constant is None:
                constant = Tensor._make(np.array(value, dtype))
                if value:  # 0.0 == -0.0 as a key, but the sign of a zero shows in a product
                    if len(_NUMBER_CONSTANTS) >= 256:
                        _NUMBER_CONSTANTS.clear()
                    _NUMBER_CONSTANTS[value, dtype] = constant
            return constant
        if type(value) is np.ndarray and value.dtype is dtype:
            return Tensor._make(value)  # read only by the op: no copy needed
        return Tensor._make(_as_array(value, dtype))

    # ---- operators: ``a + b`` calls ``__add__``; ``2 * a`` calls ``__rmul__`` -------------------
    __add__ = _binary_method("__add__", ops.Add)
    __radd__ = _binary_method("__radd__", ops.Add, reflected=True)
    __sub__ = _binary_method("__sub__", ops.Sub)
    __rsub__ = _binary_method("__rsub__", ops.Sub, reflected=True)
    __mul__ = _binary_method("__mul__", ops.Mul)
    __rmul__ = _binary_method("__rmul__", ops.Mul, reflected=True)
    __truediv__ = _binary_method("__truediv__", ops.Div)
    __rtruediv__ = _binary_method("__rtruediv__", ops.Div, reflected=True)
    __matmul__ = _binary_method("__matmul__", ops.MatMul)
    __rmatmul__ = _binary_method("__rmatmul__", ops.MatMul, reflected=True)

    def __neg__(self):
        return self._unary(ops.Neg)

    def __pow__(self, exponent):
        if isinstance(exponent, Tensor) or not np.isscalar(exponent):
            raise TypeError(f"pow: the exponent must be a number, got {type(exponent).__name__}")
        return self._unary(ops.Pow, float(exponent))

    # ---- methods ------------------------------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (an int, a tuple, or None for all)."""
        return self._unary(ops.Sum, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (an int, a tuple, or None for all)."""
        return self._unary(ops.Mean, axis, keepdims)

    def exp(self):
        return self._unary(ops.Exp)

    def log(self):
        return self._unary(ops.Log)

    def sigmoid(self):
        """1 / (1 + exp(-x)), computed without overflow."""
        return self._unary(ops.Sigmoid)

    def tanh(self):
        return self._unary(ops.Tanh)

    def relu(self):
        return self._unary(ops.Relu)

    def softplus(self):
        """log(1 + exp(x)), computed without overflow."""
        return self._unary(ops.Softplus)

    def clip(self, lo, hi):
        """Values limited to [lo, hi]; the gradient is 1 inside (ends included), 0 outside."""
        return self._unary(ops.Clip, lo, hi)

    def reshape(self, *shape):
        """The same values in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return self._unary(ops.Reshape, tuple(shape))

    def transpose(self):
        """The axes reversed (a 2-D matrix transposed), as ``ndarray.T``."""
        return self._unary(ops.Transpose)

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
            grad = np.array(1.0, data.dtype, ndmin=data.ndim)  # one element: all axes 1
        else:
            grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=data.dtype)
            if grad.shape != data.shape:
                raise ValueError(f"backward: grad has shape {grad.shape} but the output has shape "
                                 f"{data.shape}")

        # The graph has no reference cycles, so the cyclic collector has nothing to find in it;
        # left on, it rescans every live node each time it runs, and a big walk slows down.
        collecting = gc.isenabled()
        gc.disable()
        try:
            _backpropagate(self, grad)
        finally:
            if collecting:
                gc.enable()

    def _accumulate_grad(self, grad, stored):
        """Add ``grad`` to ``.grad``, never writing into an array that anything else holds."""
        if self.grad is not None:
            self.grad = np.asarray(self.grad + grad)  # a 0-d sum is a NumPy scalar: keep arrays
            return
        if type(grad) is not np.ndarray or grad.base is not None or id(grad) in stored:
            grad = np.array(grad)
        stored.add(id(grad))
        self.grad = grad


def _node(data, op, parents, saved, requires_grad):
    """A new Tensor holding ``data``, recording ``op`` and ``parents`` if it requires grad."""
    out = Tensor.__new__(Tensor)
    if type(data) is not np.ndarray:  # NumPy gives scalars, not 0-d arrays, for 0-d inputs
        data = np.asarray(data)
    out.data = data
    out.grad = None
    out._retains_grad = False
    if requires_grad and _grad_enabled:
        out.requires_grad = True
        out._op = op
        out._parents = parents
        out._saved = saved
        out._order = next(_CREATION_ORDER)
        out._pending = None
    else:
        out.requires_grad = False
        out._op = None
        out._parents = ()
    return out


def _backpropagate(root, grad):
    """Push ``grad`` (d loss / d root) from ``root`` back to every node that requires grad.

    Nodes are taken newest first. Every node that used a tensor was made after it, so by the
    time a tensor is taken, all of its users have passed their gradients back: a topological
    order, found without recursion or a separate pass over the graph. Leaves take each
    gradient into ``.grad`` as it arrives, so they never wait in the heap.
    """
    stored = set()  # ids of the arrays given to a .grad, so that no two .grads share one
    if root._op is None:
        root._accumulate_grad(grad, stored)
        return
    root._pending = grad
    newest_first = [(root._order, root)]
    try:
        while newest_first:
            node = heappop(newest_first)[1]
            grad = node._pending
            node._pending = None
            if node._retains_grad:
                node._accumulate_grad(grad, stored)
            parents = node._parents
            if len(parents) == 1:
                needs = _ONE_INPUT
            else:
                needs = (parents[0].requires_grad, parents[1].requires_grad)
            input_grads = node._op.backward(grad, node._saved, needs)
            for parent, parent_grad in zip(parents, input_grads):  # noqa: B905 (one per input)
                if parent_grad is None:  # the parent does not require grad
                    continue
                if parent._op is None:
                    parent._accumulate_grad(parent_grad, stored)
                elif parent._pending is None:
                    parent._pending = parent_grad
                    heappush(newest_first, (parent._order, parent))
                else:
                    parent._pending = parent._pending + parent_grad
    finally:  # after an error, forget what the nodes still waiting had received
        for _, node in newest_first:
            node._pending = None


_ONE_INPUT = (True,)  # a node's only input requires grad, or the node would not exist
