"""A module's ``state_dict`` and ``load_state_dict``, walked as PyTorch walks them.

Keys are dotted names, in the order PyTorch gives them: each module's parameters, then its
persistent buffers, then its children's, depth first; a module reached under two names (a shared
layer) is listed under both.  Loading checks every key, shape and dtype before it copies the
first value, so a load that raises leaves the module as it was (PyTorch copies what fits before
it raises; the messages are PyTorch's).
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from minigrad import Tensor, engine
from minigrad.backend import xp


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the module's keys the state dict lacks, and the state
    dict's keys the module does not have."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, " \
               f"unexpected_keys={self.unexpected_keys!r})"

    __str__ = __repr__


def local_state(module) -> dict:
    """This module's own parameters and persistent buffers (None ones left out), by name."""
    state = {name: p for name, p in module._parameters.items() if p is not None}
    for name, b in module._buffers.items():
        if b is not None and name not in module._non_persistent:
            state[name] = b
    return state


def save_into(module, destination: OrderedDict, prefix: str, keep_vars: bool) -> OrderedDict:
    for name, value in local_state(module).items():
        destination[prefix + name] = value if keep_vars else value.detach()
    for name, child in module._modules.items():
        if child is not None:
            save_into(child, destination, prefix + name + ".", keep_vars)
    return destination


class _Load:
    """One ``load_state_dict``: the keys it found wrong and the values it will write."""

    def __init__(self, state_dict: Mapping, assign: bool):
        self.state_dict, self.assign = state_dict, assign
        self.missing, self.unexpected, self.errors, self.writes = [], [], [], []

    def visit(self, module, prefix: str) -> None:
        own = local_state(module)
        for name, target in own.items():
            key = prefix + name
            if key not in self.state_dict:
                self.missing.append(key)
                continue
            array, error = checked_value(key, self.state_dict[key], target)
            if error:
                self.errors.append(error)
            else:
                self.writes.append((module, name, target, array, self.state_dict[key]))
        for key in self.state_dict:
            if key.startswith(prefix):
                head = key[len(prefix):].split(".", 1)
                if (head[0] not in module._modules) if len(head) > 1 else (head[0] not in own):
                    self.unexpected.append(key)
        for name, child in module._modules.items():
            if child is not None:
                self.visit(child, prefix + name + ".")

    def write(self) -> None:
        from .module import Parameter  # (module.py imports this file)

        for module, name, target, array, value in self.writes:
            if not self.assign:
                target.data[...] = array  # in place: optimizers keep the same arrays
                # as PyTorch's copy_: a backward through a graph that saved the old value raises
                engine.increment_version(target)
            elif isinstance(target, Parameter):
                new = value if isinstance(value, Parameter) else Parameter(array)
                new.requires_grad_(target.requires_grad)
                setattr(module, name, new)
            else:
                setattr(module, name, value if isinstance(value, Tensor) else Tensor(array))


def load(module, state_dict, strict: bool, assign: bool) -> IncompatibleKeys:
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
    job = _Load(state_dict, assign)
    job.visit(module, "")
    errors = list(job.errors)
    if strict:
        if job.unexpected:
            errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                ", ".join(f'"{k}"' for k in job.unexpected)))
        if job.missing:
            errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                ", ".join(f'"{k}"' for k in job.missing)))
    if errors:
        raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
            type(module).__name__, "\n\t".join(errors)))
    job.write()  # nothing here can fail (same shapes, safe casts): all or nothing
    return IncompatibleKeys(job.missing, job.unexpected)


def checked_value(key: str, value, target: Tensor) -> tuple:
    """``(array, None)`` when ``value`` (a tensor or a numpy array) fits the module's tensor
    ``target``, else ``(None, why)``."""
    if isinstance(value, Tensor):
        array = value.data
    elif isinstance(value, (xp.ndarray, xp.generic)):
        array = xp.asarray(value)
    else:
        return None, (f'While copying the parameter named "{key}", expected a Tensor or an array '
                      f"from checkpoint but received {type(value)}")
    if tuple(array.shape) != tuple(target.shape):
        return None, (f"size mismatch for {key}: copying a param with shape {tuple(array.shape)} "
                      f"from checkpoint, the shape in current model is {tuple(target.shape)}.")
    if not xp.can_cast(array.dtype, target.dtype, casting="safe"):
        # PyTorch's copy_ would round or truncate silently: minigrad refuses (no silent change)
        return None, (f"dtype mismatch for {key}: the checkpoint has {array.dtype}, the current "
                      f"model has {target.dtype}, which cannot hold every {array.dtype} value; "
                      f"convert the value first (e.g. value.astype('{target.dtype}')) if that is "
                      "intended")
    return array, None
