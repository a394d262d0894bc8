"""Drawings of the backprop graph: values, gradients, modules, and backward step by step.

``draw_graph(root)`` returns a ``graphviz.Digraph`` with one node per tensor and one per op.
Building it needs only the graphviz Python package; rendering it (``.render``, ``.pipe``,
Jupyter's inline SVG) runs Graphviz's ``dot``.

Where the gradients shown come from
-----------------------------------
The graph holds the arrays of intermediates only until a ``backward()`` without
``retain_graph`` frees them.  While the graph is alive, the drawing computes every gradient
itself with a *side pass*: the engine's own ``run_backward`` over a retained graph, with an
observer that records each step.  The side pass writes no ``.grad``, runs no hooks (a hook may
have side effects, such as ``retain_grad``), and frees nothing, so a later ``backward()`` gives
exactly what it would have given.  Hence both teaching flows work::

    loss = ...; mg.draw_graph(loss)                                  # the gradients to come
    loss.backward(retain_graph=True); mg.draw_graph(loss)            # the same gradients

Once a plain ``backward()`` has freed the graph, the drawing still shows its structure, the
leaves' values and their ``.grad``, and says so in its label.  A non-scalar root is seeded with
ones, as ``root.sum().backward()`` would be.
"""
from __future__ import annotations

import html
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import graphviz
import numpy

from . import autograd
from .autograd import Function, run_backward, topological_order
from .backend import ndarray, xp

# Colours: one per kind of tensor, violet ops, red gradients.
STYLE = {
    "leaf": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dbeafe", "color": "#1d4ed8",
             "penwidth": "2"},
    "input": {"shape": "box", "style": "filled", "fillcolor": "#f3f4f6", "color": "#6b7280"},
    "constant": {"shape": "box", "style": "filled,dashed", "fillcolor": "#ffffff", "color": "#9ca3af",
                     "fontsize": "10"},
    "intermediate": {"shape": "box", "style": "filled", "fillcolor": "#ffffff", "color": "#374151"},
    "output": {"shape": "box", "style": "filled", "fillcolor": "#fef3c7", "color": "#b45309", "penwidth": "2",
                   "peripheries": "2"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#ede9fe", "color": "#6d28d9"},
    "collapsed": {"shape": "box3d", "style": "filled", "fillcolor": "#ecfdf5", "color": "#047857"},
}
KIND_TEXT = {
    "leaf": "leaf that requires grad", "input": "input (no grad)", "constant": "constant",
    "intermediate": "intermediate", "output": "output (root)", "op": "op", "collapsed": "module, collapsed",
}
GRAD_COLOR = "#dc2626"
CURRENT_COLOR = "#ea580c"
CLUSTER_COLORS = ("#f0fdf4", "#ecfeff", "#fdf4ff", "#fffbeb")
FONT = "Helvetica"

# The backward rule of each op, in the words of a step-through caption.
RULES = {
    "add": "grad_a = grad_out, grad_b = grad_out (summed over broadcast dims)",
    "sub": "grad_a = grad_out, grad_b = -grad_out",
    "mul": "grad_a = grad_out * b, grad_b = grad_out * a",
    "div": "grad_a = grad_out / b, grad_b = -grad_out * a / b²",
    "neg": "grad_in = -grad_out",
    "pow": "grad_a = grad_out * b * a^(b-1), grad_b = grad_out * a^b * log(a)",
    "exp": "grad_in = grad_out * exp(x)",
    "log": "grad_in = grad_out / x",
    "sqrt": "grad_in = grad_out / (2 sqrt(x))",
    "tanh": "grad_in = grad_out * (1 - tanh(x)²)",
    "sigmoid": "grad_in = grad_out * s * (1 - s), s = sigmoid(x)",
    "relu": "grad_in = grad_out * (x > 0)",
    "leaky_relu": "grad_in = grad_out * (1 if x > 0 else slope)",
    "gelu": "grad_in = grad_out * (Phi(x) + x phi(x))",
    "abs": "grad_in = grad_out * sign(x)",
    "clamp": "grad_in = grad_out where min <= x <= max, else 0",
    "maximum": "the larger input gets grad_out (a tie splits it)",
    "minimum": "the smaller input gets grad_out (a tie splits it)",
    "where": "grad_out goes to a where the condition holds, to b elsewhere",
    "cast": "grad_in = grad_out cast back to the input's dtype",
    "matmul": "grad_A = grad_out @ Bᵀ, grad_B = Aᵀ @ grad_out",
    "linear": "grad_x = grad_out @ W, grad_W = grad_outᵀ @ x, grad_b = grad_out summed over the batch",
    "sum": "grad_in = grad_out copied to every summed element",
    "mean": "grad_in = grad_out / n copied to every averaged element",
    "amax": "grad_out goes to the largest element (ties share it)",
    "amin": "grad_out goes to the smallest element (ties share it)",
    "logsumexp": "grad_in = grad_out * softmax(x)",
    "softmax": "grad_in = y * (grad_out - sum(grad_out * y))",
    "log_softmax": "grad_in = grad_out - softmax(x) * sum(grad_out)",
    "index": "grad_out is scatter-added into zeros of the input's shape",
    "cat": "grad_out is cut back into the pieces that were joined",
    "stack": "grad_out is split back into the stacked tensors",
    "expand": "grad_in = grad_out summed over the expanded dims",
    "permute": "grad_in = grad_out with the dims permuted back",
    "transpose": "grad_in = grad_out transposed back",
    "cross_entropy": "grad_logits = (softmax(logits) - one_hot(target)) / N",
    "nll_loss": "grad_in = -1/N at each target class, 0 elsewhere",
    "mse_loss": "grad_in = 2 (x - y) / N",
}
for _name in ("reshape", "view", "flatten", "squeeze", "unsqueeze"):
    RULES[_name] = "grad_in = grad_out reshaped back to the input's shape"


