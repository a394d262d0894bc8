"""The expression language of ``minigrad-draw``: ``--expr`` and the values of ``--var`` and ``--input``.

An expression is parsed with ``ast``, checked against an allow-list (numbers, the variables,
``+ - * / ** @``, unary minus, and calls of the UNARY and BINARY functions by name) and against
the LIMITS, then evaluated node by node; nothing of it is ever passed to ``eval``.  Values are
read with ``ast.literal_eval`` and checked to make a tensor.  Whatever is typed ends in a Tensor
or in an ``ExpressionError`` whose message says, on one line, what is wrong: every number, given
or computed, must be finite in float32 (a NaN or an overflow would be drawn as if it were a
result), and sizes are checked before anything big is computed.
"""
from __future__ import annotations

import ast
import keyword
import math
import re
import warnings
from collections.abc import Sequence

import numpy

import minigrad as mg

# Functions an expression may call, as ``f(x, ...)`` or ``x.f(...)``.
UNARY = ("tanh", "relu", "sigmoid", "exp", "log", "sqrt", "abs", "sum", "mean", "softmax",
         "log_softmax", "amax", "amin", "logsumexp", "flatten", "transpose", "reshape", "clamp")
BINARY = ("maximum", "minimum", "matmul")
KEYWORDS = ("dim", "keepdim", "min", "max")
OPERATORS = {ast.Add: "__add__", ast.Sub: "__sub__", ast.Mult: "__mul__", ast.Div: "__truediv__",
             ast.Pow: "__pow__", ast.MatMult: "__matmul__"}

# What minigrad-draw accepts, each checked before the work it bounds is done: parsing
# (characters, nesting), the drawing's size (operators), memory (elements).  Python's parser itself gives up
# near 200 nested parentheses and on operator chains a few thousand long.
MAX_EXPRESSION_CHARS = 10_000
MAX_OPERATIONS = 500       # operators and calls in --expr: a drawing of about 1,000 nodes
MAX_NESTING = 100          # parentheses, brackets and calls inside one another in --expr
MAX_VALUE_CHARS = 100_000  # one --var or --input value (an argument is at most 128 KiB on Linux)
MAX_VALUE_DEPTH = 32       # brackets in a value: a tensor of at most 32 dimensions
MAX_ELEMENTS = 1_000_000   # numbers in any tensor, given or computed
FLOAT32_MAX = float(numpy.finfo(numpy.float32).max)
LIMITS = (f"--expr: at most {MAX_EXPRESSION_CHARS:,} characters, {MAX_OPERATIONS} operators and calls, "
          f"nested at most {MAX_NESTING} deep; a value: at most {MAX_VALUE_CHARS:,} characters, "
          f"{MAX_VALUE_DEPTH} brackets deep, rectangular and not empty, of finite numbers within "
          f"float32's ±{FLOAT32_MAX:.2e}; any tensor, given or computed: at most {MAX_ELEMENTS:,} "
          "elements")


class ExpressionError(ValueError):
    """An expression or a value that is not allowed or does not evaluate; the message says why."""


def evaluate(expression: str, variables: dict):
    """The value of ``expression`` with ``variables`` (name -> Tensor), from its syntax tree.

    >>> import minigrad as mg
    >>> evaluate("tanh(w * 2)", {"w": mg.tensor(0.0, requires_grad=True)}).item()
    0.0
    """
    source = expression.strip()
    tree = _parse(source)
    _check(tree, source, variables)
    try:
        with numpy.errstate(all="ignore"):  # an overflow is reported below, not as a warning
            result = _Evaluator(source, variables).value(tree.body)
    except ExpressionError:  # a ValueError too, but already worded for the user
        raise
    except (ValueError, TypeError, IndexError, RuntimeError, ArithmeticError, MemoryError) as error:
        raise ExpressionError(f"--expr could not be computed: {error}") from None
    if not isinstance(result, mg.Tensor) or not result.requires_grad:
        raise ExpressionError("--expr must depend on at least one --var (a tensor that requires grad)")
    return result


