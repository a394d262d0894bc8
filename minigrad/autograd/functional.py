"""``mg.autograd.functional``: derivatives of a whole function at a point (PyTorch's
``torch.autograd.functional``): ``vjp jvp jacobian hessian vhp hvp``.

Each takes ``func`` and ``inputs`` (a Tensor, or a tuple of Tensors) and returns its results in
the inputs' structure: a single tensor for a single input, a tuple for a tuple.  The point is
copied into fresh leaves, so ``func`` may be called on tensors that need no gradient; results
are detached unless ``create_graph=True``, and then they are differentiable with respect to
the inputs (those that require grad).  An output that does not depend on an input gives zeros,
or an error with ``strict=True``.

minigrad has reverse mode only.  ``jvp`` and ``hvp`` use the double-backward trick, as PyTorch
does: the vector-Jacobian product is linear in its vector u, so differentiating it with respect
to u gives the Jacobian-vector product.  ``strategy="forward-mode"`` raises NotImplementedError.

>>> import minigrad as mg
>>> from minigrad.autograd.functional import jacobian, hessian
>>> x = mg.tensor([1.0, 2.0])
>>> jacobian(lambda x: x ** 2, x)
tensor([[2., 0.],
        [0., 4.]])
>>> hessian(lambda x: (x ** 3).sum(), x)
tensor([[ 6.,  0.],
        [ 0., 12.]])
"""
from __future__ import annotations

from ..backend import xp
from ..engine import is_tensor, new_constant
from ..grad_mode import enable_grad, grad_state, set_grad_enabled
from ..gradients import grad
from ..ops.shape import stack

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]


# ---------------------------------------------------------------------------------------------
# Structure: tensors or tuples of tensors in, the same out
# ---------------------------------------------------------------------------------------------
def _as_tuple(value, what: str, function: str) -> tuple[bool, tuple]:
    """``(whether value was a tuple, value as a tuple)``, every element checked to be a Tensor."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, v in enumerate(values):
        if not is_tensor(v):
            where = f"the value at index {i}" if is_tuple else f"the given {what}"
            raise TypeError(f"The {what} given to {function} must be either a Tensor or a tuple "
                            f"of Tensors but {where} has type {type(v)}.")
    return is_tuple, values


def _unpack(result, is_tuple: bool):
    return result if is_tuple else result[0]


def _fresh(tensors: tuple, create_graph: bool, needs_graph: bool) -> tuple:
    """New tensor objects for the point: joined to the caller's graph under create_graph (so the
    results can be differentiated with respect to it), else fresh leaves."""
    fresh = []
    for t in tensors:
        if create_graph and t.requires_grad:
            fresh.append(t.view(t.shape))
        else:
            leaf = t.detach()
            fresh.append(leaf.requires_grad_(needs_graph) if needs_graph else leaf)
    return tuple(fresh)


def _finish(tensors: tuple, create_graph: bool) -> tuple:
    if create_graph:
        return tensors
    return tuple(_finish(t, False) if isinstance(t, tuple) else t.detach() for t in tensors)


def _check_v(v: tuple, refs: tuple, is_tuple: bool) -> None:
    if len(v) != len(refs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(refs)} but got "
                           f"{len(v)}." if is_tuple else "The given v should contain a single "
                           "Tensor.")
    for i, (a, b) in enumerate(zip(v, refs)):
        if a.shape != b.shape:
            entry = f"Entry {i} in " if is_tuple else ""
            raise RuntimeError(f"{entry}v has invalid size: should be {list(b.shape)} but got "
                               f"{list(a.shape)}.")


def _check_outputs(outputs: tuple, strict: bool) -> None:
    if strict:
        for i, out in enumerate(outputs):
            if not out.requires_grad:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode.")


def _gradients(outputs: tuple, inputs: tuple, grad_outputs=None, create_graph=False,
               retain_graph=None) -> tuple:
    """``mg.grad`` over the outputs that require grad (None for every input when none does)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not kept:
        return (None,) * len(inputs)
    return grad([o for o, _ in kept], list(inputs), [g for _, g in kept],
                retain_graph=retain_graph, create_graph=create_graph, allow_unused=True)


def _zeros_for_none(grads: tuple, refs: tuple, strict: bool, create_graph: bool,
                    independent: str) -> tuple:
    """None (an output independent of an input) becomes zeros, or an error when strict."""
    filled = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(independent.format(i=i) + " This is not allowed in strict mode.")
            g = new_constant(xp.zeros(ref.shape, dtype=ref.dtype))
        elif strict and create_graph and not g.requires_grad:
            raise RuntimeError(independent.format(i=i) + " This is not allowed in strict mode "
                               "when create_graph=True.")
        filled.append(g)
    return tuple(filled)


def _scalar_output(outputs: tuple, is_tuple: bool, function: str) -> None:
    if is_tuple:
        raise RuntimeError(f"The function given to {function} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {function} should "
                           "contain a single element")


