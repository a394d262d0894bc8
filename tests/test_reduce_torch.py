"""Reductions, scans and sorts against PyTorch: the named tuples they return, the argument forms
PyTorch accepts (and refuses), result dtypes, the index chosen among ties where PyTorch
documents it, reductions of empty tensors, and gradients at zeros, ties and NaNs.

Each call is written once, ``call(lib, x)``, for ``lib`` = minigrad and torch.
"""
import math
import warnings

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

M = np.array([[3.0, -1.0, 2.0, 0.5], [1.5, 4.0, -2.0, 2.5], [0.0, 1.0, 3.5, -0.5]])
TIES = np.array([[2.0, 1.0, 2.0, 1.0], [3.0, 3.0, 0.0, 3.0], [1.0, 1.0, 1.0, 1.0]])
WITH_NAN = np.array([[2.0, np.nan, 1.0, 5.0], [np.nan, np.nan, 0.0, 1.0], [1.0, 2.0, 3.0, 4.0]])


def tensors(lib, array, dtype=None, requires_grad=False):
    if lib is torch:
        t = torch.tensor(array, dtype=None if dtype is None else getattr(torch, dtype))
        return t.requires_grad_(requires_grad)
    # (minigrad's dtypes are numpy's; not every one has a name in mg yet)
    return mg.tensor(array, dtype=None if dtype is None else np.dtype(dtype), requires_grad=requires_grad)


def flat(result):
    """A result's tensors, in order (a tensor, a tuple or a named tuple)."""
    return [result] if isinstance(result, (mg.Tensor, torch.Tensor)) else list(result)


def assert_same(ours, theirs, where, indices=True):
    mine, reference = flat(ours), flat(theirs)
    assert len(mine) == len(reference), where
    for i, (o, t) in enumerate(zip(mine, reference)):
        if not indices and t.dtype == torch.int64 and i > 0:
            continue
        expected = t.detach().numpy()
        assert o.dtype == expected.dtype, f"{where} output {i}: {o.dtype}, PyTorch's {expected.dtype}"
        assert o.shape == expected.shape, f"{where} output {i}: {o.shape}, PyTorch's {expected.shape}"
        np.testing.assert_allclose(o.data, expected, rtol=1e-6, atol=1e-6, err_msg=where)


# ---------------------------------------------------------------------------------------------
# Named tuples
# ---------------------------------------------------------------------------------------------
NAMED = {
    "max": lambda lib, x: x.max(1), "min": lambda lib, x: lib.min(x, 0),
    "sort": lambda lib, x: x.sort(), "topk": lambda lib, x: x.topk(2),
    "kthvalue": lambda lib, x: x.kthvalue(2, 0), "median": lambda lib, x: x.median(1),
    "nanmedian": lambda lib, x: x.nanmedian(0), "mode": lambda lib, x: x.mode(),
    "cummax": lambda lib, x: x.cummax(1), "cummin": lambda lib, x: lib.cummin(x, 0),
    "aminmax": lambda lib, x: x.aminmax(dim=1),
}


@pytest.mark.parametrize("name", NAMED)
def test_named_tuples_have_pytorchs_type_name_fields_and_values(name):
    ours, theirs = NAMED[name](mg, tensors(mg, M)), NAMED[name](torch, tensors(torch, M))
    assert type(ours) is getattr(mg.return_types, name)
    assert type(ours).__name__ == type(theirs).__name__ == name
    assert isinstance(ours, tuple) and len(ours) == len(theirs) == 2
    for i, field in enumerate(ours._fields):
        assert getattr(ours, field) is ours[i]
        np.testing.assert_allclose(getattr(ours, field).data, getattr(theirs, field).numpy())
    first, second = ours  # unpacks
    assert first is ours[0] and second is ours[-1]


def test_named_tuple_prints_as_pytorchs_under_minigrads_module():
    ours = mg.tensor([3.0, 1.0]).sort()
    theirs = torch.tensor([3.0, 1.0]).sort()
    assert repr(ours) == ("minigrad.return_types.sort(\nvalues=" + repr(ours.values)
                          + ",\nindices=" + repr(ours.indices) + ")")
    skeleton = [line.split("=")[0] for line in repr(theirs).replace("torch.", "minigrad.", 1).splitlines()]
    assert [line.split("=")[0] for line in repr(ours).splitlines()] == skeleton


