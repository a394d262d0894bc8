"""``mg.grad`` and ``mg.autograd.backward``: the gradients of outputs with respect to inputs,
returned (``grad``) or accumulated into ``.grad`` (``backward``); and the gradient that starts
any backward pass."""
from __future__ import annotations

import warnings

from .backend import xp
from .engine import is_tensor, new_constant, owned, run_backward, wrap


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (a dict when
    ``inputs`` is a dict of named tensors); ``.grad`` of the leaves is left alone.  PyTorch's
    ``torch.autograd.grad``, argument for argument.

    ``allow_unused``: an input the outputs do not depend on gets None (else it is an error);
    ``materialize_grads``: it gets zeros instead.  ``is_grads_batched``: the first dimension of
    every ``grad_outputs`` tensor is a batch, and each result has that dimension in front (one
    backward per batch entry; PyTorch uses vmap, the numbers are the same).  ``only_inputs`` is
    deprecated and ignored, as in PyTorch.

    >>> import minigrad as mg
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> (dx,) = mg.grad(x ** 2, x)
    >>> dx.item()
    6.0
    """
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). "
                      "To accumulate gradient for other parts of the graph, please use "
                      "mg.autograd.backward.", FutureWarning, stacklevel=2)
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads="
                         "True, but got: allow_unused=False.")
    allow_unused = bool(allow_unused) or materialize_grads
    names = None
    if isinstance(inputs, dict):
        names, inputs = list(inputs), list(inputs.values())
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
    if is_grads_batched:
        results = _batched(outputs, inputs, list(grad_outputs), retain_graph, create_graph,
                           allow_unused)
    else:
        results = _gradients(outputs, inputs, grad_outputs, retain_graph, create_graph,
                             allow_unused)
    if materialize_grads:
        results = tuple(_zeros_for(t, g, is_grads_batched, grad_outputs, create_graph)
                        for t, g in zip(inputs, results))
    return dict(zip(names, results)) if names is not None else results


def _gradients(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused) -> tuple:
    roots, root_grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out.requires_grad:
            raise RuntimeError(f"grad: element {i} of the outputs does not require grad and has "
                               "no grad_fn")
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


def _batched(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused) -> tuple:
    """``is_grads_batched``: one backward per entry of the grad_outputs' first dimension."""
    from .ops.shape import stack  # (ops are built on the engine, as this module is)

    sizes = {g.shape[0] for g in grad_outputs if is_tensor(g) and g.ndim}
    if len(sizes) != 1 or any(not is_tensor(g) for g in grad_outputs):
        raise RuntimeError("grad: with is_grads_batched=True every grad_outputs entry must be a "
                           "tensor whose first dimension is the batch, the same for all "
                           f"(got batch sizes {sorted(sizes)})")
    (count,) = sizes
    rows = [_gradients(outputs, inputs, [g[b] for g in grad_outputs],
                       retain_graph or b < count - 1, create_graph, allow_unused)
            for b in range(count)]
    results = []
    for i in range(len(inputs)):
        column = [row[i] for row in rows]
        if column[0] is None:
            results.append(None)
        elif create_graph:
            results.append(stack(column))
        else:
            results.append(new_constant(xp.stack([g.data for g in column])))
    return tuple(results)


def _zeros_for(t, g, batched: bool, grad_outputs, create_graph: bool):
    if g is not None:
        return g
    shape = ((grad_outputs[0].shape[0],) if batched else ()) + tuple(t.shape)
    return new_constant(xp.zeros(shape, dtype=t.dtype))


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables=None, inputs=None) -> None:
    """Accumulate the gradients of ``tensors`` into ``.grad`` (PyTorch's
    ``torch.autograd.backward``): of every leaf that requires grad, or only of ``inputs``
    (leaves or not) when given.  ``grad_tensors`` holds one gradient per tensor (None for a
    scalar: ones); ``grad_variables`` is its deprecated name.

    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> mg.autograd.backward([(x * x).sum(), x.sum()])
    >>> x.grad
    tensor([3., 5.])
    """
    if grad_variables is not None:
        warnings.warn("'grad_variables' is deprecated. Use 'grad_tensors' instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both "
                               "passed to `backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    tensors = [tensors] if is_tensor(tensors) else list(tensors)
    if grad_tensors is None or is_tensor(grad_tensors):
        grad_tensors = [grad_tensors] * (1 if is_tensor(grad_tensors) else len(tensors))
    grad_tensors = list(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"backward: got {len(tensors)} tensors but {len(grad_tensors)} "
                           "grad_tensors; give one gradient (or None) per tensor")
    if inputs is not None:
        inputs = [inputs] if is_tensor(inputs) else list(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    roots, root_grads = [], []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        roots.append(t)
        root_grads.append(initial_grad(t, g, create_graph, "backward"))
    retain_graph = create_graph if retain_graph is None else retain_graph
    if inputs is None:
        run_backward(roots, root_grads, retain_graph, create_graph)
        return
    results = run_backward(roots, root_grads, retain_graph, create_graph, targets=inputs)
    seen_arrays = set()
    for t, g in zip(inputs, results):
        if g is None:
            continue
        if create_graph:
            g = wrap(g)
            t.grad = g if t.grad is None else t.grad + g
            continue
        g = xp.asarray(g.data if is_tensor(g) else g).astype(t.dtype, copy=False)
        if t.grad is None:
            t.grad = new_constant(owned(g, seen_arrays))
        else:
            t.grad.data = t.grad.data + g


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
