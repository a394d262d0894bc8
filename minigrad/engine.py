"""The recorded graph and the reverse-mode chain rule.

A node of the graph is a :class:`Function`: one op, its ``forward`` on plain arrays beside its
``backward``.  A node keeps ``parents`` (for each input, the node that made it, the leaf tensor
itself, or None for a constant), ``inputs`` (the input arrays), ``output`` (the output array),
and whatever else its op declares in ``saved``.  It never refers to its output *tensor*, so
tensors and nodes form no reference cycle and a graph is freed by reference counting alone.

``backward`` rules are written once, with operators and methods that numpy arrays and Tensors
share.  A plain ``backward()`` hands them arrays (fast, no graph); ``create_graph=True`` hands
them Tensors rebuilt over the same arrays, so the backward pass is itself recorded and can be
differentiated again.

This module is below ``minigrad.tensor``: it cannot import the Tensor class, which is built on
it.  ``tensor.py`` hands the class over once, through :func:`use_tensor_class` (the one seam).
"""
from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from typing import Any

from .backend import ndarray, xp
from .grad_mode import (  # noqa: F401  (re-exported: minigrad.autograd and mg.no_grad use them)
    anomaly_state,
    check_finite,
    detect_anomaly,
    enable_grad,
    grad_state,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    swap_grad_mode,
)
from .printing import torch_node_name

# ---------------------------------------------------------------------------------------------
# The seam with minigrad.tensor
# ---------------------------------------------------------------------------------------------
_Tensor: Any = None
_new_tensor: Any = None


_share_memory: Any = None


def use_tensor_class(tensor_class: type, new_tensor: Callable, share_memory: Callable) -> None:
    """Called once by ``minigrad.tensor``: the class op results are made of, its fast
    constructor ``new_tensor(array, grad_fn)``, and ``share_memory(view, base)``, which gives a
    view its base's version counter."""
    global _Tensor, _new_tensor, _share_memory
    _Tensor, _new_tensor, _share_memory = tensor_class, new_tensor, share_memory


def is_tensor(x) -> bool:
    return isinstance(x, _Tensor)


def new_constant(array: ndarray):
    """A Tensor over ``array`` outside the graph (comparisons, indices, masks)."""
    return _new_tensor(array, None)


def new_tensor(array: ndarray, grad_fn):
    """A Tensor over ``array`` made by node ``grad_fn`` (None: a constant)."""
    return _new_tensor(array, grad_fn)


# ---------------------------------------------------------------------------------------------
# Function: one node of the graph
# ---------------------------------------------------------------------------------------------
PRIMITIVES: dict[str, type] = {}  # name -> Function class: every op with a backward of its own