def test_named_tuple_is_built_from_one_sequence_and_compares_as_a_tuple():
    pair = mg.return_types.max((1, 2))
    assert pair == (1, 2) and pair.values == 1 and pair.indices == 2
    with pytest.raises(TypeError, match="2-sequence"):
        mg.return_types.max((1, 2, 3))
    with pytest.raises(AttributeError):
        pair.values = 3


def test_var_mean_and_std_mean_return_plain_tuples_like_pytorch():
    for name in ("var_mean", "std_mean"):
        ours = getattr(mg, name)(tensors(mg, M), 1)
        theirs = getattr(torch, name)(tensors(torch, M), 1)
        assert type(ours) is tuple and type(theirs) is tuple
        assert_same(ours, theirs, name)


# ---------------------------------------------------------------------------------------------
# Argument forms PyTorch accepts: each compared with PyTorch's result
# ---------------------------------------------------------------------------------------------
CALLS = {
    "sum(0, True)": lambda lib, x: x.sum(0, True),
    "sum(dtype=float64)": lambda lib, x: x.sum(dtype=lib.float64),
    "sum(axis=, keepdims=)": lambda lib, x: x.sum(axis=1, keepdims=True),
    "mean(dim, dtype=float64)": lambda lib, x: x.mean(0, dtype=lib.float64),
    "mean of ints with dtype": lambda lib, x: x.long().mean(dtype=lib.float32),
    "prod(dim, keepdim, dtype=)": lambda lib, x: x.prod(1, True, dtype=lib.float64),
    "prod(axis=, keepdims=)": lambda lib, x: x.prod(axis=0, keepdims=True),
    "cumsum(dim, dtype=)": lambda lib, x: x.cumsum(1, dtype=lib.float64),
    "cumsum(axis=)": lambda lib, x: x.cumsum(axis=0),
    "cumprod(dim=)": lambda lib, x: x.cumprod(dim=-1),
    "var(dim, unbiased)": lambda lib, x: x.var(0, False),
    "var(dim, unbiased, keepdim)": lambda lib, x: x.var(1, True, True),
    "var(unbiased) alone": lambda lib, x: x.var(False),
    "var(correction=float)": lambda lib, x: x.var(0, correction=0.5),
    "var(unbiased=)": lambda lib, x: x.var(dim=1, unbiased=False),
    "std(dim, unbiased, keepdim)": lambda lib, x: lib.std(x, 0, True, True),
    "std(axis=, keepdims=)": lambda lib, x: x.std(axis=1, keepdims=True),
    "var_mean(dim, unbiased, keepdim)": lambda lib, x: lib.var_mean(x, 1, False, True),
    "std_mean(correction=0)": lambda lib, x: lib.std_mean(x, correction=0),
    "any(dim)": lambda lib, x: (x > 2).any(1),
    "all(dim, keepdim)": lambda lib, x: (x > -1).all(0, True),
    "any(dim tuple)": lambda lib, x: (x > 3).any((0, 1)),
    "any of uint8": lambda lib, x: (x > 0).to(np.uint8 if lib is mg else torch.uint8).any(0),
    "count_nonzero(dim)": lambda lib, x: x.count_nonzero(0),
    "count_nonzero(dims)": lambda lib, x: lib.count_nonzero(x, dim=(0, 1)),
    "argmax(keepdim=True)": lambda lib, x: x.argmax(keepdim=True),
    "argmin(dim, keepdim)": lambda lib, x: x.argmin(1, True),
    "max(axis=)": lambda lib, x: x.max(axis=0),
    "max(dim, keepdim)": lambda lib, x: x.max(1, True),
    "amax(axis=, keepdims=)": lambda lib, x: x.amax(axis=1, keepdims=True),
    "aminmax() keepdim": lambda lib, x: x.aminmax(keepdim=True),
    "sort(dim, descending)": lambda lib, x: x.sort(0, True),
    "sort(stable=, dim=, descending=)": lambda lib, x: x.sort(stable=True, dim=0, descending=True),
    "argsort(dim, descending)": lambda lib, x: x.argsort(1, True),
    "topk(k, dim, largest)": lambda lib, x: x.topk(2, 0, False),
    "topk(axis=)": lambda lib, x: x.topk(1, axis=0),
    "kthvalue(k, dim, keepdim)": lambda lib, x: x.kthvalue(3, 1, True),
    "median(dim, keepdim)": lambda lib, x: x.median(0, True),
    "mode(axis=, keepdims=)": lambda lib, x: x.mode(axis=0, keepdims=True),
    "msort": lambda lib, x: x.msort(),
    "logcumsumexp(dim)": lambda lib, x: x.logcumsumexp(1),
    "nansum(dim, keepdim)": lambda lib, x: x.nansum(1, True),
    "nanmean(dim, dtype=)": lambda lib, x: x.nanmean(0, dtype=lib.float64),
    "logsumexp(axis=)": lambda lib, x: x.logsumexp(axis=1),
}