# ---------------------------------------------------------------------------------------------
# The graph behind a root, as plain records
# ---------------------------------------------------------------------------------------------
class _Tensor:
    """One tensor drawn: a leaf, an input array, a Python constant, or an op's output."""

    __slots__ = ("id", "kind", "name", "value", "tensor", "producer", "consumers")

    def __init__(self, id, kind, name, value, tensor=None, producer=None):
        self.id, self.kind, self.name, self.value = id, kind, name, value
        self.tensor, self.producer, self.consumers = tensor, producer, []


class _Op:
    __slots__ = ("id", "node", "path", "inputs", "output")

    def __init__(self, id, node, path):
        self.id, self.node, self.path, self.inputs, self.output = id, node, path, [], None


class _Graph:
    """Ops in the engine's topological order (root's op first) and the tensors between them."""

    def __init__(self, root, names: Mapping | None, module=None):
        self.root = root
        self.ops: list[_Op] = []
        self.tensors: list[_Tensor] = []
        by_tensor, by_array, by_node = _split_names(names)
        roots = [module] if module is not None else []
        node = root.grad_fn
        order = topological_order([node]) if node is not None else []
        for n in order:
            for m in autograd.node_modules.get(n, ())[:1]:
                if not any(m is r for r in roots):
                    roots.append(m)
        self.param_names, self.module_names = _module_names(roots)
        self.freed = any(n.inputs is None for n in order)
        index = {n: i for i, n in enumerate(order)}
        leaves: dict[int, _Tensor] = {}
        arrays: dict[int, _Tensor] = {}
        for i, n in enumerate(order):
            op = _Op(f"op{i}", n, autograd.node_modules.get(n, ()))
            self.ops.append(op)
            kind = "output" if i == 0 else "intermediate"
            value = root.data if i == 0 else n.output
            name = by_node.get(id(n)) or (by_tensor.get(id(root)) if i == 0 else None)
            op.output = self._add(f"v{i}", kind, name, value, root if i == 0 else None, producer=i)
        for i, n in enumerate(order):
            op = self.ops[i]
            for j, parent in enumerate(n.parents):
                if isinstance(parent, Function):
                    t = self.ops[index[parent]].output
                elif parent is not None:  # a leaf tensor
                    t = leaves.get(id(parent))
                    if t is None:
                        name = by_tensor.get(id(parent)) or self.param_names.get(id(parent))
                        t = leaves[id(parent)] = self._add(f"leaf{len(leaves)}", "leaf", name,
                                                           parent.data, parent)
                else:
                    value = n.inputs[j] if n.inputs is not None else None
                    if isinstance(value, ndarray):
                        t = arrays.get(id(value))
                        if t is None:
                            t = arrays[id(value)] = self._add(f"in{len(arrays)}", "input",
                                                              by_array.get(id(value)), value)
                    else:  # a Python number, or a value the freed graph no longer holds
                        t = self._add(f"c{len(self.tensors)}", "constant", None, value)
                t.consumers.append((i, j))
                op.inputs.append(t)
        if node is None:
            kind = "leaf" if root.requires_grad else "input"
            self._add("leaf0", kind, by_tensor.get(id(root)), root.data, root)

    def _add(self, id, kind, name, value, tensor=None, producer=None) -> _Tensor:
        t = _Tensor(id, kind, name, value, tensor, producer)
        self.tensors.append(t)
        return t


def _split_names(names) -> tuple[dict, dict, dict]:
    """User names keyed by id: of the tensor, of its array (an input seen by an op), of its node.
    Tensor compares elementwise, so it is never used as a dict key here."""
    by_tensor, by_array, by_node = {}, {}, {}
    for key, value in (names or {}).items():
        tensor, name = (value, key) if isinstance(key, str) else (key, value)
        by_tensor[id(tensor)] = str(name)
        by_array[id(tensor.data)] = str(name)
        if tensor.grad_fn is not None:
            by_node[id(tensor.grad_fn)] = str(name)
    return by_tensor, by_array, by_node


def _module_names(roots) -> tuple[dict, dict]:
    """Parameter names (``fc1.weight``) and module names (``fc1``) by id, from nn modules."""
    params, modules = {}, {}
    for root in roots:
        for name, p in getattr(root, "named_parameters", lambda: ())():
            params.setdefault(id(p), name)
        for name, m in getattr(root, "named_modules", lambda: ())():
            modules.setdefault(id(m), name)
        modules.setdefault(id(root), "")
    return params, modules


