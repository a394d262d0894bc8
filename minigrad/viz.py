"""Drawings of the backprop graph: values, gradients, modules, and backward step by step.

``draw_graph(root)`` returns a ``graphviz.Digraph`` with one node per tensor and one per op.
Building it needs only the graphviz Python package; rendering it (``.render``, ``.pipe``,
Jupyter's inline SVG) runs Graphviz's ``dot``.  This module collects the graph and the gradients;
``minigrad.viz_layout`` paints them.

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

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import graphviz

from . import engine
from .autograd.function import OutputGrads
from .backend import ndarray, xp
from .engine import Function, run_backward, topological_order
from .viz_layout import (  # noqa: F401  (STYLE and the colours are public: the legend's key)
    CURRENT_COLOR,
    GRAD_COLOR,
    STYLE,
    Drawing,
    Painter,
    backward_rule,
    escape,
    module_summary,
    shape_text,
    summarize,
)
from .viz_render import can_render, no_dot_error, render_bytes  # noqa: F401  (public: can the machine draw?)
from .viz_theme import theme as _theme


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
    """The ops behind a root in topological order (the root's op first) and the tensors between
    them, each tensor once: leaves and input arrays by identity, each op's output."""

    def __init__(self, root, names: Mapping | None, module=None):
        self.root = root
        self.ops: list[_Op] = []
        self.tensors: list[_Tensor] = []
        by_tensor, by_array, by_node = _split_names(names)
        roots = [module] if module is not None else []
        node = root.grad_fn
        order = topological_order([node]) if node is not None else []
        self.freed = any(n.inputs is None for n in order)
        self.position = {n: i for i, n in enumerate(order)}  # node -> its index in self.ops
        for i, n in enumerate(order):
            op = _Op(f"op{i}", n, engine.node_context(n))
            self.ops.append(op)
            if op.path and not any(op.path[0] is r for r in roots):  # an outermost module
                roots.append(op.path[0])
            kind = "output" if i == 0 else "intermediate"
            value = root.data if i == 0 else n.output
            name = by_node.get(id(n)) or (by_tensor.get(id(root)) if i == 0 else None)
            op.output = self._add(f"v{i}", kind, name, value, root if i == 0 else None, producer=i)
        self.param_names, self.module_names = _module_names(roots)
        leaves: dict[int, _Tensor] = {}
        arrays: dict[int, _Tensor] = {}
        for i, n in enumerate(order):
            op = self.ops[i]
            for j, parent in enumerate(n.parents):
                if isinstance(parent, Function):
                    t = self.ops[self.position[parent]].output
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


def _observe_backward(graph: _Graph) -> list[tuple]:
    """Run the engine's backward over the retained graph of ``graph.root`` and record every step.

    No ``.grad`` is written (``targets=[]``), the graph is retained, and the replay runs no
    hooks and no anomaly check (``side_effects=False``), so the user's next ``backward()`` is
    unaffected.  The observer is this pass's own: a backward run elsewhere meanwhile is not
    recorded.
    """
    root = graph.root
    if root.grad_fn is None:
        return []
    if graph.freed:
        raise RuntimeError(
            "the graph was freed by backward(), so its steps cannot be replayed; call "
            "loss.backward(retain_graph=True) instead, or draw before backward()"
        )
    records = []

    def observer(node, grad, grad_inputs):
        records.append((node, _array(grad), tuple(_array(g) for g in grad_inputs)))

    # Hooks may have side effects (retain_grad stores into .grad), and anomaly mode would raise
    # where the drawing should show the nan: the pass runs without either.
    run_backward([root], [xp.ones_like(root.data)], True, False, targets=[], observer=observer,
                 side_effects=False)
    return records


def _array(g):
    if engine.is_tensor(g):
        return g.data
    # Not one array: what the outputs of a custom autograd.Function with several outputs send
    # to its node (one gradient per output); the drawing shows each output's own instead.
    return None if isinstance(g, OutputGrads) else g


def backward_steps(root, names: Mapping | None = None) -> Iterator[BackwardStep]:
    """The steps of ``root.backward()``, in the order the engine runs them, without running it
    for real (no ``.grad`` changes; the graph must not have been freed).

    >>> import minigrad as mg
    >>> w = mg.tensor(3.0, requires_grad=True)
    >>> [s.op for s in backward_steps((w * w).tanh())]
    ['tanh', 'mul']
    """
    graph = _Graph(root, names)
    yield from _steps(graph, _observe_backward(graph))


def _steps(graph: _Graph, records: list) -> list[BackwardStep]:
    steps = []
    for k, (node, grad, grad_inputs) in enumerate(records, 1):
        step = BackwardStep(k, len(records), node, grad, grad_inputs)
        step.caption = _caption(step, graph.ops[graph.position[node]], graph.ops)
        steps.append(step)
    return steps


def _caption(step: BackwardStep, op: _Op, ops) -> str:
    rule = backward_rule(op.node)
    sent = [_tensor_title(t, ops) for t, g in zip(op.inputs, step.grad_inputs) if g is not None]
    where = f" and sends gradients to {', '.join(sent)}" if sent else ""
    grad = summarize(step.grad_output, 3)[0]
    shape = shape_text(step.grad_output)
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


def render(graph: graphviz.Digraph, path: str | os.PathLike, format: str | None = None) -> str:
    """Write ``graph`` to ``path`` as svg, png or pdf (from the extension unless ``format`` is
    given), or as DOT source for ``.dot``/``.gv``.  Returns the path."""
    path = os.fspath(path)
    fmt = (format or os.path.splitext(path)[1].lstrip(".") or "svg").lower()
    if fmt in ("dot", "gv"):
        data = graph.source.encode("utf-8")
    elif fmt in ("svg", "png", "pdf"):
        data = render_bytes(graph.source, fmt, graph.engine)
    else:
        raise ValueError(f"render: unknown format {fmt!r}; use svg, png, pdf or dot")
    with open(path, "wb") as file:
        file.write(data)
    return path


def draw_graph(root, *, show_data: bool = True, show_grad: bool = True, show_backward: bool = False,
               group_modules: bool = True, rankdir: str = "LR", max_elements: int = 6,
               names: Mapping | None = None, collapse: Iterable | None = None, step: int | None = None,
               module=None, max_nodes: int = 1500, title: str | None = None,
               legend: bool = True, theme: str = "light") -> graphviz.Digraph:
    """The backprop graph behind ``root`` as a ``graphviz.Digraph``.

    Tensors are boxes (blue: leaves that require grad, grey: inputs, dashed: constants, gold:
    the root), ops are violet ellipses; each tensor shows its name, shape, dtype, values and
    gradient.  ``show_backward`` adds, along each edge, the gradient flowing back (red, dashed).
    ``group_modules`` draws each nn module as a labelled box, ``collapse`` draws chosen modules
    (objects, qualified names or class names) as one node.  ``step=k`` shows backward after its
    k-th step (0: before it starts).  ``names={tensor: "x"}`` names tensors.  ``theme="dark"``
    paints it for a dark notebook (its own dark background, light text).

    While the graph is alive the gradients shown are computed by a side pass of the engine's
    backward that changes nothing (see the module's docstring); after a ``backward()`` that
    freed the graph, leaves show their ``.grad``.

    >>> import minigrad as mg
    >>> w = mg.tensor(0.5, requires_grad=True)
    >>> g = mg.draw_graph((w * 2).tanh(), names={w: "w"})
    >>> "tanh" in g.source and "w" in g.source
    True
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if not engine.is_tensor(root):
        raise TypeError(f"draw_graph: root must be a minigrad Tensor, got {type(root).__name__}")
    graph = _Graph(root, names, module)
    records = None
    if not graph.freed and root.grad_fn is not None and (show_grad or show_backward or step is not None):
        records = _observe_backward(graph)
    elif graph.freed and step is not None:
        raise RuntimeError("draw_graph(step=...): the graph was freed by backward(); call "
                           "loss.backward(retain_graph=True), or draw before backward()")
    if step is not None and not 0 <= step <= len(records or ()):
        raise ValueError(f"draw_graph: step must be between 0 and {len(records or ())}, got {step}")
    return _draw(graph, records, step, show_data=show_data, show_grad=show_grad,
                 show_backward=show_backward, max_elements=max_elements, group_modules=group_modules,
                 collapse=collapse, max_nodes=max_nodes, rankdir=rankdir, title=title, legend=legend,
                 theme=theme)


def _draw(graph, records, step, *, show_data, show_grad, show_backward, max_elements, group_modules,
          collapse, max_nodes, rankdir, title, legend, theme) -> graphviz.Digraph:
    notes = []
    if graph.freed:
        notes.append("backward() freed this graph: intermediate values and gradients are gone "
                     "(leaves show their .grad). Use loss.backward(retain_graph=True) to see them all.")
    elif records is not None and graph.root.data.size != 1:
        notes.append("non-scalar root: the gradients shown are those of root.sum()")
    options = {"show_data": show_data, "show_grad": show_grad, "max_elements": max_elements,
               "theme": _theme(theme)}
    painter = Painter(graph, records, step, options, show_backward or step is not None,
                       group_modules, collapse, max_nodes, notes)
    return painter.paint(rankdir, title, legend)


# ---------------------------------------------------------------------------------------------
# The step-through page
# ---------------------------------------------------------------------------------------------
# The options of draw_graph that save_steps passes on to every frame.
_FRAME_OPTIONS = ("show_data", "max_elements", "group_modules", "collapse", "max_nodes", "rankdir",
                  "title", "legend", "theme")


def save_steps(root, folder: str | os.PathLike, *, names: Mapping | None = None, max_steps: int = 400,
               **draw_options) -> str:
    """Write backward of ``root`` as SVG frames (``step_000.svg`` is before backward, then one
    per step) and a self-contained ``index.html`` to walk through them (buttons, arrow keys,
    ``index.html#3`` opens step 3).  Needs Graphviz's ``dot``, or the in-process Graphviz of
    ``pip install "minigrad[examples]"``.  ``theme="dark"`` makes the frames and the page dark.
    Returns the page's path."""
    unknown = set(draw_options) - {"module", *_FRAME_OPTIONS}
    if unknown:
        raise TypeError(f"save_steps: unexpected options {sorted(unknown)}")
    # draw_graph's defaults for the options not given; every frame shows gradients and flows.
    options = {key: draw_options.get(key, draw_graph.__kwdefaults__[key]) for key in _FRAME_OPTIONS}
    page_theme = _theme(options["theme"])  # a bad theme is refused before any frame is drawn
    graph = _Graph(root, names, draw_options.get("module"))
    records = _observe_backward(graph)
    if len(records) > max_steps:
        raise ValueError(f"save_steps: {len(records)} steps is more than max_steps={max_steps}; "
                         "a step-through is for small graphs (draw a smaller batch or model)")
    captions = ["Before backward: each tensor shows its value from the forward pass. Backward "
                "will start at the root with grad 1 and visit the ops in reverse."]
    captions += [s.caption for s in _steps(graph, records)]
    os.makedirs(folder, exist_ok=True)
    frames = []
    for k, caption in enumerate(captions):
        drawing = _draw(graph, records, k, show_grad=True, show_backward=True, **options)
        svg = drawing.pipe(format="svg").decode("utf-8")
        with open(os.path.join(folder, f"step_{k:03d}.svg"), "w", encoding="utf-8") as file:
            file.write(svg)
        focus = graph.ops[graph.position[records[k - 1][0]]].id if k else ""  # the node to scroll to
        frames.append((caption, focus, _inline_svg(svg, f"s{k}-")))
    path = os.path.join(folder, "index.html")
    with open(path, "w", encoding="utf-8") as file:
        file.write(_page(frames, page_theme))
    return path


def _inline_svg(svg: str, prefix: str) -> str:
    """An SVG document made fit to sit inside HTML: no XML prolog, doctype or comments, and its
    element ids prefixed so that the frames of one page do not share them."""
    svg = re.sub(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", "", svg, flags=re.S)
    return re.sub(r'\bid="', f'id="{prefix}', svg).strip()


def _page(frames, theme) -> str:
    sections = "\n".join(
        f'<section class="frame{" current" if k == 0 else ""}" id="frame-{k}" data-step="{k}" '
        f'data-focus="{focus}" data-caption="{escape(caption)}">{svg}</section>'
        for k, (caption, focus, svg) in enumerate(frames))
    colors = theme.page
    style = (f"body {{ background: {colors['background']}; color: {colors['text']}; }}\n"
             f"header {{ background: {colors['header']}; border-bottom-color: {colors['border']}; }}")
    return _PAGE.replace("{last}", str(len(frames) - 1)).replace("{caption}", escape(frames[0][0])) \
                .replace("{sections}", sections).replace("{theme}", style)


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
{theme}
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