@pytest.mark.parametrize("name", CALLS)
def test_argument_forms_give_pytorchs_result(name):
    ours = CALLS[name](mg, tensors(mg, M, "float32"))
    theirs = CALLS[name](torch, tensors(torch, M, "float32"))
    assert_same(ours, theirs, name)


# ---------------------------------------------------------------------------------------------
# Result dtypes
# ---------------------------------------------------------------------------------------------
DTYPE_CALLS = {
    "sum": lambda lib, x: x.sum(), "sum(dim)": lambda lib, x: x.sum(0), "prod": lambda lib, x: x.prod(),
    "cumsum": lambda lib, x: x.cumsum(0), "cumprod": lambda lib, x: x.cumprod(0),
    "nansum": lambda lib, x: x.nansum(), "count_nonzero": lambda lib, x: x.count_nonzero(),
    "amax": lambda lib, x: x.amax(0), "max(dim)": lambda lib, x: x.max(0),
    "median": lambda lib, x: x.median(), "sort": lambda lib, x: x.sort(0),
    "cummax": lambda lib, x: x.cummax(0), "aminmax": lambda lib, x: x.aminmax(),
    "sum(dtype=float32)": lambda lib, x: x.sum(dtype=lib.float32),
    "logsumexp": lambda lib, x: x.logsumexp(0),
}
INPUT_DTYPES = ["int32", "int64", "uint8", "bool", "float16", "float32", "float64"]
ONLY_NUMBERS = {"median", "sort", "cummax", "logsumexp"}  # ops PyTorch refuses on bools or floats16


@pytest.mark.parametrize("dtype", INPUT_DTYPES)
@pytest.mark.parametrize("name", DTYPE_CALLS)
def test_result_dtypes_are_pytorchs(name, dtype):
    array = np.array([[1, 0, 2], [3, 1, 1]])
    try:
        theirs = DTYPE_CALLS[name](torch, tensors(torch, array, dtype))
    except (RuntimeError, NotImplementedError):  # (PyTorch's CPU kernels lack a few dtypes)
        assert name in ONLY_NUMBERS
        return
    ours = DTYPE_CALLS[name](mg, tensors(mg, array, dtype))
    assert_same(ours, theirs, f"{name} of {dtype}", indices=name not in {"sort", "median"})


