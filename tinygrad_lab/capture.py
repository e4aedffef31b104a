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
import linecache
import math
import weakref

import numpy as np

from . import tensor
from .tensor import FLOAT_DTYPES, Tensor, _as_array


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
        if tensor._tape is not None:
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
        return _as_array(value, None)
    except TypeError as error:
        raise TypeError(f"compile: argument {index}: {error}") from None


def _record(loss_fn, arrays):
    """Run ``loss_fn`` eagerly on ``arrays`` while recording its ops: (its result, _Replay)."""
    inputs = [Tensor._make(array) for array in arrays]
    tape = []
    tensor._tape = tape
    try:
        result = loss_fn(*inputs)
    finally:
        tensor._tape = None
    outputs = result if isinstance(result, tuple) else (result,)
    if not outputs or not all(isinstance(output, Tensor) for output in outputs):
        kinds = ", ".join(type(output).__name__ for output in outputs)
        raise TypeError(f"compile: the function must return a Tensor (the loss) or a tuple of "
                        f"Tensors starting with the loss, got {kinds or 'an empty tuple'}")
    # _Replay checks the tape before any .grad changes; then this call is its first run.
    replay = _Replay(tape, inputs, outputs, isinstance(result, tuple))
    return replay.run(arrays), replay


class _Replay:
    """The ops of one recorded call, over numbered values (slots), ready to run again.

    ``values`` holds, per slot, the array known when the tape was recorded (a constant), or
    None for what each call fills in: the arguments, the parameters' ``.data``, and the outputs
    of the ops that depend on them. ``forward`` lists those ops as (op, params, input slots,
    output slot, whether the output is 0-d). ``backward`` lists, newest first, the ops each
    call takes a gradient through, as (op, output slot, which inputs need a gradient, index of
    the op in ``forward``, receivers); a receiver is (index among the op's inputs, slot, the
    parameter Tensor there or None). ``grads`` holds the gradients known now, and
    ``output_slots`` the slots of what the function returned, the loss first. ``source`` is
    all that written out as the function ``replay``; ``run`` is that function.
    """

    def __init__(self, tape, inputs, outputs, returns_tuple):
        self.values = []
        self.parameters = []  # (slot, Tensor, shape when recorded) for the leaves requiring grad
        self.argument_slots = [self._new_slot(None) for _ in inputs]
        slot_of = {id(t): slot for t, slot in zip(inputs, self.argument_slots, strict=True)}
        self.forward = []
        recorded = []  # (op, input slots, output slot, needs, forward index, saved), tape order
        for op, params, args, out in tape:
            if out._retains_grad:
                raise ValueError("compile: retain_grad() on a tensor inside a compiled function "
                                 "is not supported (that Tensor is not made again on replay)")
            slots = []
            for arg in args:
                if id(arg) not in slot_of:
                    slot_of[id(arg)] = self._outside_slot(arg)
                slots.append(slot_of[id(arg)])
            if all(self.values[slot] is not None for slot in slots):
                slot_of[id(out)] = self._new_slot(out.data)  # a constant: computed once, now
                continue
            slot_of[id(out)] = output = self._new_slot(None)
            self.forward.append((op, params, tuple(slots), output, out.data.ndim == 0))
            if out._op is not None:  # the op recorded a gradient
                needs = tuple(arg.requires_grad for arg in args)
                recorded.append((op, slots, output, needs, len(self.forward) - 1, out._saved))
        loss = outputs[0]
        if not loss.requires_grad:
            raise RuntimeError("compile: the loss does not require grad, so there is nothing to "
                               "differentiate (use tensors with requires_grad=True in it)")
        if id(loss) not in slot_of or loss._op is None:
            raise ValueError("compile: the function must return a tensor computed by ops from "
                             "its parameters")
        if loss.data.size != 1:
            raise ValueError(f"compile: the function must return a loss with one element, not "
                             f"shape {loss.data.shape}")
        self.loss_slot = slot_of[id(loss)]
        for output in outputs[1:]:
            if id(output) not in slot_of:
                raise ValueError("compile: every tensor the function returns must be computed in "
                                 "it from its arguments and parameters")
        self.output_slots = tuple(slot_of[id(output)] for output in outputs)
        self.returns_tuple = returns_tuple
        self.backward, self.grads = self._plan_backward(recorded, loss.data)
        # Arrays every call shares: a .grad must get a copy of them, never them.
        self.shared = {id(grad) for grad in self.grads if grad is not None}
        self.source, self.run = self._generate([t.data for t in inputs])

    def _new_slot(self, value):
        self.values.append(value)
        return len(self.values) - 1

    def _outside_slot(self, value):
        """The slot of a tensor the function did not make: a parameter or a constant."""
        if value._op is not None:
            raise ValueError(f"compile: the function uses a tensor made by {value._op.name} "
                             "outside it; compute it inside the function, or detach() it")
        if value.requires_grad:
            slot = self._new_slot(None)
            self.parameters.append((slot, value, value.data.shape))
            return slot
        return self._new_slot(value.data)

    def _plan_backward(self, recorded, loss):
        """The ops each call takes the gradient through, newest first; the gradients known now.

        An op's backward is run once, here, when the gradient it receives is known now and
        what it saved holds no array that a call computes anew (a ``-``, a mean, a sum: they
        read only shapes). Ops no gradient reaches from the loss are left out. The parts of a
        gradient are added up in the order eager mode adds them, so that the sums are the same
        to the last bit: a part known now is added here only while no part computed on each
        call has come before it; after one has, the op that sends it runs on each call too.
        """
        constants = {id(value) for value in self.values if value is not None}
        parameter_at = {slot: parameter for slot, parameter, _ in self.parameters}
        known = {self.loss_slot: np.array(1.0, loss.dtype, ndmin=loss.ndim)}
        varying = set()  # slots that some op run on each call sends a gradient to
        steps = []
        for op, inputs, output, needs, step, saved in reversed(recorded):
            if output not in known and output not in varying:
                continue
            receivers = tuple((index, slot, parameter_at.get(slot))
                              for index, (slot, need) in enumerate(zip(inputs, needs, strict=True))
                              if need)
            if (output in varying or _holds_new_arrays(saved, constants)
                    or any(leaf is not None or slot in varying for _, slot, leaf in receivers)):
                steps.append((op, output, needs, step, receivers))
                varying.update(slot for _, slot, _ in receivers)
                continue
            input_grads = op.backward(known[output], saved, needs)
            for index, slot, _ in receivers:
                grad = input_grads[index]
                known[slot] = grad if slot not in known else known[slot] + grad
        grads = [None] * len(self.values)
        for slot, grad in known.items():
            grads[slot] = grad
        return steps, grads

    def _generate(self, argument_arrays):
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
        namespace = {"asarray": np.asarray, "make": Tensor._make, "shared": self.shared,
                     "wrong_shape": _wrong_shape}
        body = self._forward_source(namespace) + self._backward_source(namespace)
        # What a call returns, as Tensors outside the graph; a value known when recorded is a
        # constant of the replay, so the caller gets a copy of it.
        made = [f"make({self._value(namespace, slot)}"
                f"{'' if self.values[slot] is None else '.copy()'})" for slot in self.output_slots]
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

    def _forward_source(self, namespace):
        lines = [f"    v{slot} = arrays[{index}]" for index, slot in enumerate(self.argument_slots)]
        for slot, parameter, shape in self.parameters:
            namespace[f"p{slot}"] = parameter
            lines += [f"    v{slot} = p{slot}.data",
                      f"    if v{slot}.shape != {shape!r}:",
                      f"        wrong_shape(v{slot}.shape, {shape!r})"]
        kept = {step for _, _, _, step, _ in self.backward}
        consumed = {slot for _, _, inputs, _, _ in self.forward for slot in inputs}
        for step, (op, params, inputs, output, zero_d) in enumerate(self.forward):
            namespace[f"{op.name}_forward"] = op.forward
            arguments = [self._value(namespace, slot) for slot in inputs]
            for index, param in enumerate(params):
                literal = _literal(param)
                if literal is None:
                    literal = f"param{step}_{index}"
                    namespace[literal] = param
                arguments.append(literal)
            saved = f"s{step}" if step in kept else "_"
            lines.append(f"    v{output}, {saved} = {op.name}_forward({', '.join(arguments)})")
            if zero_d and output in consumed:  # NumPy gives a 0-d result as a scalar, where
                # eager mode keeps an array (as make() does with what replay returns)
                lines.append(f"    v{output} = asarray(v{output})")
        return lines

    def _backward_source(self, namespace):
        def known(slot):
            namespace[f"k{slot}"] = self.grads[slot]
            return f"k{slot}"

        lines = ["    stored = shared.copy()  # ids of the arrays that no two .grads may share"]
        named = set()  # the slots whose gradient has a name in the function
        for op, output, needs, step, receivers in self.backward:
            namespace[f"{op.name}_backward"] = op.backward
            grad = f"g{output}" if output in named else known(output)
            targets = ["_"] * len(needs)  # one per input; _ for those that need no gradient
            then = []
            for index, slot, leaf in receivers:
                if leaf is None and slot not in named and self.grads[slot] is None:
                    targets[index] = f"g{slot}"  # the first part of that gradient
                    named.add(slot)
                    continue
                targets[index] = f"grad{index}"
                if leaf is not None:
                    then.append(f"    p{slot}._accumulate_grad(grad{index}, stored)")
                else:  # a part after one from another op, or after one known when recorded
                    then.append(f"    g{slot} = {f'g{slot}' if slot in named else known(slot)}"
                                f" + grad{index}")
                    named.add(slot)
            lines.append(f"    [{', '.join(targets)}] = {op.name}_backward({grad}, s{step}, "
                         f"{needs!r})")
            lines += then
        return lines


_REPLAY_NUMBERS = itertools.count(1)


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
