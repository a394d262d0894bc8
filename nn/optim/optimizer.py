"""The base class of the optimizers: parameter groups, per-parameter state, saving."""
from __future__ import annotations

import copy
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from minigrad import Tensor
from minigrad.backend import default_float, ndarray, xp
from minigrad.engine import increment_version
from minigrad.grad_mode import enable_grad
from minigrad.teaching import state as teaching  # mg.teaching's hooks (a flag test when off)

from .validation import check_implementation_flags, check_options


class Optimizer:
    """Holds ``param_groups`` (dicts with ``'params'`` and the options) and ``state`` (per
    parameter: momentum buffers, moment estimates...).  Subclasses write ``step``, which works
    on ``p.data`` in place, on arrays: an update is not part of any graph.

    ``checked_options`` names the options that ``nn.optim.validation`` checks, in PyTorch's
    order: the defaults first of all (as PyTorch does, so ``SGD([], lr=-1)`` reports the lr),
    then each parameter group's own values, in ``add_param_group`` and ``load_state_dict``.
    ``option_rules`` replaces the check of an option whose meaning is this optimizer's own
    (ASGD's ``alpha`` is an exponent, RMSprop's a decay rate).

    The state holds numpy arrays and Python numbers; ``state_dict()`` hands out copies as
    PyTorch lays them out: arrays become Tensors and the entries named in ``scalar_state``
    (``step``...), which PyTorch keeps as 0-d tensors of its scalar dtype, become 0-d Tensors
    (float32, or float64 when that is the default dtype)."""

    checked_options: tuple = ()
    option_rules: dict = {}
    scalar_state: tuple = ("step",)

    def __init__(self, params: Iterable, defaults: dict) -> None:
        check_options(defaults, self.checked_options, self.option_rules)
        check_implementation_flags(type(self).__name__, defaults)
        self.defaults = defaults
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got a single Tensor (wrap it in a list)")
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(params[0], dict):
            params = [{"params": params}]
        for group in params:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own options (the others from the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but "
                            "the ordering of tensors in sets will change between runs. Please use a "
                            "list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]  # from named_parameters()
        group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            group["param_names"] = names
        _check_parameters(group["params"])
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        if len({id(p) for p in group["params"]}) != len(group["params"]):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for other in self.param_groups:
            seen.update(id(p) for p in other["params"])
            if ("param_names" in other) != ("param_names" in group):
                kind = "with names" if "param_names" in group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {kind} to the optimizer")
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        # a group's own lr is as dangerous as the default one
        check_options(group, self.checked_options, self.option_rules)
        check_implementation_flags(type(self).__name__, group)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients (None, PyTorch's default; zeros with ``set_to_none=False``)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p.grad = None
                elif p.grad is not None:
                    p.grad.data[...] = 0
                    increment_version(p.grad)

    def step(self, closure: Callable | None = None):  # pragma: no cover - every optimizer overrides it
        raise NotImplementedError

    @staticmethod
    def _evaluate(closure: Callable | None):
        """The closure's loss (it recomputes the loss and its gradients), under grad mode as in
        PyTorch; None without a closure."""
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _params_with_grad(self) -> Iterator[tuple]:
        """``(group, p, gradient array)`` for every parameter that has a gradient, in order.
        The caller updates ``p`` in place: its version moves, so that a graph kept from before
        the step cannot backpropagate through the old values (as in PyTorch)."""
        if teaching.on: teaching.optimizer_step(self)  # noqa: E701
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    increment_version(p)
                    g = p.grad.data
                    yield group, p, (-g if group["maximize"] else g)

    def _state(self, p, group: dict) -> dict:
        """The state of ``p``, made by ``_initial_state`` the first time it is asked for."""
        state = self.state[p]
        if not state:
            state.update(self._initial_state(p, group))
        return state

    def _initial_state(self, p, group: dict) -> dict:
        """A parameter's state before its first step: subclasses fill in their buffers."""
        return {}

    def state_dict(self) -> dict:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` with the
        parameters numbered in order, as PyTorch; the values are copies (PyTorch hands out its
        live tensors, which the next step changes)."""
        index: dict = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: {key: self._pack(key, value) for key, value in values.items()}
                 for p, values in self.state.items() if id(p) in index and values}
        return {"state": state, "param_groups": groups}

    def _pack(self, key: str, value: Any):
        if key in self.scalar_state:
            return Tensor(xp.asarray(value, dtype=default_float()))
        return _to_tensors(value)

    def load_state_dict(self, state_dict: dict) -> None:
        """Take the groups' options and the state of a ``state_dict()`` (this optimizer's, or
        one loaded from a checkpoint); the parameters are matched by their order."""
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for saved, group in zip(groups, self.param_groups):  # check everything before changing anything
            if len(saved["params"]) != len(group["params"]):
                raise ValueError("loaded state dict contains a parameter group that doesn't match "
                                 "the size of optimizer's group")
            check_options({**group, **saved}, self.checked_options, self.option_rules)
            check_implementation_flags(type(self).__name__, {**group, **saved})
        by_index = {}
        for saved, group in zip(groups, self.param_groups):
            by_index.update(zip(saved["params"], group["params"]))
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})
        self.state = defaultdict(dict)
        for i, values in state_dict["state"].items():
            p = by_index[int(i)]
            self.state[p] = {key: self._unpack(key, value, p.data.dtype)
                             for key, value in values.items()}

    def _unpack(self, key: str, value: Any, dtype):
        if key in self.scalar_state:
            number = value.item() if hasattr(value, "item") else value
            return int(number) if key == "step" else float(number)
        return _to_arrays(value, dtype)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def scalar_state_value(value: float) -> float:
    """``value`` rounded as PyTorch keeps a 0-d state tensor (its scalar dtype: float32, or
    float64 when that is the default dtype), so that the numbers follow PyTorch's."""
    return float(xp.asarray(value, dtype=default_float()))


def _check_parameters(params: list) -> None:
    for p in params:
        if not isinstance(p, Tensor):
            kind = type(p)
            name = (kind.__name__ if kind.__module__ == "builtins"
                    else f"{kind.__module__}.{kind.__qualname__}")
            raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {name}")
        if not p.is_leaf:
            raise ValueError("can't optimize a non-leaf Tensor")


def _to_tensors(value: Any):
    """A copy of a state entry with its arrays as Tensors (lists, as LBFGS keeps, included)."""
    if isinstance(value, ndarray):
        return Tensor(value.copy())
    if isinstance(value, list):
        return [_to_tensors(item) for item in value]
    return copy.deepcopy(value)


def _to_arrays(value: Any, dtype):
    """A state entry back to arrays; floating arrays take the parameter's dtype, as in PyTorch."""
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, ndarray):
        return value.astype(dtype) if value.dtype.kind == "f" else value.copy()
    if isinstance(value, list):
        return [_to_arrays(item, dtype) for item in value]
    return copy.deepcopy(value)