# ---------------------------------------------------------------------------------------------
# Bad calls: PyTorch's exception type, a message naming the op
# ---------------------------------------------------------------------------------------------
BAD = {
    "sum(0, 0): keepdim must be a bool": (lambda lib, x: x.sum(0, 0), "sum"),
    "sum(keepdim=None)": (lambda lib, x: x.sum(0, keepdim=None), "sum"),
    "amax(dim=True)": (lambda lib, x: x.amax(dim=True), "amax"),
    "max(True)": (lambda lib, x: x.max(True), "max"),
    "argmax over a tuple": (lambda lib, x: x.argmax((0, 1)), "argmax"),
    "prod over a tuple": (lambda lib, x: x.prod((0, 1)), "prod"),
    "cumsum without a dim": (lambda lib, x: x.cumsum(), "cumsum"),
    "cumsum over a tuple": (lambda lib, x: x.cumsum((0,)), "cumsum"),
    "cumsum with dtype positional": (lambda lib, x: x.cumsum(0, lib.float64), "cumsum"),
    "var(0, 2): unbiased must be a bool": (lambda lib, x: x.var(0, 2), "var"),
    "var with unbiased and correction": (lambda lib, x: x.var(0, unbiased=True, correction=1), "var"),
    "aminmax over a tuple": (lambda lib, x: x.aminmax(dim=(0, 1)), "aminmax"),
    "aminmax with a positional dim": (lambda lib, x: x.aminmax(0), "aminmax"),
    "sum with both dim and axis": (lambda lib, x: x.sum(0, axis=0), "sum"),
    "mean of integers": (lambda lib, x: x.long().mean(), "mean"),
    "mean with an integer dtype": (lambda lib, x: x.mean(dtype=lib.int64), "mean"),
    "std of integers": (lambda lib, x: x.long().std(), "std"),
    "nanmean of integers": (lambda lib, x: x.long().nanmean(), "nanmean"),
    "logcumsumexp of integers": (lambda lib, x: x.long().logcumsumexp(0), "logcumsumexp"),
    "argmax of bools": (lambda lib, x: (x > 0).argmax(), "argmax"),
    "topk of bools": (lambda lib, x: (x > 0).topk(1), "topk"),
    "topk with k too large": (lambda lib, x: x.topk(5), "topk"),
    "topk with k negative": (lambda lib, x: x.topk(-1), "topk"),
    "kthvalue with k = 0": (lambda lib, x: x.kthvalue(0), "kthvalue"),
    "kthvalue with k too large": (lambda lib, x: x.kthvalue(5), "kthvalue"),
    "median() of bools": (lambda lib, x: (x > 0).median(), "median"),
    "sum with a grad into int64": (lambda lib, x: x.requires_grad_().sum(dtype=lib.int64), "sum"),
    "max() of an empty tensor": (lambda lib, x: x[:0].max(), "max"),
    "amax() of an empty tensor": (lambda lib, x: x[:0].amax(), "amax"),
    "aminmax() of an empty tensor": (lambda lib, x: x[:0].aminmax(), "aminmax"),
    "argmax() of an empty tensor": (lambda lib, x: x[:0].argmax(), "argmax"),
    "max over an empty dim": (lambda lib, x: x[:0].max(0), "max"),
    "median over an empty dim": (lambda lib, x: x[:0].median(0), "median"),
    "mode over an empty dim": (lambda lib, x: x[:0].mode(0), "mode"),
    "kthvalue over an empty dim": (lambda lib, x: x[:0].kthvalue(1, 0), "kthvalue"),
    "aminmax over an empty dim": (lambda lib, x: x[:0].aminmax(dim=0), "aminmax"),
}
OUT_OF_RANGE = {
    "sum": lambda x: x.sum(2), "sum(-3)": lambda x: x.sum(-3), "mean": lambda x: x.mean((0, 2)),
    "prod": lambda x: x.prod(2), "cumsum": lambda x: x.cumsum(2), "cumprod": lambda x: x.cumprod(-3),
    "logcumsumexp": lambda x: x.logcumsumexp(2), "cummax": lambda x: x.cummax(2),
    "cummin": lambda x: x.cummin(2), "sort": lambda x: x.sort(3), "argsort": lambda x: x.argsort(2),
    "topk": lambda x: x.topk(1, 2), "kthvalue": lambda x: x.kthvalue(1, 2),
    "median": lambda x: x.median(5), "nanmedian": lambda x: x.nanmedian(2), "mode": lambda x: x.mode(2),
    "max": lambda x: x.max(2), "min": lambda x: x.min(-3), "argmax": lambda x: x.argmax(2),
    "amax": lambda x: x.amax(2), "any": lambda x: x.any(2), "all": lambda x: x.all(2),
    "std": lambda x: x.std(2), "var": lambda x: x.var(-3), "count_nonzero": lambda x: x.count_nonzero(2),
    "aminmax": lambda x: x.aminmax(dim=2), "nansum": lambda x: x.nansum(2), "nanmean": lambda x: x.nanmean(2),
    "logsumexp": lambda x: x.logsumexp(2),
}


