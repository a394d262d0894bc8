"""Shapes the checks draw (each function answers a Draws: ``int(lo, hi)`` and ``pick``)."""
from __future__ import annotations

from .checker import Case


def broadcast_pair(d) -> Case:
    """Two shapes that broadcast: size-1 dimensions on either side, and dimensions missing in
    front of the second."""
    n = d.int(1, 3)
    full = [d.int(1, 4) for _ in range(n)]
    a = tuple(size if d.int(0, 2) else 1 for size in full)
    b = tuple(size if d.int(0, 2) else 1 for size in full)
    return Case((a, b[d.int(0, n - 1):]))


def matmul_pair(d) -> Case:
    n, k, m = d.int(1, 5), d.int(1, 5), d.int(1, 5)
    return Case(((n, k), (k, m)))


def reduce_dim(d) -> Case:
    n = d.int(1, 3)
    shape = tuple(d.int(1, 4) for _ in range(n))
    return Case((shape,), {"dim": d.int(-n, n - 1)})


def any_shape(d) -> Case:
    return Case((tuple(d.int(1, 4) for _ in range(d.int(0, 3))),))


def batch_rows(d) -> Case:
    """A batch of N rows of C scores (N may be 1)."""
    return Case(((d.int(1, 5), d.int(2, 5)),))


def linear_shapes(d) -> Case:
    n, i, o = d.int(1, 5), d.int(1, 4), d.int(1, 4)
    return Case(((n, i), (o, i), (o,)))
