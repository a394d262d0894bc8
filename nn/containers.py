"""Containers, as PyTorch's: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``,
``ParameterDict``.  What they hold is registered, so its parameters are the container's
(``layers.0.weight``, ``heads.cls.bias``) and are saved, moved and trained with it.

>>> import nn
>>> heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "box": nn.Linear(4, 2)})
>>> [name for name, _ in heads.named_parameters()]
['cls.weight', 'cls.bias', 'box.weight', 'box.bias']
"""
from __future__ import annotations

import itertools
import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping

from minigrad import Tensor

from .module import Module, Parameter, _indent

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


def _renumber(container: Module, values: list) -> None:
    """Put ``values`` in ``container`` named 0, 1, 2... (after a deletion or an insertion)."""
    table = container._modules
    for name in list(table):
        container.__dict__.pop(name, None)
    table.clear()
    for i, value in enumerate(values):
        container.add_module(str(i), value)


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: submodules kept in order, counted, iterated and
    reached by position like a list's items (``model[0]``, ``model[-1]``, ``model[1:]``)."""

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def _position(self, index) -> int:
        position = operator.index(index)  # ints and numpy ints; a str raises TypeError
        if not -len(self) <= position < len(self):
            raise IndexError(f"index {index} is out of range")
        return position % len(self)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._slice(index)
        return list(self._modules.values())[self._position(index)]

    def __setitem__(self, index, module: Module) -> None:
        self.add_module(str(self._position(index)), module)

    def __delitem__(self, index) -> None:
        values = list(self._modules.values())
        if isinstance(index, slice):
            del values[index]
        else:
            del values[self._position(index)]
        _renumber(self, values)  # names stay 0, 1, 2..., as in PyTorch

    def _slice(self, index: slice) -> _ModuleSequence:
        """A container of the same kind holding the modules in ``index``."""
        raise NotImplementedError

    def append(self, module: Module) -> _ModuleSequence:
        """Add ``module`` at the end (named by its position); returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> _ModuleSequence:
        """Append each of ``modules``; returns self."""
        if not isinstance(modules, Iterable):
            raise TypeError(f"{type(self).__name__}.extend should be called with an iterable, "
                            f"but got {type(modules).__name__}")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index``."""
        values = list(self._modules.values())
        n = len(values)
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        values.insert(index, module)
        _renumber(self, values)

    def pop(self, index: int = -1) -> Module:
        """Remove the module at ``index`` and return it."""
        module = self[index]
        del self[index]
        return module

    def __iadd__(self, other) -> _ModuleSequence:
        return self.extend(other)

    def __dir__(self):
        return [key for key in super().__dir__() if not key.isdigit()]


