"""Rows of the functions that make tensors (minigrad/creation.py, ops/sampling.py) and of the
in-place fills (ops/fill.py).

The deterministic ones are compared with PyTorch value for value.  A random one cannot be (its
numbers are minigrad's own), so its row's ``call`` returns what is deterministic about a draw:
``x * 0`` (its shape and dtype, and a zero gradient to its parameters, as PyTorch's) and whether
every value lies in the distribution's support; moments and seeding are in tests/test_random.py.
"""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from op_rows import SHAPES, Const, DType, Row, Sample, values

SIZES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)
FLOAT_DTYPES = st.sampled_from([{}, {"dtype": DType("float64")}, {"dtype": DType("float32")}])


def in_support(lib, x, low=None, high=None, closed=False):
    """``(x * 0, every value in [low, high))``: what a row can compare of a random draw."""
    inside = x == x  # (and not NaN)
    if low is not None:
        inside = inside & (x >= low)
    if high is not None:
        inside = inside & ((x <= high) if closed else (x < high))
    return x * 0, inside


@st.composite
def sizes(draw, kwargs=None):
    """A size as varargs, a tuple or a list."""
    shape = draw(SIZES)
    form = draw(st.sampled_from(["varargs", "tuple", "list"]))
    if form == "varargs" and shape:
        args = tuple(shape)
    else:
        args = (tuple(shape) if form == "tuple" else list(shape),)
    return Sample(args, draw(kwargs) if kwargs is not None else {})


@st.composite
def ranges(draw):
    kind = draw(st.sampled_from(["end", "ints", "floats", "negative step", "int dtype"]))
    if kind == "end":
        return Sample((draw(st.integers(0, 6)),))
    if kind == "ints":
        start = draw(st.integers(-5, 5))
        return Sample((start, start + draw(st.integers(0, 9)), draw(st.integers(1, 3))))
    if kind == "floats":
        start = draw(st.sampled_from([0.0, -1.5, 0.25]))
        end = start + draw(st.sampled_from([1.0, 2.7, 0.0]))
        return Sample((start, end, draw(st.sampled_from([0.3, 0.25, 1.0]))))
    if kind == "negative step":
        return Sample((draw(st.sampled_from([10, 2.5])), 0, draw(st.sampled_from([-3, -0.5]))))
    return Sample((0.5, draw(st.sampled_from([3.7, 5.0])), 1.2), {"dtype": DType("int64")})


@st.composite
def spaced(draw, log=False):
    start = draw(st.sampled_from([0, -1.0, 2.5, 10]))
    end = draw(st.sampled_from([1, 3.0, -2.0, 10]))
    kwargs = draw(st.sampled_from([{}, {"dtype": DType("float64")}, {"dtype": DType("int64")}]))
    if log and draw(st.booleans()):
        return Sample((start / 4, end / 4, draw(st.integers(0, 6)), 2.0), kwargs)
    return Sample((start, end, draw(st.integers(0, 6))), kwargs)


@st.composite
def eyes(draw):
    n = draw(st.integers(0, 4))
    args = (n,) if draw(st.booleans()) else (n, draw(st.integers(0, 4)))
    return Sample(args, draw(st.sampled_from([{}, {"dtype": DType("int64")}, {"dtype": DType("float64")}])))


@st.composite
def grids(draw):
    count = draw(st.integers(1, 3))
    arrays = tuple(values(draw, draw(st.sampled_from([(1,), (2,), (3,), ()])), salt=i) for i in range(count))
    return Sample(arrays, {"indexing": draw(st.sampled_from(["ij", "xy"]))})


@st.composite
def filled(draw):
    shape = draw(SIZES)
    value = draw(st.sampled_from([True, 3, -2.5, 0.0]))
    kwargs = draw(st.sampled_from([{}, {"dtype": DType("float64")}, {"dtype": DType("int64")}]))
    return Sample((tuple(shape), value), kwargs)


@st.composite
def like(draw, fill=False, dtypes=("float64", "int64", "bool", "float32")):
    """An input to copy the shape of (a float one is a leaf that requires grad), and a dtype."""
    shape = draw(SHAPES)
    x = values(draw, shape)
    if draw(st.booleans()):
        x = Const(x.astype(np.int64))
    kwargs = draw(st.sampled_from([{}] + [{"dtype": DType(d)} for d in dtypes]))
    return Sample((x, draw(st.sampled_from([2, -1.5]))) if fill else (x,), kwargs)


