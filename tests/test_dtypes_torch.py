"""PyTorch's dtype and device vocabulary: names, casts, .to(), .type(), finfo/iinfo, promotion,
the default dtype; each compared with what PyTorch does."""
import itertools

import numpy as np
import pytest

import minigrad as mg
import nn

torch = pytest.importorskip("torch")

NAMES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
ALIASES = ["float", "double", "half", "long", "int", "short"]


def name_of(dtype) -> str:
    """A dtype's name without its library: 'float32' for torch.float32 and mg.float32."""
    return str(dtype).replace("torch.", "") if isinstance(dtype, torch.dtype) else np.dtype(dtype).name


@pytest.mark.parametrize("name", NAMES + ALIASES)
def test_each_dtype_name_is_the_dtype_pytorch_names(name):
    ours = mg.zeros(2, dtype=getattr(mg, name))
    assert name_of(ours.dtype) == name_of(getattr(torch, name))
    assert ours.dtype == getattr(mg, name)


def test_bfloat16_and_complex_dtypes_are_not_offered():
    # numpy has no bfloat16, and minigrad computes on no complex numbers
    for name in ("bfloat16", "cfloat", "cdouble"):
        assert not hasattr(mg, name)


@pytest.mark.parametrize("method", ["float", "double", "half", "long", "int", "short", "bool", "byte",
                                    "char"])
def test_each_cast_method_gives_pytorchs_dtype_and_values(method):
    data = [-1.5, 0.0, 2.7, 300.0]
    ours, theirs = getattr(mg.tensor(data), method)(), getattr(torch.tensor(data), method)()
    assert name_of(ours.dtype) == name_of(theirs.dtype)
    if method not in ("byte", "char"):  # (out-of-range float -> int8/uint8 is undefined in C)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("name", NAMES)
def test_type_gives_pytorchs_type_string_and_casts(name):
    ours, theirs = mg.zeros(2, dtype=getattr(mg, name)), torch.zeros(2, dtype=getattr(torch, name))
    assert ours.type() == theirs.type()
    assert name_of(mg.ones(2).type(theirs.type()).dtype) == name
    assert name_of(mg.ones(2).type(getattr(mg, name)).dtype) == name


def test_type_of_an_unknown_string_or_a_number_is_refused_as_pytorch_refuses_it():
    with pytest.raises(ValueError, match="torch.Foo"):
        mg.ones(2).type("torch.Foo")
    with pytest.raises(TypeError):
        mg.ones(2).type(5)


def test_the_properties_of_size_and_kind_are_pytorchs():
    for name in NAMES:
        ours, theirs = mg.zeros(2, 3, dtype=getattr(mg, name)), torch.zeros(2, 3, dtype=getattr(torch, name))
        assert ours.element_size() == theirs.element_size()
        assert (ours.itemsize, ours.nbytes) == (theirs.itemsize, theirs.nbytes)
        assert ours.is_floating_point() == theirs.is_floating_point() == mg.is_floating_point(ours)
        assert ours.is_complex() == theirs.is_complex()
    x = mg.zeros(2, 3)
    assert (x.dim(), x.size(), x.size(1), x.size(-2), x.tolist()) == (2, (2, 3), 3, 2, [[0.0] * 3] * 2)
    assert mg.is_tensor(x) and mg.is_tensor(nn.Parameter(x)) and not mg.is_tensor(x.numpy())
    with pytest.raises(TypeError, match="is_floating_point"):
        mg.is_floating_point(1.0)


def test_shape_is_a_size_that_prints_and_behaves_as_pytorchs():
    ours, theirs = mg.zeros(2, 3, 4).shape, torch.zeros(2, 3, 4).shape
    assert isinstance(ours, mg.Size) and isinstance(ours, tuple)
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    assert repr(ours[1:]) == repr(theirs[1:]) and ours[0] == theirs[0] == 2
    assert repr(ours + (5,)) == repr(theirs + (5,)) and repr((5,) + ours) == repr((5,) + theirs)
    assert repr(ours * 2) == repr(theirs * 2)
    assert ours.numel() == theirs.numel() and ours == (2, 3, 4) and hash(ours) == hash((2, 3, 4))
    assert repr(mg.tensor(1.0).shape) == repr(torch.tensor(1.0).shape)
    assert repr(mg.Size([2, 3])) == repr(torch.Size([2, 3]))
    with pytest.raises(TypeError):
        mg.Size([2.5])
    assert f"{ours}" == "(2, 3, 4)"  # in f-strings (the error messages) a shape reads as a tuple