def _vector(v, refs: tuple, is_tuple: bool, create_graph: bool, function: str, of: str):
    if v is None:
        if len(refs) != 1 or refs[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {of} is a single Tensor "
                               "with a single element.")
        return None
    _, v = _as_tuple(v, "v", function)
    v = _fresh(v, create_graph, needs_graph=False)
    _check_v(v, refs, is_tuple)
    return v


_INDEPENDENT = "The output of the user-provided function is independent of input {i}."
_INDEPENDENT_JACOBIAN = "The jacobian of the user-provided function is independent of input {i}."


# ---------------------------------------------------------------------------------------------
# Products with a vector
# ---------------------------------------------------------------------------------------------
def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``, in the inputs'
    structure.  ``v`` has the outputs' structure (None only for a one-element output)."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _fresh(inputs, create_graph, needs_graph=True)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided "
                                           "function", "vjp")
        _check_outputs(outputs, strict)
        v = _vector(v, outputs, outputs_tuple, create_graph, "vjp",
                    "user-provided function returns")
        if v is None:
            v = (None,)
    with set_grad_enabled(create_graph or grad_state.enabled):
        result = _gradients(outputs, inputs, v, create_graph)
        result = _zeros_for_none(result, inputs, strict, create_graph, _INDEPENDENT)
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), inputs_tuple))


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product, in the outputs' structure; ``v`` has
    the inputs' structure (None only for a one-element input).  By the double-backward trick."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh(inputs, create_graph, needs_graph=True)
        v = _vector(v, inputs, inputs_tuple, create_graph, "jvp",
                    "input to the user-provided function")
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided "
                                           "function", "jvp")
        _check_outputs(outputs, strict)
        # u^T J is linear in u, so its value does not matter: zeros (never inf or nan).
        u = tuple(new_constant(xp.zeros(o.shape, dtype=o.dtype)).requires_grad_(True)
                  for o in outputs)
        u_jacobian = _gradients(outputs, inputs, u, create_graph=True)
        if strict:
            for i, g in enumerate(u_jacobian):
                if g is None or not g.requires_grad:
                    raise RuntimeError(f"The gradient with respect to input {i} is independent "
                                       "of the inputs of the user-provided function. This is "
                                       "not allowed in strict mode.")
    with set_grad_enabled(True if create_graph else grad_state.enabled):
        result = _gradients(u_jacobian, u, v, create_graph)
        result = _zeros_for_none(result, outputs, strict, create_graph,
                                 "The gradient with respect to the input is independent of entry "
                                 "{i} in the grad_outputs when using the double backward trick to"
                                 " compute forward mode gradients.")
    return (_unpack(_finish(outputs, create_graph), outputs_tuple),
            _unpack(_finish(result, create_graph), outputs_tuple))


def _scalar_and_gradient(func, inputs, v, create_graph, strict, function):
    """The shared start of vhp and hvp: the output, its gradient (with a graph), v checked."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", function)
    inputs = _fresh(inputs, create_graph, needs_graph=True)
    v = _vector(v, inputs, inputs_tuple, create_graph, function,
                "input to the user-provided function")
    outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       function)
    _check_outputs(outputs, strict)
    _scalar_output(outputs, outputs_tuple, function)
    gradient = _gradients(outputs, inputs, create_graph=True)
    if strict:
        for i, g in enumerate(gradient):
            if g is None or not g.requires_grad:
                raise RuntimeError(
                    "While computing the hessian, found that the jacobian of the user-provided "
                    f"function with respect to input {i} is independent of the input. This is "
                    "not allowed in strict mode. You should ensure that your function is twice "
                    "differentiable and that the jacobian depends on the inputs (this would be "
                    "violated by a linear function for example).")
    return inputs_tuple, inputs, outputs, gradient, v


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)`` for a function with one scalar output, in the inputs'
    structure."""
    with enable_grad():
        inputs_tuple, inputs, outputs, gradient, v = _scalar_and_gradient(
            func, inputs, v, create_graph, strict, "vhp")
    with set_grad_enabled(True if create_graph else grad_state.enabled):
        result = _gradients(gradient, inputs, v, create_graph)
        result = _zeros_for_none(result, inputs, strict, create_graph, _INDEPENDENT_JACOBIAN)
    return _finish(outputs, create_graph)[0], _unpack(_finish(result, create_graph), inputs_tuple)


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)`` for a function with one scalar output, by the double-backward
    trick (for a twice-differentiable function H is symmetric and H v = v^T H)."""
    with enable_grad():
        inputs_tuple, inputs, outputs, gradient, v = _scalar_and_gradient(
            func, inputs, v, create_graph, strict, "hvp")
        u = tuple(new_constant(xp.zeros(t.shape, dtype=t.dtype)).requires_grad_(True)
                  for t in inputs)
        u_hessian = _gradients(gradient, inputs, u, create_graph=True)
    with set_grad_enabled(True if create_graph else grad_state.enabled):
        result = _gradients(u_hessian, u, v, create_graph)
        result = _zeros_for_none(result, inputs, strict, create_graph,
                                 "The hessian of the user-provided function is independent of "
                                 "entry {i} in the grad_jacobian.")
    return _finish(outputs, create_graph)[0], _unpack(_finish(result, create_graph), inputs_tuple)


# ---------------------------------------------------------------------------------------------
# Whole matrices
# ---------------------------------------------------------------------------------------------
def _check_strategy(strategy: str, create_graph: bool, vectorize: bool) -> None:
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             f"Got {strategy!r}.")
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                'jacobian: `create_graph=True` and `strategy="forward-mode"` are not supported '
                'together. Please either set `create_graph=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-"
                                      "reverse Hessian is only implemented for `vectorize=True`.")
        raise NotImplementedError('jacobian: strategy="forward-mode" needs forward-mode AD, '
                                  'which minigrad does not have; strategy="reverse-mode" '
                                  "computes the same Jacobian")


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: entry ``[i][j]`` has shape
    ``outputs[i].shape + inputs[j].shape``; a single tensor for a single input and a single
    output, a tuple over the inputs (or over the outputs) where one side is a tuple, a tuple of
    tuples where both are.

    Row by row, one backward per output element.  ``vectorize=True`` computes the rows through
    ``grad(..., is_grads_batched=True)``, as PyTorch does; minigrad runs that as one backward
    per row too (it has no vmap), so it gives the same numbers at the same cost."""
    _check_strategy(strategy, create_graph, vectorize)
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _fresh(inputs, create_graph, needs_graph=True)
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided "
                                           "function", "jacobian")
        _check_outputs(outputs, strict)
        if vectorize and strict:
            raise RuntimeError("jacobian: `strict=True` and `vectorized=True` are not supported "
                               "together. Please either set `strict=False` or `vectorize=False`.")
        rows_of = _batched_rows if vectorize else _rows
        jacobians = tuple(rows_of(i, out, inputs, create_graph, strict)
                          for i, out in enumerate(outputs))
    jacobians = _finish(jacobians, create_graph)
    if not inputs_tuple:
        jacobians = tuple(row[0] for row in jacobians)
    return jacobians if outputs_tuple else jacobians[0]


