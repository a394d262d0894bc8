"""mg.autograd.functional against torch.autograd.functional: the same functions, the same points,
the same results, in the same structure (a tensor for a single input or output, tuples where
PyTorch returns tuples)."""
import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import functional as AF

torch = pytest.importorskip("torch")
TF = torch.autograd.functional

RNG = np.random.default_rng(7)
A = RNG.standard_normal(3)
B = RNG.standard_normal((2, 3))
V3 = RNG.standard_normal(3)
V23 = RNG.standard_normal((2, 3))


def structure(result, lib):
    """The result as nested tuples of numpy arrays; a tensor stays a leaf (not a 1-tuple)."""
    if isinstance(result, tuple):
        return tuple(structure(r, lib) for r in result)
    assert isinstance(result, lib.Tensor), f"{type(result)} where a tensor was expected"
    return result.detach().numpy()


def assert_same(ours, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), (type(ours), len(theirs))
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    else:
        assert not isinstance(ours, tuple), "a tuple where PyTorch returns a tensor"
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def point(lib, *arrays):
    tensors = tuple(lib.tensor(a) for a in arrays)
    return tensors if len(tensors) > 1 else tensors[0]


# Functions written once for both libraries.
def tanh_of_square(x):
    return (x * x).tanh()


def mixes_two(x, y):  # a tuple of inputs, a single output
    return (y * x).sum(-1) + x.exp().sum()


def two_outputs(x):  # a single input, a tuple of outputs
    return x ** 3, (x * 2).sum()


def both_tuples(x, y):
    return x * y, y.exp(), (x ** 2).sum()


def scalar_of_one(x):
    return (x ** 3).sum() + (x[0] * x[1]).exp()


def scalar_of_two(x, y):
    return ((x * y) ** 2).sum() + (y.tanh() * 3).sum()


JACOBIAN_CASES = {
    "single_in_single_out": (tanh_of_square, (A,)),
    "tuple_in_single_out": (mixes_two, (A, B)),
    "single_in_tuple_out": (two_outputs, (A,)),
    "tuple_in_tuple_out": (both_tuples, (A, B)),
}


@pytest.mark.parametrize("vectorize", [False, True])
@pytest.mark.parametrize("case", JACOBIAN_CASES)
def test_jacobian_as_pytorch(case, vectorize):
    func, arrays = JACOBIAN_CASES[case]
    ours = AF.jacobian(func, point(mg, *arrays), vectorize=vectorize)
    theirs = TF.jacobian(func, point(torch, *arrays), vectorize=vectorize)
    assert_same(structure(ours, mg), structure(theirs, torch))


def test_a_one_element_tuple_of_inputs_gives_a_tuple():
    ours = AF.jacobian(tanh_of_square, (mg.tensor(A),))
    theirs = TF.jacobian(tanh_of_square, (torch.tensor(A),))
    assert_same(structure(ours, mg), structure(theirs, torch))


@pytest.mark.parametrize("case, arrays", [("one", (A,)), ("two", (A, B))])
def test_hessian_as_pytorch(case, arrays):
    func = scalar_of_one if case == "one" else scalar_of_two
    ours = AF.hessian(func, point(mg, *arrays))
    theirs = TF.hessian(func, point(torch, *arrays))
    assert_same(structure(ours, mg), structure(theirs, torch))


PRODUCT_CASES = {
    # name: (function, point, v for vjp (output-shaped), v for jvp/hvp/vhp (input-shaped))
    "single": (tanh_of_square, (A,), (V3,), (V3,)),
    "tuple_inputs": (mixes_two, (A, B), (V23[0, :2],), (V3, V23)),
    "tuple_outputs": (two_outputs, (A,), (V3, np.array(0.7)), (V3,)),
}


@pytest.mark.parametrize("product", ["vjp", "jvp"])
@pytest.mark.parametrize("case", PRODUCT_CASES)
def test_vjp_and_jvp_as_pytorch(product, case):
    func, arrays, v_out, v_in = PRODUCT_CASES[case]
    v = v_out if product == "vjp" else v_in
    ours = getattr(AF, product)(func, point(mg, *arrays), point(mg, *v))
    theirs = getattr(TF, product)(func, point(torch, *arrays), point(torch, *v))
    assert_same(structure(ours, mg), structure(theirs, torch))


@pytest.mark.parametrize("product", ["vhp", "hvp"])
@pytest.mark.parametrize("case", ["one", "two"])
def test_hessian_vector_products_as_pytorch(product, case):
    func, arrays, v = (scalar_of_one, (A,), (V3,)) if case == "one" else \
        (scalar_of_two, (A, B), (V3, V23))
    ours = getattr(AF, product)(func, point(mg, *arrays), point(mg, *v))
    theirs = getattr(TF, product)(func, point(torch, *arrays), point(torch, *v))
    assert_same(structure(ours, mg), structure(theirs, torch))


def test_v_may_be_omitted_only_for_one_element():
    x = np.array([0.3])
    for name in ("vjp", "jvp", "vhp", "hvp"):
        ours = getattr(AF, name)(lambda t: (t ** 3).sum(), mg.tensor(x))
        theirs = getattr(TF, name)(lambda t: (t ** 3).sum(), torch.tensor(x))
        assert_same(structure(ours, mg), structure(theirs, torch))
    for lib, module in ((mg, AF), (torch, TF)):
        with pytest.raises(RuntimeError, match="The vector v can only be None if the"):
            module.vjp(tanh_of_square, lib.tensor(A))
        with pytest.raises(RuntimeError, match="The vector v can only be None if the"):
            module.jvp(tanh_of_square, lib.tensor(A))


