"""Indexing and item assignment in PyTorch's order: random index tuples (ints, slices, None,
Ellipsis, lists, numpy arrays, integer tensors, boolean masks, Python and 0-d bools, 0-d
integer tensors) over random shapes give PyTorch's shapes, values and gradients, or raise
PyTorch's exception type where PyTorch raises."""
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg

torch = pytest.importorskip("torch")

MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# how many dimensions of the tensor each kind of item indexes (a mask: as many as it has)
TAKES_ONE = ("int", "int0d", "slice", "list", "array", "tensor")
TAKES_NONE = ("none", "bool", "bool0d")
# index arrays drawn with one of these shapes broadcast together (most of the time)
ARRAY_SHAPES = [(), (1,), (2,), (3,), (2, 1), (1, 2), (2, 2)]


@st.composite
def index_cases(draw):
    """``(shape, items)``: a shape and a list of ``(kind, value)`` index items for it."""
    shape = draw(st.one_of(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
                           hnp.array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=4)))
    ndim = len(shape)
    # (the kinds that take a dimension twice over, so that most indices mix several of them)
    kinds = draw(st.lists(st.sampled_from(2 * TAKES_ONE + TAKES_NONE + ("mask", "ellipsis")),
                          min_size=1, max_size=5))
    if kinds.count("ellipsis") > 1:
        first = kinds.index("ellipsis")
        kinds = [k for i, k in enumerate(kinds) if k != "ellipsis" or i == first]
    # the number of dimensions each item takes, within what the tensor has
    takes, left = [], ndim
    for kind in kinds:
        n = 1 if kind in TAKES_ONE else 0
        if kind == "mask":
            n = draw(st.integers(1, max(left, 1)))
        if n > left:
            kind, n = "none", 0
        takes.append((kind, n))
        left -= n
    before = takes[:kinds.index("ellipsis")] if "ellipsis" in kinds else takes
    after = takes[len(before) + 1:] if "ellipsis" in kinds else []
    dims = list(range(0, sum(n for _, n in before)))
    dims_after = list(range(ndim - sum(n for _, n in after), ndim))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    base = draw(st.sampled_from(ARRAY_SHAPES))
    items = [_item(kind, n, dims, shape, rng, base, draw) for kind, n in before]
    if "ellipsis" in kinds:
        items.append(("ellipsis", Ellipsis))
        items += [_item(kind, n, dims_after, shape, rng, base, draw) for kind, n in after]
    return shape, items


def _item(kind, n, dims, shape, rng, base, draw):
    """One item indexing the next ``n`` dimensions of ``dims`` (popped from it)."""
    mine = [dims.pop(0) for _ in range(n)]
    size = shape[mine[0]] if mine else 1
    if kind in ("int", "int0d", "list", "array", "tensor") and size == 0:
        kind = "slice"  # an empty dimension has no index to pick
    if kind in ("int", "int0d"):
        return kind, int(rng.integers(-size, size))
    if kind == "slice":
        start, stop = (draw(st.one_of(st.none(), st.integers(-5, 5))) for _ in range(2))
        return kind, slice(start, stop, draw(st.sampled_from([None, 1, 2, 3])))
    if kind in ("list", "array", "tensor"):
        array_shape = tuple(m if rng.random() < 0.7 else 1 for m in base)[int(rng.integers(0, 2)):]
        return kind, rng.integers(-size, size, size=array_shape)
    if kind == "mask":
        return kind, rng.random(tuple(shape[d] for d in mine)) < 0.5
    if kind in ("bool", "bool0d"):
        return kind, bool(rng.random() < 0.7)
    return kind, None


def as_index(lib, items):
    """The items as ``lib``'s index (minigrad's or torch's tensors where the kind says tensor)."""
    def one(kind, value):
        if kind in ("tensor", "int0d", "bool0d", "mask"):
            return lib.tensor(value)
        if kind == "list":
            return value.tolist()
        if kind == "array":
            return np.asarray(value)
        return value
    return tuple(one(kind, value) for kind, value in items)


def run(lib, shape, items, data, weights=None):
    """``x[index]`` in float64 and the gradient of ``(x[index] * weights).sum()``."""
    x = lib.tensor(data, requires_grad=True)
    out = x[as_index(lib, items)]
    if weights is None:
        return out, None
    (out * lib.tensor(weights)).sum().backward()
    return out, x.grad


