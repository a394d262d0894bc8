"""Rows of the normalizations, distances and the bilinear form (minigrad/ops/norm.py,
minigrad/ops/bilinear.py): sample inputs for the checks of tests/test_ops.py (see op_rows'
docstring).  The scale and shift are leaves, so their gradients are checked too; the running
statistics of batch_norm are constants (``Const``), a positive variance."""
from __future__ import annotations

import math

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from op_rows import Const, Row, Sample, values

EPS = st.sampled_from([None, 1e-3])


@st.composite
def trailing_inputs(draw, bias=True):
    """An input and a ``normalized_shape`` of its last 1 or 2 dims, with optional affine leaves."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    k = draw(st.integers(1, len(shape)))
    normalized = tuple(shape[len(shape) - k:])
    # a spread of at least 0.5 over each normalized slice: two nearly equal values have a tiny
    # std, and 1/std turns float32 rounding into gradients that differ between the libraries
    x = values(draw, shape) + 0.5 * np.arange(math.prod(normalized)).reshape(normalized)
    args = [x, normalized]
    if draw(st.booleans()):
        args.append(values(draw, normalized, salt=1))
        if bias:
            args.append(values(draw, normalized, salt=2) if draw(st.booleans()) else None)
    eps = draw(EPS)
    return Sample(tuple(args), {} if eps is None else {"eps": eps})


@st.composite
def group_inputs(draw):
    groups, per_group = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    channels = groups * per_group
    rest = draw(st.sampled_from([(), (3,), (2, 2)]))
    n = draw(st.integers(1, 3))
    shape = (n, channels) + rest
    kwargs = {"weight": values(draw, (channels,), salt=1), "bias": values(draw, (channels,), salt=2)} \
        if draw(st.booleans()) else {}
    return Sample((values(draw, shape), groups), kwargs)


@st.composite
def batch_inputs(draw):
    channels = draw(st.integers(1, 3))
    shape = draw(st.sampled_from([(4, channels), (2, channels, 3), (3, channels, 1)]))
    training = draw(st.booleans())
    running = (Const(values(draw, (channels,), salt=3)),
               Const(values(draw, (channels,), low=0.0, salt=4)))
    if training and draw(st.booleans()):
        running = (None, None)
    kwargs = {"training": training, "momentum": draw(st.sampled_from([0.1, 0.5])),
              "eps": draw(st.sampled_from([1e-5, 1e-2]))}
    if draw(st.booleans()):
        kwargs.update(weight=values(draw, (channels,), salt=1), bias=values(draw, (channels,), salt=2))
    return Sample((values(draw, shape), *running), kwargs)


@st.composite
def normalize_inputs(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    p = draw(st.sampled_from([2.0, 1.0, 3.0]))
    return Sample((values(draw, shape, away=(0.0,)),), {"p": p, "dim": dim})


@st.composite
def cosine_inputs(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3,
                                                    min_side=1, max_side=4)).input_shapes
    ndim = max(len(s) for s in shapes)
    dim = draw(st.integers(-ndim, ndim - 1))
    return Sample((values(draw, shapes[0]), values(draw, shapes[1], salt=1)), {"dim": dim})


@st.composite
def distance_inputs(draw):
    d = draw(st.integers(1, 4))
    first = draw(st.sampled_from([(3, d), (d,), (2, 2, d)]))
    second = draw(st.sampled_from([first, (d,), (1, d)]))
    x1 = values(draw, first)
    if second == first:  # x1 - x2 away from -eps, the kink of the 1-norm
        x2 = x1 - values(draw, first, away=(0.0,), salt=1)
    else:
        x2 = values(draw, second, salt=1)
    kwargs = {"p": draw(st.sampled_from([2.0, 1.0, 3.0])), "keepdim": draw(st.booleans())}
    return Sample((x1, x2), kwargs)


@st.composite
def bilinear_inputs(draw):
    batch = draw(st.sampled_from([(3,), (2, 2), ()]))
    in1, in2, out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    args = (values(draw, batch + (in1,)), values(draw, batch + (in2,), salt=1),
            values(draw, (out, in1, in2), salt=2))
    if draw(st.booleans()):
        args += (values(draw, (out,), salt=3),)
    return Sample(args)


ROWS = {
    "layer_norm": Row(trailing_inputs()),
    "rms_norm": Row(trailing_inputs(bias=False)),
    "group_norm": Row(group_inputs()),
    "batch_norm": Row(batch_inputs()),
    "normalize": Row(normalize_inputs()),
    "cosine_similarity": Row(cosine_inputs()),
    "pairwise_distance": Row(distance_inputs()),
    "bilinear": Row(bilinear_inputs()),
}
