"""``compile(loss_fn)``: record the ops of a loss function once, then replay them on arrays.

In eager mode each step makes a fresh graph of Tensors and walks it in backward. A training
step makes the same graph every time, though. ``compile`` runs ``loss_fn`` eagerly once while
recording each op it applies, in order (the tape). It writes the tape out as a Python function
of plain NumPy arrays, one line per op, forward and then backward (``.source`` shows it), and
from then on calls that: no Tensor is made and no graph is walked. Values that depend only on
constants (``1 - labels``, say) are computed once, when the tape is recorded. The lines call the
same ``ops.OPS`` entries that eager mode calls, so the gradients are the same.

The rule that makes a replay right: ``loss_fn`` applies the same ops, to values of the same
shapes, on every call. What changes between calls must reach it as an argument, or be a
parameter (a tensor that requires grad) whose ``.data`` is updated, as optimizers do; the
parameters are the Tensor objects the recording met. Arrays the function makes outside the
engine (with NumPy, or with ``Tensor(...)``) keep the values they had when the tape was recorded.
"""

import builtins
import itertools
import keyword
import linecache
import math
import re
import weakref

import numpy as np

from .autograd import accumulator, backpropagate
from .mode import is_recording, recording
from .tensor import FLOAT_DTYPES, Tensor, as_array


def compile(loss_fn):  # noqa: A001 (the name says what it does, as torch.compile and jax.jit)
    """``loss_fn`` as a ``CompiledLoss``: calling it runs the forward pass and the backward pass.

    ``step = compile(lambda: nn.binary_cross_entropy(model(x), y))``; then ``loss = step()``
    does what ``loss = loss_fn(); loss.backward()`` does: it returns the loss (a Tensor outside
    any graph) and accumulates the gradients into ``.grad`` of the parameters. ``loss_fn`` may
    also return a tuple ``(loss, *tensors)``, the predictions say: the call then returns the
    tuple, each tensor outside any graph.
    """
    return CompiledLoss(loss_fn)


class CompiledLoss:
    """A loss function, recorded on its first call for each shape of its arguments, then replayed.

    Arguments (arrays, numbers or Tensors) are passed to ``loss_fn`` as Tensors outside the
    graph: they are data, and get no gradient. Calling with arguments of new shapes or dtypes
    records a new tape for them.
    """

    def __init__(self, loss_fn):
        if not callable(loss_fn):
            raise TypeError(f"compile: expected a function, got {type(loss_fn).__name__}")
        self.loss_fn = loss_fn
        self.replays = {}  # (shape, dtype) of each argument -> its _Replay

    def __call__(self, *args):
        if is_recording():
            raise RuntimeError("compile: a compiled function cannot be called by another "
                               "compiled function while that one is being recorded")
        arrays = [_argument_array(i, value) for i, value in enumerate(args)]
        signature = tuple([(array.shape, array.dtype) for array in arrays])
        replay = self.replays.get(signature)
        if replay is None:
            result, self.replays[signature] = _record(self.loss_fn, arrays)
            return result
        return replay.run(arrays)

    @property
    def source(self):
        """The Python code that a call replays, forward then backward, one line per op.

        One function per shape of the arguments recorded so far; ``print(step.source)``.
        """
        if not self.replays:
            return "# nothing recorded yet: call the compiled function once\n"
        return "\n".join(replay.source for replay in self.replays.values())

    def __repr__(self):
        name = getattr(self.loss_fn, "__qualname__", repr(self.loss_fn))
        return f"CompiledLoss({name}, {len(self.replays)} recorded)"


def _argument_array(index, value):
    if isinstance(value, Tensor):
        if value.requires_grad:
            raise ValueError(f"compile: argument {index} requires grad; arguments are data and "
                             "get no gradient (use a tensor the function closes over instead)")
        return value.data
    if isinstance(value, np.ndarray) and value.dtype in FLOAT_DTYPES:
        return value
    try:
        return as_array(value)
    except TypeError as error:
        raise TypeError(f"compile: argument {index}: {error}") from None