class Function:
    """One op: ``forward(*arrays) -> array`` beside ``backward(grad, inputs, output) -> grads``.

    ``backward`` returns one gradient per input (None where an input needs none).  ``inputs`` and
    ``output`` are arrays in a plain backward and Tensors under ``create_graph=True``; the rule is
    written with operations both understand.

    Class attributes a subclass declares:

    - ``name``: the op's name (in errors, in drawings, in the registry ``PRIMITIVES``);
    - ``caption``: its backward rule in words, as the step-through drawing shows it;
    - ``saved``: the slots, beyond ``inputs`` and ``output``, that ``forward`` fills for backward;
      backward without ``retain_graph`` frees them with the rest;
    - ``reads``: which of its inputs (and, as -1, its output) backward reads: an in-place change
      to one of them between forward and backward makes backward raise (see ``inplace.py``);
    - ``view``: its output may share input 0's memory, and then shares its version counter.
    """

    __slots__ = ("parents", "inputs", "output", "tensors", "output_counter", "epoch", "__weakref__")
    name = "op"
    caption = ""
    saved: tuple = ()
    reads: tuple | None = None  # the inputs backward reads (indices, -1 the output); None: all
    view = False  # the output may be a view of input 0's memory (reshape, transpose, indexing)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__ and cls.__module__.startswith("minigrad."):  # not a user's own
            PRIMITIVES[cls.name] = cls

    def forward(self, *inputs):  # pragma: no cover - every op overrides it
        raise NotImplementedError

    def backward(self, grad, inputs, output):  # pragma: no cover
        raise NotImplementedError(f"op '{self.name}' is not differentiable")

    def options(self) -> dict:
        """The options that matter for a drawing of this node (``dim=1``...)."""
        return {}

    def describe(self) -> str:
        opts = ", ".join(f"{k}={v}" for k, v in self.options().items())
        return f"{self.name}({opts})" if opts else self.name

    def free(self) -> None:
        """Drop what forward kept for backward (after a backward without retain_graph)."""
        self.inputs = self.output = self.tensors = self.output_counter = None
        for slot in self.saved:
            setattr(self, slot, None)

    def __repr__(self) -> str:  # PyTorch's text: <MulBackward0 object at 0x7f...>
        return f"<{torch_node_name(self)} object at {id(self):#x}>"

    @classmethod
    def apply(cls, *args, **options):
        """Run the op on Tensors (or Python scalars) and record a node when a gradient is needed."""
        function = cls(**options) if options else cls()
        arrays = []
        parents = []
        constants = False  # a constant Tensor among the inputs (kept, to find its counter later)
        needs_grad = False
        for a in args:
            if isinstance(a, _Tensor):
                arrays.append(a.data)
                if a.requires_grad:
                    needs_grad = True
                    parents.append(a.grad_fn or a)  # a leaf is its own edge
                    continue
                constants = True
            else:
                arrays.append(a)
            parents.append(None)
        try:
            output = function.forward(*arrays)
        except (ValueError, TypeError, IndexError) as error:
            raise _forward_error(function, arrays, error) from None
        if output.__class__ is not ndarray:
            output = xp.asarray(output)  # numpy returns scalars from 0-d ops
        if anomaly_state.enabled:
            check_finite(output, "forward", function.describe())
        if needs_grad and grad_state.enabled:
            function.parents = tuple(parents)
            function.inputs = tuple(arrays)
            function.output = output
            function.tensors = args if constants else None
            function.output_counter = None  # set when the output tensor first gets a counter
            function.epoch = _writes[0]
            if _context_provider is not None:
                _node_context[function] = _context_provider()
            result = _new_tensor(output, function)
        else:
            result = _new_tensor(output, None)
        if cls.view and isinstance(args[0], _Tensor) and output.base is not None \
                and xp.may_share_memory(output, arrays[0]):
            _share_memory(result, args[0])
        return result


def _forward_error(function, arrays, error):
    shapes = ", ".join(str(tuple(a.shape)) if isinstance(a, ndarray) else repr(a) for a in arrays)
    kind = type(error) if type(error) in (ValueError, TypeError, IndexError) else ValueError
    message = str(error)
    if not message.startswith(f"{function.name}:"):  # the op's own checks already name it
        message = f"{function.describe()}: {message}"
    return kind(f"{message} (input shapes: {shapes})")


# ---------------------------------------------------------------------------------------------
# Seams for the layers above: what ran an op, and who watches backward
# ---------------------------------------------------------------------------------------------
# nn records which modules were running when a node was made (the drawing groups by module):
# while a provider is set, every recorded node keeps what it returns, a tuple of weak
# references.  Weak keys and weak values: the table keeps neither a graph nor a module alive.
# Unset, the hot path pays one ``is None`` test.
_context_provider: Callable[[], tuple] | None = None
_node_context: weakref.WeakKeyDictionary[Function, tuple] = weakref.WeakKeyDictionary()


def set_node_context(provider: Callable[[], tuple] | None) -> Callable[[], tuple] | None:
    """While ``provider`` is set, each node recorded keeps ``provider()``, a tuple of weak
    references (``weakref.ref``) to what was running (see node_context).  Returns the provider
    it replaces, for the caller to put back when it is done (so that providers nest)."""
    global _context_provider
    previous, _context_provider = _context_provider, provider
    return previous


def node_context(node: Function) -> tuple:
    """The objects the context provider named when ``node`` was recorded, those still alive."""
    return tuple(obj for obj in (ref() for ref in _node_context.get(node, ())) if obj is not None)


_observers: list = []


@contextmanager
def observe_backward(observer: Callable):
    """Inside the block, every backward step calls ``observer(node, grad, input_grads)``: the
    node, the gradient of its output, and the gradients it sends to its inputs (arrays in a
    plain backward, Tensors under create_graph), before the node frees what it saved."""
    _observers.append(observer)
    try:
        yield observer
    finally:
        _observers.remove(observer)


# Hooks and retain_grad of non-leaf tensors live beside the graph, keyed by node, so that the
# hot path pays nothing for them.
_node_hooks: weakref.WeakKeyDictionary[Function, list] = weakref.WeakKeyDictionary()
_hooks_in_use = False  # a plain flag: a WeakKeyDictionary's truth costs a call (Performance notes)


