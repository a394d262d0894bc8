"""``mg.autograd.Function``: an op of one's own, written PyTorch's way.

A subclass states ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)`` as static
methods, on Tensors; ``.apply(*args)`` runs forward without recording and puts one node into the
graph for the whole function, whose backward is the subclass's ``backward``::

    class Cube(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad_output):  # d/dx x^3 = 3 x^2
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x ** 2

The node is an ordinary ``minigrad.engine.Function`` named after the subclass (the drawing shows
``Cube``).  Under ``create_graph=True`` backward runs with recording on, on Tensors wired into
the graph, so a backward written with tensor ops is differentiable again.  A function with
several differentiable outputs gets one node for itself and one small node per output that
hands its output's gradient over (the engine's nodes have one output each); backward is still
called once, with every output's gradient.

What the engine's own nodes do, this does too: the tensors saved with ``save_for_backward``
are version-checked (an in-place change between forward and backward raises PyTorch's error),
and saved outputs are kept as arrays, not tensors, so no reference cycle joins a node and its
output.
"""
from __future__ import annotations

import inspect
import weakref

from .. import engine
from ..backend import xp
from ..engine import counter_of, is_tensor, new_tensor, wrap
from ..grad_mode import anomaly_state, check_finite, grad_state, no_grad
from ..ops.array_or_tensor import unbroadcast


class FunctionCtx:
    """The ``ctx`` that forward fills and backward reads (PyTorch's ``FunctionCtx``).

    Besides the methods below, any attribute may be set on it (``ctx.constant = 2``) for
    backward to read.
    """

    def __init__(self, function_name: str, needs_input_grad: tuple):
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._function_name = function_name
        self._to_save: tuple = ()
        self._saved: list | None = None  # set by apply: what save_for_backward kept, and how
        self._non_differentiable: set = set()
        self._node = None  # a weak reference to the node, to rebuild saved outputs

    def save_for_backward(self, *tensors) -> None:
        """Keep ``tensors`` (inputs, outputs, or others; None allowed) for backward, where
        ``ctx.saved_tensors`` gives them back after checking that none was changed in place."""
        for i, t in enumerate(tensors):
            if t is not None and not is_tensor(t):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(t).__name__}")
        self._to_save = tensors

    def mark_non_differentiable(self, *outputs) -> None:
        """These outputs get no gradient: they do not require grad, and backward receives zeros
        (or None, after ``set_materialize_grads(False)``) for them."""
        self._non_differentiable.update(id(t) for t in outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """With True (the default) backward receives zeros for the outputs that got no
        gradient; with False it receives None for them."""
        self.materialize_grads = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed): "
                f"{self._function_name}'s saved tensors were freed by the backward that used "
                "them. Specify retain_graph=True in the first backward if you need them again."
            )
        return tuple(self._unpack(i, entry) for i, entry in enumerate(self._saved))

    def _unpack(self, i: int, entry):
        if entry is None:
            return None
        kind, value, counter, version = entry
        if counter[0] != version:
            what = f"output {value[0]} of {self._function_name}" if kind == "output" else \
                f"argument {i} of {self._function_name}.save_for_backward"
            array = value[1] if kind == "output" else value.data
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [{array.dtype} tensor of shape {list(array.shape)}], which "
                f"is {what}, is at version {counter[0]}; expected version {version} instead. "
                "Change a copy (x = x + 1, x.clone()) rather than the tensor itself, or make "
                "the change after backward()."
            )
        if kind == "tensor":
            return value
        index, array = value
        node = self._node() if self._node is not None else None
        return new_tensor(array, None if node is None else node.edge_of_output(index))


