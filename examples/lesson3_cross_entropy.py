"""Lesson 3 — cross-entropy, F.cross_entropy = log_softmax + nll_loss, and dz = ŷ - y.

The notes' example: the target is class 2 of 4 as a one-hot vector y = [0, 1, 0, 0] and the
network says ŷ = [0.3, 0.2, 0.1, 0.4].  The loss -Σ y_j log ŷ_j keeps one term: -log 0.2 = 1.609.
Minimizing it pushes the probability of the right class up.

F.cross_entropy takes raw scores z and is log_softmax followed by nll_loss (it picks -log ŷ of
the right class).  Softmax and cross-entropy together have the simplest gradient in deep
learning: dL/dz = ŷ - y (divided by N for the mean over a batch).  We check it against the
autograd of the unfused composition -Σ y log softmax(z).  Binary cross-entropy with a sigmoid
is the two-class case, with the same gradient: dL/dz = sigmoid(z) - y.

    python examples/lesson3_cross_entropy.py [--out runs/lessons] [--quick]
"""
from __future__ import annotations

import math

import _common
import numpy as np
from _common import plt, save_figure

import minigrad as mg
import minigrad.functional as F


def main(argv=None) -> dict:
    args = _common.lesson_parser(__doc__).parse_args(argv)
    np.set_printoptions(precision=4, suppress=True)

    # -- the notes' example ------------------------------------------------------------------
    y = mg.tensor([0.0, 1.0, 0.0, 0.0])
    y_hat = mg.tensor([0.3, 0.2, 0.1, 0.4])
    loss = -(y * y_hat.log()).sum()
    print(f"y = {y.numpy()}, ŷ = {y_hat.numpy()}")
    print(f"-Σ y log ŷ = {loss.item():.4f};  -log 0.2 = {-math.log(0.2):.4f}")
    as_nll = F.nll_loss(y_hat.log().reshape(1, 4), mg.tensor([1]))
    print(f"nll_loss(log ŷ, target=1) = {as_nll.item():.4f} (the class index instead of one-hot)")

    # -- cross_entropy = log_softmax + nll_loss, on a batch of scores --------------------------
    mg.manual_seed(0)
    N, C = 5, 4
    z_values = mg.randn(N, C, dtype=mg.float64).numpy() * 2
    target = mg.tensor([1, 0, 3, 3, 2])
    fused_z = mg.tensor(z_values, requires_grad=True)
    fused = F.cross_entropy(fused_z, target)
    composed = F.nll_loss(F.log_softmax(mg.tensor(z_values), dim=1), target)
    print(f"F.cross_entropy(z, t) = {fused.item():.6f}; "
          f"F.nll_loss(F.log_softmax(z), t) = {composed.item():.6f}")

    # -- its gradient: ŷ - y, over N ------------------------------------------------------------
    fused.backward()
    one_hot = F.one_hot(target, C).numpy()
    by_formula = (F.softmax(mg.tensor(z_values), dim=1).numpy() - one_hot) / N
    unfused_z = mg.tensor(z_values, requires_grad=True)
    unfused = -(mg.tensor(one_hot) * F.softmax(unfused_z, dim=1).log()).sum(dim=1).mean()
    unfused.backward()
    gap_formula = float(np.abs(fused_z.grad.numpy() - by_formula).max())
    gap_unfused = float(np.abs(fused_z.grad.numpy() - unfused_z.grad.numpy()).max())
    print("dL/dz of F.cross_entropy =\n", fused_z.grad.numpy())
    print(f"vs (ŷ - y) / N: max |difference| = {gap_formula:.1e}")
    print(f"vs autograd through softmax, log, multiply, sum, mean: max |difference| = "
          f"{gap_unfused:.1e}")

    # -- binary cross-entropy with a sigmoid -----------------------------------------------------
    logits = mg.tensor([2.0, -1.0, 0.5, -3.0], dtype=mg.float64, requires_grad=True)
    labels = mg.tensor([1.0, 0.0, 0.0, 1.0], dtype=mg.float64)
    p = logits.sigmoid()
    bce = F.binary_cross_entropy(p, labels)
    by_hand = -(labels * p.log() + (1 - labels) * (1 - p).log()).mean()
    with_logits = F.binary_cross_entropy_with_logits(logits, labels)
    bce.backward()
    bce_gap = float(np.abs(logits.grad.numpy() - (p.numpy() - labels.numpy()) / 4).max())
    print(f"BCE(sigmoid(z), y) = {bce.item():.6f}; by hand {by_hand.item():.6f}; "
          f"with logits {with_logits.item():.6f}")
    print(f"BCE gradient vs (sigmoid(z) - y) / N: max |difference| = {bce_gap:.1e}")

    # -- picture: -log p, and the two sides of BCE ------------------------------------------------
    ps = np.linspace(0.005, 1, 300)
    fig, (ax_ce, ax_bce) = plt.subplots(1, 2, figsize=(9, 3.4))
    ax_ce.plot(ps, -np.log(ps), label="-log ŷ of the right class")
    ax_ce.plot([0.2], [-math.log(0.2)], "o", color="tab:red")
    ax_ce.annotate(f"ŷ₂ = 0.2 → loss {-math.log(0.2):.3f}", (0.2, -math.log(0.2)),
                   xytext=(0.35, 3), arrowprops={"arrowstyle": "->"})
    ax_ce.set(xlabel="probability given to the right class", ylabel="loss",
              title="cross-entropy with a one-hot target", ylim=(0, 5.5))
    ax_bce.plot(ps, -np.log(ps), label="y = 1: -log p")
    ax_bce.plot(ps, -np.log(1 - ps + 1e-12), label="y = 0: -log (1 - p)")
    ax_bce.set(xlabel="p = sigmoid(z)", ylabel="loss", title="binary cross-entropy", ylim=(0, 5.5))
    for ax in (ax_ce, ax_bce):
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right")
    fig.tight_layout()
    picture = save_figure(fig, args.out / "lesson3_cross_entropy.png")
    return {"one_hot_loss": loss.item(), "nll_loss": as_nll.item(), "fused": fused.item(),
            "composed": composed.item(), "gap_formula": gap_formula, "gap_unfused": gap_unfused,
            "bce": bce.item(), "bce_by_hand": by_hand.item(), "bce_with_logits": with_logits.item(),
            "bce_gap": bce_gap, "picture": picture}


if __name__ == "__main__":
    main()
