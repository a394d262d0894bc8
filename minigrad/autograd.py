"""The recorded graph and the reverse-mode chain rule.

A node of the graph is a :class:`Function`: one op, its ``forward`` on plain arrays beside its
``backward``.  A node keeps three things: ``parents`` (for each input, the node that made it, the
leaf tensor itself, or None for a constant), ``inputs`` (the input arrays) and ``output`` (the
output array).  It never refers to its output *tensor*, so tensors and nodes form no reference
cycle and a graph is freed by reference counting alone, without the garbage collector.

``backward`` rules are written once, with operators and methods that numpy arrays and Tensors
share.  A plain ``backward()`` hands them arrays (fast, no graph); ``create_graph=True`` hands
them Tensors rebuilt over the same arrays, so the backward pass is itself recorded and can be
differentiated again.
"""
from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .backend import ndarray, xp

Tensor: Any = None  # set by minigrad.tensor once the class exists (tensor.py imports this module)
new_tensor: Any = None  # Tensor's fast constructor, set with it


# ---------------------------------------------------------------------------------------------
# Grad mode (per thread, as in PyTorch) and anomaly mode
# ---------------------------------------------------------------------------------------------
class _GradMode(threading.local):
    enabled = True


_grad_mode = _GradMode()


class _Anomaly:
    enabled = False


_anomaly = _Anomaly()


def is_grad_enabled() -> bool:
    """True when new ops are recorded into the graph (the default)."""
    return _grad_mode.enabled


class _GradModeContext:
    """Base of ``no_grad``/``enable_grad``: a context manager and a function decorator."""

    mode = True

    def __new__(cls, function=None):
        # ``@mg.no_grad`` without parentheses decorates too, as in PyTorch.
        context = super().__new__(cls)
        return context(function) if callable(function) else context

    def __init__(self, function=None):
        pass

    def __enter__(self):
        self._previous = _grad_mode.enabled
        _grad_mode.enabled = self.mode
        return self

    def __exit__(self, *exc_info):
        _grad_mode.enabled = self._previous
        return False

    def __call__(self, function: Callable) -> Callable:
        mode = self.mode

        def wrapper(*args, **kwargs):
            previous = _grad_mode.enabled
            _grad_mode.enabled = mode
            try:
                return function(*args, **kwargs)
            finally:
                _grad_mode.enabled = previous

        wrapper.__name__ = getattr(function, "__name__", "wrapper")
        wrapper.__doc__ = getattr(function, "__doc__", None)
        return wrapper


class no_grad(_GradModeContext):
    """Ops run inside do not record a graph.

    >>> import minigrad as mg
    >>> x = mg.ones(2, requires_grad=True)
    >>> with mg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Turns recording back on inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` switches recording off at once; as a context manager it
    restores the previous mode on exit (as in PyTorch)."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._previous = _grad_mode.enabled
        _grad_mode.enabled = self.mode

    def __enter__(self):
        return self

    def __call__(self, function: Callable) -> Callable:
        _grad_mode.enabled = self._previous  # as a decorator it switches only inside the call
        return super().__call__(function)


class detect_anomaly:
    """Inside this block every op checks its output, and every backward step its gradients,
    for NaN or inf, and raises ``RuntimeError`` naming the op that first produced one.

    >>> import minigrad as mg
    >>> x = mg.tensor([0.0], requires_grad=True)
    >>> with mg.detect_anomaly():
    ...     try:
    ...         x.log()
    ...     except RuntimeError as e:
    ...         print(str(e).split(':')[0])
    anomaly in forward of 'log'
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = _anomaly.enabled
        _anomaly.enabled = self.check_nan
        return self

    def __exit__(self, *exc_info):
        _anomaly.enabled = self._previous
        return False


def _check_finite(array, where: str, name: str, detail: str = "") -> None:
    if isinstance(array, ndarray) and array.dtype.kind in "fc" and not xp.isfinite(array).all():
        bad = "nan" if xp.isnan(array).any() else "inf"
        raise RuntimeError(
            f"anomaly in {where} of '{name}': it produced {bad} values{detail} "
            f"(shape {tuple(array.shape)}). The inputs of this op are where to look."
        )


