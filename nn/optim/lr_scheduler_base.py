"""The base class of the learning-rate schedulers (``torch.optim.lr_scheduler.LRScheduler``).

A scheduler changes each parameter group's ``lr`` once per ``step()``.  Most of PyTorch's
schedulers are *chainable*: ``get_lr()`` computes the next lr from the group's current ``lr``
(multiply by gamma, ...), so that two schedulers on one optimizer compose.  The numbers here are
PyTorch's recursive ones, not only its closed forms: a closed form (``_get_closed_form_lr``) is
used only when ``step(epoch)`` is given an epoch, as PyTorch does.
"""
from __future__ import annotations

import functools
import types
import warnings
import weakref

from .optimizer import Optimizer
from .validation import check_options

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)
_ORDER_URL = "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"


class LRScheduler:
    """Sets each parameter group's ``lr`` at every ``step()`` from ``get_lr()``.

    Subclasses write ``get_lr()`` (the lrs for ``self.last_epoch``, one per group; ``base_lrs``
    are the groups' ``initial_lr``).  ``checked_options`` names options that
    ``nn.optim.validation`` checks at construction and in ``load_state_dict`` (set them as
    attributes before calling ``__init__``).

    >>> import minigrad as mg, nn
    >>> opt = nn.optim.SGD([mg.zeros(1, requires_grad=True)], lr=1.0)
    >>> class Halving(nn.optim.lr_scheduler.LRScheduler):
    ...     def get_lr(self):
    ...         return [base * 0.5 ** self.last_epoch for base in self.base_lrs]
    >>> scheduler = Halving(opt)
    >>> opt.step(); scheduler.step(); scheduler.get_last_lr()
    [0.5]
    """

    checked_options: tuple = ()
    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        check_options(vars(self), self.checked_options)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        "scheduler with last_epoch >= 0.\nThis typically happens when:\n1. You're "
                        "trying to resume training from a checkpoint but haven't properly loaded "
                        "the optimizer state\n2. You're using last_epoch >= 0 for a fresh training "
                        "run (not recommended)")
        self.base_lrs = group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        track_optimizer_steps(optimizer)
        self._initial_step()

    def _initial_step(self) -> None:
        """The step that construction makes: it sets the lrs of epoch ``last_epoch + 1``."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> dict:
        """Everything the scheduler holds but the optimizer (as PyTorch's)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Take a ``state_dict()``: the next ``step()`` continues where the saved one stopped."""
        check_options({**vars(self), **state_dict}, self.checked_options)
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> list:
        """The learning rates set by the last ``step()``, one per parameter group."""
        return list(self._last_lr)

    def get_lr(self) -> list:
        """The learning rates of epoch ``last_epoch``, one per group (subclasses compute it)."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr() (the lrs at "
                                  "self.last_epoch, one per parameter group)")

    def step(self, epoch: int | None = None) -> None:
        """Move to the next epoch (call it after ``optimizer.step()``).  ``epoch`` is deprecated
        as in PyTorch: it sets ``last_epoch`` and uses the closed form where there is one."""
        if self._step_count == 1:
            warn_if_stepped_before_optimizer(self.optimizer)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        set_group_values(self.optimizer, "lr", values)
        self._last_lr = group_values(self.optimizer, "lr")


class _LRScheduler(LRScheduler):
    """The old name of ``LRScheduler``, kept as PyTorch keeps it (a subclass, so that its
    ``__name__`` is its own)."""


def group_values(optimizer: Optimizer, key: str) -> list:
    """``group[key]`` of each parameter group (KeyError when a group has none)."""
    return [group[key] for group in optimizer.param_groups]


def set_group_values(optimizer: Optimizer, key: str, values) -> None:
    values = list(values)
    if len(values) != len(optimizer.param_groups):
        raise ValueError(f"the scheduler computed {len(values)} values of {key!r} for "
                         f"{len(optimizer.param_groups)} parameter groups: get_lr() must return "
                         "one per group")
    for group, value in zip(optimizer.param_groups, values):
        group[key] = value


def per_group(name: str, optimizer: Optimizer, value) -> list:
    """``value`` for each parameter group: a list or tuple of one per group, or one for all."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"{name} must have the same length as optimizer.param_groups. {name} "
                             f"has {len(value)} values, param_groups has "
                             f"{len(optimizer.param_groups)}.")
        return list(value)
    return [value] * len(optimizer.param_groups)


def warn_get_lr_outside_step(scheduler: LRScheduler) -> None:
    if not scheduler._get_lr_called_within_step:
        warnings.warn("To get the last learning rate computed by the scheduler, please use "
                      "`get_last_lr()`.", UserWarning, stacklevel=3)


def track_optimizer_steps(optimizer: Optimizer) -> None:
    """Wrap the optimizer's ``step`` (on the instance) so that it records that it was called: the
    scheduler's first ``step()`` warns when it comes before the optimizer's, as PyTorch's does
    (the lr of epoch 0 would then never be used).  The wrapper holds the optimizer weakly, so
    that it makes no reference cycle."""
    if hasattr(optimizer.step, "_wrapped_by_lr_sched"):
        return
    function = getattr(optimizer.step, "__func__", None)
    if function is None:  # a step set on the instance: the first scheduler step says so
        return
    owner = weakref.ref(optimizer)

    @functools.wraps(function)
    def step(*args, **kwargs):
        wrapped = owner()
        wrapped._opt_called = True
        return function(wrapped, *args, **kwargs)

    step._wrapped_by_lr_sched = True
    optimizer.step = step


def warn_if_stepped_before_optimizer(optimizer: Optimizer) -> None:
    if not hasattr(optimizer.step, "_wrapped_by_lr_sched"):
        warnings.warn("Seems like `optimizer.step()` has been overridden after learning rate "
                      "scheduler initialization. Please, make sure to call `optimizer.step()` "
                      f"before `lr_scheduler.step()`. See more details at {_ORDER_URL}",
                      UserWarning, stacklevel=3)
    elif not getattr(optimizer, "_opt_called", False):
        warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. In "
                      "PyTorch 1.1.0 and later, you should call them in the opposite order: "
                      "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will "
                      "result in PyTorch skipping the first value of the learning rate schedule. "
                      f"See more details at {_ORDER_URL}", UserWarning, stacklevel=3)


def callables_state(functions: list) -> list:
    """What a state_dict keeps of ``lr_lambda``-like callables: a callable object's attributes,
    None for a plain function or lambda (code is not state), as PyTorch."""
    return [None if isinstance(fn, types.FunctionType) else dict(fn.__dict__) for fn in functions]


def load_callables_state(functions: list, saved: list) -> None:
    for fn, attributes in zip(functions, saved):
        if attributes is not None:
            fn.__dict__.update(attributes)
