"""In-place changes (``+=``, ``x[i] = v``, an optimizer's update) and the version counter.

Every tensor has a version counter, shared with the tensors that view its memory (basic
indexing, ``view``, ``reshape`` when it returns a view, ``transpose``, ``.T``, ``detach``): a
write through either is seen by both.  Every in-place change bumps the counter and notes when it
happened (the count of writes so far).  A node notes that count when it is made, and nothing per
input; backward raises, as PyTorch does, when a tensor it reads was written after it, instead of
computing a gradient from a value that is no longer the one forward used.

An in-place op on a tensor that requires grad (or with an operand that does) is recorded: the
tensor takes the op's node, and the node keeps a copy of the old value it needs.  minigrad does
not re-derive the graph of other tensors sharing the memory (PyTorch's view replay), so such an
op raises when the tensor is a view, or has live views, rather than leave their gradients wrong.
"""
from __future__ import annotations

import weakref

from . import engine
from .backend import xp
from .engine import counter_of, increment_version
from .grad_mode import grad_state, swap_grad_mode
from .ops import arithmetic, indexing
from .ops.array_or_tensor import operand, raw


def share_memory(view, base) -> None:
    """``view`` shows ``base``'s memory: one version counter, and each knows the other exists."""
    counter = counter_of(base)
    if counter[1] is None:
        counter[1] = weakref.WeakSet((base,))
    counter[1].add(view)
    view._counter = counter
    engine.adopt_counter(view)


def _check_recordable(tensor, op_name: str) -> None:
    if tensor.requires_grad and tensor.grad_fn is None:
        raise RuntimeError(
            f"{op_name}: a leaf Variable that requires grad is being used in an in-place "
            f"operation (a tensor of shape {tuple(tensor.shape)}); do it out of place, or "
            "inside mg.no_grad() (as an optimizer's update does)"
        )
    sharing = tensor._counter[1] if tensor._counter is not None else None
    if sharing is not None and any(t is not tensor for t in sharing):
        raise RuntimeError(
            f"{op_name}: this tensor (shape {tuple(tensor.shape)}) shares its memory with another "
            "tensor (a view of it, or the tensor it views), and minigrad does not re-derive the "
            "gradient of the others after an in-place op that is recorded; use the out-of-place "
            "form (y = x + 1, mg.where, mg.cat) or clone() first"
        )


def _check_result(tensor, value, op_name: str) -> None:
    if value.shape != tensor.shape:
        raise RuntimeError(
            f"{op_name}: output with shape {list(tensor.shape)} doesn't match the broadcast shape "
            f"{list(value.shape)}: an in-place op cannot change the shape of the tensor it writes"
        )
    if value.dtype != tensor.dtype and not xp.can_cast(value.dtype, tensor.dtype, "same_kind"):
        raise RuntimeError(
            f"{op_name}: result type {value.dtype} can't be cast to the desired output type "
            f"{tensor.dtype} (convert the tensor first, e.g. .float())"
        )


def _record(tensor, compute, op_name: str):
    """A recorded in-place op: ``compute(old value)`` (a recorded op on a copy of the tensor's
    current value), written into ``tensor``, whose node becomes the result's."""
    _check_recordable(tensor, op_name)
    epoch = engine.next_epoch()
    result = compute(_snapshot(tensor))
    _check_result(tensor, result.data, op_name)
    engine.retire_value(tensor, epoch)
    xp.copyto(tensor.data, result.data, casting="same_kind")
    increment_version(tensor)
    previous = tensor.grad_fn
    node = result.grad_fn
    node.output_counter = tensor._counter  # (increment_version made it)
    node.epoch = engine.current_epoch()  # made before the write into the tensor, which is its own
    tensor.grad_fn, tensor.requires_grad = node, True
    if previous is not None:
        _move_retain_grad(tensor, previous)
    return tensor


def _aliased(operands, tensor, old) -> tuple:
    """The operands with ``tensor`` itself (``c *= c``, ``c.add_(c)``) read as its old value: the
    op's result is f(old, old).  (PyTorch raises in backward instead where the op saves the
    operand; minigrad gives the gradient of that f.)"""
    return tuple(old if a is tensor else a for a in operands)


def _snapshot(tensor):
    """The tensor's current value and node, in memory of its own: what the recorded in-place
    op takes as its input (the tensor itself is about to be overwritten)."""
    snapshot = engine.new_tensor(tensor.data.copy(), tensor.grad_fn)
    # A counter of its own: the node checks this copy, never written, rather than finding the
    # tensor's counter through their shared grad_fn.
    snapshot._counter = [0, None, 0, 0]
    return snapshot


def binary_inplace(tensor, op, other):
    """``tensor op= other`` (``op`` an arithmetic Function class): truly in place."""
    op_name = f"in-place {op.name}"
    other = operand(other)
    recording = grad_state.enabled and (tensor.requires_grad or getattr(other, "requires_grad", False))
    if recording:
        return _record(tensor, lambda old: op.apply(old, old if other is tensor else other), op_name)
    return assign_result(tensor, op().forward(tensor.data, raw(other)), op_name)


def method(function, name: str):
    """``Tensor.<name>_``: ``function``'s result written into the tensor (``x.exp_()``,
    ``x.add_(y, alpha=2)``, ``x.clamp_(min=0)``), recorded when either side requires grad."""
    op_name = f"{name}_"

    def in_place(tensor, *args, **kwargs):
        operands = [a for a in (*args, *kwargs.values()) if getattr(a, "requires_grad", False)]
        if grad_state.enabled and (tensor.requires_grad or operands):
            def compute(old):
                named = dict(zip(kwargs, _aliased(kwargs.values(), tensor, old)))
                result = function(old, *_aliased(args, tensor, old), **named)
                if result.grad_fn is None:  # an op without gradient (x.eq_(y)): PyTorch's zero one
                    result = arithmetic.WrittenWithoutGradient.apply(old, result.data)
                return result

            return _record(tensor, compute, op_name)
        previous = swap_grad_mode(False)
        try:
            value = function(tensor, *args, **kwargs)
        finally:
            swap_grad_mode(previous)
        return assign_result(tensor, raw(value), op_name)

    in_place.__name__ = in_place.__qualname__ = op_name
    in_place.__doc__ = f"In-place :func:`{name}`: the result is written into this tensor."
    return in_place


def assign_result(tensor, value, op_name: str):
    """Write ``value``, an op's result computed outside the graph, into ``tensor``: in place,
    in the tensor's own shape and dtype (or an error), its version bumped."""
    _check_result(tensor, value, op_name)
    xp.copyto(tensor.data, value, casting="same_kind")
    increment_version(tensor)
    return tensor


def setitem(tensor, index, value) -> None:
    """``tensor[index] = value``, recorded when either side requires grad (as PyTorch does)."""
    value = operand(value)
    if grad_state.enabled and (tensor.requires_grad or getattr(value, "requires_grad", False)):
        def compute(old):
            return indexing.SetItem.apply(old, *_aliased((value,), tensor, old), index=index)

        _record(tensor, compute, "setitem")
        return
    indexing.write(tensor.data, index, raw(value))
    increment_version(tensor)


def _move_retain_grad(tensor, previous) -> None:
    """retain_grad follows the tensor to its new value (hooks stay with the old, as PyTorch)."""
    hooks = engine.node_hooks(previous)
    me = weakref.ref(tensor)
    for hook in [h for h in hooks if getattr(h, "retains_grad", None) is me]:
        hooks.remove(hook)
        engine.add_node_hook(tensor.grad_fn, hook)
