"""Functions on tensors in PyTorch's ``torch.nn.functional`` style: activations and losses.

>>> import minigrad as mg
>>> import minigrad.functional as F
>>> F.relu(mg.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""
from __future__ import annotations

from .backend import int64, xp
from .ops import loss as LossOps
from .ops.loss_common import broadcast_target, check_reduction, legacy_reduction
from .ops.registry import exported, op
from .tensor import Tensor

# The activations and layers declared in minigrad/ops with functional=True (relu, softmax,
# linear, gelu, softplus...): each is declared once, beside its gradient rule.
globals().update(exported("functional"))


# ---------------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------------
@op("one_hot", method=False, torch=False, functional=True)
def one_hot(labels, num_classes: int = -1) -> Tensor:
    """Class indices to one-hot rows (int64), as ``torch.nn.functional.one_hot``.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.one_hot(mg.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    y = _as_data(labels)
    if y.dtype.kind not in "iu":
        raise RuntimeError(f"one_hot: labels must be integer class indices (int64), got dtype {y.dtype}")
    if num_classes == -1:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        bad = int(y.min()) if y.min() < 0 else int(y.max())
        raise RuntimeError(f"one_hot: class index {bad} is out of range for num_classes={num_classes} "
                           f"(valid: 0..{num_classes - 1})")
    out = xp.zeros(y.shape + (num_classes,), dtype=int64)
    xp.put_along_axis(out, y[..., None], 1, axis=-1)
    return Tensor(out)


# dropout and alpha_dropout: minigrad/ops/dropout.py


# ---------------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------------
def _as_data(t):
    if isinstance(t, Tensor):
        return t.data
    if isinstance(t, xp.ndarray):
        return t
    return _as_tensor(t).data


def _as_tensor(t) -> Tensor:
    if isinstance(t, Tensor):
        return t
    return Tensor(t)


def _class_weight(op: str, weight, classes: int, dtype):
    if weight is None:
        return None
    w = _as_data(weight)
    if w.shape != (classes,):
        raise RuntimeError(f"{op}: weight must have shape ({classes},), one value for each of the "
                           f"{classes} classes, got shape {w.shape}")
    return w.astype(dtype, copy=False)


def _num_classes(input: Tensor) -> int:
    """Classes are on dim 1 of (N, C, d1...), on dim 0 of a single (C,) prediction."""
    return input.shape[1] if input.ndim >= 2 else input.shape[0]


def _class_targets(op: str, input: Tensor, target, ignore_index=None, allow_soft: bool = False,
                   out_of_range=IndexError):
    """Check ``target`` against ``input`` (N, C, d1...) or (C,): returns (target, soft).  The
    exception types are PyTorch's (``out_of_range``: the one the op raises for a bad class)."""
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    target = _as_tensor(target)
    classes = _num_classes(input)
    kind = target.dtype.kind
    if kind == "f":
        if not allow_soft:
            raise RuntimeError(f"{op}: target must hold integer class indices (int64), got dtype "
                               f"{target.dtype}")
        if target.shape != input.shape:
            raise RuntimeError(f"{op}: probability targets (float) must have the input's shape "
                               f"{input.shape}, got target of shape {target.shape}")
        if target.dtype != input.dtype:
            target = target.to(input.dtype)
        return target, True
    if kind not in "iu":
        raise RuntimeError(f"{op}: target must be class indices (int64) or class probabilities "
                           f"(float, the input's shape), got dtype {target.dtype}")
    expected = input.shape[:1] + input.shape[2:] if input.ndim >= 2 else ()
    if target.shape != expected:
        raise ValueError(f"{op}: class-index target must have shape {expected} for input of shape "
                         f"{input.shape} (classes on dim {1 if input.ndim >= 2 else 0}), got "
                         f"target of shape {target.shape}")
    y = target.data
    if LossOps.any_class_outside(y, classes):
        bad = y if ignore_index is None else y[y != ignore_index]
        out = bad[(bad < 0) | (bad >= classes)]
        if out.size:
            hint = "" if ignore_index is None else f", or ignore_index={ignore_index}"
            raise out_of_range(f"{op}: target class {int(out.flat[0])} is out of range for "
                             f"{classes} classes (valid: 0..{classes - 1}{hint})")
    return target, False


@op("cross_entropy", method=False, torch=False, functional=True)
def cross_entropy(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits ``input`` (N, C), (N, C, d1, ...) or (C,), one fused op.

    ``target`` holds class indices (int64, shape (N, d1, ...)) or class probabilities (float,
    the input's shape).  The loss of a row is ``-log softmax(z)[y]``; its gradient is
    ``softmax(z) - onehot(y)`` (the notes' ``dz = y_hat - y``), divided by N for the mean.
    With ``weight`` the mean divides by the sum of the targets' weights, as PyTorch does.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> z = mg.zeros(2, 4, requires_grad=True)
    >>> round(F.cross_entropy(z, mg.tensor([1, 3])).item(), 4)  # log(4) at uniform logits
    1.3863
    """
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction("cross_entropy", reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if not isinstance(input, Tensor):
        raise TypeError(f"cross_entropy: input must be a Tensor of logits, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"cross_entropy: input must hold float logits, got dtype {input.dtype}")
    target, soft = _class_targets("cross_entropy", input, target, ignore_index, allow_soft=True)
    if soft and ignore_index != -100:
        raise RuntimeError(f"cross_entropy: ignore_index={ignore_index} is not supported for class-"
                           "probability (float) targets: give class indices, or leave ignore_index")
    classes = _num_classes(input)
    w = _class_weight("cross_entropy", weight, classes, input.dtype)
    return LossOps.CrossEntropy.apply(input, target, weight=w, ignore_index=ignore_index,
                                      reduction=reduction, label_smoothing=label_smoothing,
                                      soft=soft)


@op("nll_loss", method=False, torch=False, functional=True)
def nll_loss(input: Tensor, target, weight=None, size_average=None, ignore_index: int = -100,
             reduce=None, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input``: ``-weight[y] * input[y]``.
    ``cross_entropy(z, y) == nll_loss(log_softmax(z, 1), y)``."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction("nll_loss", reduction)
    target, _ = _class_targets("nll_loss", input, target, ignore_index)
    classes = _num_classes(input)
    w = _class_weight("nll_loss", weight, classes, input.dtype)
    return LossOps.NllLoss.apply(input, target, weight=w, ignore_index=ignore_index,
                                 reduction=reduction)


def _margins(op: str, input: Tensor, target, margin: float, out_of_range=IndexError):
    """The (N, C) hinge terms ``max(0, s_j - s_y + margin)`` with the target column zeroed."""
    if input.ndim not in (1, 2):
        raise ValueError(f"{op}: input must be (N, C) or (C,) scores, got shape {input.shape}")
    target, _ = _class_targets(op, input, target, out_of_range=out_of_range)
    scores = input if input.ndim == 2 else input.reshape(1, -1)
    y = target.data.reshape(-1)
    rows = xp.arange(y.shape[0])
    correct = scores[rows, y].reshape(-1, 1)
    others = xp.ones(scores.shape, dtype=bool)
    others[rows, y] = False
    return (scores - correct + margin).relu() * others, y


@op("multi_margin_loss", method=False, torch=False, functional=True)
def multi_margin_loss(input: Tensor, target, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """PyTorch's multi-class margin loss: ``sum_{j != y} max(0, margin - x_y + x_j)^p / C``
    (note the division by the number of classes C), times ``weight[y]``."""
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 are supported, got p={p}")
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction("multi_margin_loss", reduction)
    hinge, y = _margins("multi_margin_loss", input, target, margin, out_of_range=RuntimeError)
    if p == 2:
        hinge = hinge * hinge
    classes = input.shape[-1]
    if weight is not None:
        w = _class_weight("multi_margin_loss", weight, classes, input.dtype)
        hinge = hinge * w[y].reshape(-1, 1)
    losses = hinge.sum(1) * (1.0 / classes)
    if input.ndim == 1:
        losses = losses.reshape(())
    return LossOps.reduce(losses, reduction)


@op("multiclass_hinge_loss", method=False, torch=False, functional=True)
def multiclass_hinge_loss(scores: Tensor, target, margin: float = 1.0, squared: bool = False,
                          reduction: str = "mean") -> Tensor:
    """The multiclass SVM loss of CS231n: ``L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)``
    (each term squared with ``squared=True``), averaged over samples (``'sum'`` sums them,
    ``'none'`` gives one per sample).  With small random weights every score is about equal, so
    the loss at initialization is about ``C - 1`` (the notes' sanity check).

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.multiclass_hinge_loss(mg.zeros(1, 3), mg.tensor([0])).item()
    2.0
    """
    check_reduction("multiclass_hinge_loss", reduction)
    hinge, _ = _margins("multiclass_hinge_loss", scores, target, margin)
    if squared:
        hinge = hinge * hinge
    losses = hinge.sum(1)
    if scores.ndim == 1:
        losses = losses.reshape(())
    return LossOps.reduce(losses, reduction)


def _same_shape(op: str, input: Tensor, target) -> Tensor:
    target = _as_tensor(target)
    if target.shape != input.shape:
        raise ValueError(f"{op}: target of shape {target.shape} must have the input's shape "
                         f"{input.shape}")
    if target.dtype != input.dtype:
        target = target.to(input.dtype)
    return target


def _elementwise_weight(op: str, weight, input: Tensor, what: str = "weight"):
    """A weight that broadcasts against the input (PyTorch's RuntimeError if it does not)."""
    if weight is None:
        return None
    w = _as_data(weight)
    try:
        xp.broadcast_shapes(w.shape, input.shape)
    except ValueError:
        raise RuntimeError(f"{op}: {what} of shape {w.shape} does not broadcast against the input's "
                           f"shape {input.shape}") from None
    return w.astype(input.dtype, copy=False)


@op("binary_cross_entropy", method=False, torch=False, functional=True)
def binary_cross_entropy(input: Tensor, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """``-w (t log p + (1 - t) log(1 - p))`` for probabilities ``input`` in [0, 1]; each log is
    clamped at -100, as PyTorch does, so p = 0 or 1 gives a finite loss."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction("binary_cross_entropy", reduction)
    target = _same_shape("binary_cross_entropy", input, target)
    _probabilities("input", input.data, " (for logits use binary_cross_entropy_with_logits)")
    _probabilities("target", target.data, "")
    weight = _elementwise_weight("binary_cross_entropy", weight, input)
    losses = LossOps.BinaryCrossEntropy.apply(input, target, weight=weight)
    return LossOps.reduce(losses, reduction)


@op("binary_cross_entropy_with_logits", method=False, torch=False, functional=True)
def binary_cross_entropy_with_logits(input: Tensor, target, weight=None, size_average=None,
                                     reduce=None, reduction: str = "mean",
                                     pos_weight=None) -> Tensor:
    """Sigmoid and binary cross-entropy in one stable op (no overflow at logits of +-1e4).
    ``pos_weight`` multiplies the loss of the positive targets (one value per class)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction("binary_cross_entropy_with_logits", reduction)
    target = _same_shape("binary_cross_entropy_with_logits", input, target)
    op_name = "binary_cross_entropy_with_logits"
    losses = LossOps.BinaryCrossEntropyWithLogits.apply(
        input, target, weight=_elementwise_weight(op_name, weight, input),
        pos_weight=_elementwise_weight(op_name, pos_weight, input, "pos_weight"))
    return LossOps.reduce(losses, reduction)


def _probabilities(what: str, data, hint: str) -> None:
    """PyTorch's check of binary_cross_entropy: every element in [0, 1] (NaN is not)."""
    inside = (data >= 0) & (data <= 1)
    if not inside.all():
        bad = data[~inside].flat[0]
        raise RuntimeError(f"binary_cross_entropy: all elements of {what} must be probabilities in "
                           f"[0, 1], got {bad} ({int((~inside).sum())} of {data.size} elements "
                           f"outside){hint}")


def _regression(op_name: str, input: Tensor, target, size_average, reduce, reduction: str, weight,
                losses):
    """mse and l1: the checks, then ``losses(difference)`` reduced; PyTorch's ``weight``
    multiplies each element's loss and makes 'mean' divide by the weights' sum."""
    target = broadcast_target(op_name, input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(op_name, reduction)
    if weight is not None:
        weight = weight if isinstance(weight, Tensor) else Tensor(weight)
        if weight.shape != input.shape:
            raise ValueError(f"{op_name}: weight of shape {weight.shape} must have the input's "
                             f"shape {input.shape} (one weight per element)")
    values = losses(input - target)
    if weight is None:
        return LossOps.reduce(values, reduction)
    values = values * weight
    return values.sum() / weight.sum() if reduction == "mean" else LossOps.reduce(values, reduction)


@op("mse_loss", method=False, torch=False, functional=True)
def mse_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """Mean squared error ``(x - y)^2``."""
    return _regression("mse_loss", input, target, size_average, reduce, reduction, weight,
                       lambda d: d * d)


@op("l1_loss", method=False, torch=False, functional=True)
def l1_loss(input: Tensor, target, size_average=None, reduce=None, reduction: str = "mean",
            weight=None) -> Tensor:
    """Mean absolute error ``|x - y|``."""
    return _regression("l1_loss", input, target, size_average, reduce, reduction, weight,
                       lambda d: d.abs())
