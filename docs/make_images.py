"""Regenerate the pictures of the docs with minigrad's own drawing code.

    python docs/make_images.py              # writes docs/images/mlp_backprop.svg
    python docs/make_images.py --png /tmp/mlp_backprop.png   # also a PNG, to look at

The picture: one training step of a 2-3-2 MLP with cross-entropy on a batch of two, with every
value, every gradient, and the gradient flowing back along each edge.
"""
from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing

from minigrad import viz  # noqa: E402
from minigrad.draw import training_step  # noqa: E402


def mlp_backprop() -> viz.graphviz.Digraph:
    loss, names, model = training_step([2, 3, 2], batch=2, seed=0)
    return viz.draw_graph(loss, names=names, module=model, show_backward=True, rankdir="TB",
                          title="One training step of MLP(2→3→2) with cross-entropy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", help="also render a PNG here (to check the picture by eye)")
    args = parser.parse_args()
    graph = mlp_backprop()
    os.makedirs(os.path.join(HERE, "images"), exist_ok=True)
    path = viz.render(graph, os.path.join(HERE, "images", "mlp_backprop.svg"))
    print("wrote", path)
    if args.png:
        print("wrote", viz.render(graph, args.png))


if __name__ == "__main__":
    main()