def _record(loss_fn, arrays):
    """Run ``loss_fn`` eagerly on ``arrays`` while recording its ops: (its result, _Replay)."""
    inputs = [Tensor.from_numpy(array) for array in arrays]
    with recording() as tape:
        result = loss_fn(*inputs)
    outputs = result if isinstance(result, tuple) else (result,)
    if not outputs or not all(isinstance(output, Tensor) for output in outputs):
        kinds = ", ".join(type(output).__name__ for output in outputs)
        raise TypeError(f"compile: the function must return a Tensor (the loss) or a tuple of "
                        f"Tensors starting with the loss, got {kinds or 'an empty tuple'}")
    # _Replay checks the tape before any .grad changes; then this call is its first run.
    replay = _Replay(tape, inputs, outputs, isinstance(result, tuple))
    return replay.run(arrays), replay


class _Replay:
    """The ops of one recorded call, over numbered values (slots), written out as a function.

    ``values`` holds, per slot, the array known when the tape was recorded (a constant), or
    None for what each call fills in: the arguments, the parameters' ``.data``, and the outputs
    of the ops that depend on them. ``forward`` lists those ops as (op, params, input slots,
    output slot, whether the output is 0-d); ``saved`` holds what each of them saved when
    recorded. ``source`` is the function ``replay`` written out, and ``run`` that function.
    """

    def __init__(self, tape, inputs, outputs, returns_tuple):
        self.values = []
        self.parameters = []  # (slot, Tensor, shape when recorded) for the leaves requiring grad
        self.argument_slots = [self._new_slot(None) for _ in inputs]
        self.slot_of = {id(t): slot for t, slot in zip(inputs, self.argument_slots, strict=True)}
        self.forward, self.saved, self.step_of, self.zero_d = [], [], {}, set()
        for op, params, args, out, saved in tape:
            if out.retains_grad:
                raise ValueError("compile: retain_grad() on a tensor inside a compiled function "
                                 "is not supported (that Tensor is not made again on replay)")
            slots = []
            for arg in args:
                if id(arg) not in self.slot_of:
                    self.slot_of[id(arg)] = self._outside_slot(arg)
                slots.append(self.slot_of[id(arg)])
            if all(self.values[slot] is not None for slot in slots):
                self.slot_of[id(out)] = self._new_slot(out.data)  # a constant: computed now
                continue
            self.slot_of[id(out)] = output = self._new_slot(None)
            self.step_of[id(out)] = len(self.forward)
            self.forward.append((op, params, tuple(slots), output, out.data.ndim == 0))
            if out.data.ndim == 0:
                self.zero_d.add(output)
            self.saved.append(saved)
        loss = outputs[0]
        if not loss.requires_grad:
            raise RuntimeError("compile: the loss does not require grad, so there is nothing to "
                               "differentiate (use tensors with requires_grad=True in it)")
        if id(loss) not in self.slot_of or loss.op is None:
            raise ValueError("compile: the function must return a tensor computed by ops from "
                             "its parameters")
        if loss.data.size != 1:
            raise ValueError(f"compile: the function must return a loss with one element, not "
                             f"shape {loss.data.shape}")
        for output in outputs[1:]:
            if id(output) not in self.slot_of:
                raise ValueError("compile: every tensor the function returns must be computed in "
                                 "it from its arguments and parameters")
        self.output_slots = tuple(self.slot_of[id(output)] for output in outputs)
        self.returns_tuple = returns_tuple
        self.source, self.run = self._generate(loss, [t.data for t in inputs])

    def _new_slot(self, value):
        self.values.append(value)
        return len(self.values) - 1

    def _outside_slot(self, value):
        """The slot of a tensor the function did not make: a parameter or a constant."""
        if value.op is not None:
            raise ValueError(f"compile: the function uses a tensor made by {value.op.name} "
                             "outside it; compute it inside the function, or detach() it")
        if value.requires_grad:
            slot = self._new_slot(None)
            self.parameters.append((slot, value, value.data.shape))
            return slot
        return self._new_slot(value.data)

    def _generate(self, loss, argument_arrays):
        """The source of ``replay(arrays)``, the function each call runs, and that function.

        ``replay`` runs forward and backward on ``arrays`` (one per argument), puts the
        gradients into the parameters' ``.grad``, and returns what the function returns, as
        Tensors outside the graph.

        The tape becomes straight-line Python, one line per op, as one would write it by hand:
        that spares a loop over the tape and a table of values per call, which cost about as
        much as the small ops themselves. Names say what a value is: ``v`` values and ``g``
        their gradients (by slot), ``s`` what an op's forward saved for its backward (by op
        number), ``p`` the parameters, ``k`` the gradients known when the tape was recorded.
        """
        namespace = {"asarray": np.asarray, "from_numpy": Tensor.from_numpy,
                     "accumulator": accumulator, "wrong_shape": _wrong_shape}
        backward = _BackwardWriter(self, namespace)
        seed = np.ones(loss.data.shape, loss.data.dtype)
        backpropagate(loss, seed, backward.deliver, backward.through, backward.add)
        # Arrays every call shares: a .grad must get a copy of them, never them.
        namespace["shared"] = set(backward.known_names)
        body = self._forward_source(namespace, backward.kept) + backward.lines
        # What a call returns, as Tensors outside the graph; a value known when recorded is a
        # constant of the replay, so the caller gets a copy of it.
        made = [f"from_numpy({self._returned(namespace, slot)})" for slot in self.output_slots]
        returned = f"({', '.join(made)},)" if self.returns_tuple else made[0]
        described = [f"v{slot} {array.shape} {array.dtype}"
                     for slot, array in zip(self.argument_slots, argument_arrays, strict=True)]
        recorded = [name for name, value in namespace.items()
                    if isinstance(value, (np.ndarray, np.generic))]
        source = "\n".join([
            f"# arguments: {', '.join(described) or 'none'}",
            f"# parameters: {', '.join(f'p{slot}' for slot, _, _ in self.parameters)}",
            f"# arrays known when recorded: {', '.join(recorded) or 'none'}",
            "def replay(arrays):", *body, f"    return {returned}", ""])
        filename = f"<tinygrad_lab.compile replay {next(_REPLAY_NUMBERS)}>"
        # Registered as a file's lines, so that a traceback through replay shows its code,
        # for as long as this replay lives.
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        weakref.finalize(self, linecache.cache.pop, filename, None)
        exec(builtins.compile(source, filename, "exec"), namespace)
        return source, namespace["replay"]

    def _value(self, namespace, slot):
        """The name of the value in ``slot``, put in ``namespace`` if it is known now."""
        if self.values[slot] is not None:
            namespace[f"v{slot}"] = self.values[slot]
        return f"v{slot}"

    def _returned(self, namespace, slot):
        """What a call returns for ``slot``: a copy if the replay keeps it, an array if 0-d."""
        if self.values[slot] is not None:
            return f"{self._value(namespace, slot)}.copy()"
        return f"asarray(v{slot})" if slot in self.zero_d else f"v{slot}"

    def _forward_source(self, namespace, kept):
        """The forward lines; ``kept`` lists the ops whose saved values the backward lines use."""
        lines = [f"    v{slot} = arrays[{index}]" for index, slot in enumerate(self.argument_slots)]
        for slot, parameter, shape in self.parameters:
            namespace[f"p{slot}"] = parameter
            lines += [f"    v{slot} = p{slot}.data",
                      f"    if v{slot}.shape != {shape!r}:",
                      f"        wrong_shape(v{slot}.shape, {shape!r})"]
        consumed = {slot for _, _, inputs, _, _ in self.forward for slot in inputs}
        for step, (op, params, inputs, output, zero_d) in enumerate(self.forward):
            forward = bind(namespace, f"{op.name}_forward", op.forward)
            arguments = [self._value(namespace, slot) for slot in inputs]
            for key, param in params.items():
                literal = _literal(param)
                if literal is None:
                    literal = bind(namespace, f"{key}{step}", param)
                arguments.append(f"{key}={literal}")
            saved = f"s{step}" if step in kept else "_"
            lines.append(f"    v{output}, {saved} = {forward}({', '.join(arguments)})")
            if zero_d and output in consumed:  # NumPy gives a 0-d result as a scalar, where
                # eager mode keeps an array
                lines.append(f"    v{output} = asarray(v{output})")
        return lines