@st.composite
def copied(draw):
    """``(x, src)`` with src's shape broadcastable to x's (fewer dimensions, or size 1)."""
    shape = draw(SHAPES)
    keep = draw(st.integers(0, len(shape)))
    src_shape = tuple(n if draw(st.booleans()) else 1 for n in shape[len(shape) - keep:])
    src = values(draw, src_shape, salt=1)
    if draw(st.booleans()):
        src = Const(np.round(src).astype(np.int64))
    return Sample((values(draw, shape), src))


@st.composite
def fill_values(draw):
    x = values(draw, draw(SHAPES))
    value = draw(st.sampled_from(["number", "int", "tensor"]))
    if value == "tensor":  # a 0-d leaf: the gradient of the filled tensor flows to it
        return Sample((x, values(draw, (), salt=1)))
    return Sample((x, 2.5 if value == "number" else -3))


def draws(name, low=None, high=None, closed=False, method=False):
    """``call`` of a random op's row (see the module's docstring)."""
    def call(lib, *args, **kwargs):
        x = getattr(args[0] * 1, name)(*args[1:], **kwargs) if method else getattr(lib, name)(*args, **kwargs)
        return in_support(lib, x, low, high, closed)
    return call


@st.composite
def normal_inputs(draw):
    kind = draw(st.sampled_from(["tensors", "tensor mean", "tensor std", "numbers"]))
    pair = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
    shape_a, shape_b = draw(pair).input_shapes
    mean, std = values(draw, shape_a), values(draw, shape_b, low=0.0, salt=1)
    if kind == "tensors":
        return Sample((mean, std))
    if kind == "tensor mean":
        return Sample((mean, 2.0))
    if kind == "tensor std":
        return Sample((-1.0, std))
    return Sample((0.5, 2.0, tuple(draw(SIZES))), draw(FLOAT_DTYPES))


@st.composite
def probabilities(draw, p=False):
    x = values(draw, draw(SHAPES), low=0.0, high=1.0)
    # (with p given, the input only gives the shape: PyTorch has no derivative for it, minigrad's is 0)
    return Sample((Const(x), 0.3)) if p and draw(st.booleans()) else Sample((x,))


@st.composite
def weights(draw):
    shape = draw(st.sampled_from([(3,), (2, 4), (1, 2)]))
    w = values(draw, shape, low=0.0)
    if draw(st.booleans()):  # a zero weight: never drawn with replacement
        w[..., 0] = 0.0
    replacement = draw(st.booleans())
    count = draw(st.integers(1, 5 if replacement else shape[-1]))
    return Sample((Const(w), count, replacement))


@st.composite
def randints(draw):
    shape = tuple(draw(SIZES))
    if draw(st.booleans()):
        return Sample((draw(st.integers(1, 5)), shape))
    low = draw(st.integers(-3, 3))
    kwargs = draw(st.sampled_from([{}, {"dtype": DType("float32")}, {"dtype": DType("int32")}]))
    return Sample((low, low + draw(st.integers(1, 4)), shape), kwargs)


@st.composite
def unit_range(draw):
    x = values(draw, draw(SHAPES))
    return Sample((x,) + draw(st.sampled_from([(), (-2.0, 3.0), (0.5, 0.75)])))


def random_bounds(lib, x, *bounds):
    """``random_``'s row: the support of ``random_(*bounds)`` on a float tensor."""
    y = (x * 1).random_(*bounds)
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds if bounds else (0, 2 ** 53 + 1)
    return in_support(lib, y, low, high)


def permutation(lib, p, n):
    """What is deterministic about a permutation of 0..n-1: its range and its sum."""
    return (*in_support(lib, p, 0, n), p.sum())