class Function:
    """Base class of a differentiable function of one's own (PyTorch's
    ``torch.autograd.Function``): subclass it with static ``forward`` and ``backward``, call
    ``.apply``.

    ``forward(ctx, *args, **kwargs)`` runs under no_grad on the arguments as given (Tensors
    and anything else) and returns a Tensor or a tuple.  ``backward(ctx, *grad_outputs)``
    receives one gradient per output and returns one per positional argument (None for
    arguments that are not tensors or need no gradient).  Instead of taking ``ctx``, forward
    may take only the arguments when the class defines ``setup_context(ctx, inputs, output)``
    (PyTorch's newer style).

    >>> import minigrad as mg
    >>> class Double(mg.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         return x * 2
    ...     @staticmethod
    ...     def backward(ctx, grad_output):
    ...         return grad_output * 2
    >>> x = mg.tensor([1.0, 3.0], requires_grad=True)
    >>> Double.apply(x).sum().backward()
    >>> x.grad
    tensor([2., 2.])
    """

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            f"{type(self).__name__}: an autograd Function is not called as an object (PyTorch's "
            "legacy style); its methods are static: call "
            f"{type(self).__name__}.apply(...)"
        )

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs: tuple, output) -> None:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def vjp(cls, ctx, *grad_outputs):
        """PyTorch's other name for ``backward``."""
        return cls.backward(ctx, *grad_outputs)

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on ``args`` and, when a gradient is needed, record one node for it."""
        setup_style = inspect.getattr_static(cls, "setup_context") is not _BASE_SETUP_CONTEXT
        if setup_style:  # PyTorch binds the defaults, so setup_context sees every argument
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = tuple(bound.arguments.values()), {}
        recording = grad_state.enabled
        needs = tuple(recording and is_tensor(a) and a.requires_grad for a in args)
        ctx = FunctionCtx(cls.__name__, needs)
        with no_grad():
            if setup_style:
                output = cls.forward(*args)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        return _record(cls, ctx, args, output, any(needs))


_BASE_SETUP_CONTEXT = inspect.getattr_static(Function, "setup_context")


class OutputGrads:
    """The gradients of a function's outputs, one slot each (None: none reached it yet), as
    the nodes of several outputs send them to the function's node; the engine adds them."""

    __slots__ = ("grads",)

    def __init__(self, grads: list):
        self.grads = grads

    def __add__(self, other: OutputGrads) -> OutputGrads:
        return OutputGrads([b if a is None else a if b is None else a + b
                             for a, b in zip(self.grads, other.grads)])


class OutputNode(engine.Function):
    """Output ``index`` of a function with several differentiable outputs: it hands its
    gradient to the function's node, in that output's slot."""

    reads = ()

    def __init__(self, function_node, index: int, output):
        self.name = f"{function_node.name}[{index}]"
        self.function_node = function_node  # (its one parent, named)
        self.index, self.count = index, len(function_node.ctx._outputs)
        self.parents = (function_node,)
        self.inputs = (function_node.output,)
        self.output = output
        self.tensors = self.output_counter = None
        self.epoch = function_node.epoch

    def __getattr__(self, name):
        # The function's ctx, through its node (``out.grad_fn.needs_input_grad``).
        function_node = self.__dict__.get("function_node")
        if function_node is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(function_node, name)

    def backward(self, grad, inputs, output):
        grads = [None] * self.count
        grads[self.index] = grad
        return (OutputGrads(grads),)


class FunctionNode(engine.Function):
    """The node of one call of a user's Function: its backward calls the class's backward with
    the ctx forward filled, and checks what comes back as PyTorch does."""

    saved = ("ctx",)  # (so that the engine calls free(), which releases the saved tensors)
    reads = ()  # the engine reads none of inputs/output; the saved tensors are checked by ctx

    def __init__(self, cls, ctx):
        self.name = cls.__name__
        self.function, self.ctx = cls, ctx
        self.direct = None  # the one differentiable output, when there is only one

    def __getattr__(self, name):
        # ``y.grad_fn.saved_tensors``, ``y.grad_fn.needs_input_grad``: PyTorch's grad_fn is the
        # ctx; here the node lends the ctx's attributes.
        ctx = self.__dict__.get("ctx")
        if ctx is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(ctx, name)

    def edge_of_output(self, index: int):
        """The node a saved output, rebuilt for backward, hangs from."""
        if self.direct is not None:
            return self
        return OutputNode(self, index, self.ctx._output_arrays[index])

    def free(self) -> None:
        self.inputs = self.output = self.tensors = self.output_counter = None
        # The ctx itself stays (ctx.constant and friends outlive backward, as in PyTorch).
        self.ctx._saved = self.ctx._output_arrays = None

    def backward(self, grad, inputs, output):
        ctx = self.ctx
        create_graph = grad_state.enabled  # the engine records backward only under create_graph
        if self.direct is not None:
            received = [None] * len(ctx._outputs)
            received[self.direct] = grad
        else:
            received = grad.grads
        grad_outputs = []
        for g, meta in zip(received, ctx._outputs):
            if g is not None:
                g = wrap(g)
            elif meta is not None and ctx.materialize_grads:
                g = new_tensor(xp.zeros(meta[0], dtype=meta[1]), None)
            grad_outputs.append(g)
        result = self.function.backward(ctx, *grad_outputs)
        return self._checked(result, create_graph)

    def _checked(self, result, create_graph: bool) -> tuple:
        """One gradient per input, as the engine wants them (arrays, or Tensors under
        create_graph), after PyTorch's checks: their number, type, and shape."""
        result = result if isinstance(result, tuple) else (result,)
        expected = len(self.parents)
        if len(result) > expected and all(g is None for g in result[expected:]):
            result = result[:expected]
        if len(result) != expected:
            raise RuntimeError(f"function {self.name}.backward returned an incorrect number of "
                               f"gradients (expected {expected}, got {len(result)})")
        grads = []
        for i, (g, edge, value) in enumerate(zip(result, self.parents, self.inputs)):
            if g is not None and not is_tensor(g):
                raise RuntimeError(f"function {self.name}.backward returned a "
                                   f"{type(g).__name__} as gradient {i}: expected a Tensor "
                                   "or None (make it a tensor, e.g. mg.tensor(...))")
            if g is not None and edge is None and not self.ctx._tensor_arguments[i]:
                raise RuntimeError(
                    f"function {self.name}.backward returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Variable "
                    "(return None for arguments that are not tensors)")
            grads.append(None if g is None or edge is None else
                         self._fitted(g, value, i, create_graph))
        return tuple(grads)

    def _fitted(self, g, value, i: int, create_graph: bool):
        shape = tuple(value.shape)
        if g.shape != shape:
            if not _expandable(shape, g.shape):
                raise RuntimeError(
                    f"Function {self.name}.backward returned an invalid gradient at index {i} - "
                    f"got {list(g.shape)} but expected shape compatible with {list(shape)}")
            g = unbroadcast(g, shape)  # a gradient of the broadcast input: summed back
        if create_graph:
            return g.to(value.dtype) if g.dtype.kind == "f" else wrap(g.data.astype(value.dtype))
        array = g.data
        if array.dtype != value.dtype:
            array = array.astype(value.dtype)
        elif any(array is a for a in self.inputs):  # an input handed back: never alias it
            array = array.copy()
        return array


