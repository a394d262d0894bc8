"""Draw a backprop graph from the command line (``python -m minigrad.draw`` or ``minigrad-draw``).

By default it draws one training step of a small MLP with cross-entropy; ``--expr`` draws an
expression of named tensors instead.  The output format follows the file's extension (svg, png,
pdf, or dot for the DOT source); ``--steps FOLDER`` also writes the backward step-through.

    python -m minigrad.draw -o mlp.svg
    python -m minigrad.draw --expr "tanh(w*x + b)" --var w=0.5 --var x=2 --var b=-1 -o neuron.png
    python -m minigrad.draw --expr "sum(relu(W @ x))" --var "W=[[1,-2],[3,4]]" --input x=1,2 --steps steps/

Expressions are parsed with ``ast`` and evaluated node by node over an allow-list of operators
and functions; nothing of them is ever passed to ``eval``.
"""
from __future__ import annotations

import argparse
import ast
import math
import os
import sys
import weakref
from collections.abc import Iterator, Sequence

import minigrad as mg

from . import autograd
from . import functional as F
from .creation import generator

PROG = "minigrad-draw"

# Functions an expression may call, as ``f(x, ...)`` or ``x.f(...)``.
UNARY = ("tanh", "relu", "sigmoid", "exp", "log", "sqrt", "abs", "sum", "mean", "softmax",
         "log_softmax", "amax", "amin", "logsumexp", "flatten", "transpose", "reshape", "clamp")
BINARY = ("maximum", "minimum", "matmul")
KEYWORDS = ("dim", "keepdim", "min", "max")
OPERATORS = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.Div: "__truediv__",
             ast.Pow: "__pow__", ast.MatMult: "__matmul__"}


class ExpressionError(ValueError):
    """An expression that is not allowed or does not evaluate; the message says why."""


def evaluate(expression: str, variables: dict):
    """The value of ``expression`` with ``variables`` (name -> Tensor), from its syntax tree.

    >>> import minigrad as mg
    >>> evaluate("tanh(w * 2)", {"w": mg.tensor(0.0, requires_grad=True)}).item()
    0.0
    """
    source = expression.strip()
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"--expr is not a valid expression: {error.msg}") from None
    try:
        result = _Evaluator(source, variables).value(tree.body)
    except ExpressionError:  # a ValueError too, but already worded for the user
        raise
    except (ValueError, TypeError, IndexError, RuntimeError) as error:
        raise ExpressionError(f"--expr could not be computed: {error}") from None
    if not isinstance(result, mg.Tensor) or not result.requires_grad:
        raise ExpressionError("--expr must depend on at least one --var (a tensor that requires grad)")
    return result


