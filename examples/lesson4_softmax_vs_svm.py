"""Lesson 4 — the multiclass SVM (hinge) loss against softmax cross-entropy, CS231n's example.

Three images (a cat, a car, a frog) get scores for the classes cat, car, frog.  The SVM loss of
one image sums, over the wrong classes j, max(0, s_j - s_right + 1): the cat image loses 2.9,
the car 0, the frog 12.9, and the mean is 5.27.  (The notes write 5.1 - 3.2 + 1 = 2.8 for the
car score of the cat image; it is 2.9, the value their own sum uses.)  The squared hinge loss
squares each term, so a bad mistake costs much more.

Sanity check of the first iteration, from the notes: with tiny weights all scores are about 0,
so the softmax loss is log C (each class gets probability 1/C) and the SVM loss is C - 1 (each
wrong class contributes max(0, 0 - 0 + 1) = 1).  A first loss far from these means a bug.

Then a linear classifier is trained with each loss on the spiral: both draw straight
boundaries, and neither can follow the arms (that takes an MLP: see train.py).

    python examples/lesson4_softmax_vs_svm.py [--out runs/lessons] [--quick]
"""
from __future__ import annotations

import math

import _common
import numpy as np
from _common import plt, save_figure

import minigrad as mg
import minigrad.functional as F
import nn

CLASSES = ["cat", "car", "frog"]
SCORES = [[3.2, 5.1, -1.7],  # the cat image
          [1.3, 4.9, 2.0],  # the car image
          [2.2, 2.5, -3.1]]  # the frog image
RIGHT = [0, 1, 2]


def hinge_by_hand(scores, right) -> list[float]:
    """The notes' loop: for each wrong class j, max(0, s_j - s_right + 1)."""
    losses = []
    for row, y in zip(scores, right):
        losses.append(sum(max(0.0, s - row[y] + 1.0) for j, s in enumerate(row) if j != y))
    return losses


def train_linear(loss_name: str, X, y, steps: int):
    mg.manual_seed(1)
    model = nn.Linear(2, 3)
    loss_fn = F.multiclass_hinge_loss if loss_name == "hinge" else F.cross_entropy
    optimizer = nn.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(steps):
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with mg.no_grad():
        accuracy = float((model(X).numpy().argmax(1) == y.numpy()).mean())
    return model, loss.item(), accuracy


def main(argv=None) -> dict:
    args = _common.lesson_parser(__doc__).parse_args(argv)
    scores, right = mg.tensor(SCORES), mg.tensor(RIGHT)

    per_image = F.multiclass_hinge_loss(scores, right, reduction="none").numpy()
    squared = F.multiclass_hinge_loss(scores, right, squared=True, reduction="none").numpy()
    softmax_losses = F.cross_entropy(scores, right, reduction="none").numpy()
    by_hand = hinge_by_hand(SCORES, RIGHT)
    print("image   scores (cat, car, frog)   hinge   by hand   squared hinge   softmax CE")
    for k in range(3):
        print(f"{CLASSES[k]:<6}  {str(SCORES[k]):<24}  {per_image[k]:6.2f}   {by_hand[k]:6.2f}"
              f"   {squared[k]:12.2f}   {softmax_losses[k]:10.3f}")
    mean_hinge = F.multiclass_hinge_loss(scores, right).item()
    print(f"mean    {'':<24}  {mean_hinge:6.2f}   {np.mean(by_hand):6.2f}   {squared.mean():12.2f}"
          f"   {softmax_losses.mean():10.3f}")

    # -- the first-iteration sanity check -------------------------------------------------------
    X, y = nn.datasets.spiral(n_per_class=100, n_classes=3, seed=0)
    C = 3
    mg.manual_seed(0)
    tiny = nn.Linear(2, C)
    with mg.no_grad():
        tiny.weight.data = tiny.weight.data * 1e-3
        tiny.bias.data = tiny.bias.data * 0
        first_ce = F.cross_entropy(tiny(X), y).item()
        first_hinge = F.multiclass_hinge_loss(tiny(X), y).item()
    print(f"first loss with tiny weights, C = {C}: cross-entropy {first_ce:.4f} "
          f"(log C = {math.log(C):.4f}), hinge {first_hinge:.4f} (C - 1 = {C - 1})")

    # -- a linear classifier trained with each loss on the spiral ---------------------------------
    steps = 100 if args.quick else 400
    results = {name: train_linear(name, X, y, steps) for name in ("cross_entropy", "hinge")}
    for name, (_, loss, accuracy) in results.items():
        print(f"linear classifier, {name:<13}: loss {loss:.3f}, training accuracy {accuracy:.3f}")

    points = X.numpy()
    xs, ys = np.meshgrid(np.linspace(-1.2, 1.2, 250), np.linspace(-1.2, 1.2, 250))
    grid = mg.tensor(np.c_[xs.ravel(), ys.ravel()].astype(np.float32))
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.4))
    colors = plt.get_cmap("tab10")
    for ax, (name, (model, _, accuracy)) in zip(axes, results.items()):
        with mg.no_grad():
            regions = model(grid).numpy().argmax(1).reshape(xs.shape)
        ax.contourf(xs, ys, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=[colors(c) for c in range(3)],
                    alpha=0.25)
        ax.scatter(points[:, 0], points[:, 1], c=[colors(c) for c in y.numpy()], s=10,
                   edgecolors="k", linewidths=0.3)
        title = "softmax cross-entropy" if name == "cross_entropy" else "multiclass SVM (hinge)"
        ax.set(title=f"{title}\naccuracy {accuracy:.2f}", xticks=[], yticks=[], aspect="equal")
    fig.suptitle("a linear classifier on the spiral: straight boundaries with either loss")
    fig.tight_layout()
    picture = save_figure(fig, args.out / "lesson4_softmax_vs_svm.png")
    return {"hinge": per_image, "hinge_by_hand": by_hand, "hinge_mean": mean_hinge,
            "squared": squared, "softmax": softmax_losses, "first_ce": first_ce,
            "first_hinge": first_hinge, "accuracy": {k: v[2] for k, v in results.items()},
            "picture": picture}


if __name__ == "__main__":
    main()
