"""Lesson 1 — gradient descent on J(w) = w² - 10w + 25 = (w - 5)², as in the notes.

The notes minimize this cost with a framework: start at w = 0, learning rate 0.01; after one
step w is 0.1, after 1000 more it is 4.9999, next to the minimum w = 5.  Here minigrad's autograd
computes dJ/dw = 2w - 10, and each step is w <- w - lr * dJ/dw.  The same run through
nn.optim.SGD lands on the same numbers.  The picture shows J and the path w took.

    python examples/lesson1_gradient_descent.py [--out runs/lessons] [--quick]
"""
from __future__ import annotations

import _common
import numpy as np
from _common import plt, save_figure

import minigrad as mg
import nn


def J(w):
    return w ** 2 - 10 * w + 25


def descend(steps: int, lr: float = 0.01) -> list[float]:
    """Plain gradient descent written out: the values of w from w = 0, one per step."""
    w = mg.tensor(0.0, dtype=mg.float64, requires_grad=True)
    path = [w.item()]
    for _ in range(steps):
        J(w).backward()  # w.grad = dJ/dw = 2w - 10
        with mg.no_grad():
            w -= lr * w.grad
        w.grad = None  # gradients accumulate: forget this step's before the next
        path.append(w.item())
    return path


def descend_with_sgd(steps: int, lr: float = 0.01) -> float:
    """The same descent by nn.optim.SGD (what a training loop uses)."""
    w = nn.Parameter(mg.tensor(0.0, dtype=mg.float64))
    optimizer = nn.optim.SGD([w], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        J(w).backward()
        optimizer.step()
    return w.item()


def main(argv=None) -> dict:
    args = _common.lesson_parser(__doc__).parse_args(argv)
    steps = 1000  # cheap even with --quick: one scalar per step
    path = descend(1 + steps)
    print("J(w) = w² - 10w + 25, w = 0, lr = 0.01")
    print(f"w after 1 step:       {path[1]:.4f}   (the notes: 0.1)")
    print(f"w after 1 + {steps} steps: {path[-1]:.4f}   (the notes: 4.9999; the minimum is w = 5)")
    closed_form = 5 * (1 - 0.98 ** (1 + steps))  # w_k = 5 (1 - (1 - 2 lr)^k)
    print(f"closed form 5(1 - 0.98^{1 + steps}) = {closed_form:.6f}, autograd gives {path[-1]:.6f}")
    with_sgd = descend_with_sgd(1 + steps)
    print(f"nn.optim.SGD gives w = {with_sgd:.6f}")

    ws = np.linspace(-1, 11, 200)
    fig, (ax_cost, ax_w) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax_cost.plot(ws, J(ws), color="gray", label="J(w) = (w - 5)²")
    shown = np.array(path[: 1 + steps: 25])
    ax_cost.plot(shown, J(shown), "o-", color="tab:red", markersize=3, label="w every 25 steps")
    ax_cost.set(xlabel="w", ylabel="J(w)", title="the cost and the path of w")
    ax_cost.legend()
    ax_w.plot(path, color="tab:red")
    ax_w.axhline(5, color="gray", linestyle="--", linewidth=1)
    ax_w.set(xlabel="step", ylabel="w", title="w per step (lr = 0.01)")
    for ax in (ax_cost, ax_w):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    picture = save_figure(fig, args.out / "lesson1_gradient_descent.png")
    return {"w_after_1": path[1], "w_after_1001": path[-1], "w_sgd": with_sgd,
            "closed_form": closed_form, "picture": picture}


if __name__ == "__main__":
    main()