def _parse(source: str) -> ast.Expression:
    """The syntax tree of ``source``, once it is known to be of a size the parser copes with."""
    if len(source) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"--expr has {len(source):,} characters; the limit is {MAX_EXPRESSION_CHARS:,}")
    depth = _nesting(source)
    if depth > MAX_NESTING:
        raise ExpressionError(f"--expr nests parentheses, brackets or calls {depth} deep; the limit "
                              f"is {MAX_NESTING}")
    try:
        with warnings.catch_warnings():  # "1if x" warns on stderr: the checks below say what is wrong
            warnings.simplefilter("ignore")
            return ast.parse(source, mode="eval")
    except SyntaxError as error:
        if "digits" in str(error.msg):  # Python refuses integer literals of over 4300 digits
            raise ExpressionError("--expr has a number too large for float32") from None
        raise ExpressionError(f"--expr is not a valid expression: {error.msg}") from None
    except (RecursionError, MemoryError):  # a chain of thousands of operators
        raise ExpressionError(f"--expr is too long for Python's parser; the limit is {MAX_OPERATIONS} "
                              "operators and calls") from None
    except ValueError as error:  # a null character, a lone surrogate
        raise ExpressionError(f"--expr is not a valid expression: {error}") from None


def _nesting(text: str) -> int:
    """How deep brackets of any kind nest in ``text`` (unbalanced ones are the parser's to find)."""
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _check(tree: ast.Expression, source: str, variables: dict) -> None:
    """Refuse, before computing anything, what an expression may not contain: any syntax but
    numbers, the variables, the OPERATORS, unary minus and calls of UNARY and BINARY by name, and
    more than MAX_OPERATIONS operators and calls."""
    operations, called = 0, set()
    for node in ast.walk(tree):  # parents before children
        if id(node) in called or isinstance(node, (ast.Expression, ast.expr_context, ast.operator,
                                                   ast.unaryop, ast.keyword)):
            continue  # a function's name or a keyword's value, or parts of the nodes checked here
        if isinstance(node, ast.Constant):
            _number(node.value, f"--expr's {_segment(source, node)}")
        elif isinstance(node, ast.Name):
            _Evaluator(source, variables).variable(node.id)
        elif isinstance(node, ast.BinOp) and type(node.op) in OPERATORS or (
                isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd))):
            operations += 1
        elif isinstance(node, ast.Call):
            operations += 1
            # ``tanh`` of tanh(x) is no variable, and keepdim=True is checked as a keyword
            called |= {id(node.func), *(id(item.value) for item in node.keywords)}
            _keywords(_function_name(node), node.keywords, source)
        else:
            raise ExpressionError(f"--expr may not contain {type(node).__name__} ({_segment(source, node)})")
    if operations > MAX_OPERATIONS:
        raise ExpressionError(f"--expr has {operations} operators and calls; the limit is {MAX_OPERATIONS}")


def _segment(source: str, node) -> str:
    return shorten(ast.get_source_segment(source, node) or "?")


def shorten(text: str, width: int = 40) -> str:
    """``text`` on one line, cut in the middle when long: error messages quote what was typed."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    return f"{text[:width // 2]}...{text[-(width // 2):]} ({len(text):,} characters)"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value, where: str):
    """A number that float32 holds: an int or a float, finite and within float32's range (a
    bigger one would silently become inf, a tiny one 0)."""
    if not _is_number(value):
        kind = {str: "text", bytes: "bytes", complex: "a complex number", bool: "a boolean"}.get(
            type(value), type(value).__name__)
        raise ExpressionError(f"{where} is {kind}, not a real number")
    try:
        as_float = float(value)
    except OverflowError:  # an int beyond any float
        as_float = math.inf
    if math.isnan(as_float):
        raise ExpressionError(f"{where} is NaN: values must be finite numbers")
    if abs(as_float) > FLOAT32_MAX:
        kind = "infinite" if isinstance(value, float) and math.isinf(value) else "too large"
        raise ExpressionError(f"{where} is {kind}: float32 holds at most ±{FLOAT32_MAX:.4g}")
    if as_float != 0 and numpy.float32(as_float) == 0:
        raise ExpressionError(f"{where} is too small: it would be 0 in float32")
    return value


class _Evaluator:
    """Computes a checked syntax tree from the leaves up, with a stack of its own: a recursive
    walk would run into Python's recursion limit on a long chain such as ``x+x+...+x``."""

    def __init__(self, source: str, variables: dict) -> None:
        self.source, self.variables = source, variables

    def value(self, tree):
        values: dict = {}
        stack = [(tree, False)]
        while stack:
            node, operands_known = stack.pop()
            if not operands_known:
                stack.append((node, True))
                stack.extend((operand, False) for operand in reversed(_operands(node)))
            else:
                values[node] = self.compute(node, [values.pop(o) for o in _operands(node)])
        return values[tree]

    def compute(self, node, operands: list):
        """A number, a Tensor, or what an operator or a function makes of its operands."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.variable(node.id)
        if isinstance(node, ast.UnaryOp):
            return -operands[0] if isinstance(node.op, ast.USub) else operands[0]
        if isinstance(node, ast.BinOp):
            result = _operate(OPERATORS[type(node.op)], *operands)
        else:
            name = _function_name(node)
            result = _apply(name, operands, _keywords(name, node.keywords, self.source))
        if isinstance(result, mg.Tensor) and not numpy.isfinite(result.data).all():
            data = result.data
            bad = "NaN" if numpy.isnan(data).any() else "-inf" if (data < 0).all() else "inf"
            raise ExpressionError(f"--expr's {_segment(self.source, node)} gives {bad}, not a finite float32 "
                                  f"(an overflow past ±{FLOAT32_MAX:.4g}, a division by 0, a log of 0...)")
        return result

    def variable(self, name: str):
        if name not in self.variables:
            known = ", ".join(sorted(self.variables)) or "none given"
            raise ExpressionError(f"unknown name {name!r} in --expr (variables: {known}; "
                                  "give one with --var NAME=VALUE)")
        return self.variables[name]


def _operands(node) -> list:
    """The operand nodes of a checked node; a method's receiver is its first argument."""
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        return [node.operand]
    if isinstance(node, ast.Call):
        return ([node.func.value] if isinstance(node.func, ast.Attribute) else []) + node.args
    return []