def module_summary(module) -> str:
    """A one-line description of a module: ``Linear(4→8)``, ``ReLU()``, or its class name."""
    cls = type(module).__name__
    n_in, n_out = getattr(module, "in_features", None), getattr(module, "out_features", None)
    if isinstance(n_in, int) and isinstance(n_out, int):
        return f"{cls}({n_in}→{n_out})"
    text = repr(module)
    return text if "\n" not in text and len(text) <= 40 else cls


# ---------------------------------------------------------------------------------------------
# Backward, observed
# ---------------------------------------------------------------------------------------------
@dataclass
class BackwardStep:
    """One step of backward: ``node`` turned ``grad_output`` (the gradient of its output) into
    ``grad_inputs`` (one per input, None where an input needs none)."""

    index: int  # 1-based, in the order the engine ran the steps
    total: int
    node: Function
    grad_output: Any
    grad_inputs: tuple
    caption: str = ""

    @property
    def op(self) -> str:
        return self.node.describe()


def _observe_backward(root) -> list[tuple]:
    """Run the engine's backward over the retained graph of ``root`` and record every step.

    No ``.grad`` is written (``targets=[]``), the graph is retained, and hooks are set aside for
    the pass, so the user's next ``backward()`` is unaffected.
    """
    if root.grad_fn is None:
        return []
    if any(n.inputs is None for n in topological_order([root.grad_fn])):
        raise RuntimeError(
            "the graph was freed by backward(), so its steps cannot be replayed; call "
            "loss.backward(retain_graph=True) instead, or draw before backward()"
        )
    records = []

    def observer(node, grad, grad_inputs):
        records.append((node, _array(grad), tuple(_array(g) for g in grad_inputs)))

    hooks = autograd._node_hooks
    autograd._node_hooks = type(hooks)()
    autograd._observers.append(observer)
    try:
        run_backward([root], [xp.ones_like(root.data)], True, False, targets=[])
    finally:
        autograd._observers.remove(observer)
        autograd._node_hooks = hooks
    return records


def _array(g):
    return g.data if hasattr(g, "grad_fn") else g


def backward_steps(root, names: Mapping | None = None) -> Iterator[BackwardStep]:
    """The steps of ``root.backward()``, in the order the engine runs them, without running it
    for real (no ``.grad`` changes; the graph must not have been freed).

    >>> import minigrad as mg
    >>> w = mg.tensor(3.0, requires_grad=True)
    >>> [s.op for s in backward_steps((w * w).tanh())]
    ['tanh', 'mul']
    """
    yield from _steps(_Graph(root, names), _observe_backward(root))


def _steps(graph: _Graph, records: list) -> list[BackwardStep]:
    ops = {id(op.node): op for op in graph.ops}
    steps = []
    for k, (node, grad, grad_inputs) in enumerate(records, 1):
        step = BackwardStep(k, len(records), node, grad, grad_inputs)
        step.caption = _caption(step, ops[id(node)], graph.ops)
        steps.append(step)
    return steps


def _caption(step: BackwardStep, op: _Op, ops) -> str:
    rule = RULES.get(op.node.name, f"the vector-Jacobian product of {op.node.name}")
    sent = [_tensor_title(t, ops) for t, g in zip(op.inputs, step.grad_inputs) if g is not None]
    where = f" and sends gradients to {', '.join(sent)}" if sent else ""
    grad = summarize(step.grad_output, 3)[0]
    shape = _shape_text(step.grad_output)
    received = f"grad_out = {grad}" if shape == "scalar" else f"grad_out of shape {shape} ({grad})"
    text = (f"Step {step.index} of {step.total}: {op.node.describe()} receives {received}, "
            f"applies {rule}{where}.")
    if step.index == 1:
        text += " Backward starts with grad 1 at the root."
    if step.index == step.total:
        text += " backward() then adds each leaf's gradient into its .grad."
    return text


def _tensor_title(t: _Tensor, ops) -> str:
    if t.name:
        return t.name
    if t.producer is not None:
        return f"{ops[t.producer].node.name}'s output"
    return {"leaf": "a leaf", "input": "an input"}.get(t.kind, "a constant")


# ---------------------------------------------------------------------------------------------
# Text of the labels
# ---------------------------------------------------------------------------------------------
def _num(v) -> str:
    if isinstance(v, (bool, numpy.bool_)):
        return str(bool(v))
    text = f"{v:.4g}"
    return "0" if text == "-0" else text


