"""Loss ops fused into one node each: softmax cross-entropy, negative log-likelihood and binary
cross-entropy (on probabilities and on logits).

The losses work on a 2-D view ``(M, C)`` of the input: for PyTorch's ``(N, C, d1, ...)`` layout
the class dimension is moved last first, so that every row is one prediction.  Each op returns
one loss per row; ``reduction`` (``'mean'``, ``'sum'``, ``'none'``) is applied inside the op so
that cross-entropy costs one node on the training hot path.

Every loss here is ``-sum_c A[i, c] * logp[i, c]`` for a coefficient matrix ``A`` made from the
target (a one-hot row, smoothed, weighted), so the gradient with respect to the logits is the
lesson of the notes, ``dz = y_hat - y``, in its general form ``dz = sum_c(A) * softmax(z) - A``.
"""
from __future__ import annotations

from ..backend import xp
from ..engine import Function
from .array_or_tensor import is_tensor, permute, raw, stable_sigmoid
from .elementwise import where


def rows_view(x):
    """``x`` of shape (N, C, d1, ...) as a 2-D (M, C) array (rows are predictions)."""
    if x.ndim == 2:
        return x
    if x.ndim == 1:
        return x.reshape((1, -1))
    order = (0,) + tuple(range(2, x.ndim)) + (1,)
    moved = permute(x, order)
    return moved.reshape((-1, x.shape[1]))


def from_rows(rows, shape):
    """The inverse of :func:`rows_view`: an (M, C) array back to ``shape``."""
    if len(shape) == 2:
        return rows
    if len(shape) == 1:
        return rows.reshape(shape)
    moved_shape = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    inverse = (0, len(shape) - 1) + tuple(range(1, len(shape) - 1))
    return permute(rows.reshape(moved_shape), inverse)


def reduce(losses, reduction: str, denominator=None, out_shape=None):
    """Every loss's ``reduction``, on arrays (inside a fused op) or Tensors (a composite loss):
    ``'none'`` the losses (in ``out_shape``), ``'sum'`` their sum, ``'mean'`` the sum divided by
    ``denominator`` (their count by default; the targets' total weight for a weighted loss)."""
    if reduction == "none":
        return losses if out_shape is None else losses.reshape(out_shape)
    if reduction == "sum":
        return losses.sum()
    if denominator is None:
        return losses.mean()
    with xp.errstate(invalid="ignore", divide="ignore"):  # every target ignored: nan, as PyTorch
        return losses.sum() / denominator


def any_class_outside(y, classes: int) -> bool:
    """Whether some class index in ``y`` is outside 0..classes-1: one unsigned max tells, since
    a negative index wraps around to a huge unsigned one."""
    return bool(y.size) and int(y.astype(xp.int64, copy=False).view(xp.uint64).max()) >= classes


def _per_row_grad(grad, reduction: str, denominator, rows: int):
    """The upstream gradient as a column (M, 1) or a scalar, with the mean's 1/denominator."""
    if reduction == "none":
        return grad.reshape((rows, 1))
    if reduction == "sum":
        return grad
    with xp.errstate(divide="ignore", invalid="ignore"):  # every target ignored: 1/0
        return grad / denominator


def _zero_ignored(grad_rows, valid):
    """The rows of ignored targets get a gradient of exactly 0, as in PyTorch, even where every
    target is ignored and the mean's scale is 1/0."""
    if valid is None:
        return grad_rows
    mask = valid[:, None]
    if is_tensor(grad_rows):
        return where(xp.broadcast_to(mask, grad_rows.shape), grad_rows, 0.0)
    return xp.where(mask, grad_rows, 0.0)


