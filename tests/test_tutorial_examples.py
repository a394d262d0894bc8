"""PyTorch's tutorial "Learning PyTorch with Examples", run on minigrad.

The tutorial fits y = sin(x) on [-pi, pi] with a third-order polynomial seven times, each time
with more of PyTorch: tensors with gradients worked out by hand, autograd, a custom autograd
Function, nn with a manual update, an optimizer, a custom Module, and a Module whose forward
changes from call to call.  Each program below is written once, in PyTorch's spelling, with the
library as its argument ``torch``: it runs as ``import minigrad as torch`` and as real PyTorch.
Random draws differ between the libraries, so minigrad draws the starting point and PyTorch's
run starts from a copy of it; the final loss and coefficients must then agree.

The programs take fewer steps than the tutorial's 2000, so that the file runs in seconds.
"""
from __future__ import annotations

import math
import random

import numpy as np
import pytest

import minigrad

real_torch = pytest.importorskip("torch")

STEPS = 150


# ---------------------------------------------------------------------------------------------
# The data and the starting points
# ---------------------------------------------------------------------------------------------
def sine_data(torch):
    dtype = torch.float
    device = torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    return x, y


def random_coefficients(torch, requires_grad: bool) -> list:
    """a, b, c, d drawn as the tutorial draws them."""
    dtype = torch.float
    device = torch.device("cpu")
    return [torch.randn((), device=device, dtype=dtype, requires_grad=requires_grad)
            for _ in range(4)]


def copied_to_pytorch(coefficients, requires_grad: bool) -> list:
    return [real_torch.tensor(float(c.item()), dtype=real_torch.float32, requires_grad=requires_grad)
            for c in coefficients]


def copy_parameters(source, target) -> None:
    """A minigrad module's parameters into the PyTorch module of the same structure."""
    target.load_state_dict({name: real_torch.tensor(np.array(value.numpy()))
                            for name, value in source.state_dict().items()})


def numbers(values) -> np.ndarray:
    return np.array([float(v.item()) if hasattr(v, "item") else float(v) for v in values])


def assert_same_fit(ours, theirs):
    """The final loss and coefficients of both runs (float32: summation orders differ)."""
    np.testing.assert_allclose(numbers(ours), numbers(theirs), rtol=2e-4, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# 1. Tensors, and the gradient of the squared error worked out by hand
# ---------------------------------------------------------------------------------------------
def fit_by_hand(torch, coefficients, steps=STEPS):
    x, y = sine_data(torch)
    a, b, c, d = coefficients
    learning_rate = 1e-6
    for _ in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum().item()
        # d loss / d y_pred = 2 (y_pred - y); the chain rule through each term does the rest.
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return [loss, a, b, c, d]


def test_manual_gradients_fit_as_in_pytorch():
    start = random_coefficients(minigrad, requires_grad=False)
    theirs = fit_by_hand(real_torch, copied_to_pytorch(start, requires_grad=False))
    ours = fit_by_hand(minigrad, start)
    assert_same_fit(ours, theirs)


# ---------------------------------------------------------------------------------------------
# 2. Autograd computes those gradients
# ---------------------------------------------------------------------------------------------
def fit_with_autograd(torch, coefficients, steps=STEPS):
    x, y = sine_data(torch)
    a, b, c, d = coefficients
    learning_rate = 1e-6
    for _ in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():  # the update itself is not part of the model
            for coefficient in (a, b, c, d):
                coefficient -= learning_rate * coefficient.grad
                coefficient.grad = None
    return [loss.item(), a, b, c, d]


def test_autograd_fit_as_in_pytorch():
    start = random_coefficients(minigrad, requires_grad=True)
    theirs = fit_with_autograd(real_torch, copied_to_pytorch(start, requires_grad=True))
    ours = fit_with_autograd(minigrad, start)
    assert_same_fit(ours, theirs)


# ---------------------------------------------------------------------------------------------
# 3. A custom autograd Function: the Legendre polynomial P3(x) = (5x^3 - 3x) / 2
# ---------------------------------------------------------------------------------------------
def legendre_polynomial_3(torch):
    class LegendrePolynomial3(torch.autograd.Function):
        """P3 with its derivative given by hand: autograd calls backward instead of
        differentiating forward's ops."""

        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)  # P3'(x) = 1.5 (5x^2 - 1)

    return LegendrePolynomial3


def fit_with_legendre(torch, steps=STEPS):
    dtype = torch.float
    device = torch.device("cpu")
    x, y = sine_data(torch)
    # y = a + b P3(c + d x); a start not too far from the answer, or the fit diverges.
    a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    P3 = legendre_polynomial_3(torch).apply
    for _ in range(steps):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            for coefficient in (a, b, c, d):
                coefficient -= learning_rate * coefficient.grad
                coefficient.grad = None
    return [loss.item(), a, b, c, d]