def _shape_text(value) -> str:
    shape = numpy.shape(value)
    if shape == ():
        return "scalar"
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def summarize(value, max_elements: int = 6) -> list[str]:
    """Lines that show an array: every element when it has at most ``max_elements``, else its
    min, mean and max (and how many are not finite)."""
    if value is None:
        return ["?"]
    a = numpy.asarray(value)
    if a.dtype.kind == "f" and a.size:
        # float32 rounding leaves dust like -3.7e-09 where the exact value is 0: show 0 there
        scale = numpy.nanmax(numpy.abs(numpy.where(numpy.isfinite(a), a, 0)))
        a = numpy.where(numpy.abs(a) < scale * 1e-6, 0, a).astype(a.dtype)
    if a.size <= max_elements:
        if a.ndim == 0:
            return [_num(a.item())]
        if a.ndim == 2:
            return ["[" + ", ".join(_num(v) for v in row) + "]" for row in a.tolist()]
        return ["[" + ", ".join(_num(v) for v in a.ravel().tolist()) + "]"]
    if a.dtype.kind == "b":
        return [f"{int(a.sum())} of {a.size} True"]
    finite = a[numpy.isfinite(a)] if a.dtype.kind in "fc" else a
    bad = a.size - finite.size
    if finite.size == 0:
        return [f"all {a.size} not finite"]
    low, high, mean = finite.min(), finite.max(), finite.mean()
    if abs(mean) < max(abs(low), abs(high)) * 1e-6:
        mean = 0
    line = f"min {_num(low)}  mean {_num(mean)}  max {_num(high)}"
    return [line] + ([f"{bad} nan/inf"] if bad else [])


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _row(tag: str, lines: list[str], color: str, note: str = "") -> str:
    body = '<BR ALIGN="LEFT"/>'.join(_e(x) for x in lines) + ('<BR ALIGN="LEFT"/>' if len(lines) > 1 else "")
    if note:
        body += f' <I>{_e(note)}</I>'
    return (f'<TR><TD ALIGN="RIGHT" VALIGN="TOP"><FONT POINT-SIZE="9" COLOR="{color}">{tag}</FONT></TD>'
            f'<TD ALIGN="LEFT"><FONT COLOR="{color}">{body}</FONT></TD></TR>')


def _tensor_label(t: _Tensor, grad, grad_note: str, extra_rows: str, options) -> str:
    value = t.value
    title = _e(t.name) if t.name else ""
    if t.kind == "constant" and not isinstance(value, ndarray):
        return "<" + (_e(_num(value)) if value is not None else "constant<BR/>(freed)") + ">"
    if value is None:
        head = f"<B>{title}</B> " if title else ""
        return f'<{head}<FONT POINT-SIZE="10" COLOR="#6b7280">value freed</FONT>{_grad_only(grad, options)}>'
    meta = f'{_shape_text(value)} {value.dtype}'
    rows = [f'<TR><TD COLSPAN="2">{"<B>" + title + "</B>  " if title else ""}'
            f'<FONT POINT-SIZE="10" COLOR="#6b7280">{_e(meta)}</FONT></TD></TR>']
    if options["show_data"]:
        rows.append(_row("data", summarize(value, options["max_elements"]), "#111827"))
    if options["show_grad"] and grad is not None:
        rows.append(_row("grad", summarize(grad, options["max_elements"]), GRAD_COLOR, grad_note))
    rows.append(extra_rows)
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def _grad_only(grad, options) -> str:
    if grad is None or not options["show_grad"]:
        return ""
    text = "<BR/>".join(_e(x) for x in summarize(grad, options["max_elements"]))
    return f'<BR/><FONT COLOR="{GRAD_COLOR}">grad {text}</FONT>'


def _op_label(node: Function) -> str:
    options = ", ".join(f"{k}={v}" for k, v in node.options().items())
    if len(options) > 40:
        options = options[:37] + "..."
    detail = f'<BR/><FONT POINT-SIZE="9">{_e(options)}</FONT>' if options else ""
    return f"<<B>{_e(node.name)}</B>{detail}>"


def _flow_label(g, max_elements: int) -> str:
    """The gradient flowing back along an edge: its shape and its values or largest magnitude."""
    a = numpy.asarray(g)
    if a.size <= min(max_elements, 3):
        text = summarize(a, 3)[0]
    else:
        text = "max |g| " + _num(numpy.abs(a).max()) if a.size else "[]"
    return f'<<FONT POINT-SIZE="9" COLOR="{GRAD_COLOR}">∂ {_e(_shape_text(a))}: {_e(text)}</FONT>>'


