"""What every function that makes a new tensor shares: its size arguments, ``dtype=``,
``device=`` and ``requires_grad=`` (minigrad/creation.py and ops/sampling.py use them)."""
from __future__ import annotations

from ..backend import default_float, xp
from ..device import as_device
from ..engine import is_tensor, new_constant
from .array_or_tensor import shape_args


def sizes(shape: tuple, op: str, size=None) -> tuple:
    """The sizes of a new tensor, as PyTorch takes them: ``zeros(2, 3)``, ``zeros((2, 3))``,
    ``zeros([2, 3])``, ``zeros(x.shape)`` or ``zeros(size=(2, 3))``; none negative."""
    if size is not None:
        if shape:
            raise TypeError(f"{op}() got multiple values for argument 'size' (give the sizes either "
                            "as positional arguments or as size=, not both)")
        shape = (size,)
    elif not shape:
        raise TypeError(f'{op}() missing 1 required positional arguments: "size" (give the sizes, '
                        f"e.g. {op}(2, 3); {op}(()) makes a 0-d tensor)")
    result = shape_args(shape, op)
    negative = [n for n in result if n < 0]
    if negative:
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension {negative[0]}: "
                           f"{list(result)}")
    return result


def size_tuple(size, op: str) -> tuple:
    """A ``size`` argument (``full``, ``randint``, ``normal``): a sequence of ints, or one int,
    which minigrad also takes (PyTorch wants ``(n,)``; the tensor is the same)."""
    return sizes((size,), op)


def float_dtype(dtype, op: str):
    """``dtype`` (None: the default float dtype), refused unless it is a floating type: the ops
    that draw floats (rand, randn, linspace ... ) have nothing to give an integer tensor."""
    if dtype is None:
        return default_float()
    dtype = xp.dtype(dtype)
    if dtype.kind not in "fc":
        raise NotImplementedError(f"{op}: not implemented for dtype {dtype}: it makes floating point "
                                  "numbers (ask for dtype=mg.float32 or mg.float64, or convert after)")
    return dtype


def finish(array, op: str, device=None, requires_grad: bool = False):
    """A new leaf tensor over ``array`` on ``device`` (checked: the CPU), requiring grad if asked."""
    as_device(device, op)
    tensor = new_constant(array)
    if requires_grad:
        if array.dtype.kind not in "fc":
            raise RuntimeError(f"{op}: Only Tensors of floating point and complex dtype can require "
                               f"gradients, asked for dtype {array.dtype} (give dtype=mg.float32)")
        tensor.requires_grad = True
    return tensor


def like(input, op: str):
    """The tensor a ``*_like`` function copies the shape (and dtype) of."""
    if not is_tensor(input):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input
