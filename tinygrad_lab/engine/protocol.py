"""How a Tensor behaves as a Python number or sequence, and beside NumPy; ``as_array``.

Values leave the graph here: ``float(t)``, ``bool(t)``, comparisons (0/1 tensors, no gradient).
NumPy is kept from silently computing outside the graph: ``np.asarray`` of a tensor that
requires grad and ``np.exp(t)`` are refused with a TypeError saying what to call instead.
"""

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))

def as_array(data, dtype=None):
    """``data`` as a new ndarray of a float dtype; TypeError for anything that is not numbers."""
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    if dtype not in FLOAT_DTYPES:
        raise TypeError(f"Tensor: dtype must be float64 or float32, not {dtype}")
    if isinstance(data, ArrayProtocol):  # a Tensor
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


# The NumPy ufuncs that `array OP tensor` calls, as the Tensor's own operator methods: (for
# the tensor on the left, for the tensor on the right).
_OPERATORS = {
    np.add: ("__add__", "__radd__"), np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"), np.true_divide: ("__truediv__", "__rtruediv__"),
    np.power: ("__pow__", "__rpow__"), np.matmul: ("__matmul__", "__rmatmul__"),
    np.equal: ("__eq__", "__eq__"), np.not_equal: ("__ne__", "__ne__"),
    np.less: ("__lt__", "__gt__"), np.less_equal: ("__le__", "__ge__"),
    np.greater: ("__gt__", "__lt__"), np.greater_equal: ("__ge__", "__le__"),
}


class ArrayProtocol:
    """The Python and NumPy protocols of Tensor (its base class): conversions and comparisons."""

    __slots__ = ()

    def __array__(self, dtype=None, copy=None):
        if self.requires_grad:  # NumPy would compute outside the graph, with no gradient
            raise TypeError("this tensor requires grad, so NumPy cannot use it as an array: call "
                            ".detach().numpy() for its values, or use the Tensor's own ops")
        return self.data if dtype is None else self.data.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # `array * tensor` arrives here as np.multiply(array, tensor): do it as the Tensor op.
        if ufunc in _OPERATORS and method == "__call__" and len(inputs) == 2 and not kwargs:
            left, right = _OPERATORS[ufunc]
            if inputs[0] is self:
                return getattr(self, left)(inputs[1])
            return getattr(self, right)(inputs[0])
        name = {"absolute": "abs", "negative": "__neg__"}.get(ufunc.__name__, ufunc.__name__)
        hint = f"t.{name}()" if hasattr(type(self), name) else "the Tensor's own methods"
        raise TypeError(f"numpy.{ufunc.__name__} does not record a gradient through a Tensor: "
                        f"use {hint} instead")

    def _one_element(self, what):
        if self.data.size != 1:
            raise ValueError(f"{what}: the tensor has shape {self.data.shape} ({self.data.size} "
                             f"elements), so its {what} value is ambiguous; it needs exactly one "
                             "element")
        return self.data.item()

    def item(self):
        """The value of a one-element tensor as a Python float."""
        return self._one_element("item")

    def __float__(self):
        return float(self._one_element("float"))

    def __int__(self):
        return int(self._one_element("int"))

    def __bool__(self):
        return bool(self._one_element("bool"))

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        """The tensor's rows (``t[0]``, ``t[1]``, ...), each in the graph."""
        return (self[i] for i in range(len(self)))

    def __format__(self, spec):
        if self.data.size == 1 and spec:
            return format(self.data.item(), spec)
        if spec:
            raise TypeError(f"format: the spec {spec!r} needs a one-element tensor, not shape "
                            f"{self.data.shape}")
        return str(self)

    def tolist(self):
        """The values as nested Python lists (a float for a 0-d tensor)."""
        return self.data.tolist()

    # Comparisons give 0/1 float tensors outside the graph; hashing stays by identity (as in
    # PyTorch), so tensors still work as dict keys and in sets.
    __hash__ = object.__hash__

    def __eq__(self, other):
        return self._compare(np.equal, other)

    def __ne__(self, other):
        return self._compare(np.not_equal, other)

    def __lt__(self, other):
        return self._compare(np.less, other)

    def __le__(self, other):
        return self._compare(np.less_equal, other)

    def __gt__(self, other):
        return self._compare(np.greater, other)

    def __ge__(self, other):
        return self._compare(np.greater_equal, other)

    def _compare(self, ufunc, other):
        values = other.data if isinstance(other, ArrayProtocol) else np.asarray(other)
        if values.dtype.kind not in "biuf":
            return NotImplemented  # so that `t == "text"` is False, as for other objects
        try:
            result = ufunc(self.data, values)
        except ValueError:
            raise ValueError(f"{ufunc.__name__}: shapes {self.data.shape} and {values.shape} "
                             "cannot be broadcast") from None
        return self.from_numpy(result.astype(self.data.dtype))