class _ClassLoss(Function):
    """Shared bookkeeping of cross-entropy and nll: targets, weights, ignore_index, smoothing.

    ``index`` targets are (M,) int arrays; ``probability`` targets are (M, C) float arrays.
    Saved for backward (besides the engine's inputs/output): the coefficients that describe A
    and, for cross-entropy, softmax(z).
    """

    __slots__ = ("weight", "ignore_index", "reduction", "label_smoothing", "soft",
                 "saved_target", "valid", "row_weight", "denominator", "probs")
    saved = ("saved_target", "valid", "row_weight", "probs")

    def __init__(self, weight=None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0, soft: bool = False):
        self.weight = weight
        self.ignore_index = ignore_index
        self.reduction = reduction
        self.label_smoothing = float(label_smoothing)
        self.soft = soft
        self.probs = self.saved_target = self.valid = self.row_weight = None
        self.denominator = 1

    def options(self):
        opts = {"reduction": self.reduction}
        if self.weight is not None:
            opts["weight"] = "..."
        if self.label_smoothing:
            opts["label_smoothing"] = self.label_smoothing
        if self.ignore_index != -100:
            opts["ignore_index"] = self.ignore_index
        return opts

    def _out_shape(self, shape):
        return () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])

    def _coefficients_forward(self, logp, target):
        """Per-row losses ``-sum_c A logp`` and the mean's denominator; saves what backward needs."""
        rows, classes = logp.shape
        eps = self.label_smoothing
        weight = self.weight
        if self.soft:
            coef = self._soft_coefficients(target)
            self.saved_target = coef
            self.denominator = rows
            return -(coef * logp).sum(axis=1)
        y = target.reshape(-1)
        valid = None
        if self._may_ignore(y, classes) and (y == self.ignore_index).any():
            valid = y != self.ignore_index
            y = xp.where(valid, y, 0)
        picked = logp[xp.arange(rows), y]
        if weight is not None:
            row_weight = weight[y]
            if valid is not None:
                row_weight = row_weight * valid
        elif valid is not None:
            row_weight = valid.astype(logp.dtype)
        else:
            row_weight = None
        losses = -picked if row_weight is None else -(picked * row_weight)
        if eps:
            smooth = -(logp.sum(axis=1) if weight is None else (logp * weight).sum(axis=1))
            if valid is not None:
                smooth = smooth * valid
            losses = losses * (1.0 - eps) + smooth * (eps / classes)
        self.saved_target, self.valid, self.row_weight = y, valid, row_weight
        self.denominator = rows if row_weight is None else row_weight.sum()
        return losses

    def _soft_coefficients(self, target):
        """A for probability targets (M, C): the target, smoothed, weighted (array or Tensor)."""
        eps = self.label_smoothing
        coef = target if eps == 0.0 else target * (1.0 - eps) + eps / target.shape[1]
        return coef * self.weight if self.weight is not None else coef

    def _may_ignore(self, y, classes: int) -> bool:
        """Whether some target can equal ignore_index.  The targets were checked to be classes
        or ignore_index, so an ignore_index outside 0..C-1 occurs only if some target is outside."""
        return 0 <= self.ignore_index < classes or any_class_outside(y, classes)

    def _dense_coefficients(self, rows: int, classes: int, dtype):
        """A (M, C) and its row sums, as arrays (the general backward)."""
        if self.soft:
            coef = self.saved_target
            return coef, coef.sum(axis=1, keepdims=True)
        eps = self.label_smoothing
        y = self.saved_target
        row_weight = self.row_weight if self.row_weight is not None else xp.ones(rows, dtype=dtype)
        coef = xp.zeros((rows, classes), dtype=dtype)
        coef[xp.arange(rows), y] = row_weight * (1.0 - eps)
        if eps:
            spread = xp.full((rows, classes), eps / classes, dtype=dtype)
            if self.weight is not None:
                spread = spread * self.weight
            if self.valid is not None:
                spread = spread * self.valid[:, None]
            coef += spread
        return coef, coef.sum(axis=1, keepdims=True)


class CrossEntropy(_ClassLoss):
    """Softmax cross-entropy of logits, one node: forward by log-sum-exp, backward
    ``dz = (sum_c A) softmax(z) - A`` (``softmax(z) - onehot(y)`` in the plain case), scaled by
    the upstream gradient and by 1/N for the mean."""

    __slots__ = ()
    name = "cross_entropy"
    caption = "grad_logits = (softmax(logits) - one_hot(target)) / N"
    reads = (0, 1)

    def forward(self, x, target):
        z = rows_view(x)
        shifted = z - z.max(axis=1, keepdims=True)
        exps = xp.exp(shifted)
        sums = exps.sum(axis=1, keepdims=True)
        log_sums = xp.log(sums)
        exps /= sums
        self.probs = exps  # softmax(z), kept for the backward
        soft_target = rows_view(target) if self.soft else target
        losses = self._coefficients_forward(shifted - log_sums, soft_target)
        return reduce(losses, self.reduction, self.denominator, self._out_shape(x.shape))

    def backward(self, grad, inputs, output):
        x, target = inputs
        rows, classes = self.probs.shape
        scale = _per_row_grad(grad, self.reduction, self.denominator, rows)
        grad_x = grad_target = None
        if is_tensor(grad):
            # create_graph: rebuild softmax in the graph so the gradient can be differentiated.
            logp = rows_view(x).log_softmax(1)
            probs = logp.exp()
        else:
            probs = self.probs
        if self.parents[0] is not None:  # dz = (sum_c A) softmax(z) - A, times the upstream scale
            coef, sums = self._dense_coefficients(rows, classes, raw(x).dtype)
            if self.soft and is_tensor(grad):  # create_graph: A depends on the target tensor
                coef = self._soft_coefficients(rows_view(target))
                sums = coef.sum(axis=1, keepdims=True)
            with xp.errstate(invalid="ignore"):
                grad_rows = probs * (scale * sums) - coef * scale
            grad_x = from_rows(_zero_ignored(grad_rows, self.valid), x.shape)
        if self.soft and self.parents[1] is not None:
            # d loss / d t = -(1 - eps) * w * logp
            if is_tensor(grad):
                logp = rows_view(x).log_softmax(1)
            else:
                z = rows_view(x)
                shifted = z - z.max(axis=1, keepdims=True)
                logp = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
            factor = 1.0 - self.label_smoothing
            weighted = logp * self.weight if self.weight is not None else logp
            grad_target = from_rows(weighted * (scale * -factor), target.shape)
        return grad_x, grad_target


