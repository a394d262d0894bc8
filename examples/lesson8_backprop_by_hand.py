"""Lesson 8 — backprop is the chain rule: a 2-layer network's gradients by hand vs backward().

The network: z₁ = x W₁ᵀ + b₁, h = relu(z₁), s = h W₂ᵀ + b₂, L = cross_entropy(s, y).
Going backwards, each step multiplies by the local derivative (the notes' chain rule):

    ds  = (softmax(s) - onehot(y)) / N        softmax with cross-entropy: ŷ - y
    dW₂ = dsᵀ h          db₂ = Σ_rows ds      dh = ds W₂
    dz₁ = dh * [z₁ > 0]  (ReLU lets the gradient through where it was active)
    dW₁ = dz₁ᵀ x         db₁ = Σ_rows dz₁

Written in numpy and compared with minigrad's backward() by ``mg.testing.compare_grads``,
one line per gradient (exact / approximate / max difference, or the two shapes when they
differ).  To compute them, backward needs values of the forward pass (x, z₁, h, s...): those
are kept in memory from forward until backward, which is why training takes more memory than
prediction, and more with larger batches.  The drawing shows the graph with its values and
gradients (needs minigrad.viz and Graphviz's dot).

    python examples/lesson8_backprop_by_hand.py [--out runs/lessons] [--quick]
"""
from __future__ import annotations

import _common
import numpy as np

import minigrad as mg
import minigrad.functional as F
from minigrad import engine


def make_network(batch: int, features: int, hidden: int, classes: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = mg.tensor(rng.standard_normal((batch, features)))  # float64: exact comparisons
    y = mg.tensor(rng.integers(0, classes, size=batch))
    params = {
        "W1": mg.tensor(rng.standard_normal((hidden, features)) * 0.5, requires_grad=True),
        "b1": mg.tensor(rng.standard_normal(hidden) * 0.1, requires_grad=True),
        "W2": mg.tensor(rng.standard_normal((classes, hidden)) * 0.5, requires_grad=True),
        "b2": mg.tensor(rng.standard_normal(classes) * 0.1, requires_grad=True),
    }
    return x, y, params


def forward(x, y, p):
    """The loss, and the intermediate tensors by name (for the drawing)."""
    z1 = x @ p["W1"].T + p["b1"]
    h = z1.relu()
    s = h @ p["W2"].T + p["b2"]
    return F.cross_entropy(s, y), {"z1": z1, "h": h, "s": s}


def gradients_by_hand(x, y, p) -> dict:
    """The chain rule, step by step, in plain numpy."""
    x, y = x.numpy(), y.numpy()
    W1, b1, W2, b2 = (p[k].numpy() for k in ("W1", "b1", "W2", "b2"))
    N = len(x)
    z1 = x @ W1.T + b1  # forward, keeping what backward needs
    h = np.maximum(z1, 0)
    s = h @ W2.T + b2
    e = np.exp(s - s.max(axis=1, keepdims=True))
    y_hat = e / e.sum(axis=1, keepdims=True)
    ds = (y_hat - np.eye(s.shape[1])[y]) / N  # backward
    dh = ds @ W2
    dz1 = dh * (z1 > 0)
    return {"W2": ds.T @ h, "b2": ds.sum(axis=0), "W1": dz1.T @ x, "b1": dz1.sum(axis=0)}


def by_hand_wrong_b2(x, y, p) -> np.ndarray:
    """db₂ as learners first write it: ds itself, one row per sample, not summed over rows."""
    s = np.maximum(x.numpy() @ p["W1"].numpy().T + p["b1"].numpy(), 0) @ p["W2"].numpy().T \
        + p["b2"].numpy()
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True) - np.eye(s.shape[1])[y.numpy()]) / len(s)


def _buffer(array: np.ndarray) -> np.ndarray:
    """The array that owns the memory (a transpose is a view of its parameter, not a copy)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def saved_bytes(loss) -> tuple[int, int]:
    """Bytes the graph behind ``loss`` keeps for backward: (forward values, parameters).

    Each node of minigrad's graph holds its input arrays and its output array; an array held by
    several nodes, or seen through a view, is counted once."""
    nodes = engine.topological_order([loss.grad_fn])
    parameters = {id(_buffer(leaf.data)) for node in nodes for leaf in node.parents
                  if isinstance(leaf, mg.Tensor)}
    kept = {}
    for node in nodes:
        for array in (*node.inputs, node.output):
            if isinstance(array, np.ndarray):
                buffer = _buffer(array)
                kept[id(buffer)] = buffer
    parameter_bytes = sum(buffer.nbytes for key, buffer in kept.items() if key in parameters)
    return sum(buffer.nbytes for buffer in kept.values()) - parameter_bytes, parameter_bytes


def main(argv=None) -> dict:
    args = _common.lesson_parser(__doc__).parse_args(argv)
    x, y, params = make_network(batch=4, features=3, hidden=5, classes=3)
    loss, _ = forward(x, y, params)
    by_hand = gradients_by_hand(x, y, params)
    loss.backward()
    gaps = {k: float(np.abs(params[k].grad.numpy() - by_hand[k]).max()) for k in by_hand}
    print(f"loss = {loss.item():.6f}")
    print("d loss / d parameter: the chain rule by hand vs backward() (mg.testing.compare_grads)")
    all_match = mg.testing.compare_grads(params, by_hand)
    print("  all match" if all_match else "  some gradients differ: check the lines above")
    print("a classic mistake, db2 not summed over the batch, is caught by its shape:")
    mg.testing.compare("b2", by_hand_wrong_b2(x, y, params), params["b2"])

    print("memory the graph keeps from forward until backward (float64):")
    memory = {}
    for batch in (4, 64, 1024):
        xb, yb, pb = make_network(batch=batch, features=3, hidden=100, classes=3)
        activations, parameters = saved_bytes(forward(xb, yb, pb)[0])
        memory[batch] = (activations, parameters)
        print(f"  batch {batch:>5}: forward values {activations / 1024:9.1f} KiB, "
              f"parameters {parameters / 1024:5.1f} KiB")
    print("  the saved values grow with the batch; prediction under mg.no_grad() keeps none")

    x, y, params = make_network(batch=4, features=3, hidden=5, classes=3)
    loss, intermediates = forward(x, y, params)
    names = {tensor: name for name, tensor in (*params.items(), *intermediates.items())}
    names.update({x: "x", y: "y", loss: "loss"})
    drawing = _common.draw_graph_svg(loss, args.out / "lesson8_backprop_graph.svg", png=True,
                                     names=names, rankdir="TB",
                                     title="2-layer network: values and gradients")
    return {"loss": loss.item(), "gaps": gaps, "all_match": all_match, "memory": memory, "drawing": drawing}


if __name__ == "__main__":
    main()
