"""Lesson 6 — SGD, momentum, RMSProp and Adam at a saddle point and on a plateau.

The notes: in high dimensions training rarely gets stuck in a bad local minimum; it slows down
at saddle points (a minimum along some directions, a maximum along others) and on plateaus
(long stretches where the gradient is nearly 0).  Momentum keeps the speed it gathered,
RMSProp and Adam divide each step by a running size of the gradient, so a tiny gradient still
moves them at about the learning rate: they leave the saddle and cross the plateau sooner.

Two surfaces, each optimizer from nn.optim started at the same point:
    saddle   f(x, y) = x² - y² + y⁴/4   saddle at (0, 0), minima at (0, ±√2) where f = -1
    plateau  f(x, y) = 1 - exp(-(x² + 2y²) / 2)   flat far from its minimum at (0, 0)

    python examples/lesson6_optimizers.py [--out runs/lessons] [--quick]
"""
from __future__ import annotations

import _common
import numpy as np
from _common import plt, save_figure

import minigrad as mg
import nn


def saddle(x, y):
    return x ** 2 - y ** 2 + y ** 4 / 4


def plateau(x, y):
    exponent = -(x ** 2 + 2 * y ** 2) / 2
    return 1 - (exponent.exp() if isinstance(exponent, mg.Tensor) else np.exp(exponent))


SURFACES = {
    # "escaped" is the value of f below which the optimizer has left the hard region.
    "saddle point": {"f": saddle, "start": (1.5, 1e-3), "box": (-2, 2, -2, 2), "escaped": -0.5},
    "plateau": {"f": plateau, "start": (2.4, 1.4), "box": (-1.5, 3, -1.5, 2), "escaped": 0.5},
}
OPTIMIZERS = {  # each with a learning rate it is commonly used with
    "SGD": lambda p: nn.optim.SGD(p, lr=0.05),
    "momentum": lambda p: nn.optim.SGD(p, lr=0.05, momentum=0.9),
    "RMSProp": lambda p: nn.optim.RMSprop(p, lr=0.05),
    "Adam": lambda p: nn.optim.Adam(p, lr=0.05),
}


def descend(f, start, make_optimizer, steps: int):
    """Minimize f(x, y) from ``start``; returns the path (steps + 1, 2) and f along it."""
    point = nn.Parameter(mg.tensor(start, dtype=mg.float64))
    optimizer = make_optimizer([point])
    path, values = [point.numpy().copy()], []
    for _ in range(steps):
        value = f(point[0], point[1])
        values.append(value.item())
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        path.append(point.numpy().copy())
    values.append(f(point[0], point[1]).item())
    return np.array(path), np.array(values)


def main(argv=None) -> dict:
    args = _common.lesson_parser(__doc__).parse_args(argv)
    steps = 60 if args.quick else 150
    fig, axes = plt.subplots(2, 2, figsize=(10, 8.4), gridspec_kw={"height_ratios": [1.25, 1]})
    results = {}
    for column, (surface, spec) in enumerate(SURFACES.items()):
        f, (x0, x1, y0, y1) = spec["f"], spec["box"]
        xs, ys = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
        ax_map, ax_loss = axes[0, column], axes[1, column]
        ax_map.contourf(xs, ys, f(xs, ys), levels=30, cmap="Greys_r", alpha=0.6)
        ax_map.plot(*spec["start"], "k*", markersize=12)
        print(f"{surface}: start {spec['start']}, f = {f(*spec['start']):.4f}")
        for name, make in OPTIMIZERS.items():
            path, values = descend(f, spec["start"], make, steps)
            below = np.flatnonzero(values < spec["escaped"])
            escape_step = int(below[0]) if len(below) else None
            results[(surface, name)] = (values, escape_step)
            inside = np.all((path >= [x0, y0]) & (path <= [x1, y1]), axis=1)
            shown = path[: np.argmin(inside) if not inside.all() else len(path)]
            ax_map.plot(shown[:, 0], shown[:, 1], ".-", markersize=3, linewidth=1.2, label=name)
            ax_loss.plot(values, label=name)
            print(f"  {name:<9} f < {spec['escaped']} after "
                  f"{escape_step if escape_step is not None else f'more than {steps}':>3} steps;"
                  f" f after {steps} steps = {values[-1]: .4f}")
        ax_map.set(title=f"{surface}", xlim=(x0, x1), ylim=(y0, y1), xlabel="x", ylabel="y")
        ax_map.legend(loc="lower left", fontsize=8)
        ax_loss.set(xlabel="step", ylabel="f(x, y)", title=f"{surface}: loss per step")
        ax_loss.grid(alpha=0.3)
        ax_loss.legend(fontsize=8)
    fig.tight_layout()
    picture = save_figure(fig, args.out / "lesson6_optimizers.png")
    return {"final": {key: values[-1] for key, (values, _) in results.items()},
            "escape_step": {key: step for key, (_, step) in results.items()}, "steps": steps,
            "picture": picture}


if __name__ == "__main__":
    main()
