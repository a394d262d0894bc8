"""Lesson 2 — softmax, its numerically stable form, hardmax, and C = 2 as logistic regression.

softmax(z)_i = exp(z_i) / sum_j exp(z_j) turns scores into probabilities.  Subtracting the
largest score first changes nothing mathematically (the factor exp(-max) cancels) but keeps
exp() from overflowing: the naive formula gives nan at z = 1000, the stable one does not.
Hardmax puts 1 on the largest score and 0 elsewhere; softmax is its soft version.  With two
classes softmax is logistic regression: softmax(z)_0 = sigmoid(z_0 - z_1).

    python examples/lesson2_softmax.py [--out runs/lessons] [--quick]
"""
from __future__ import annotations

import _common
import numpy as np
from _common import plt, save_figure

import minigrad as mg
import minigrad.functional as F

NOTES_SCORES = [[1.0, 2.0, 0.0], [-1.0, 0.0, 1.0], [-10.0, 0.0, 10.0]]  # the notes' example


def naive_softmax(z: mg.Tensor) -> mg.Tensor:
    e = z.exp()
    return e / e.sum(dim=1, keepdim=True)


def stable_softmax(z: mg.Tensor) -> mg.Tensor:
    # exp(z - max) <= 1, so nothing overflows; the max is a constant of the row and cancels.
    e = (z - z.amax(dim=1, keepdim=True).detach()).exp()
    return e / e.sum(dim=1, keepdim=True)


def hardmax(z: mg.Tensor) -> mg.Tensor:
    return F.one_hot(z.argmax(dim=1), z.shape[1])


def main(argv=None) -> dict:
    args = _common.lesson_parser(__doc__).parse_args(argv)
    np.set_printoptions(precision=4, suppress=True)
    z = mg.tensor(NOTES_SCORES)
    probabilities = stable_softmax(z)
    print("scores z =\n", z.numpy())
    print("softmax(z), stable formula =\n", probabilities.numpy())
    print("each row sums to", probabilities.sum(dim=1).numpy())
    print("hardmax(z) =\n", hardmax(z).numpy())
    engine_gap = np.abs(probabilities.numpy() - F.softmax(z, dim=1).numpy()).max()
    print(f"F.softmax agrees: max |difference| = {engine_gap:.2e}")

    big = mg.tensor([[1000.0, 999.0, 998.0]])
    with np.errstate(over="ignore", invalid="ignore"):
        naive = naive_softmax(big).numpy()
    stable = stable_softmax(big).numpy()
    print(f"z = [1000, 999, 998]: naive exp(z)/sum = {naive[0]} (exp(1000) overflows to inf, "
          f"inf/inf = nan)")
    print(f"                      stable          = {stable[0]}")

    pairs = mg.randn(5, 2, dtype=mg.float64) * 3
    two_class = stable_softmax(pairs)[:, 0]
    logistic = (pairs[:, 0] - pairs[:, 1]).sigmoid()
    c2_gap = float(np.abs(two_class.numpy() - logistic.numpy()).max())
    print(f"C = 2: softmax(z)_0 vs sigmoid(z_0 - z_1) on 5 random pairs, max |difference| = "
          f"{c2_gap:.1e}")

    fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
    classes = np.arange(3)
    for ax, row, soft, hard in zip(axes, NOTES_SCORES, probabilities.numpy(), hardmax(z).numpy()):
        ax.bar(classes - 0.2, soft, width=0.4, label="softmax")
        ax.bar(classes + 0.2, hard, width=0.4, label="hardmax")
        for x, p in zip(classes, soft):
            ax.text(x - 0.2, p + 0.02, f"{p:.3f}", ha="center", fontsize=8)
        ax.set(title=f"z = {[int(v) for v in row]}", xticks=classes, ylim=(0, 1.15),
               xlabel="class")
    axes[0].set_ylabel("probability")
    axes[0].legend(loc="upper left", fontsize=8)
    fig.suptitle("softmax is a soft hardmax: the notes' three score vectors")
    fig.tight_layout()
    picture = save_figure(fig, args.out / "lesson2_softmax.png")
    return {"softmax": probabilities.numpy(), "hardmax": hardmax(z).numpy(), "naive_1000": naive,
            "stable_1000": stable, "c2_gap": c2_gap, "engine_gap": float(engine_gap),
            "picture": picture}


if __name__ == "__main__":
    main()