NOT_DIFFERENTIABLE = {"differentiable": False}
ROWS = {
    # deterministic: PyTorch's values and dtypes
    "zeros": Row(sizes(kwargs=FLOAT_DTYPES), **NOT_DIFFERENTIABLE),
    "ones": Row(sizes(kwargs=FLOAT_DTYPES), **NOT_DIFFERENTIABLE),
    "empty": Row(sizes(kwargs=FLOAT_DTYPES), call=lambda lib, *a, **k: lib.zeros_like(lib.empty(*a, **k)),
                 **NOT_DIFFERENTIABLE),  # (its values are whatever memory held: shape and dtype)
    "full": Row(filled(), **NOT_DIFFERENTIABLE),
    "scalar_tensor": Row(st.sampled_from([Sample((3,)), Sample((2.5,)), Sample((True,)),
                                          Sample((-4,), {"dtype": DType("int64")})]), **NOT_DIFFERENTIABLE),
    "zeros_like": Row(like(), **NOT_DIFFERENTIABLE),
    "ones_like": Row(like(), **NOT_DIFFERENTIABLE),
    "empty_like": Row(like(), call=lambda lib, x, **k: lib.zeros_like(lib.empty_like(x, **k)),
                      **NOT_DIFFERENTIABLE),
    "full_like": Row(like(fill=True, dtypes=("float64", "int64")), **NOT_DIFFERENTIABLE),
    "arange": Row(ranges(), **NOT_DIFFERENTIABLE),
    "linspace": Row(spaced(), **NOT_DIFFERENTIABLE),
    "logspace": Row(spaced(log=True), **NOT_DIFFERENTIABLE),
    "eye": Row(eyes(), **NOT_DIFFERENTIABLE),
    "meshgrid": Row(grids()),
    # random: what is deterministic about a draw
    "rand": Row(sizes(kwargs=FLOAT_DTYPES), seeded=True, call=draws("rand", 0, 1), **NOT_DIFFERENTIABLE),
    "randn": Row(sizes(kwargs=FLOAT_DTYPES), seeded=True, call=draws("randn"), **NOT_DIFFERENTIABLE),
    "randint": Row(randints(), seeded=True, call=lambda lib, *a, **k: in_support(
        lib, lib.randint(*a, **k), *(a[:-1] if len(a) == 3 else (0, a[0]))), **NOT_DIFFERENTIABLE),
    "randperm": Row(st.builds(lambda n: Sample((n,)), st.integers(0, 6)), seeded=True,
                    call=lambda lib, n: permutation(lib, lib.randperm(n), n), **NOT_DIFFERENTIABLE),
    "rand_like": Row(like(dtypes=("float64", "float32")).filter(lambda s: not isinstance(s.args[0], Const)),
                     seeded=True, call=draws("rand_like", 0, 1), **NOT_DIFFERENTIABLE),
    "randn_like": Row(like(dtypes=("float64",)).filter(lambda s: not isinstance(s.args[0], Const)),
                      seeded=True, call=draws("randn_like"), **NOT_DIFFERENTIABLE),
    "randint_like": Row(like(dtypes=("int64", "float64")).map(lambda s: Sample(s.args + (-2, 3), s.kwargs)),
                        seeded=True, call=draws("randint_like", -2, 3), **NOT_DIFFERENTIABLE),
    "normal": Row(normal_inputs(), seeded=True, call=draws("normal")),
    "bernoulli": Row(probabilities(p=True), seeded=True, call=draws("bernoulli", 0, 1, closed=True)),
    "multinomial": Row(weights(), seeded=True, call=lambda lib, w, n, r: in_support(
        lib, lib.multinomial(w, n, r), 0, w.shape[-1]), **NOT_DIFFERENTIABLE),
    # in-place fills, on a non-leaf (y = x * 1): the old values get a zero gradient
    "fill_": Row(fill_values(), call=lambda lib, x, v: (x * 1).fill_(v)),
    "zero_": Row(unit_range().map(lambda s: Sample(s.args[:1])), call=lambda lib, x: (x * 1).zero_()),
    "copy_": Row(copied(), call=lambda lib, x, src: (x * 1).copy_(src)),
    "uniform_": Row(unit_range(), seeded=True, call=lambda lib, x, *b: in_support(
        lib, (x * 1).uniform_(*b), *(b or (0, 1)))),
    "normal_": Row(unit_range().map(lambda s: Sample(s.args[:1] + tuple(abs(v) for v in s.args[1:]))),
                   seeded=True, call=draws("normal_", method=True)),
    "bernoulli_": Row(st.one_of(unit_range().map(lambda s: Sample(s.args[:1])),
                                unit_range().map(lambda s: Sample(s.args[:1] + (0.3,)))),
                      seeded=True, call=draws("bernoulli_", 0, 1, closed=True, method=True)),
    "random_": Row(st.one_of(unit_range().map(lambda s: Sample(s.args[:1])),
                             unit_range().map(lambda s: Sample(s.args[:1] + (5,))),
                             unit_range().map(lambda s: Sample(s.args[:1] + (-3, 4)))),
                   seeded=True, call=random_bounds),
    "exponential_": Row(st.one_of(unit_range().map(lambda s: Sample(s.args[:1])),
                                  unit_range().map(lambda s: Sample(s.args[:1] + (2.5,)))),
                        seeded=True, call=draws("exponential_", 0, method=True)),
}
