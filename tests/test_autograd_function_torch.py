"""mg.autograd.Function speaks PyTorch's ctx protocol: each function below is written once, for
both libraries, and minigrad's values, gradients and errors are compared with PyTorch's."""
import re

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")


def legendre3(lib):
    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 0.5 * (5 * x ** 3 - 3 * x)

        @staticmethod
        def backward(ctx, grad_output):  # P3'(x) = 1.5 (5 x^2 - 1)
            (x,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * x ** 2 - 1)

    return LegendrePolynomial3


def scaled_exp(lib):
    """A non-tensor argument (its gradient is None), an attribute on ctx, a saved output."""

    class ScaledExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.scale = scale
            y = (x * scale).exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_output):
            (y,) = ctx.saved_tensors
            return grad_output * ctx.scale * y, None

    return ScaledExp


def mul_add(lib):
    """Two tensor inputs, two differentiable outputs, a non-tensor output; needs_input_grad
    decides which gradients are computed."""

    class MulAdd(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b, a + b, 7

        @staticmethod
        def backward(ctx, grad_product, grad_sum, grad_seven):
            a, b = ctx.saved_tensors
            grad_a = grad_product * b + grad_sum if ctx.needs_input_grad[0] else None
            grad_b = grad_product * a + grad_sum if ctx.needs_input_grad[1] else None
            return grad_a, grad_b

    return MulAdd


def setup_style_cube(lib):
    """PyTorch's newer style: forward without ctx, setup_context(ctx, inputs, output)."""

    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(x, power=3):
            return x ** power

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, power = inputs
            ctx.power = power
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * ctx.power * x ** (ctx.power - 1), None

    return Cube


def leaf(lib, array):
    return lib.tensor(np.array(array, dtype=np.float64), requires_grad=True)


def as_numpy(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t.numpy()


X = [0.5, -1.25, 2.0]
Y = [1.5, 0.25, -0.75]


@pytest.mark.parametrize("lib", [mg, torch], ids=["minigrad", "torch"])
def test_the_tutorials_legendre_polynomial_gives_p3_and_its_derivative(lib):
    x = leaf(lib, X)
    y = legendre3(lib).apply(x)
    y.sum().backward()
    xs = np.array(X)
    np.testing.assert_allclose(as_numpy(y), 0.5 * (5 * xs ** 3 - 3 * xs))
    np.testing.assert_allclose(as_numpy(x.grad), 1.5 * (5 * xs ** 2 - 1))


@pytest.mark.parametrize("make, args", [
    (legendre3, lambda lib: (leaf(lib, X),)),
    (scaled_exp, lambda lib: (leaf(lib, X), 0.5)),
    (setup_style_cube, lambda lib: (leaf(lib, X),)),
    (setup_style_cube, lambda lib: (leaf(lib, X), 4)),
], ids=["legendre", "scaled_exp", "setup_context", "setup_context_with_argument"])
def test_first_and_second_derivatives_equal_pytorchs(make, args):
    results = {}
    for lib in (mg, torch):
        inputs = args(lib)
        x = inputs[0]
        y = make(lib).apply(*inputs)
        weights = lib.tensor(np.array([1.0, -2.0, 0.5]))
        (g,) = lib.autograd.grad((y * weights).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        results[lib.__name__] = [as_numpy(t) for t in (y, g, gg)]
    for ours, theirs in zip(results["minigrad"], results["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_several_outputs_get_their_gradients_in_one_backward_call():
    grads = {}
    for lib in (mg, torch):
        a, b = leaf(lib, X), leaf(lib, Y)
        product, total, seven = mul_add(lib).apply(a, b)
        assert seven == 7
        (product * total + total).sum().backward()
        grads[lib.__name__] = (as_numpy(a.grad), as_numpy(b.grad))
    for ours, theirs in zip(grads["minigrad"], grads["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def pair(lib, materialize, seen):
    class Pair(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, grad_double, grad_triple):
            seen[lib.__name__] = None if grad_triple is None else as_numpy(grad_triple)
            return grad_double * 2 if grad_triple is None else grad_double * 2 + grad_triple * 3

    return Pair


@pytest.mark.parametrize("materialize", [True, False])
def test_an_unused_output_gets_zeros_or_none_as_pytorch(materialize):
    seen = {}
    for lib in (mg, torch):
        x = leaf(lib, X)
        double, _ = pair(lib, materialize, seen).apply(x)
        double.sum().backward()
        np.testing.assert_array_equal(as_numpy(x.grad), [2.0, 2.0, 2.0])
    if materialize:
        np.testing.assert_array_equal(seen["minigrad"], seen["torch"])
    else:
        assert seen == {"minigrad": None, "torch": None}


def test_needs_input_grad_and_none_for_what_needs_none():
    seen = {}
    for lib in (mg, torch):
        a, b = leaf(lib, X), lib.tensor(np.array(Y))  # b needs no gradient
        product, _, _ = mul_add(lib).apply(a, b)
        product.sum().backward()
        seen[lib.__name__] = (as_numpy(a.grad), b.grad)
        assert product.grad_fn.needs_input_grad == (True, False)
    np.testing.assert_array_equal(seen["minigrad"][0], seen["torch"][0])
    assert seen["minigrad"][1] is None and seen["torch"][1] is None


def sign_and_double(lib, seen):
    class SignAndDouble(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            sign = (x > 0).long()
            ctx.mark_non_differentiable(sign)
            return x * 2, sign

        @staticmethod
        def backward(ctx, grad_double, grad_sign):
            seen[lib.__name__] = (as_numpy(grad_sign), str(grad_sign.dtype).split(".")[-1])
            return grad_double * 2

    return SignAndDouble


def test_a_non_differentiable_output_does_not_require_grad_and_gets_zeros():
    seen = {}
    for lib in (mg, torch):
        x = leaf(lib, X)
        double, sign = sign_and_double(lib, seen).apply(x)
        assert not sign.requires_grad and double.requires_grad
        double.sum().backward()
    np.testing.assert_array_equal(seen["minigrad"][0], seen["torch"][0])
    assert seen["minigrad"][1] == seen["torch"][1] == "int64"


def test_under_no_grad_nothing_is_recorded():
    for lib in (mg, torch):
        with lib.no_grad():
            y = legendre3(lib).apply(leaf(lib, X))
        assert not y.requires_grad and y.grad_fn is None


def spy(lib, modes):
    class Spy(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            modes.setdefault(lib.__name__, []).append(lib.is_grad_enabled())
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            modes[lib.__name__].append(lib.is_grad_enabled())
            return grad_output * 2

    return Spy


def test_forward_runs_without_recording_and_backward_records_only_under_create_graph():
    modes = {}
    for lib in (mg, torch):
        x = leaf(lib, X)
        lib.autograd.grad(spy(lib, modes).apply(x).sum(), x)
        lib.autograd.grad(spy(lib, modes).apply(x).sum(), x, create_graph=True)
    assert modes["minigrad"] == modes["torch"] == [False, False, False, True]


def test_an_input_returned_as_is_becomes_a_new_tensor_with_the_functions_node():
    for lib in (mg, torch):
        class Identity(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output * 3

        x = leaf(lib, X)
        y = Identity.apply(x)
        assert y is not x and y.grad_fn is not None
        y.sum().backward()
        np.testing.assert_array_equal(as_numpy(x.grad), [3.0, 3.0, 3.0])


def broadcasting(lib):
    class Broadcasting(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):  # as if x had been broadcast to (2, 3)
            return grad_output * lib.ones(2, 3, dtype=grad_output.dtype)

    return Broadcasting


def test_a_gradient_of_the_broadcast_shape_is_summed_back_as_pytorch():
    grads = {}
    for lib in (mg, torch):
        x = leaf(lib, X)
        broadcasting(lib).apply(x).sum().backward()
        grads[lib.__name__] = as_numpy(x.grad)
    np.testing.assert_array_equal(grads["minigrad"], grads["torch"])


def errors_of(body):
    """The message each library raises when ``body(lib)`` runs, with the exception's type."""
    raised = {}
    for lib in (mg, torch):
        with pytest.raises(Exception) as info:
            body(lib)
        raised[lib.__name__] = (type(info.value), str(info.value))
    return raised


def returning(lib, gradients):
    class Returns(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            return x * scale

        @staticmethod
        def backward(ctx, grad_output):
            return gradients(lib, grad_output)

    return lambda: Returns.apply(leaf(lib, X), 2.0).sum().backward()


@pytest.mark.parametrize("gradients, message", [
    (lambda lib, g: g, r"returned an incorrect number of gradients \(expected 2, got 1\)"),
    (lambda lib, g: (g, g, g), r"returned an incorrect number of gradients \(expected 2, got 3\)"),
    (lambda lib, g: [g, None], r"returned an incorrect number of gradients \(expected 2, got 1\)"),
    (lambda lib, g: (g, lib.ones(1)), "returned a gradient different than None at position 2, but "
                                      "the corresponding forward input was not a Variable"),
    (lambda lib, g: (lib.ones(2), None), r"returned an invalid gradient at index 0 - got \[2\] but "
                                         r"expected shape compatible with \[3\]"),
    (lambda lib, g: (lib.ones(1), None), r"returned an invalid gradient at index 0 - got \[1\] but "
                                         r"expected shape compatible with \[3\]"),
], ids=["too_few", "too_many", "a_list_is_one_gradient", "gradient_for_a_number", "wrong_shape",
        "shape_that_would_broadcast"])
def test_wrong_gradients_raise_as_pytorch(gradients, message):
    raised = errors_of(lambda lib: returning(lib, gradients)())
    for kind, text in raised.values():
        assert kind is RuntimeError and re.search(message, text), text


def test_extra_none_gradients_are_ignored_as_pytorch():
    for lib in (mg, torch):
        returning(lib, lambda lib, g: (g, None, None))()


def test_a_saved_input_changed_in_place_raises_pytorchs_error():
    def body(lib):
        x = leaf(lib, X)
        h = x * 1
        y = legendre3(lib).apply(h)
        h.add_(1)
        y.sum().backward()

    for kind, text in errors_of(body).values():
        assert kind is RuntimeError
        assert re.search(r"one of the variables needed for gradient computation has been modified "
                         r"by an inplace operation: .*is at version 1; expected version 0", text)


def test_a_saved_output_changed_in_place_raises_pytorchs_error():
    def body(lib):
        y = scaled_exp(lib).apply(leaf(lib, X), 0.5)
        y.mul_(2)
        y.sum().backward()

    for kind, text in errors_of(body).values():
        assert kind is RuntimeError
        assert "output 0 of ScaledExp, is at version 1; expected version 0" in text


def test_a_second_backward_through_freed_saved_tensors_raises():
    def body(lib):
        y = legendre3(lib).apply(leaf(lib, X)).sum()
        y.backward()
        y.backward()

    for kind, text in errors_of(body).values():
        assert kind is RuntimeError and "backward through the graph a second time" in text


def test_retain_graph_keeps_the_saved_tensors_for_a_second_backward():
    grads = {}
    for lib in (mg, torch):
        x = leaf(lib, X)
        y = legendre3(lib).apply(x).sum()
        y.backward(retain_graph=True)
        y.backward()
        grads[lib.__name__] = as_numpy(x.grad)
    np.testing.assert_allclose(grads["minigrad"], grads["torch"], rtol=1e-12)


def test_saving_something_that_is_not_a_tensor_raises_type_error():
    def body(lib):
        class SavesANumber(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(3)
                return x * 2

        SavesANumber.apply(leaf(lib, X))

    for kind, text in errors_of(body).values():
        assert kind is TypeError
        assert "save_for_backward can only save variables, but argument 0 is of type int" in text


def test_a_function_without_backward_raises_not_implemented():
    def body(lib):
        class NoBackward(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

        NoBackward.apply(leaf(lib, X)).sum().backward()

    for kind, text in errors_of(body).values():
        assert kind is NotImplementedError and "You must implement either the backward" in text


def test_mg_gradcheck_and_gradgradcheck_pass_a_correct_function_and_fail_a_wrong_one():
    x = leaf(mg, X)
    assert mg.autograd.gradcheck(legendre3(mg).apply, (x,))
    assert mg.autograd.gradgradcheck(legendre3(mg).apply, (x,))

    class WrongSlope(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x ** 2

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * 3  # should be 2 x

    with pytest.raises(mg.GradcheckError):
        mg.autograd.gradcheck(WrongSlope.apply, (x,))


def test_the_node_is_named_after_the_class_and_drawn_so():
    pytest.importorskip("graphviz")
    x = leaf(mg, X)
    y = legendre3(mg).apply(x).sum()
    assert y.grad_fn.parents[0].name == "LegendrePolynomial3"
    assert "<B>LegendrePolynomial3</B>" in mg.draw_graph(y).source
    a, b = leaf(mg, X), leaf(mg, Y)
    product, total, _ = mul_add(mg).apply(a, b)
    source = mg.draw_graph((product * total).sum()).source
    assert "<B>MulAdd</B>" in source and "<B>MulAdd[0]</B>" in source


def test_saved_outputs_make_no_reference_cycle():
    import gc
    import weakref

    gc.disable()
    try:
        y = scaled_exp(mg).apply(leaf(mg, X), 0.5)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None  # freed by reference counting alone
    finally:
        gc.enable()


def test_a_function_is_not_called_as_an_object():
    with pytest.raises(RuntimeError, match=r"call LegendrePolynomial3\.apply"):
        legendre3(mg)()(leaf(mg, X))


def test_detect_anomaly_names_the_function_in_forward_and_backward():
    class NumpyLog(mg.autograd.Function):  # computed outside minigrad's ops, so only it can tell
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return mg.tensor(np.log(x.numpy()))

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return mg.tensor(grad_output.numpy() / x.numpy())

    with mg.detect_anomaly(), np.errstate(all="ignore"):
        with pytest.raises(RuntimeError, match="anomaly in forward of 'NumpyLog'"):
            NumpyLog.apply(mg.tensor([0.0, 1.0], requires_grad=True))
        y = NumpyLog.apply(mg.tensor([1.0, 2.0], requires_grad=True))
        with pytest.raises(RuntimeError, match="anomaly in backward of 'NumpyLog'"):
            y.backward(mg.tensor([np.inf, 1.0]))


def exp_and_scaled(lib):
    """Two differentiable outputs, one of them saved for backward."""

    class ExpAndScaled(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            e = x.exp()
            ctx.save_for_backward(x, e)
            return x * k, e

        @staticmethod
        def backward(ctx, grad_scaled, grad_exp):
            x, e = ctx.saved_tensors
            return grad_scaled * ctx.k + grad_exp * e, None

    return ExpAndScaled


def test_double_backward_through_a_saved_output_of_a_function_with_two_outputs():
    results = {}
    for lib in (mg, torch):
        x = leaf(lib, X)
        scaled, e = exp_and_scaled(lib).apply(x, 3.0)
        (g,) = lib.autograd.grad((scaled * e).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        results[lib.__name__] = (as_numpy(g), as_numpy(gg))
    for ours, theirs in zip(results["minigrad"], results["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