class NllLoss(_ClassLoss):
    """Negative log-likelihood of log-probabilities: ``-w[y] * x[y]`` per row; its gradient is
    ``-A`` (no softmax in it)."""

    __slots__ = ()
    name = "nll_loss"
    caption = "grad_in = -1/N at each target class, 0 elsewhere"
    reads = (0, 1)

    def forward(self, x, target):
        losses = self._coefficients_forward(rows_view(x), target)
        return reduce(losses, self.reduction, self.denominator, self._out_shape(x.shape))

    def backward(self, grad, inputs, output):
        x = inputs[0]
        rows, classes = rows_view(raw(x)).shape
        scale = _per_row_grad(grad, self.reduction, self.denominator, rows)
        coef, _ = self._dense_coefficients(rows, classes, raw(x).dtype)
        with xp.errstate(invalid="ignore"):
            grad_rows = coef * (scale * -1.0)
        return from_rows(_zero_ignored(grad_rows, self.valid), x.shape), None


def _clamp_min(a, low: float):
    return a.clamp(min=low) if is_tensor(a) else xp.maximum(a, low)


def _log_clamped(a):
    """log(a), never below -100 (PyTorch's BCE clamp: log(0) gives a finite loss)."""
    if is_tensor(a):
        return a.log().clamp(min=-100.0)
    with xp.errstate(divide="ignore"):
        return xp.maximum(xp.log(a), -100.0)


class BinaryCrossEntropy(Function):
    """``-w (t log p + (1 - t) log(1 - p))`` elementwise, logs clamped at -100 as PyTorch does."""

    __slots__ = ("weight",)
    name = "binary_cross_entropy"
    caption = "grad_p = grad_out * (p - t) / (p (1 - p)), grad_t = grad_out * (log(1 - p) - log p)"
    reads = (0, 1)

    def __init__(self, weight=None):
        self.weight = weight

    def forward(self, p, t):
        with xp.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(p), -100.0)
            log_q = xp.maximum(xp.log1p(-p), -100.0)
        loss = -(t * log_p + (1 - t) * log_q)
        return loss * self.weight if self.weight is not None else loss

    def backward(self, grad, inputs, output):
        p, t = inputs
        g = grad * self.weight if self.weight is not None else grad
        grad_p = grad_t = None
        if self.parents[0] is not None:  # dL/dp = (p - t) / (p (1 - p)), the denominator >= 1e-12
            grad_p = g * (p - t) / _clamp_min(p * (1 - p), 1e-12)
        if self.parents[1] is not None:  # dL/dt = log(1 - p) - log p
            grad_t = g * (_log_clamped(1 - p) - _log_clamped(p))
        return grad_p, grad_t


class BinaryCrossEntropyWithLogits(Function):
    """``-w (pw t log s(x) + (1 - t) log(1 - s(x)))`` with s the sigmoid, computed stably as
    ``(1 - t) x + (1 + (pw - 1) t) softplus(-x)``."""

    __slots__ = ("weight", "pos_weight")
    name = "binary_cross_entropy_with_logits"
    caption = "grad_x = grad_out * (sigmoid(x) - t), with pos_weight: ((pw t + 1 - t) sigmoid(x) - pw t)"
    reads = (0, 1)

    def __init__(self, weight=None, pos_weight=None):
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, x, t):
        softplus_neg = xp.logaddexp(0, -x)  # log(1 + e^-x) = -log s(x), no overflow
        if self.pos_weight is None:
            loss = (1 - t) * x + softplus_neg
        else:
            loss = (1 - t) * x + (1 + (self.pos_weight - 1) * t) * softplus_neg
        return loss * self.weight if self.weight is not None else loss

    def backward(self, grad, inputs, output):
        x, t = inputs
        g = grad * self.weight if self.weight is not None else grad
        s = x.sigmoid() if is_tensor(x) else stable_sigmoid(x)
        grad_x = grad_t = None
        pw = self.pos_weight
        if self.parents[0] is not None:  # dL/dx = (pw t + 1 - t) s - pw t
            grad_x = g * (s - t) if pw is None else g * ((t * pw + 1 - t) * s - t * pw)
        if self.parents[1] is not None:  # dL/dt = x - ... = -(pw log s(x) - log s(-x))
            log_s = -_softplus(-x)
            log_not_s = -_softplus(x)
            grad_t = g * (log_not_s - log_s) if pw is None else g * (log_not_s - log_s * pw)
        return grad_x, grad_t


def _softplus(a):
    """log(1 + e^a), stable for large |a|."""
    if is_tensor(a):
        return a.logaddexp(0.0)
    return xp.logaddexp(0, a)
