"""``mg.grad``: the gradients of outputs with respect to inputs, returned instead of
accumulated into ``.grad``; and the gradient that starts any backward pass."""
from __future__ import annotations

from .backend import xp
from .engine import is_tensor, new_constant, owned, run_backward, wrap


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple; ``.grad`` of the
    leaves is left alone.

    >>> import minigrad as mg
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> (dx,) = mg.grad(x ** 2, x)
    >>> dx.item()
    6.0
    """
    outputs = [outputs] if is_tensor(outputs) else list(outputs)
    inputs = [inputs] if is_tensor(inputs) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif is_tensor(grad_outputs):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    for i, t in enumerate(inputs):
        if not is_tensor(t) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad, so it has no gradient")
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = [], []
    for out, g in zip(outputs, grad_outputs):
        if not out.requires_grad:
            raise RuntimeError("grad: an output does not require grad and has no grad_fn")
        roots.append(out)
        root_grads.append(initial_grad(out, g, create_graph, "grad"))
    results = run_backward(roots, root_grads, retain_graph, create_graph, targets=inputs)
    final = []
    seen_arrays = set()
    for i, (t, g) in enumerate(zip(inputs, results)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            final.append(None)
        else:
            if not create_graph:
                g = owned(xp.asarray(g), seen_arrays)
            final.append(wrap(g))
    return tuple(final)


def initial_grad(root, gradient, create_graph: bool, op: str):
    """The gradient that starts backward at ``root``: ones for a scalar, else ``gradient``."""
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{op}: grad can be implicitly created only for scalar outputs, but the output "
                f"has shape {tuple(root.shape)}; pass gradient= (a tensor of that shape)"
            )
        g = xp.ones_like(root.data)
    else:
        g = gradient.data if is_tensor(gradient) else xp.asarray(gradient, dtype=root.data.dtype)
        if g.shape != root.data.shape:
            raise RuntimeError(
                f"{op}: gradient has shape {tuple(g.shape)} but the output has shape "
                f"{tuple(root.shape)}; they must match"
            )
        if create_graph and is_tensor(gradient):
            return gradient
        g = g.copy()
    return new_constant(g) if create_graph else g
