"""Tests on values: ``isnan isinf isfinite isposinf isneginf isclose allclose``, and
``nan_to_num``, which replaces what they find.

The tests give boolean tensors outside the graph (``allclose`` a Python bool), as comparisons
do; integer and bool tensors are finite everywhere.
"""
from __future__ import annotations

from ..backend import bool_, ndarray, xp
from ..engine import Function, is_tensor, new_constant
from .array_or_tensor import broadcast_error, raw
from .elementwise import not_a_tensor
from .registry import op


def _mask(input, test):
    if not is_tensor(input):
        raise not_a_tensor(test.__name__, input)
    x = input.data
    if x.dtype.kind not in "fc":  # integers and bools: never nan, never infinite
        return new_constant(xp.full(x.shape, test is xp.isfinite, dtype=bool_))
    return new_constant(test(x))


@op("isnan")
def isnan(input):
    """True where ``input`` is nan (``x != x``)."""
    return _mask(input, xp.isnan)


@op("isinf")
def isinf(input):
    """True where ``input`` is +inf or -inf."""
    return _mask(input, xp.isinf)


@op("isfinite")
def isfinite(input):
    """True where ``input`` is neither nan nor infinite."""
    return _mask(input, xp.isfinite)


@op("isposinf")
def isposinf(input):
    return _mask(input, xp.isposinf)


@op("isneginf")
def isneginf(input):
    return _mask(input, xp.isneginf)


class NanToNum(Function):
    """nan, +inf and -inf replaced by numbers; the gradient passes where the value was finite."""

    __slots__ = ("nan", "posinf", "neginf")
    name = "nan_to_num"
    caption = "grad_in = grad_out where x is finite, 0 where it was replaced"
    reads = (0,)

    def __init__(self, nan, posinf, neginf):
        self.nan, self.posinf, self.neginf = nan, posinf, neginf

    def options(self):
        given = {"nan": self.nan, "posinf": self.posinf, "neginf": self.neginf}
        return {k: v for k, v in given.items() if v is not None and not (k == "nan" and v == 0.0)}

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        if x.dtype.kind not in "fc":
            return x.copy()
        return xp.nan_to_num(x, nan=self.nan, posinf=self.posinf, neginf=self.neginf)

    def backward(self, grad, inputs, output):  # 1 where x is finite, 0 where it was replaced
        return (grad * xp.isfinite(raw(inputs[0])),)


@op("nan_to_num", inplace=True)
def nan_to_num(input, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None):
    """nan replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (by default the
    largest and the most negative finite numbers of the dtype).

    >>> import minigrad as mg
    >>> mg.nan_to_num(mg.tensor([float("nan"), float("inf"), -1.0]), posinf=9.0).tolist()
    [0.0, 9.0, -1.0]
    """
    for what, value in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise TypeError(f"nan_to_num(): argument '{what}' must be a number, not "
                            f"{type(value).__name__}")
    return NanToNum.apply(input, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)


def _close(name: str, input, other, rtol, atol, equal_nan):
    """The boolean array of ``isclose``, after PyTorch's checks of its arguments."""
    if not is_tensor(input) or not is_tensor(other):
        wrong = other if is_tensor(input) else input
        raise TypeError(f"{name}(): input and other must be tensors, got {type(wrong).__name__}; "
                        "wrap a number with mg.tensor(...)")
    a, b = input.data, other.data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{name}: the dtypes differ ({a.dtype} and {b.dtype}); convert one, "
                           f"e.g. other.to({a.dtype})")
    for what, value in (("rtol", rtol), ("atol", atol)):
        if value < 0:
            raise RuntimeError(f"{name}: {what} must be greater than or equal to zero, but got {value}")
    try:
        xp.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(name, a, b) from None
    if a.dtype.kind == "b":
        return a == b
    return xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


@op("isclose")
def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """True where ``|input - other| <= atol + rtol * |other|`` (equal infinities are close; nan
    is close to nan only with ``equal_nan``).  Both must be tensors of one dtype."""
    return new_constant(xp.asarray(_close("isclose", input, other, rtol, atol, equal_nan)))


@op("allclose")
def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether every element is close (see :func:`isclose`): a Python bool.

    >>> import minigrad as mg
    >>> mg.allclose(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0 + 1e-7]))
    True
    """
    return bool(xp.all(_close("allclose", input, other, rtol, atol, equal_nan)))