class _BackwardWriter:
    """The callbacks with which ``backpropagate`` writes the backward pass of a replay out.

    A gradient is an array when it is known now (it depends on no argument or parameter), or
    the name (a str) of the variable that holds it on each call. What is known now is computed
    now, with the op's own backward; the rest becomes a line of ``lines``. The walk decides the
    order and what is added to what, so the lines do what eager mode does, in its order.
    """

    def __init__(self, replay, namespace):
        self.replay, self.namespace = replay, namespace
        self.constants = {id(value) for value in replay.values if value is not None}
        self.parameter_slots = {id(t): slot for slot, t, _ in replay.parameters}
        self.lines = ["    deliver = accumulator(shared)  # adds to .grad, copying shared arrays"]
        self.kept = set()  # the ops whose backward runs on each call
        self.named = set()  # the slots whose gradient has a name in the function
        self.known_names = {}  # id of a gradient known now -> its name in the function

    def _expression(self, grad):
        """The name of a gradient in the function: its variable, or a constant ``k``."""
        if isinstance(grad, str):
            return grad
        if id(grad) not in self.known_names:
            self.known_names[id(grad)] = name = f"k{len(self.known_names)}"
            self.namespace[name] = grad
        return self.known_names[id(grad)]

    def through(self, node, grad, needs):
        step = self.replay.step_of[id(node)]
        op, saved = node.op, self.replay.saved[step]
        if not isinstance(grad, str) and not _holds_new_arrays(saved, self.constants):
            return op.backward(grad, saved, needs)  # known now: worked out once, here
        self.kept.add(step)
        backward = bind(self.namespace, f"{op.name}_backward", op.backward)
        parts = []
        for index, (parent, need) in enumerate(zip(node.inputs, needs, strict=True)):
            slot = self.replay.slot_of[id(parent)]
            if not need:
                parts.append(None)
            elif slot not in self.named:
                self.named.add(slot)
                parts.append(f"g{slot}")
            else:  # the slot has a gradient already: this part is added to it
                parts.append(f"grad{index}")
        targets = ", ".join("_" if part is None else part for part in parts)
        self.lines.append(f"    [{targets}] = {backward}({self._expression(grad)}, "
                          f"s{step}, {needs!r})")
        return parts

    def add(self, total, part):
        if not isinstance(total, str) and not isinstance(part, str):
            return total + part
        # Once a slot's gradient has a name, the total is that name; before that, a part that
        # is not known now is the first one to be named, after the slot.
        name = total if isinstance(total, str) else part
        self.lines.append(f"    {name} = {self._expression(total)} + {self._expression(part)}")
        return name

    def deliver(self, leaf, grad):
        slot = self.parameter_slots[id(leaf)]
        self.lines.append(f"    deliver(p{slot}, {self._expression(grad)})")


