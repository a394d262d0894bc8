"""Mistake detectors for learners: ``mg.teaching()`` warns, in plain words, about the mistakes
that silently cost hours.

``mg.teaching(mode=True)`` works as ``mg.set_grad_enabled`` does: called as a statement it turns
the detectors on (or off, with ``False``) from then on, which suits a notebook; in a ``with``
block it turns them on for the block and puts the previous mode back after::

    with mg.teaching():
        for x, y in loader:
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()        # TeachingWarning: gradients are accumulating ...

Each warning is a :class:`TeachingWarning` (a ``UserWarning``), given once per mistake and
object, so that a loop of a thousand steps prints it once.  What it watches:

- gradients accumulating across optimizer steps (no ``zero_grad()`` between them);
- ``cross_entropy`` fed probabilities (a softmax applied before a loss that applies its own),
  and ``nll_loss`` fed anything but log-probabilities;
- ``binary_cross_entropy_with_logits`` / ``BCEWithLogitsLoss`` fed sigmoid outputs;
- a parameter of the optimizer that received no gradient at a step;
- a model evaluated (forward under ``no_grad``) while in training mode with Dropout or
  BatchNorm inside: call ``model.eval()`` first;
- ``loss.backward(ones_like(loss))`` on a non-scalar loss, which differentiates ``loss.sum()``,
  and a ``(N, 1) - (N,)`` subtraction in a loss, which broadcasts to ``(N, N)``;
- a loss that explodes (grows more than 10x within 5 backward passes, or becomes inf/NaN),
  named with the backward pass where it happened: the learning rate is too large.

Off, the detectors cost one flag test per optimizer step and per module call and nothing per
op: the backward pass is watched through the engine's observer seam only while they are on.
"""
from __future__ import annotations

import math
import warnings
import weakref
from contextlib import ExitStack

from . import engine
from .backend import xp
from .grad_mode import grad_state

__all__ = ["TeachingWarning", "teaching", "is_teaching"]


class TeachingWarning(UserWarning):
    """A mistake that learners often make, found by ``mg.teaching()``."""


class _State:
    """Whether the detectors are on (``on``: the one flag the hooks in nn test), what they
    remember, and the hooks themselves (nn imports this object, ``state``, as ``teaching``)."""

    def __init__(self) -> None:
        self.on = False
        self.observing: ExitStack | None = None
        self.reset()

    def reset(self) -> None:
        self.warned: set = set()  # (kind, key): each mistake is reported once
        self.pending: weakref.WeakSet = weakref.WeakSet()  # nodes a running backward will reach
        self.losses: list = []  # (backward pass, value) of the scalar roots, most recent last
        self.passes = 0
        self.last_grads: dict = {}  # id(parameter) -> its weakref, its .grad's, the grad array
        self.modules: weakref.WeakSet = weakref.WeakSet()  # the modules that ran (for names)
        self.quiet_modules: weakref.WeakSet = weakref.WeakSet()


    def module_call(self, module) -> None:
        module_call(module)

    def optimizer_step(self, optimizer) -> None:
        optimizer_step(optimizer)


state = _State()


def _set(mode: bool) -> None:
    mode = bool(mode)
    if mode and not state.on:
        state.reset()
        state.observing = ExitStack()
        state.observing.enter_context(engine.observe_backward(_observe_step))
    elif not mode and state.on:
        state.observing.close()
        state.observing = None
    state.on = mode


class teaching:
    """``mg.teaching(mode=True)``: turn the mistake detectors on (``False``: off).  As a
    statement it sets the mode; as a context manager it also restores the previous mode at
    the end of the block.

    >>> import minigrad as mg
    >>> with mg.teaching():
    ...     mg.is_teaching()
    True
    >>> mg.is_teaching()
    False
    """

    def __init__(self, mode: bool = True) -> None:
        self.previous = state.on
        _set(mode)

    def __enter__(self) -> teaching:
        return self

    def __exit__(self, *exc_info) -> None:
        _set(self.previous)


def is_teaching() -> bool:
    """Whether ``mg.teaching()`` is on."""
    return state.on


def _warn(kind: str, key, message: str) -> None:
    if (kind, key) in state.warned:
        return
    state.warned.add((kind, key))
    warnings.warn(message, TeachingWarning, stacklevel=4)


