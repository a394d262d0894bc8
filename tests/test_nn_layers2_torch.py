"""The activation, normalization and bilinear modules of issue 13 against torch.nn's, with the
parameters copied across: outputs, input and parameter gradients, running statistics over
several training steps and in eval, reprs and state_dict keys."""
import numpy as np
import pytest

import minigrad as mg
import nn

torch = pytest.importorskip("torch")

ACTIVATIONS = [
    "Softplus()", "Softplus(beta=2.0, threshold=1.0)", "SiLU()", "ELU()", "ELU(alpha=0.5)",
    "SELU()", "CELU(alpha=2.0)", "Hardtanh()", "Hardtanh(-0.5, 2.0)", "ReLU6()",
    "Hardsigmoid()", "Hardswish()", "Mish()", "LogSigmoid()", "Softsign()", "Softmin(dim=1)",
    "GLU()", "GLU(dim=1)", "PReLU()", "PReLU(num_parameters=4, init=0.1)", "Threshold(0.1, 20.0)",
    "Tanhshrink()", "Hardshrink()", "Softshrink(0.3)", "ReLU()", "LeakyReLU(0.2)", "RReLU()",
    "Softmax2d()",
]
INPLACE = ["SiLU", "ELU", "SELU", "CELU", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "Mish",
           "ReLU", "LeakyReLU"]


# PyTorch's hardsigmoid backward multiplies by the float32 1/6 even in float64 (0.16666667163...)
FLOAT32_SIXTH = 1e-7


def pair(module_text):
    ours, theirs = eval(f"nn.{module_text}"), eval(f"torch.nn.{module_text}")
    ours.eval(), theirs.eval()  # (RReLU: its deterministic slope)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        q.data.copy_(torch.tensor(p.data))
    return ours, theirs


def double(ours, theirs):
    """Both modules in float64 (written without Module.double, which is another helper's)."""
    theirs.double()
    for tensor in list(ours.parameters()) + [b for b in ours._buffers.values() if b is not None]:
        if tensor.dtype.kind == "f":
            tensor.data = tensor.data.astype(np.float64)


def check_same(ours, theirs, inputs, tol=1e-10):
    xs = [mg.tensor(a, requires_grad=True) for a in inputs]
    ts = [torch.tensor(a, requires_grad=True) for a in inputs]
    out, ref = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=tol, atol=tol)
    weight = np.random.default_rng(3).standard_normal(ref.shape)
    (out * mg.tensor(weight)).sum().backward()
    (ref * torch.tensor(weight)).sum().backward()
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=tol, atol=tol)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=tol, atol=tol, err_msg=name)


