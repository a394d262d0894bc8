"""One row of sample inputs per op of minigrad's registry (``minigrad.ops.registry.OPS``).

``tests/test_ops.py`` runs every row through the same checks: a float64 gradcheck over
hypothesis-drawn shapes, a second-order gradcheck, and PyTorch's values, gradients and result
dtypes.  Adding an op is its declaration (``@op`` in ``minigrad/ops/``) and its row here.

A row's ``inputs`` is a hypothesis strategy of :class:`Sample` (positional and keyword
arguments).  In them, float arrays become leaves that require grad, other arrays constant
tensors, :class:`Const` a constant tensor of any dtype, and lists of arrays lists of tensors;
everything else is passed as it is.  ``torch`` says how PyTorch computes the same thing, as
``torch_fn(torch, *args, **kwargs)`` on the converted arguments (default: the op's own name in
``torch``, ``torch.nn.functional`` or ``torch.Tensor``), or :data:`NO_TORCH` with the reason.

The rows of a family of ops may live in a file of their own beside this one,
``tests/op_rows_<family>.py``, defining ``ROWS`` (and importing the strategies from here): they
are gathered into this module's ``ROWS`` at the end, and a name in two files is an error.
"""
from __future__ import annotations

import importlib
import math
import operator
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st


@dataclass(frozen=True)
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Const:
    """An array passed as a constant tensor (no gradient), whatever its dtype."""
    array: np.ndarray


@dataclass(frozen=True)
class DType:
    """A dtype by name: ``mg.float32`` on minigrad's side, ``torch.float32`` on PyTorch's."""
    name: str


@dataclass(frozen=True)
class Row:
    inputs: st.SearchStrategy
    torch: Callable | str | None = None  # None: the op's own name in PyTorch
    differentiable: bool = True
    second_order: bool = True
    gradcheck: str = ""  # why there is no float64 gradcheck ("" = there is one)
    seeded: bool = False  # re-seed minigrad's generator before each call (random ops)
    call: Callable | None = None  # call(lib, *args, **kwargs) for syntax rather than a function
    why_no_second_order: str = ""


NO_TORCH = "no-torch"

# ---------------------------------------------------------------------------------------------
# Drawing inputs
# ---------------------------------------------------------------------------------------------
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
SHAPES_1D_UP = hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)
NO_KWARGS = st.just({})
LOGIT_SHAPES = st.sampled_from([(4, 3), (3,), (2, 3, 2), (1, 5)])


def values(draw, shape, low=None, high=None, away=(), integers=False, salt=0):
    """Random float64 values of ``shape`` from a drawn seed: above ``low`` / below ``high`` by at
    least 0.1, and at least 0.05 away from each point in ``away`` (the kinks of an op, where
    finite differences and gradients disagree).  Arrays of one sample take different ``salt``s,
    so that shrinking the seeds to the same number does not make them equal."""
    rng = np.random.default_rng([draw(st.integers(0, 2**32 - 1)), salt])
    if integers:  # small whole numbers: comparisons then meet ties
        return rng.integers(-2, 3, size=shape).astype(np.float64)
    x = rng.standard_normal(shape)
    if low is not None and high is not None:
        x = low + 0.1 + (high - low - 0.2) * rng.random(shape)
    elif low is not None:
        x = low + 0.1 + np.abs(x)
    elif high is not None:
        x = high - 0.1 - np.abs(x)
    for point in away:
        near = np.abs(x - point) < 0.05
        x = np.where(near, point + np.where(x >= point, 0.05, -0.05) + 0.01 * np.sign(x - point), x)
    return np.asarray(x, dtype=np.float64)


@st.composite
def unary(draw, shapes=SHAPES, kwargs=NO_KWARGS, **domain):
    return Sample((values(draw, draw(shapes), **domain),), draw(kwargs))


@st.composite
def binary(draw, scalars=True, a=None, b=None):
    """Two broadcastable arrays, or (with ``scalars``) a Python float on one side."""
    pair = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4)
    shape_a, shape_b = draw(pair).input_shapes
    x, y = values(draw, shape_a, **(a or {})), values(draw, shape_b, salt=1, **(b or {}))
    if scalars:
        side = draw(st.sampled_from(["none", "left", "right"]))
        if side == "left":
            x = float(x.flat[0]) if x.size else 1.5
        elif side == "right":
            y = float(y.flat[0]) if y.size else 1.5
    return Sample((x, y))