# ---------------------------------------------------------------------------------------------
# draw_graph
# ---------------------------------------------------------------------------------------------
class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering explains how to install Graphviz when ``dot`` is
    missing."""

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise _no_dot(error) from None

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            raise _no_dot(error) from None


def _no_dot(error) -> RuntimeError:
    return RuntimeError(
        "rendering needs Graphviz's `dot` program, which was not found on PATH. Install it with "
        "`apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
        "`conda install graphviz`; building the graph and its DOT source (.source) works without "
        f"it. ({error})"
    )


def render(graph: graphviz.Digraph, path: str | os.PathLike, format: str | None = None) -> str:
    """Write ``graph`` to ``path`` as svg, png or pdf (from the extension unless ``format`` is
    given), or as DOT source for ``.dot``/``.gv``.  Returns the path."""
    path = os.fspath(path)
    fmt = (format or os.path.splitext(path)[1].lstrip(".") or "svg").lower()
    if fmt in ("dot", "gv"):
        data = graph.source.encode("utf-8")
    elif fmt in ("svg", "png", "pdf"):
        try:
            data = graph.pipe(format=fmt)
        except graphviz.ExecutableNotFound as error:
            raise _no_dot(error) from None
    else:
        raise ValueError(f"render: unknown format {fmt!r}; use svg, png, pdf or dot")
    with open(path, "wb") as file:
        file.write(data)
    return path


def draw_graph(root, *, show_data: bool = True, show_grad: bool = True, show_backward: bool = False,
               group_modules: bool = True, rankdir: str = "LR", max_elements: int = 6,
               names: Mapping | None = None, collapse: Iterable | None = None, step: int | None = None,
               module=None, max_nodes: int = 1500, title: str | None = None,
               legend: bool = True) -> graphviz.Digraph:
    """The backprop graph behind ``root`` as a ``graphviz.Digraph``.

    Tensors are boxes (blue: leaves that require grad, grey: inputs, dashed: constants, gold:
    the root), ops are violet ellipses; each tensor shows its name, shape, dtype, values and
    gradient.  ``show_backward`` adds, along each edge, the gradient flowing back (red, dashed).
    ``group_modules`` draws each nn module as a labelled box, ``collapse`` draws chosen modules
    (objects, qualified names or class names) as one node.  ``step=k`` shows backward after its
    k-th step (0: before it starts).  ``names={tensor: "x"}`` names tensors.

    >>> import minigrad as mg
    >>> w = mg.tensor(0.5, requires_grad=True)
    >>> g = mg.draw_graph((w * 2).tanh(), names={w: "w"})
    >>> "tanh" in g.source and "w" in g.source
    True
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if not hasattr(root, "grad_fn"):
        raise TypeError(f"draw_graph: root must be a minigrad Tensor, got {type(root).__name__}")
    graph = _Graph(root, names, module)
    records = None
    if not graph.freed and root.grad_fn is not None and (show_grad or show_backward or step is not None):
        records = _observe_backward(root)
    elif graph.freed and step is not None:
        raise RuntimeError("draw_graph(step=...): the graph was freed by backward(); call "
                           "loss.backward(retain_graph=True), or draw before backward()")
    if step is not None and not 0 <= step <= len(records or ()):
        raise ValueError(f"draw_graph: step must be between 0 and {len(records or ())}, got {step}")
    options = {"show_data": show_data, "show_grad": show_grad, "max_elements": max_elements}
    return _draw(graph, records, step, options, show_backward, group_modules, collapse, max_nodes,
                 rankdir, title, legend)


def _draw(graph, records, step, options, show_backward, group_modules, collapse, max_nodes,
          rankdir, title, legend) -> graphviz.Digraph:
    notes = []
    if graph.freed:
        notes.append("backward() freed this graph: intermediate values and gradients are gone "
                     "(leaves show their .grad). Use loss.backward(retain_graph=True) to see them all.")
    elif records is not None and graph.root.data.size != 1:
        notes.append("non-scalar root: the gradients shown are those of root.sum()")
    painter = _Painter(graph, records, step, options, show_backward or step is not None,
                       group_modules, collapse, max_nodes, notes)
    return painter.paint(rankdir, title, legend)


