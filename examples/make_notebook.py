"""Write examples/tutorial.ipynb from the cells below (the notebook is generated, so that a review
reads this file and its diff, not JSON), and run it, so that the committed notebook shows its
outputs and drawings where the repository is browsed.

    python examples/make_notebook.py              # rewrites and executes examples/tutorial.ipynb
    python examples/make_notebook.py --no-execute # the cells only, without outputs

Executing needs the kernel (``pip install -e ".[dev]"`` or ``".[notebook]"``) and, for the
drawings, Graphviz's ``dot``.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    ("md", """# minigrad in one sitting

A tour of the engine: tensors, the graph they record, `backward()`, one neuron, and an MLP
that learns the spiral, with the backprop graph drawn inline. Run the cells in order."""),
    ("code", """import pathlib, sys
root = pathlib.Path.cwd().parent  # a checkout: its own minigrad, installed or not
if (root / "minigrad" / "__init__.py").is_file():
    sys.path.insert(0, str(root))

import numpy as np
import matplotlib.pyplot as plt
import minigrad as mg
import minigrad.functional as F
import nn
mg.manual_seed(0)"""),
    ("md", """## Tensors
A `Tensor` holds a numpy array (`.data`) and, when it requires a gradient, remembers the op
that made it (`.grad_fn`). Python floats become float32, as in PyTorch."""),
    ("code", """x = mg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
print(x.shape, x.dtype)
print(x.sum(dim=1), x.mean(), x.T @ x)"""),
    ("md", """## The graph and `backward()`
Every op on a tensor that requires grad records a node. `backward()` walks the nodes in
reverse and applies the chain rule. For `y = tanh(w x + b)`, `dy/dw = (1 - y²) x`."""),
    ("code", """w = mg.tensor(0.5, requires_grad=True)
b = mg.tensor(-0.2, requires_grad=True)
xv = mg.tensor(2.0)
y = (w * xv + b).tanh()
print("y =", y, "made by", y.grad_fn)
y.backward()
print("dy/dw by autograd:", w.grad.item(), " by hand:", (1 - y.item() ** 2) * 2.0)
print("dy/db by autograd:", b.grad.item(), " by hand:", 1 - y.item() ** 2)"""),
    ("md", """## Drawing the graph
`mg.draw_graph(root)` returns a `graphviz.Digraph`; a notebook shows it inline (Graphviz's
`dot` must be installed). Boxes are tensors with their values and gradients, ellipses are ops."""),
    ("code", """import shutil
w = mg.tensor(0.5, requires_grad=True)
b = mg.tensor(-0.2, requires_grad=True)
y = (w * xv + b).tanh()
if shutil.which("dot"):
    display(mg.draw_graph(y, names={w: "w", b: "b", xv: "x", y: "y"}))
else:
    print("install Graphviz to see the drawing")"""),
    ("md", """## One neuron
A neuron is a linear map and an activation: `sigmoid(x·w + b)`. Trained with binary
cross-entropy and plain gradient descent, it learns the AND of two inputs."""),
    ("code", """X = mg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
target = mg.tensor([0.0, 0.0, 0.0, 1.0])
w = mg.zeros(2, requires_grad=True)
b = mg.zeros(1, requires_grad=True)
for step in range(2000):
    p = (X @ w + b).sigmoid()
    loss = F.binary_cross_entropy(p, target)
    w.grad = b.grad = None
    loss.backward()
    with mg.no_grad():
        w -= 1.0 * w.grad
        b -= 1.0 * b.grad
print("loss", round(loss.item(), 4), "outputs", p.numpy().round(3))"""),
    ("md", """## An MLP on the spiral
`nn.MLP` stacks `Linear` layers with ReLU between them. Cross-entropy and Adam, full batch."""),
    ("code", """X, y = nn.datasets.spiral(n_per_class=100, n_classes=3, seed=0)
model = nn.MLP(2, [64, 64], 3, activation="relu")
optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
print("first loss", round(F.cross_entropy(model(X), y).item(), 3), "(log 3 =", round(np.log(3), 3), ")")
for step in range(300):
    loss = F.cross_entropy(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
with mg.no_grad():
    accuracy = (model(X).numpy().argmax(1) == y.numpy()).mean()
print("loss", round(loss.item(), 4), "training accuracy", accuracy)"""),
    ("code", """xs, ys = np.meshgrid(np.linspace(-1.2, 1.2, 200), np.linspace(-1.2, 1.2, 200))
with mg.no_grad():
    regions = model(mg.tensor(np.c_[xs.ravel(), ys.ravel()].astype(np.float32))).numpy().argmax(1)
plt.figure(figsize=(4, 4))
plt.contourf(xs, ys, regions.reshape(xs.shape), alpha=0.3, levels=[-0.5, 0.5, 1.5, 2.5], cmap="brg")
plt.scatter(*X.numpy().T, c=y.numpy(), s=8, cmap="brg")
plt.title(f"accuracy {accuracy:.2f}")
plt.show()"""),
    ("md", """## The backprop graph of the MLP
The graph of one loss on a batch of 4 points, with the layers of the model grouped."""),
    ("code", """model.zero_grad()  # the drawing shows this step's gradients, none left over from training
loss = F.cross_entropy(model(X[:4]), y[:4])
if shutil.which("dot"):
    display(mg.draw_graph(loss, module=model, rankdir="TB"))
model.zero_grad()"""),
]


def cell_ids(cells: list[tuple[str, str]]) -> list[str]:
    """Cell ids that are the same on every regeneration (nbformat would draw random ones, and each
    run would rewrite every id): a hash of the cell's kind and text, so an edited or inserted cell
    gets a new id and the others keep theirs; a repeated cell gets a counter, as ids are unique."""
    ids, seen = [], {}
    for kind, text in cells:
        digest = hashlib.sha1(f"{kind}\n{text}".encode()).hexdigest()[:12]
        seen[digest] = seen.get(digest, 0) + 1
        ids.append(digest if seen[digest] == 1 else f"{digest}-{seen[digest]}")
    return ids


def build() -> nbformat.NotebookNode:
    cells = [(new_markdown_cell if kind == "md" else new_code_cell)(text, id=cell_id)
             for (kind, text), cell_id in zip(CELLS, cell_ids(CELLS))]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    return notebook


def execute(notebook: nbformat.NotebookNode, folder: Path) -> None:
    """Run every cell in a fresh kernel, in ``folder``, keeping the outputs in ``notebook``."""
    import nbclient

    if shutil.which("dot") is None:
        raise SystemExit("make_notebook.py: error: Graphviz's dot is not installed: the committed "
                         "notebook would lose its drawings (or give --no-execute)")
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()
    for cell in notebook.cells:  # no run-dependent metadata: regenerating changes nothing else
        cell.metadata.pop("execution", None)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Write (and run) examples/tutorial.ipynb.")
    parser.add_argument("--no-execute", action="store_true", help="write the cells without outputs")
    args = parser.parse_args(argv)
    folder = Path(__file__).resolve().parent
    notebook = build()
    if not args.no_execute:
        execute(notebook, folder)
    nbformat.write(notebook, folder / "tutorial.ipynb")
    print(f"wrote {folder / 'tutorial.ipynb'}" + ("" if args.no_execute else ", executed"))


if __name__ == "__main__":
    main()