@st.composite
def with_dims(draw, shapes=SHAPES, several=True, none=True, keepdim=True, **domain):
    """An array and a ``dim`` (None, an int or a tuple) over which to reduce, and ``keepdim``."""
    shape = draw(shapes)
    ndim = len(shape)
    choices = [None] if none else []
    if ndim:
        choices += [draw(st.integers(-ndim, ndim - 1))]
        if several:
            several_dims = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)
            choices += [tuple(draw(several_dims))]
    dim = draw(st.sampled_from(choices))
    kwargs = {"dim": dim}
    if keepdim:
        kwargs["keepdim"] = draw(st.booleans())
    return Sample((values(draw, shape, **domain),), kwargs)


@st.composite
def one_dim(draw, shapes=SHAPES_1D_UP, **domain):
    shape = draw(shapes)
    return Sample((values(draw, shape, **domain),), {"dim": draw(st.integers(-len(shape), len(shape) - 1))})


def _all_dims(dim, ndim):
    return tuple(range(ndim)) if dim is None else dim


def torch_reduction(name):
    """PyTorch's reduction, where ``dim=None`` is spelt as every dimension."""
    def call(torch, x, dim=None, keepdim=False, **kwargs):
        return getattr(torch, name)(x, dim=_all_dims(dim, x.ndim), keepdim=keepdim, **kwargs)
    return call


@st.composite
def matmul_pair(draw):
    n, k, m, b = (draw(st.integers(1, 3)) for _ in range(4))
    shapes = draw(st.sampled_from([((k,), (k,)), ((k,), (k, m)), ((n, k), (k,)), ((n, k), (k, m)),
                                   ((b, n, k), (k, m)), ((n, k), (b, k, m)), ((b, 1, n, k), (2, k, m)),
                                   ((k,), (b, k, m)), ((b, n, k), (k,))]))
    return Sample(tuple(values(draw, s, salt=i) for i, s in enumerate(shapes)))


@st.composite
def linear_inputs(draw):
    features, out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    lead = draw(st.sampled_from([(), (3,), (2, 3)]))
    x, w = values(draw, lead + (features,)), values(draw, (out, features), salt=1)
    args = (x, w, values(draw, (out,), salt=2)) if draw(st.booleans()) else (x, w)
    return Sample(args)


@st.composite
def reshaped(draw):
    shape = draw(SHAPES)
    size = math.prod(shape)
    target = [d for d in range(1, size + 1) if size % d == 0]
    first = draw(st.sampled_from(target))
    new = (first, -1) if draw(st.booleans()) else (first, size // first)
    return Sample((values(draw, shape),) + new)


@st.composite
def flattened(draw):
    shape = draw(SHAPES)
    ndim = max(len(shape), 1)
    start = draw(st.integers(0, ndim - 1))
    end = draw(st.integers(start, ndim - 1))
    return Sample((values(draw, shape),), {"start_dim": start, "end_dim": end - ndim * draw(st.booleans())})


@st.composite
def permuted(draw):
    shape = draw(SHAPES)
    return Sample((values(draw, shape),) + tuple(draw(st.permutations(range(len(shape))))))


@st.composite
def transposed(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    dims = st.integers(-len(shape), len(shape) - 1)
    return Sample((values(draw, shape), draw(dims), draw(dims)))


@st.composite
def unsqueezed(draw):
    shape = draw(SHAPES)
    return Sample((values(draw, shape), draw(st.integers(-len(shape) - 1, len(shape)))))


@st.composite
def squeezed(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2))
    dims = [None] + list(range(-len(shape), len(shape)))
    dim = draw(st.sampled_from(dims))
    return Sample((values(draw, shape),) if dim is None else (values(draw, shape), dim))


@st.composite
def expanded(draw, method=True):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=2))
    lead = draw(st.sampled_from([(), (2,), (3, 1)]))
    target = lead + tuple(draw(st.sampled_from([1, 3])) if n == 1 else n for n in shape)
    if method and shape and draw(st.booleans()):  # -1 keeps a size
        target = target[:len(lead)] + (-1,) + target[len(lead) + 1:]
    x = values(draw, shape)
    return Sample((x,) + target) if method else Sample((x, target))


