"""What the op rows cannot say about the elementwise math ops, checked against PyTorch: integer
inputs that give float32, integer division and its errors, ``%`` and ``//`` with negative
numbers, ``int ** negative int``, the refusals of bool and integer tensors, isclose/allclose,
nan_to_num's defaults, and the gradients PyTorch defines (or refuses) for rounded division."""
import math

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

INTEGERS = {"int64": [-7, -1, 0, 1, 2, 5], "int32": [-3, 0, 4], "bool": [True, False]}
FLOAT_OF_INTEGER = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
                    "atanh", "log1p", "expm1", "log2", "log10", "exp2", "rsqrt", "reciprocal",
                    "erf", "erfc", "erfinv", "exp", "log", "sqrt"]


def both(values, dtype):
    return mg.tensor(np.array(values, dtype=dtype)), torch.tensor(np.array(values, dtype=dtype))


def assert_same(ours, theirs, rtol=1e-6):
    expected = theirs.detach().numpy()
    assert ours.dtype == expected.dtype, f"dtype {ours.dtype}, PyTorch's {expected.dtype}"
    np.testing.assert_allclose(ours.numpy(), expected, rtol=rtol, atol=1e-7)


# ---------------------------------------------------------------------------------------------
# Integer inputs, float results
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", sorted(INTEGERS))
@pytest.mark.parametrize("name", FLOAT_OF_INTEGER)
def test_integer_input_gives_pytorchs_float(name, dtype):
    ours, theirs = both(INTEGERS[dtype], dtype)
    with np.errstate(all="ignore"):
        assert_same(getattr(mg, name)(ours), getattr(torch, name)(theirs))
        assert_same(getattr(ours, name)(), getattr(theirs, name)())


@pytest.mark.parametrize("name", ["atan2", "copysign"])
def test_binary_integer_inputs_give_float32(name):
    (a, ta), (b, tb) = both([-3, 0, 2], "int64"), both([2, -1, 0], "int32")
    assert_same(getattr(mg, name)(a, b), getattr(torch, name)(ta, tb))


def test_integer_results_stay_integers():
    ours, theirs = both([-7, 0, 5], "int64")
    for name in ["floor", "ceil", "round", "trunc", "fix", "sign", "sgn", "square", "nan_to_num", "neg"]:
        assert_same(getattr(mg, name)(ours), getattr(torch, name)(theirs))
    flags, torch_flags = both([True, False], "bool")
    for name in ["sign", "sgn", "square", "nan_to_num", "isnan", "isfinite"]:
        assert_same(getattr(mg, name)(flags), getattr(torch, name)(torch_flags))


# ---------------------------------------------------------------------------------------------
# Division, remainders and powers of integers
# ---------------------------------------------------------------------------------------------
DIVIDENDS = [-7, -6, -1, 0, 1, 6, 7]
DIVISORS = [-3, -2, 2, 3]


