"""The base class of the optimizers: parameter groups, per-parameter state, saving."""
from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

from minigrad import Tensor
from minigrad.backend import ndarray
from minigrad.engine import increment_version

from .validation import check_options


class Optimizer:
    """Holds ``param_groups`` (dicts with ``'params'`` and the options) and ``state`` (per
    parameter: momentum buffers, moment estimates...).  Subclasses write ``step``, which works
    on ``p.data`` in place, on arrays: an update is not part of any graph.

    ``checked_options`` names the options that ``nn.optim.validation`` checks, in PyTorch's
    order: the defaults first of all (as PyTorch does, so ``SGD([], lr=-1)`` reports the lr),
    then each parameter group's own values, in ``add_param_group`` and ``load_state_dict``."""

    checked_options: tuple = ()

    def __init__(self, params: Iterable, defaults: dict) -> None:
        check_options(defaults, self.checked_options)
        self.defaults = defaults
        self.state: dict = {}
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

    def add_param_group(self, group: dict) -> None:
        group = dict(group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        check_options(group, self.checked_options)  # a group's own lr is as dangerous as the default
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

    def step(self) -> None:  # pragma: no cover - every optimizer overrides it
        raise NotImplementedError

    def _params_with_grad(self) -> Iterator[tuple]:
        """``(group, p, gradient array)`` for every parameter that has a gradient, in order.
        The caller updates ``p`` in place: its version moves, so that a graph kept from before
        the step cannot backpropagate through the old values (as in PyTorch)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    increment_version(p)
                    yield group, p, p.grad.data

    def _state(self, p, group: dict) -> dict:
        """The state of ``p``, made by ``_initial_state`` the first time it is asked for."""
        state = self.state.get(p)
        if state is None:
            state = self.state[p] = self._initial_state(p, group)
        return state

    def _initial_state(self, p, group: dict) -> dict:
        """A parameter's state before its first step: subclasses fill in their buffers."""
        return {}

    def state_dict(self) -> dict:
        """``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}`` with the
        parameters numbered in order, as PyTorch (arrays are copied)."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                packed["params"].append(index[id(p)])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = {k: _copy(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(f"load_state_dict: the saved state has {len(groups)} parameter "
                             f"groups, this optimizer has {len(self.param_groups)}")
        for saved, group in zip(groups, self.param_groups):  # check everything before changing anything
            if len(saved["params"]) != len(group["params"]):
                raise ValueError("load_state_dict: a saved parameter group has "
                                 f"{len(saved['params'])} parameters, this one has "
                                 f"{len(group['params'])}")
            check_options({**group, **saved}, self.checked_options)
        by_index = {}
        for saved, group in zip(groups, self.param_groups):
            for i, p in zip(saved["params"], group["params"]):
                by_index[i] = p
            for key, value in saved.items():
                if key != "params":
                    group[key] = copy.deepcopy(value)
        self.state = {}
        for i, values in state_dict["state"].items():
            p = by_index[int(i)]
            self.state[p] = {k: _copy(v, p.data.dtype) for k, v in values.items()}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _copy(value: Any, dtype=None):
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, ndarray):
        if dtype is not None and value.dtype.kind == "f":
            return value.astype(dtype)
        return value.copy()
    return copy.deepcopy(value)
