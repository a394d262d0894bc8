"""How a drawing of the graph looks: colours and shapes, the text of labels, and the DOT of a
graph (tensor and op nodes, module clusters, collapsed modules, backward edges, the legend).

minigrad.viz collects the graph and the gradients; this module only paints them.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

import graphviz
import numpy

from .backend import ndarray, xp
from .engine import Function
from .viz_render import Drawing
from .viz_theme import LIGHT, Theme

# Shapes: one per kind of tensor, ellipses for ops, 3-D boxes for collapsed modules; the colours
# are the theme's (minigrad.viz_theme).  STYLE and the other *_STYLE tables are the light theme's.
SHAPES = {
    "leaf": {"shape": "box", "style": "rounded,filled", "penwidth": "2"},
    "input": {"shape": "box", "style": "filled"},
    "constant": {"shape": "box", "style": "filled,dashed", "fontsize": "10"},
    "intermediate": {"shape": "box", "style": "filled"},
    "output": {"shape": "box", "style": "filled", "penwidth": "2", "peripheries": "2"},
    "op": {"shape": "ellipse", "style": "filled"},
    "collapsed": {"shape": "box3d", "style": "filled"},
}


def kind_styles(theme: Theme) -> dict:
    """The DOT attributes of each kind of node in ``theme``."""
    return {kind: {**shape, **theme.kinds[kind]} for kind, shape in SHAPES.items()}


def current_op_style(theme: Theme) -> dict:
    """The op that the step shown runs (draw_graph(step=k)): an op's style with these on top."""
    return {"fillcolor": theme.current_fill, "color": theme.current, "penwidth": "3"}


def flow_styles(theme: Theme) -> tuple[dict, dict]:
    """A gradient flowing back along an edge (show_backward), and one the current step sends."""
    flow = {"dir": "back", "style": "dashed", "color": theme.grad, "fontcolor": theme.grad, "penwidth": "1.2"}
    return flow, {**flow, "color": theme.current, "fontcolor": theme.current, "penwidth": "2.2"}


STYLE = kind_styles(LIGHT)
KIND_TEXT = {
    "leaf": "leaf that requires grad", "input": "input (no grad)", "constant": "constant",
    "intermediate": "intermediate", "output": "output (root)", "op": "op", "collapsed": "module, collapsed",
    "reference": "used again (drawn in full once)",
}
GRAD_COLOR, CURRENT_COLOR = LIGHT.grad, LIGHT.current
CURRENT_OP_STYLE = current_op_style(LIGHT)
FLOW_STYLE, CURRENT_FLOW_STYLE = flow_styles(LIGHT)
# A tensor used far from where it is drawn (x in x+x+...+x, a weight shared by the steps of an
# unrolled RNN) is drawn in full once, and as a small dotted reference box, in its kind's colours,
# beside each use more than MAX_EDGE_SPAN ranks away (a rank is one column of the drawing: an op
# and its output take two).  dot breaks an edge that crosses k ranks into k - 1 invisible nodes
# that its positioning (network simplex) must place too; one tensor joined to every op of a long
# chain makes their number quadratic in the chain's length, and a 100-term sum took minutes.
MAX_EDGE_SPAN = 8
# The edges from an op to its output and on to the next op weigh more in dot's positioning than
# those from leaves and references, so that a chain of ops is drawn straight, not as a staircase
# pulled aside by the inputs that join it.
DATA_PATH = {"weight": "3"}
REFERENCE_STYLE = {"shape": "box", "style": "rounded,filled,dotted", "penwidth": "1.5", "fontsize": "10",
                   "margin": "0.05,0.02"}
FONT = "Helvetica"


# What every backward computes: said of an op that gives no caption (a Function of the user's own).
GENERAL_RULE = "grad_in = grad_out · ∂out/∂in (its vector-Jacobian product)"


def backward_rule(node: Function) -> str:
    """What an op's backward does, in words, as a step-through shows it: its class's ``caption``,
    or GENERAL_RULE when it gives none."""
    return node.caption or GENERAL_RULE