def _expandable(shape: tuple, target: tuple) -> bool:
    """Whether ``shape`` broadcasts to ``target`` (PyTorch's is_expandable_to)."""
    if len(shape) > len(target):
        return False
    return all(n == m or n == 1 for n, m in zip(reversed(shape), reversed(target)))


def _record(cls, ctx: FunctionCtx, args: tuple, output, needs_grad: bool):
    """Put forward's outputs into the graph: one node for the call (and one per output when
    several are differentiable); sort what save_for_backward kept."""
    outs = output if isinstance(output, tuple) else (output,)
    inputs_by_id = {id(a) for a in args if is_tensor(a)}
    results, originals = [], {}
    for j, out in enumerate(outs):
        if is_tensor(out):
            handed_back = id(out) in inputs_by_id or id(out) in originals or out.requires_grad
            originals.setdefault(id(out), j)
            if handed_back:  # an input (or an output twice) handed back: an alias of it
                out = out.detach()
        results.append(out)
    if anomaly_state.enabled:
        for r in results:
            if is_tensor(r):
                check_finite(r.data, "forward", cls.__name__)
    ctx._outputs = [(r.shape, r.dtype) if is_tensor(r) else None for r in results]
    ctx._output_arrays = [r.data if is_tensor(r) else None for r in results]
    ctx._tensor_arguments = tuple(is_tensor(a) for a in args)
    differentiable = [j for j, r in enumerate(results) if is_tensor(r) and r.dtype.kind in "fc"
                      and id(outs[j]) not in ctx._non_differentiable]
    if not needs_grad or not differentiable:
        return output if not isinstance(output, tuple) else tuple(results)
    node = FunctionNode(cls, ctx)
    node.parents = tuple((a.grad_fn or a) if is_tensor(a) and a.requires_grad else None
                         for a in args)
    node.inputs = tuple(a.data if is_tensor(a) else a for a in args)
    node.output = results[differentiable[0]].data
    node.tensors = node.output_counter = None
    engine.note_recorded(node)  # the epoch and the running modules, as apply notes them
    ctx._node = weakref.ref(node)
    if len(differentiable) == 1:
        node.direct = differentiable[0]
    for j in differentiable:
        out = results[j]
        out.grad_fn = node if node.direct is not None else OutputNode(node, j, out.data)
        out.requires_grad = True
        if out._counter is not None:  # changed in place inside forward: its node learns the counter
            out.grad_fn.output_counter = out._counter
    ctx._saved = [_saved_entry(t, originals, results) for t in ctx._to_save]
    ctx._to_save = ()
    return results[0] if not isinstance(output, tuple) else tuple(results)


def _saved_entry(t, originals: dict, results: list):
    """How a saved tensor is kept: an output as its array (a tensor would hold its own node, a
    cycle), anything else as itself; with its version now, for the check in backward."""
    if t is None:
        return None
    if id(t) in originals:
        j = originals[id(t)]
        out = results[j]
        counter = counter_of(out)
        return ("output", (j, out.data), counter, counter[0])
    counter = counter_of(t)
    return ("tensor", t, counter, counter[0])