# ---------------------------------------------------------------------------------------------
# The backward pass: what the losses were fed, and the losses themselves
# ---------------------------------------------------------------------------------------------
def _observe_step(node, grad, input_grads) -> None:
    """Watch one backward step (installed with engine.observe_backward while teaching is on)."""
    if node not in state.pending:
        _check_root(node, grad)
    state.pending.discard(node)
    for parent in node.parents or ():
        if isinstance(parent, engine.Function):
            state.pending.add(parent)
    check = _INPUT_CHECKS.get(node.name)
    if check is not None and node.inputs is not None:
        check(node)


def _check_root(node, grad) -> None:
    """The first node of a backward pass: the loss."""
    output = node.output
    if output is None:
        return
    if output.size > 1:
        if not engine.is_tensor(grad) and xp.all(xp.asarray(grad) == 1):
            _warn("non-scalar", id(node), (
                f"backward() ran on a loss of shape {tuple(output.shape)} with a gradient of ones: "
                "that is the gradient of loss.sum(), which grows with the batch. A loss should "
                "be one number: reduce it first (loss.mean(), or the loss function's default "
                "reduction='mean') and call loss.backward() with no argument."))
        return
    state.passes += 1
    value = float(output.reshape(-1)[0].real)
    _check_explosion(state.passes, value)


def _check_explosion(step: int, value: float) -> None:
    recent = state.losses[-5:]
    state.losses = [*recent, (step, value)]
    if not math.isfinite(value):
        before = f" (it was {recent[-1][1]:.4g} at backward pass {recent[-1][0]})" if recent else ""
        _warn("explode", "nonfinite", (
            f"the loss became {value} at backward pass {step}{before}. Training has diverged: "
            "the learning rate is probably too large (try 10x smaller), or a log/division met "
            "0 (use the fused losses, e.g. cross_entropy on logits)."))
        return
    positive = [(s, v) for s, v in recent if math.isfinite(v) and v > 0]
    if positive:
        low_step, low = min(positive, key=lambda sv: sv[1])
        if value > 10 * low:
            _warn("explode", "growth", (
                f"the loss grew from {low:.4g} (backward pass {low_step}) to {value:.4g} at "
                f"backward pass {step}, more than 10x in {step - low_step} passes: the learning "
                "rate is probably too large and the steps overshoot; try one 10x smaller."))


def _class_rows(array):
    """The (rows, classes) view of a loss input whose classes are on dim 1."""
    if array.ndim == 1:
        return array.reshape(1, -1)
    return xp.moveaxis(array, 1, -1).reshape(-1, array.shape[1])


def _looks_like_probabilities(array) -> bool:
    rows = _class_rows(array)
    if rows.size == 0 or rows.shape[1] < 2 or rows.dtype.kind not in "f":
        return False
    return bool(((rows >= 0) & (rows <= 1)).all()
                and xp.allclose(rows.sum(axis=1), 1, atol=1e-3))


def _check_cross_entropy(node) -> None:
    if getattr(node, "soft", False) or not _looks_like_probabilities(node.inputs[0]):
        return
    _warn("softmax-twice", id(node.__class__), (
        "cross_entropy was given probabilities (each row is in [0, 1] and sums to 1): it "
        "expects raw scores (logits) and applies log_softmax itself, so a softmax before it is "
        "applied twice and the gradients shrink. Pass the logits: drop the softmax (or use "
        "nll_loss on log_softmax(x, dim=1))."))


def _check_nll(node) -> None:
    x = node.inputs[0]
    if x.size == 0 or x.dtype.kind != "f":
        return
    if _looks_like_probabilities(x):
        what = "probabilities (rows in [0, 1] summing to 1): a softmax, not a log_softmax"
    elif (x > 0).any():
        what = "values above 0, which no log-probability has (raw scores?)"
    else:
        return
    _warn("nll-input", id(node.__class__), (
        f"nll_loss was given {what}. It expects log-probabilities: feed it "
        "log_softmax(scores, dim=1), or use cross_entropy on the raw scores."))


def _check_bce_with_logits(node) -> None:
    x = node.inputs[0]
    if x.size < 4 or x.dtype.kind != "f" or not ((x > 0) & (x < 1)).all():
        return
    _warn("sigmoid-twice", id(node.__class__), (
        "binary_cross_entropy_with_logits (BCEWithLogitsLoss) was given values that all lie in "
        "(0, 1), like sigmoid outputs: it applies the sigmoid itself, so it is applied twice "
        "and the loss can never reach 0. Pass the raw scores (drop the sigmoid), or use "
        "binary_cross_entropy (BCELoss) on the probabilities."))


