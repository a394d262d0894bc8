"""repr(tensor) is PyTorch's text, character for character (minigrad/printing.py).

Every expected text is PyTorch's own repr of a tensor with the same values; minigrad writes
dtypes and sizes as PyTorch does (``torch.float64``), so the texts compare as they are.
"""
import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import engine, printing

torch = pytest.importorskip("torch")

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


@contextlib.contextmanager
def both_printoptions(**options):
    """The same print options for PyTorch and minigrad, both restored afterwards."""
    torch.set_printoptions(**options)
    mg.set_printoptions(**options)
    try:
        yield
    finally:
        torch.set_printoptions(profile="default")
        mg.set_printoptions(profile="default")


def values(seed: int, shape: tuple, dtype: str, mode: str) -> np.ndarray:
    """An array of ``shape``: values over many magnitudes, integer-valued floats, zeros, nan
    and inf, as ``mode`` asks."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype[0] in "iu":
        info = np.iinfo(dtype)
        top = {"normal": 10, "spread": info.max, "ints": 1000}.get(mode, 100)
        low = 0 if dtype[0] == "u" else -min(top, -info.min)
        return np.asarray(rng.integers(low, min(top, info.max), size=shape, endpoint=True)).astype(dtype)
    scale = 10.0 ** rng.integers(-12, 13)
    if mode == "normal":
        data = rng.standard_normal(shape) * scale
    elif mode == "spread":  # magnitudes from 1e-9 to 1e12 in one tensor
        data = np.sign(rng.standard_normal(shape)) * 10.0 ** rng.uniform(-9, 12, shape)
    elif mode == "ints":
        data = rng.integers(-10 ** rng.integers(1, 10), 10 ** rng.integers(1, 10), size=shape).astype(float)
    elif mode == "rounded":  # few decimals: widths that vary by one digit
        data = np.round(rng.uniform(-150, 150, shape), rng.integers(0, 4))
    else:  # special: zeros, -0, nan, inf among ordinary numbers
        data = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4)
        pick = rng.random(shape)
        data = np.where(pick < 0.15, 0.0, data)
        data = np.where((pick >= 0.15) & (pick < 0.2), -0.0, data)
        data = np.where((pick >= 0.2) & (pick < 0.27), np.nan, data)
        data = np.where((pick >= 0.27) & (pick < 0.32), np.inf, data)
        data = np.where((pick >= 0.32) & (pick < 0.35), -np.inf, data)
    with np.errstate(over="ignore"):
        return np.asarray(data).astype(dtype)


SMALL_SHAPES = st.lists(st.integers(0, 7), min_size=0, max_size=3).map(tuple)
# Past the 1000-element threshold: summaries with "..."
LARGE_SHAPES = st.sampled_from([(1001,), (2000,), (40, 30), (3, 400), (400, 3), (11, 10, 10),
                                (2, 3, 200), (200, 2, 3), (7, 1, 150)])
MODES = st.sampled_from(["normal", "spread", "ints", "rounded", "special"])


def assert_same_repr(array: np.ndarray, requires_grad: bool = False):
    ours = mg.tensor(array)
    theirs = torch.from_numpy(array.copy())
    if requires_grad:
        ours.requires_grad_()
        theirs.requires_grad_()
    assert repr(ours) == repr(theirs), f"\nours:\n{ours!r}\ntheirs:\n{theirs!r}"
    assert str(ours) == str(theirs)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**32 - 1), SMALL_SHAPES, st.sampled_from(DTYPES), MODES)
def test_small_tensors_print_as_pytorch_prints_them(seed, shape, dtype, mode):
    assert_same_repr(values(seed, shape, dtype, mode))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), LARGE_SHAPES, st.sampled_from(DTYPES), MODES)
def test_large_tensors_are_summarized_as_pytorch_summarizes_them(seed, shape, dtype, mode):
    assert_same_repr(values(seed, shape, dtype, mode))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), SMALL_SHAPES, st.sampled_from(["float32", "float64"]), MODES)
def test_leaves_that_require_grad_print_the_flag(seed, shape, dtype, mode):
    assert_same_repr(values(seed, shape, dtype, mode), requires_grad=True)


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**32 - 1), st.one_of(SMALL_SHAPES, LARGE_SHAPES), st.sampled_from(DTYPES), MODES,
       st.fixed_dictionaries({}, optional={
           "precision": st.integers(0, 8), "threshold": st.integers(1, 2000),
           "edgeitems": st.integers(0, 4), "linewidth": st.integers(10, 200),
           "sci_mode": st.sampled_from([True, False, None]),
           "profile": st.sampled_from(["default", "short", "full"])}))
def test_print_options_act_as_pytorchs(seed, shape, dtype, mode, options):
    with both_printoptions(**options):
        assert_same_repr(values(seed, shape, dtype, mode))


def test_the_documented_cases_print_as_pytorch():
    cases = [3.14159, [1e-5, 1.0], [float("nan"), 1.0, float("inf")], [1e10], [0.0, -0.0],
             [[1, 2], [3, 4]], [True, False], True, 7, [], [1.0, 2.5, 1000.0], [1e8, 1.0]]
    for case in cases:
        assert repr(mg.tensor(case)) == repr(torch.tensor(case)), case
    for shape, dtype in [((0, 3), "float32"), ((0,), "float64"), ((0, 3), "int64"), ((2, 0, 1), "bool"),
                         ((0,), "int32"), ((), "float16")]:
        assert repr(mg.zeros(shape, dtype=getattr(mg, dtype))) == \
            repr(torch.zeros(shape, dtype=getattr(torch, dtype)))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.one_of(SMALL_SHAPES, LARGE_SHAPES),
       st.sampled_from(["complex64", "complex128"]), MODES, MODES)
def test_complex_tensors_print_as_pytorchs(seed, shape, dtype, real_mode, imag_mode):
    real = values(seed, shape, "float64", real_mode)
    imag = values(seed + 1, shape, "float64", imag_mode)
    assert_same_repr(np.asarray(real + 1j * imag).astype(dtype))


def test_the_default_dtype_decides_which_dtype_is_shown():
    try:
        mg.set_default_dtype(mg.float64)
        torch.set_default_dtype(torch.float64)
        for array in (np.ones(3), np.ones(3, np.float32), np.zeros((0, 2)), np.zeros(0, np.float32)):
            assert repr(mg.tensor(array)) == repr(torch.tensor(array))
    finally:
        mg.set_default_dtype(mg.float32)
        torch.set_default_dtype(torch.float32)


def test_a_parameter_prints_as_pytorchs():
    import nn
    data = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    assert repr(nn.Parameter(mg.tensor(data))) == repr(torch.nn.Parameter(torch.from_numpy(data)))


def test_suffixes_wrap_onto_a_new_line_past_the_line_width():
    for n in (6, 7, 8, 9, 14):
        data = np.linspace(-1, 1, n)
        ours, theirs = mg.tensor(data, requires_grad=True) * 2, torch.tensor(data, requires_grad=True) * 2
        assert repr(ours) == repr(theirs)


# ---------------------------------------------------------------------------------------------
# grad_fn names
# ---------------------------------------------------------------------------------------------
def _graphs(lib, F, x, v, b3, w, bias, target):
    """The same computations in minigrad and PyTorch, by name."""
    return {
        "add": x + x, "add number": x + 1, "sub": x - x, "number - x": 1 - x, "mul": x * 2,
        "div": x / 2, "number / x": 2 / x, "neg": -x, "x ** 2": x ** 2, "x ** x": x ** x,
        "2 ** x": 2 ** x, "abs": x.abs(), "exp": x.exp(), "log": x.abs().log(), "sqrt": x.abs().sqrt(),
        "tanh": x.tanh(), "sigmoid": x.sigmoid(), "relu": x.relu(), "clamp": x.clamp(0, 1),
        "sum": x.sum(), "sum dim": x.sum(0), "sum keepdim": x.sum(0, keepdim=True), "mean": x.mean(),
        "mean dim": x.mean(1), "amax": x.amax(0), "amin": x.amin(1), "logsumexp": x.logsumexp(0),
        "mm": x @ x.T, "mv": x @ v, "dot": v @ v, "vm": v @ x.T, "bmm": b3 @ b3.transpose(1, 2),
        "softmax": x.softmax(0), "log_softmax": x.log_softmax(1), "cat": lib.cat([x, x]),
        "stack": lib.stack([x, x]), "where": lib.where(x > 0, x, x * 2), "maximum": lib.maximum(x, x),
        "minimum": lib.minimum(x, x), "view": x.view(12), "reshape": x.reshape(12),
        "permute": x.permute(1, 0), "transpose": x.transpose(0, 1), "T": x.T, "mT": x.mT,
        "unsqueeze": x.unsqueeze(0), "flatten": b3.flatten(1), "expand": x[:, :1].expand(3, 4),
        "x[0]": x[0], "x[1:]": x[1:], "x[:, 0]": x[:, 0], "x[None]": x[None], "x[[0, 1]]": x[[0, 1]],
        "x[mask]": x[x > 0], "float()": x.float(), "to(float32)": x.to(lib.float32),
        "double()": x.float().double(),
        "linear": F.linear(x, w, bias), "linear without bias": F.linear(x, w),
        "cross_entropy": F.cross_entropy(x, target), "nll_loss": F.nll_loss(x, target),
        "cross_entropy none": F.cross_entropy(x, target, reduction="none"),
        # (binary_cross_entropy is left out: minigrad takes the mean of the elementwise loss as a
        # node of its own, so its last node is MeanBackward0 where PyTorch's is the loss's)
    }


def test_grad_fn_names_are_pytorchs():
    import minigrad.functional as mF
    torch_F = torch.nn.functional
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in [(3, 4), (4,), (2, 3, 4), (5, 4), (5,)]]
    ours = _graphs(mg, mF, *(mg.tensor(a, requires_grad=True) for a in arrays), mg.tensor([0, 1, 2]))
    theirs = _graphs(torch, torch_F, *(torch.tensor(a, requires_grad=True) for a in arrays),
                     torch.tensor([0, 1, 2]))
    wrong = {}
    for name, ours_result in ours.items():
        expected = type(theirs[name].grad_fn).__name__
        if printing.torch_node_name(ours_result.grad_fn, ours_result) != expected or \
                not repr(ours_result).endswith(f"grad_fn=<{expected}>)"):
            wrong[name] = (printing.torch_node_name(ours_result.grad_fn, ours_result), expected)
    assert not wrong, wrong


def test_grad_fn_names_stay_after_backward_frees_the_graph():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    matrix = mg.tensor([[1.0, 2.0]], requires_grad=True) @ mg.tensor([[3.0], [4.0]])
    loss.backward()
    matrix.sum().backward()
    assert repr(loss) == "tensor(5., grad_fn=<SumBackward0>)"
    assert repr(matrix) == "tensor([[11.]], grad_fn=<MmBackward0>)"


def test_a_function_of_the_users_own_is_named_as_pytorch_names_it():
    for lib in (mg, torch):
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad):
                return grad * 2

        y = Double.apply(lib.tensor([1.0], requires_grad=True))
        assert repr(y) == "tensor([2.], grad_fn=<DoubleBackward>)", lib.__name__

    class Triple(engine.Function):  # an engine-level primitive of the user's own
        name = "triple"

        def forward(self, x):
            return x * 3

        def backward(self, grad, inputs, output):
            return (grad * 3,)

    y = Triple.apply(mg.tensor([1.0], requires_grad=True))
    assert repr(y) == "tensor([3.], grad_fn=<TripleBackward>)"


def test_printoptions_are_restored_by_the_context_manager():
    with printing.printoptions(precision=1):
        assert repr(mg.tensor([1.25])) == "tensor([1.2])"
    assert repr(mg.tensor([1.25])) == repr(torch.tensor([1.25]))
    with pytest.raises(ValueError, match="profile"):
        mg.set_printoptions(profile="long")


def test_a_node_reprs_as_pytorchs_up_to_its_address():
    import re
    ours = repr((mg.tensor([1.0], requires_grad=True) * 2).grad_fn)
    theirs = repr((torch.tensor([1.0], requires_grad=True) * 2).grad_fn)
    address = re.compile(r"0x[0-9a-f]+")
    assert address.sub("0x0", ours) == address.sub("0x0", theirs) == "<MulBackward0 object at 0x0>"