@st.composite
def joined(draw, stack=False):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    count = draw(st.integers(1, 3))
    ndim = len(shape)
    dim = draw(st.integers(-ndim - stack, ndim - 1 + stack))
    arrays = []
    for i in range(count):
        s = list(shape)
        if not stack:
            s[dim] = draw(st.integers(1, 3))
        arrays.append(values(draw, tuple(s), salt=i))
    return Sample((arrays,), {"dim": dim})


@st.composite
def where_inputs(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)).input_shapes
    condition = np.asarray(values(draw, shapes[0]) > 0)
    return Sample((condition, values(draw, shapes[1], salt=1), values(draw, shapes[2], salt=2)))


@st.composite
def indexed(draw):
    x = values(draw, (3, 4, 2))
    index = draw(st.sampled_from([
        1, -1, slice(1, 3), (slice(None), 2), (Ellipsis, 0), (None, 1), (0, slice(None, None, 2)),
        np.array([0, 2, 2]), (np.array([0, 1]), np.array([3, 3])), np.array([True, False, True]),
        x[..., 0] > 0,
        # an int is basic indexing, as in PyTorch: (4, 2) here, where numpy would give (2, 4)
        (1, slice(None), np.array([0, 1])), (np.array([2, 0, 2]), slice(None), 1),
        (1, np.array([True, False, True, True])), (True, slice(None), np.array([1, 1]), 0),
    ]))
    return Sample((x, index))


@st.composite
def integer_pair(draw, floats=False):
    """Two broadcastable integer or bool arrays (or, with ``floats``, float ones too), or a
    Python int or bool on one side."""
    pair = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4)
    shape_a, shape_b = draw(pair).input_shapes
    pairs = [("int64", "int64"), ("bool", "bool"), ("int32", "int64"), ("bool", "int64"),
             ("uint8", "uint8"), ("int32", "int32"), ("uint8", "bool")]
    dtypes = draw(st.sampled_from(pairs + ([("float64", "int64"), ("float64", "bool")] if floats else [])))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    arrays = [integers_of(rng, shape, dtype) for shape, dtype in zip((shape_a, shape_b), dtypes)]
    side = draw(st.sampled_from(["none", "left", "right"]))
    if side != "none":  # a Python number of the other array's kind
        other = arrays[1 if side == "left" else 0]
        number = bool(rng.random() < 0.5) if other.dtype == bool else int(rng.integers(0, 8))
        arrays[0 if side == "left" else 1] = number
    return Sample(tuple(Const(a) if isinstance(a, np.ndarray) else a for a in arrays))


def integers_of(rng, shape, dtype):
    if dtype == "bool":
        return rng.random(shape) < 0.5
    low = 0 if dtype == "uint8" else -8
    return rng.integers(low, 8, size=shape).astype(dtype)


@st.composite
def integer_tensor(draw, floats=False):
    shape = draw(SHAPES)
    dtype = draw(st.sampled_from(["int64", "int32", "uint8", "bool"] + (["float64"] if floats else [])))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return Sample((Const(integers_of(rng, shape, dtype)),))


@st.composite
def assigned(draw):
    """A tensor, a basic or advanced index into it, and a value (a tensor or a number) to write."""
    shape, index, target_shape = draw(st.sampled_from([
        ((3, 4), 1, (4,)), ((3, 4), (slice(None), 2), (3,)), ((3, 4), (slice(0, 2), slice(1, 3)), (2, 2)),
        ((3, 4), np.array([0, 2]), (2, 4)), ((3, 4), "mask", None),
        ((2, 3, 4), (0, slice(None), np.array([1, 3])), (3, 2)),  # the int selects first (PyTorch's order)
    ]))
    x = values(draw, shape)
    if isinstance(index, str):  # "mask"
        index = x > 0.5
        target_shape = (int(index.sum()),)
    value = draw(st.sampled_from(["tensor", "row", "number"]))
    if value == "number":
        return Sample((x, index, 2.5))
    shape = target_shape[-1:] if value == "row" else target_shape
    return Sample((x, index, values(draw, shape, salt=1)))


def assign(lib, x, index, value):
    """``y = x * 1; y[index] = value``: item assignment recorded into a non-leaf, as PyTorch does."""
    y = x * 1
    if lib.__name__ == "torch" and isinstance(index, tuple):
        index = tuple(lib.as_tensor(i) if isinstance(i, np.ndarray) else i for i in index)
    y[index] = value
    return y


