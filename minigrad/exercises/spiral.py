"""Exercise 14: the learner's pieces as mg.autograd.Function's, trained on the spiral."""
from __future__ import annotations

from dataclasses import dataclass, field

import minigrad as mg

from .checker import Case, CheckFailed, Mistake, invoke
from .exercise import Exercise
from .op_check import OpCheck
from .shapes import batch_rows, linear_shapes
from .softmax_cross_entropy import scores_and_labels

TEMPLATE = '''"""Exercise 14: your own pieces, wired into minigrad, trained on the spiral.

Each class below is an mg.autograd.Function (PyTorch's protocol): forward(ctx, ...) computes on
tensors and saves what backward needs with ctx.save_for_backward; backward(ctx, grad_output)
returns one gradient per input of forward, in forward's order, as tensors (None for an input
that needs none, like the labels).  The forwards are given; write each backward by calling your
own backward from exercises 5, 8 and 10 (on arrays: t.numpy(); back to tensors: mg.tensor(a)).
train() then fits an MLP made of your Functions, updated by your Adam (exercise 13), to the
spiral of CS231n, which no linear classifier separates; it must reach 90% accuracy.

Check with:  python -m minigrad.exercises check spiral
"""
import numpy as np

import minigrad as mg
from adam import step as adam_step
from linear import linear_backward, linear_forward
from relu_sigmoid import relu_backward, relu_forward
from softmax_cross_entropy import softmax_cross_entropy_backward, softmax_cross_entropy_forward


class Linear(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x, W, b):
        ctx.save_for_backward(x, W, b)
        return mg.tensor(linear_forward(x.numpy(), W.numpy(), b.numpy()))

    @staticmethod
    def backward(ctx, grad_output):
        """Return (dx, dW, db) as tensors."""
        raise NotImplementedError("Linear.backward")


class ReLU(mg.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return mg.tensor(relu_forward(x.numpy()))

    @staticmethod
    def backward(ctx, grad_output):
        """Return dx as a tensor."""
        raise NotImplementedError("ReLU.backward")


class SoftmaxCrossEntropy(mg.autograd.Function):
    @staticmethod
    def forward(ctx, z, y):
        ctx.save_for_backward(z, y)
        return mg.tensor(softmax_cross_entropy_forward(z.numpy(), y.numpy()))

    @staticmethod
    def backward(ctx, grad_output):
        """Return (dz, None): the labels y get no gradient."""
        raise NotImplementedError("SoftmaxCrossEntropy.backward")


def train(steps=300, hidden=64, lr=0.02, seed=0):
    """Fits a 2 -> hidden -> 3 MLP to the spiral; returns the training accuracy."""
    X, y = mg.nn.datasets.spiral()
    X = X.double()
    rng = np.random.default_rng(seed)
    params = [mg.tensor(rng.standard_normal((hidden, 2)) * 1.0, requires_grad=True),
              mg.tensor(np.zeros(hidden), requires_grad=True),
              mg.tensor(rng.standard_normal((3, hidden)) * hidden**-0.5, requires_grad=True),
              mg.tensor(np.zeros(3), requires_grad=True)]
    states = [{} for _ in params]
    W1, b1, W2, b2 = params
    for _ in range(steps):
        z = Linear.apply(ReLU.apply(Linear.apply(X, W1, b1)), W2, b2)
        loss = SoftmaxCrossEntropy.apply(z, y)
        for p in params:
            p.grad = None
        loss.backward()
        for p, state in zip(params, states):
            p.data = adam_step(p.data, p.grad.numpy(), state, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    return float((z.argmax(dim=1) == y).double().mean().item())


if __name__ == "__main__":
    print("spiral accuracy:", train())
'''

SOLUTIONS = {
    "Linear.backward": """x, W, b = ctx.saved_tensors
dx, dW, db = linear_backward(grad_output.numpy(), x.numpy(), W.numpy(), b.numpy())
return mg.tensor(dx), mg.tensor(dW), mg.tensor(db)""",
    "ReLU.backward": """(x,) = ctx.saved_tensors
return mg.tensor(relu_backward(grad_output.numpy(), x.numpy()))""",
    "SoftmaxCrossEntropy.backward": """z, y = ctx.saved_tensors
return mg.tensor(softmax_cross_entropy_backward(grad_output.numpy(), z.numpy(), y.numpy())), None""",
}

