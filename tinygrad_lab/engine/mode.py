"""The engine's two modes: whether ops record a graph (``no_grad``), and whether they are
being recorded on a tape (``recording``, the hook ``compile`` uses)."""

import contextlib

# Whether the ops applied now record a graph for backward (False inside ``no_grad``).
grad_enabled = True

# While ``recording()`` is active, the list that every op applied is appended to; else None.
tape = None


class no_grad:
    """Context manager and decorator (``@no_grad()``): tensors made inside record no graph."""

    def __enter__(self):
        global grad_enabled
        self._previous = grad_enabled
        grad_enabled = False

    def __exit__(self, *exc_info):
        global grad_enabled
        grad_enabled = self._previous

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
    global tape
    if tape is not None:
        raise RuntimeError("recording: ops are being recorded already")
    tape = []
    try:
        yield tape
    finally:
        tape = None


def is_recording():
    """Whether ops are being recorded (``recording()`` is active)."""
    return tape is not None
