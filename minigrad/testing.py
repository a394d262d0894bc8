"""Checking numbers: PyTorch's ``assert_close``, and a learner's gradients against autograd's.

``mg.testing.assert_close(actual, expected)`` is ``torch.testing.assert_close``: the same
default tolerances per dtype, the same checks of shape and dtype, the same error text.

``mg.testing.compare(name, manual, tensor)`` is the ``cmp`` of Karpathy's "becoming a backprop
ninja": one line per gradient saying whether the gradient written by hand equals the one
``backward()`` left in ``tensor.grad`` exactly, approximately, and by how much it misses.

>>> import minigrad as mg
>>> w = mg.tensor([1.0, -2.0], requires_grad=True)
>>> (w * w).sum().backward()
>>> mg.testing.compare("w", 2 * w.detach(), w)
w               | exact: True  | approximate: True  | maxdiff: 0.0
True
"""
from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence

from .backend import ndarray, xp
from .dtypes import promote_types
from .printing import dtype_name
from .tensor import Tensor

__all__ = ["assert_close", "compare", "compare_grads"]

# PyTorch's default (rtol, atol) per dtype; integers and bools compare exactly.
_TOLERANCES = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
               "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}
_NUMBERS = (builtins.bool, builtins.int, builtins.float, builtins.complex, xp.generic)


def default_tolerances(*dtypes) -> tuple[float, float]:
    """The loosest of PyTorch's default ``(rtol, atol)`` among ``dtypes``."""
    pairs = [_TOLERANCES.get(xp.dtype(d).name, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def assert_close(actual, expected, *, rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, check_dtype: bool = True,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """``torch.testing.assert_close``: raise AssertionError unless ``actual`` and ``expected``
    are close, ``|actual - expected| <= atol + rtol * |expected|`` elementwise, with the same
    shape (and dtype, unless ``check_dtype=False``).  Tensors pair with tensors, numpy arrays with
    numpy arrays, numbers with numbers; sequences and mappings are compared item by item.
    Without ``rtol`` and ``atol`` the tolerances are PyTorch's defaults for the dtype (float32:
    rtol 1.3e-6, atol 1e-5; float64: 1e-7, 1e-7; integers exact).  ``msg`` replaces the message
    (a string) or rewrites it (a callable given the generated one).

    >>> import minigrad as mg
    >>> mg.testing.assert_close(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.000001]))
    >>> mg.testing.assert_close(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.5]))
    Traceback (most recent call last):
    ...
    AssertionError: Tensor-likes are not close!
    <BLANKLINE>
    Mismatched elements: 1 / 2 (50.0%)
    Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
    Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
    """
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{missing}.")
    problem = _first_problem(actual, expected, rtol, atol, equal_nan, check_dtype, path="")
    if problem is None:
        return
    if callable(msg):
        problem = msg(problem)
    elif msg is not None:
        problem = msg
    raise AssertionError(problem)


def _first_problem(actual, expected, rtol, atol, equal_nan, check_dtype, path: str) -> str | None:
    """The message for the first mismatch between ``actual`` and ``expected`` (None: close)."""
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        found = _compare_arrays(actual.data, expected.data, rtol, atol, equal_nan, check_dtype,
                                scalar=actual.ndim == 0 and expected.ndim == 0)
    elif isinstance(actual, ndarray) and isinstance(expected, ndarray):
        found = _compare_arrays(actual, expected, rtol, atol, equal_nan, check_dtype, scalar=False)
    elif isinstance(actual, _NUMBERS) and isinstance(expected, _NUMBERS) \
            and not isinstance(actual, (str, bytes)):
        found = _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype)
    elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
        return _compare_mappings(actual, expected, rtol, atol, equal_nan, check_dtype, path)
    elif _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            return f"The length of the sequences mismatch: {len(actual)} != {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            problem = _first_problem(a, e, rtol, atol, equal_nan, check_dtype, f"{path}[{i}]")
            if problem is not None:
                return problem
        return None
    else:
        raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} "
                        f"and {type(expected)}.")
    if found is None or not path:
        return found
    return f"{found}\n\nThe failure occurred for item {path}"


