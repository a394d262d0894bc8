"""The checks of the optimizers' and schedulers' hyperparameters, in one place.

The messages are PyTorch's (``ValueError: Invalid learning rate: -1.0``).  PyTorch writes most of
its checks as ``not 0.0 <= lr``, which refuses NaN, but SGD's ``lr < 0.0`` lets NaN through, and
no scheduler checks anything.  Here every check refuses NaN and the infinities as well: one NaN or
infinite learning rate (or decay, or gamma) turns every weight NaN at the first step, silently.
Where PyTorch raises nothing, the message is written in its style.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real


class UnsupportedOptionError(ValueError, RuntimeError, AssertionError):
    """An optimizer flag that asks for what only PyTorch's devices or autograd give
    (``differentiable=True``, ``capturable=True``).  PyTorch accepts it at construction and fails
    at the first ``step()`` on the CPU (RuntimeError, AssertionError); this error is raised at
    construction instead, and is a ValueError like every invalid option here, and both of
    PyTorch's types, so that code written for PyTorch still catches it."""


class InvalidPeriodError(ValueError, ZeroDivisionError):
    """A schedule's period (``step_size``, ``T_max``) that is not positive.  PyTorch accepts a
    zero period and fails at the first ``step()`` with ZeroDivisionError (``epoch % 0``); this
    error is raised at construction instead, and is both a ValueError, like every other invalid
    option here, and a ZeroDivisionError, so that code written for PyTorch still catches it."""


def _finite_at_least_zero(value) -> bool:
    return 0.0 <= value < math.inf  # False for NaN: every comparison with NaN is


def _positive_whole(value) -> bool:
    # StepLR decays when epoch // step_size grows; PyTorch's own recursive rule decays when
    # epoch % step_size == 0: the two agree only for whole step sizes.
    return 1 <= value < math.inf and value == math.floor(value)


# option -> (PyTorch's message, whether a value is valid, the error for an invalid one)
_RULES: dict[str, tuple[str, Callable[[Real], bool], type[Exception]]] = {
    "lr": ("Invalid learning rate: {}", _finite_at_least_zero, ValueError),
    "eps": ("Invalid epsilon value: {}", _finite_at_least_zero, ValueError),
    "rho": ("Invalid rho value: {}", lambda value: 0.0 <= value <= 1.0, ValueError),
    "momentum_decay": ("Invalid momentum_decay value: {}", _finite_at_least_zero, ValueError),
    # ASGD's decay term; PyTorch checks it not (a NaN lambd makes every weight NaN at the
    # first step, a negative one grows the weights and the lr)
    "lambd": ("Invalid lambd value: {}", _finite_at_least_zero, ValueError),
    # LBFGS: PyTorch checks only the lr.  A zero history fails at the second iteration
    # (IndexError), zero iterations or evaluations make a step that does nothing.
    "max_iter": ("Invalid max_iter value: {}", _positive_whole, ValueError),
    "max_eval": ("Invalid max_eval value: {}", _positive_whole, ValueError),
    "history_size": ("Invalid history_size value: {}", _positive_whole, ValueError),
    "momentum": ("Invalid momentum value: {}", _finite_at_least_zero, ValueError),
    "weight_decay": ("Invalid weight_decay value: {}", _finite_at_least_zero, ValueError),
    "lr_decay": ("Invalid lr_decay value: {}", _finite_at_least_zero, ValueError),
    "initial_accumulator_value": ("Invalid initial_accumulator_value value: {}",
                                  _finite_at_least_zero, ValueError),
    # PyTorch lets alpha > 1 through; then alpha * s + (1 - alpha) * g^2 goes negative at the
    # first step and its square root is NaN.
    "alpha": ("Invalid alpha value: {}", lambda value: 0.0 <= value <= 1.0, ValueError),
    # PyTorch checks no range for dampening (a dampening above 1 reverses the gradient, which is
    # a choice); only a NaN or infinite one is refused here.
    "dampening": ("Invalid dampening value: {}", math.isfinite, ValueError),
    # The schedulers' options.  A negative gamma or eta_min makes a negative learning rate.
    "step_size": ("Invalid step_size value: {}", _positive_whole, InvalidPeriodError),
    "T_max": ("Invalid T_max value: {}", lambda value: 0 < value < math.inf, InvalidPeriodError),
    "gamma": ("Invalid gamma value: {}", _finite_at_least_zero, ValueError),
    "eta_min": ("Invalid eta_min value: {}", _finite_at_least_zero, ValueError),
}


