"""The Tensor: a NumPy array that remembers the op and the inputs that made it, and ``backward``."""

import itertools

import numpy as np

from . import functional, ops
from .autograd import backward
from .protocol import FLOAT_DTYPES, ArrayProtocol, as_array

# Whether the ops applied now record a graph for backward (False inside ``mode.no_grad``).
grad_enabled = True

# While ``mode.recording()`` is active, the list that every op applied is appended to; else None.
tape = None

# Each new node of the graph takes the next number: 0, -1, -2, ... A node is always made after
# its inputs, so the newest (the lowest number) comes first in the backward walk's heap.
_creation_order = itertools.count(0, -1)


class Tensor(ArrayProtocol):
    """An n-dimensional float array that records the ops applied to it, for reverse-mode autodiff.

    ``Tensor(data, requires_grad=False, dtype=None)``: ``data`` is a number, a nested list, an
    ndarray or a Tensor, copied into ``.data`` as float64 (or ``dtype=np.float32``). After
    ``backward()``, ``.grad`` holds the gradient for leaves that require grad.
    """

    # Slots keep a node small and its attributes quick to reach; _saved, _needs (which inputs
    # require grad) and _order are set only on the nodes an op records (``_op`` not None), and
    # _needs also on an op's output that records nothing (to tell a result made under no_grad);
    # _pending holds what the backward walk has passed to a tensor so far.
    __slots__ = ("data", "grad", "requires_grad", "_op", "_parents", "_saved", "_needs",
                 "_order", "_retains_grad", "_pending")

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

    # ---- leaving the graph --------------------------------------------------------------------
    def detach(self):
        """A tensor sharing this one's data, outside the graph (no grad)."""
        return Tensor.from_numpy(self.data)

    def numpy(self):
        """A copy of the data as an ndarray."""
        return self.data.copy()

    def requires_grad_(self, requires_grad=True):
        """Make this leaf require grad (or not), in place; returns it."""
        if self._op is not None:
            raise RuntimeError("requires_grad_: only a leaf's requires_grad can be changed; this "
                               f"tensor was made by {self._op.name} (detach() it first)")
        self.requires_grad = bool(requires_grad)
        return self

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

    def __pow__(self, exponent):
        return binary(ops.Pow, self, exponent)

    def __rpow__(self, base):
        return binary(ops.Pow, base, self)

    def __neg__(self):
        return unary(ops.Neg, self)

    def __pos__(self):
        return self

    def __abs__(self):
        return unary(ops.Abs, self)

    def __getitem__(self, index):
        """``t[index]`` as NumPy indexes: ints, slices, None, ..., integer arrays, masks."""
        return unary(ops.Index, self, index=functional.index_argument(index))

    # ---- elementwise functions ------------------------------------------------------------------
    def exp(self):
        return unary(ops.Exp, self)

    def log(self):
        return unary(ops.Log, self)

    def sqrt(self):
        return unary(ops.Sqrt, self)

    def abs(self):
        """|x|; the gradient at 0 is 0."""
        return unary(ops.Abs, self)

    def sign(self):
        """-1, 0 or 1 elementwise; the gradient is 0."""
        return unary(ops.Sign, self)

    def sigmoid(self):
        """1 / (1 + exp(-x)), computed without overflow."""
        return unary(ops.Sigmoid, self)

    def tanh(self):
        return unary(ops.Tanh, self)

    def relu(self):
        return unary(ops.Relu, self)

    def leaky_relu(self, slope=0.01):
        return unary(ops.LeakyRelu, self, slope=slope)

    def relu6(self):
        return unary(ops.Relu6, self)

    def hardswish(self):
        return unary(ops.Hardswish, self)

    def gelu(self):
        """GELU in its tanh form, as PyTorch's ``gelu(x, approximate="tanh")``."""
        return unary(ops.Gelu, self)

    def mish(self):
        return unary(ops.Mish, self)

    def softplus(self):
        """log(1 + exp(x)), computed without overflow."""
        return unary(ops.Softplus, self)

    def clip(self, lo, hi):
        """Values limited to [lo, hi]; the gradient is 1 inside (ends included), 0 outside."""
        return unary(ops.Clip, self, lo=lo, hi=hi)

    def maximum(self, other):
        """The larger of the two, elementwise; at a tie each gets half the gradient."""
        return binary(ops.Maximum, self, other)

    def minimum(self, other):
        """The smaller of the two, elementwise; at a tie each gets half the gradient."""
        return binary(ops.Minimum, self, other)

    # ---- reductions: ``axis`` is an int, a tuple, or None for all --------------------------------
    def sum(self, axis=None, keepdims=False):
        return unary(ops.Sum, self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return unary(ops.Mean, self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        """The largest value; elements tied for it share the gradient equally."""
        return unary(ops.Max, self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        """The smallest value; elements tied for it share the gradient equally."""
        return unary(ops.Min, self, axis=axis, keepdims=keepdims)

    def prod(self, axis=None, keepdims=False):
        return unary(ops.Prod, self, axis=axis, keepdims=keepdims)

    def logsumexp(self, axis=None, keepdims=False):
        """log(sum(exp(x))), computed with the max subtracted first."""
        return unary(ops.LogSumExp, self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, ddof=0, keepdims=False):
        """The variance, dividing by n - ddof (ddof 0 as NumPy, 1 for the sample variance)."""
        return functional.var(self, axis, ddof, keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        """The standard deviation, the square root of ``var``."""
        return self.var(axis, ddof, keepdims).sqrt()

    def argmax(self, axis=None, keepdims=False):
        """Where the largest value is, as an int ndarray (not differentiable)."""
        return np.argmax(self.data, axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        """Where the smallest value is, as an int ndarray (not differentiable)."""
        return np.argmin(self.data, axis, keepdims=keepdims)

    def softmax(self, axis=-1):
        """exp(x) / sum(exp(x)) over ``axis``, computed with the max subtracted first."""
        return unary(ops.Softmax, self, axis=axis)

    def log_softmax(self, axis=-1):
        """x - logsumexp(x) over ``axis``, stably, with its gradient written directly."""
        return unary(ops.LogSoftmax, self, axis=axis)

    def dropout(self, p, training=True, rng=None):
        """Inverted dropout: each element is kept with probability 1 - p and scaled by 1 / (1 - p)
        (so the expected value is unchanged), the others set to 0; ``rng`` is a seed or a NumPy
        Generator (None: a fresh, unseeded one). When not ``training``, or for p == 0, returns
        this tensor itself. Raises ValueError unless 0 <= p < 1.

        The mask is a constant the tensor is multiplied by, not an op of its own: a random op
        could not be gradient-checked by central differences, and the product's gradient is the
        mask. (So ``compile`` replays the mask it recorded.)
        """
        if (isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating))
                or not 0 <= p < 1):
            raise ValueError(f"dropout: p must be a probability in [0, 1), got {p!r}")
        if not training or p == 0:
            return self
        kept = np.random.default_rng(rng).random(self.data.shape) >= p
        return self * (kept / (1.0 - p)).astype(self.data.dtype)

    # ---- shape ----------------------------------------------------------------------------------
    def reshape(self, *shape):
        """The same values in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        return unary(ops.Reshape, self, shape=functional.shape_argument(shape))

    def transpose(self, *axes):
        """The axes in the order given (``t.transpose(1, 0)``); none given: reversed, as ``.T``."""
        axes = functional.shape_argument(axes)
        return unary(ops.Transpose, self, axes=axes or None)

    permute = transpose

    def swapaxes(self, axis1, axis2):
        return unary(ops.Transpose, self, axes=functional.swapped(self.ndim, axis1, axis2))

    def squeeze(self, axis=None):
        """Without the axes of size 1 (or only ``axis``, which must have size 1)."""
        return self.reshape(functional.squeezed(self.shape, axis))

    def unsqueeze(self, axis):
        """With a new axis of size 1 at ``axis``."""
        return self.reshape(np.expand_dims(self.data, axis).shape)

    def flatten(self, start_axis=0):
        """The axes from ``start_axis`` on joined into one."""
        start = start_axis % self.ndim if self.ndim else 0
        return self.reshape((*self.shape[:start], -1))

    def expand(self, *shape):
        """Broadcast to ``shape``, as ``numpy.broadcast_to``: ``t.expand(3, 4)``; a size of -1
        keeps the size the axis has (as in PyTorch)."""
        return unary(ops.Expand, self,
                     shape=functional.expanded(self.shape, functional.shape_argument(shape)))

    def broadcast_to(self, shape):
        return self.expand(shape)

    def pad(self, pad_width, value=0.0):
        """``value`` added around the axes, ``pad_width`` as ``numpy.pad`` takes it."""
        return unary(ops.Pad, self, pad_width=functional.pad_widths(pad_width), value=value)

    def pad2d(self, padding=(0, 0, 0, 0), value=0.0):
        """Padding over the last two axes: ``padding=(left, right, top, bottom)``."""
        left, right, top, bottom = padding
        return self.pad(((0, 0),) * (self.ndim - 2) + ((top, bottom), (left, right)), value)

    # ---- convolution and pooling, NCHW -----------------------------------------------------------
    def conv2d(self, weight, bias=None, stride=1, padding=0, groups=1):
        """2-D cross-correlation of (N, C, H, W) with ``weight`` (C_out, C/groups, kh, kw)."""
        return functional.conv2d(self, weight, bias, stride, padding, groups)

    def conv1d(self, weight, bias=None, stride=1, padding=0, groups=1):
        """1-D cross-correlation of (N, C, L) with ``weight`` (C_out, C/groups, k)."""
        return functional.conv1d(self, weight, bias, stride, padding, groups)

    def max_pool2d(self, kernel_size, stride=None):
        """The max of each window (stride defaults to the kernel size)."""
        return functional.max_pool2d(self, kernel_size, stride)

    def avg_pool2d(self, kernel_size, stride=None):
        """The mean of each window (stride defaults to the kernel size)."""
        return functional.avg_pool2d(self, kernel_size, stride)

    # ---- reverse mode ---------------------------------------------------------------------------
    def backward(self, grad=None):
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``grad`` is the gradient of the final scalar with respect to this tensor; it may be left
        out when this tensor has one element (it is then 1.0).
        """
        backward(self, grad)


def unary(op, x, **params):
    """Apply the one-input ``op`` (from ``ops.OPS``) to the Tensor ``x``, with constant ``params``.

    A ValueError from NumPy is raised again as the op explains it.
    """
    try:
        data, saved = op.forward(x.data, **params)
    except (ValueError, IndexError) as error:  # IndexError: t[index] out of range
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


def apply(op, inputs, params):
    """Apply ``op`` to any number of ``inputs`` (Tensors, or numbers and arrays taken as
    constants of the first Tensor's dtype), with the constants ``params``: ``Function.apply``.

    ``unary`` and ``binary`` do the same for one and two inputs, without the loops.
    """
    dtype = next((x.data.dtype for x in inputs if isinstance(x, Tensor)), FLOAT_DTYPES[0])
    tensors = tuple(x if isinstance(x, Tensor) else _constant(x, dtype) for x in inputs)
    arrays = [x.data for x in tensors]
    try:
        result = op.forward(*arrays, **params)
    except ValueError as error:
        raise op.error(error, *arrays) from None
    if not (type(result) is tuple and len(result) == 2 and isinstance(result[0], np.ndarray)
            or np.isscalar(result[0])):
        raise TypeError(f"{op.name}: forward must return (output array, saved), got "
                        f"{type(result).__name__}")
    data, saved = result
    return _node(data, op, tensors, saved, tuple(x.requires_grad for x in tensors), params)


def _constant(value, dtype):
    """A number or an array as a Tensor of ``dtype``, outside the graph."""
    if type(value) is float or type(value) is int:  # a Python number needs no checking
        return _node(np.array(value, dtype))
    if isinstance(value, np.ndarray) and value.dtype == dtype:
        return _node(value)  # only read by the op: no copy needed
    return _node(as_array(value, dtype))


def _node(data, op=None, parents=(), saved=None, needs=(), params=None):
    """A new Tensor holding ``data``: the output of ``op`` applied to ``parents`` (with constant
    ``params``, a dict), which it records if any of them requires grad (``needs`` says which
    do), or with the defaults a leaf outside the graph. An op's output goes on the tape if one
    records.
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
    if True in needs and grad_enabled:
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
        # True in it if a tensor requiring grad went into this one, or into one it was made
        # from, under no_grad: then backward's error says so.
        out._needs = needs if True in needs or not parents else _no_grad_mark(parents)
    if tape is not None and op is not None:
        tape.append((op, {} if params is None else params, parents, out, saved))
    return out


def _no_grad_mark(parents):
    """(True,) if one of ``parents`` (none of which requires grad) was computed under no_grad
    from a tensor that requires grad, else ()."""
    for parent in parents:
        if True in getattr(parent, "_needs", ()):  # a leaf made by Tensor() has no _needs
            return (True,)
    return ()