def torch_or_error(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return call(), None
        except (IndexError, ValueError, TypeError, RuntimeError) as error:
            return None, error


@MANY
@given(index_cases())
def test_indexing_gives_pytorchs_shape_values_and_gradient(case):
    shape, items = case
    data = np.random.default_rng(0).standard_normal(shape)
    theirs, error = torch_or_error(lambda: run(torch, shape, items, data))
    if error is not None:
        with pytest.raises(type(error)), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run(mg, shape, items, data)
        return
    weights = np.random.default_rng(1).standard_normal(tuple(theirs[0].shape))
    (their_out, their_grad), _ = torch_or_error(lambda: run(torch, shape, items, data, weights))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out, grad = run(mg, shape, items, data, weights)
    assert out.shape == tuple(their_out.shape), f"index {as_index(torch, items)}"
    np.testing.assert_array_equal(out.data, their_out.detach().numpy())
    np.testing.assert_allclose(grad.data, their_grad.numpy(), rtol=1e-12, atol=1e-12)


def assign(lib, shape, items, data, value, weights):
    """``y = x * 1; y[index] = value`` and the gradients of ``(y * weights).sum()``."""
    x = lib.tensor(data, requires_grad=True)
    v = lib.tensor(value, requires_grad=True) if isinstance(value, np.ndarray) else value
    y = x * 1
    y[as_index(lib, items)] = v
    (y * lib.tensor(weights)).sum().backward()
    return y, x.grad, (v.grad if isinstance(value, np.ndarray) else None)


def writes_each_element_once(shape, items):
    """Whether the index names no element twice (PyTorch picks any of the values written to a
    repeated element, so only such indices are comparable)."""
    positions = torch.arange(int(np.prod(shape))).reshape(shape)[as_index(torch, items)]
    return positions.numel() == positions.unique().numel()


@MANY
@given(index_cases(), st.sampled_from(["full", "trailing", "number"]))
def test_item_assignment_gives_pytorchs_values_and_gradients(case, value_kind):
    shape, items = case
    data = np.random.default_rng(0).standard_normal(shape)
    target, error = torch_or_error(lambda: torch.zeros(shape)[as_index(torch, items)])
    if error is not None or not writes_each_element_once(shape, items):
        return  # reading it already raised (the other test compares), or PyTorch's result is arbitrary
    value_shape = {"full": tuple(target.shape), "trailing": tuple(target.shape[-1:]),
                   "number": None}[value_kind]
    value = 2.5 if value_shape is None else np.random.default_rng(2).standard_normal(value_shape)
    weights = np.random.default_rng(1).standard_normal(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = assign(torch, shape, items, data, value, weights)
        ours = assign(mg, shape, items, data, value, weights)
    np.testing.assert_array_equal(ours[0].data, theirs[0].detach().numpy())
    np.testing.assert_allclose(ours[1].data, theirs[1].numpy(), rtol=1e-12, atol=1e-12)
    if theirs[2] is not None:
        np.testing.assert_allclose(ours[2].data, theirs[2].numpy(), rtol=1e-12, atol=1e-12)
    # and outside the graph (written straight into the array)
    plain = mg.tensor(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain[as_index(mg, items)] = mg.tensor(value) if value_shape is not None else value
    np.testing.assert_array_equal(plain.data, theirs[0].detach().numpy())


@pytest.mark.parametrize("index,shape", [
    ((0, slice(None), [0, 1]), (3, 2)),            # the int selects first: PyTorch's (3, 2), numpy's (2, 3)
    ((slice(None), 0, [0, 1]), (2, 2)),
    (([0, 1], slice(None), 0), (2, 3)),
    ((0, [0, 1], slice(None), [1, 2]), None),     # shape (2, 3, 4) has no dimension for the 4th
])
def test_an_int_is_basic_indexing_as_in_pytorch(index, shape):
    x = mg.arange(24.0).reshape(2, 3, 4)
    expected = torch.arange(24.0).reshape(2, 3, 4)
    if shape is None:
        with pytest.raises(IndexError, match="index: too many indices for a tensor of dimension 3"):
            x[index]
        with pytest.raises(IndexError):
            expected[index]
        return
    assert x[index].shape == tuple(expected[index].shape) == shape
    np.testing.assert_array_equal(x[index].data, expected[index].numpy())


def test_a_0d_integer_tensor_selects_like_an_int():
    x = mg.arange(24.0).reshape(2, 3, 4)
    assert x[mg.tensor(1), :, [0, 1]].shape == (3, 2)
    view = x[mg.tensor(1)]
    x[1, 0, 0] = 7.0
    assert view[0, 0].item() == 7.0  # a view, as x[1] is


SPECIAL_INDICES = {
    "a list of lists is read as a tuple": lambda lib: [[0, 1], [1, 0]],
    "a list of tensors is read as a tuple": lambda lib: [lib.tensor([0, 1]), lib.tensor([1, 2])],
    "a list with None is read as a tuple": lambda lib: [0, None],
    "a list of floats is truncated to int64": lambda lib: [1.7, 0.2],
    "a list of bools is a mask": lambda lib: [True, False],
    "a list of bools and ints is int64": lambda lib: [True, 1],
    "an empty list is an empty int64 index": lambda lib: [],
    "a uint8 tensor is a mask": lambda lib: lib.tensor(np.array([1, 0], dtype=np.uint8)),
    "an int32 tensor is an index": lambda lib: lib.tensor(np.array([1, 0, 1], dtype=np.int32)),
    "a 0-d numpy int selects": lambda lib: (np.array(1), slice(None), [0, 1]),
    "a 0-d numpy bool is a new dimension": lambda lib: (np.array(True), 0),
    "False makes an empty new dimension": lambda lib: (slice(None), False),
}


@pytest.mark.parametrize("name", SPECIAL_INDICES)
def test_special_index_forms_follow_pytorch(name):
    data = np.arange(24.0).reshape(2, 3, 4)
    with warnings.catch_warnings(record=True) as their_warnings:
        warnings.simplefilter("always")
        expected = torch.tensor(data)[SPECIAL_INDICES[name](torch)]
    with warnings.catch_warnings(record=True) as our_warnings:
        warnings.simplefilter("always")
        got = mg.tensor(data)[SPECIAL_INDICES[name](mg)]
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.data, expected.numpy())
    assert bool(our_warnings) == bool(their_warnings), "a deprecated form warns as in PyTorch"


@pytest.mark.parametrize("index", [None, Ellipsis, True, False, (None, None), (Ellipsis, None)],
                         ids=repr)
def test_indexing_a_0d_tensor_follows_pytorch(index):
    expected = torch.tensor(3.0)[index]
    got = mg.tensor(3.0)[index]
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.data, expected.numpy())


@pytest.mark.parametrize("index", [0, slice(None), [0]], ids=repr)
def test_a_0d_tensor_has_no_dimension_to_index(index):
    with pytest.raises(IndexError):
        torch.tensor(3.0)[index]
    with pytest.raises(IndexError, match=r"index: too many indices for a tensor of dimension 0.*\.item\(\)"):
        mg.tensor(3.0)[index]
