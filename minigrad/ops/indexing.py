"""Indexing ``x[index]`` and item assignment ``x[index] = value``, in PyTorch's order.

numpy and PyTorch agree on slices, None, Ellipsis and index arrays, but not on ints.  numpy
counts an int as an advanced index: in ``x[0, :, [0, 1]]`` (x of shape (2, 3, 4)) the int and
the list are two advanced indices with a slice between them, so numpy puts their dimension
first and gives shape (2, 3).  PyTorch selects with the int first (basic indexing, like
``x.select(0, 0)``), then indexes ``[:, [0, 1]]`` and gives (3, 2).

minigrad follows PyTorch by cutting every index into two numpy steps (an :class:`IndexPlan`):

1. the *basic* step: the ints, slices and None, which give a view;
2. the *advanced* step, on that view: slices and index arrays only, where numpy's rule is
   PyTorch's: the broadcast dimensions of the index arrays take the place of the first of them
   when they stand side by side, and go first when a slice or a None separates them.

One plan serves forward (read), backward (scatter-add) and item assignment (write).
"""
from __future__ import annotations

import warnings

from ..backend import bool_, int64, ndarray, xp
from ..engine import Function, is_tensor
from .array_or_tensor import raw, unbroadcast

_VALID = ("only integers, slices (`:`), ellipsis (`...`), None and integer or boolean tensors "
          "are valid indices")
_INDEX_DTYPES = (xp.dtype(int64), xp.dtype(xp.int32))  # what PyTorch takes from an index tensor


class IndexPlan:
    """An index as two numpy steps: ``basic`` (ints, slices, None: a view), then ``advanced``
    (slices and index arrays on that view), or None when there is no index array."""

    __slots__ = ("index", "basic", "advanced")

    def __init__(self, index, basic: tuple, advanced: tuple | None):
        self.index = index  # the user's, for messages
        # (An index of ints alone reads one element: numpy gives a copy of it where PyTorch
        # gives a 0-d view.  minigrad keeps the copy: a recorded x[1] = x[0] * 2 would otherwise
        # meet a live view of x, which minigrad refuses; see inplace.py.)
        self.basic, self.advanced = basic, advanced

    def read(self, array):
        view = array[self.basic]
        return view if self.advanced is None else view[self.advanced]

    def write(self, array, value) -> None:
        """``array[index] = value``, in place."""
        if self.advanced is None:
            array[self.basic] = value
        else:
            array[self.basic][self.advanced] = value

    def add(self, array, value) -> None:
        """``array[index] += value`` in place, where a repeated index adds each time."""
        if self.advanced is None:
            array[self.basic] += value
        else:
            xp.add.at(array[self.basic], self.advanced, value)


# ---------------------------------------------------------------------------------------------
# From the user's index to a plan
# ---------------------------------------------------------------------------------------------
def plan_index(index, shape: tuple) -> IndexPlan:
    """The plan of ``index`` into a tensor of ``shape``, with PyTorch's errors."""
    if isinstance(index, IndexPlan):
        return index
    items = _expand_ellipsis([_item(i) for i in _items(index)], len(shape), index, shape)
    basic, advanced, arrays = [], [], []
    dim = 0
    for item in items:
        taken = _dims_taken(item)
        if dim + taken > len(shape):
            raise _error(IndexError, f"too many indices for a tensor of dimension {len(shape)}"
                         + (" (use .item() to read a 0-d tensor's value)" if not shape else ""),
                         index, shape)
        if item is None:  # a new dimension of size 1
            basic.append(None)
            advanced.append(slice(None))
        elif isinstance(item, bool):
            # a new dimension of size 1 too, indexed as PyTorch does: by [0] if True (it is
            # kept), by [] if False (it becomes empty)
            basic.append(None)
            advanced.append(xp.arange(int(item), dtype=int64))
            arrays.append(advanced[-1])
        elif isinstance(item, int):
            basic.append(_checked_int(item, dim, index, shape))
        elif isinstance(item, slice):
            _check_slice(item, index, shape)
            basic.append(item)
            advanced.append(slice(None))
        else:
            _check_array(item, dim, index, shape)
            basic += [slice(None)] * taken
            advanced.append(item)
            arrays.append(item)
        dim += taken
    if not arrays:
        return IndexPlan(index, tuple(basic), None)
    _check_broadcast(arrays, index, shape)
    while isinstance(advanced[-1], slice):
        advanced.pop()  # trailing slices take whole dimensions: the same without them
    return IndexPlan(index, tuple(basic), tuple(advanced))