# ---------------------------------------------------------------------------------------------
# Function: one node of the graph
# ---------------------------------------------------------------------------------------------
class Function:
    """One op: ``forward(*arrays) -> array`` beside ``backward(grad, inputs, output) -> grads``.

    ``backward`` returns one gradient per input (None where an input needs none).  ``inputs`` and
    ``output`` are arrays in a plain backward and Tensors under ``create_graph=True``; the rule is
    written with operations both understand.
    """

    __slots__ = ("parents", "inputs", "output", "__weakref__")
    name = "op"

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

    def __repr__(self) -> str:
        return f"<{type(self).__name__} '{self.describe()}'>"

    @classmethod
    def apply(cls, *args, **options):
        """Run the op on Tensors (or Python scalars) and record a node when a gradient is needed."""
        function = cls(**options) if options else cls()
        arrays = []
        parents = []
        needs_grad = False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                if a.requires_grad:
                    needs_grad = True
                    parents.append(a.grad_fn or a)  # a leaf is its own edge
                    continue
            else:
                arrays.append(a)
            parents.append(None)
        try:
            output = function.forward(*arrays)
        except (ValueError, TypeError, IndexError) as error:
            raise _forward_error(function, arrays, error) from None
        if output.__class__ is not ndarray:
            output = xp.asarray(output)  # numpy returns scalars from 0-d ops
        if _anomaly.enabled:
            _check_finite(output, "forward", function.describe())
        if needs_grad and _grad_mode.enabled:
            function.parents = tuple(parents)
            function.inputs = tuple(arrays)
            function.output = output
            if module_stack:
                node_modules[function] = tuple(module_stack)
            return new_tensor(output, function)
        return new_tensor(output, None)


def _forward_error(function, arrays, error):
    shapes = ", ".join(str(tuple(a.shape)) if isinstance(a, ndarray) else repr(a) for a in arrays)
    kind = type(error) if type(error) in (ValueError, TypeError, IndexError) else ValueError
    message = str(error)
    if not message.startswith(f"{function.name}:"):  # the op's own checks already name it
        message = f"{function.describe()}: {message}"
    return kind(f"{message} (input shapes: {shapes})")


# Hooks and retain_grad of non-leaf tensors live beside the graph, keyed by node, so that the
# hot path pays nothing for them.  Nodes are weak keys: the table never keeps a graph alive.
_node_hooks: weakref.WeakKeyDictionary[Function, list] = weakref.WeakKeyDictionary()

# The nn modules whose forward is running, outermost first (nn.Module.__call__ pushes and pops
# itself).  Each node recorded meanwhile remembers them, so that a drawing can group the graph
# by module.  Empty outside modules: the hot path then pays one truth test.
module_stack: list = []
node_modules: weakref.WeakKeyDictionary[Function, tuple] = weakref.WeakKeyDictionary()

# Observers see every backward step: (node, grad of its output, grads of its inputs).  They are
# what minigrad.viz uses to show backward step by step.
_observers: list = []


_hooks_in_use = False  # a plain flag: testing a WeakKeyDictionary's truth costs a Python call


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


def _as_graph_tensors(node: Function):
    """The node's inputs and output as Tensors wired into the graph (for create_graph)."""
    inputs = []
    for edge, value in zip(node.parents, node.inputs):
        if edge is None:
            inputs.append(new_tensor(value, None) if isinstance(value, ndarray) else value)
        elif isinstance(edge, Function):
            inputs.append(new_tensor(value, edge))
        else:
            inputs.append(edge)  # a leaf
    return tuple(inputs), new_tensor(node.output, node)


def _freed_error(node: Function) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time: op '{node.name}' already freed "
        "the values it saved for backward. Call .backward(retain_graph=True) (or "
        "mg.grad(..., retain_graph=True)) the first time if you need to backward twice."
    )


def _wrap(grad):
    return grad if isinstance(grad, Tensor) else new_tensor(grad, None)


def _apply_hooks(hooks, grad, create_graph):
    for hook in hooks:
        result = hook(_wrap(grad))
        if result is not None:
            if not isinstance(result, Tensor):
                result = new_tensor(xp.asarray(result), None)
            grad = result if create_graph else result.data
    return grad


