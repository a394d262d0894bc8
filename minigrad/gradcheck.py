"""Check a function's analytic gradients against central finite differences in float64.

``mg.gradcheck(fn, inputs, eps, atol, rtol)`` is minigrad's own (its arguments positional too,
float32 inputs refused); ``mg.autograd.gradcheck`` and ``mg.autograd.gradgradcheck`` are
PyTorch's, with PyTorch's keyword-only signatures.  All three run the same check.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable

from .backend import float64, xp
from .gradients import grad as autograd_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` with the worst mismatch named."""


def gradcheck(fn: Callable, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, *, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None) -> bool:
    """True when ``fn``'s backward agrees with central differences for every input element.

    The inputs that require grad must be float64 (differences in float32 are too coarse).  The
    output may be any shape: each of its elements is checked, through a random projection
    ``sum(fn(x) * v)`` that checks every Jacobian entry that matters at once.  The keyword
    options are PyTorch's (see :func:`minigrad.autograd.gradcheck`).

    >>> import minigrad as mg
    >>> x = mg.randn(3, dtype=mg.float64, requires_grad=True)
    >>> mg.gradcheck(lambda x: (x * x).tanh(), [x])
    True
    """
    options = {"nondet_tol": nondet_tol, "check_undefined_grad": check_undefined_grad,
               "check_grad_dtypes": check_grad_dtypes, "check_batched_grad": check_batched_grad,
               "check_batched_forward_grad": check_batched_forward_grad,
               "check_forward_ad": check_forward_ad, "check_backward_ad": check_backward_ad,
               "fast_mode": fast_mode, "masked": masked}
    return _gradcheck(fn, inputs, eps, atol, rtol, raise_exception, options, refuse_float32=True)


def torch_gradcheck(func: Callable, inputs, *, eps: float = 1e-6, atol: float = 1e-5,
                    rtol: float = 1e-3, raise_exception: bool = True, nondet_tol: float = 0.0,
                    check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                    check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
                    check_forward_ad: bool = False, check_backward_ad: bool = True,
                    fast_mode: bool = False, masked: bool | None = None) -> bool:
    """PyTorch's ``torch.autograd.gradcheck``: backward against central finite differences.

    As in PyTorch, an input that requires grad but is not float64 gets a warning (the check will
    likely fail), not an error.  ``nondet_tol``: how far two backward passes with the same
    gradient may differ; ``check_undefined_grad``: zero output gradients must give zero (or no)
    input gradients (minigrad has no undefined tensors: a gradient that never arrives is zeros
    or None); ``check_grad_dtypes``: each gradient has its input's dtype; ``fast_mode``: one
    random direction per input instead of every element.  minigrad has no forward-mode AD and
    no batched gradients: ``check_forward_ad``, ``check_batched_grad`` and
    ``check_batched_forward_grad`` raise NotImplementedError, as does ``masked=True``.

    >>> import minigrad as mg
    >>> x = mg.randn(3, dtype=mg.float64, requires_grad=True)
    >>> mg.autograd.gradcheck(lambda x: x.exp() * x, (x,), eps=1e-6, atol=1e-4)
    True
    """
    options = {"nondet_tol": nondet_tol, "check_undefined_grad": check_undefined_grad,
               "check_grad_dtypes": check_grad_dtypes, "check_batched_grad": check_batched_grad,
               "check_batched_forward_grad": check_batched_forward_grad,
               "check_forward_ad": check_forward_ad, "check_backward_ad": check_backward_ad,
               "fast_mode": fast_mode, "masked": masked}
    return _gradcheck(func, inputs, eps, atol, rtol, raise_exception, options, refuse_float32=False)