def add_node_hook(node: Function, hook: Callable) -> None:
    global _hooks_in_use
    _hooks_in_use = True
    hooks = _node_hooks.setdefault(node, [])
    # retain_grad's hooks stay last, so that .grad is the gradient every other hook made (PyTorch's).
    position = len(hooks)
    if not getattr(hook, "retains_grad", False):
        while position and getattr(hooks[position - 1], "retains_grad", False):
            position -= 1
    hooks.insert(position, hook)


def node_hooks(node: Function) -> list:
    """The hooks on ``node``'s output, in the order they run (a list the caller may edit)."""
    return _node_hooks.get(node, []) if _hooks_in_use else []


# ---------------------------------------------------------------------------------------------
# Topological order (iterative: a graph 100,000 nodes deep has no recursion limit to hit)
# ---------------------------------------------------------------------------------------------
def topological_order(roots: Iterable[Function]) -> list:
    """Nodes reachable from ``roots``, each before the nodes that made its inputs."""
    visited = set()
    post_order = []
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root.parents))]
        while stack:
            node, parents = stack[-1]
            for parent in parents:
                if isinstance(parent, Function) and parent not in visited:
                    visited.add(parent)
                    stack.append((parent, iter(parent.parents)))
                    break
            else:
                stack.pop()
                post_order.append(node)
    post_order.reverse()
    return post_order


def _count_users(roots: list) -> dict:
    """For every node reachable from ``roots``: how many reachable nodes use its output."""
    users = dict.fromkeys(roots, 0)
    stack = list(roots)
    while stack:
        for parent in stack.pop().parents:
            if isinstance(parent, Function):
                if parent in users:
                    users[parent] += 1
                else:
                    users[parent] = 1
                    stack.append(parent)
    return users


# ---------------------------------------------------------------------------------------------
# The backward walk
# ---------------------------------------------------------------------------------------------
def _as_graph_tensors(node: Function):
    """The node's inputs and output as Tensors wired into the graph (for create_graph)."""
    inputs = []
    for edge, value in zip(node.parents, node.inputs):
        if edge is None:
            inputs.append(_new_tensor(value, None) if isinstance(value, ndarray) else value)
        elif isinstance(edge, Function):
            inputs.append(_new_tensor(value, edge))
        else:
            inputs.append(edge)  # a leaf
    return tuple(inputs), _new_tensor(node.output, node)


def _freed_error(node: Function) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time: op '{node.name}' already freed "
        "the values it saved for backward. Call .backward(retain_graph=True) (or "
        "mg.grad(..., retain_graph=True)) the first time if you need to backward twice."
    )


def wrap(grad):
    return grad if isinstance(grad, _Tensor) else _new_tensor(grad, None)


def _apply_hooks(hooks, grad, create_graph):
    for hook in hooks:
        result = hook(wrap(grad))
        if result is not None:
            if not isinstance(result, _Tensor):
                result = _new_tensor(xp.asarray(result), None)
            grad = result if create_graph else result.data
    return grad


# How many in-place writes there have been, anywhere: a node recorded after the last one (the
# common case) needs no version check at all.
_writes = [0]


def counter_of(tensor) -> list:
    """A tensor's version counter, made on first need (a tensor never written nor viewed has
    none, and is at version 0): ``[version, the tensors sharing its memory or None, the write
    count (_writes) at its last write, at the write before]``.  The node that made the tensor
    learns of it then: its users find their input's counter through it."""
    if tensor._counter is None:
        tensor._counter = [0, None, 0, 0]
        adopt_counter(tensor)
    return tensor._counter


def adopt_counter(tensor) -> None:
    """``tensor`` was just given a counter (a view's, shared with its base): its node learns it."""
    node = tensor.grad_fn
    if node is not None and getattr(node, "output_counter", None) is None:
        node.output_counter = tensor._counter


def next_epoch() -> int:
    """Start a new epoch without a write (a recorded in-place op is about to compute its
    result): nodes made from now on are told apart from those made before."""
    _writes[0] += 1
    return _writes[0]


