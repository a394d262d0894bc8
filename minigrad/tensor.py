"""The Tensor: an array, and the node of the graph that made it."""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from . import conversion, dtypes, engine, inplace
from .backend import ndarray, xp
from .device import CPU
from .engine import Function, add_node_hook, node_hooks, run_backward
from .gradients import initial_grad
from .ops import (  # (importing .ops declares every op)
    arithmetic,
    bitwise,
    elementwise,
    indexing,
    linalg,
    reduction,
)
from .ops.array_or_tensor import as_array, operand
from .ops.registry import exported
from .printing import tensor_repr
from .size import Size, as_size


class Tensor:
    """An n-dimensional array that records the ops applied to it, for ``backward()``.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    # _counter: [version, the tensors sharing this memory], shared by views, made on first need
    # (engine.counter_of; see inplace.py)
    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_hooks", "_counter", "__weakref__")
    __array_priority__ = 1000

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        """What numpy does with a Tensor operand.  ``array * t`` is the Tensor's op (recorded,
        as ``t * array``); an in-place op on an array (``p.data -= lr * p.grad``, micrograd's
        update line) and any other numpy function compute on the arrays, as with PyTorch."""
        if out is not None:
            if any(isinstance(o, Tensor) for o in out):
                raise TypeError(f"numpy's {ufunc.__name__} cannot write into a Tensor; write into "
                                "its array (t.data) or use the Tensor's in-place operators")
            kwargs["out"] = out
        elif method == "__call__" and ufunc.__name__ in _UFUNC_OPS:
            return _UFUNC_OPS[ufunc.__name__](*inputs, **kwargs)
        arrays = [i.data if isinstance(i, Tensor) else i for i in inputs]
        return getattr(ufunc, method)(*arrays, **kwargs)

    def __init__(self, data: Any, dtype=None, requires_grad: bool = False):
        self.data = as_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._counter = None
        self._hooks = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # -- properties ----------------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return _tuple_new(Size, self.data.shape)  # (as size.as_size, without its call)

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
        if self.ndim < 2:
            raise RuntimeError(f"mT: only matrices and batches of matrices have one, this tensor has "
                               f"shape {self.shape}; use .T, or unsqueeze a dimension first")
        return self.transpose(-2, -1)

    @property
    def mH(self) -> Tensor:
        """The conjugate transpose of a batch of matrices: for real tensors, ``mT``."""
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        return self.adjoint()

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix (2-d only; ``mH`` for batches)."""
        if self.ndim != 2:
            raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                               f"{self.ndim}-D tensor." + (" For batches of matrices, consider using "
                                                          "tensor.mH" if self.ndim > 2 else ""))
        return self.adjoint()

    def where(self, condition, other) -> Tensor:
        """``mg.where(condition, self, other)``: PyTorch's method form, self where it holds."""
        return elementwise.where(condition, self, other)

    @property
    def device(self):
        """Where the tensor lives: ``device(type='cpu')``, always."""
        return CPU

    is_cuda = False
    is_cpu = True

    @property
    def itemsize(self) -> int:
        return self.data.itemsize

    @property
    def nbytes(self) -> int:
        return self.data.nbytes

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self.data.dtype.kind == "c"

    def size(self, dim: int | None = None):
        if dim is None:
            return as_size(self.data.shape)
        if self.ndim == 0:
            raise IndexError(f"size: dim {dim} given, but a 0-d tensor has no dimensions")
        (d,) = reduction.normalize_dims(dim, self.ndim, "size")
        return self.shape[d]

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def item(self):
        if self.data.size != 1:
            raise RuntimeError(f"item: only a tensor with one element can be converted to a Python "
                               f"number, this one has shape {self.shape}")
        return self.data.item()

    def _number(self):
        """The one element, for float() and int() (PyTorch raises ValueError there, RuntimeError
        in item())."""
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a Python "
                             f"number, this one has shape {self.shape}")
        return self.data.item()

    def numpy(self) -> ndarray:
        return self.data

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        # numpy 2 asks for a copy with copy=True and trusts the answer, so it must be one.
        if copy is False and dtype is not None and xp.dtype(dtype) != self.dtype:
            raise ValueError(f"__array__: a {self.dtype} tensor cannot be viewed as {dtype} "
                             "without a copy (copy=False)")
        if dtype is not None and xp.dtype(dtype) != self.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor (it holds one number: use .item())")
        return (self[i] for i in range(len(self)))

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.data.size} elements is "
                               "ambiguous; use .any() or .all()")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self._number())

    def __int__(self) -> int:
        return int(self._number())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise TypeError("only integer tensors can be used as an index")
        return int(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        """As PyTorch prints it (minigrad/printing.py; ``mg.set_printoptions``)."""
        return tensor_repr(self)

    __format__ = conversion.__format__

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
        """The same data (one memory, one version counter), cut from the graph."""
        detached = _new_tensor(self.data, None)
        inplace.share_memory(detached, self)
        return detached

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's memory has seen (PyTorch's ``_version``)."""
        return 0 if self._counter is None else self._counter[0]

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad (only of
        ``inputs``, leaves or not, when given: PyTorch's ``inputs=``)."""
        if inputs is not None:
            from .gradients import backward  # (mg.autograd.backward, which handles inputs)
            backward(self, gradient, retain_graph, create_graph, inputs=inputs)
            return
        if not self.requires_grad:
            raise RuntimeError(
                f"backward: this tensor (shape {self.shape}) does not require grad and has no "
                "grad_fn; make an input with requires_grad=True and compute from it"
            )
        grad = initial_grad(self, gradient, create_graph, "backward")
        run_backward([self], [grad], bool(retain_graph) or create_graph, create_graph)

    def register_hook(self, hook: Callable) -> HookHandle:
        """``hook(grad)`` runs on the gradient of this tensor (summed over all its uses) and may
        return a replacement for it.  Returns a handle whose ``remove()`` takes the hook off."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not "
                               "require grad")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return HookHandle(self._hooks, hook)
        add_node_hook(self.grad_fn, hook)
        return HookHandle(node_hooks(self.grad_fn), hook)

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
            other = operand(other)
        return arithmetic.Add.apply(self, other)

    def __radd__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = operand(other)
        return arithmetic.Add.apply(other, self)

    def __sub__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = operand(other)
        return arithmetic.Sub.apply(self, other)

    def __rsub__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = operand(other)
        return arithmetic.Sub.apply(other, self)

    def __mul__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = operand(other)
        return arithmetic.Mul.apply(self, other)

    def __rmul__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = operand(other)
        return arithmetic.Mul.apply(other, self)

    def __truediv__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = operand(other)
        return arithmetic.Div.apply(self, other)

    def __rtruediv__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = operand(other)
        return arithmetic.Div.apply(other, self)

    def __pow__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = operand(other)
        return arithmetic.Pow.apply(self, other)

    def __rpow__(self, other):
        if other.__class__ not in _PLAIN_OPERANDS:
            other = operand(other)
        return arithmetic.Pow.apply(other, self)

    def __floordiv__(self, other):  # (floor_divide: rounded down, integers stay integers)
        return arithmetic.FloorDivide.apply(self, operand(other))

    def __rfloordiv__(self, other):
        return arithmetic.FloorDivide.apply(operand(other), self)

    def __mod__(self, other):  # (remainder: Python's %, with the divisor's sign)
        return arithmetic.Remainder.apply(self, operand(other))

    def __rmod__(self, other):
        return arithmetic.Remainder.apply(operand(other), self)

    def __matmul__(self, other):
        return linalg.MatMul.apply(self, operand(other))

    def __rmatmul__(self, other):
        return linalg.MatMul.apply(operand(other), self)

    def __neg__(self):
        return arithmetic.Neg.apply(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return elementwise.Abs.apply(self)

    # In place: ``c += x`` writes into c's memory (its views see it) and bumps its version;
    # see inplace.py for when it is recorded, and why backward then checks versions.
    def __iadd__(self, other):
        return inplace.binary_inplace(self, arithmetic.Add, other)

    def __isub__(self, other):
        return inplace.binary_inplace(self, arithmetic.Sub, other)

    def __imul__(self, other):
        return inplace.binary_inplace(self, arithmetic.Mul, other)

    def __itruediv__(self, other):
        return inplace.binary_inplace(self, arithmetic.Div, other)

    def __ipow__(self, other):
        return inplace.binary_inplace(self, arithmetic.Pow, other)

    def __ifloordiv__(self, other):
        return inplace.binary_inplace(self, arithmetic.FloorDivide, other)

    def __imod__(self, other):
        return inplace.binary_inplace(self, arithmetic.Remainder, other)

    # Comparisons give boolean tensors outside the graph.
    __eq__ = arithmetic.eq  # type: ignore[assignment]
    __ne__ = arithmetic.ne  # type: ignore[assignment]
    __lt__ = arithmetic.lt
    __le__ = arithmetic.le
    __gt__ = arithmetic.gt
    __ge__ = arithmetic.ge

    # Bitwise on integer tensors, logical on bool tensors (ops/bitwise.py); floats refused.
    def __and__(self, other):
        return bitwise.bitwise_and(self, other)

    def __rand__(self, other):
        return bitwise.bitwise_and(other, self)

    def __or__(self, other):
        return bitwise.bitwise_or(self, other)

    def __ror__(self, other):
        return bitwise.bitwise_or(other, self)

    def __xor__(self, other):
        return bitwise.bitwise_xor(self, other)

    def __rxor__(self, other):
        return bitwise.bitwise_xor(other, self)

    def __invert__(self):
        if self.dtype.kind not in "biu":
            raise TypeError(f"~ (operator.invert) is only implemented on integer and bool tensors, "
                            f"this one has dtype {self.dtype}; for a mask, use ~(x > 0) or x == 0")
        return bitwise.bitwise_not(self)

    def __iand__(self, other):
        return inplace.assign_result(self, bitwise.bitwise_and(self, other).data, "in-place bitwise_and")

    def __ior__(self, other):
        return inplace.assign_result(self, bitwise.bitwise_or(self, other).data, "in-place bitwise_or")

    def __ixor__(self, other):
        return inplace.assign_result(self, bitwise.bitwise_xor(self, other).data, "in-place bitwise_xor")

    # -- dtype and device (minigrad/conversion.py) -----------------------------------------------
    to = conversion.to
    type = conversion.type_
    cpu = conversion.cpu
    cuda = conversion.cuda
    pin_memory = conversion.pin_memory
    is_pinned = conversion.is_pinned
    get_device = conversion.get_device
    element_size = conversion.element_size
    float = conversion.dtype_method(dtypes.float32, "float")
    double = conversion.dtype_method(dtypes.float64, "double")
    half = conversion.dtype_method(dtypes.float16, "half")
    long = conversion.dtype_method(dtypes.int64, "long")
    int = conversion.dtype_method(dtypes.int32, "int")
    short = conversion.dtype_method(dtypes.int16, "short")
    char = conversion.dtype_method(dtypes.int8, "char")
    byte = conversion.dtype_method(dtypes.uint8, "byte")
    bool = conversion.dtype_method(dtypes.bool_, "bool")

    # -- shape ----------------------------------------------------------------------------------
    def __getitem__(self, index):
        """PyTorch's indexing (ints select first; see ops/indexing.py for where it differs
        from numpy's)."""
        return indexing.GetItem.apply(self, index=index)

    def __setitem__(self, index, value):
        inplace.setitem(self, index, value)


