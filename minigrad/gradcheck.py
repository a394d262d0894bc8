"""Check a function's analytic gradients against central finite differences in float64."""
from __future__ import annotations

from collections.abc import Callable

from .backend import float64, xp
from .gradients import grad as autograd_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` with the worst mismatch named."""


def gradcheck(fn: Callable, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """True when ``fn``'s backward agrees with central differences for every input element.

    The inputs that require grad must be float64 (differences in float32 are too coarse).  The
    output may be any shape: each of its elements is checked, through a random projection
    ``sum(fn(x) * v)`` that checks every Jacobian entry that matters at once.

    >>> import minigrad as mg
    >>> x = mg.randn(3, dtype=mg.float64, requires_grad=True)
    >>> mg.gradcheck(lambda x: (x * x).tanh(), [x])
    True
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    for i in wrt:
        if inputs[i].dtype != float64:
            raise ValueError(f"gradcheck: input {i} has dtype {inputs[i].dtype}; use float64 "
                             "(finite differences in float32 are too coarse)")

    def outputs():
        out = fn(*inputs)
        return list(out) if isinstance(out, (tuple, list)) else [out]

    first = outputs()
    rng = xp.random.default_rng(0)
    projections = [rng.standard_normal(o.shape) for o in first]

    def projected(outs) -> float:
        return sum(float((o.data.astype(float64) * v).sum()) for o, v in zip(outs, projections))

    differentiable = [o for o in first if o.requires_grad]
    scalar = sum(((o * Tensor(v)).sum() for o, v in zip(first, projections) if o.requires_grad),
                 Tensor(0.0, dtype=float64))
    if differentiable:
        analytic = autograd_grad(scalar, [inputs[i] for i in wrt], allow_unused=True)
    else:
        analytic = [None] * len(wrt)

    worst = None
    for slot, i in enumerate(wrt):
        x = inputs[i].data
        a = analytic[slot].data if analytic[slot] is not None else xp.zeros_like(x)
        # Element by element in the input's own array (a reshape of a transposed array would
        # be a copy, and perturbing a copy does not perturb the input).
        for where in xp.ndindex(x.shape):
            original = x[where]
            x[where] = original + eps
            plus = projected(outputs())
            x[where] = original - eps
            minus = projected(outputs())
            x[where] = original
            numeric = (plus - minus) / (2 * eps)
            value = a[where]
            error = abs(value - numeric)
            if error > atol + rtol * abs(numeric):
                excess = error - (atol + rtol * abs(numeric))
                if worst is None or excess > worst[0]:
                    worst = (excess, i, where, value, numeric)
    if worst is not None:
        if not raise_exception:
            return False
        _, i, where, value, numeric = worst
        raise GradcheckError(
            f"gradcheck: gradient of input {i} at element {tuple(int(w) for w in where)} is "
            f"{value:.10g} by backward but {numeric:.10g} by finite differences "
            f"(atol={atol}, rtol={rtol}, eps={eps})"
        )
    return True