def retire_value(tensor, epoch: int) -> None:
    """``tensor`` is being overwritten by a recorded in-place op, which read its old value from
    a copy from ``epoch`` on.  The node that made the old value is tied to that copy from now
    on: a fresh counter, written at ``epoch``, so that what read the value before the write
    raises in backward, and what read the copy (the in-place op itself) does not."""
    node = tensor.grad_fn
    if node is not None:
        old = tensor._counter or [0, None, 0, 0]
        node.output_counter = [old[0] + 1, None, epoch, old[2]]


def note_recorded(node: Function) -> None:
    """What ``Function.apply`` notes on each node it records (inline there, for speed), for a
    node made elsewhere (``mg.autograd.Function``'s): the epoch, and the running modules."""
    node.epoch = _writes[0]
    if _context_provider is not None:
        _node_context[node] = _context_provider()


def current_epoch() -> int:
    """The count of in-place writes so far: a node made now is at this epoch."""
    return _writes[0]


def increment_version(tensor) -> None:
    """Record that ``tensor``'s values were changed in place (PyTorch's
    ``torch.autograd.graph.increment_version``): backward through an op that saved it raises."""
    counter = counter_of(tensor)
    _writes[0] += 1
    counter[0] += 1
    counter[3] = counter[2]
    counter[2] = _writes[0]


def _input_counter(node: Function, i: int):
    """The version counter of what input ``i`` (-1: the output) of ``node`` is, or None.  A node
    records nothing per input: the counter is found through the edge (the leaf itself, the node
    that made the input, or, for a constant, the tensor kept for this), and the counter's last
    write, compared with the node's epoch, tells whether it changed after the node was made."""
    if i == -1:
        return node.output_counter
    edge = node.parents[i]
    if isinstance(edge, Function):
        return getattr(edge, "output_counter", None)
    tensor = edge if edge is not None else (node.tensors[i] if node.tensors else None)
    return tensor._counter if isinstance(tensor, _Tensor) else None


def _check_versions(node: Function) -> None:
    """Raise when a value backward reads was changed in place after forward recorded it."""
    reads = node.reads if node.reads is not None else (*range(len(node.inputs)), -1)
    for i in reads:
        counter = _input_counter(node, i)
        if counter is not None and counter[2] > node.epoch:
            what = "its output" if i == -1 else f"its input {i}"
            value = node.output if i == -1 else node.inputs[i]
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {what}, a {value.dtype} tensor of shape {tuple(value.shape)} "
                f"saved by '{node.name}', is at version {counter[0]}; expected version "
                f"{_version_when_recorded(counter, node)} instead. Change a copy (x = x + 1, "
                "x.clone()) rather than the tensor itself, or make the change after backward()."
            )


def _version_when_recorded(counter: list, node: Function) -> str:
    """What the counter read when ``node`` was made: exact after one write since (or when that
    can only be 0); otherwise the most it can have been."""
    if counter[3] <= node.epoch or counter[0] <= 2:
        return str(counter[0] - 1 if counter[3] <= node.epoch else 0)
    return f"{counter[0] - 2} or earlier"


def _backward_step(node: Function, grad, create_graph: bool, anomaly: bool, observers: tuple):
    """One node's vector-Jacobian product with every check: the gradients it sends to its
    inputs (the walk runs the common case, none of these checks needed, inline)."""
    if node.inputs is None:
        raise _freed_error(node)
    if node.epoch != _writes[0]:  # something was changed in place since this node was recorded
        _check_versions(node)
    if create_graph:
        inputs, output = _as_graph_tensors(node)
    else:
        inputs, output = node.inputs, node.output
    input_grads = node.backward(grad, inputs, output)
    if anomaly:
        for i, g in enumerate(input_grads):
            if g is not None:
                check_finite(g.data if isinstance(g, _Tensor) else g, "backward",
                             node.describe(), f" in the gradient of input {i}")
    for observer in observers:
        observer(node, grad, input_grads)
    return input_grads


