"""The strong Wolfe line search of LBFGS (after minFunc, as PyTorch's): find a step t along a
direction d where the loss fell enough (sufficient decrease, c1) and the slope flattened enough
(curvature, c2), by bracketing and cubic interpolation."""
from __future__ import annotations

import math
from collections.abc import Callable

from minigrad.backend import xp


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None) -> float:
    """The minimizer, within ``bounds``, of the cubic through (x1, f1) and (x2, f2) with slopes
    g1 and g2; the middle of the bounds when the cubic has none."""
    if bounds is not None:
        low, high = bounds
    else:
        low, high = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, low), high)
    return (low + high) / 2.0


class _Point:
    """One trial step: t, the loss, the flat gradient and the slope along d there."""

    __slots__ = ("t", "f", "g", "gtd")

    def __init__(self, t, f, g, gtd):
        self.t, self.f, self.g, self.gtd = t, f, g, gtd


def strong_wolfe(evaluate: Callable, t: float, d, f: float, g, gtd: float, c1: float = 1e-4,
                 c2: float = 0.9, tolerance_change: float = 1e-9, max_ls: int = 25) -> tuple:
    """``evaluate(t)`` returns ``(loss, flat gradient)`` at the step t along d.  Returns
    ``(loss, flat gradient, t, number of evaluations)`` at the step found."""
    d_norm = float(xp.abs(d).max())
    start = _Point(0, f, g.copy(), gtd)
    f_new, g_new = evaluate(t)
    evaluations, ls_iter = 1, 0
    new = _Point(t, f_new, g_new, float(g_new @ d))
    prev = start
    bracket, done = None, False
    while ls_iter < max_ls:  # phase 1: find an interval that holds a good step
        if new.f > f + c1 * new.t * gtd or (ls_iter > 1 and new.f >= prev.f):
            bracket = [prev, _Point(new.t, new.f, new.g.copy(), new.gtd)]
            break
        if abs(new.gtd) <= -c2 * gtd:
            bracket, done = [new], True
            break
        if new.gtd >= 0:
            bracket = [prev, _Point(new.t, new.f, new.g.copy(), new.gtd)]
            break
        min_step, max_step = new.t + 0.01 * (new.t - prev.t), new.t * 10
        t_next = cubic_interpolate(prev.t, prev.f, prev.gtd, new.t, new.f, new.gtd,
                                   bounds=(min_step, max_step))
        prev = _Point(new.t, new.f, new.g.copy(), new.gtd)
        f_new, g_new = evaluate(t_next)
        new = _Point(t_next, f_new, g_new, float(g_new @ d))
        evaluations += 1
        ls_iter += 1
    if ls_iter == max_ls:
        bracket = [_Point(0, f, g, None), _Point(new.t, new.f, new.g, None)]
    best, evaluations = _zoom(evaluate, bracket, done, ls_iter, max_ls, evaluations, d, d_norm,
                              f, gtd, c1, c2, tolerance_change)
    return best.f, best.g, best.t, evaluations


def _zoom(evaluate, bracket, done, ls_iter, max_ls, evaluations, d, d_norm, f, gtd, c1, c2,
          tolerance_change):
    """Phase 2: shrink the bracket by cubic interpolation until a step meets both conditions."""
    insufficient_progress = False
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0].t, bracket[0].f, bracket[0].gtd,
                              bracket[1].t, bracket[1].f, bracket[1].gtd)
        t, insufficient_progress = _keep_away_from_the_ends(
            t, bracket[0].t, bracket[1].t, insufficient_progress)
        f_new, g_new = evaluate(t)
        evaluations += 1
        ls_iter += 1
        gtd_new = float(g_new @ d)
        point = _Point(t, f_new, g_new.copy(), gtd_new)
        if f_new > f + c1 * t * gtd or f_new >= bracket[low].f:
            bracket[high] = point
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = point
    return bracket[low], evaluations


def _keep_away_from_the_ends(t, a, b, insufficient_progress):
    """A trial step too near an end of the bracket [a, b] (or outside it, twice running) moves
    to 10% of the bracket's width inside it."""
    eps = 0.1 * (max(a, b) - min(a, b))
    if min(max(a, b) - t, t - min(a, b)) < eps:
        if insufficient_progress or t >= max(a, b) or t <= min(a, b):
            t = max(a, b) - eps if abs(t - max(a, b)) < abs(t - min(a, b)) else min(a, b) + eps
            return t, False
        return t, True
    return t, False
