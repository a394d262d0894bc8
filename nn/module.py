"""``Module`` and ``Parameter``: layers that own their weights, as in PyTorch.

A module registers what is assigned to it: ``self.weight = Parameter(...)`` becomes a parameter,
``self.fc = Linear(...)`` a submodule, ``register_buffer`` a tensor that is saved with the module
but not trained (BatchNorm's running statistics).  Names are dotted paths (``layers.0.weight``).
"""
from __future__ import annotations

import warnings
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from minigrad import Tensor, engine
from minigrad.backend import default_float, xp
from minigrad.device import as_device
from minigrad.device import device as Device
from minigrad.teaching import state as teaching  # mg.teaching's hooks (a flag test when off)

from . import module_state
from .hooks import RemovableHandle, call_with_hooks
from .module_state import IncompatibleKeys

__all__ = ["Module", "Parameter", "IncompatibleKeys", "RemovableHandle"]


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


_NOT_FLOAT = "nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={}"


def _typename(value) -> str:
    """A value's type as PyTorch's messages name it (``'int'``, ``'minigrad.Tensor'``)."""
    kind = type(value)
    if isinstance(value, Tensor):
        return f"minigrad.{kind.__name__}"
    if kind.__module__ == "builtins":
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


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
    _hooked = False  # any forward hook or pre-hook registered: the one test of the fast path

    def __init__(self, *args, **kwargs) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments: Module "
                            f"takes none (args {args}, kwargs {kwargs})")
        # Parameters, buffers and submodules also live in __dict__, so that reading
        # ``self.weight`` in forward is a plain attribute lookup (the hot path).
        setter = object.__setattr__
        for table in ("_parameters", "_buffers", "_modules", "_forward_pre_hooks",
                      "_forward_hooks", "_forward_pre_hooks_with_kwargs",
                      "_forward_hooks_with_kwargs", "_forward_hooks_always_called"):
            setter(self, table, OrderedDict())
        setter(self, "_non_persistent", set())
        setter(self, "training", True)

    # -- registration ------------------------------------------------------------------------
    def _forget(self, name: str) -> None:
        """``name`` stops being a parameter, buffer or submodule (before it is registered anew)."""
        for table in (self._parameters, self._buffers, self._modules):
            table.pop(name, None)
        self._non_persistent.discard(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() call (call "
                                 "super().__init__() first in your module's __init__)")
        params, buffers, modules = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            self._forget(name)
            self.__dict__.pop(name, None)
            self.register_parameter(name, value)
            return
        if name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(nn.Parameter or None expected)")
            params[name] = None
        elif isinstance(value, Module):
            self._forget(name)
            modules[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(nn.Module or None expected)")
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(Tensor or None expected)")
            buffers[name] = value
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        # Only reached when __dict__ lacks the name: an entry written into a table directly
        # (``self._modules['fc'] = layer``) is still found, as in PyTorch.
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def _check_name(self, kind: str, name, table: dict) -> None:
        """PyTorch's checks of a name given to register_parameter/register_buffer/add_module."""
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."' + (f", got: {name}" if kind == "module" else ""))
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in table:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` (an ``nn.Parameter``, or None for an absent one) as ``self.<name>``."""
        self._check_name("parameter", name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model "
                             f"parameters must be created explicitly. To express '{name}' as a "
                             "function of another Tensor, compute the value in the forward() method.")
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor kept with the module but not trained (running statistics, counters); saved
        in ``state_dict`` unless ``persistent=False``."""
        self._check_name("buffer", name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add ``module`` as the child ``self.<name>``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        self._check_name("module", name, self._modules)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``''``: this module)."""
        module = self
        for item in target.split(".") if target else ():
            if not hasattr(module, item):
                raise AttributeError(f"{type(module).__name__} has no attribute `{item}`")
            module = getattr(module, item)
            if not isinstance(module, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return module

    def _get_member(self, target: str, kind: type, what: str):
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        value = getattr(module, name)
        if not isinstance(value, kind) or (what == "a buffer" and name not in module._buffers):
            raise AttributeError(f"`{name}` is not {what}")
        return value

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``'layers.0.weight'``)."""
        return self._get_member(target, Parameter, "an nn.Parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target`` (``'norm.running_mean'``)."""
        return self._get_member(target, Tensor, "a buffer")

    # -- running -----------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required '
                                  '"forward" function')

    def __call__(self, *args, **kwargs):
        # The drawing groups the graph by module: every node recorded while this forward runs
        # remembers the modules on the stack.
        if teaching.on: teaching.module_call(self)  # noqa: E701
        running_modules.push(self)
        try:
            if self._hooked:
                return call_with_hooks(self, args, kwargs)
            return self.forward(*args, **kwargs)
        finally:
            running_modules.pop()

    def _refresh_hooked(self) -> None:
        object.__setattr__(self, "_hooked", bool(self._forward_hooks or self._forward_pre_hooks))

    def _add_hook(self, table: dict, hook, prepend: bool, flags: tuple) -> RemovableHandle:
        extras = [self._forward_hooks_with_kwargs, self._forward_hooks_always_called] \
            if table is self._forward_hooks else [self._forward_pre_hooks_with_kwargs]
        handle = RemovableHandle(table, extra_dict=extras, module=self)
        table[handle.id] = hook
        for extra, wanted in zip(extras, flags):
            if wanted:
                extra[handle.id] = True
        if prepend:
            table.move_to_end(handle.id, last=False)
        self._refresh_hooked()
        return handle

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """``hook(module, args)`` before each forward (``hook(module, args, kwargs)`` with
        ``with_kwargs``); what it returns, unless None, replaces the arguments."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, (with_kwargs,))

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """``hook(module, args, output)`` after each forward (``hook(module, args, kwargs,
        output)`` with ``with_kwargs``); what it returns, unless None, replaces the output."""
        return self._add_hook(self._forward_hooks, hook, prepend, (with_kwargs, always_call))

    # -- traversal ---------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple]:
        """``(dotted name, module)`` for this module (name ``''``) and every descendant; a
        module reached twice is listed once unless ``remove_duplicate=False``."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, prefix + ("." if prefix else "") + name,
                                                remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple]:
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple]:
        """``(dotted name, parameter)`` pairs, each parameter once (shared ones too) unless
        ``remove_duplicate=False``."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self._named_members("_parameters", "", recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self._named_members("_buffers", "", recurse):
            yield b

    # -- modes and gradients -----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Training mode (dropout drops, BatchNorm uses batch statistics); returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        object.__setattr__(self, "training", mode)
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter: set them to None (PyTorch's default), or
        to zeros in place with ``set_to_none=False``."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad = p.grad.detach()
                p.grad.data[...] = 0
                engine.increment_version(p.grad)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Whether autograd records operations on this module's parameters; returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def apply(self, fn) -> Module:
        """``fn(m)`` for every submodule, children first, then this module; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- devices and dtypes ------------------------------------------------------------------
    def to(self, *args, **kwargs) -> Module:
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)``: floating
        parameters and buffers cast to ``dtype`` (integer ones kept), the module checked to be
        on a device minigrad computes on (the CPU); returns self, as PyTorch."""
        device, dtype = _to_arguments(args, kwargs)
        as_device(device, "Module.to")
        if dtype is not None:
            dtype = xp.dtype(dtype)
            if dtype.kind not in "fc":
                raise TypeError(_NOT_FLOAT.format(dtype))
            self._cast(dtype)
        return self

    def _cast(self, dtype, only_floating: bool = True) -> Module:
        def fits(t):
            return t is not None and (t.dtype.kind in "fc" or not only_floating)

        for module in self.modules():
            for p in module._parameters.values():
                if fits(p):  # the same Parameter, its values cast (optimizers keep it)
                    p.data = p.data.astype(dtype)
                    if p.grad is not None:
                        p.grad.data = p.grad.data.astype(dtype)
            for name, b in list(module._buffers.items()):
                if fits(b):
                    new = Tensor(b.data.astype(dtype), requires_grad=b.requires_grad)
                    module._buffers[name] = new
                    object.__setattr__(module, name, new)
        return self

    def float(self) -> Module:
        """Floating parameters and buffers to float32; returns self."""
        return self._cast(xp.float32)

    def double(self) -> Module:
        """Floating parameters and buffers to float64; returns self."""
        return self._cast(xp.float64)

    def half(self) -> Module:
        """Floating parameters and buffers to float16; returns self."""
        return self._cast(xp.float16)

    def cpu(self) -> Module:
        return self

    def type(self, dst_type) -> Module:
        """Every parameter and buffer cast to ``dst_type``; returns self."""
        return self._cast(xp.dtype(dst_type), only_floating=False)

    # -- saving and loading ------------------------------------------------------------------
    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """An ``OrderedDict`` of dotted name -> tensor for every parameter and persistent buffer,
        detached (sharing the module's memory) unless ``keep_vars``.

        >>> import nn
        >>> list(nn.BatchNorm1d(3).state_dict())
        ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
        """
        if args:
            warnings.warn("Positional args are being deprecated, use kwargs instead. Refer to "
                          "https://pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn."
                          "Module.state_dict for details.", FutureWarning, stacklevel=2)
            destination, prefix, keep_vars = (*args, *(destination, prefix, keep_vars)[len(args):])
        if destination is None:
            destination = OrderedDict()
        return module_state.save_into(self, destination, prefix, keep_vars)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy the values of ``state_dict`` into this module's parameters and buffers.

        Every key, shape and dtype is checked before the first value is copied, so a load that
        raises leaves the module exactly as it was. A wrong shape always raises, as does a dtype
        this module's tensor cannot hold without losing information (a float64 value into a
        float32 weight: cast it first if that is what you want); with ``strict`` a missing or
        unexpected key raises too. ``assign=True`` puts the state dict's tensors in the module
        instead of copying their values. Returns the missing and unexpected keys, as PyTorch.

        >>> import nn
        >>> nn.Linear(2, 1).load_state_dict(nn.Linear(2, 1).state_dict())
        <All keys matched successfully>
        """
        return module_state.load(self, state_dict, strict, assign)

    # -- printing ----------------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of this module's repr."""
        return ""

    def _child_lines(self) -> list:
        """One ``(name): repr`` line per submodule, for this module's repr."""
        return [f"({name}): {_indent(repr(module))}" for name, module in self._modules.items()]

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = self._child_lines()
        lines = extra_lines + child_lines
        if not lines:
            return f"{self._get_name()}()"
        if len(extra_lines) == 1 and not child_lines:
            return f"{self._get_name()}({extra_lines[0]})"
        return f"{self._get_name()}(\n  " + "\n  ".join(lines) + "\n)"


def _to_arguments(args: tuple, kwargs: dict) -> tuple:
    """``(device, dtype)`` from the ways ``Module.to`` is called (a tensor gives both)."""
    kwargs = dict(kwargs)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments: {sorted(kwargs)}")
    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif isinstance(arg, bool):  # non_blocking given by position
            continue
        elif isinstance(arg, (str, int, Device)) or arg is None:
            device = arg
        else:
            dtype = arg
    return device, dtype


def _indent(text: str) -> str:
    """A submodule's repr, its lines after the first shifted under its parent's."""
    return text.replace("\n", "\n  ")