@pytest.mark.parametrize("name", ["jacobian", "hessian", "vjp", "jvp", "vhp", "hvp"])
def test_create_graph_gives_results_differentiable_in_the_inputs(name):
    """The sum of the result, differentiated again with respect to the point, as PyTorch."""
    grads = {}
    for lib, module in ((mg, AF), (torch, TF)):
        x = lib.tensor(A, requires_grad=True)
        func = scalar_of_one if name in ("hessian", "vhp", "hvp") else tanh_of_square
        args = () if name in ("jacobian", "hessian") else (lib.tensor(V3),)
        result = getattr(module, name)(func, x, *args, create_graph=True)
        result = result if name in ("jacobian", "hessian") else result[1]
        assert result.requires_grad
        (g,) = lib.autograd.grad((result * result).sum(), x)
        grads[lib.__name__] = g.detach().numpy() if lib is torch else g.numpy()
    np.testing.assert_allclose(grads["minigrad"], grads["torch"], rtol=1e-10)


def test_without_create_graph_results_are_detached():
    x = mg.tensor(A, requires_grad=True)
    out, vjp_result = AF.vjp(tanh_of_square, x, mg.tensor(V3))
    assert not out.requires_grad and not vjp_result.requires_grad
    assert not AF.jacobian(tanh_of_square, x).requires_grad


def test_an_input_the_output_ignores_gives_zeros_or_an_error_in_strict_mode():
    def ignores_y(x, y):
        return x * 2

    for lib, module in ((mg, AF), (torch, TF)):
        jac = module.jacobian(ignores_y, (lib.tensor(A), lib.tensor(B)))
        np.testing.assert_array_equal(structure(jac[1], lib), np.zeros((3, 2, 3)))
        with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is "
                                               "independent of input 1. This is not allowed"):
            module.jacobian(ignores_y, (lib.tensor(A), lib.tensor(B)), strict=True)
        with pytest.raises(RuntimeError, match="The output of the user-provided function is "
                                               "independent of input 1"):
            module.vjp(ignores_y, (lib.tensor(A), lib.tensor(B)), lib.tensor(V3), strict=True)


@pytest.mark.parametrize("call, error, message", [
    (lambda m, lib: m.jacobian(tanh_of_square, [lib.tensor(A)]), TypeError,
     "The inputs given to jacobian must be either a Tensor or a tuple of Tensors"),
    (lambda m, lib: m.jacobian(lambda x: 3.0, lib.tensor(A)), TypeError,
     "The outputs of the user-provided function given to jacobian must be either a Tensor"),
    (lambda m, lib: m.vjp(tanh_of_square, lib.tensor(A), lib.tensor(V23)), RuntimeError,
     r"v has invalid size: should be (torch\.Size\()?\[3\]\)? but got (torch\.Size\()?\[2, 3\]"),
    (lambda m, lib: m.jvp(mixes_two, (lib.tensor(A), lib.tensor(B)), (lib.tensor(V3),)),
     RuntimeError, "v is a tuple of invalid length: should be 2 but got 1"),
    (lambda m, lib: m.hessian(tanh_of_square, lib.tensor(A)), RuntimeError,
     "The Tensor returned by the function given to hessian should contain a single element"),
    (lambda m, lib: m.hvp(two_outputs, lib.tensor(A), lib.tensor(V3)), RuntimeError,
     "The function given to hvp should return a single Tensor"),
    (lambda m, lib: m.jacobian(tanh_of_square, lib.tensor(A), strategy="sideways"),
     AssertionError, 'Expected strategy to be either "forward-mode" or "reverse-mode"'),
    (lambda m, lib: m.jacobian(tanh_of_square, lib.tensor(A), strategy="forward-mode",
                               create_graph=True), NotImplementedError,
     '`create_graph=True` and `strategy="forward-mode"` are not supported together'),
    (lambda m, lib: m.jacobian(tanh_of_square, lib.tensor(A), strategy="forward-mode"),
     NotImplementedError, "only implemented for `vectorize=True`"),
    (lambda m, lib: m.jacobian(tanh_of_square, lib.tensor(A), strict=True, vectorize=True),
     RuntimeError, "`strict=True` and `vectorized=True` are not supported together"),
], ids=["inputs_a_list", "output_a_number", "v_wrong_shape", "v_wrong_length",
        "hessian_of_a_vector", "hvp_of_a_tuple", "unknown_strategy", "forward_mode_create_graph",
        "forward_mode_without_vectorize", "strict_and_vectorize"])
def test_bad_calls_raise_as_pytorch(call, error, message):
    for lib, module in ((mg, AF), (torch, TF)):
        with pytest.raises(error, match=message):
            call(module, lib)


def test_forward_mode_with_vectorize_is_refused_by_name():
    with pytest.raises(NotImplementedError, match='strategy="forward-mode" needs forward-mode AD'):
        AF.jacobian(tanh_of_square, mg.tensor(A), strategy="forward-mode", vectorize=True)


def test_the_point_is_not_changed_and_its_gradient_is_untouched():
    x = mg.tensor(A, requires_grad=True)
    AF.hessian(scalar_of_one, x)
    assert x.grad is None
    np.testing.assert_array_equal(x.numpy(), A)