class _Painter:
    """Turns a _Graph (and the recorded backward) into DOT, in one linear pass."""

    def __init__(self, graph, records, step, options, show_flows, group_modules, collapse,
                 max_nodes, notes):
        self.graph, self.options, self.notes = graph, options, notes
        self.show_flows, self.group_modules = show_flows, group_modules
        ops = graph.ops
        position = {id(op.node): i for i, op in enumerate(ops)}
        self.out_grad: dict[int, Any] = {}
        self.flows: dict[tuple, Any] = {}
        self.received: dict[int, Any] = {}  # tensor id -> gradient summed so far, in the engine's order
        self.done: set[int] = set()
        self.current = None
        for k, (node, grad, grad_inputs) in enumerate(records or (), 1):
            if step is not None and k > step:
                break
            i = position[id(node)]
            self.done.add(i)
            self.out_grad[i] = grad
            for j, g in enumerate(grad_inputs):
                if g is not None:
                    self.flows[(i, j)] = g
                    key = id(ops[i].inputs[j])
                    self.received[key] = g if key not in self.received else self.received[key] + g
            self.current = i if k == step else None
        self.seeded = records is not None
        self.step = step
        self.collapsed = self._collapse_set(collapse)
        self.group_ids: dict[tuple, str] = {}
        self._visible_count_fits(max_nodes)

    # -- modules and collapsing ------------------------------------------------------------------
    def _collapse_set(self, collapse) -> set:
        wanted = list(collapse or ())
        chosen = set()
        if not wanted:
            return chosen
        for op in self.graph.ops:
            for m in op.path:
                qual = self.graph.module_names.get(id(m))
                if any(w is m or w == qual or w == type(m).__name__ for w in wanted):
                    chosen.add(id(m))
        return chosen

    def _group(self, path) -> tuple | None:
        """The collapsed module prefix that swallows a node with this module path, if any."""
        for d, m in enumerate(path):
            if id(m) in self.collapsed:
                return tuple(path[: d + 1])
        return None

    def _visible_count_fits(self, max_nodes: int) -> None:
        count = self._count()
        if count <= max_nodes:
            return
        depth = max((len(op.path) for op in self.graph.ops), default=0)
        for d in range(depth, 0, -1):
            self.collapsed |= {id(op.path[d - 1]) for op in self.graph.ops if len(op.path) >= d}
            if self._count() <= max_nodes:
                break
        after = self._count()
        if depth:
            self.notes.append(f"{count} nodes exceed max_nodes={max_nodes}: modules are drawn "
                              f"collapsed ({after} nodes)")
        else:
            self.notes.append(f"{count} nodes exceed max_nodes={max_nodes} and there are no nn "
                              "modules to collapse")

    def _count(self) -> int:
        groups = set()
        count = 0
        for op in self.graph.ops:
            g = self._group(op.path)
            if g is None:
                count += 1
            else:
                groups.add(g)
        for t in self.graph.tensors:
            count += self._tensor_visible(t)
        return count + len(groups)

    def _tensor_visible(self, t: _Tensor) -> bool:
        ops = self.graph.ops
        if not self.collapsed:
            return True
        if t.producer is not None:
            own = self._group(ops[t.producer].path)
            return (own is None or t.producer == 0
                    or any(self._group(ops[i].path) != own for i, _ in t.consumers))
        if t.kind == "input":
            return True
        groups = {self._group(ops[i].path) for i, _ in t.consumers}
        return None in groups or len(groups) > 1

    def _head(self, i: int) -> str:
        """The DOT node standing for op i: the op, or the collapsed module that holds it."""
        group = self._group(self.graph.ops[i].path)
        if group is None:
            return self.graph.ops[i].id
        return self.group_ids.setdefault(group, f"m{len(self.group_ids)}")

    # -- gradients known -------------------------------------------------------------------------
    def _grad_of(self, t: _Tensor):
        """(gradient, note) of a tensor as far as backward has got; (None, "") if unknown."""
        if t.producer is not None and t.producer in self.done:
            return self.out_grad[t.producer], ""
        if t.producer == 0 and self.seeded:
            return xp.ones_like(t.value), ("seed" if self.step is not None else "")
        if not self.seeded:
            if t.tensor is not None and t.tensor.grad is not None and t.kind == "leaf":
                return t.tensor.grad.data, ".grad"
            return None, ""
        total = self.received.get(id(t))
        if total is None:
            return None, ""
        pending = self.step is not None and any(i not in self.done for i, _ in t.consumers)
        return total, ("so far" if pending else "")

    def _extra_rows(self, t: _Tensor, grad) -> str:
        """A leaf whose .grad holds more than this graph's gradient (accumulated) says so."""
        if (t.kind != "leaf" or not self.seeded or self.step is not None or grad is None
                or not self.options["show_grad"] or t.tensor.grad is None):
            return ""
        held = t.tensor.grad.data
        if held.shape == numpy.shape(grad) and numpy.allclose(held, grad, rtol=1e-5, atol=1e-7):
            return ""
        return _row(".grad", summarize(held, self.options["max_elements"]), "#7c2d12", "(accumulated)")

    # -- painting --------------------------------------------------------------------------------
    def paint(self, rankdir, title, legend) -> graphviz.Digraph:
        g = Drawing("backprop", graph_attr={"rankdir": rankdir, "fontname": FONT, "nodesep": "0.25",
                                                "ranksep": "0.35", "labelloc": "t", "fontsize": "13"},
                    node_attr={"fontname": FONT, "fontsize": "11", "margin": "0.08,0.04"},
                    edge_attr={"fontname": FONT, "color": "#4b5563", "arrowsize": "0.7"})
        clusters: dict[tuple, graphviz.Digraph] = {}
        ops = self.graph.ops

        def place(path) -> graphviz.Digraph:
            if not self.group_modules or not path:
                return g
            group = self._group(path)
            path = tuple(path) if group is None else tuple(group[:-1])
            if not path:
                return g
            key = tuple(id(m) for m in path)
            if key not in clusters:
                for d in range(1, len(path) + 1):
                    k = key[:d]
                    if k not in clusters:
                        clusters[k] = self._cluster(path[:d], len(clusters))
            return clusters[key]

        kinds = set()
        for i in range(len(ops) - 1, -1, -1):  # in forward order: dot lays inputs out first
            op = ops[i]
            group = self._group(op.path)
            if group is None:
                style = dict(STYLE["op"])
                if i == self.current:
                    style.update(fillcolor="#fed7aa", color=CURRENT_COLOR, penwidth="3")
                place(op.path).node(op.id, _op_label(op.node), **style)
                kinds.add("op")
            elif group not in self.group_ids:
                self.group_ids[group] = f"m{len(self.group_ids)}"
                kinds.add("collapsed")
                place(group).node(self._head(i), self._group_label(group), **STYLE["collapsed"])
        tensors = [t for t in self._forward_order() if self._tensor_visible(t)]
        for t in tensors:
            grad, note = self._grad_of(t)
            label = _tensor_label(t, grad, note, self._extra_rows(t, grad), self.options)
            place(self._tensor_path(t)).node(t.id, label, **STYLE[t.kind])
            kinds.add(t.kind)
        edges = set()
        for t in tensors:
            if t.producer is not None:
                tail = self._head(t.producer)
                g.edge(tail, t.id)
                if self.show_flows and t.producer in self.done:  # the grad_out the op received
                    g.edge(tail, t.id, dir="back", **self._flow_style(t.producer))
            for i, j in t.consumers:
                head = self._head(i)
                if head == self.graph.ops[i].id or (t.id, head) not in edges:
                    edges.add((t.id, head))
                    g.edge(t.id, head)
                flow = self.flows.get((i, j))
                if self.show_flows and flow is not None:
                    g.edge(t.id, head, _flow_label(flow, self.options["max_elements"]), dir="back",
                           **self._flow_style(i))
        for key in sorted(clusters, key=len, reverse=True):
            (clusters[key[:-1]] if len(key) > 1 else g).subgraph(clusters[key])
        if legend:
            g.node("legend", self._legend(kinds, rankdir in ("TB", "BT")), shape="plain")
        g.attr(label=self._title(title))
        return g

    def _forward_order(self) -> list:
        """Tensors in the order the forward pass made them: each op's inputs, then its output."""
        order, seen = [], set()
        for op in reversed(self.graph.ops):
            for t in op.inputs + [op.output]:
                if id(t) not in seen:
                    seen.add(id(t))
                    order.append(t)
        return order or self.graph.tensors

    def _flow_style(self, i: int) -> dict:
        current = i == self.current
        return {"style": "dashed", "color": CURRENT_COLOR if current else GRAD_COLOR,
                "fontcolor": CURRENT_COLOR if current else GRAD_COLOR,
                "penwidth": "2.2" if current else "1.2"}

    def _tensor_path(self, t: _Tensor) -> tuple:
        ops = self.graph.ops
        if t.producer is not None:
            return ops[t.producer].path
        if t.kind == "input" or not t.consumers:
            return ()
        if t.kind == "leaf" and id(t.tensor) not in self.graph.param_names:
            return ()
        paths = [ops[i].path for i, _ in t.consumers]
        common = paths[0]
        for p in paths[1:]:
            n = 0
            while n < min(len(common), len(p)) and common[n] is p[n]:
                n += 1
            common = common[:n]
        return common

    def _cluster(self, path, n) -> graphviz.Digraph:
        module = path[-1]
        qual = self.graph.module_names.get(id(module), "")
        name = f'  <FONT COLOR="#374151">{_e(qual)}</FONT>' if qual else ""
        label = f"<<B>{_e(module_summary(module))}</B>{name}>"
        return graphviz.Digraph(name=f"cluster_{n}", graph_attr={
            "label": label, "labeljust": "l", "style": "rounded,filled", "color": "#9ca3af",
            "fillcolor": CLUSTER_COLORS[(len(path) - 1) % len(CLUSTER_COLORS)], "fontsize": "11"})

    def _group_label(self, group) -> str:
        module = group[-1]
        crumbs = " > ".join(type(m).__name__ for m in group[:-1])
        qual = self.graph.module_names.get(id(module), "")
        count = sum(1 for op in self.graph.ops if self._group(op.path) == group)
        lines = [f"<B>{_e(module_summary(module))}</B>"]
        if qual or crumbs:
            lines.append(f'<FONT POINT-SIZE="9">{_e((crumbs + " > ") if crumbs else "")}{_e(qual)}</FONT>')
        lines.append(f'<FONT POINT-SIZE="9" COLOR="#6b7280">{count} ops, collapsed</FONT>')
        return "<" + "<BR/>".join(lines) + ">"

    def _legend(self, kinds, vertical: bool) -> str:
        cells = []
        for kind in ("leaf", "input", "constant", "intermediate", "output", "op", "collapsed"):
            if kind in kinds:
                s = STYLE[kind]
                cells.append(f'<TD BGCOLOR="{s["fillcolor"]}" BORDER="1" COLOR="{s["color"]}" '
                             f'STYLE="{"rounded" if kind in ("leaf", "op") else ""}">'
                             f'<FONT POINT-SIZE="9">{KIND_TEXT[kind]}</FONT></TD>')
        cells.append('<TD BORDER="0"><FONT POINT-SIZE="9" COLOR="#4b5563">→ forward</FONT></TD>')
        notes = (["⇠ gradient flowing back"] if self.show_flows else []) + (
            ["grad = ∂root/∂tensor"] if self.options["show_grad"] else [])
        cells += [f'<TD BORDER="0"><FONT POINT-SIZE="9" COLOR="{GRAD_COLOR}">{n}</FONT></TD>' for n in notes]
        if vertical:  # beside a top-to-bottom graph, a column takes less room than a row
            rows = "".join(f"<TR>{cell}</TR>" for cell in cells)
        else:
            rows = "<TR>" + "".join(cells) + "</TR>"
        return f'<<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="3">{rows}</TABLE>>'

    def _title(self, title) -> str:
        lines = [f"<B>{_e(title)}</B>"] if title else []
        if self.step is not None:
            lines.append(f'<FONT COLOR="{CURRENT_COLOR}">' + _e(self._step_text()) + "</FONT>")
        lines += [f'<FONT POINT-SIZE="10" COLOR="#92400e">{_e(n)}</FONT>' for n in self.notes]
        return "<" + "<BR/>".join(lines) + ">" if lines else ""

    def _step_text(self) -> str:
        if self.step == 0:
            return ("Before backward: the forward values are known; backward will start with grad 1 "
                    "at the root.")
        op = self.graph.ops[self.current]
        return f"Step {self.step}: {op.node.describe()}: {RULES.get(op.node.name, 'vector-Jacobian product')}"


