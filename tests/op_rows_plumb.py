"""Rows of the plumbing ops (gather/scatter, selection, views, repeats, pad, unique): sample
inputs for the checks of tests/test_ops.py (see op_rows' docstring)."""
from __future__ import annotations

import math

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from op_rows import SHAPES, SHAPES_1D_UP, Const, Row, Sample, unary, values

SMALL_1D_UP = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def _rng(draw):
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


def _dim(draw, ndim):
    return draw(st.integers(-ndim, ndim - 1))


@st.composite
def gather_inputs(draw):
    """x, dim, an index no larger than x outside dim, values within x's size along dim."""
    shape = draw(SHAPES_1D_UP)
    dim = _dim(draw, len(shape))
    index_shape = tuple(draw(st.integers(1, 4)) if k == dim % len(shape) else draw(st.integers(1, n))
                        for k, n in enumerate(shape))
    index = _rng(draw).integers(0, shape[dim], size=index_shape)
    return Sample((values(draw, shape), dim, Const(index)))


def _distinct_index(rng, shape, dim, index_shape):
    """An index whose positions along dim are distinct (a scatter with no write lost)."""
    d = dim % len(shape)
    full = list(index_shape)
    full[d] = shape[d]
    order = np.argsort(rng.random(full), axis=d)
    return np.take(order, np.arange(index_shape[d]), axis=d)


@st.composite
def scatter_inputs(draw, distinct=True, number=True):
    shape = draw(SHAPES_1D_UP)
    dim = _dim(draw, len(shape))
    d = dim % len(shape)
    index_shape = tuple(draw(st.integers(1, n)) for n in shape)
    rng = _rng(draw)
    index = (_distinct_index(rng, shape, dim, index_shape) if distinct
             else rng.integers(0, shape[d], size=index_shape))
    x = values(draw, shape)
    if number and draw(st.booleans()):
        return Sample((x, dim, Const(index)), {"value": 2.5})
    return Sample((x, dim, Const(index), values(draw, index_shape, salt=1)))


@st.composite
def index_vector_inputs(draw, kind="select"):
    shape = draw(SHAPES_1D_UP)
    dim = _dim(draw, len(shape))
    n = shape[dim]
    rng = _rng(draw)
    low = 0  # (index_fill takes negative indices too, but PyTorch's backward then fails)
    index = rng.integers(low, n, size=draw(st.integers(0, 4)))
    if kind == "select" and draw(st.booleans()):
        index = np.asarray(rng.integers(0, n))  # a 0-d index keeps the dimension (size 1)
    x = values(draw, shape)
    if kind == "add":
        source_shape = shape[:dim % len(shape)] + (index.size,) + shape[dim % len(shape) + 1:]
        kwargs = {"alpha": 2.5} if draw(st.booleans()) else {}
        return Sample((x, dim, Const(index), values(draw, source_shape, salt=1)), kwargs)
    if kind == "fill":
        value = np.asarray(-1.5) if draw(st.booleans()) else 2.0  # a 0-d tensor gets a gradient
        return Sample((x, dim, Const(index), value))
    return Sample((x, dim, Const(index)))


@st.composite
def masked_inputs(draw, fill=True):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    x = values(draw, shapes[0])
    mask = Const(values(draw, shapes[1], salt=1) > 0)
    if not fill:
        return Sample((x, mask))
    value = np.asarray(0.5) if draw(st.booleans()) else draw(st.sampled_from([-1.0, 3]))
    return Sample((x, mask, value))


@st.composite
def take_inputs(draw):
    shape = draw(SHAPES)
    size = math.prod(shape)
    index_shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
    return Sample((values(draw, shape), Const(_rng(draw).integers(-size, size, size=index_shape))))


@st.composite
def take_along_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    rng = _rng(draw)
    if draw(st.booleans()):  # dim=None: both flat
        index = rng.integers(0, math.prod(shape), size=(draw(st.integers(1, 4)),))
        return Sample((values(draw, shape), Const(index)))
    dim = _dim(draw, len(shape))
    # each other dim of the index: the input's size, or 1 (broadcast)
    index_shape = tuple(draw(st.integers(1, 3)) if k == dim % len(shape) else draw(st.sampled_from([1, n]))
                        for k, n in enumerate(shape))
    index = rng.integers(-shape[dim], shape[dim], size=index_shape)
    return Sample((values(draw, shape), Const(index), dim))


@st.composite
def flip_inputs(draw):
    shape = draw(SHAPES)
    dims = draw(st.lists(st.integers(0, max(len(shape) - 1, 0)), unique=True, max_size=len(shape)))
    return Sample((values(draw, shape), tuple(d - len(shape) * draw(st.booleans()) for d in dims)))


@st.composite
def roll_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    if draw(st.booleans()):
        return Sample((values(draw, shape), draw(st.integers(-5, 5))))
    dims = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    shifts = tuple(draw(st.integers(-5, 5)) for _ in dims)
    if len(dims) == 1 and draw(st.booleans()):
        return Sample((values(draw, shape), shifts[0], dims[0]))
    return Sample((values(draw, shape), shifts, tuple(dims)))