def _items(index) -> tuple:
    """The index as a tuple of items.  A list is one index tensor, unless it holds sequences,
    slices, tensors, None or Ellipsis: then PyTorch (and numpy before 1.23) read it as a tuple."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            i is None or i is Ellipsis or is_tensor(i) or isinstance(i, (slice, list, tuple, ndarray))
            for i in index):
        warnings.warn("index: a list that holds lists, tensors, slices or None is read as a tuple "
                      "(PyTorch's deprecated rule); write x[tuple(seq)] or x[mg.tensor(seq)] to "
                      "say which you mean", UserWarning, stacklevel=4)
        return tuple(index)
    return (index,)


def _item(item):
    """One item as the plan works with it: None, Ellipsis, a slice, an int, a bool (a new
    dimension), or an index array (int64/int32 or a boolean mask)."""
    if item is None or item is Ellipsis or isinstance(item, slice):
        return item
    if isinstance(item, (bool, bool_)):  # (before int: bool is an int in Python)
        return bool(item)
    if isinstance(item, (int, xp.integer)):
        return int(item)
    if is_tensor(item):
        return _tensor_item(item.data)
    if isinstance(item, ndarray):
        if item.dtype.kind not in "iub":
            raise IndexError(f"index: arrays used as indices must be integer or boolean, got {item.dtype}")
        return _scalar_or_array(item)
    if isinstance(item, (list, tuple)):
        return _list_item(item)
    if isinstance(item, str):  # a str is a sequence: PyTorch tries to make a tensor of it
        raise TypeError(f"index: {_VALID} (got the str {item!r})")
    raise IndexError(f"index: {_VALID} (got {type(item).__name__})")


def _tensor_item(array):
    if array.dtype == xp.uint8:  # PyTorch still reads a uint8 tensor as a mask
        warnings.warn("index: indexing with a uint8 tensor is deprecated and reads it as a boolean "
                      "mask (PyTorch's rule); use a bool tensor for a mask, int64 for indices",
                      UserWarning, stacklevel=5)
        array = array.astype(bool_)
    if array.dtype.kind != "b" and array.dtype not in _INDEX_DTYPES:
        raise IndexError(f"index: tensors used as indices must be integer or boolean (int64, "
                         f"int32 or bool), got {array.dtype} (convert it with .long() or .bool())")
    return _scalar_or_array(array)


def _scalar_or_array(array):
    """A 0-d index is an int (basic indexing, as PyTorch selects with it) or a bool."""
    if array.ndim == 0:
        return bool(array) if array.dtype.kind == "b" else int(array)
    return array


def _list_item(items):
    """A list of numbers as PyTorch makes an index tensor of it: bool if all are bools, else
    int64 (PyTorch truncates floats; so does this)."""
    try:
        array = xp.asarray(items)
    except ValueError:
        raise ValueError(f"index: the list {items!r} is ragged: its rows have different lengths") from None
    if array.dtype.kind == "b":
        return array
    if array.dtype.kind not in "iuf":
        raise IndexError(f"index: {_VALID} (got a list of {array.dtype})")
    return array.astype(int64)


def _dims_taken(item) -> int:
    """How many dimensions of the tensor an item indexes."""
    if item is None or item is Ellipsis or isinstance(item, bool):
        return 0
    if isinstance(item, (int, slice)):
        return 1
    return item.ndim if item.dtype.kind == "b" else 1  # a mask covers as many as it has


def _expand_ellipsis(items, ndim, index, shape):
    ellipses = [i for i, item in enumerate(items) if item is Ellipsis]
    if len(ellipses) > 1:
        raise _error(IndexError, "an index can only have a single ellipsis ('...')", index, shape)
    if not ellipses:
        return items
    fill = max(ndim - sum(_dims_taken(item) for item in items), 0)
    at = ellipses[0]
    return items[:at] + [slice(None)] * fill + items[at + 1:]


def _checked_int(i: int, dim: int, index, shape) -> int:
    if not -shape[dim] <= i < shape[dim]:
        raise _error(IndexError, f"index {i} is out of bounds for dimension {dim} with size "
                     f"{shape[dim]}", index, shape)
    return i


def _check_slice(item: slice, index, shape) -> None:
    if item.step is not None and item.step <= 0:
        message = "slice step cannot be zero" if item.step == 0 else \
            "step must be greater than zero (PyTorch has no negative steps; use .flip())"
        raise _error(ValueError, message, index, shape)


def _check_array(array, dim: int, index, shape) -> None:
    if array.dtype.kind == "b":
        covered = shape[dim:dim + array.ndim]
        for k, (m, n) in enumerate(zip(array.shape, covered)):
            if m != n:
                raise _error(IndexError, f"the mask of shape {array.shape} does not match the "
                             f"tensor's shape {tuple(shape)} at dimension {dim + k} ({m} against "
                             f"{n}): a mask must have the sizes of the dimensions it indexes",
                             index, shape)
        return
    if array.size:
        size = shape[dim]
        low, high = int(array.min()), int(array.max())
        if low < -size or high >= size:
            bad = high if high >= size else low
            raise _error(IndexError, f"index {bad} is out of bounds for dimension {dim} with size "
                         f"{size}", index, shape)


def _check_broadcast(arrays, index, shape) -> None:
    shapes = [(int(a.sum()),) if a.dtype.kind == "b" else a.shape for a in arrays]
    try:
        xp.broadcast_shapes(*shapes)
    except ValueError:
        listed = ", ".join(str(list(s)) for s in shapes)
        raise _error(IndexError, f"shape mismatch: the index tensors' shapes {listed} do not "
                     "broadcast to one shape", index, shape) from None


def _error(kind, message: str, index, shape):
    return kind(f"index: {message} (tensor of shape {tuple(shape)}, index {describe_index(index)})")


def describe_index(index) -> str:
    """``[0, :, <int64 tensor (2,)>]``: an index as a person would write it."""
    if isinstance(index, IndexPlan):
        index = index.index
    items = index if isinstance(index, tuple) else (index,)
    parts = []
    for i in items:
        if isinstance(i, slice):
            parts.append(":" if i == slice(None) else
                         f"{'' if i.start is None else i.start}:{'' if i.stop is None else i.stop}"
                         + ("" if i.step is None else f":{i.step}"))
        elif i is Ellipsis:
            parts.append("...")
        elif is_tensor(i) or isinstance(i, ndarray):
            parts.append(f"<{raw(i).dtype} tensor {tuple(raw(i).shape)}>")
        else:
            parts.append(repr(i))
    return "[" + ", ".join(parts) + "]"


# ---------------------------------------------------------------------------------------------
# The ops
# ---------------------------------------------------------------------------------------------
def take(a, plan: IndexPlan):
    """``a[index]`` of an array or a Tensor (in a backward)."""
    return GetItem.apply(a, index=plan) if is_tensor(a) else plan.read(a)


class GetItem(Function):
    __slots__ = ("index", "plan")
    name = "index"
    caption = "grad_out is scatter-added into zeros of the input's shape"
    reads = ()
    view = True

    def __init__(self, index):
        self.index = index

    def options(self):
        return {"index": describe_index(self.index)}

    def forward(self, x):
        self.plan = plan_index(self.index, x.shape)
        return self.plan.read(x)

    def backward(self, grad, inputs, output):  # scatter-add: a repeated index accumulates
        x = inputs[0]
        return (index_add(grad, self.plan, x.shape, raw(x).dtype),)


def index_add(grad, plan: IndexPlan, shape, dtype):
    """A zero tensor of ``shape`` with ``grad`` added at the index (duplicates accumulate)."""
    if is_tensor(grad):
        return IndexAdd.apply(grad, plan=plan, shape=shape)
    out = xp.zeros(shape, dtype=dtype)
    plan.add(out, grad)
    return out


class IndexAdd(Function):
    """The backward of indexing, as an op of its own so that it can be differentiated again."""

    __slots__ = ("plan", "shape")
    name = "index_add"
    caption = "grad_in = grad_out read back at the index"
    reads = ()

    def __init__(self, plan, shape):
        self.plan, self.shape = plan, shape

    def forward(self, grad):
        return index_add(grad, self.plan, self.shape, grad.dtype)

    def backward(self, grad, inputs, output):
        return (take(grad, self.plan),)


def write(array, index, value) -> None:
    """``array[index] = value`` in place, with PyTorch's order and errors."""
    plan = plan_index(index, array.shape)
    try:
        plan.write(array, value)
    except ValueError:
        target = plan.read(array).shape
        raise RuntimeError(f"setitem: shape mismatch: a value of shape {tuple(xp.shape(value))} "
                           f"cannot be broadcast to the indexed shape {target} (tensor of shape "
                           f"{array.shape}, index {describe_index(index)})") from None