_REPLAY_NUMBERS = itertools.count(1)


def bind(namespace, name, value):
    """Put ``value`` in ``namespace`` under ``name`` made an identifier (``name_2``, ... if the
    name holds another value: two user ops may share a name); return the name used."""
    base = re.sub(r"\W", "_", name)
    if not base.isidentifier() or keyword.iskeyword(base):
        base = f"_{base}"
    candidate, number = base, 1
    while candidate in namespace and namespace[candidate] is not value:
        number += 1
        candidate = f"{base}_{number}"
    namespace[candidate] = value
    return candidate


def _literal(value):
    """``value`` as Python source, if it is a plain number, None, or a tuple of ints (a shape)."""
    if type(value) in (bool, int, type(None)) or (type(value) is float and math.isfinite(value)):
        return repr(value)
    if type(value) is tuple and all(type(item) is int for item in value):
        return repr(value)
    return None


def _wrong_shape(now, recorded):
    raise ValueError(f"compile: a parameter now has shape {now}, not {recorded} as when the "
                     "function was recorded")


def _holds_new_arrays(saved, constants):
    """Whether what an op saved holds an array (or NumPy number) that is not a constant."""
    if isinstance(saved, (np.ndarray, np.generic)):
        return id(saved) not in constants
    if isinstance(saved, tuple):
        return any(_holds_new_arrays(item, constants) for item in saved)
    return False