def test_a_0d_tensor_formats_as_its_number():
    assert f"{mg.tensor(2.0 / 3):.3f}" == f"{torch.tensor(2.0 / 3):.3f}" == "0.667"
    with pytest.raises(TypeError):
        f"{mg.ones(2):.3f}"


# ---------------------------------------------------------------------------------------------
# finfo, iinfo, promotion
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["float32", "float64", "float16"])
def test_finfo_is_pytorchs(name):
    ours, theirs = mg.finfo(getattr(mg, name)), torch.finfo(getattr(torch, name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, field) == getattr(theirs, field), field
        assert type(getattr(ours, field)) is type(getattr(theirs, field)), field
    assert repr(ours) == repr(theirs)


def test_finfo_without_a_dtype_is_the_default_dtypes():
    assert repr(mg.finfo()) == repr(torch.finfo())
    try:
        mg.set_default_dtype(mg.float64)
        assert mg.finfo().bits == 64
    finally:
        mg.set_default_dtype(mg.float32)


@pytest.mark.parametrize("name", ["int64", "int32", "int16", "int8", "uint8"])
def test_iinfo_is_pytorchs(name):
    ours, theirs = mg.iinfo(getattr(mg, name)), torch.iinfo(getattr(torch, name))
    assert (ours.bits, ours.max, ours.min, ours.dtype) == (theirs.bits, theirs.max, theirs.min, theirs.dtype)
    assert repr(ours) == repr(theirs)


def test_finfo_and_iinfo_refuse_the_other_kind_as_pytorch_does():
    for call in (lambda lib: lib.finfo(lib.int32), lambda lib: lib.iinfo(lib.float32),
                 lambda lib: lib.iinfo(lib.bool), lambda lib: lib.finfo(3)):
        with pytest.raises(TypeError):
            call(torch)
        with pytest.raises(TypeError):
            call(mg)


def test_promote_types_and_can_cast_agree_with_pytorch_on_every_pair():
    for a, b in itertools.product(NAMES, repeat=2):
        ours = mg.promote_types(getattr(mg, a), getattr(mg, b))
        assert name_of(ours) == name_of(torch.promote_types(getattr(torch, a), getattr(torch, b))), (a, b)
        assert mg.can_cast(getattr(mg, a), getattr(mg, b)) == \
            torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def test_result_type_agrees_with_pytorch():
    def operands(lib):
        return [lib.ones(2), lib.ones(2, dtype=lib.float64), lib.tensor(1.0, dtype=lib.float64),
                lib.tensor([1, 2]), lib.tensor([1], dtype=lib.uint8), lib.tensor(3), lib.tensor([True]),
                2, 2.5, True]
    for ours_a, theirs_a in zip(operands(mg)[:7], operands(torch)[:7]):
        for ours_b, theirs_b in zip(operands(mg), operands(torch)):
            assert name_of(mg.result_type(ours_a, ours_b)) == name_of(torch.result_type(theirs_a, theirs_b))
    with pytest.raises(TypeError):
        mg.result_type(mg.ones(2), "a")


# ---------------------------------------------------------------------------------------------
# The default dtype
# ---------------------------------------------------------------------------------------------
def _made_with_the_default(lib, nn_lib):
    return {
        "tensor of floats": lib.tensor([1.0]), "0-d tensor": lib.tensor(3.0),
        "tensor of ints": lib.tensor([1]),
        "mixed list": lib.tensor([1, 2.5]), "arange of floats": lib.arange(0.0, 3.0),
        "arange of ints": lib.arange(3), "arange with a float step": lib.arange(0, 3, 0.5),
        "zeros": lib.zeros(2), "ones": lib.ones(2), "randn": lib.randn(2), "rand": lib.rand(2),
        "full of a float": lib.full((2,), 1.5), "full of an int": lib.full((2,), 3), "eye": lib.eye(2),
        "int tensor * Python float": lib.tensor([1, 2]) * 2.5,
        "int tensor / int tensor": lib.tensor([1, 2]) / lib.tensor([2, 2]),
        "exp of an int tensor": lib.tensor([1, 2]).exp(),
        "bool tensor * Python float": lib.tensor([True]) * 1.5,
        "float32 tensor * Python float": lib.ones(2, dtype=lib.float32) * 2.5,
        "numpy float32 array": lib.tensor(np.ones(2, np.float32)),
        "nn.Linear's weight": nn_lib.Linear(2, 3).weight, "nn.Linear's bias": nn_lib.Linear(2, 3).bias,
    }


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_the_default_dtype_is_used_where_pytorch_uses_it(default):
    try:
        mg.set_default_dtype(getattr(mg, default))
        torch.set_default_dtype(getattr(torch, default))
        assert name_of(mg.get_default_dtype()) == name_of(torch.get_default_dtype())
        ours, theirs = _made_with_the_default(mg, nn), _made_with_the_default(torch, torch.nn)
        for what in theirs:
            assert name_of(ours[what].dtype) == name_of(theirs[what].dtype), what
    finally:
        mg.set_default_dtype(mg.float32)
        torch.set_default_dtype(torch.float32)


def test_only_a_floating_dtype_can_be_the_default():
    with pytest.raises(TypeError, match="floating"):
        mg.set_default_dtype(mg.int64)
    assert mg.get_default_dtype() == mg.float32


# ---------------------------------------------------------------------------------------------
# .to(), devices
# ---------------------------------------------------------------------------------------------
def _to_calls(lib, x, other):
    return {
        "dtype": x.to(lib.float64), "device": x.to("cpu"), "device object": x.to(lib.device("cpu")),
        "device and dtype": x.to("cpu", lib.float64), "keywords": x.to(dtype=lib.float64, device="cpu"),
        "other tensor": x.to(other), "non_blocking": x.to(lib.float64, non_blocking=True),
        "positional flags": x.to(lib.float64, False, True), "copy": x.to(copy=True),
        "int": x.to(lib.int64), "nothing": x.to(), "None": x.to(None),
    }


def test_to_takes_pytorchs_three_forms():
    data = np.array([1.5, -2.5], np.float32)
    ours = _to_calls(mg, mg.tensor(data), mg.ones(1, dtype=mg.float64))
    theirs = _to_calls(torch, torch.tensor(data), torch.ones(1, dtype=torch.float64))
    for form in theirs:
        assert name_of(ours[form].dtype) == name_of(theirs[form].dtype), form
        np.testing.assert_array_equal(ours[form].numpy(), theirs[form].numpy())


def test_to_that_changes_nothing_returns_the_tensor_itself_unless_a_copy_is_asked_for():
    x = mg.ones(2)
    assert x.to(mg.float32) is x and x.to("cpu") is x and x.to(x) is x and x.to() is x
    assert x.float() is x and x.type(mg.float32) is x and x.cpu() is x
    copied = x.to(copy=True)
    copied.data[0] = 5.0
    assert copied is not x and x.data[0] == 1.0


def test_a_cast_to_a_float_dtype_is_recorded_and_one_to_an_int_dtype_is_not():
    x = mg.tensor([1.5, 2.5], requires_grad=True)
    y = x.to(mg.float64)
    assert y.requires_grad and y.dtype == mg.float64
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 5.0])
    assert x.grad.dtype == mg.float32
    assert not x.long().requires_grad and not x.to(mg.int32).requires_grad
    assert x.to(copy=True).requires_grad and x.half().requires_grad
    with mg.no_grad():
        assert not x.double().requires_grad