def _raised(call):
    try:
        call()
    except Exception as error:  # noqa: BLE001 (the type is what is compared)
        return error
    return None


@pytest.mark.parametrize("name", BAD)
def test_bad_calls_raise_pytorchs_exception_naming_the_op(name):
    call, op_name = BAD[name]
    theirs = _raised(lambda: call(torch, tensors(torch, M, "float32")))
    assert theirs is not None, f"{name}: PyTorch accepts it"
    ours = _raised(lambda: call(mg, tensors(mg, M, "float32")))
    assert isinstance(ours, type(theirs)), f"{name}: {ours!r}, PyTorch raises {type(theirs).__name__}"
    assert op_name in str(ours), f"{name}: {ours}"


@pytest.mark.parametrize("name", OUT_OF_RANGE)
def test_a_dim_out_of_range_is_an_index_error_naming_the_op(name):
    with pytest.raises(IndexError):
        OUT_OF_RANGE[name](tensors(torch, M))
    op_name = name.split("(")[0]
    with pytest.raises(IndexError, match=rf"^{op_name}: dim -?\d is out of range for a tensor with 2"):
        OUT_OF_RANGE[name](tensors(mg, M))


# ---------------------------------------------------------------------------------------------
# Empty tensors
# ---------------------------------------------------------------------------------------------
EMPTY = {
    "sum": lambda lib, x: x.sum(), "prod": lambda lib, x: x.prod(), "mean": lambda lib, x: x.mean(),
    "prod(0)": lambda lib, x: x.prod(0), "median()": lambda lib, x: x.median(),
    "nanmedian()": lambda lib, x: x.nanmedian(), "nansum": lambda lib, x: x.nansum(),
    "nanmean": lambda lib, x: x.nanmean(), "count_nonzero": lambda lib, x: x.count_nonzero(),
    "any": lambda lib, x: x.any(), "all": lambda lib, x: x.all(), "max(1)": lambda lib, x: x.max(1),
    "median(1)": lambda lib, x: x.median(1), "mode(1)": lambda lib, x: x.mode(1),
    "sort(0)": lambda lib, x: x.sort(0), "topk(0, 0)": lambda lib, x: x.topk(0, 0),
    "cumsum(0)": lambda lib, x: x.cumsum(0), "cumprod(0)": lambda lib, x: x.cumprod(0),
    "cummax(0)": lambda lib, x: x.cummax(0), "logcumsumexp(0)": lambda lib, x: x.logcumsumexp(0),
    "aminmax(dim=1)": lambda lib, x: x.aminmax(dim=1), "kthvalue(1, 1)": lambda lib, x: x.kthvalue(1, 1),
    "argsort(0)": lambda lib, x: x.argsort(0), "std()": lambda lib, x: x.std(),
}