def _check_subtraction(node) -> None:
    shapes = [getattr(a, "shape", ()) for a in node.inputs]
    if len(shapes) != 2 or sorted(len(s) for s in shapes) != [1, 2]:
        return
    column, flat = shapes if len(shapes[0]) == 2 else shapes[::-1]
    if column[1] == 1 and column[0] == flat[0] > 1:
        n = flat[0]
        _warn("broadcast", (column, flat), (
            f"a subtraction of shapes {column} and {flat} broadcast to ({n}, {n}): every "
            "prediction was compared with every target. In a loss this is almost always a "
            "mistake: make both (N,), e.g. pred.squeeze(1) - target (or target.reshape(-1, 1))."))


_INPUT_CHECKS = {"cross_entropy": _check_cross_entropy, "nll_loss": _check_nll,
                 "binary_cross_entropy_with_logits": _check_bce_with_logits,
                 "sub": _check_subtraction}


# ---------------------------------------------------------------------------------------------
# Hooks that nn calls (one flag test each when teaching is off)
# ---------------------------------------------------------------------------------------------
def optimizer_step(optimizer) -> None:
    """Called by an optimizer's step (through ``Optimizer._params_with_grad``) while on."""
    params = [(group, i, p) for group in optimizer.param_groups
              for i, p in enumerate(group["params"])]
    with_grad = [p for _, _, p in params if p.grad is not None]
    if not with_grad:
        _warn("no-grads", id(optimizer), (
            f"{type(optimizer).__name__}.step() found no gradients at all: call loss.backward() "
            "before optimizer.step() (and check that the loss was computed from the model)."))
        return
    for group, i, p in params:
        if p.grad is None and p.requires_grad:
            name = _parameter_name(group, i, p)
            _warn("unused", id(p), (
                f"parameter {name} (shape {tuple(p.shape)}) received no gradient before this "
                f"{type(optimizer).__name__}.step(), so it never learns. Is it used in "
                "forward? A .detach(), .data, .numpy() or a new tensor made from it cuts it out "
                "of the graph; a layer created but not called does the same."))
    _check_accumulation(optimizer, with_grad)


def _check_accumulation(optimizer, with_grad: list) -> None:
    """A step whose .grad still holds (is built on) the arrays of the previous step: the
    previous gradients were neither set to None nor zeroed in place (zero_grad), and the new
    backward added to them."""
    for p in with_grad:
        previous = state.last_grads.get(id(p))  # (a Tensor's == is elementwise: keyed by id)
        state.last_grads[id(p)] = (weakref.ref(p), weakref.ref(p.grad), p.grad.data)
        if previous is None or previous[0]() is not p:
            continue
        _, grad_ref, array = previous
        if grad_ref() is p.grad and p.grad.data is not array and xp.any(array != 0):
            _warn("accumulate", id(optimizer), (
                f"gradients are accumulating across {type(optimizer).__name__} steps: .grad "
                "still holds the previous step's gradient plus the new one, because nothing "
                "cleared it. Call optimizer.zero_grad() (or model.zero_grad()) before each "
                "loss.backward()."))
            return


def _parameter_name(group: dict, index: int, p) -> str:
    names = group.get("param_names")
    if names:
        return repr(names[index])
    best = None
    for module in list(state.modules):
        for name, q in module.named_parameters():
            if q is p and (best is None or len(name) > len(best)):
                best = name
    return repr(best) if best else f"{index} of the optimizer's parameter group"


def module_call(module) -> None:
    """Called by ``Module.__call__`` while on: notes the module, and warns when a model with
    Dropout or BatchNorm is evaluated (under no_grad) in training mode."""
    state.modules.add(module)
    if grad_state.enabled or not module.training or module in state.quiet_modules:
        return
    culprits = [type(m).__name__ for m in module.modules() if m.training and _train_only(m)]
    for m in module.modules():
        state.quiet_modules.add(m)  # the inner calls of this forward say nothing more
    if culprits:
        _warn("train-mode", id(module), (
            f"{type(module).__name__} runs under no_grad (evaluation?) but is in training mode, "
            f"so its {', '.join(sorted(set(culprits)))} still behave as in training (dropout "
            "drops units at random, batch norm uses the batch's statistics): the results are "
            "noisy and wrong. Call model.eval() before evaluating and model.train() after."))


def _train_only(module) -> bool:
    """A layer that behaves differently in training: dropout (p > 0) or batch normalization."""
    names = [cls.__name__ for cls in type(module).__mro__]
    if any("Dropout" in name for name in names):
        return getattr(module, "p", 1) > 0
    return any(name.startswith(("BatchNorm", "_BatchNorm", "InstanceNorm")) for name in names)