# ---------------------------------------------------------------------------------------------
# The step-through page
# ---------------------------------------------------------------------------------------------
def save_steps(root, folder: str | os.PathLike, *, names: Mapping | None = None, max_steps: int = 400,
               **draw_options) -> str:
    """Write backward of ``root`` as SVG frames (``step_000.svg`` is before backward, then one
    per step) and a self-contained ``index.html`` to walk through them (buttons, arrow keys,
    ``index.html#3`` opens step 3).  Needs Graphviz's ``dot``.  Returns the page's path."""
    records = _observe_backward(root)
    if len(records) > max_steps:
        raise ValueError(f"save_steps: {len(records)} steps is more than max_steps={max_steps}; "
                         "a step-through is for small graphs (draw a smaller batch or model)")
    graph = _Graph(root, names, draw_options.pop("module", None))
    captions = ["Before backward: each tensor shows its value from the forward pass. Backward "
                "will start at the root with grad 1 and visit the ops in reverse."]
    captions += [s.caption for s in _steps(graph, records)]
    options = {"show_data": draw_options.pop("show_data", True), "show_grad": True,
                   "max_elements": draw_options.pop("max_elements", 6)}
    layout = {"group_modules": True, "collapse": None, "max_nodes": 1500, "rankdir": "LR", "title": None,
              "legend": True}
    unknown = set(draw_options) - set(layout)
    if unknown:
        raise TypeError(f"save_steps: unexpected options {sorted(unknown)}")
    layout.update(draw_options)
    os.makedirs(folder, exist_ok=True)
    frames = []
    ops = {id(op.node): op for op in graph.ops}
    for k, caption in enumerate(captions):
        drawing = _draw(graph, records, k, options, True, layout["group_modules"], layout["collapse"],
                        layout["max_nodes"], layout["rankdir"], layout["title"], layout["legend"])
        svg = drawing.pipe(format="svg").decode("utf-8")
        with open(os.path.join(folder, f"step_{k:03d}.svg"), "w", encoding="utf-8") as file:
            file.write(svg)
        focus = ops[id(records[k - 1][0])].id if k else ""  # the node to scroll to
        frames.append((caption, focus, _inline_svg(svg)))
    path = os.path.join(folder, "index.html")
    with open(path, "w", encoding="utf-8") as file:
        file.write(_page(frames))
    return path


