"""Lesson 7 — an MLP is linear maps composed with activations; without them, it is one matrix.

A layer computes x Wᵀ + b (a linear map, plus a shift) and an activation (ReLU, sigmoid, tanh)
bends the result.  nn.MLP is exactly that composition, written out here with F.linear.

Take the activations away and the deep stack collapses: W₄(W₃(W₂(W₁x + b₁) + b₂) + b₃) + b₄ is
(W₄W₃W₂W₁) x + b, one linear map.  The product of the weight matrices reproduces the stack's
output, and its rank is at most the narrowest layer: depth adds nothing.  The picture fits the
same curve with a ReLU MLP and with the same stack without activations (the best straight line
is all the stack can reach).

    python examples/lesson7_mlp_linear.py [--out runs/lessons] [--quick]
"""
from __future__ import annotations

import _common
import numpy as np
from _common import plt, save_figure

import minigrad as mg
import minigrad.functional as F
import nn


def mlp_by_hand(model: nn.MLP, x: mg.Tensor) -> mg.Tensor:
    """nn.MLP's forward written out: linear, ReLU, linear, ReLU, ..., linear."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    for layer in linears[:-1]:
        x = F.relu(F.linear(x, layer.weight, layer.bias))
    return F.linear(x, linears[-1].weight, linears[-1].bias)


def collapse(stack: nn.Sequential) -> tuple[np.ndarray, np.ndarray]:
    """The one linear map (W, b) equal to a stack of Linear layers: x -> x Wᵀ + b."""
    W, b = None, None
    for layer in stack:
        A, c = layer.weight.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64)
        W, b = (A, c) if W is None else (A @ W, A @ b + c)
    return W, b


def fit(model, x, y, steps: int) -> float:
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(steps):
        loss = F.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


def main(argv=None) -> dict:
    args = _common.lesson_parser(__doc__).parse_args(argv)
    mg.manual_seed(0)

    # -- an MLP is linear maps and activations --------------------------------------------------
    model = nn.MLP(4, [16, 16], 3, activation="relu")
    x = mg.randn(8, 4)
    with mg.no_grad():
        written_out_gap = float(np.abs(model(x).numpy() - mlp_by_hand(model, x).numpy()).max())
    print(model)
    print(f"nn.MLP vs linear/ReLU written out: max |difference| = {written_out_gap:.1e}")

    # -- without activations, a deep stack is one matrix ------------------------------------------
    stack = nn.Sequential(nn.Linear(4, 16), nn.Linear(16, 3), nn.Linear(3, 16), nn.Linear(16, 4))
    W, b = collapse(stack)
    with mg.no_grad():
        stack_output = stack(x).numpy()
    collapse_gap = float(np.abs(stack_output - (x.numpy() @ W.T + b)).max())
    rank = int(np.linalg.matrix_rank(W))
    print("stack without activations: 4 -> 16 -> 3 -> 16 -> 4")
    print(f"  one matrix W = W4 W3 W2 W1 of shape {W.shape} and b reproduce it: "
          f"max |difference| = {collapse_gap:.1e}")
    print(f"  rank of W = {rank} (at most the narrowest layer, 3): four layers, one rank-3 map")

    # -- what each can fit -----------------------------------------------------------------------
    steps = 300 if args.quick else 1500
    xs = np.linspace(-2, 2, 200, dtype=np.float32).reshape(-1, 1)
    target = np.sin(2.5 * xs) + 0.3 * xs
    inputs, targets = mg.tensor(xs), mg.tensor(target)
    mg.manual_seed(1)
    relu_mlp = nn.MLP(1, [64, 64], 1, activation="relu")
    linear_stack = nn.Sequential(nn.Linear(1, 64), nn.Linear(64, 64), nn.Linear(64, 1))
    relu_mse = fit(relu_mlp, inputs, targets, steps)
    linear_mse = fit(linear_stack, inputs, targets, steps)
    slope, intercept = np.polyfit(xs.ravel(), target.ravel(), 1)
    best_line_mse = float(((slope * xs + intercept - target) ** 2).mean())
    print(f"fitting sin(2.5x) + 0.3x with {steps} Adam steps: ReLU MLP mse {relu_mse:.4f}; "
          f"stack without activations mse {linear_mse:.4f} (best straight line: {best_line_mse:.4f})")

    with mg.no_grad():
        relu_curve, linear_curve = relu_mlp(inputs).numpy(), linear_stack(inputs).numpy()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(xs, target, color="black", linewidth=3, alpha=0.3, label="target sin(2.5x) + 0.3x")
    ax.plot(xs, relu_curve, color="tab:red", label=f"ReLU MLP 1-64-64-1 (mse {relu_mse:.3f})")
    ax.plot(xs, linear_curve, color="tab:blue", linestyle="--",
            label=f"same stack, no activation (mse {linear_mse:.3f})")
    ax.set(xlabel="x", ylabel="y", title="depth without activations is still a straight line")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    picture = save_figure(fig, args.out / "lesson7_mlp_linear.png")
    return {"written_out_gap": written_out_gap, "collapse_gap": collapse_gap, "rank": rank,
            "relu_mse": relu_mse, "linear_mse": linear_mse, "best_line_mse": best_line_mse,
            "picture": picture}


if __name__ == "__main__":
    main()
