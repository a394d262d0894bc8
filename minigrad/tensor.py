"""The Tensor: an array, and the node of the graph that made it."""
from __future__ import annotations

import numbers
import weakref
from collections import namedtuple
from collections.abc import Callable
from typing import Any

from . import autograd
from .autograd import Function, add_node_hook, node_hooks, run_backward
from .backend import bool_, default_float, int64, ndarray, xp
from .grad_mode import grad_state
from .ops import elementwise as E
from .ops import linalg as L
from .ops import reduction as R
from .ops import shape as S

MaxMin = namedtuple("MaxMin", ["values", "indices"])


def _as_array(data, dtype=None) -> ndarray:
    """PyTorch's inference: Python floats -> float32, ints -> int64, bools -> bool; a numpy
    array keeps its dtype unless one is asked for."""
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, ndarray):
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    if dtype is not None:
        return xp.asarray(data, dtype=dtype)
    array = xp.asarray(data)
    if array.dtype.kind == "f" and not isinstance(data, xp.generic):
        array = array.astype(default_float)
    elif array.dtype.kind in "iu" and not isinstance(data, xp.generic):
        array = array.astype(int64)
    elif array.dtype.kind not in "fiubc":
        raise TypeError(f"tensor: cannot make a tensor from {type(data).__name__} "
                        f"(numpy sees dtype {array.dtype})")
    return array


def _operand(other):
    """A binary op's other side: Tensors and Python scalars pass as they are; numpy scalars
    become Python scalars (numpy 2 would otherwise promote float32 to their float64)."""
    if isinstance(other, (Tensor, ndarray)) or type(other) in (int, float):
        return other  # (not isinstance int/float: numpy's float64 scalar is a float subclass)
    if isinstance(other, xp.generic):
        return other.item()
    if isinstance(other, numbers.Number):
        return other
    if isinstance(other, (list, tuple)):
        return _as_array(other)
    raise TypeError(f"unsupported operand of type {type(other).__name__} for a Tensor op")


def _shape_args(shape) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _dim_alias(dim, axis):
    return axis if dim is None else dim