# Rules that replace the table's for one optimizer, where an option means something else there.
# ASGD's alpha is the exponent of its lr decay (eta = lr / (1 + lambd lr t)^alpha): any finite
# value is a schedule; PyTorch checks none.
ASGD_RULES = {"alpha": ("Invalid alpha value: {}", math.isfinite, ValueError)}


def check_options(options: dict, names: Iterable[str], rules: dict | None = None) -> None:
    """Raise PyTorch's error for the first invalid option among ``names``, checked in that order
    (PyTorch's order, so that the same option is reported when several are invalid); ``rules``
    replaces the table's rule of an option for one optimizer.

    >>> check_options({"lr": -1.0}, ["lr"])
    Traceback (most recent call last):
    ...
    ValueError: Invalid learning rate: -1.0
    """
    for name in names:
        value = options[name]
        if name == "betas":
            for index in (0, 1):  # PyTorch's IndexError or TypeError for anything but a pair
                _check_number(value[index], f"Invalid beta parameter at index {index}: {{}}",
                              lambda beta: 0.0 <= beta < 1.0, ValueError)
        elif name == "etas":
            _check_etas(value)
        elif name == "step_sizes":
            _check_step_sizes(value)
        elif name == "line_search_fn":
            if value not in (None, "strong_wolfe"):
                raise UnsupportedOptionError(f"only 'strong_wolfe' is supported (got line_search_fn="
                                             f"{value!r}; use None or 'strong_wolfe')")
        elif name == "nesterov":
            if value and not (options["momentum"] > 0 and options["dampening"] == 0):
                raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        else:
            _check_number(value, *(rules or {}).get(name, _RULES[name]))


def _check_etas(etas) -> None:
    # PyTorch's check and message: Rprop shrinks a step by etas[0] and grows it by etas[1]
    minus, plus = etas
    for eta in (minus, plus):
        _check_number(eta, "Invalid eta values: {}", lambda _: True, ValueError)
    if not 0.0 < minus < 1.0 < plus:
        raise ValueError(f"Invalid eta values: {minus}, {plus}")


def _check_step_sizes(step_sizes) -> None:
    # PyTorch checks nothing; a negative or NaN bound makes a step against the gradient or NaN
    low, high = step_sizes
    for size in (low, high):
        _check_number(size, "Invalid step_sizes values: {}", lambda _: True, ValueError)
    if not 0.0 <= low <= high < math.inf:
        raise ValueError(f"Invalid step_sizes values: {low}, {high} (0 <= min <= max is needed)")


def check_implementation_flags(owner: str, options: dict) -> None:
    """``foreach`` and ``fused`` choose how PyTorch computes a step, not what it computes (on the
    CPU its fused kernels give the same float64 numbers): both are taken, and every choice runs
    the same numpy code here.  Their conflicts raise PyTorch's errors; ``differentiable`` and
    ``capturable``, which need what minigrad has not, raise UnsupportedOptionError."""
    if options.get("fused"):
        if options.get("differentiable"):
            raise RuntimeError("`fused` does not support `differentiable`")
        if options.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if options.get("differentiable"):
        raise UnsupportedOptionError(
            f"{owner}(differentiable=True) is not supported: minigrad's optimizers update the "
            "parameters' arrays outside the graph, so a step cannot be differentiated (PyTorch "
            "fails at the first step on leaf parameters too); leave differentiable=False")
    if options.get("capturable"):
        raise UnsupportedOptionError(
            f"{owner}(capturable=True) needs a CUDA device (it is for CUDA graph capture); "
            "minigrad runs on the CPU, where PyTorch fails at the first step; leave "
            "capturable=False")


def _check_number(value, message: str, is_valid: Callable, error: type[Exception]) -> None:
    if isinstance(value, bool) or not isinstance(value, Real):
        # PyTorch fails here with TypeError from its comparison ("'<' not supported between
        # instances of 'str' and 'float'"); the same type, saying what was wrong
        raise TypeError(f"{message.format(repr(value))} (a number is needed, not "
                        f"{type(value).__name__})")
    if not is_valid(value):
        raise error(message.format(value))
