"""Rows of the conveniences in ``minigrad/ops/conveniences.py`` (see ``tests/op_rows.py``)."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from op_rows import SHAPES_1D_UP, Const, Row, Sample, binary, unary, values


@st.composite
def three_broadcast(draw, divisor=False):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)).input_shapes
    x, t1 = values(draw, shapes[0]), values(draw, shapes[1], salt=1)
    t2 = values(draw, shapes[2], salt=2, away=(0.0,) if divisor else ())
    if divisor:
        t2 = np.where(np.abs(t2) < 0.5, np.sign(t2 + 1e-12) * 0.5, t2)
    return Sample((x, t1, t2), draw(st.sampled_from([{}, {"value": 0.5}, {"value": -2}])))


@st.composite
def differenced(draw):
    shape = draw(SHAPES_1D_UP)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    kwargs = {"n": draw(st.sampled_from([1, 2])), "dim": dim}
    x = values(draw, shape)
    if draw(st.booleans()):
        edge = list(shape)
        edge[dim] = 1
        kwargs["prepend"] = values(draw, tuple(edge), salt=1)
    return Sample((x,), kwargs)


@st.composite
def split_points(draw):
    shape = draw(SHAPES_1D_UP)
    dim = draw(st.integers(0, len(shape) - 1))
    if draw(st.booleans()):
        sections = draw(st.integers(1, 4))
    else:
        sections = sorted(draw(st.lists(st.integers(-shape[dim], shape[dim] + 1), max_size=3)))
    return Sample((values(draw, shape), sections), {"dim": dim})


@st.composite
def rotated(draw):
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=3, max_side=3))
    dims = draw(st.permutations(range(len(shape))))[:2]
    return Sample((values(draw, shape),), {"k": draw(st.integers(-2, 5)), "dims": tuple(dims)})


@st.composite
def summed_to(draw):
    shape = draw(SHAPES_1D_UP)
    lead = draw(st.integers(0, len(shape) - 1))  # (PyTorch needs at least one size)
    target = tuple(1 if draw(st.booleans()) else n for n in shape[lead:])
    return Sample((values(draw, shape),) + target)


@st.composite
def observations(draw):
    rows, cols = draw(st.integers(1, 3)), draw(st.integers(3, 5))
    x = values(draw, (rows, cols) if draw(st.booleans()) else (cols,))
    kwargs = {"correction": draw(st.sampled_from([0, 1]))}
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    if draw(st.booleans()):
        kwargs["fweights"] = Const(rng.integers(1, 4, size=cols))
    if draw(st.booleans()):
        kwargs["aweights"] = Const(rng.uniform(0.5, 2.0, size=cols))
    return Sample((x,), kwargs)


@st.composite
def integer_pairs(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3)).input_shapes
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    return Sample(tuple(Const(rng.integers(-12, 13, size=s)) for s in shapes))


@st.composite
def counts(draw):
    rng = np.random.default_rng(draw(st.integers(0, 1000)))
    x = rng.integers(0, 5, size=draw(st.integers(0, 6)))
    kwargs = {"minlength": draw(st.sampled_from([0, 7]))}
    if draw(st.booleans()):
        kwargs["weights"] = Const(rng.standard_normal(x.shape))
    return Sample((Const(x),), kwargs)


def with_size(*extra):
    return unary().map(lambda s: Sample(s.args + extra))


ROWS = {
    "new_zeros": Row(with_size((2, 3)), differentiable=False),
    "new_ones": Row(with_size(3, 1), differentiable=False),
    "new_empty": Row(with_size((2,)), differentiable=False,
                     call=lambda lib, x, size: x.new_empty(size).fill_(1.5)),  # (PyTorch's: garbage)
    "new_full": Row(with_size((2, 2), 1.5), differentiable=False),
    "new_tensor": Row(with_size([1.0, 2.0]), differentiable=False),
    "clamp_min": Row(unary(away=(-0.5,)).map(lambda s: Sample(s.args + (-0.5,)))),
    "clamp_max": Row(unary(away=(0.5,)).map(lambda s: Sample(s.args + (0.5,)))),
    "addcmul": Row(three_broadcast()),
    "addcdiv": Row(three_broadcast(divisor=True)),
    "fmax": Row(binary(scalars=False)),
    "fmin": Row(binary(scalars=False)),
    "float_power": Row(st.one_of(binary(scalars=False, a={"low": 0.0}),
                                 unary(low=0.0).map(lambda s: Sample(s.args + (2.5,))))),
    "logit": Row(unary(low=0.0, high=1.0, away=(0.2, 0.8),
                       kwargs=st.sampled_from([{}, {"eps": 0.2}]))),
    "sinc": Row(unary()),
    "deg2rad": Row(unary()),
    "rad2deg": Row(unary()),
    "diff": Row(differenced()),
    "tensor_split": Row(split_points()),
    "hsplit": Row(unary(shapes=SHAPES_1D_UP).map(lambda s: Sample(s.args + ([1],)))),
    "vsplit": Row(unary(shapes=hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)).map(
        lambda s: Sample(s.args + ([1, 2],)))),
    "dsplit": Row(unary(shapes=hnp.array_shapes(min_dims=3, max_dims=3, max_side=4)).map(
        lambda s: Sample(s.args + ([2],)))),
    "rot90": Row(rotated()),
    "diagflat": Row(unary(shapes=hnp.array_shapes(min_dims=0, max_dims=2, max_side=3),
                          kwargs=st.sampled_from([{}, {"offset": 1}, {"offset": -2}]))),
    "dist": Row(binary(scalars=False).map(lambda s: Sample(s.args, {"p": 3}))),
    "sum_to_size": Row(summed_to()),
    "cov": Row(observations()),
    "corrcoef": Row(observations().map(lambda s: Sample(s.args))),
    "gcd": Row(integer_pairs(), differentiable=False),
    "lcm": Row(integer_pairs(), differentiable=False),
    "bincount": Row(counts(), differentiable=False),
    "signbit": Row(unary(), differentiable=False),
    "positive": Row(unary()),
    "equal": Row(binary(scalars=False, a={"integers": True}, b={"integers": True}), differentiable=False,
                 call=lambda lib, a, b: lib.tensor(lib.equal(a, b))),
}