def test_custom_function_fit_as_in_pytorch():
    assert_same_fit(fit_with_legendre(minigrad), fit_with_legendre(real_torch))


def test_the_legendre_function_runs_with_minigrad_as_torch():
    """The class above, with ``import minigrad as torch``: its value and gradient are P3 and
    P3' (this part needs none of the missing names)."""
    torch = minigrad
    x = torch.tensor(np.array([-0.5, 0.25, 1.5]), requires_grad=True)
    y = legendre_polynomial_3(torch).apply(x)
    y.sum().backward()
    values = np.array([-0.5, 0.25, 1.5])
    np.testing.assert_allclose(y.numpy(), 0.5 * (5 * values ** 3 - 3 * values))
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * (5 * values ** 2 - 1))


# ---------------------------------------------------------------------------------------------
# 4. nn: a Linear layer over the features (x, x^2, x^3), updated by hand
# ---------------------------------------------------------------------------------------------
def polynomial_features(torch, x):
    p = torch.tensor([1, 2, 3])
    return x.unsqueeze(-1).pow(p)  # (2000, 1) ** (3,) broadcasts to (2000, 3)


def linear_model(torch):
    # Flatten(0, 1) turns the (2000, 1) output into the (2000,) shape of y.
    return torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))


def linear_fit_result(loss, model) -> list:
    layer = model[0]
    return [loss.item(), layer.bias, layer.weight[:, 0], layer.weight[:, 1], layer.weight[:, 2]]


def fit_with_nn(torch, model, steps=STEPS):
    x, y = sine_data(torch)
    xx = polynomial_features(torch, x)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate = 1e-6
    for _ in range(steps):
        loss = loss_fn(model(xx), y)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    return linear_fit_result(loss, model)


def test_nn_fit_as_in_pytorch():
    ours_model, theirs_model = linear_model(minigrad), linear_model(real_torch)
    copy_parameters(ours_model, theirs_model)
    assert_same_fit(fit_with_nn(minigrad, ours_model), fit_with_nn(real_torch, theirs_model))


# ---------------------------------------------------------------------------------------------
# 5. optim: RMSprop makes the update
# ---------------------------------------------------------------------------------------------
def fit_with_rmsprop(torch, model, steps=STEPS):
    x, y = sine_data(torch)
    xx = polynomial_features(torch, x)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for _ in range(steps):
        loss = loss_fn(model(xx), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return linear_fit_result(loss, model)


def test_rmsprop_fit_as_in_pytorch():
    ours_model, theirs_model = linear_model(minigrad), linear_model(real_torch)
    copy_parameters(ours_model, theirs_model)
    assert_same_fit(fit_with_rmsprop(minigrad, ours_model),
                    fit_with_rmsprop(real_torch, theirs_model))


# ---------------------------------------------------------------------------------------------
# 6. A Module of one's own, its four coefficients Parameters
# ---------------------------------------------------------------------------------------------
def polynomial3(torch):
    class Polynomial3(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

        def string(self):
            return (f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + "
                    f"{self.d.item()} x^3")

    return Polynomial3()


def fit_with_module(torch, model, steps=STEPS):
    x, y = sine_data(torch)
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for _ in range(steps):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert model.string().startswith("y = ")
    return [loss.item(), model.a, model.b, model.c, model.d]


def test_custom_module_fit_as_in_pytorch():
    ours_model, theirs_model = polynomial3(minigrad), polynomial3(real_torch)
    copy_parameters(ours_model, theirs_model)
    assert_same_fit(fit_with_module(minigrad, ours_model),
                    fit_with_module(real_torch, theirs_model))


# ---------------------------------------------------------------------------------------------
# 7. Control flow in forward: 0, 1 or 2 more terms each call, all sharing the coefficient e
# ---------------------------------------------------------------------------------------------
def dynamic_net(torch):
    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = torch.nn.Parameter(torch.randn(()))
            self.b = torch.nn.Parameter(torch.randn(()))
            self.c = torch.nn.Parameter(torch.randn(()))
            self.d = torch.nn.Parameter(torch.randn(()))
            self.e = torch.nn.Parameter(torch.randn(()))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            # The same Parameter used again in every extra term: its gradients add up.
            for exponent in range(4, random.randint(4, 6)):
                y = y + self.e * x ** exponent
            return y

    return DynamicNet()


def fit_dynamic(torch, model, steps=STEPS):
    random.seed(0)  # the same choices of terms in both runs
    x, y = sine_data(torch)
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    for _ in range(steps):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [loss.item(), model.a, model.b, model.c, model.d, model.e]


def test_dynamic_control_flow_fit_as_in_pytorch():
    ours_model, theirs_model = dynamic_net(minigrad), dynamic_net(real_torch)
    copy_parameters(ours_model, theirs_model)
    assert_same_fit(fit_dynamic(minigrad, ours_model), fit_dynamic(real_torch, theirs_model))