def _is_sequence(x) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _compare_mappings(actual, expected, rtol, atol, equal_nan, check_dtype, path):
    if set(actual) != set(expected):
        missing = sorted(set(expected) - set(actual), key=repr)
        extra = sorted(set(actual) - set(expected), key=repr)
        lines = ["The keys of the mappings do not match:"]
        if missing:
            lines.append(f"Missing keys in the actual mapping: {missing}")
        if extra:
            lines.append(f"Additional keys in the actual mapping: {extra}")
        return "\n".join(lines)
    for key in expected:
        problem = _first_problem(actual[key], expected[key], rtol, atol, equal_nan, check_dtype,
                                 f"{path}[{key!r}]")
        if problem is not None:
            return problem
    return None


def _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype):
    a_type, e_type = _number_type(actual), _number_type(expected)
    if check_dtype and a_type is not e_type:
        return f"The (d)types do not match: {a_type} != {e_type}."
    dtypes = [xp.asarray(a_type(0)).dtype if a_type is not builtins.float else xp.float64
              for a_type in (a_type, e_type)]
    if rtol is None:
        rtol, atol = default_tolerances(*dtypes)
    close = _close(xp.asarray(actual), xp.asarray(expected), rtol, atol, equal_nan)
    if bool(close):
        return None
    exact = rtol == 0 and atol == 0
    diff = abs(actual - expected)
    relative = diff / abs(expected) if expected != 0 else builtins.float("inf")
    return ("Scalars are not " + ("equal" if exact else "close") + "!\n\n"
            f"Expected {expected} but got {actual}.\n"
            f"Absolute difference: {diff}" + ("" if exact else f" (up to {atol} allowed)") + "\n"
            f"Relative difference: {relative}" + ("" if exact else f" (up to {rtol} allowed)"))


def _number_type(x) -> type:
    if isinstance(x, xp.generic):  # numpy scalars compare as the Python number they hold
        return type(x.item())
    return type(x)


def _close(a, e, rtol, atol, equal_nan):
    """Elementwise closeness, infinities equal to themselves, NaN equal only with equal_nan."""
    with xp.errstate(invalid="ignore", over="ignore"):
        finite = xp.isfinite(a) & xp.isfinite(e)
        close = (a == e) | (finite & (xp.abs(a - e) <= atol + rtol * xp.abs(e)))
    if equal_nan:
        close = close | (xp.isnan(a) & xp.isnan(e))
    return close


def _compare_arrays(actual, expected, rtol, atol, equal_nan, check_dtype, scalar: bool):
    if actual.shape != expected.shape:
        return (f"The values for attribute 'shape' do not match: {_size(actual.shape)} != "
                f"{_size(expected.shape)}.")
    if check_dtype and actual.dtype != expected.dtype:
        return (f"The values for attribute 'dtype' do not match: {dtype_name(actual.dtype)} != "
                f"{dtype_name(expected.dtype)}.")
    if rtol is None:
        rtol, atol = default_tolerances(actual.dtype, expected.dtype)
    common = xp.dtype(promote_types(actual.dtype, expected.dtype))  # PyTorch's promotion
    if common.kind == "b":
        common = xp.dtype(xp.int64)
    a, e = actual.astype(common), expected.astype(common)
    close = _close(a, e, rtol, atol, equal_nan)
    if close.all():
        return None
    exact = rtol == 0 and atol == 0
    if scalar:
        return _compare_numbers(a.item(), e.item(), rtol, atol, equal_nan, check_dtype=False)
    float_type = common if common.kind in "fc" else xp.dtype("float32")
    with xp.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = xp.abs(a - e)
        rel_diff = abs_diff.astype(float_type) / xp.abs(e).astype(float_type)
    abs_diff = xp.where(close, 0, abs_diff)
    rel_diff = xp.where(close, 0, rel_diff)
    mismatched = int((~close).sum())
    total = close.size
    worst_abs = xp.unravel_index(int(xp.argmax(abs_diff)), close.shape)
    worst_rel = xp.unravel_index(int(xp.argmax(rel_diff)), close.shape)
    allowed_abs = "" if exact else f" (up to {atol} allowed)"
    allowed_rel = "" if exact else f" (up to {rtol} allowed)"
    return ("Tensor-likes are not " + ("equal" if exact else "close") + "!\n\n"
            f"Mismatched elements: {mismatched} / {total} ({100 * mismatched / total:.1f}%)\n"
            f"Greatest absolute difference: {abs_diff[worst_abs].item()} at index "
            f"{_index(worst_abs)}{allowed_abs}\n"
            f"Greatest relative difference: {rel_diff[worst_rel].item()} at index "
            f"{_index(worst_rel)}{allowed_rel}")