class Sequential(_ModuleSequence):
    """Modules applied one after the other; indexable, sliceable, iterable, with a length.

    >>> import nn
    >>> model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    >>> len(model), type(model[1]).__name__
    (3, 'ReLU')
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (dict, OrderedDict)):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def _slice(self, index: slice) -> Sequential:
        # The modules keep their names, as in PyTorch: model[1:] of (Linear, ReLU, Linear)
        # names its parameters '2.weight', '2.bias', the names they have in the whole model.
        return type(self)(OrderedDict(list(self._modules.items())[index]))

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError("add operator supports only objects of Sequential class, but "
                             f"{type(other)} is given.")
        return Sequential(*self, *other)

    def __mul__(self, other: int) -> Sequential:
        if not isinstance(other, int) or isinstance(other, bool):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(other)}")
        if other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for {type(self)}")
        return Sequential(*(list(self) * other))

    __rmul__ = __mul__


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (``layers.0.weight``...)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _slice(self, index: slice) -> ModuleList:
        return type(self)(list(self)[index])

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])

    def __repr__(self) -> str:
        # As PyTorch prints a ModuleList: a run of modules that print alike is one line,
        # ``(1-3): 3 x Linear(...)`` (a deep MLP's hidden layers).
        if not self._modules:
            return f"{self._get_name()}()"
        lines = []
        start = 0
        for text, run in itertools.groupby(repr(module) for module in self):
            count = len(list(run))
            if count == 1:
                lines.append(f"({start}): {_indent(text)}")
            else:
                lines.append(f"({start}-{start + count - 1}): {count} x {_indent(text)}")
            start += count
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList is not callable: call its modules (for layer in "
                                  "self.layers: x = layer(x))")


class ModuleDict(Module):
    """Modules by name, in insertion order; ``d[name]``, ``in``, ``keys items values update
    pop clear``, as a dict."""

    def __init__(self, modules: Mapping | Iterable | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]
        self.__dict__.pop(key, None)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def clear(self) -> None:
        for key in list(self._modules):
            del self[key]

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules) -> None:
        """Add the ``(name, module)`` pairs of a mapping or an iterable of pairs."""
        pairs = _pairs(modules, type(self).__name__)
        for key, module in pairs:
            self[key] = module

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict is not callable: call its modules by name")


def _pairs(items, owner: str) -> list:
    if isinstance(items, Mapping):
        return list(items.items())
    if not isinstance(items, Iterable):
        raise TypeError(f"{owner}.update should be called with an iterable of key/value pairs, "
                        f"but got {type(items).__name__}")
    pairs = []
    for j, pair in enumerate(items):
        if not isinstance(pair, Iterable):
            raise TypeError(f"{owner} update sequence element #{j} should be Iterable; is "
                            f"{type(pair).__name__}")
        pair = tuple(pair)
        if len(pair) != 2:
            raise ValueError(f"{owner} update sequence element #{j} has length {len(pair)}; 2 "
                             "is required")
        pairs.append(pair)
    return pairs


def _describe(value) -> str:
    """How ParameterList and ParameterDict print one entry (``Parameter containing: [float32
    of size 2x3]``)."""
    if isinstance(value, Tensor):
        size = "x".join(str(n) for n in value.shape)
        kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
        return f"{kind} containing: [{value.dtype} of size {size}]"
    return f"Object of type: {type(value).__name__}"


def _as_parameter(value):
    """A tensor put in a ParameterList or ParameterDict becomes a Parameter, as in PyTorch."""
    if isinstance(value, Tensor) and not isinstance(value, Parameter):
        return Parameter(value.data)
    return value


class ParameterList(Module):
    """A list of parameters, registered as ``0``, ``1``...: ``append extend`` and indexing."""

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__()
        object.__setattr__(self, "_size", 0)
        if values is not None:
            self.extend(values)

    def _position(self, index) -> int:
        position = operator.index(index)
        if not -len(self) <= position < len(self):
            raise IndexError(f"index {index} is out of range")
        return position % len(self)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)([self[i] for i in range(len(self))[index]])
        return getattr(self, str(self._position(index)))

    def __setitem__(self, index: int, value) -> None:
        setattr(self, str(self._position(index)), _as_parameter(value))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator:
        return (self[i] for i in range(len(self)))

    def __iadd__(self, values: Iterable) -> ParameterList:
        return self.extend(values)

    def append(self, value) -> ParameterList:
        object.__setattr__(self, "_size", self._size + 1)
        setattr(self, str(self._size - 1), _as_parameter(value))
        return self

    def extend(self, values: Iterable) -> ParameterList:
        if not isinstance(values, Iterable) or isinstance(values, Tensor):
            raise TypeError("ParameterList.extend should be called with an iterable, but got "
                            f"{type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({i}): {_describe(value)}" for i, value in enumerate(self))

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterList is not callable")


class ParameterDict(Module):
    """Parameters by name, in insertion order, with a dict's methods."""

    def __init__(self, parameters: Mapping | Iterable | None = None) -> None:
        super().__init__()
        object.__setattr__(self, "_keys", {})
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str):
        if key not in self._keys:
            raise KeyError(key)
        return getattr(self, key)

    def __setitem__(self, key: str, value) -> None:
        self._keys[key] = None
        setattr(self, key, _as_parameter(value))

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def keys(self):
        return self._keys.keys()

    def items(self):
        return [(k, self[k]) for k in self._keys]

    def values(self):
        return [self[k] for k in self._keys]

    def get(self, key: str, default=None):
        return self[key] if key in self else default

    def setdefault(self, key: str, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: str):
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple:
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    def copy(self) -> ParameterDict:
        return ParameterDict(OrderedDict(self.items()))

    def update(self, parameters) -> None:
        for key, value in _pairs(parameters, type(self).__name__):
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(f"  ({k}): {_describe(v)}" for k, v in self.items())

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ParameterDict is not callable")