def module_summary(module) -> str:
    """A one-line description of a module: ``Linear(4→8)``, ``ReLU()``, or its class name."""
    cls = type(module).__name__
    n_in, n_out = getattr(module, "in_features", None), getattr(module, "out_features", None)
    if isinstance(n_in, int) and isinstance(n_out, int):
        return f"{cls}({n_in}→{n_out})"
    text = repr(module)
    return text if "\n" not in text and len(text) <= 40 else cls


def dag_ranks(successors: dict) -> dict:
    """The rank (column) dot's layering gives each node of a graph, near enough: one after the
    furthest predecessor, and a source one before its nearest successor.  ``successors`` maps
    each node to its successors; nodes on a cycle keep what their other predecessors gave them.

    >>> dag_ranks({"x": ["f", "g"], "f": ["y"], "y": ["g"], "g": []})
    {'x': 0, 'f': 1, 'y': 2, 'g': 3}
    """
    indegree = Counter(s for after in successors.values() for s in after)
    rank = dict.fromkeys([*successors, *indegree], 0)
    sources = [n for n in rank if indegree[n] == 0]
    ready = list(sources)
    while ready:  # Kahn's order: a node is ranked once all its predecessors are
        n = ready.pop()
        for s in successors.get(n, ()):
            rank[s] = max(rank[s], rank[n] + 1)
            indegree[s] -= 1
            if indegree[s] == 0:
                ready.append(s)
    for n in sources:
        if successors.get(n):
            rank[n] = min(rank[s] for s in successors[n]) - 1
    return rank


# ---------------------------------------------------------------------------------------------
# Text of the labels
# ---------------------------------------------------------------------------------------------
def _num(v) -> str:
    if isinstance(v, (bool, numpy.bool_)):
        return str(bool(v))
    text = f"{v:.4g}"
    return "0" if text == "-0" else text


def shape_text(value) -> str:
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


# Characters XML 1.0 forbids: dot reads HTML labels as XML and would refuse the whole drawing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text) -> str:
    """``text`` for an HTML label: markup escaped, characters XML forbids shown as U+FFFD."""
    return html.escape(_NOT_XML.sub("\ufffd", str(text)), quote=True)


def _row(tag: str, lines: list[str], color: str, note: str = "") -> str:
    newline = '<BR ALIGN="LEFT"/>'
    body = newline.join(escape(x) for x in lines) + (newline if len(lines) > 1 else "")
    if note:
        body += f' <I>{escape(note)}</I>'
    return (f'<TR><TD ALIGN="RIGHT" VALIGN="TOP"><FONT POINT-SIZE="9" COLOR="{color}">{tag}</FONT></TD>'
            f'<TD ALIGN="LEFT"><FONT COLOR="{color}">{body}</FONT></TD></TR>')


def _tensor_label(t, grad, grad_note: str, extra_rows: str, options) -> str:
    value, theme = t.value, options["theme"]
    title = escape(t.name) if t.name else ""
    if t.kind == "constant" and not isinstance(value, ndarray):
        return "<" + (escape(_num(value)) if value is not None else "constant<BR/>(freed)") + ">"
    if value is None:
        head = f"<B>{title}</B> " if title else ""
        return (f'<{head}<FONT POINT-SIZE="10" COLOR="{theme.muted}">value freed</FONT>'
                f'{_grad_only(grad, options)}>')
    meta = f'{shape_text(value)} {value.dtype}'
    rows = [f'<TR><TD COLSPAN="2">{"<B>" + title + "</B>  " if title else ""}'
            f'<FONT POINT-SIZE="10" COLOR="{theme.muted}">{escape(meta)}</FONT></TD></TR>']
    if options["show_data"]:
        rows.append(_row("data", summarize(value, options["max_elements"]), theme.text))
    if options["show_grad"] and grad is not None:
        rows.append(_row("grad", summarize(grad, options["max_elements"]), theme.grad, grad_note))
    rows.append(extra_rows)
    return '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">' + "".join(rows) + "</TABLE>>"


def _grad_only(grad, options) -> str:
    if grad is None or not options["show_grad"]:
        return ""
    text = "<BR/>".join(escape(x) for x in summarize(grad, options["max_elements"]))
    return f'<BR/><FONT COLOR="{options["theme"].grad}">grad {text}</FONT>'