def gradgradcheck(func: Callable, inputs, grad_outputs=None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """PyTorch's ``torch.autograd.gradgradcheck``: the gradients of the gradients against finite
    differences of the gradients.

    The gradient ``grad(func(*inputs), inputs, grad_outputs, create_graph=True)`` is checked as a
    function of the inputs and of ``grad_outputs`` (random float64 tensors when None; laid out
    non-contiguously with ``gen_non_contig_grad_outputs``).  ``check_fwd_over_rev`` needs
    forward-mode AD, which minigrad does not have (NotImplementedError).

    >>> import minigrad as mg
    >>> x = mg.randn(3, dtype=mg.float64, requires_grad=True)
    >>> mg.autograd.gradgradcheck(lambda x: (x ** 3).sum(), (x,))
    True
    """
    if check_fwd_over_rev:
        raise NotImplementedError("gradgradcheck: check_fwd_over_rev=True needs forward-mode AD, "
                                  "which minigrad does not have; use check_rev_over_rev")
    if not check_rev_over_rev:
        raise AssertionError("gradgradcheck: Expected at least one of check_fwd_over_rev or "
                             "check_rev_over_rev to be True")
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    outputs = _as_list(func(*inputs))
    differentiable = [o for o in outputs if o.requires_grad]
    if grad_outputs is None:
        grad_outputs = [_random_like(o, i, gen_non_contig_grad_outputs)
                        for i, o in enumerate(differentiable)]
    else:
        grad_outputs = [grad_outputs] if isinstance(grad_outputs, Tensor) else list(grad_outputs)
    wrt = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    count = len(inputs)

    def first_gradients(*values):
        outs = [o for o in _as_list(func(*values[:count])) if o.requires_grad]
        grads = autograd_grad(outs, [v for v in values[:count] if isinstance(v, Tensor)
                                     and v.requires_grad], values[count:], create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    if not wrt or not differentiable:
        raise ValueError("gradgradcheck: no input requires grad, or no output does: there is no "
                         "gradient to check")
    return torch_gradcheck(first_gradients, (*inputs, *grad_outputs), eps=eps, atol=atol,
                           rtol=rtol, raise_exception=raise_exception, nondet_tol=nondet_tol,
                           check_undefined_grad=check_undefined_grad,
                           check_grad_dtypes=check_grad_dtypes,
                           check_batched_grad=check_batched_grad, fast_mode=fast_mode,
                           masked=masked)


def _random_like(output: Tensor, seed: int, non_contiguous: bool) -> Tensor:
    rng = xp.random.default_rng(seed)
    if non_contiguous and output.ndim:  # every other column of an array twice as wide
        wide = rng.standard_normal((*output.shape[:-1], 2 * output.shape[-1]))
        return Tensor(wide[..., ::2], requires_grad=True)
    return Tensor(rng.standard_normal(output.shape), requires_grad=True)


def _as_list(out) -> list:
    return [o for o in out if o is not None] if isinstance(out, (tuple, list)) else [out]


def _check_options(options: dict) -> None:
    for name in ("check_batched_grad", "check_batched_forward_grad", "check_forward_ad"):
        if options[name]:
            raise NotImplementedError(
                f"gradcheck: {name}=True needs {'forward-mode AD' if 'forward' in name else 'vmap'}"
                f", which minigrad does not have; leave {name}=False")
    if options["masked"]:
        raise NotImplementedError("gradcheck: masked=True is for sparse tensors, which minigrad "
                                  "does not have")
    if not options["check_backward_ad"]:
        raise AssertionError("Expected at least one of check_forward_ad or check_backward_ad to "
                             "be True")


def _gradcheck(fn, inputs, eps, atol, rtol, raise_exception, options, refuse_float32):
    _check_options(options)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True")
    for i in wrt:
        if inputs[i].dtype != float64:
            if refuse_float32:
                raise ValueError(f"gradcheck: input {i} has dtype {inputs[i].dtype}; use float64 "
                                 "(finite differences in float32 are too coarse)")
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point. This check will likely fail if all the inputs are not of "
                          "double precision floating point.", UserWarning, stacklevel=3)

    def outputs():
        return _as_list(fn(*inputs))

    first = outputs()
    rng = xp.random.default_rng(0)
    projections = [rng.standard_normal(o.shape) for o in first]
    analytic = _analytic(first, projections, [inputs[i] for i in wrt], options)
    try:
        _check_dtypes(options, wrt, inputs, analytic)
        worst = _worst_mismatch(outputs, projections, inputs, wrt, analytic, eps, atol, rtol,
                                options["fast_mode"], rng)
        if worst is not None:
            _, i, where, value, numeric = worst
            place = "in a random direction" if where is None else \
                f"at element {tuple(int(w) for w in where)}"
            raise GradcheckError(
                f"gradcheck: gradient of input {i} {place} is {value:.10g} by backward but "
                f"{numeric:.10g} by finite differences (atol={atol}, rtol={rtol}, eps={eps})")
        _check_reentrant(first, projections, [inputs[i] for i in wrt], analytic, options)
        if options["check_undefined_grad"]:
            _check_zero_grad(fn, inputs, wrt)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _projected_scalar(outs, projections):
    return sum(((o * Tensor(v)).sum() for o, v in zip(outs, projections) if o.requires_grad),
               Tensor(0.0, dtype=float64))


def _analytic(first, projections, leaves, options) -> list:
    if not any(o.requires_grad for o in first):
        return [None] * len(leaves)
    # The graph is kept: the reentrancy check runs backward through it again.
    return list(autograd_grad(_projected_scalar(first, projections), leaves, retain_graph=True,
                              allow_unused=True))


def _check_dtypes(options, wrt, inputs, analytic) -> None:
    if not options["check_grad_dtypes"]:
        return
    for slot, i in enumerate(wrt):
        g = analytic[slot]
        if g is not None and g.dtype != inputs[i].dtype:
            raise GradcheckError(f"Gradient has dtype mismatch: input {i} is {inputs[i].dtype} "
                                 f"but its gradient is {g.dtype}")


def _check_reentrant(first, projections, leaves, analytic, options) -> None:
    """A second backward with the same gradient must give the same result (within nondet_tol)."""
    if not any(o.requires_grad for o in first):
        return
    again = autograd_grad(_projected_scalar(first, projections), leaves, allow_unused=True)
    for slot, (a, b) in enumerate(zip(analytic, again)):
        if a is None or b is None:
            continue
        if float(xp.abs(a.data - b.data).max(initial=0.0)) > options["nondet_tol"]:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical gradient "
                f"matches numerical gradient (input {slot}). The tolerance for nondeterminism was "
                f"{options['nondet_tol']}.")