@pytest.mark.parametrize("text", ACTIVATIONS)
def test_activation_module_matches_torch(text):
    ours, theirs = pair(text)
    double(ours, theirs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((3, 4, 2, 2)) * 3
    check_same(ours, theirs, [x], tol=FLOAT32_SIXTH if "Hardsigmoid" in text else 1e-10)


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_activation_writes_the_input_and_passes_the_gradient_as_torch(name):
    ours, theirs = eval(f"nn.{name}(inplace=True)"), eval(f"torch.nn.{name}(inplace=True)")
    assert repr(ours) == repr(theirs)
    a = np.random.default_rng(1).standard_normal((4, 5)) * 4
    x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    hidden, their_hidden = x * 1, t * 1
    out, ref = ours(hidden), theirs(their_hidden)
    assert out is hidden and ref is their_hidden  # written into the input, which is returned
    np.testing.assert_allclose(hidden.data, their_hidden.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    tol = FLOAT32_SIXTH if name == "Hardsigmoid" else 1e-12
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=tol)


def test_inplace_activation_on_a_leaf_that_requires_grad_raises_as_torch():
    with pytest.raises(RuntimeError):
        torch.nn.ELU(inplace=True)(torch.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError):
        nn.ELU(inplace=True)(mg.ones(2, requires_grad=True))


@pytest.mark.parametrize("text", [
    "BatchNorm1d(3)", "BatchNorm1d(3, momentum=None)", "BatchNorm1d(3, affine=False)",
    "BatchNorm1d(3, eps=1e-3, momentum=0.3, bias=False)", "BatchNorm1d(3, track_running_stats=False)",
])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batchnorm1d_training_steps_running_stats_and_eval_match_torch(text, shape):
    ours, theirs = pair(text)
    double(ours, theirs)
    ours.train(), theirs.train()
    rng = np.random.default_rng(2)
    for step in range(4):
        check_same(ours, theirs, [rng.standard_normal(shape) * (step + 1) + step])
        ours.zero_grad(), theirs.zero_grad()
    for key, value in theirs.state_dict().items():
        mine = ours.state_dict()[key]
        assert mine.dtype == np.dtype(str(value.dtype).removeprefix("torch.")), key
        np.testing.assert_allclose(mine.data, value.numpy(), rtol=1e-12, err_msg=key)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    ours.eval(), theirs.eval()
    check_same(ours, theirs, [rng.standard_normal(shape)])


@pytest.mark.parametrize("text, shape", [
    ("LayerNorm(4)", (3, 4)), ("LayerNorm((2, 4), bias=False)", (3, 2, 4)),
    ("LayerNorm(4, elementwise_affine=False)", (2, 3, 4)), ("LayerNorm(4, eps=1e-2)", (4,)),
    ("GroupNorm(2, 4)", (3, 4)), ("GroupNorm(2, 6, affine=False)", (2, 6, 3)),
    ("GroupNorm(3, 6, eps=1e-3, bias=False)", (2, 6, 2, 2)),
    ("RMSNorm(4)", (3, 4)), ("RMSNorm((2, 4), eps=1e-3)", (3, 2, 4)),
    ("RMSNorm(4, elementwise_affine=False)", (4,)),
    ("Bilinear(4, 3, 2)", None), ("Bilinear(4, 3, 2, bias=False)", None),
    ("CosineSimilarity()", None), ("PairwiseDistance(p=1.0, keepdim=True)", None),
])
def test_norm_and_bilinear_modules_match_torch(text, shape):
    ours, theirs = pair(text)
    double(ours, theirs)
    rng = np.random.default_rng(4)
    for p in ours.parameters():  # away from the ones/zeros init, so the affine parts count
        p.data[...] = rng.standard_normal(p.shape)
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        q.data.copy_(torch.tensor(p.data))
    if shape is None:
        inputs = [rng.standard_normal((5, 4)), rng.standard_normal((5, 4 if "Bilinear" not in text else 3))]
    else:
        inputs = [rng.standard_normal(shape) * 2 + 1]
    check_same(ours, theirs, inputs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_float32_defaults_and_buffer_dtypes_are_torchs():
    bn = nn.BatchNorm1d(3)
    assert bn.weight.dtype == mg.float32 and bn.running_var.dtype == mg.float32
    assert bn.num_batches_tracked.dtype == mg.int64 and bn.num_batches_tracked.shape == ()
    assert nn.RMSNorm(3).weight.dtype == mg.float32 and nn.PReLU().weight.tolist() == [0.25]


@pytest.mark.parametrize("build, x", [
    (lambda lib: lib.nn.BatchNorm1d(3), lambda lib: lib.ones(2, 4)),
    (lambda lib: lib.nn.BatchNorm1d(3), lambda lib: lib.ones(4)),
    (lambda lib: lib.nn.BatchNorm1d(3), lambda lib: lib.ones(1, 3)),
    (lambda lib: lib.nn.LayerNorm(3), lambda lib: lib.ones(3, 4)),
    (lambda lib: lib.nn.GroupNorm(2, 4), lambda lib: lib.ones(2, 6)),
    (lambda lib: lib.nn.Softmax2d(), lambda lib: lib.ones(2, 3)),
    (lambda lib: lib.nn.GLU(), lambda lib: lib.ones(2, 3)),
])
def test_bad_inputs_raise_torchs_exception_types(build, x):
    with pytest.raises(Exception) as theirs:
        build(torch)(x(torch))
    with pytest.raises(type(theirs.value)):
        build(mg)(x(mg))


def test_bad_constructions_raise_as_torch():
    for lib in (torch, mg):
        with pytest.raises(ValueError, match="divisible"):
            lib.nn.GroupNorm(4, 6)
        with pytest.raises(AssertionError):
            lib.nn.Hardtanh(1.0, 0.0)