@st.composite
def repeat_inputs(draw, tile=False):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    extra = draw(st.integers(-len(shape) if tile else 0, 2))
    sizes = tuple(draw(st.integers(0 if draw(st.booleans()) else 1, 3)) for _ in range(len(shape) + extra))
    return Sample((values(draw, shape), sizes))


@st.composite
def repeat_interleave_inputs(draw):
    shape = draw(SHAPES)
    rng = _rng(draw)
    dim = None if not shape or draw(st.booleans()) else _dim(draw, len(shape))
    n = math.prod(shape) if dim is None else shape[dim]
    repeats = draw(st.sampled_from(["int", "tensor", "one"]))
    if repeats == "int":
        count = draw(st.integers(0, 3))
    elif repeats == "one":
        count = Const(np.asarray([draw(st.integers(0, 3))]))
    else:
        count = Const(rng.integers(0, 3, size=n))
    return Sample((values(draw, shape), count), {} if dim is None else {"dim": dim})


@st.composite
def narrow_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    dim = _dim(draw, len(shape))
    n = shape[dim]
    start = draw(st.integers(-n, n))
    begin = start + n if start < 0 else start
    return Sample((values(draw, shape), dim, start, draw(st.integers(0, n - begin))))


@st.composite
def select_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    dim = _dim(draw, len(shape))
    return Sample((values(draw, shape), dim, draw(st.integers(-shape[dim], shape[dim] - 1))))


@st.composite
def split_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    dim = _dim(draw, len(shape))
    n = shape[dim]
    if draw(st.booleans()):
        return Sample((values(draw, shape), draw(st.integers(1, 5)), dim))
    cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
    sizes = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    return Sample((values(draw, shape), sizes, dim))


@st.composite
def chunk_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    return Sample((values(draw, shape), draw(st.integers(1, 5)), _dim(draw, len(shape))))


@st.composite
def unbind_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    return Sample((values(draw, shape), _dim(draw, len(shape))))


@st.composite
def unflatten_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    dim = _dim(draw, len(shape))
    n = shape[dim]
    first = draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
    sizes = (first, -1) if draw(st.booleans()) else (first, n // first)
    return Sample((values(draw, shape), dim, sizes))


@st.composite
def movedim_inputs(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    ndim = len(shape)
    count = draw(st.integers(1, ndim))
    source = draw(st.permutations(range(ndim)))[:count]
    destination = draw(st.permutations(range(ndim)))[:count]
    if count == 1 and draw(st.booleans()):
        return Sample((values(draw, shape), source[0] - ndim * draw(st.booleans()), destination[0]))
    return Sample((values(draw, shape), tuple(source), tuple(destination)))


@st.composite
def two_dims(draw):
    shape = draw(SHAPES_1D_UP)
    return Sample((values(draw, shape), _dim(draw, len(shape)), _dim(draw, len(shape))))


@st.composite
def like_inputs(draw, kind):
    shape = draw(SHAPES)
    x = values(draw, shape)
    size = math.prod(shape)
    if kind == "view":
        first = draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
        target = (first, size // first)
    else:  # expand
        target = draw(st.sampled_from([(), (2,)])) + tuple(draw(st.sampled_from([1, 2])) if n == 1 else n
                                                           for n in shape)
    return Sample((x, Const(np.zeros(target))))


@st.composite
def type_as_inputs(draw):
    other = draw(st.sampled_from([np.zeros(1), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=bool)]))
    return Sample((values(draw, draw(SHAPES), integers=True) / 2, Const(other)))


@st.composite
def atleast_inputs(draw):
    shapes = draw(st.lists(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2), min_size=1,
                           max_size=3))
    arrays = [values(draw, s, salt=i) for i, s in enumerate(shapes)]
    return Sample((arrays[0],)) if len(arrays) == 1 and draw(st.booleans()) else Sample((arrays,))


@st.composite
def stacked_inputs(draw, kind):
    """Tensors that hstack / vstack / dstack / column_stack can join."""
    rank = draw(st.integers(0, 3))
    base = draw(hnp.array_shapes(min_dims=rank, max_dims=rank, min_side=1, max_side=3))
    count = draw(st.integers(1, 3))
    arrays = []
    for i in range(count):
        shape = list(base)
        joined = {"hstack": 0 if rank == 1 else 1, "vstack": 0, "dstack": 2, "column_stack": 1}[kind]
        if kind == "column_stack" and rank <= 1:
            shape = base  # columns of the same length
        elif joined < rank and (kind != "vstack" or rank >= 2) and draw(st.booleans()):
            shape[joined] = draw(st.integers(1, 3))
        arrays.append(values(draw, tuple(shape), salt=i))
    return Sample((arrays,))


@st.composite
def pad_inputs(draw):
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    pairs = draw(st.integers(1, 3))
    if mode == "constant":
        shape = draw(hnp.array_shapes(min_dims=pairs, max_dims=3, min_side=1, max_side=4))
    else:
        shape = draw(hnp.array_shapes(min_dims=pairs + 1, max_dims=pairs + 2, min_side=1, max_side=3))
    pad = []
    for i in range(pairs):
        n = shape[len(shape) - 1 - i]
        high = {"constant": 3, "reflect": n - 1, "replicate": 3, "circular": n}[mode]
        crop = mode != "circular"  # (PyTorch's circular crop with a pad reads memory it does not own)
        before = draw(st.integers(-1 if n > 1 and crop else 0, high))
        after = draw(st.integers(-1 if n + before > 1 and crop else 0, high))
        pad += [before, after]
    kwargs = {"mode": mode}
    if mode == "constant" and draw(st.booleans()):
        kwargs["value"] = -1.5
    return Sample((values(draw, shape), tuple(pad)), kwargs)


@st.composite
def unique_inputs(draw, consecutive=False):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=5))
    rng = _rng(draw)
    # first (the simplest sample) a float leaf: its values require grad, as in PyTorch
    dtype = draw(st.sampled_from(["leaf", "int64", "float64", "bool"]))
    data = rng.integers(0, 3, size=shape).astype("float64" if dtype == "leaf" else dtype)
    kwargs = {"return_inverse": draw(st.booleans()), "return_counts": draw(st.booleans())}
    if shape and draw(st.booleans()):
        kwargs["dim"] = _dim(draw, len(shape))
    if not consecutive and draw(st.booleans()):
        kwargs["sorted"] = True
    return Sample((data if dtype == "leaf" else Const(data),), kwargs)


