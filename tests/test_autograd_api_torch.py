"""mg.autograd is PyTorch's torch.autograd: grad, backward, gradcheck, gradgradcheck and the grad
modes, signature for signature, compared with PyTorch."""
import inspect
import warnings

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

X = np.array([0.5, -1.5, 2.0])


def as_numpy(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t.numpy()


@pytest.mark.parametrize("name", ["grad", "backward", "gradcheck", "gradgradcheck"])
def test_signatures_are_pytorchs(name):
    ours = inspect.signature(getattr(mg.autograd, name))
    theirs = inspect.signature(getattr(torch.autograd, name))
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == \
        [(p.name, p.kind, p.default) for p in theirs.parameters.values()]


def test_mg_gradcheck_keeps_its_positional_contract():
    x = mg.tensor(X, requires_grad=True)
    assert mg.gradcheck(lambda x: x.exp(), [x], 1e-6, 1e-5, 1e-3)
    with pytest.raises(ValueError, match="use float64"):
        mg.gradcheck(lambda x: x * 2, [mg.ones(2, requires_grad=True)])


@pytest.mark.parametrize("materialize", [False, True])
def test_grad_of_an_unused_input_is_none_or_zeros(materialize):
    results = {}
    for lib in (mg, torch):
        x, unused = lib.tensor(X, requires_grad=True), lib.ones(2, requires_grad=True)
        kwargs = {"materialize_grads": True} if materialize else {"allow_unused": True}
        results[lib.__name__] = lib.autograd.grad((x * x).sum(), [x, unused], **kwargs)
    for ours, theirs in zip(results["minigrad"], results["torch"]):
        if theirs is None:
            assert ours is None
        else:
            np.testing.assert_array_equal(as_numpy(ours), as_numpy(theirs))


def test_materialize_grads_refuses_allow_unused_false():
    for lib in (mg, torch):
        x = lib.tensor(X, requires_grad=True)
        with pytest.raises(ValueError, match="Expected allow_unused to be True or not passed"):
            lib.autograd.grad(x.sum(), x, allow_unused=False, materialize_grads=True)


def test_only_inputs_false_warns_as_deprecated_and_changes_nothing():
    for lib in (mg, torch):
        x = lib.tensor(X, requires_grad=True)
        with pytest.warns(FutureWarning, match="only_inputs argument is deprecated"):
            (g,) = lib.autograd.grad((x * 3).sum(), x, only_inputs=False)
        np.testing.assert_array_equal(as_numpy(g), [3.0, 3.0, 3.0])


def test_grads_batched_gives_one_gradient_per_row_of_grad_outputs():
    v = np.array([[1.0, 0.0, 0.0], [0.5, 2.0, -1.0]])
    results = {}
    for lib in (mg, torch):
        x = lib.tensor(X, requires_grad=True)
        (g,) = lib.autograd.grad(x ** 3, x, lib.tensor(v), is_grads_batched=True)
        results[lib.__name__] = as_numpy(g)
    np.testing.assert_allclose(results["minigrad"], results["torch"], rtol=1e-12)


def test_grad_with_a_dict_of_inputs_returns_a_dict():
    results = {}
    for lib in (mg, torch):
        a, b = lib.tensor(X, requires_grad=True), lib.tensor(2.0, dtype=lib.float64, requires_grad=True)
        grads = lib.autograd.grad((a * b).sum(), {"a": a, "b": b})
        results[lib.__name__] = {k: as_numpy(v) for k, v in grads.items()}
    assert results["minigrad"].keys() == results["torch"].keys()
    for k in results["torch"]:
        np.testing.assert_allclose(results["minigrad"][k], results["torch"][k])


def test_backward_of_several_tensors_with_grad_tensors():
    results = {}
    for lib in (mg, torch):
        x = lib.tensor(X, requires_grad=True)
        lib.autograd.backward([x * x, x.sum()], [lib.tensor(np.array([1.0, 2.0, 3.0])), None])
        results[lib.__name__] = as_numpy(x.grad)
    np.testing.assert_array_equal(results["minigrad"], results["torch"])


def test_backward_with_inputs_fills_only_their_grad_even_for_a_non_leaf():
    results = {}
    for lib in (mg, torch):
        x, w = lib.tensor(X, requires_grad=True), lib.tensor(X * 2, requires_grad=True)
        h = x * w
        lib.autograd.backward((h * h).sum(), inputs=[h, x])
        assert w.grad is None
        results[lib.__name__] = (as_numpy(h.grad), as_numpy(x.grad))
    for ours, theirs in zip(results["minigrad"], results["torch"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_backward_with_create_graph_records_the_gradient():
    results = {}
    for lib in (mg, torch):
        x = lib.tensor(X, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch warns of the .grad <-> parameter cycle
            lib.autograd.backward((x ** 3).sum(), create_graph=True)
        assert x.grad.requires_grad
        (second,) = lib.autograd.grad(x.grad.sum(), x)
        results[lib.__name__] = as_numpy(second)
    np.testing.assert_allclose(results["minigrad"], results["torch"])


@pytest.mark.parametrize("call, message", [
    (lambda lib, x: lib.autograd.backward(x * 2, inputs=[]), "`inputs` argument to `backward()` "
                                                             "cannot be empty."),
    (lambda lib, x: lib.autograd.backward([(x * 2).sum(), lib.ones(1)]),
     "element 1 of tensors does not require grad and does not have a grad_fn"),
    (lambda lib, x: lib.autograd.backward((x * 2).sum(), lib.tensor(1.0),
                                          grad_variables=lib.tensor(1.0)),
     "`grad_tensors` and `grad_variables` (deprecated) arguments both passed to `backward()`"),
], ids=["empty_inputs", "a_tensor_without_grad", "both_gradient_names"])
def test_backward_refuses_bad_calls_as_pytorch(call, message):
    for lib in (mg, torch):
        with pytest.raises(RuntimeError) as info, warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            call(lib, lib.tensor(X, requires_grad=True))
        assert message in str(info.value)


def inference_states(lib) -> list:
    seen = []
    x = lib.ones(2, requires_grad=True)
    with lib.inference_mode():
        seen += [lib.is_grad_enabled(), lib.is_inference_mode_enabled(), (x * 2).requires_grad]
        with lib.inference_mode(False):
            seen += [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
    with lib.no_grad(), lib.inference_mode(False):
        seen.append(lib.is_grad_enabled())

    @lib.inference_mode
    def decorated():
        return lib.is_grad_enabled()

    seen += [decorated(), lib.is_grad_enabled(), lib.autograd.inference_mode is lib.inference_mode]
    return seen


def test_inference_mode_as_pytorch():
    assert inference_states(mg) == inference_states(torch)


def test_gradcheck_warns_for_float32_as_pytorch_and_fails():
    for lib in (mg, torch):
        x = lib.tensor(X.astype(np.float32), requires_grad=True)
        with pytest.warns(UserWarning, match="is not a double precision floating point"):
            assert lib.autograd.gradcheck(lambda t: t ** 3, (x,), raise_exception=False) is False


def test_gradcheck_fast_mode_and_dtype_check_pass_a_correct_function():
    x = mg.tensor(X, requires_grad=True)
    y = mg.tensor(X[::-1].copy(), requires_grad=True)
    assert mg.autograd.gradcheck(lambda a, b: (a * b).exp(), (x, y), fast_mode=True,
                                 check_grad_dtypes=True)


def test_gradcheck_fast_mode_catches_a_wrong_gradient():
    class Wrong(mg.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * t

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output  # should be 2 t

    x = mg.tensor(X, requires_grad=True)
    with pytest.raises(mg.GradcheckError, match="in a random direction"):
        mg.autograd.gradcheck(Wrong.apply, (x,), fast_mode=True)


def test_gradcheck_catches_a_backward_that_answers_zero_gradients_with_non_zero():
    class Offset(mg.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, grad_output):  # off by one everywhere: not zero for a zero gradient
            return grad_output * 2 + 1.0

    x = mg.tensor(X, requires_grad=True)
    assert not mg.autograd.gradcheck(Offset.apply, (x,), raise_exception=False, atol=1e9)
    assert mg.autograd.gradcheck(Offset.apply, (x,), atol=1e9, check_undefined_grad=False)


@pytest.mark.parametrize("option", ["check_forward_ad", "check_batched_grad",
                                    "check_batched_forward_grad", "masked"])
def test_gradcheck_options_minigrad_cannot_honour_are_refused_by_name(option):
    x = mg.tensor(X, requires_grad=True)
    with pytest.raises(NotImplementedError, match=option):
        mg.autograd.gradcheck(lambda t: t * 2, (x,), **{option: True})


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class FirstOnly(mg.autograd.Function):
        """Right first derivative of x^3, but written with a constant: its own derivative is 0."""

        @staticmethod
        def forward(ctx, t):
            ctx.slope = 3 * t.numpy() ** 2
            return t ** 3

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * mg.tensor(ctx.slope)

    x = mg.tensor(X, requires_grad=True)
    assert mg.autograd.gradcheck(FirstOnly.apply, (x,))
    assert mg.autograd.gradgradcheck(FirstOnly.apply, (x,), raise_exception=False) is False
    assert mg.autograd.gradgradcheck(lambda t: t ** 3, (x,), gen_non_contig_grad_outputs=True)


def test_backward_with_inputs_fills_only_those_as_pytorch():
    for lib in (mg, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        assert w.grad is None, lib.__name__
        np.testing.assert_array_equal(np.asarray(x.grad.tolist()), [3.0, 4.0])


def test_register_hook_returns_a_handle_that_removes_it_as_pytorchs():
    results = {}
    for lib in (mg, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        leaf_handle = x.register_hook(lambda g: g * 10)
        z = x * 3
        with z.register_hook(lambda g: g * 0):
            pass  # (a handle is a context manager in PyTorch too: removed on exit)
        z.sum().backward()
        first = x.grad.tolist()
        leaf_handle.remove()
        leaf_handle.remove()  # a second remove does nothing
        x.grad = None
        (x * 2).sum().backward()
        results[lib.__name__] = (first, x.grad.tolist())
    assert results["minigrad"] == results["torch"] == ([30.0, 30.0], [2.0, 2.0])
