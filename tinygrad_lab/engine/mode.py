"""The engine's two modes: whether ops record a graph (``no_grad``), and whether they are
being recorded on a tape (``recording``, the hook ``compile`` uses).

The switches are here; the state they set, ``tensor.grad_enabled`` and ``tensor.tape``, is
read where every new node is made, in tensor.py (a global there is read ~40 ns quicker per
node than an attribute of this module: ~1.5% of the lab step).
"""

import contextlib

from . import tensor


class no_grad:
    """Context manager and decorator (``@no_grad()``): tensors made inside record no graph."""

    def __enter__(self):
        self._previous = tensor.grad_enabled
        tensor.grad_enabled = False

    def __exit__(self, *exc_info):
        tensor.grad_enabled = self._previous

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
    if tensor.tape is not None:
        raise RuntimeError("recording: ops are being recorded already")
    tensor.tape = []
    try:
        yield tensor.tape
    finally:
        tensor.tape = None


def is_recording():
    """Whether ops are being recorded (``recording()`` is active)."""
    return tensor.tape is not None