@st.composite
def class_logits(draw, shapes=LOGIT_SHAPES):
    """Logits (N, C), (C,) or (N, C, d) and class-index targets for them."""
    shape = draw(shapes)
    classes = shape[1] if len(shape) >= 2 else shape[0]
    target_shape = (shape[0],) + shape[2:] if len(shape) >= 2 else ()
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    return values(draw, shape), rng.integers(0, classes, size=target_shape), classes


@st.composite
def cross_entropy_inputs(draw, nll=False):
    x, target, classes = draw(class_logits())
    kwargs = {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}
    if draw(st.booleans()):
        kwargs["weight"] = Const(values(draw, (classes,), low=0.0, salt=1))
    if not nll and draw(st.booleans()):
        kwargs["label_smoothing"] = draw(st.sampled_from([0.1, 0.5]))
    if draw(st.booleans()) and (target != target.flat[0]).any():  # some target is not ignored
        kwargs["ignore_index"] = int(target.flat[0])
    if not nll and "ignore_index" not in kwargs and draw(st.booleans()):  # class probabilities
        probabilities = np.exp(values(draw, x.shape, salt=2))
        target = probabilities / probabilities.sum(axis=1 if x.ndim >= 2 else 0, keepdims=True)
    return Sample((x, target), kwargs)


@st.composite
def margin_inputs(draw, torch_variant=True):
    x, target, _ = draw(class_logits(shapes=st.sampled_from([(4, 3), (3,), (1, 5)])))
    kwargs = {"reduction": draw(st.sampled_from(["mean", "sum", "none"])),
              "margin": draw(st.sampled_from([1.0, 0.5]))}
    if torch_variant:
        kwargs["p"] = draw(st.sampled_from([1, 2]))
    else:
        kwargs["squared"] = draw(st.booleans())
    return Sample((x, target), kwargs)


def torch_hinge(torch, scores, target, margin=1.0, squared=False, reduction="mean"):
    """The CS231n multiclass SVM loss, written with PyTorch's ops (the oracle for it)."""
    rows = scores if scores.ndim == 2 else scores.reshape(1, -1)
    y = target.reshape(-1)
    correct = rows.gather(1, y[:, None])
    hinge = (rows - correct + margin).clamp(min=0)
    hinge = hinge * (1 - torch.nn.functional.one_hot(y, rows.shape[1]).to(rows.dtype))
    losses = (hinge * hinge if squared else hinge).sum(1)
    if scores.ndim == 1:
        losses = losses.reshape(())
    return {"mean": losses.mean, "sum": losses.sum, "none": lambda: losses}[reduction]()


@st.composite
def bce_inputs(draw, logits=False):
    shape = draw(SHAPES)
    x = values(draw, shape) if logits else values(draw, shape, low=0.0, high=1.0)
    kwargs = {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}
    if draw(st.booleans()):
        kwargs["weight"] = Const(values(draw, shape, low=0.0, salt=1))
    if logits and draw(st.booleans()):
        kwargs["pos_weight"] = Const(values(draw, shape[-1:] if shape else (), low=0.0, salt=2))
    return Sample((x, Const(values(draw, shape, low=0.0, high=1.0, salt=3))), kwargs)


@st.composite
def regression_inputs(draw, away=()):
    shape = draw(SHAPES)
    x = values(draw, shape)
    y = values(draw, shape, salt=1)
    if away:  # |x - y| away from 0, the kink of l1
        y = x - values(draw, shape, away=(0.0,), salt=1)
    return Sample((x, y), {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))})


@st.composite
def softplus_inputs(draw):
    beta, threshold = draw(st.sampled_from([(1.0, 20.0), (2.0, 1.0), (0.5, 1.0)]))
    # away from the switch to the linear function at beta x = threshold
    x = values(draw, draw(SHAPES), away=(threshold / beta / 2,)) * 2
    return Sample((x,), {"beta": beta, "threshold": threshold})


@st.composite
def pow_inputs(draw):
    kind = draw(st.sampled_from(["tensor ** scalar", "scalar ** tensor", "tensor ** tensor"]))
    if kind == "tensor ** scalar":
        return Sample((values(draw, draw(SHAPES), low=0.0), draw(st.sampled_from([2, 3, 0.5, -1.5, 0]))))
    if kind == "scalar ** tensor":
        return Sample((draw(st.sampled_from([2.0, 0.5, 3.7])), values(draw, draw(SHAPES))))
    return draw(binary(scalars=False, a={"low": 0.0}))