def _inline_svg(svg: str) -> str:
    """An SVG document made fit to sit inside HTML: no XML prolog, doctype or comments."""
    svg = re.sub(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", "", svg, flags=re.S)
    return svg.strip()


def _page(frames) -> str:
    sections = "\n".join(
        f'<section class="frame{" current" if k == 0 else ""}" id="frame-{k}" data-step="{k}" '
        f'data-focus="{focus}" data-caption="{_e(caption)}">{svg}</section>'
        for k, (caption, focus, svg) in enumerate(frames))
    return _PAGE.replace("{last}", str(len(frames) - 1)).replace("{caption}", _e(frames[0][0])) \
                .replace("{sections}", sections)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>minigrad: backward step by step</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; background: #fafafa; color: #111827; }
header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #d1d5db;
         padding: 8px 16px; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
button { font-size: 15px; padding: 4px 14px; cursor: pointer; }
#counter { font-weight: bold; min-width: 7em; }
#caption { flex: 1 1 420px; font-size: 15px; }
.frame { display: none; padding: 12px; overflow: auto; }
.frame.current { display: block; }
.frame svg { max-width: 100%; height: auto; }
body.actual-size .frame svg { max-width: none; }
</style></head>
<body data-current="0">
<header>
<button id="prev" type="button" title="previous step (left arrow)">&#9664; prev</button>
<span id="counter">Step 0 / {last}</span>
<button id="next" type="button" title="next step (right arrow)">next &#9654;</button>
<input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
<label><input id="fit" type="checkbox" checked> fit to window</label>
<div id="caption">{caption}</div>
</header>
<main>
{sections}
</main>
<script>
(function () {
  var frames = document.querySelectorAll(".frame");
  var current = 0;
  var caption = document.getElementById("caption"), counter = document.getElementById("counter");
  var slider = document.getElementById("slider");
  var prev = document.getElementById("prev"), next = document.getElementById("next");
  function show(i) {
    i = Math.max(0, Math.min(frames.length - 1, i));
    frames[current].classList.remove("current");
    frames[i].classList.add("current");
    current = i;
    document.body.setAttribute("data-current", String(i));
    caption.textContent = frames[i].getAttribute("data-caption");
    counter.textContent = "Step " + i + " / " + (frames.length - 1);
    slider.value = String(i);
    prev.disabled = i === 0;
    next.disabled = i === frames.length - 1;
    try { history.replaceState(null, "", "#" + i); } catch (e) { /* file:// may refuse */ }
    focus();
  }
  function focus() {  // at actual size, bring the node of this step into view
    if (!document.body.classList.contains("actual-size")) return;
    var want = frames[current].getAttribute("data-focus");
    var titles = frames[current].querySelectorAll("g.node > title");
    for (var k = 0; k < titles.length; k++) {
      if (titles[k].textContent === want) {
        titles[k].parentNode.scrollIntoView({block: "center", inline: "center"});
      }
    }
  }
  prev.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
  document.getElementById("fit").addEventListener("change", function (event) {
    document.body.classList.toggle("actual-size", !event.target.checked);
    focus();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight" || event.key === " ") { show(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    else if (event.key === "Home") { show(0); }
    else if (event.key === "End") { show(frames.length - 1); }
  });
  var start = parseInt((location.hash || "").replace(/^#(step=)?/, ""), 10);
  show(isNaN(start) ? 0 : start);
  window.minigradSteps = { show: show };
})();
</script>
</body></html>
"""