def _op_label(node: Function) -> str:
    options = ", ".join(f"{k}={v}" for k, v in node.options().items())
    if len(options) > 40:
        options = options[:37] + "..."
    detail = f'<BR/><FONT POINT-SIZE="9">{escape(options)}</FONT>' if options else ""
    return f"<<B>{escape(node.name)}</B>{detail}>"


def _flow_label(g, max_elements: int, theme: Theme) -> str:
    """The gradient flowing back along an edge: its shape and its values or largest magnitude."""
    a = numpy.asarray(g)
    if a.size <= min(max_elements, 3):
        text = summarize(a, 3)[0]
    else:
        text = "max |g| " + _num(numpy.abs(a).max()) if a.size else "[]"
    return f'<<FONT POINT-SIZE="9" COLOR="{theme.grad}">∂ {escape(shape_text(a))}: {escape(text)}</FONT>>'


# ---------------------------------------------------------------------------------------------
# The drawing
# ---------------------------------------------------------------------------------------------
class Painter:
    """Turns a collected graph (and the recorded backward) into DOT, in one linear pass."""

    def __init__(self, graph, records, step, options, show_flows, group_modules, collapse,
                 max_nodes, notes):
        self.graph, self.options, self.notes = graph, options, notes
        self.theme = options["theme"]
        self.show_flows, self.group_modules = show_flows, group_modules
        ops = graph.ops
        self.out_grad: dict[int, Any] = {}
        self.flows: dict[tuple, Any] = {}
        self.received: dict[int, Any] = {}  # tensor id -> gradient summed so far, in the engine's order
        self.done: set[int] = set()
        self.current = None
        for k, (node, grad, grad_inputs) in enumerate(records or (), 1):
            if step is not None and k > step:
                break
            i = graph.position[node]
            self.done.add(i)
            self.out_grad[i] = grad
            for j, g in enumerate(grad_inputs):
                if g is not None:
                    self.flows[(i, j)] = g
                    key = id(ops[i].inputs[j])
                    self.received[key] = g if key not in self.received else self.received[key] + g
            if k == step:
                self.current = i
        self.seeded = records is not None
        self.step = step
        self.scope_module: dict[tuple, Any] = {}
        self.scopes = self._scopes()
        self.collapsed = self._collapse_set(collapse)
        self.group_ids: dict[tuple, str] = {}
        self._assign_groups()
        self._collapse_to_fit(max_nodes)

    # -- modules and collapsing ------------------------------------------------------------------
    # An op's scope: one (module id, call) pair per module that was running, outermost first.
    # A module called several times (one ReLU object after every layer) gets one scope per call,
    # so each call is its own cluster.  Ops of one call are those joined by edges inside it.
    def _scopes(self) -> list[tuple]:
        ops = self.graph.ops
        parent: dict = {}

        def find(key):
            while parent.get(key, key) != key:
                parent[key] = parent.get(parent[key], parent[key])
                key = parent[key]
            return key

        for i, op in enumerate(ops):
            for t in op.inputs:
                if t.producer is None:
                    continue
                a, b = ops[t.producer].path, op.path
                d = 0
                while d < min(len(a), len(b)) and a[d] is b[d]:
                    d += 1
                    root_a, root_b = find((d, t.producer)), find((d, i))
                    if root_a != root_b:
                        parent[root_b] = root_a
        scopes = []
        for i, op in enumerate(ops):
            scope = tuple((id(m), find((d + 1, i))) for d, m in enumerate(op.path))
            for key, m in zip(scope, op.path):
                self.scope_module[key] = m
            scopes.append(scope)
        return scopes

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

    def _group(self, scope: tuple) -> tuple | None:
        """The scope of the collapsed module call that swallows this scope, if any."""
        for d, (module_id, _) in enumerate(scope):
            if module_id in self.collapsed:
                return scope[: d + 1]
        return None

    def _assign_groups(self) -> None:
        self.op_group = [self._group(scope) for scope in self.scopes]
        self.group_size = Counter(g for g in self.op_group if g is not None)

    def _collapse_to_fit(self, max_nodes: int) -> None:
        """Beyond ``max_nodes``, collapse modules from the innermost out until the drawing fits."""
        count = self._count()
        if count <= max_nodes:
            return
        depth = max((len(scope) for scope in self.scopes), default=0)
        for d in range(depth, 0, -1):
            self.collapsed |= {scope[d - 1][0] for scope in self.scopes if len(scope) >= d}
            self._assign_groups()
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
        ops = sum(1 for g in self.op_group if g is None) + len(self.group_size)
        return ops + sum(self._tensor_visible(t) for t in self.graph.tensors)

    def _tensor_visible(self, t) -> bool:
        if not self.collapsed:
            return True
        group = self.op_group
        if t.producer is not None:
            own = group[t.producer]
            return own is None or t.producer == 0 or any(group[i] != own for i, _ in t.consumers)
        if t.kind == "input":
            return True
        groups = {group[i] for i, _ in t.consumers}
        return None in groups or len(groups) > 1

    def _head(self, i: int) -> str:
        """The DOT node standing for op i: the op, or the collapsed module call that holds it."""
        group = self.op_group[i]
        if group is None:
            return self.graph.ops[i].id
        return self.group_ids.setdefault(group, f"m{len(self.group_ids)}")

    # -- gradients known -------------------------------------------------------------------------
    def _grad_of(self, t):
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

    def _extra_rows(self, t, grad) -> str:
        """A leaf whose .grad holds more than this graph's gradient (accumulated) says so."""
        if (t.kind != "leaf" or not self.seeded or self.step is not None or grad is None
                or not self.options["show_grad"] or t.tensor.grad is None):
            return ""
        held = t.tensor.grad.data
        if held.shape == numpy.shape(grad) and numpy.allclose(held, grad, rtol=1e-5, atol=1e-7):
            return ""
        return _row(".grad", summarize(held, self.options["max_elements"]), self.theme.accumulated,
                    "(accumulated)")

    # -- painting --------------------------------------------------------------------------------
    def paint(self, rankdir, title, legend) -> graphviz.Digraph:
        theme, styles = self.theme, kind_styles(self.theme)
        g = Drawing("backprop", graph_attr={"rankdir": rankdir, "fontname": FONT, "nodesep": "0.25",
                                                "ranksep": "0.35", "labelloc": "t", "fontsize": "13"},
                    node_attr={"fontname": FONT, "fontsize": "11", "margin": "0.08,0.04"},
                    edge_attr={"fontname": FONT, "color": theme.edge, "arrowsize": "0.7"})
        if theme.background:  # a dark drawing brings its background and its text colour along
            g.attr(bgcolor=theme.background, fontcolor=theme.text)
            g.attr("node", fontcolor=theme.text)
            g.attr("edge", fontcolor=theme.text)
        # What painting builds: the module frames, the kinds drawn (for the legend), the references.
        self.root, self.clusters, self.kinds, self.references = g, {}, set(), {}
        ops = self.graph.ops
        for i in range(len(ops) - 1, -1, -1):  # in forward order: dot lays inputs out first
            op, group = ops[i], self.op_group[i]
            if group is None:
                style = {**styles["op"], **current_op_style(theme)} if i == self.current else styles["op"]
                self._place(self.scopes[i]).node(op.id, _op_label(op.node), **style)
                self.kinds.add("op")
            elif group not in self.group_ids:
                self.kinds.add("collapsed")
                self._place(group).node(self._head(i), self._group_label(group), **styles["collapsed"])
        tensors = [t for t in self._forward_order() if self._tensor_visible(t)]
        for t in tensors:
            grad, note = self._grad_of(t)
            label = _tensor_label(t, grad, note, self._extra_rows(t, grad), self.options)
            self._place(self._tensor_scope(t)).node(t.id, label, **styles[t.kind])
            self.kinds.add(t.kind)
        self._paint_edges(tensors)
        clusters = self.clusters
        for key in sorted(clusters, key=len, reverse=True):
            (clusters[key[:-1]] if len(key) > 1 else g).subgraph(clusters[key])
        if legend:
            g.node("legend", self._legend(self.kinds, rankdir in ("TB", "BT")), shape="plain")
        g.attr(label=self._title(title))
        return g

    def _place(self, scope) -> graphviz.Digraph:
        """The cluster of a scope (outside the collapsed call that may swallow it)."""
        group = self._group(scope)
        scope = scope if group is None else group[:-1]
        if not self.group_modules or not scope:
            return self.root
        if scope not in self.clusters:
            for d in range(1, len(scope) + 1):
                if scope[:d] not in self.clusters:
                    self.clusters[scope[:d]] = self._cluster(scope[:d], len(self.clusters))
        return self.clusters[scope]

    def _paint_edges(self, tensors) -> None:
        """The forward edges (and, with show_flows, the gradient flowing back along each); a use
        far from its tensor starts at a reference box beside the op (see MAX_EDGE_SPAN)."""
        g, drawn = self.root, set()
        far = self._far_uses(tensors)
        for t in tensors:
            path = DATA_PATH if t.producer is not None else {}
            if t.producer is not None:
                tail = self._head(t.producer)
                g.edge(tail, t.id, **path)
                if self.show_flows and t.producer in self.done:  # the grad_out the op received
                    g.edge(tail, t.id, **self._flow_style(t.producer))
            for i, j in t.consumers:
                head = self._head(i)
                source = self._reference(t, i, head) if (t.id, head) in far else t.id
                if head == self.graph.ops[i].id or (source, head) not in drawn:
                    drawn.add((source, head))
                    g.edge(source, head, **(path if source == t.id else {}))
                flow = self.flows.get((i, j))
                if self.show_flows and flow is not None:
                    label = _flow_label(flow, self.options["max_elements"], self.theme)
                    g.edge(source, head, label, **self._flow_style(i))

    def _far_uses(self, tensors) -> set:
        """The (tensor, op node) edges that would cross more than MAX_EDGE_SPAN of dot's ranks."""
        successors: dict = {}
        for t in tensors:
            own = self._head(t.producer) if t.producer is not None else None
            if own is not None:
                successors.setdefault(own, {})[t.id] = None
            uses = successors.setdefault(t.id, {})
            for i, _ in t.consumers:
                if self._head(i) != own:  # a collapsed call's output fed back into the call
                    uses[self._head(i)] = None
        rank = dag_ranks(successors)
        return {(t.id, head) for t in tensors for head in successors[t.id]
                if rank[head] - rank[t.id] > MAX_EDGE_SPAN}

    def _reference(self, t, i: int, head: str) -> str:
        """The reference box of tensor t beside op node ``head``: its name and shape, in its
        kind's colours, dotted; one per (tensor, op node)."""
        key = (t.id, head)
        if key not in self.references:
            node = self.references[key] = f"{t.id}_at_{head}"
            if t.name:
                title = t.name
            elif t.producer is not None:
                title = f"{self.graph.ops[t.producer].node.name}'s output"
            else:
                title = {"leaf": "a leaf", "input": "an input"}.get(t.kind, "a constant")
            shape = shape_text(t.value) + " · " if t.value is not None else ""
            label = (f'<<B>{escape(title)}</B><BR/><FONT POINT-SIZE="8" COLOR="{self.theme.muted}">'
                     f'{escape(shape)}used again</FONT>>')
            style = {**self.theme.kinds[t.kind], **REFERENCE_STYLE}
            self._place(self.scopes[i]).node(node, label, **style)
            self.kinds.add("reference")
        return self.references[key]

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
        flow, current = flow_styles(self.theme)
        return current if i == self.current else flow

    def _tensor_scope(self, t) -> tuple:
        """An op's output sits with the op; a parameter in the innermost call that holds all its
        uses; inputs and constants outside every module."""
        if t.producer is not None:
            return self.scopes[t.producer]
        if t.kind != "leaf" or not t.consumers or id(t.tensor) not in self.graph.param_names:
            return ()
        common = self.scopes[t.consumers[0][0]]
        for i, _ in t.consumers[1:]:
            scope, n = self.scopes[i], 0
            while n < min(len(common), len(scope)) and common[n] == scope[n]:
                n += 1
            common = common[:n]
        return common

    def _cluster(self, scope, n) -> graphviz.Digraph:
        module = self.scope_module[scope[-1]]
        qual, fills = self.graph.module_names.get(id(module), ""), self.theme.cluster_fills
        name = f'  <FONT COLOR="{self.theme.muted}">{escape(qual)}</FONT>' if qual else ""
        label = f"<<B>{escape(module_summary(module))}</B>{name}>"
        return graphviz.Digraph(name=f"cluster_{n}", graph_attr={
            "label": label, "labeljust": "l", "style": "rounded,filled", "color": self.theme.cluster_border,
            "fillcolor": fills[(len(scope) - 1) % len(fills)], "fontsize": "11"})

    def _group_label(self, group) -> str:
        modules = [self.scope_module[key] for key in group]
        crumbs = " > ".join(type(m).__name__ for m in modules[:-1])
        qual = self.graph.module_names.get(id(modules[-1]), "")
        lines = [f"<B>{escape(module_summary(modules[-1]))}</B>"]
        if qual or crumbs:
            where = (crumbs + " > " if crumbs else "") + qual
            lines.append(f'<FONT POINT-SIZE="9">{escape(where)}</FONT>')
        count = self.group_size[group]
        lines.append(f'<FONT POINT-SIZE="9" COLOR="{self.theme.muted}">{count} ops, collapsed</FONT>')
        return "<" + "<BR/>".join(lines) + ">"

    def _legend(self, kinds, vertical: bool) -> str:
        cells = []
        reference = {**REFERENCE_STYLE, **self.theme.kinds["reference"]}
        styles = {**kind_styles(self.theme), "reference": reference}
        for kind in ("leaf", "input", "constant", "intermediate", "output", "op", "collapsed", "reference"):
            if kind in kinds:
                s = styles[kind]
                # a table cell is square or rounded: rounded stands for rounded boxes and ellipses
                rounded = "rounded" in s["style"] or s["shape"] in ("ellipse", "oval", "circle")
                cell_style = ",".join(["rounded"] * rounded + ["dotted"] * ("dotted" in s["style"]))
                cells.append(f'<TD BGCOLOR="{s["fillcolor"]}" BORDER="1" COLOR="{s["color"]}" '
                             f'STYLE="{cell_style}">'
                             f'<FONT POINT-SIZE="9">{KIND_TEXT[kind]}</FONT></TD>')
        cells.append(f'<TD BORDER="0"><FONT POINT-SIZE="9" COLOR="{self.theme.edge}">→ forward</FONT></TD>')
        notes = (["⇠ gradient flowing back"] if self.show_flows else []) + (
            ["grad = ∂root/∂tensor"] if self.options["show_grad"] else [])
        grad = self.theme.grad
        cells += [f'<TD BORDER="0"><FONT POINT-SIZE="9" COLOR="{grad}">{n}</FONT></TD>' for n in notes]
        if vertical:  # beside a top-to-bottom graph, a column takes less room than a row
            rows = "".join(f"<TR>{cell}</TR>" for cell in cells)
        else:
            rows = "<TR>" + "".join(cells) + "</TR>"
        return f'<<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="3">{rows}</TABLE>>'

    def _title(self, title) -> str:
        lines = [f"<B>{escape(title)}</B>"] if title else []
        if self.step is not None:
            lines.append(f'<FONT COLOR="{self.theme.current}">' + escape(self._step_text()) + "</FONT>")
        lines += [f'<FONT POINT-SIZE="10" COLOR="{self.theme.note}">{escape(n)}</FONT>' for n in self.notes]
        return "<" + "<BR/>".join(lines) + ">" if lines else ""

    def _step_text(self) -> str:
        if self.step == 0:
            return ("Before backward: the forward values are known; backward will start with grad 1 "
                    "at the root.")
        op = self.graph.ops[self.current]
        return f"Step {self.step}: {op.node.describe()}: {backward_rule(op.node)}"