@pytest.mark.parametrize("dtype", ["int64", "int32", "float32", "float64"])
def test_percent_and_floor_division_with_negative_numbers_match_pytorch(dtype):
    a, ta = both([[x] for x in DIVIDENDS], dtype)  # every dividend against every divisor
    b, tb = both(DIVISORS, dtype)
    assert_same(a % b, ta % tb)
    assert_same(a // b, ta // tb)
    assert_same(mg.fmod(a, b), torch.fmod(ta, tb))
    for mode in ("trunc", "floor"):
        assert_same(mg.div(a, b, rounding_mode=mode), torch.div(ta, tb, rounding_mode=mode))
        assert_same(a.div(b, rounding_mode=mode), ta.div(tb, rounding_mode=mode))
    for number in (-7, 7, -2.5, 2.5):  # a Python number on either side
        assert_same(a % number, ta % number)
        assert_same(number % b, number % tb)
        assert_same(a // number, ta // number)
        assert_same(number // b, number // tb)
        assert_same(mg.fmod(a, number), torch.fmod(ta, number))


@pytest.mark.parametrize("call", [
    lambda lib, a, b: a // b, lambda lib, a, b: a % b, lambda lib, a, b: lib.fmod(a, b),
    lambda lib, a, b: lib.remainder(a, b), lambda lib, a, b: lib.floor_divide(a, b),
    lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
    lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
])
def test_integer_division_by_zero_raises_pytorchs_error(call):
    (a, ta), (b, tb) = both([4, -4], "int64"), both([1, 0], "int64")
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(torch, ta, tb)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(mg, a, b)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(mg, a, 0)


def test_in_place_integer_division_by_zero_raises():
    a = mg.tensor([4, -4])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a //= 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a %= mg.tensor([1, 0])
    assert a.tolist() == [4, -4]


def test_in_place_percent_and_floor_division_match_pytorch():
    (a, ta) = both([-7, 7, 5], "int64")
    a %= 3
    ta %= 3
    assert_same(a, ta)
    (x, tx) = both([-7.5, 7.5, 5.0], "float32")
    x //= -2
    tx //= -2
    assert_same(x, tx)
    x.remainder_(1.5)
    tx.remainder_(1.5)
    assert_same(x, tx)


def test_float_division_by_zero_gives_pytorchs_inf_and_nan():
    (a, ta), (b, tb) = both([-1.5, 0.0, 2.0], "float32"), both([0.0, 0.0, -0.0], "float32")
    for call in (lambda lib, a, b: a // b, lambda lib, a, b: a % b, lambda lib, a, b: lib.fmod(a, b),
                 lambda lib, a, b: lib.div(a, b, rounding_mode="trunc")):
        assert_same(call(mg, a, b), call(torch, ta, tb))


def test_integer_to_a_negative_python_integer_raises_as_pytorch():
    with pytest.raises(RuntimeError, match="negative integer powers"):
        torch.tensor([2, 3]) ** -1
    with pytest.raises(RuntimeError, match="negative integer powers"):
        mg.tensor([2, 3]) ** -1
    with pytest.raises(RuntimeError, match="negative integer powers"):
        mg.tensor([2, 3]).pow(-2)


def test_integer_to_negative_integer_tensors_matches_pytorch():
    (a, ta), (b, tb) = both([1, -1, -1, 2, 0, 3], "int64"), both([-1, -1, -2, -2, -1, 2], "int64")
    assert_same(a ** b, ta ** tb)
    assert_same(2 ** b, 2 ** tb)
    assert_same(mg.pow(a, b), torch.pow(ta, tb))


def test_bad_rounding_mode_is_pytorchs_runtime_error():
    with pytest.raises(RuntimeError, match="rounding_mode"):
        torch.div(torch.ones(2), 2, rounding_mode="round")
    with pytest.raises(RuntimeError, match="rounding_mode to be one of None, 'trunc', or 'floor'"):
        mg.div(mg.ones(2), 2, rounding_mode="round")


# ---------------------------------------------------------------------------------------------
# Gradients the rows cannot state
# ---------------------------------------------------------------------------------------------
def test_floor_divide_has_no_derivative_as_in_pytorch():
    x, y = torch.tensor([1.7, -2.3], requires_grad=True), torch.tensor([0.6, 1.4])
    with pytest.raises(RuntimeError, match="derivative for .*floor_divide is not implemented"):
        (x // y).sum().backward()
    ours = mg.tensor([1.7, -2.3], requires_grad=True)
    quotient = ours // mg.tensor([0.6, 1.4])
    assert quotient.requires_grad  # as PyTorch's: the error comes with backward
    with pytest.raises(RuntimeError, match="derivative for 'floor_divide' is not implemented"):
        quotient.sum().backward()


@pytest.mark.parametrize("mode", ["trunc", "floor"])
def test_rounded_division_has_a_zero_gradient_as_in_pytorch(mode):
    values = [[1.7, -2.3, 3.5], [0.6, 1.4, -1.2]]
    ours = [mg.tensor(v, requires_grad=True) for v in values]
    theirs = [torch.tensor(v, requires_grad=True) for v in values]
    mg.div(*ours, rounding_mode=mode).sum().backward()
    torch.div(*theirs, rounding_mode=mode).sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.grad.numpy(), t.grad.numpy())


def test_a_number_modulo_a_tensor_has_the_remainders_gradient():
    """PyTorch defines no derivative for ``7 % x`` (its Scalar-first remainder); minigrad's is
    d/dx (7 - x floor(7 / x)) = -floor(7 / x), the quotient of Python's ``//`` (7 / -1.4 rounds
    to -5.000000000000001, but 7 // -1.4 is -5.0: the remainder 0 decides)."""
    values = [0.6, -1.4, 3.0]
    x = mg.tensor(values, dtype=mg.float64, requires_grad=True)
    (7 % x).sum().backward()
    assert x.grad.tolist() == [-(7 // v) for v in values]


def test_in_place_comparison_free_ops_keep_pytorchs_gradient():
    x = torch.tensor([1.5, -0.3], requires_grad=True)
    ours = mg.tensor([1.5, -0.3], requires_grad=True)
    y, t = ours * 1, x * 1
    y.fmod_(1.0).mul_(3).atan2_(mg.tensor([2.0, -1.0]))
    t.fmod_(1.0).mul_(3).atan2_(torch.tensor([2.0, -1.0]))
    y.sum().backward()
    t.sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), x.grad.numpy(), rtol=1e-6)


# ---------------------------------------------------------------------------------------------
# What PyTorch refuses
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda lib, x: lib.floor(x), lambda lib, x: lib.round(x), lambda lib, x: lib.trunc(x),
    lambda lib, x: lib.fmod(x, x), lambda lib, x: lib.remainder(x, x), lambda lib, x: x // x,
])
def test_bool_tensors_are_refused_where_pytorch_refuses_them(call):
    flags, torch_flags = both([True, False], "bool")
    with pytest.raises(NotImplementedError):
        call(torch, torch_flags)
    with pytest.raises(NotImplementedError):
        call(mg, flags)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.frac(x), lambda lib, x: lib.hypot(x, x), lambda lib, x: lib.logaddexp(x, x),
    lambda lib, x: lib.logaddexp2(x, x), lambda lib, x: lib.round(x, decimals=1),
])
def test_integer_tensors_are_refused_where_pytorch_refuses_them(call):
    ours, theirs = both([1, 2], "int64")
    with pytest.raises(NotImplementedError):
        call(torch, theirs)
    with pytest.raises(NotImplementedError):
        call(mg, ours)