@pytest.mark.parametrize("name", EMPTY)
def test_reductions_of_empty_tensors_are_pytorchs(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (std's degrees of freedom)
        theirs = EMPTY[name](torch, torch.zeros(0, 3))
        ours = EMPTY[name](mg, mg.zeros(0, 3))
    assert_same(ours, theirs, name)


# ---------------------------------------------------------------------------------------------
# Ties and NaNs: indices where PyTorch documents them, values everywhere
# ---------------------------------------------------------------------------------------------
DOCUMENTED_TIES = {  # max/min/argmax/argmin: the first of ties; a stable sort keeps their order
    "max(dim)": lambda lib, x: x.max(1), "min(dim)": lambda lib, x: x.min(0),
    "argmax(dim)": lambda lib, x: x.argmax(1), "argmin": lambda lib, x: x.argmin(),
    "stable sort": lambda lib, x: x.sort(stable=True, dim=1),
    "stable sort descending": lambda lib, x: x.sort(stable=True, dim=1, descending=True),
    "stable sort over dim 0": lambda lib, x: x.sort(stable=True, dim=0, descending=True),
    "stable argsort": lambda lib, x: x.argsort(stable=True, descending=True),
}


@pytest.mark.parametrize("name", DOCUMENTED_TIES)
def test_indices_among_ties_are_pytorchs_where_documented(name):
    call = DOCUMENTED_TIES[name]
    assert_same(call(mg, tensors(mg, TIES)), call(torch, tensors(torch, TIES)), name)


VALUES_ONLY = {
    "median(dim)": lambda lib, x: x.median(1), "median()": lambda lib, x: x.median(),
    "nanmedian(dim)": lambda lib, x: x.nanmedian(1), "nanmedian()": lambda lib, x: x.nanmedian(),
    "mode": lambda lib, x: x.mode(1), "kthvalue": lambda lib, x: x.kthvalue(2, 1),
    "topk": lambda lib, x: x.topk(2, 1), "topk smallest": lambda lib, x: x.topk(3, 1, largest=False),
    "sort": lambda lib, x: x.sort(1), "sort descending": lambda lib, x: x.sort(1, descending=True),
    "cummax": lambda lib, x: x.cummax(1), "cummin": lambda lib, x: x.cummin(1),
    "max(dim)": lambda lib, x: x.max(1), "max()": lambda lib, x: x.max(),
    "aminmax": lambda lib, x: x.aminmax(dim=0), "nansum": lambda lib, x: x.nansum(1),
    "nanmean": lambda lib, x: x.nanmean(1), "logcumsumexp": lambda lib, x: x.logcumsumexp(1),
}


@pytest.mark.parametrize("array", [TIES, WITH_NAN], ids=["ties", "nan"])
@pytest.mark.parametrize("name", VALUES_ONLY)
def test_values_among_ties_and_nans_are_pytorchs(name, array):
    ours, theirs = VALUES_ONLY[name](mg, tensors(mg, array)), VALUES_ONLY[name](torch, tensors(torch, array))
    assert_same(ours, theirs, name, indices=False)


def test_mode_is_the_smallest_most_frequent_value():
    result = mg.tensor([3.0, 1.0, 2.0, 2.0, 1.0, 3.0]).mode()
    assert result.values.item() == 1.0
    assert result.indices.item() in (1, 4)  # an occurrence of it (which one PyTorch leaves open)


def test_running_extreme_points_at_the_latest_tie():
    # (PyTorch's CPU kernel keeps the latest index among equal running maxima; the docs say
    # nothing, so this is checked against the rule, not against PyTorch)
    result = mg.tensor([1.0, 3.0, 3.0, 2.0, 3.0]).cummax(0)
    assert result.values.tolist() == [1.0, 3.0, 3.0, 3.0, 3.0]
    assert result.indices.tolist() == [0, 1, 2, 2, 4]
    low = mg.tensor([1.0, 1.0, 0.0, 1.0, 0.0]).cummin(0)
    assert low.indices.tolist() == [0, 1, 2, 2, 4]


def test_median_is_the_lower_middle_value():
    assert mg.tensor([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0
    assert mg.tensor([[4, 1, 3, 2]]).median(1).values.tolist() == [2]


# ---------------------------------------------------------------------------------------------
# Gradients at zeros, ties and NaNs, first and second order
# ---------------------------------------------------------------------------------------------
GRADIENTS = {
    "prod, one zero": (lambda x: x.prod(), [2.0, 0.0, 3.0, -1.5]),
    "prod, two zeros": (lambda x: x.prod(), [2.0, 0.0, 0.0, 1.5]),
    "prod(dim), zeros in some rows": (lambda x: x.prod(1),
                                      [[2.0, 0.0, 3.0], [1.0, 2.0, -3.0], [0.0, 0.0, 1.0]]),
    "prod(dim 0), zeros": (lambda x: x.prod(0), [[2.0, 0.0, 3.0], [1.0, 2.0, 0.0]]),
    "prod(), zeros in a matrix": (lambda x: x.prod(), [[2.0, 0.5], [1.5, 0.0]]),
    "cumprod, one zero": (lambda x: x.cumprod(0), [2.0, 0.0, 3.0, 4.0]),
    "cumprod, two zeros": (lambda x: x.cumprod(0), [2.0, 0.0, 3.0, 0.0, 1.5]),
    "cumprod(dim 0), zeros": (lambda x: x.cumprod(0), [[2.0, 0.0], [0.0, 3.0], [1.5, 2.0]]),
    "cumsum": (lambda x: x.cumsum(1), [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    "logcumsumexp, wide range": (lambda x: x.logcumsumexp(0), [-800.0, 0.0, 700.0, -5.0, 3.0]),
    "logcumsumexp(dim 0)": (lambda x: x.logcumsumexp(0), [[0.5, -1.0], [2.0, 0.0], [-3.0, 1.0]]),
    "median(), ties": (lambda x: x.median(), [1.0, 2.0, 2.0, 3.0]),
    "nanmedian(), ties": (lambda x: x.nanmedian(), [2.0, 2.0, float("nan"), 3.0, 1.0]),
    "median(), NaNs": (lambda x: x.median(), [2.0, float("nan"), float("nan"), 1.0]),
    "max(), ties": (lambda x: x.max(), [1.0, 3.0, 3.0]),
    "aminmax, ties": (lambda x: sum(x.aminmax()), [1.0, 1.0, 3.0, 3.0]),
    "nansum, NaNs": (lambda x: x.nansum(), [2.0, float("nan"), 1.0]),
    "nanmean, NaNs": (lambda x: x.nanmean(), [2.0, float("nan"), 1.0]),
    "std of a constant": (lambda x: x.std(), [5.0, 5.0, 5.0]),
    "var(dim)": (lambda x: x.var(0, False), [[1.0, 2.0], [4.0, 0.5]]),
    "sort": (lambda x: x.sort(0, True)[0], [1.0, 3.0, -2.0, 0.5]),
    "topk": (lambda x: x.topk(2)[0], [1.0, 3.0, -2.0, 0.5]),
    "kthvalue": (lambda x: x.kthvalue(2)[0], [1.0, 3.0, -2.0, 0.5]),
    "mode": (lambda x: x.mode()[0], [1.0, 3.0, 3.0, 0.5]),
    "cummax": (lambda x: x.cummax(0)[0], [1.0, 3.0, -2.0, 4.0]),
}


def _gradients(lib, call, data, create_graph):
    x = tensors(lib, np.array(data), "float64", requires_grad=True)
    out = call(x)
    weights = tensors(lib, np.linspace(-1.0, 2.0, max(out.numel(), 1)).reshape(out.shape), "float64")
    grad_fn = torch.autograd.grad if lib is torch else mg.grad
    (first,) = grad_fn((out * weights).sum(), x, create_graph=create_graph)
    if not create_graph:
        return first, None
    if not first.requires_grad:  # a gradient that does not depend on x: its derivative is 0
        return first, np.zeros(x.shape)
    (second,) = grad_fn((first * first).sum(), x, allow_unused=True)
    return first, second


@pytest.mark.parametrize("name", GRADIENTS)
def test_gradients_are_pytorchs_first_and_second_order(name):
    call, data = GRADIENTS[name]
    for create_graph in (False, True):
        ours = _gradients(mg, call, data, create_graph)
        theirs = _gradients(torch, call, data, create_graph)
        for order, (o, t) in enumerate(zip(ours, theirs), start=1):
            if t is None:
                continue
            expected = t if isinstance(t, np.ndarray) else t.detach().numpy()
            got = np.zeros_like(expected) if o is None else getattr(o, "data", o)
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-10,
                                       err_msg=f"{name}: order {order}, create_graph={create_graph}")


def test_indices_never_require_grad():
    x = mg.tensor(M, requires_grad=True)
    results = [x.max(1), x.min(0), x.sort(), x.topk(2), x.kthvalue(1), x.median(0), x.nanmedian(1),
               x.mode(), x.cummax(1), x.cummin(0)]
    for result in results:
        assert result.values.requires_grad, type(result).__name__
        assert not result.indices.requires_grad and result.indices.grad_fn is None, type(result).__name__
    for constant in (x.argsort(), x.argmax(0), x.count_nonzero(), x.any(0), (x > 0).all()):
        assert not constant.requires_grad


def test_prod_gradient_is_exact_without_division_at_zeros():
    # closed form: d/dx_k prod(x) is the product of the other elements
    x = mg.tensor([2.0, 0.0, 3.0, 4.0], requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 24.0, 0.0, 0.0]
    assert math.isnan(mg.zeros(0).mean().item())