@pytest.mark.parametrize("call", [
    lambda lib, x: x.to(lib.float32, lib.float64),
    lambda lib, x: x.to("cpu", lib.float64, "yes"),
    lambda lib, x: x.to(device="cpu", dtype="float"),
    lambda lib, x: x.to(lib.float64, dtype=lib.float64),
    lambda lib, x: x.to(lib.float64, colour="red"),
])
def test_to_with_arguments_of_no_form_raises_typeerror_as_pytorchs(call):
    with pytest.raises(TypeError):
        call(torch, torch.ones(2))
    with pytest.raises(TypeError, match="to"):
        call(mg, mg.ones(2))


def test_devices_as_a_cpu_only_pytorch_answers():
    x = mg.ones(2)
    assert x.device == mg.device("cpu") and repr(x.device) == repr(torch.ones(2).device)
    assert (x.is_cuda, x.is_cpu, x.get_device(), x.is_pinned()) == (False, True, -1, False)
    for call in (lambda: x.cuda(), lambda: x.to("cuda"), lambda: x.to("cuda:1", mg.float64), lambda: x.to(0)):
        with pytest.raises(mg.DeviceError, match="CPU only"):
            call()
    assert issubclass(mg.DeviceError, AssertionError) and issubclass(mg.DeviceError, RuntimeError)
    with pytest.raises(RuntimeError, match="accelerator"):
        x.pin_memory()
    with pytest.raises(RuntimeError, match="device type"):
        x.to("foo")