# ---------------------------------------------------------------------------------------------
# The rows
# ---------------------------------------------------------------------------------------------
def arithmetic(symbol):
    return lambda torch, a, b, alpha=1: symbol(a, b if alpha == 1 else b * alpha)


KINK = {"away": (0.0,)}
ROWS: dict[str, Row] = {
    # arithmetic
    "add": Row(st.one_of(binary(), binary(scalars=False).map(lambda s: Sample(s.args, {"alpha": 2.5}))),
               torch=arithmetic(operator.add)),
    "sub": Row(st.one_of(binary(), binary(scalars=False).map(lambda s: Sample(s.args, {"alpha": -0.5}))),
               torch=arithmetic(operator.sub)),
    "mul": Row(binary(), torch=arithmetic(operator.mul)),
    "div": Row(binary(b={"away": (0.0,)}), torch=arithmetic(operator.truediv)),
    "neg": Row(unary()),
    "pow": Row(pow_inputs(), torch=lambda torch, a, b: a ** b),
    "eq": Row(binary(a={"integers": True}, b={"integers": True}), differentiable=False,
              torch=lambda torch, a, b: a == b),
    "ne": Row(binary(a={"integers": True}, b={"integers": True}), differentiable=False,
              torch=lambda torch, a, b: a != b),
    "lt": Row(binary(a={"integers": True}, b={"integers": True}), differentiable=False,
              torch=lambda torch, a, b: a < b),
    "le": Row(binary(a={"integers": True}, b={"integers": True}), differentiable=False,
              torch=lambda torch, a, b: a <= b),
    "gt": Row(binary(a={"integers": True}, b={"integers": True}), differentiable=False,
              torch=lambda torch, a, b: a > b),
    "ge": Row(binary(a={"integers": True}, b={"integers": True}), differentiable=False,
              torch=lambda torch, a, b: a >= b),
    "bitwise_and": Row(integer_pair(), differentiable=False, torch=lambda torch, a, b: a & b),
    "bitwise_or": Row(integer_pair(), differentiable=False, torch=lambda torch, a, b: a | b),
    "bitwise_xor": Row(integer_pair(), differentiable=False, torch=lambda torch, a, b: a ^ b),
    "bitwise_not": Row(integer_tensor(), differentiable=False),
    "logical_and": Row(integer_pair(floats=True), differentiable=False,
                       torch=lambda torch, a, b: torch.logical_and(torch.as_tensor(a), torch.as_tensor(b))),
    "logical_or": Row(integer_pair(floats=True), differentiable=False,
                      torch=lambda torch, a, b: torch.logical_or(torch.as_tensor(a), torch.as_tensor(b))),
    "logical_xor": Row(integer_pair(floats=True), differentiable=False,
                       torch=lambda torch, a, b: torch.logical_xor(torch.as_tensor(a), torch.as_tensor(b))),
    "logical_not": Row(integer_tensor(floats=True), differentiable=False),
    "matmul": Row(matmul_pair()),
    # unary math
    "exp": Row(unary()),
    "log": Row(unary(low=0.0)),
    "sqrt": Row(unary(low=0.0)),
    "tanh": Row(unary()),
    "abs": Row(unary(**KINK)),
    "erf": Row(unary()),
    "logaddexp": Row(binary(scalars=False)),
    "clamp": Row(st.one_of(
        unary(kwargs=st.sampled_from([{"min": -0.5, "max": 0.5}, {"min": -0.5}, {"max": 0.5}]),
              away=(-0.5, 0.5)),
        binary(scalars=False).map(lambda s: Sample(s.args[:1], {"min": s.args[1]})),
        binary(scalars=False).map(lambda s: Sample(s.args[:1], {"max": s.args[1]})))),
    "maximum": Row(binary(scalars=False)),
    "minimum": Row(binary(scalars=False)),
    "where": Row(where_inputs()),
    # activations
    "sigmoid": Row(unary()),
    "relu": Row(unary(**KINK)),
    "leaky_relu": Row(unary(kwargs=st.sampled_from([{}, {"negative_slope": 0.2}]), **KINK)),
    "gelu": Row(unary(kwargs=st.sampled_from([{}, {"approximate": "tanh"}]))),
    "softplus": Row(softplus_inputs()),
    "linear": Row(linear_inputs()),
    # reductions
    "sum": Row(with_dims(), torch=torch_reduction("sum")),
    "mean": Row(with_dims(), torch=torch_reduction("mean")),
    "var": Row(with_dims(shapes=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4)).map(
        lambda s: Sample(s.args, {**s.kwargs, "correction": 0 if s.args[0].size % 2 else 1})),
        torch=torch_reduction("var")),
    "std": Row(with_dims(shapes=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4)),
               torch=torch_reduction("std")),
    "amax": Row(with_dims(), torch=torch_reduction("amax")),
    "amin": Row(with_dims(), torch=torch_reduction("amin")),
    "max": Row(st.one_of(unary(), one_dim(), binary(scalars=False))),
    "min": Row(st.one_of(unary(), one_dim(), binary(scalars=False))),
    "argmax": Row(with_dims(several=False), differentiable=False),
    "argmin": Row(with_dims(several=False), differentiable=False),
    "any": Row(unary(integers=True).map(lambda s: Sample((np.asarray(s.args[0] > 0),))),
               differentiable=False),
    "all": Row(unary(integers=True).map(lambda s: Sample((np.asarray(s.args[0] > -2),))),
               differentiable=False),
    "logsumexp": Row(with_dims(), torch=torch_reduction("logsumexp")),
    "softmax": Row(one_dim()),
    "log_softmax": Row(one_dim()),
    # shapes
    "reshape": Row(reshaped(), torch=lambda torch, x, *shape: x.reshape(shape)),
    "view": Row(reshaped(), torch=lambda torch, x, *shape: x.view(shape)),
    "contiguous": Row(unary(shapes=hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4)),
                      call=lambda lib, x: x.mT.contiguous().view(-1)),  # a transpose: copied
    "flatten": Row(flattened()),
    "permute": Row(permuted(), torch=lambda torch, x, *dims: x.permute(dims)),
    "transpose": Row(transposed()),
    "unsqueeze": Row(unsqueezed()),
    "squeeze": Row(squeezed()),
    "expand": Row(expanded(), torch=lambda torch, x, *shape: x.expand(shape)),
    "broadcast_to": Row(expanded(method=False)),
    "cat": Row(joined()),
    "stack": Row(joined(stack=True)),
    "__getitem__": Row(indexed(), torch=lambda torch, x, index: x[
        tuple(torch.as_tensor(i) if isinstance(i, np.ndarray) else i for i in index)
        if isinstance(index, tuple) else torch.as_tensor(index) if isinstance(index, np.ndarray) else index]),
    "__setitem__": Row(assigned(), call=lambda lib, x, index, value: assign(lib, x, index, value)),
    "to": Row(unary().map(lambda s: Sample(s.args + (DType("float32"),))),
              gradcheck="a cast to float32 rounds every value: finite differences in float32 are "
                        "noise (the gradient is checked against PyTorch's instead)",
              second_order=False, why_no_second_order="no float64 gradcheck (see gradcheck)"),
    # losses and encodings
    "one_hot": Row(st.integers(1, 5).flatmap(lambda c: st.builds(
        lambda seed: Sample((Const(np.random.default_rng(seed).integers(0, c, size=(3,))), c)),
        st.integers(0, 100))), differentiable=False),
    "dropout": Row(unary(kwargs=st.sampled_from([{"p": 0.5}, {"p": 0.2, "training": True}, {"p": 0.0},
                                                 {"p": 0.5, "training": False}])),
                   seeded=True, torch=lambda torch, x, p=0.5, training=True:
                   torch.nn.functional.dropout(x, p, training) if p == 0 or not training else SKIP),
    "cross_entropy": Row(cross_entropy_inputs()),
    "nll_loss": Row(cross_entropy_inputs(nll=True)),
    "multi_margin_loss": Row(margin_inputs()),
    "multiclass_hinge_loss": Row(margin_inputs(torch_variant=False), torch=torch_hinge),
    "binary_cross_entropy": Row(bce_inputs()),
    "binary_cross_entropy_with_logits": Row(bce_inputs(logits=True)),
    "mse_loss": Row(regression_inputs()),
    "l1_loss": Row(regression_inputs(away=True)),
}

SKIP = "skip"  # a torch function's answer for a sample PyTorch cannot reproduce (random masks)


def _gather_family_rows() -> None:
    for path in sorted(pathlib.Path(__file__).parent.glob("op_rows_*.py")):
        family = importlib.import_module(path.stem).ROWS
        twice = sorted(set(family) & set(ROWS))
        if twice:
            raise RuntimeError(f"{path.name}: rows already defined elsewhere: {twice}")
        ROWS.update(family)


_gather_family_rows()
