"""Lesson 9 — second order, seen: Newton's method on J(w) = w² - 10w + 25, and the graph of a gradient.

Gradient descent (lesson 1) steps by w <- w - lr J'(w) and needs about a thousand small steps to
reach the minimum w = 5.  Newton's method divides by the curvature instead of guessing a rate:

    w <- w - J'(w) / J''(w),   here J'(w) = 2w - 10 and J''(w) = 2,

which for a quadratic lands on the minimum in one step: from w = 0, w = 0 - (-10)/2 = 5.

Autograd computes J'' by differentiating the gradient: ``mg.grad(J, w, create_graph=True)``
records the backward pass itself as a graph, so the gradient dJ/dw is a tensor with a graph of
its own, which ``mg.grad`` differentiates again.  The drawings show that graph under the
forward graph of J: the backward of ``w ** 2`` became the ops ``pow(w, 1)`` and ``mul`` by 2,
the backward of ``- 10 w`` a constant -10, and their sum, ``add``, is dJ/dw = 2w - 10.  Its own
gradient with respect to w, drawn on w in red, is J''(w) = 2.

    python examples/lesson9_newton.py [--out runs/lessons] [--quick]
"""
from __future__ import annotations

import _common
from _common import plt, save_figure

import minigrad as mg


def J(w):
    return w ** 2 - 10 * w + 25


def newton_step(w):
    """One Newton step: the new w, and J'(w), J''(w) from autograd (first and second order)."""
    cost = J(w)
    (slope,) = mg.grad(cost, w, create_graph=True)  # J'(w) = 2w - 10, itself a graph
    (curvature,) = mg.grad(slope, w)  # J''(w) = 2: the derivative of the gradient's graph
    with mg.no_grad():
        new_w = (w - slope / curvature).detach().requires_grad_()
    return new_w, slope.item(), curvature.item()


def side_by_side(left, right, path):
    """The two PNG drawings in one figure: the forward graph above the gradient's graph."""
    fig, axes = plt.subplots(2, 1, figsize=(9, 6))
    for ax, picture, title in ((axes[0], left, "forward: J(w) = w² - 10w + 25"),
                               (axes[1], right, "the gradient's own graph: dJ/dw = 2w - 10")):
        ax.imshow(plt.imread(picture))
        ax.set_title(title)
        ax.axis("off")
    return save_figure(fig, path)


def main(argv=None) -> dict:
    args = _common.lesson_parser(__doc__).parse_args(argv)
    w = mg.tensor(0.0, dtype=mg.float64, requires_grad=True)
    print("J(w) = w² - 10w + 25, Newton's method from w = 0")
    path, derivatives = [w.item()], []
    for step in (1, 2):
        w, slope, curvature = newton_step(w)
        path.append(w.item())
        derivatives.append((slope, curvature))
        print(f"step {step}: J'(w) = {slope:g}, J''(w) = {curvature:g}, "
              f"w <- w - J'/J'' = {w.item():g}")
    print(f"one Newton step reaches w = {path[1]:g} exactly (gradient descent with lr = 0.01: "
          "0.1 after one step, lesson 1); the second step stays there: J'(5) = 0")

    w0 = mg.tensor(0.0, dtype=mg.float64, requires_grad=True)
    cost = J(w0)
    (slope,) = mg.grad(cost, w0, create_graph=True)
    names = {w0: "w", cost: "J", slope: "dJ/dw"}
    forward = _common.draw_graph_svg(cost, args.out / "lesson9_forward_graph.svg", png=True,
                                     names=names, title="forward: J(w)", legend=False)
    gradient = _common.draw_graph_svg(slope, args.out / "lesson9_gradient_graph.svg", png=True,
                                      names=names, title="the graph of dJ/dw (create_graph=True)",
                                      legend=False)
    picture = None
    if forward is not None and gradient is not None:
        picture = side_by_side(forward.with_suffix(".png"), gradient.with_suffix(".png"),
                               args.out / "lesson9_newton_graphs.png")
    return {"path": path, "derivatives": derivatives, "drawings": (forward, gradient),
            "picture": picture}


if __name__ == "__main__":
    main()
