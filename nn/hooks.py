"""Forward hooks on modules, as PyTorch's: functions that run before and after a module's
``forward`` and may replace its inputs or its output, each removable through its handle.

>>> import minigrad as mg, nn
>>> layer = nn.Linear(2, 2)
>>> seen = []
>>> with layer.register_forward_hook(lambda module, args, output: seen.append(output.shape)):
...     _ = layer(mg.ones(3, 2))
>>> _ = layer(mg.ones(1, 2))  # the hook was removed when the with block ended
>>> seen
[torch.Size([3, 2])]
"""
from __future__ import annotations

import warnings
import weakref
from typing import Any


class RemovableHandle:
    """What ``register_forward_hook`` and ``register_forward_pre_hook`` return: ``remove()``
    takes the hook away (twice is harmless); as a context manager, it removes it on exit."""

    next_id: int = 0

    def __init__(self, hooks_dict: dict, *, extra_dict: Any = None, module=None) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        extras = [extra_dict] if isinstance(extra_dict, dict) else list(extra_dict or ())
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extras)
        self._module_ref = weakref.ref(module) if module is not None else None

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            table = ref()
            if table is not None:
                table.pop(self.id, None)
        module = self._module_ref() if self._module_ref is not None else None
        if module is not None:
            module._refresh_hooked()  # the call's fast path again once no hook is left

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info) -> None:
        self.remove()


def run_pre_hooks(module, args: tuple, kwargs: dict) -> tuple:
    """The forward pre-hooks in order; each may return new ``args`` (or, registered
    ``with_kwargs``, a new ``(args, kwargs)`` pair)."""
    for hook_id, hook in list(module._forward_pre_hooks.items()):
        if hook_id in module._forward_pre_hooks_with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {result}.")
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    return args, kwargs


def call_with_hooks(module, args: tuple, kwargs: dict):
    """``module.forward`` between its pre-hooks and hooks, as PyTorch's ``Module.__call__``: a
    hook registered with ``always_call=True`` runs even when forward (or a hook) raised."""
    result = None
    called = set()
    try:
        args, kwargs = run_pre_hooks(module, args, kwargs)
        result = module.forward(*args, **kwargs)
        for hook_id, hook in list(module._forward_hooks.items()):
            if hook_id in module._forward_hooks_always_called:
                called.add(hook_id)
            result = _apply_hook(module, hook_id, hook, args, kwargs, result)
        return result
    except Exception:
        for hook_id, hook in list(module._forward_hooks.items()):
            if hook_id in module._forward_hooks_always_called and hook_id not in called:
                try:
                    result = _apply_hook(module, hook_id, hook, args, kwargs, result)
                except Exception as error:
                    warnings.warn("module forward hook with ``always_call=True`` raised an "
                                  "exception that was silenced as another error was raised in "
                                  f"forward: {error}", stacklevel=2)
        raise


def _apply_hook(module, hook_id: int, hook, args: tuple, kwargs: dict, result):
    if hook_id in module._forward_hooks_with_kwargs:
        new = hook(module, args, kwargs, result)
    else:
        new = hook(module, args, result)
    return result if new is None else new
