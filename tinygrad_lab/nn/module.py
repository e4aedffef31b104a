"""``Module``: a model's parameters found from its attributes, its train/eval mode, its state
dict, and saving it to (or loading it from) an .npz weights file."""

import zipfile

import numpy as np

from ..engine import Tensor
from ..files import atomic_write

# How many names an error lists before it says "and N more".
NAMES_SHOWN = 5


class Module:
    """Something with parameters that maps Tensors to a Tensor: subclasses define ``forward``.

    The parameters are found in the attributes, in the order they were set: leaf Tensors that
    require grad, Modules (their parameters, in turn), and lists, tuples and dicts of them.
    """

    # A class attribute, so that a subclass that never calls super().__init__() has it too.
    training = True

    def forward(self, *inputs):
        """What the module computes; ``module(x)`` calls it. Subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def __call__(self, *inputs, **options):
        return self.forward(*inputs, **options)

    def _attributes(self):
        """The (name, value) pairs the parameter walk visits: the instance's attributes."""
        return getattr(self, "__dict__", {}).items()

    def named_parameters(self):
        """``[(name, Tensor), ...]`` of every parameter, in definition order; a name is the path of
        attributes and positions to it (``layers.0.weight``). One reached twice is listed once."""
        found = []
        _walk(self, "", found, seen=set())
        return [(name, value) for name, value in found if isinstance(value, Tensor)]

    def parameters(self):
        """The trainable Tensors, in the order of ``named_parameters``."""
        return [parameter for _, parameter in self.named_parameters()]

    def modules(self):
        """This module and every module inside it, each once, parents before their children."""
        found = []
        _walk(self, "", found, seen=set())
        return [value for _, value in found if isinstance(value, Module)]

    def zero_grad(self):
        """Forget the gradients of every parameter (sets ``.grad`` to None)."""
        for parameter in self.parameters():
            parameter.grad = None

    def train(self, mode=True):
        """Set ``.training`` to ``mode`` on this module and every module inside it; returns self."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self):
        """``train(False)``: layers such as Dropout then act as in evaluation; returns self."""
        return self.train(False)

    def state_dict(self):
        """``{name: ndarray}``: a copy of each parameter's values, named as ``named_parameters``."""
        return {name: parameter.data.copy() for name, parameter in self.named_parameters()}

    def load_state_dict(self, state, strict=True):
        """Copy the arrays of ``state`` (name -> array, as ``state_dict`` gives) into the
        parameters: all of them or, on an error, none.

        Raises ValueError naming the entries that are missing or unexpected (only if ``strict``;
        otherwise they are ignored) and those whose shape differs from the parameter's (always),
        or that hold no numbers. Raises TypeError if ``state`` is not a dict.
        """
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict: state must be a dict of name -> array, got "
                            f"{type(state).__name__}")
        copy_into(self, state, strict, "load_state_dict")

    def save(self, path):
        """Write ``state_dict()`` to ``path`` as an .npz file, whole or not at all."""
        with atomic_write(path) as file:
            np.savez(file, **self.state_dict())

    def load(self, path):
        """Load a file written by ``save`` into this module; returns the module.

        Raises FileNotFoundError if there is no such file, and ValueError if it is not a weights
        file or does not fit this module's parameters (naming the entries that do not fit).
        """
        weights, _ = read_weights(path)
        copy_into(self, weights, True,
                  f"{path}: the weights do not fit this {type(self).__name__}")
        return self


def copy_into(module, state, strict, context):
    """Copy ``state``'s arrays into ``module``'s parameters of the same names, all or none.

    Raises ValueError starting with ``context`` and naming the entries that are missing or
    unexpected (if ``strict``), mis-shaped, or not numbers.
    """
    parameters = dict(module.named_parameters())
    problems = []
    missing = [name for name in parameters if name not in state]
    unexpected = [name for name in state if name not in parameters]
    if strict and missing:
        problems.append(f"missing {_listed(missing)}")
    if strict and unexpected:
        problems.append(f"unexpected {_listed(unexpected)}")
    values = []
    for name, parameter in parameters.items():
        if name not in state:
            continue
        value = np.asarray(getattr(state[name], "data", state[name]))
        if value.dtype.kind not in "biuf":
            problems.append(f"{name} holds {value.dtype} values, not numbers")
        elif value.shape != parameter.shape:
            problems.append(f"{name} should have shape {parameter.shape}, found {value.shape}")
        else:
            values.append((parameter, value))
    if problems:
        raise ValueError(f"{context}: {'; '.join(problems)}")
    for parameter, value in values:
        parameter.data[...] = value


def _walk(value, name, found, seen):
    """Append ``(name, value)`` to ``found`` for ``value`` and everything inside it that is a
    Module or a parameter, depth first in definition order. ``seen`` holds the ids of what was
    met so far: each is listed once, and a module that refers back to its parent ends there."""
    if id(value) in seen:
        return
    if isinstance(value, Tensor):
        if value.requires_grad and value.is_leaf:  # an op's output is no parameter
            seen.add(id(value))
            found.append((name, value))
        return
    if isinstance(value, Module):
        found.append((name, value))
        items = value._attributes()
    elif isinstance(value, (list, tuple)):
        items = enumerate(value)
    elif isinstance(value, dict):
        items = value.items()
    else:
        return
    seen.add(id(value))
    for key, item in list(items):
        _walk(item, f"{name}.{key}" if name else str(key), found, seen)


def _listed(names):
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


def read_weights(path):
    """The arrays of an .npz weights file: ``({name: ndarray}, config)``, ``config`` being the
    text of its "config" entry (``MLP.save`` writes the architecture there), or None.

    Raises FileNotFoundError if there is no such file, and ValueError "PATH: not a weights
    file ..." if it cannot be read as one.
    """
    arrays = _read_archive(path)
    config = None
    if arrays is not None and "config" in arrays and arrays["config"].dtype.kind == "U":
        config = arrays.pop("config")
    if (arrays is None or (config is not None and config.ndim != 0)
            or any(array.dtype.kind not in "biuf" for array in arrays.values())):
        # NumPy's own messages are no help here (a pickle's suggests allow_pickle=True).
        raise ValueError(f"{path}: not a weights file (an .npz archive of numbers, as save "
                         f"writes)")
    return arrays, None if config is None else str(config)


def _read_archive(path):
    """Every array of the .npz file ``path`` by name; None if it is not one that NumPy reads
    without pickles. FileNotFoundError passes through."""
    try:
        # Opened here, not by np.load: np.load leaves its own handle open when the file
        # starts like a zip but is not one (a truncated save), leaking a ResourceWarning.
        with open(path, "rb") as file:
            archive = np.load(file, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):  # a single .npy array
                return None
            with archive:
                return {name: archive[name] for name in archive.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