class SetItem(Function):
    """``x[index] = value`` recorded (the tensor keeps its memory; see minigrad/inplace.py):
    the output is ``x`` with ``value`` written at ``index``."""

    __slots__ = ("index", "plan")
    name = "setitem"
    caption = "grad_x = grad_out with 0 where value was written, grad_value = grad_out[index]"
    reads = ()

    def __init__(self, index):
        self.index = index

    def options(self):
        return {"index": describe_index(self.index)}

    def forward(self, x, value):
        self.plan = plan_index(self.index, x.shape)
        out = x.copy()
        write(out, self.plan, value)
        return out

    def backward(self, grad, inputs, output):
        # the written elements no longer depend on x; value's gradient is what reached them
        x, value = inputs
        grad_x = grad_value = None
        if self.parents[0] is not None:
            kept = xp.ones(raw(x).shape, dtype=bool)
            self.plan.write(kept, False)
            grad_x = grad * kept
        if self.parents[1] is not None:
            grad_value = _value_grad(take(grad, self.plan), value.shape)
        return grad_x, grad_value


def _value_grad(grad, shape):
    """The gradient of the written region summed back to the value's shape.  A value may have
    more leading size-1 dimensions than the region (PyTorch's assignment drops them)."""
    extra = len(shape) - grad.ndim
    if extra <= 0:
        return unbroadcast(grad, shape)
    return unbroadcast(grad, shape[extra:]).reshape(shape)