def run_backward(roots: Sequence, root_grads: Sequence, retain_graph: bool, create_graph: bool,
                 targets: Sequence | None = None):
    """The chain rule in reverse over the graph behind ``roots``.

    With ``targets`` None, gradients accumulate into ``.grad`` of the leaves (``backward()``);
    otherwise the gradients of the target tensors are returned and no ``.grad`` changes
    (``mg.grad``).
    """
    grads: dict = {}
    leaf_grads: dict = {}
    for root, grad in zip(roots, root_grads):
        edge = root.grad_fn or root
        store = grads if isinstance(edge, Function) else leaf_grads
        store[edge] = grad if edge not in store else store[edge] + grad

    target_edges = None
    captured: dict = {}
    if targets is not None:
        target_edges = {}
        for t in targets:
            target_edges.setdefault(t.grad_fn or t, []).append(t)

    # Kahn's order: a node runs once every node that used its output has sent its gradient.
    users = _count_users(list(grads))
    ready = [node for node in grads if users[node] == 0]
    previous_mode = _grad_mode.enabled
    _grad_mode.enabled = create_graph
    # The graph has no reference cycles, so the cyclic garbage collector has nothing to find
    # here; left on, it would rescan the whole (large) graph again and again as backward
    # allocates, making the cost per node grow with the graph's size.
    collector_was_on = gc.isenabled()
    gc.disable()
    try:
        while ready:
            node = ready.pop()
            grad = grads.pop(node, None)
            if grad is None:  # no gradient reached this node: nothing to send, but release it
                for edge in node.parents:
                    if isinstance(edge, Function):
                        users[edge] -= 1
                        if users[edge] == 0:
                            ready.append(edge)
                continue
            if _hooks_in_use:
                hooks = _node_hooks.get(node)
                if hooks:
                    grad = _apply_hooks(hooks, grad, create_graph)
            if target_edges is not None and node in target_edges:
                captured[node] = grad
            if node.inputs is None:
                raise _freed_error(node)
            if create_graph:
                inputs, output = _as_graph_tensors(node)
            else:
                inputs, output = node.inputs, node.output
            input_grads = node.backward(grad, inputs, output)
            if _anomaly.enabled:
                for i, g in enumerate(input_grads):
                    if g is not None:
                        _check_finite(g.data if isinstance(g, Tensor) else g, "backward",
                                      node.describe(), f" in the gradient of input {i}")
            if _observers:
                for observer in _observers:
                    observer(node, grad, input_grads)
            if not retain_graph:
                node.inputs = None
                node.output = None
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
    finally:
        _grad_mode.enabled = previous_mode
        if collector_was_on:
            gc.enable()

    if target_edges is not None:
        for edge, g in leaf_grads.items():
            if edge in target_edges:
                if edge._hooks:
                    g = _apply_hooks(edge._hooks, g, create_graph)
                captured[edge] = g
        return [captured.get(t.grad_fn or t) for t in targets]

    seen_arrays = set()
    for leaf, g in leaf_grads.items():
        if leaf._hooks:
            g = _apply_hooks(leaf._hooks, g, create_graph)
        _accumulate(leaf, g, create_graph, seen_arrays)
    return None


def _owned(grad: ndarray, seen_arrays: set) -> ndarray:
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
        grad = _wrap(grad)
        leaf.grad = grad if leaf.grad is None else leaf.grad + grad
        return
    if isinstance(grad, Tensor):
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
        leaf.grad = new_tensor(_owned(grad, seen_arrays), None)
    else:
        leaf.grad.data = leaf.grad.data + grad


# ---------------------------------------------------------------------------------------------
# mg.grad
# ---------------------------------------------------------------------------------------------
def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple; ``.grad`` of the
    leaves is left alone.

    >>> import minigrad as mg
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> (dx,) = mg.grad(x ** 2, x)
    >>> dx.item()
    6.0
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad, so it has no gradient")
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = [], []
    for out, g in zip(outputs, grad_outputs):
        if not out.requires_grad:
            raise RuntimeError("grad: an output does not require grad and has no grad_fn")
        roots.append(out)
        root_grads.append(_initial_grad(out, g, create_graph, "grad"))
    results = run_backward(roots, root_grads, retain_graph, create_graph, targets=inputs)
    final = []
    seen_arrays = set()
    for i, (t, g) in enumerate(zip(inputs, results)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            final.append(None)
        else:
            if not create_graph:
                g = _owned(xp.asarray(g), seen_arrays)
            final.append(_wrap(g))
    return tuple(final)


def _initial_grad(root, gradient, create_graph: bool, op: str):
    """The gradient that starts backward at ``root``: ones for a scalar, else ``gradient``."""
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{op}: grad can be implicitly created only for scalar outputs, but the output "
                f"has shape {tuple(root.shape)}; pass gradient= (a tensor of that shape)"
            )
        g = xp.ones_like(root.data)
    else:
        g = gradient.data if isinstance(gradient, Tensor) else xp.asarray(gradient, dtype=root.data.dtype)
        if g.shape != root.data.shape:
            raise RuntimeError(
                f"{op}: gradient has shape {tuple(g.shape)} but the output has shape "
                f"{tuple(root.shape)}; they must match"
            )
        if create_graph and isinstance(gradient, Tensor):
            return gradient
        g = g.copy()
    return new_tensor(g, None) if create_graph else g