@pytest.mark.parametrize("call", [
    lambda lib: -lib.tensor([True]),
    lambda lib: lib.tensor([True]) - lib.tensor([False]),
    lambda lib: lib.add(lib.tensor([1, 2]), 1, alpha=2.5),
    lambda lib: lib.sub(lib.tensor([1.0]), 1, alpha=True),
    lambda lib: lib.lerp(lib.tensor([1.0]), lib.tensor([2.0], dtype=lib.float64), 0.5),
    lambda lib: lib.isclose(lib.tensor([1.0]), lib.tensor([1])),
    lambda lib: lib.isclose(lib.tensor([1.0]), lib.tensor([1.0]), rtol=-1.0),
    lambda lib: lib.allclose(lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0, 3.0])),
])
def test_bad_calls_raise_pytorchs_runtime_error(call):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError):
        call(mg)


def test_isclose_wants_tensors_as_pytorch():
    with pytest.raises(TypeError):
        torch.isclose(torch.tensor([1.0]), 1.0)
    with pytest.raises(TypeError, match="isclose"):
        mg.isclose(mg.tensor([1.0]), 1.0)


# ---------------------------------------------------------------------------------------------
# isclose, allclose, nan_to_num
# ---------------------------------------------------------------------------------------------
def test_allclose_returns_a_python_bool_as_pytorch():
    a, b = mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0 + 1e-6])
    assert mg.allclose(a, b) is True and a.allclose(b) is True
    assert mg.allclose(a, b, rtol=0.0, atol=1e-9) is False
    nan = mg.tensor([math.nan])
    assert torch.allclose(torch.tensor([math.nan]), torch.tensor([math.nan])) is False
    assert mg.allclose(nan, nan) is False
    assert mg.allclose(nan, nan, equal_nan=True) is True


