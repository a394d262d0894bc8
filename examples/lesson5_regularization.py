"""Lesson 5 — L2, L1 and elastic-net regularization on an MLP that overfits.

A big MLP trained on a few noisy points learns them by heart (training accuracy 1.0) and
draws a wiggly boundary that does worse on new points.  Regularization adds a price on the
weights to the data loss, in one line each (λ sets the trade-off, as in the notes):

    L2:           loss = data_loss + λ Σ w²        (pushes all weights towards 0 smoothly)
    L1:           loss = data_loss + λ Σ |w|       (drives many weights to exactly ~0: sparse)
    elastic net:  loss = data_loss + λ₁ Σ |w| + λ₂ Σ w²

Biases are left out, as usual.  The picture shows each model's boundary with its train and
test accuracy, and the histogram of its weights.

    python examples/lesson5_regularization.py [--out runs/lessons] [--quick]
"""
from __future__ import annotations

import _common
import numpy as np
from _common import plt, save_figure

import minigrad as mg
import minigrad.functional as F
import nn

L2, L1 = 3e-3, 1e-3
PENALTIES = {
    "none": lambda weights: 0.0,
    "L2": lambda weights: L2 * sum((w ** 2).sum() for w in weights),
    "L1": lambda weights: L1 * sum(w.abs().sum() for w in weights),
    "elastic net": lambda weights: sum(L1 * w.abs().sum() + L2 * (w ** 2).sum() for w in weights),
}


def accuracy(model, X, y) -> float:
    with mg.no_grad():
        return float((model(X).numpy().argmax(1) == y.numpy()).mean())


def fit(penalty, X, y, steps: int):
    mg.manual_seed(0)
    model = nn.MLP(2, [128, 128], 2, activation="relu")
    weights = [p for name, p in model.named_parameters() if name.endswith("weight")]
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(steps):
        loss = F.cross_entropy(model(X), y) + penalty(weights)  # the one line
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model, np.concatenate([w.numpy().ravel() for w in weights])


def main(argv=None) -> dict:
    args = _common.lesson_parser(__doc__).parse_args(argv)
    X, y = nn.datasets.moons(n_samples=540, noise=0.35, seed=3)
    X_train, y_train, X_test, y_test = X[:40], y[:40], X[40:], y[40:]
    steps = 300 if args.quick else 1000
    print(f"moons with noise 0.35: {len(y_train)} training points, {len(y_test)} test points; "
          f"MLP 2-128-128-2, SGD with momentum, {steps} full-batch steps; λ(L2) = {L2}, λ(L1) = {L1}")
    results = {}
    for name, penalty in PENALTIES.items():
        model, weights = fit(penalty, X_train, y_train, steps)
        results[name] = {
            "model": model, "weights": weights,
            "train_acc": accuracy(model, X_train, y_train), "test_acc": accuracy(model, X_test, y_test),
            "l2_norm": float(np.sqrt((weights ** 2).sum())),
            "near_zero": float((np.abs(weights) < 1e-3).mean()),
        }
        r = results[name]
        print(f"{name:<12} train {r['train_acc']:.3f}  test {r['test_acc']:.3f}  "
              f"|w|₂ = {r['l2_norm']:6.2f}  weights below 1e-3: {100 * r['near_zero']:5.1f}%")

    xs, ys = np.meshgrid(np.linspace(-2, 3, 200), np.linspace(-1.7, 2.2, 200))
    grid = mg.tensor(np.c_[xs.ravel(), ys.ravel()].astype(np.float32))
    fig, axes = plt.subplots(2, 4, figsize=(13, 6), gridspec_kw={"height_ratios": [1.3, 1]})
    colors = np.array(["tab:blue", "tab:orange"])
    for column, (name, r) in enumerate(results.items()):
        ax = axes[0, column]
        with mg.no_grad():
            regions = r["model"](grid).numpy().argmax(1).reshape(xs.shape)
        ax.contourf(xs, ys, regions, levels=[-0.5, 0.5, 1.5], colors=list(colors), alpha=0.2)
        ax.scatter(*X_test.numpy().T, c=colors[y_test.numpy()], s=4, alpha=0.35)
        ax.scatter(*X_train.numpy().T, c=colors[y_train.numpy()], s=40, edgecolors="k")
        ax.set(title=f"{name}\ntrain {r['train_acc']:.2f}, test {r['test_acc']:.2f}",
               xticks=[], yticks=[])
        ax = axes[1, column]
        ax.hist(r["weights"], bins=np.linspace(-0.6, 0.6, 61), color="tab:purple")
        ax.set(xlabel="weight value", yscale="log", title=f"|w|₂ = {r['l2_norm']:.1f}")
    axes[1, 0].set_ylabel("number of weights")
    fig.suptitle("big dots: the 40 training points; small dots: test points")
    fig.tight_layout()
    picture = save_figure(fig, args.out / "lesson5_regularization.png")
    summary = {name: {k: v for k, v in r.items() if k not in ("model", "weights")}
               for name, r in results.items()}
    return {"results": summary, "picture": picture}


if __name__ == "__main__":
    main()