def _function_name(node: ast.Call) -> str:
    """``f`` of ``f(x, ...)`` or ``x.f(...)``, if it is one of UNARY and BINARY."""
    if isinstance(node.func, ast.Name):
        name = node.func.id
    elif isinstance(node.func, ast.Attribute):
        name = node.func.attr
    else:
        raise ExpressionError("--expr may only call functions by name")
    if name not in UNARY and name not in BINARY:
        raise ExpressionError(f"unknown function {shorten(name)!r} in --expr (allowed: "
                              f"{', '.join(UNARY + BINARY)})")
    return name


def _keywords(name: str, keywords: list, source: str) -> dict:
    """A call's keywords: only the KEYWORDS, and only constants (``dim=-1``, ``keepdim=True``)."""
    found = {}
    for item in keywords:
        node, sign = item.value, 1
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):  # dim=-1
            node, sign = node.operand, -1
        if item.arg not in KEYWORDS or not isinstance(node, ast.Constant) or (
                sign < 0 and not _is_number(node.value)):
            raise ExpressionError(f"{name}(): only constant {', '.join(KEYWORDS)}= keywords are allowed")
        value = node.value if sign > 0 else -node.value
        if item.arg == "keepdim" and not isinstance(value, bool):
            raise ExpressionError(f"{name}(): keepdim= must be True or False, not "
                                  f"{_segment(source, item.value)}")
        if item.arg != "keepdim" and value is not None:
            _number(value, f"{name}()'s {item.arg}={_segment(source, item.value)}")
        found[item.arg] = value
    return found


def _operate(method: str, left, right):
    """``left op right`` by the Tensor's method; a number on the left uses the right's reflected
    method (``2 ** x`` is ``x.__rpow__(2)``), and two numbers make the left a Tensor (so that
    ``10**10**10`` is float32 arithmetic that overflows at once, not a Python integer that takes
    hours)."""
    if not isinstance(left, mg.Tensor) and not isinstance(right, mg.Tensor):
        left = _tensor_of(left)
    _check_size(method.strip("_"), left, right)
    if isinstance(left, mg.Tensor):
        return getattr(left, method)(right)
    return getattr(right, "__r" + method[2:])(left)


def _check_size(name: str, a, b) -> None:
    """Refuse an op whose result would exceed MAX_ELEMENTS (broadcasting (n, 1) with (1, m), or
    matmul's outer product), before it is allocated.  Shapes that do not fit are left to the op,
    whose error says how."""
    a_shape, b_shape = numpy.shape(a.data if isinstance(a, mg.Tensor) else a), \
        numpy.shape(b.data if isinstance(b, mg.Tensor) else b)
    try:
        if name == "matmul":  # (..., n, k) @ (..., k, m) -> (..., n, m); a 1-d side loses its dim
            rows = a_shape[-2:-1] if len(a_shape) > 1 else ()
            cols = b_shape[-1:] if len(b_shape) > 1 else ()
            shape = numpy.broadcast_shapes(a_shape[:-2], b_shape[:-2]) + rows + cols
        else:
            shape = numpy.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        return
    if math.prod(shape) > MAX_ELEMENTS:
        raise ExpressionError(f"{name} of shapes {a_shape} and {b_shape} would make {math.prod(shape):,} "
                              f"elements; the limit is {MAX_ELEMENTS:,}")