HINTS = [
    "Each backward: take the saved tensors (ctx.saved_tensors), call your array-level backward on .numpy() "
    "of them, and wrap each result with mg.tensor(...).",
    "Return gradients in forward's order: Linear returns (dx, dW, db); SoftmaxCrossEntropy returns "
        "(dz, None).",
    "Pass grad_output (as an array) to your backward: it is the gradient arriving from above.",
]

TARGET = 0.9


def function_vjp(class_name: str, differentiable: int):
    """The learner's Function ``class_name`` applied to tensors, differentiated by minigrad's
    autograd with the upstream gradient: the answer an OpCheck compares."""
    def call(module, grad, arrays, params):
        cls = getattr(module, class_name, None)
        if cls is None:
            raise CheckFailed(f"{class_name} is missing from your file: keep the template's names.")
        tensors = [mg.tensor(a, requires_grad=i < differentiable) for i, a in enumerate(arrays)]

        def run():
            out = cls.apply(*tensors)
            grads = mg.autograd.grad(out, tensors[:differentiable], mg.tensor(grad), allow_unused=True)
            return tuple(None if g is None else g.numpy() for g in grads)
        return invoke(f"{class_name}.backward", run)
    return call


def _wrong_linear(order=False, no_bias=False, arrays_back=False):
    class Linear(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x, W, b):
            ctx.save_for_backward(x, W, b)
            return x @ W.T + b

        @staticmethod
        def backward(ctx, g):
            x, W, b = ctx.saved_tensors
            dx, dW, db = g @ W, g.T @ x, g.sum(dim=0)
            if arrays_back:
                return dx.numpy(), dW.numpy(), db.numpy()
            return (dW, dx, db) if order else (dx, dW, None if no_bias else db)
    return Linear


class _NoUpstream(mg.autograd.Function):
    @staticmethod
    def forward(ctx, z, y):
        ctx.save_for_backward(z, y)
        import minigrad.functional as F
        return F.cross_entropy(z, y)

    @staticmethod
    def backward(ctx, g):
        z, y = ctx.saved_tensors
        return (z.softmax(dim=1) - mg.nn.functional.one_hot(y, z.shape[1])) / z.shape[0], None


@dataclass
class TrainCheck:
    """``train()`` of the learner's file reaches ``TARGET`` accuracy on the spiral."""
    mistakes: list = field(default_factory=list)

    def run(self, module, reference, exercise: str, examples: int) -> int:
        accuracy = invoke("train", module.train)
        if not accuracy >= TARGET:
            raise CheckFailed(f"train() reached an accuracy of {accuracy:.3f} on the spiral; it should reach "
                              f"{TARGET} (each piece passed its own check, so look at how they are wired).")
        return 1


def _functional(name):
    def op(*tensors):
        import minigrad.functional as F
        return getattr(F, name)(*tensors)
    return op


LINEAR_CASES = [Case(((4, 3), (2, 3), (2,))), Case(((1, 2), (3, 2), (3,)))]

EXERCISE = Exercise(
    name="spiral",
    goal=f"wire your pieces into minigrad as autograd Functions and train them on the spiral to {TARGET:.0%}",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS, examples=5,
    checks=[
        OpCheck("Linear", _functional("linear"), ("x", "W", "b"), LINEAR_CASES, linear_shapes,
                call=function_vjp("Linear", 3), mistakes=[
            Mistake("order", "backward returns one gradient per input of forward, in forward's order: "
                    "(dx, dW, db).", {"Linear": _wrong_linear(order=True)}),
            Mistake("no-bias", "b needs its gradient too: return (dx, dW, db), not None for db.",
                    {"Linear": _wrong_linear(no_bias=True)}),
            Mistake("arrays", "backward must return tensors: wrap each array, mg.tensor(dx).",
                    {"Linear": _wrong_linear(arrays_back=True)}),
        ]),
        OpCheck("ReLU", _functional("relu"), ("x",), [Case(((3, 4),))], batch_rows,
                call=function_vjp("ReLU", 1)),
        OpCheck("SoftmaxCrossEntropy", _functional("cross_entropy"), ("z", "y"), [Case(((4, 3),))],
                batch_rows, grads_of=("z",), make=scores_and_labels,
                call=function_vjp("SoftmaxCrossEntropy", 1), mistakes=[
            Mistake("no-upstream", "SoftmaxCrossEntropy.backward ignores grad_output: pass it to your "
                    "backward (the loss may be scaled, or be part of a bigger sum).",
                    {"SoftmaxCrossEntropy": _NoUpstream}),
        ]),
        TrainCheck(),
    ],
)