def _one_hot(out, k: int):
    basis = xp.zeros(out.numel(), dtype=out.dtype)
    basis[k] = 1
    return new_constant(basis.reshape(out.shape))


def _rows(i: int, out, inputs: tuple, create_graph: bool, strict: bool) -> tuple:
    """d out / d inputs[j] for every j, one backward per element of ``out``."""
    rows = [[] for _ in inputs]
    for k in range(out.numel()):
        grads = _gradients((out,), inputs, (_one_hot(out, k),), create_graph, retain_graph=True)
        for j, (g, inp) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {i} of the user-provided function is independent "
                                       f"of input {j}. This is not allowed in strict mode.")
                g = new_constant(xp.zeros(inp.shape, dtype=inp.dtype))
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(f"The jacobian of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode when "
                                   "create_graph=True.")
            rows[j].append(g)
    return tuple(_matrix(row, out, inp) for row, inp in zip(rows, inputs))


def _matrix(row: list, out, inp):
    shape = tuple(out.shape) + tuple(inp.shape)
    if not row:  # an empty output: a Jacobian with no rows
        return new_constant(xp.zeros(shape, dtype=inp.dtype))
    return stack(row).reshape(shape)


def _batched_rows(i: int, out, inputs: tuple, create_graph: bool, strict: bool) -> tuple:
    """The rows through ``is_grads_batched``: the batch of grad_outputs is the identity."""
    n = out.numel()
    if not out.requires_grad or n == 0:
        return tuple(new_constant(xp.zeros(tuple(out.shape) + tuple(t.shape), dtype=t.dtype))
                     for t in inputs)
    identity = new_constant(xp.eye(n, dtype=out.dtype).reshape((n, *out.shape)))
    grads = grad([out], list(inputs), [identity], retain_graph=True, create_graph=create_graph,
                 allow_unused=True, is_grads_batched=True)
    result = []
    for g, inp in zip(grads, inputs):
        shape = tuple(out.shape) + tuple(inp.shape)
        result.append(new_constant(xp.zeros(shape, dtype=inp.dtype)) if g is None
                      else g.reshape(shape))
    return tuple(result)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a function with one scalar output: a single tensor of shape
    ``inputs.shape * 2`` for a single input, a tuple of tuples (``[i][j]`` of shape
    ``inputs[i].shape + inputs[j].shape``) for a tuple.  The Jacobian of the gradient."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar(*values):
        out = func(*values)
        out_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_outputs(outs, strict)
        _scalar_output(outs, out_tuple, "hessian")
        return out.reshape(())

    def gradient(*values):
        jac = jacobian(scalar, values, create_graph=True)
        if strict:
            for i, g in enumerate(jac):
                if not g.requires_grad:
                    raise RuntimeError(
                        f"The hessian of the user-provided function with respect to input {i} is"
                        " independent of the input. This is not allowed in strict mode. You "
                        "should ensure that your function is thrice differentiable and that the "
                        "hessian depends on the inputs.")
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return result if inputs_tuple else result[0][0]
