"""``Module`` and ``Parameter``: layers that own their weights, as in PyTorch.

A module registers what is assigned to it: ``self.weight = Parameter(...)`` becomes a parameter,
``self.fc = Linear(...)`` a submodule, ``register_buffer`` a tensor that is saved with the module
but not trained (BatchNorm's running statistics).  Names are dotted paths (``layers.0.weight``).
"""
from __future__ import annotations

import weakref
from collections import OrderedDict, namedtuple
from collections.abc import Iterator, Mapping
from typing import Any

from minigrad import Tensor, engine
from minigrad.backend import default_float, xp
from minigrad.teaching import state as teaching  # mg.teaching's hooks (a flag test when off)


class _RunningModules:
    """The modules whose forward is running, outermost first.  While there is one, every node
    the engine records keeps weak references to them (autograd's node context), so that a
    drawing can group the graph by module.  Weak: a module that keeps its own output tensor
    (``self.last = out``) must not be kept alive by the nodes behind that tensor."""

    def __init__(self):
        self.stack: list = []
        self.refs: tuple = ()  # weak references to the stack: what each node records
        self.previous = None  # the provider that was set before the outermost module ran

    def push(self, module) -> None:
        self.stack.append(module)
        self.refs = (*self.refs, weakref.ref(module))
        if len(self.stack) == 1:
            self.previous = engine.set_node_context(self.context)

    def pop(self) -> None:
        self.stack.pop()
        self.refs = self.refs[:-1]
        if not self.stack:
            engine.set_node_context(self.previous)
            self.previous = None

    def context(self) -> tuple:
        return self.refs