def _index(index: tuple) -> str:
    return str(tuple(builtins.int(i) for i in index))


def _size(shape: tuple) -> str:
    from .size import Size

    return repr(Size(shape))


# ---------------------------------------------------------------------------------------------
# Hand versus autograd
# ---------------------------------------------------------------------------------------------
def _as_array(value, what: str) -> ndarray:
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, (ndarray, builtins.float, builtins.int, Sequence)):
        return xp.asarray(value)
    raise TypeError(f"compare: {what} must be a Tensor, a numpy array or a number, got "
                    f"{type(value).__name__}")


def compare(name: str, manual, tensor, *, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
    """Print how the gradient computed by hand, ``manual``, matches ``tensor.grad``, the one
    ``backward()`` computed, in one line; return whether they are approximately equal.

    ``exact`` is bitwise equality, ``approximate`` is ``numpy.allclose`` with ``rtol``/``atol``,
    ``maxdiff`` the largest absolute difference.  When the shapes differ (the commonest
    mistake: a gradient not summed back over a broadcast dimension, or transposed), the line
    says so and gives both shapes; that counts as not equal.  ``tensor`` may also be a plain
    array or Tensor holding the reference gradient itself (when it has no ``.grad``).
    """
    reference = tensor.grad if isinstance(tensor, Tensor) and tensor.grad is not None else tensor
    if isinstance(tensor, Tensor) and tensor.grad is None and tensor.requires_grad:
        print(f"{name:15s} | no gradient: {name}.grad is None (did backward() run, and does the "
              f"loss depend on {name}?)")
        return False
    got, expected = _as_array(manual, "manual"), _as_array(reference, "tensor")
    if got.shape != expected.shape:
        print(f"{name:15s} | exact: False | approximate: False | shapes differ: by hand "
              f"{tuple(got.shape)}, autograd {tuple(expected.shape)}")
        return False
    exact = bool(xp.array_equal(got, expected))
    approximate = bool(xp.allclose(got, expected, rtol=rtol, atol=atol))
    with xp.errstate(invalid="ignore", over="ignore"):
        difference = xp.abs(got.astype(xp.float64) - expected.astype(xp.float64))
    maxdiff = builtins.float(difference.max()) if difference.size else 0.0
    print(f"{name:15s} | exact: {exact!s:5} | approximate: {approximate!s:5} | maxdiff: {maxdiff}")
    return approximate


def compare_grads(model_or_dict, manual_grads: Mapping, *, rtol: float = 1e-5,
                  atol: float = 1e-8) -> bool:
    """:func:`compare` every gradient of a network: ``model_or_dict`` is a Module (its
    ``named_parameters()``) or a dict name -> tensor; ``manual_grads`` maps the same names to the
    gradients computed by hand.  A name on one side only is reported.  Returns whether all
    gradients match and no name is missing or extra.
    """
    if hasattr(model_or_dict, "named_parameters"):
        tensors = dict(model_or_dict.named_parameters())
    elif isinstance(model_or_dict, Mapping):
        tensors = dict(model_or_dict)
    else:
        raise TypeError("compare_grads: expected a Module or a dict of name -> tensor, got "
                        f"{type(model_or_dict).__name__}")
    if not isinstance(manual_grads, Mapping):
        raise TypeError("compare_grads: manual_grads must be a dict of name -> gradient, got "
                        f"{type(manual_grads).__name__}")
    all_match = True
    for name, tensor in tensors.items():
        if name not in manual_grads:
            print(f"{name:15s} | missing: no gradient by hand for this parameter")
            all_match = False
            continue
        all_match &= compare(name, manual_grads[name], tensor, rtol=rtol, atol=atol)
    for name in manual_grads:
        if name not in tensors:
            print(f"{name:15s} | extra: the network has no parameter named {name!r} "
                  f"(its names: {', '.join(tensors)})")
            all_match = False
    return all_match