def _apply(name: str, args: list, kwargs: dict):
    if name in BINARY:
        if len(args) != 2:
            raise ExpressionError(f"{name}() takes 2 arguments, got {len(args)}")
        a, b = (_tensor_of(x) for x in args)
        _check_size(name, a, b)
        return a @ b if name == "matmul" else getattr(mg, name)(a, b)
    if not args:
        raise ExpressionError(f"{name}() needs a tensor argument")
    extra = [a for a in args[1:] if isinstance(a, mg.Tensor) or (name != "clamp" and not isinstance(a, int))]
    extra += [v for k, v in kwargs.items() if k == "dim" and v is not None and not isinstance(v, int)]
    if extra:
        wanted = "numbers" if name == "clamp" else "whole numbers (dims or sizes)"
        raise ExpressionError(f"{name}(): the arguments after the tensor must be {wanted}")
    return getattr(_tensor_of(args[0]), name)(*args[1:], **kwargs)


def _tensor_of(value):
    return value if isinstance(value, mg.Tensor) else mg.tensor(float(value))


# ---------------------------------------------------------------------------------------------
# Values of --var and --input
# ---------------------------------------------------------------------------------------------
def parse_value(text: str, name: str = "value"):
    """``2``, ``1,2,3`` or ``[[1,2],[3,4]]`` as nested lists of numbers (literal_eval: no code),
    checked to make a tensor: rectangular, not empty, finite float32 numbers, within LIMITS.

    >>> parse_value("[[1, 2], [3, 4.5]]")
    [[1, 2], [3, 4.5]]
    """
    where = f"{name} {shorten(text)!r}"
    if len(text) > MAX_VALUE_CHARS:
        raise ExpressionError(f"{where} is longer than {MAX_VALUE_CHARS:,} characters")
    if _nesting(text) > MAX_VALUE_DEPTH:
        raise ExpressionError(f"{where} nests brackets {_nesting(text)} deep; the limit is {MAX_VALUE_DEPTH}")
    if re.search(r"\b(nan|inf|infinity)\b", text, re.IGNORECASE):
        raise ExpressionError(f"{where} is not finite: NaN and infinities are not values to draw")
    try:
        with warnings.catch_warnings():  # as in _parse
            warnings.simplefilter("ignore")
            value = ast.literal_eval(text if not ("," in text and "[" not in text) else f"[{text}]")
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ExpressionError(f"{where} is not a number or a list of numbers") from None
    _check_shape(value, where)
    return value


def _check_shape(value, where: str) -> None:
    """A nested list that numpy would turn into an array of numbers: level by level (no
    recursion), every item a list or every item a number, lists of one length, none empty."""
    level, shape = [value], []
    while any(isinstance(v, (list, tuple)) for v in level):
        if not all(isinstance(v, (list, tuple)) for v in level):
            raise ExpressionError(f"{where} mixes numbers and lists at depth {len(shape) + 1}")
        lengths = {len(v) for v in level}
        if len(lengths) > 1:
            raise ExpressionError(f"{where} is ragged: its lists at depth {len(shape) + 1} have lengths "
                                  f"{', '.join(map(str, sorted(lengths)[:5]))} (a tensor needs one)")
        if 0 in lengths:
            raise ExpressionError(f"{where} has an empty list: a tensor to draw needs numbers")
        shape.append(lengths.pop())
        if math.prod(shape) > MAX_ELEMENTS:
            raise ExpressionError(f"{where} has more than {MAX_ELEMENTS:,} numbers")
        level = [item for v in level for item in v]
    for number in level:
        _number(number, where)


def read_variables(specs: Sequence[str], requires_grad: bool, into: dict) -> None:
    for spec in specs:
        name, sep, text = spec.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExpressionError(f"expected NAME=VALUE, got {shorten(spec)!r}")
        if keyword.iskeyword(name):
            raise ExpressionError(f"{name!r} is a Python keyword: name the tensor otherwise")
        if name in into:
            raise ExpressionError(f"{name!r} is given twice (as --var or --input)")
        value = parse_value(text.strip(), f"{name}=")
        into[name] = mg.tensor(value, dtype=mg.float32, requires_grad=requires_grad)
