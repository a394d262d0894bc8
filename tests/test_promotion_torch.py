"""Type promotion against PyTorch: every mix of dtypes and of operand kinds (a tensor with
dimensions, a 0-d tensor, a Python number) gives PyTorch's result dtype, for every op that
combines operands."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg

torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
KINDS = ["tensor", "0-d", "number"]


def operand(lib, dtype, kind, seed):
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 4, size=(2, 3)).astype(dtype)
    if kind == "number":
        python = {"b": bool, "u": int, "i": int, "f": float}[np.dtype(dtype).kind]
        return python(values.flat[0])
    data = values if kind == "tensor" else values[:1, :1].reshape(())
    return lib.tensor(data.copy()) if lib is mg else torch.from_numpy(data.copy())


def dtype_name(result):
    return str(result.dtype).replace("torch.", "")


OPS = {
    "add": lambda lib, a, b: a + b if not isinstance(a, (bool, int, float)) else b + a,
    "mul": lambda lib, a, b: lib.mul(a, b) if not isinstance(a, (bool, int, float)) else b * a,
    "div": lambda lib, a, b: lib.div(a, b) if not isinstance(a, (bool, int, float)) else b.__rtruediv__(a),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "where": lambda lib, a, b: lib.where(lib.tensor([[True, False, True], [False, True, True]]), a, b),
    "eq": lambda lib, a, b: a == b if not isinstance(a, (bool, int, float)) else b == a,
    "lt": lambda lib, a, b: a < b if not isinstance(a, (bool, int, float)) else b > a,
    "cat": lambda lib, a, b: lib.cat([a, b]),
    "stack": lambda lib, a, b: lib.stack([a, b]),
    "clamp": lambda lib, a, b: lib.clamp(a, min=b),
}


def outcome(op, lib, a, b):
    try:
        return dtype_name(OPS[op](lib, a, b))
    except Exception as error:  # noqa: BLE001 (what PyTorch refuses is not this test's subject)
        return type(error).__name__


@settings(max_examples=400, deadline=None)
@given(op=st.sampled_from(sorted(OPS)), dtypes=st.tuples(st.sampled_from(DTYPES), st.sampled_from(DTYPES)),
       kinds=st.tuples(st.sampled_from(KINDS), st.sampled_from(KINDS)), seed=st.integers(0, 100))
def test_result_dtype_is_pytorchs(op, dtypes, kinds, seed):
    if "number" in kinds and op in ("maximum", "minimum", "cat", "stack"):
        kinds = (kinds[0], "tensor") if kinds[1] == "number" else ("tensor", kinds[1])  # tensors only
    if op in ("cat", "stack") and "0-d" in kinds:
        kinds = ("tensor", "tensor") if op == "cat" else ("0-d", "0-d")
    if op == "clamp":
        kinds = ("tensor", kinds[1])
    if kinds == ("number", "number"):
        kinds = ("tensor", "number")
    theirs = outcome(op, torch, *(operand(torch, d, k, seed) for d, k in zip(dtypes, kinds)))
    if theirs not in DTYPES:  # PyTorch refuses (e.g. clamp of bools): no dtype to match
        return
    ours = outcome(op, mg, *(operand(mg, d, k, seed) for d, k in zip(dtypes, kinds)))
    assert ours == theirs, f"{op} of {dtypes[0]} {kinds[0]} and {dtypes[1]} {kinds[1]}"


def test_a_float32_graph_stays_float32_with_where_and_scalars():
    x = mg.randn(3, requires_grad=True)
    y = mg.where(x > 0, 1.0, 0.0) * x + mg.tensor(2.0, dtype=mg.float64) * x
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("a_dtype,b_dtype", [("int64", "float32"), ("float32", "float64")])
def test_matmul_refuses_mixed_dtypes_as_pytorch_does(a_dtype, b_dtype):
    a, b = np.ones((2, 3), a_dtype), np.ones((3, 2), b_dtype)
    with pytest.raises(RuntimeError):
        torch.from_numpy(a) @ torch.from_numpy(b)
    with pytest.raises(RuntimeError, match=rf"matmul: expected both operands to have the same dtype, "
                                           rf"but got {a_dtype}.*{b_dtype}.*\.float\(\)"):
        mg.tensor(a) @ mg.tensor(b)


def test_linear_on_integer_input_says_to_convert_it():
    import nn
    with pytest.raises(RuntimeError, match=r"linear: expected both operands to have the same dtype, "
                                           r"but got int64.*float32.*\.float\(\)"):
        nn.Linear(3, 2)(mg.tensor([[1, 2, 3]]))