def _walk(grads: dict, leaf_grads: dict, retain_graph: bool, create_graph: bool, captured,
          observers: tuple, side_effects: bool) -> None:
    """Kahn's order: a node runs once every node that used its output has sent its gradient.
    ``grads`` holds the gradients of nodes, ``leaf_grads`` receives those of leaves; the
    gradients of the nodes in ``captured`` (a dict of None) are stored there."""
    users = _count_users(list(grads))
    ready = [node for node in grads if users[node] == 0]
    anomaly = side_effects and anomaly_state.enabled
    plain = not (create_graph or anomaly or observers)  # the common case, run inline below
    while ready:
        node = ready.pop()
        grad = grads.pop(node, None)
        if grad is None:  # no gradient reached this node: nothing to send, but release it
            input_grads = (None,) * len(node.parents)
        else:
            if side_effects and _hooks_in_use:
                hooks = _node_hooks.get(node)
                if hooks:
                    grad = _apply_hooks(hooks, grad, create_graph)
            if captured is not None and node in captured:
                captured[node] = grad
            if plain and node.inputs is not None and node.epoch == _writes[0]:
                input_grads = node.backward(grad, node.inputs, node.output)
            else:
                input_grads = _backward_step(node, grad, create_graph, anomaly, observers)
            if not retain_graph:  # node.free(), its common part inline (this runs once per node)
                node.inputs = node.output = node.tensors = None
                if node.saved:
                    node.free()
        for edge, g in zip(node.parents, input_grads):
            if edge is None:
                continue
            if isinstance(edge, Function):
                if g is not None:
                    grads[edge] = grads[edge] + g if edge in grads else g
                users[edge] -= 1
                if users[edge] == 0:
                    ready.append(edge)
            elif g is not None:
                leaf_grads[edge] = leaf_grads[edge] + g if edge in leaf_grads else g


def run_backward(roots: Sequence, root_grads: Sequence, retain_graph: bool, create_graph: bool,
                 targets: Sequence | None = None, *, observer: Callable | None = None,
                 side_effects: bool = True):
    """The chain rule in reverse over the graph behind ``roots``.

    With ``targets`` None, gradients accumulate into ``.grad`` of the leaves (``backward()``);
    otherwise the gradients of the target tensors are returned and no ``.grad`` changes
    (``mg.grad``).  ``observer`` sees each step as ``observe_backward``'s observers do;
    ``side_effects=False`` runs no hooks, no anomaly check and no other observer (a drawing's
    replay).
    """
    grads: dict = {}
    leaf_grads: dict = {}
    for root, grad in zip(roots, root_grads):
        edge = root.grad_fn or root
        store = grads if isinstance(edge, Function) else leaf_grads
        store[edge] = grad if edge not in store else store[edge] + grad
    captured = None if targets is None else dict.fromkeys(t.grad_fn or t for t in targets)
    observers = tuple(_observers) if side_effects else ()  # a replay is nobody else's business
    if observer is not None:
        observers += (observer,)
    previous_mode = swap_grad_mode(create_graph)  # backward is recorded only under create_graph
    try:
        _walk(grads, leaf_grads, retain_graph, create_graph, captured, observers, side_effects)
    finally:
        swap_grad_mode(previous_mode)

    if targets is not None:
        for edge, g in leaf_grads.items():
            if edge in captured:
                if side_effects and edge._hooks:
                    g = _apply_hooks(edge._hooks, g, create_graph)
                captured[edge] = g
        return [captured[t.grad_fn or t] for t in targets]

    seen_arrays = set()
    for leaf, g in leaf_grads.items():
        if leaf._hooks:
            g = _apply_hooks(leaf._hooks, g, create_graph)
        _accumulate(leaf, g, create_graph, seen_arrays)
    return None


def owned(grad: ndarray, seen_arrays: set) -> ndarray:
    """``grad``, or a copy where someone else may hold it: a pass-through op (add, reshape,
    expand) can hand one array, or a read-only view, to several tensors; no two results may
    share memory."""
    if grad.base is not None or id(grad) in seen_arrays:  # (read-only arrays are views)
        grad = grad.copy()
    seen_arrays.add(id(grad))
    return grad


def _accumulate(leaf, grad, create_graph: bool, seen_arrays: set) -> None:
    """Add ``grad`` into ``leaf.grad`` (never writing into an array someone else holds)."""
    if create_graph:
        grad = wrap(grad)
        leaf.grad = grad if leaf.grad is None else leaf.grad + grad
        return
    if isinstance(grad, _Tensor):
        grad = grad.data
    if type(grad) is not ndarray:
        grad = xp.asarray(grad)
    if grad.shape != leaf.data.shape:
        raise RuntimeError(
            f"internal error: gradient of shape {grad.shape} for a leaf of shape {leaf.data.shape}"
        )
    if grad.dtype != leaf.data.dtype:
        grad = grad.astype(leaf.data.dtype)
    if leaf.grad is None:
        leaf.grad = _new_tensor(owned(grad, seen_arrays), None)
    else:
        leaf.grad.data = leaf.grad.data + grad