def _check_zero_grad(fn, inputs, wrt) -> None:
    outs = [o for o in _as_list(fn(*inputs)) if o.requires_grad]
    if not outs:
        return
    zeros = [Tensor(xp.zeros(o.shape, dtype=o.dtype)) for o in outs]
    grads = autograd_grad(outs, [inputs[i] for i in wrt], zeros, allow_unused=True)
    for i, g in zip(wrt, grads):
        # (0 times a NaN of the input's own, as in nanmean's all-NaN slice, is not a nonzero)
        if g is not None and bool(((g.data != 0) & ~xp.isnan(g.data)).any()):
            raise GradcheckError(f"Expected backward function to handle undefined output grads: "
                                 f"zero output gradients gave a non-zero gradient for input {i}")


def _worst_mismatch(outputs, projections, inputs, wrt, analytic, eps, atol, rtol, fast, rng):
    def projected(outs) -> float:
        return sum(float((o.data.astype(float64) * v).sum()) for o, v in zip(outs, projections))

    worst = None
    for slot, i in enumerate(wrt):
        x = inputs[i].data
        a = analytic[slot].data if analytic[slot] is not None else xp.zeros_like(x)
        if fast:
            directions = [(None, rng.standard_normal(x.shape))]
        else:
            directions = [(where, None) for where in xp.ndindex(x.shape)]
        for where, u in directions:
            numeric = _difference(x, where, u, eps, lambda: projected(outputs()))
            value = float(a[where]) if u is None else float((a * u).sum())
            excess = abs(value - numeric) - (atol + rtol * abs(numeric))
            if excess > 0 and (worst is None or excess > worst[0]):
                worst = (excess, i, where, value, numeric)
    return worst


def _difference(x, where, u, eps: float, evaluate) -> float:
    """The central difference of ``evaluate()`` when ``x`` moves by eps at ``where`` (or along
    ``u``), written into the input's own array (a reshape of a transposed array would be a
    copy, and perturbing a copy does not perturb the input)."""
    if u is None:
        original = x[where]
        x[where] = original + eps
        plus = evaluate()
        x[where] = original - eps
        minus = evaluate()
        x[where] = original
    else:
        original = x.copy()
        x += eps * u
        plus = evaluate()
        xp.copyto(x, original - eps * u, casting="same_kind")
        minus = evaluate()
        xp.copyto(x, original)
    return (plus - minus) / (2 * eps)