class Tensor:
    """An n-dimensional array that records the ops applied to it, for ``backward()``.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_hooks", "__weakref__")
    # numpy must hand binary ops with a Tensor on the right to the Tensor (``array * t``).
    __array_ufunc__ = None
    __array_priority__ = 1000

    def __init__(self, data: Any, dtype=None, requires_grad: bool = False):
        self.data = _as_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # -- properties ----------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (a matrix transposed)."""
        return self.permute(tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None):
        return self.shape if dim is None else self.shape[dim]

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a Python "
                             f"number, this one has shape {self.shape}")
        return self.data.item()

    def numpy(self) -> ndarray:
        return self.data

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.data.size} elements is "
                               "ambiguous; use .any() or .all()")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise TypeError("only integer tensors can be used as an index")
        return int(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = xp.array2string(self.data, separator=", ", prefix="tensor(")
        extra = ""
        if self.dtype not in (xp.dtype(default_float), xp.dtype(int64), xp.dtype(bool_)):
            extra += f", dtype={self.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # -- autograd ------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            raise RuntimeError("requires_grad_: only a leaf tensor's flag can be changed; use "
                               ".detach() to make a new leaf")
        if requires_grad and self.dtype.kind not in "fc":
            raise RuntimeError(f"requires_grad: only floating point tensors can require "
                               f"gradients, this one has dtype {self.dtype}")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return _new_tensor(self.data, None)

    def backward(self, gradient=None, retain_graph: bool = False, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad."""
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: this tensor (shape {self.shape}) does not require grad and has no "
                "grad_fn; make an input with requires_grad=True and compute from it"
            )
        grad = autograd.initial_grad(self, gradient, create_graph, "backward")
        run_backward([self], [grad], retain_graph or create_graph, create_graph)

    def register_hook(self, hook: Callable) -> Callable:
        """``hook(grad)`` runs on the gradient of this tensor (summed over all its uses) and may
        return a replacement for it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not "
                               "require grad")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
        else:
            add_node_hook(self.grad_fn, hook)
        return hook

    def retain_grad(self) -> None:
        """Keep ``.grad`` of this non-leaf tensor after backward (leaves always keep theirs)."""
        if self.grad_fn is None:
            return
        me = weakref.ref(self)
        hooks = node_hooks(self.grad_fn)
        if any(getattr(hook, "retains_grad", None) is me for hook in hooks):
            return  # already retained: a second hook would count the gradient twice

        def keep(grad):
            tensor = me()
            if tensor is not None:
                # a copy: the same array flows on to the inputs and may become a leaf's .grad
                grad = _new_tensor(grad.data.copy(), None)
                tensor.grad = grad if tensor.grad is None else tensor.grad + grad

        keep.retains_grad = me
        add_node_hook(self.grad_fn, keep)

    # -- arithmetic ----------------------------------------------------------------------------
    def __add__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _add(self, other)

    def __radd__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _add(other, self)

    def __sub__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _sub(self, other)

    def __rsub__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _sub(other, self)

    def __mul__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _mul(self, other)

    def __rmul__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _mul(other, self)

    def __truediv__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _div(self, other)

    def __rtruediv__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _div(other, self)

    def __pow__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _pow(self, other)

    def __rpow__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = _operand(other)
        return _pow(other, self)

    def __matmul__(self, other):
        return L.MatMul.apply(self, _operand(other))

    def __rmatmul__(self, other):
        return L.MatMul.apply(_operand(other), self)

    def __neg__(self):
        return E.Neg.apply(self)

    def __pos__(self):
        return self

    # In place: ``c += x``.  Outside the graph the array is updated in place (optimizers do
    # ``p -= lr * g`` under no_grad).  Inside the graph the op is recorded out of place and this
    # tensor then takes the result's data and node, as PyTorch's in-place ops do; nodes that
    # used the old value keep the old array and node, so their gradients stay right.
    def _inplace(self, op, other, numpy_op: str):
        other = _operand(other)
        other_data = other.data if isinstance(other, Tensor) else other
        if not grad_state.enabled:  # e.g. an optimizer's p -= lr * g: truly in place
            getattr(self.data, numpy_op)(other_data)
            return self
        recording = self.requires_grad or (isinstance(other, Tensor) and other.requires_grad)
        if recording and self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"in-place {op.name} on a leaf tensor that requires grad (shape {self.shape}) "
                "would rewrite a value backward needs; use an out-of-place op or do it inside "
                "mg.no_grad()"
            )
        # Either way a new array: an op may have saved the old one for backward (PyTorch would
        # raise at backward there; this stays right).
        result = op.apply(self, other) if recording else None
        value = result.data if recording else op().forward(self.data, other_data)
        if value.dtype != self.dtype:
            raise RuntimeError(f"in-place {op.name}: result dtype {value.dtype} cannot be stored "
                               f"in a tensor of dtype {self.dtype}")
        self.data = value
        if recording:
            previous = self.grad_fn
            self.grad_fn, self.requires_grad = result.grad_fn, True
            if previous is not None:
                self._move_retain_grad(previous)
        return self

    def _move_retain_grad(self, previous: Function) -> None:
        """retain_grad follows the tensor to its new value (hooks stay with the old, as PyTorch)."""
        hooks = node_hooks(previous)
        me = weakref.ref(self)
        for hook in [h for h in hooks if getattr(h, "retains_grad", None) is me]:
            hooks.remove(hook)
            add_node_hook(self.grad_fn, hook)

    def __iadd__(self, other):
        return self._inplace(E.Add, other, "__iadd__")

    def __isub__(self, other):
        return self._inplace(E.Sub, other, "__isub__")

    def __imul__(self, other):
        return self._inplace(E.Mul, other, "__imul__")

    def __itruediv__(self, other):
        return self._inplace(E.Div, other, "__itruediv__")

    # Comparisons give boolean tensors outside the graph.
    def _compare(self, other, ufunc):
        other = _operand(other)
        other = other.data if isinstance(other, Tensor) else other
        return _new_tensor(xp.asarray(ufunc(self.data, other)), None)

    def __eq__(self, other):  # type: ignore[override]
        return self._compare(other, xp.equal)

    def __ne__(self, other):  # type: ignore[override]
        return self._compare(other, xp.not_equal)

    def __lt__(self, other):
        return self._compare(other, xp.less)

    def __le__(self, other):
        return self._compare(other, xp.less_equal)

    def __gt__(self, other):
        return self._compare(other, xp.greater)

    def __ge__(self, other):
        return self._compare(other, xp.greater_equal)

    def __and__(self, other):
        return self._compare(other, xp.logical_and)

    def __or__(self, other):
        return self._compare(other, xp.logical_or)

    def __invert__(self):
        return _new_tensor(~self.data, None)

    def any(self) -> Tensor:
        return _new_tensor(xp.asarray(self.data.any()), None)

    def all(self) -> Tensor:
        return _new_tensor(xp.asarray(self.data.all()), None)

    # -- unary math ----------------------------------------------------------------------------
    def exp(self):
        return E.Exp.apply(self)

    def log(self):
        return E.Log.apply(self)

    def sqrt(self):
        return E.Sqrt.apply(self)

    def tanh(self):
        return _tanh(self)

    def sigmoid(self):
        return E.Sigmoid.apply(self)

    def relu(self):
        return _relu(self)

    def abs(self):
        return E.Abs.apply(self)

    def pow(self, exponent):
        return self ** exponent

    def clamp(self, min=None, max=None):
        return E.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def maximum(self, other):
        """Elementwise maximum; on a tie each side gets half of the gradient (as PyTorch)."""
        return E.Maximum.apply(self, _operand(other))

    def minimum(self, other):
        return E.Minimum.apply(self, _operand(other))

    # -- dtype ---------------------------------------------------------------------------------
    def to(self, dtype) -> Tensor:
        if xp.dtype(dtype) == self.dtype:
            return self
        if self.requires_grad and xp.dtype(dtype).kind == "f":
            return E.Cast.apply(self, dtype=dtype)
        return _new_tensor(self.data.astype(dtype), None)

    def float(self):
        return self.to(xp.float32)

    def double(self):
        return self.to(xp.float64)

    def long(self):
        return self.to(int64)

    def int(self):
        return self.to(xp.int32)

    def bool(self):
        return self.to(bool_)

    # -- reductions ----------------------------------------------------------------------------
    def sum(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        dims = R.normalize_dims(_dim_alias(dim, axis), self.ndim, "sum")
        return R.Sum.apply(self, dims=dims, keepdim=keepdim if keepdims is None else keepdims)

    def mean(self, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        dims = R.normalize_dims(_dim_alias(dim, axis), self.ndim, "mean")
        return R.Mean.apply(self, dims=dims, keepdim=keepdim if keepdims is None else keepdims)

    def var(self, dim=None, correction: int = 1, keepdim: bool = False, *, unbiased=None,
            axis=None, keepdims=None):
        """Variance with ``correction`` (1: the unbiased estimate, PyTorch's default)."""
        if unbiased is not None:
            correction = 1 if unbiased else 0
        keepdim = keepdim if keepdims is None else keepdims
        dims = R.normalize_dims(_dim_alias(dim, axis), self.ndim, "var")
        count = 1
        for d in dims:
            count *= self.shape[d]
        centered = self - self.mean(dims, keepdim=True)
        return (centered * centered).sum(dims, keepdim=keepdim) / max(count - correction, 0)

    def std(self, dim=None, correction: int = 1, keepdim: bool = False):
        return self.var(dim, correction=correction, keepdim=keepdim).sqrt()

    def amax(self, dim=None, keepdim: bool = False):
        return R.Amax.apply(self, dims=R.normalize_dims(dim, self.ndim, "amax"), keepdim=keepdim)

    def amin(self, dim=None, keepdim: bool = False):
        return R.Amin.apply(self, dims=R.normalize_dims(dim, self.ndim, "amin"), keepdim=keepdim)

    def max(self, dim=None, keepdim: bool = False):
        """``max()``: the largest element; ``max(dim)``: ``(values, indices)`` along ``dim``;
        ``max(other)``: the elementwise maximum."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None:
            return self.amax()
        return self._extreme_along(dim, keepdim, xp.argmax, "max")

    def min(self, dim=None, keepdim: bool = False):
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None:
            return self.amin()
        return self._extreme_along(dim, keepdim, xp.argmin, "min")

    def _extreme_along(self, dim, keepdim, arg, op):
        (d,) = R.normalize_dims(dim, self.ndim, op)
        if self.shape[d] == 0:
            raise ValueError(f"{op}: cannot reduce over an empty dimension (shape {self.shape})")
        indices = arg(self.data, axis=d)
        # The values are picked by indexing, so their gradient goes to the chosen element only.
        grid = list(xp.ogrid[tuple(slice(n) for i, n in enumerate(self.shape) if i != d)])
        grid.insert(d, indices)
        values = self[tuple(grid)] if self.ndim > 1 else self[indices]
        if keepdim:
            values = values.unsqueeze(d)
            indices = xp.expand_dims(indices, d)
        return MaxMin(values, _new_tensor(xp.asarray(indices, dtype=int64), None))

    def argmax(self, dim=None, keepdim: bool = False):
        return self._arg(xp.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim: bool = False):
        return self._arg(xp.argmin, dim, keepdim)

    def _arg(self, arg, dim, keepdim):
        if dim is None:
            return _new_tensor(xp.asarray(arg(self.data), dtype=int64), None)
        return _new_tensor(xp.asarray(arg(self.data, axis=dim, keepdims=keepdim), dtype=int64), None)

    def logsumexp(self, dim=None, keepdim: bool = False):
        return R.LogSumExp.apply(self, dims=R.normalize_dims(dim, self.ndim, "logsumexp"), keepdim=keepdim)

    def softmax(self, dim: int = -1):
        (d,) = R.normalize_dims(dim, self.ndim, "softmax")
        return R.Softmax.apply(self, dim=d)

    def log_softmax(self, dim: int = -1):
        (d,) = R.normalize_dims(dim, self.ndim, "log_softmax")
        return R.LogSoftmax.apply(self, dim=d)

    # -- shape ---------------------------------------------------------------------------------
    def reshape(self, *shape):
        return S.Reshape.apply(self, shape=_shape_args(shape))

    def view(self, *shape):
        return S.View.apply(self, shape=_shape_args(shape))

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        if self.ndim == 0:
            return S.Flatten.apply(self, shape=(1,))
        start, end = start_dim % self.ndim, end_dim % self.ndim
        shape = self.shape[:start] + (-1,) + self.shape[end + 1:]
        return S.Flatten.apply(self, shape=shape)

    def permute(self, *dims):
        dims = _shape_args(dims)
        if sorted(d % max(self.ndim, 1) for d in dims) != list(range(self.ndim)):
            raise ValueError(f"permute: {dims} is not a permutation of the {self.ndim} "
                             f"dimensions of a tensor of shape {self.shape}")
        return S.Permute.apply(self, dims=tuple(d % self.ndim for d in dims))

    def transpose(self, dim0: int, dim1: int):
        (a,) = R.normalize_dims(dim0, self.ndim, "transpose")
        (b,) = R.normalize_dims(dim1, self.ndim, "transpose")
        dims = list(range(self.ndim))
        dims[a], dims[b] = dims[b], dims[a]
        return S.Transpose.apply(self, dims=tuple(dims))

    def unsqueeze(self, dim: int):
        if not -self.ndim - 1 <= dim <= self.ndim:
            raise IndexError(f"unsqueeze: dim {dim} is out of range for a tensor with "
                             f"{self.ndim} dimensions")
        d = dim % (self.ndim + 1)
        return S.Unsqueeze.apply(self, shape=self.shape[:d] + (1,) + self.shape[d:])

    def squeeze(self, dim=None):
        if dim is None:
            shape = tuple(n for n in self.shape if n != 1)
        else:
            dims = R.normalize_dims(dim, self.ndim, "squeeze")
            shape = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        return S.Squeeze.apply(self, shape=shape)

    def expand(self, *shape):
        shape = _shape_args(shape)
        lead = len(shape) - self.ndim
        if lead < 0:
            raise ValueError(f"expand: cannot expand shape {self.shape} to fewer dimensions {shape}")
        full = tuple(self.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
        return S.Expand.apply(self, shape=full)

    def broadcast_to(self, shape):
        return S.Expand.apply(self, shape=tuple(shape))

    def contiguous(self):
        return self

    def __getitem__(self, index):
        return S.GetItem.apply(self, index=_index(index))

    def __setitem__(self, index, value):
        if self.requires_grad and grad_state.enabled:
            raise RuntimeError("__setitem__: assigning into a tensor that requires grad is not "
                               "recorded by minigrad; build the new tensor with mg.where or "
                               "mg.cat, or assign under mg.no_grad()")
        value = value.data if isinstance(value, Tensor) else value
        if grad_state.enabled:
            # As for ``+=`` on a constant: an op may have saved this array for backward, so
            # write into a copy (under no_grad, truly in place).
            self.data = self.data.copy()
        self.data[_index(index)] = value


def _index(index):
    """Turn Tensors and lists inside an index into numpy arrays."""
    if isinstance(index, tuple):
        return tuple(_index_item(i) for i in index)
    return _index_item(index)


def _index_item(item):
    if isinstance(item, Tensor):
        item = item.data
    elif isinstance(item, list):
        item = xp.asarray(item)
    if isinstance(item, ndarray) and item.dtype.kind not in "iub":
        raise IndexError(f"index: tensors used as indices must be integer or boolean, got {item.dtype}")
    return item


# The hot arithmetic path: bound once here instead of looked up on every op.
_PLAIN_OPERANDS = frozenset({Tensor, float, int})
_add, _sub, _mul, _div, _pow = E.Add.apply, E.Sub.apply, E.Mul.apply, E.Div.apply, E.Pow.apply
_tanh, _relu = E.Tanh.apply, E.Relu.apply


def _new_tensor(data: ndarray, grad_fn: Function | None) -> Tensor:
    """The fast constructor every op result goes through (no checks, no conversion)."""
    t = _object_new(Tensor)
    t.data = data
    t.grad = None
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None
    t._hooks = None
    return t


_object_new = object.__new__
autograd.use_tensor_class(Tensor, _new_tensor)