def test_isclose_of_infinities_and_integers_matches_pytorch():
    (a, ta), (b, tb) = both([math.inf, -math.inf, math.inf, 1.0], "float32"), \
        both([math.inf, -math.inf, -math.inf, math.inf], "float32")
    assert_same(mg.isclose(a, b), torch.isclose(ta, tb))
    (i, ti), (j, tj) = both([1, 2, 10], "int64"), both([2, 3, 11], "int64")
    assert_same(mg.isclose(i, j, rtol=0.4, atol=0), torch.isclose(ti, tj, rtol=0.4, atol=0))
    assert not mg.isclose(a, b).requires_grad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_nan_to_num_defaults_are_the_dtypes_extremes(dtype):
    ours, theirs = both([math.nan, math.inf, -math.inf, 1.5], dtype)
    assert_same(mg.nan_to_num(ours), torch.nan_to_num(theirs), rtol=0)
    assert_same(ours.nan_to_num(nan=2.0, neginf=-1.0), theirs.nan_to_num(nan=2.0, neginf=-1.0), rtol=0)
    ours.nan_to_num_(posinf=7.0)
    theirs.nan_to_num_(posinf=7.0)
    assert_same(ours, theirs, rtol=0)


def test_round_with_decimals_matches_pytorch():
    ours, theirs = both([1234.5678, -0.125, 2.5, 0.35], "float64")
    for decimals in (0, 1, 2, -2):
        assert_same(mg.round(ours, decimals=decimals), torch.round(theirs, decimals=decimals))
    with pytest.raises(TypeError):
        mg.round(ours, decimals=1.5)


def test_comparison_aliases_are_the_comparisons():
    (a, _), (b, _) = both([1, 2, 3], "int64"), both([2, 2, 2], "int64")
    for alias, name in [("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"),
                        ("less_equal", "le"), ("not_equal", "ne")]:
        assert getattr(mg, alias)(a, b).tolist() == getattr(mg, name)(a, b).tolist()
        assert getattr(a, alias)(b).tolist() == getattr(torch, alias)(torch.tensor([1, 2, 3]), 2).tolist()


def test_xlogy_gradient_where_x_is_zero_matches_pytorch():
    values = [[0.0, 0.0, 2.0], [0.0, 3.0, 0.5]]
    ours = [mg.tensor(v, requires_grad=True) for v in values]
    theirs = [torch.tensor(v, requires_grad=True) for v in values]
    mg.xlogy(*ours).sum().backward()
    torch.xlogy(*theirs).sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["sin", "exp", "floor", "round", "sign", "frac", "isnan", "nan_to_num",
                                  "erfinv", "reciprocal"])
def test_a_list_or_a_number_for_a_tensor_is_pytorchs_type_error(name):
    for wrong in ([1.0, 2.0], 2.0):
        with pytest.raises(TypeError):
            getattr(torch, name)(wrong)
        with pytest.raises(TypeError, match=f"{name}: argument 'input' .* must be Tensor"):
            getattr(mg, name)(wrong)


def test_abs_and_in_place_power_operators_match_pytorch():
    (x, tx) = both([-1.5, 2.0, -0.0], "float32")
    assert_same(abs(x), abs(tx))
    x **= 2
    tx **= 2
    assert_same(x, tx)
    leaf = mg.tensor([1.5, -2.0], requires_grad=True)
    y = leaf * 1
    y **= 3
    y.sum().backward()
    assert leaf.grad.tolist() == [3 * 1.5 ** 2, 3 * 4.0]
    (i, _) = both([2, 3], "int64")
    with pytest.raises(RuntimeError, match="negative integer powers"):
        i **= -1
