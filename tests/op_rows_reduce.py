"""Rows of the reduce family: products and scans (ops/scan.py), sorts and selections
(ops/sorting.py), the statistics (ops/statistics.py) and the reductions added beside sum.

Ops that select an element (sort, topk, median, cummax...) draw distinct values: a tie makes
the selection jump under finite differences, so gradcheck would compare against a jump.  The
products draw zeros (one or several), where their gradient needs the product of the others.
"""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from op_rows import SHAPES, SHAPES_1D_UP, DType, Row, Sample, torch_reduction, values, with_dims


def distinct(draw, shape, salt=0):
    """Values at least 0.1 apart (a shuffled grid with noise): no ties to select among."""
    rng = np.random.default_rng([draw(st.integers(0, 2**32 - 1)), salt])
    size = int(np.prod(shape))
    grid = rng.permutation(size) * 0.3 - 0.15 * size + rng.uniform(0, 0.1, size)
    return grid.reshape(shape)


def with_zeros(draw, shape):
    """Random values with none, one or several elements set to exactly zero."""
    x = values(draw, shape)
    if x.size:
        count = draw(st.integers(0, min(3, x.size)))
        x.flat[np.random.default_rng(draw(st.integers(0, 1000))).permutation(x.size)[:count]] = 0.0
    return x


def _dim(draw, ndim):
    return draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1))


@st.composite
def products(draw):
    shape = draw(SHAPES)
    x = with_zeros(draw, shape)
    if draw(st.booleans()):
        return Sample((x,))
    return Sample((x,), {"dim": _dim(draw, len(shape)), "keepdim": draw(st.booleans())})


@st.composite
def scans(draw, zeros=False, dtype=False):
    shape = draw(SHAPES)
    x = with_zeros(draw, shape) if zeros else values(draw, shape)
    kwargs = {"dim": _dim(draw, len(shape))}
    if dtype and draw(st.booleans()):
        kwargs["dtype"] = DType("float64")
    return Sample((x,), kwargs)


@st.composite
def selections(draw, shapes=SHAPES, keepdim=True, dim=True):
    """Distinct values and a dim (and keepdim)."""
    shape = draw(shapes)
    kwargs = {"dim": _dim(draw, len(shape))} if dim else {}
    if keepdim:
        kwargs["keepdim"] = draw(st.booleans())
    return Sample((distinct(draw, shape),), kwargs)


@st.composite
def sorted_inputs(draw):
    sample = draw(selections(keepdim=False))
    return Sample(sample.args, {**sample.kwargs, "descending": draw(st.booleans()),
                                "stable": draw(st.booleans())})


@st.composite
def top_k(draw):
    shape = draw(SHAPES)
    d = _dim(draw, len(shape))
    n = shape[d] if shape else 1
    k = draw(st.integers(0 if shape else 1, n))
    return Sample((distinct(draw, shape), k), {"dim": d, "largest": draw(st.booleans())})


@st.composite
def kth(draw):
    shape = draw(SHAPES)
    d = _dim(draw, len(shape))
    k = draw(st.integers(1, shape[d] if shape else 1))
    return Sample((distinct(draw, shape), k), {"dim": d, "keepdim": draw(st.booleans())})


@st.composite
def medians(draw):
    if draw(st.booleans()):
        return Sample((distinct(draw, draw(SHAPES)),))
    return draw(selections())


@st.composite
def with_nans(draw):
    """Reductions over ``dim`` of values some of which are NaN."""
    sample = draw(with_dims())
    x = sample.args[0].copy()
    if x.size > 1:
        x.flat[draw(st.integers(0, x.size - 1))] = np.nan
    return Sample((x,), sample.kwargs)


@st.composite
def counted(draw):
    x = values(draw, draw(SHAPES), integers=True)
    ndim = x.ndim
    choices = [None]
    if ndim:
        choices += [_dim(draw, ndim), tuple(draw(st.lists(st.integers(0, ndim - 1), min_size=1,
                                                           max_size=ndim, unique=True)))]
    return Sample((x,), {"dim": draw(st.sampled_from(choices))})


@st.composite
def extremes(draw):
    """aminmax's keyword dim (one int or None) and keepdim; ties share the gradient."""
    shape = draw(SHAPES)
    kwargs = {"keepdim": draw(st.booleans())}
    if shape and draw(st.booleans()):
        kwargs["dim"] = _dim(draw, len(shape))
    return Sample((values(draw, shape),), kwargs)


def _variances():
    shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4)
    return with_dims(shapes=shapes).map(
        lambda s: Sample(s.args, {**s.kwargs, "correction": 0 if s.args[0].size % 2 else 1}))


ROWS = {
    "prod": Row(products()),
    "cumsum": Row(scans(dtype=True)),
    "cumprod": Row(scans(zeros=True)),
    "logcumsumexp": Row(scans()),
    "cummax": Row(selections(keepdim=False)),
    "cummin": Row(selections(keepdim=False)),
    "sort": Row(sorted_inputs()),
    "argsort": Row(sorted_inputs(), differentiable=False),
    "msort": Row(selections(shapes=SHAPES_1D_UP, keepdim=False, dim=False)),
    "topk": Row(top_k()),
    "kthvalue": Row(kth()),
    "median": Row(medians()),
    "nanmedian": Row(medians()),
    "mode": Row(selections()),
    "aminmax": Row(extremes()),
    "count_nonzero": Row(counted(), differentiable=False),
    "nansum": Row(with_nans(), torch=torch_reduction("nansum")),
    "nanmean": Row(with_nans(), torch=torch_reduction("nanmean")),
    "var_mean": Row(_variances(), torch=torch_reduction("var_mean")),
    "std_mean": Row(_variances(), torch=torch_reduction("std_mean")),
}