running_modules = _RunningModules()
module_stack = running_modules.stack


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Parameter(Tensor):
    """A tensor that a ``Module`` trains: it requires grad and is registered on assignment.

    >>> import nn
    >>> p = nn.Parameter([1.0, 2.0])
    >>> p.requires_grad
    True
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True):
        if data is None:
            data = xp.empty(0, dtype=default_float())
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of every layer: subclasses set attributes in ``__init__`` and write ``forward``.

    >>> import nn
    >>> class Affine(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.scale = nn.Parameter([2.0])
    ...     def forward(self, x):
    ...         return x * self.scale
    >>> [name for name, _ in Affine().named_parameters()]
    ['scale']
    """

    training: bool

    def __init__(self) -> None:
        # Parameters, buffers and submodules also live in __dict__, so that reading
        # ``self.weight`` in forward is a plain attribute lookup (the hot path).
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    # -- registration ------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() is called "
                                 "(call super().__init__() first in your module's __init__)")
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            buffers.pop(name, None)
            modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            buffers.pop(name, None)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as parameter {name!r} "
                                "(nn.Parameter or None expected)")
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} as child module {name!r} "
                                "(nn.Module or None expected)")
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign {type(value).__name__} as buffer {name!r} "
                                "(Tensor or None expected)")
            buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        self._non_persistent.discard(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: {name!r} must be an nn.Parameter or None, "
                            f"got {type(param).__name__}")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor saved in ``state_dict`` but not trained (running statistics, counters)."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got "
                            f"{type(tensor).__name__}")
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module
        object.__setattr__(self, name, module)

    # -- running -----------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward(); define it in the "
                                  "subclass")

    def __call__(self, *args, **kwargs):
        # The drawing groups the graph by module: every node recorded while this forward runs
        # remembers the modules on the stack.
        if teaching.on: teaching.module_call(self)  # noqa: E701
        running_modules.push(self)
        try:
            return self.forward(*args, **kwargs)
        finally:
            running_modules.pop()

    # -- traversal ---------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "") -> Iterator[tuple]:
        """``(dotted name, module)`` for this module (name ``''``) and every descendant, once."""
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool) -> Iterator[tuple]:
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple]:
        """``(dotted name, parameter)`` pairs, each parameter once (shared ones too)."""
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self._named_members("_parameters", "", recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple]:
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self._named_members("_buffers", "", recurse):
            yield b

    # -- modes and gradients -----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout drops, BatchNorm uses batch statistics); returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter (set them to None, PyTorch's default)."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.data[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def apply(self, fn) -> Module:
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- saving and loading ------------------------------------------------------------------
    def state_dict(self, prefix: str = "") -> OrderedDict:
        """Dotted name -> tensor for every parameter and persistent buffer (sharing the data)."""
        result = OrderedDict()
        for module_prefix, module in self.named_modules():
            full = prefix + (module_prefix + "." if module_prefix else "")
            for name, p in module._parameters.items():
                if p is not None:
                    result[full + name] = p.detach()
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent:
                    result[full + name] = b.detach()
        return result

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy the values of ``state_dict`` into this module's parameters and buffers.

        Every key, shape and dtype is checked before the first value is copied, so a load that
        raises leaves the module exactly as it was. A wrong shape always raises, as does a dtype
        this module's tensor cannot hold without losing information (a float64 value into a
        float32 weight: cast it first if that is what you want); with ``strict`` a missing or
        unexpected key raises too. Returns the missing and unexpected keys, as PyTorch does.

        >>> import nn
        >>> nn.Linear(2, 1).load_state_dict(nn.Linear(2, 1).state_dict())
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self.state_dict()  # its tensors share their arrays with this module's
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict:
            if missing:
                errors.append("missing keys: " + ", ".join(repr(k) for k in missing))
            if unexpected:
                errors.append("unexpected keys: " + ", ".join(repr(k) for k in unexpected))
        arrays = {}
        for key, target in own.items():
            if key in state_dict:
                arrays[key], error = _checked_value(key, state_dict[key], target)
                if error:
                    errors.append(error)
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n  "
                               + "\n  ".join(errors))
        # Nothing below can fail (same shapes, safe casts): the copy is all or nothing.
        for key, array in arrays.items():
            own[key].data[...] = array  # in place: optimizers keep referring to the same arrays
            # as PyTorch's copy_: a backward through a graph that saved the old values raises
            engine.increment_version(own[key])
        return IncompatibleKeys(missing, unexpected)

    # -- printing ----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of this module's repr."""
        return ""

    def _child_lines(self) -> list:
        """One ``(name): repr`` line per submodule, for this module's repr."""
        return [f"({name}): {_indent(repr(module))}" for name, module in self._modules.items()]

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = (extra.split("\n") if extra else []) + self._child_lines()
        if not lines:
            return f"{type(self).__name__}()"
        if len(lines) == 1 and not self._modules:
            return f"{type(self).__name__}({lines[0]})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _checked_value(key: str, value, target: Tensor) -> tuple:
    """``(array, None)`` when ``value`` fits the module's tensor ``target``, else ``(None, why)``.

    Plain Python values (lists, numbers) get minigrad's dtypes (floats as float32), as
    ``mg.tensor`` gives them; arrays and tensors keep theirs, which must cast safely.
    """
    try:
        array = value.data if isinstance(value, Tensor) else Tensor(value).data
    except (TypeError, ValueError) as error:
        return None, f"value of {key!r} is not an array of numbers: {error}"
    if tuple(array.shape) != tuple(target.shape):
        return None, (f"size mismatch for {key!r}: the checkpoint has shape {tuple(array.shape)}, "
                      f"this module has shape {tuple(target.shape)}")
    if not xp.can_cast(array.dtype, target.dtype, casting="safe"):
        return None, (f"dtype mismatch for {key!r}: the checkpoint has {array.dtype}, this module "
                      f"has {target.dtype}, which cannot hold every {array.dtype} value; convert "
                      f"the value first (e.g. value.astype('{target.dtype}')) if that is intended")
    return array, None


def _indent(text: str) -> str:
    """A submodule's repr, its lines after the first shifted under its parent's."""
    return text.replace("\n", "\n  ")
