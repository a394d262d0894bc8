"""``& | ^ ~`` are bitwise on integer tensors and logical on bool tensors, as in PyTorch: on
either side of a Python number or a numpy array, in place, and refused for floats with PyTorch's
exception types.  (tests/op_rows.py checks the functions' values and dtypes over drawn inputs.)"""
import operator

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

INTS = np.array([5, 3, -2, 0])
OTHER = np.array([3, 6, 7, -1])
BOOLS = np.array([True, False, True, False])

OPERATORS = {"&": operator.and_, "|": operator.or_, "^": operator.xor}
IN_PLACE = {"&": operator.iand, "|": operator.ior, "^": operator.ixor}


def both(array):
    return mg.tensor(array), torch.tensor(array)


def same(ours, theirs):
    assert ours.dtype == theirs.numpy().dtype, f"dtype {ours.dtype}, PyTorch's {theirs.dtype}"
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("symbol", OPERATORS)
@pytest.mark.parametrize("left,right", [
    (INTS, OTHER), (BOOLS, BOOLS[::-1].copy()), (INTS, BOOLS), (BOOLS, INTS),
    (INTS.astype(np.int32), OTHER), (INTS.astype(np.int32), np.array(3)),
    (INTS, 6), (6, INTS), (BOOLS, True), (False, BOOLS), (BOOLS, 1),
    (np.uint8(200) + INTS.astype(np.uint8), 1),
], ids=lambda v: f"{type(v).__name__}:{getattr(v, 'dtype', '')}")
def test_operators_give_pytorchs_values_and_dtypes(symbol, left, right):
    def operand(lib, value):
        return lib.tensor(value) if isinstance(value, np.ndarray) else value
    function = OPERATORS[symbol]
    same(function(operand(mg, left), operand(mg, right)),
         function(operand(torch, left), operand(torch, right)))


def test_five_and_three_is_one_not_true():
    five = mg.tensor(5)
    assert ((five & 3).item(), (five | 3).item(), (five ^ 3).item()) == (1, 7, 6)


@pytest.mark.parametrize("array", [INTS, INTS.astype(np.int32), INTS.astype(np.uint8), BOOLS],
                         ids=lambda a: str(a.dtype))
def test_invert_flips_bits_of_integers_and_negates_bools(array):
    same(~mg.tensor(array), ~torch.tensor(array))
    same(mg.bitwise_not(mg.tensor(array)), torch.bitwise_not(torch.tensor(array)))


@pytest.mark.parametrize("symbol", OPERATORS)
def test_a_numpy_array_on_the_left_gives_a_tensor(symbol):
    result = OPERATORS[symbol](OTHER, mg.tensor(INTS))
    assert isinstance(result, mg.Tensor)
    same(result, OPERATORS[symbol](torch.tensor(OTHER), torch.tensor(INTS)))


@pytest.mark.parametrize("symbol", IN_PLACE)
@pytest.mark.parametrize("target,value", [(INTS, OTHER), (INTS, 6), (BOOLS, True), (INTS, BOOLS)])
def test_in_place_operators_write_into_the_tensor_and_its_views(symbol, target, value):
    ours, theirs = both(target.copy())
    our_view, their_view = ours[1:], theirs[1:]
    our_value = mg.tensor(value) if isinstance(value, np.ndarray) else value
    their_value = torch.tensor(value) if isinstance(value, np.ndarray) else value
    result = IN_PLACE[symbol](ours, our_value)
    IN_PLACE[symbol](theirs, their_value)
    assert result is ours and ours._version == theirs._version == 1
    same(ours, theirs)
    same(our_view, their_view)


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1.0, 2.0]) & lib.tensor([1.0, 0.0]),
    lambda lib: lib.tensor([1.0, 2.0]) | 1,
    lambda lib: lib.tensor([1, 2]) ^ 1.5,
    lambda lib: 1.5 & lib.tensor([1, 2]),
    lambda lib: lib.tensor([True, False]) & lib.tensor([1.0, 0.0]),
    lambda lib: lib.bitwise_not(lib.tensor([1.0])),
    lambda lib: ~lib.tensor([1.0]),
    lambda lib: lib.tensor([True]).__iand__(lib.tensor([2])),
    lambda lib: lib.tensor([1, 2, 3]) & lib.tensor([1, 2]),
])
def test_what_pytorch_refuses_is_refused_with_its_exception_type(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(mg)
    assert str(ours.value).startswith(("bitwise_", "~", "in-place bitwise_")), "the op is named first"


def test_the_float_error_says_what_to_do():
    with pytest.raises(NotImplementedError, match=r"bitwise_and \(&\): not implemented for float32 "
                                                  r"tensors.*\(x > 0\) & \(y > 0\).*mg\.logical_and"):
        mg.ones(2) & mg.ones(2)


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_read_nonzero_as_true_for_any_dtype(name):
    a, b = np.array([0.0, 1.5, -2.0, 0.0]), np.array([3, 0, 7, 0])
    same(getattr(mg, name)(mg.tensor(a), mg.tensor(b)),
         getattr(torch, name)(torch.tensor(a), torch.tensor(b)))
    same(getattr(mg.tensor(a), name)(mg.tensor(b)), getattr(torch.tensor(a), name)(torch.tensor(b)))