def detached(name):
    """PyTorch's unique, its outputs detached: neither library differentiates it (values only)."""
    def call(torch, *args, **kwargs):
        out = getattr(torch, name)(*args, **kwargs)
        return tuple(o.detach() for o in out) if isinstance(out, tuple) else out.detach()
    return call


@st.composite
def scatter_reduce_legacy(draw):
    sample = draw(scatter_inputs(distinct=False, number=False))
    return Sample(sample.args, {"reduce": draw(st.sampled_from(["add", "multiply"]))})


def _scatter_in_place(lib, x, dim, index, src, reduce):
    out = x * 1
    out.scatter_(dim, index, src, reduce=reduce)
    return out


AS_TUPLE = st.sampled_from([{}, {"as_tuple": True}, {"as_tuple": False}])
# dims of at least 1, so that the tensors have a row to transpose
MATRICES = hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4)

ROWS = {
    "gather": Row(gather_inputs()),
    "scatter": Row(scatter_inputs()),
    "scatter_add": Row(scatter_inputs(distinct=False, number=False)),
    # the deprecated reduce= (no gradient in either library: PyTorch's is detached to compare values)
    "scatter_": Row(scatter_reduce_legacy(), differentiable=False, call=_scatter_in_place,
                    torch=lambda torch, *args, **kwargs: _scatter_in_place(torch, *args, **kwargs).detach()),
    "index_select": Row(index_vector_inputs()),
    "index_add": Row(index_vector_inputs(kind="add")),
    "index_fill": Row(index_vector_inputs(kind="fill")),
    "masked_fill": Row(masked_inputs()),
    "masked_select": Row(masked_inputs(fill=False)),
    "take": Row(take_inputs()),
    "take_along_dim": Row(take_along_inputs()),
    "nonzero": Row(unary(integers=True, kwargs=AS_TUPLE),
                   differentiable=False),
    "argwhere": Row(unary(integers=True), differentiable=False),
    "flip": Row(flip_inputs()),
    "fliplr": Row(unary(shapes=MATRICES)),
    "flipud": Row(unary(shapes=SHAPES_1D_UP)),
    "roll": Row(roll_inputs()),
    "clone": Row(unary()),
    "repeat": Row(repeat_inputs()),
    "tile": Row(repeat_inputs(tile=True)),
    "repeat_interleave": Row(repeat_interleave_inputs()),
    "narrow": Row(narrow_inputs()),
    "select": Row(select_inputs()),
    "split": Row(split_inputs()),
    "chunk": Row(chunk_inputs()),
    "unbind": Row(unbind_inputs()),
    "unflatten": Row(unflatten_inputs()),
    "movedim": Row(movedim_inputs()),
    "swapaxes": Row(two_dims()),
    "swapdims": Row(two_dims()),
    "t": Row(unary(shapes=hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4))),
    "adjoint": Row(unary(shapes=MATRICES)),
    "view_as": Row(like_inputs("view")),
    "reshape_as": Row(like_inputs("view")),
    "expand_as": Row(like_inputs("expand")),
    "type_as": Row(type_as_inputs()),
    "atleast_1d": Row(atleast_inputs()),
    "atleast_2d": Row(atleast_inputs()),
    "atleast_3d": Row(atleast_inputs()),
    "hstack": Row(stacked_inputs("hstack")),
    "vstack": Row(stacked_inputs("vstack")),
    "dstack": Row(stacked_inputs("dstack")),
    "column_stack": Row(stacked_inputs("column_stack")),
    "pad": Row(pad_inputs()),
    "unique": Row(unique_inputs(), differentiable=False, torch=detached("unique")),
    "unique_consecutive": Row(unique_inputs(consecutive=True), differentiable=False,
                              torch=detached("unique_consecutive")),
}