class _Evaluator:
    """Computes a syntax tree node by node, from the leaves up.  Only numbers, the variables, the
    OPERATORS and unary minus, and calls of the UNARY and BINARY functions are allowed; any other
    node (an attribute, a subscript, a comprehension...) is refused by name."""

    def __init__(self, source: str, variables: dict) -> None:
        self.source, self.variables = source, variables

    def value(self, node):
        """A number, a Tensor, or what an operator or a function makes of its operands' values."""
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.Name):
            return self.variable(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return _operate(OPERATORS[type(node.op)], self.value(node.left), self.value(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            return self.call(node)
        raise ExpressionError(f"--expr may not contain {type(node).__name__} "
                              f"({ast.get_source_segment(self.source, node) or '?'})")

    def variable(self, name: str):
        if name not in self.variables:
            known = ", ".join(sorted(self.variables)) or "none given"
            raise ExpressionError(f"unknown name {name!r} in --expr (variables: {known}; "
                                  "give one with --var NAME=VALUE)")
        return self.variables[name]

    def call(self, node: ast.Call):
        """``f(x, ...)`` or ``x.f(...)``: the receiver of a method is its first argument."""
        if isinstance(node.func, ast.Name):
            name, receiver = node.func.id, []
        elif isinstance(node.func, ast.Attribute):
            name, receiver = node.func.attr, [node.func.value]
        else:
            raise ExpressionError("--expr may only call functions by name")
        if name not in UNARY and name not in BINARY:
            raise ExpressionError(f"unknown function {name!r} in --expr (allowed: "
                                  f"{', '.join(UNARY + BINARY)})")
        args = [self.value(a) for a in receiver + node.args]
        return _apply(name, args, _keywords(name, node.keywords))


def _keywords(name: str, keywords: list) -> dict:
    """A call's keywords: only the KEYWORDS, and only constants (``dim=1``, ``keepdim=True``)."""
    found = {}
    for keyword in keywords:
        if keyword.arg not in KEYWORDS or not isinstance(keyword.value, ast.Constant):
            raise ExpressionError(f"{name}(): only constant {', '.join(KEYWORDS)}= keywords are allowed")
        found[keyword.arg] = keyword.value.value
    return found


def _operate(method: str, left, right):
    """``left op right`` by the Tensor's method; a number on the left uses the right's reflected
    method (``2 ** x`` is ``x.__rpow__(2)``), and two numbers make the left a Tensor."""
    if not isinstance(left, mg.Tensor) and not isinstance(right, mg.Tensor):
        left = _tensor_of(left)
    if isinstance(left, mg.Tensor):
        return getattr(left, method)(right)
    return getattr(right, "__r" + method[2:])(left)


def _apply(name: str, args: list, kwargs: dict):
    if name in BINARY:
        if len(args) != 2:
            raise ExpressionError(f"{name}() takes 2 arguments, got {len(args)}")
        a, b = (_tensor_of(x) for x in args)
        return a @ b if name == "matmul" else getattr(mg, name)(a, b)
    if not args:
        raise ExpressionError(f"{name}() needs a tensor argument")
    return getattr(_tensor_of(args[0]), name)(*args[1:], **kwargs)


def _tensor_of(value):
    return value if isinstance(value, mg.Tensor) else mg.tensor(float(value))


def parse_value(text: str):
    """``2``, ``1,2,3`` or ``[[1,2],[3,4]]`` as nested lists of floats (literal_eval: no code)."""
    try:
        value = ast.literal_eval(text if not ("," in text and "[" not in text) else f"[{text}]")
    except (ValueError, SyntaxError):
        raise ExpressionError(f"value {text!r} is not a number or a list of numbers") from None

    def check(v):
        if isinstance(v, bool) or not isinstance(v, (int, float, list, tuple)):
            raise ExpressionError(f"value {text!r} is not a number or a list of numbers")
        if isinstance(v, (list, tuple)):
            for item in v:
                check(item)

    check(value)
    return value


def _variables(specs: Sequence[str], requires_grad: bool, into: dict) -> None:
    for spec in specs:
        name, sep, text = spec.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExpressionError(f"expected NAME=VALUE, got {spec!r}")
        into[name] = mg.tensor(parse_value(text.strip()), dtype=mg.float32, requires_grad=requires_grad)


# ---------------------------------------------------------------------------------------------
# The default drawing: one training step of an MLP made of engine parts
# ---------------------------------------------------------------------------------------------
# The engine imports nothing of nn (nn stands on the engine, not the other way round), so the
# CLI builds its MLP from tensors and minigrad.functional, as nn.MLP would build it.  The
# drawing frames each layer all the same: while the MLP runs, every node recorded keeps the
# parts that were running (autograd's node context, the seam nn's Module records its stack
# through), and the drawing reads that context as the modules that ran the node.  Of a part it
# needs its class name (``--collapse Linear``), its in/out features or its repr (the frame's
# label), and of the MLP named_modules() and named_parameters() (``layers.0``,
# ``layers.0.weight``).
class Linear:
    """``y = x Wᵀ + b`` with W of shape (out, in), initialized as nn.Linear (PyTorch's default):
    W, then b, uniform in ±1/sqrt(in_features), from minigrad's seeded generator."""

    def __init__(self, in_features: int, out_features: int) -> None:
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = _uniform((out_features, in_features), bound)
        self.bias = _uniform((out_features,), bound)


class ReLU:
    """The activation after each hidden layer."""

    def __repr__(self) -> str:
        return "ReLU()"


class MLP:
    """Linear -> ReLU -> ... -> Linear, its parts named as nn.MLP names them: ``layers.0``...,
    ``activation``, and the parameters ``layers.0.weight``, ``layers.0.bias``...

    >>> import minigrad as mg
    >>> model = MLP([2, 3, 2])
    >>> model(mg.ones(4, 2)).shape, [name for name, _ in model.named_parameters()][:2]
    ((4, 2), ['layers.0.weight', 'layers.0.bias'])
    """

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = list(sizes)
        self.layers = [Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        self.activation = ReLU()  # one object after every hidden layer, as in nn.MLP
        self.running: tuple = ()  # weak references to the parts running, outermost first

    def __repr__(self) -> str:
        return "MLP(" + "→".join(map(str, self.sizes)) + ")"

    def named_modules(self) -> Iterator[tuple]:
        yield "", self
        for i, layer in enumerate(self.layers):
            yield f"layers.{i}", layer
        yield "activation", self.activation

    def named_parameters(self) -> Iterator[tuple]:
        for i, layer in enumerate(self.layers):
            yield f"layers.{i}.weight", layer.weight
            yield f"layers.{i}.bias", layer.bias

    def __call__(self, x):
        # The context is weak references (the graph must not keep the model alive).
        me = weakref.ref(self)
        previous = autograd.set_node_context(lambda: self.running)
        try:
            for i, layer in enumerate(self.layers):
                self.running = (me, weakref.ref(layer))
                x = F.linear(x, layer.weight, layer.bias)
                if i < len(self.layers) - 1:
                    self.running = (me, weakref.ref(self.activation))
                    x = F.relu(x)
        finally:
            autograd.set_node_context(previous)
            self.running = ()
        return x


def _uniform(shape: tuple, bound: float):
    # numpy's uniform(-b, b) on minigrad's generator, cast to float32: nn.init.uniform_'s numbers
    values = generator().uniform(-bound, bound, shape)
    return mg.tensor(values, dtype=mg.float32, requires_grad=True)


def training_step(sizes: Sequence[int], batch: int, seed: int):
    """The loss of one training step of an MLP with cross-entropy, names for its tensors, and
    the MLP (the same numbers as ``nn.MLP`` with this seed)."""
    mg.manual_seed(seed)
    model = MLP(sizes)
    x = mg.randn(batch, sizes[0])
    y = mg.tensor([i % sizes[-1] for i in range(batch)])
    loss = F.cross_entropy(model(x), y)
    return loss, {x: "x", y: "y (targets)", loss: "loss"}, model


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not the usage block
        self.exit(2, f"{PROG}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Draw the backprop graph of a small MLP's training step or "
                                       "of an expression, with values and gradients.")
    p.add_argument("--expr", help='an expression such as "tanh(w*x + b)" (default: an MLP step)')
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                   help="a tensor that requires grad: 0.5, 1,2,3 or [[1,2],[3,4]] (repeatable)")
    p.add_argument("--input", action="append", default=[], metavar="NAME=VALUE",
                   help="a tensor that does not require grad (repeatable)")
    p.add_argument("--mlp", default="2,3,2", metavar="SIZES",
                   help="layer sizes of the default MLP, input to output (default 2,3,2)")
    p.add_argument("--batch", type=int, default=2, help="batch size of the default MLP step")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("-o", "--output", default="graph.svg",
                   help="output file; its extension picks the format: svg, png, pdf, dot")
    p.add_argument("--steps", metavar="FOLDER", help="also write the backward step-through there")
    p.add_argument("--backward", action="store_true", help="draw the gradient flowing along each edge")
    p.add_argument("--no-data", action="store_true", help="hide values")
    p.add_argument("--no-grad", action="store_true", help="hide gradients")
    p.add_argument("--collapse", action="append", default=[], metavar="PART",
                   help="draw this part of the default MLP as one node: layers.0, activation, or "
                        "a class name (Linear, ReLU) (repeatable)")
    p.add_argument("--rankdir", default="LR", choices=["LR", "TB", "RL", "BT"])
    p.add_argument("--max-elements", type=int, default=6,
                   help="show every value of tensors up to this size (default 6)")
    p.add_argument("--title", help="a title above the drawing")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from . import viz

    extension = os.path.splitext(args.output)[1].lstrip(".").lower()
    if extension not in ("svg", "png", "pdf", "dot", "gv"):
        return _fail(f"cannot tell the format of {args.output!r}: end it in .svg, .png, .pdf or .dot")
    try:
        if args.expr:
            variables: dict = {}
            _variables(args.var, True, variables)
            _variables(args.input, False, variables)
            root = evaluate(args.expr, variables)
            names, module, title = {t: n for n, t in variables.items()}, None, args.expr
        else:
            if args.var or args.input:
                return _fail("--var and --input need --expr")
            sizes = [int(s) for s in args.mlp.split(",")] if args.mlp.replace(",", "").isdigit() else []
            if len(sizes) < 2 or min(sizes) < 1 or args.batch < 1:
                return _fail(f"--mlp needs at least two positive sizes such as 2,3,2 (got {args.mlp!r}) "
                             "and --batch a positive number")
            root, names, module = training_step(sizes, args.batch, args.seed)
            title = f"One training step: MLP {args.mlp.replace(',', '→')}, cross-entropy, batch {args.batch}"
        _check_collapse(args.collapse, module)
    except ExpressionError as error:
        return _fail(str(error))
    options = {"show_data": not args.no_data, "max_elements": args.max_elements, "rankdir": args.rankdir,
               "names": names, "module": module, "collapse": args.collapse or None,
               "title": args.title or title}
    try:
        graph = viz.draw_graph(root, show_grad=not args.no_grad, show_backward=args.backward, **options)
        viz.render(graph, args.output)
        written = [args.output]
        if args.steps:
            written.append(viz.save_steps(root, args.steps, **options))
    except (RuntimeError, ValueError, OSError) as error:
        return _fail(str(error).splitlines()[0], code=1)
    print(f"{PROG}: wrote {', '.join(written)}")
    return 0


def _check_collapse(wanted: Sequence[str], module) -> None:
    """A name given to --collapse that names no part of the drawing is a mistake, not a no-op."""
    if not wanted:
        return
    if module is None:
        raise ExpressionError("--collapse needs the default MLP drawing (an expression has no "
                              "modules to collapse)")
    known = {name for name, _ in module.named_modules() if name}
    known |= {type(m).__name__ for _, m in module.named_modules()}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ExpressionError(f"--collapse {unknown[0]!r} names no part of the MLP (its parts: "
                              f"{', '.join(sorted(known))})")


def _fail(message: str, code: int = 2) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