class HookHandle:
    """What ``register_hook`` returns (PyTorch's RemovableHandle): ``remove()`` takes the hook off
    the list it was put in; a second ``remove()`` does nothing."""

    __slots__ = ("hooks", "hook")

    def __init__(self, hooks: list, hook: Callable):
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


# numpy's ufuncs that are a Tensor op: ``array + t``, ``array @ t``, ``array < t`` ...
_UFUNC_OPS = {"add": arithmetic.add, "subtract": arithmetic.sub, "multiply": arithmetic.mul,
              "true_divide": arithmetic.div, "divide": arithmetic.div, "power": arithmetic.pow,
              "floor_divide": arithmetic.floor_divide, "remainder": arithmetic.remainder,
              "fmod": arithmetic.fmod,
              "matmul": linalg.matmul, "equal": arithmetic.eq, "not_equal": arithmetic.ne,
              "less": arithmetic.lt, "less_equal": arithmetic.le, "greater": arithmetic.gt,
              "greater_equal": arithmetic.ge, "negative": arithmetic.neg,
              "bitwise_and": bitwise.bitwise_and, "bitwise_or": bitwise.bitwise_or,
              "bitwise_xor": bitwise.bitwise_xor, "invert": bitwise.bitwise_not,
              "logical_and": bitwise.logical_and, "logical_or": bitwise.logical_or,
              "logical_xor": bitwise.logical_xor, "logical_not": bitwise.logical_not}

# The operators skip operand() for the common operands (docs/benchmarks.md, Performance notes).
_PLAIN_OPERANDS = frozenset({Tensor, float, int})


def _new_tensor(data: ndarray, grad_fn: Function | None) -> Tensor:
    """The fast constructor every op result goes through (no checks, no conversion; see
    docs/benchmarks.md, Performance notes)."""
    t = _object_new(Tensor)
    t.data = data
    t.grad = None
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None
    t._hooks = None
    t._counter = None
    return t


_object_new = object.__new__
_tuple_new = tuple.__new__
engine.use_tensor_class(Tensor, _new_tensor, inplace.share_memory)

# Every op declared with method=True (ops/registry.py) is also a method: ``x.exp()`` is
# ``mg.exp(x)``.  What the class body defines itself (operators, autograd, dtypes) stays.
for _name, _function in exported("method").items():
    if _name not in Tensor.__dict__:
        setattr(Tensor, _name, _function)

# ... and each declared with inplace=True has its in-place method: ``x.exp_()``, ``x.add_(y)``.
for _name, _function in exported("inplace").items():
    if _name + "_" not in Tensor.__dict__:
        setattr(Tensor, _name + "_", inplace.method(_function, _name))
