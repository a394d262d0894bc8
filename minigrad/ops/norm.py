"""Normalizations and distances of ``torch.nn.functional``: ``layer_norm batch_norm group_norm
rms_norm normalize cosine_similarity pairwise_distance``, with PyTorch's arguments and numbers.

All are composites of mean, sub, mul, rsqrt and the vector norm: autograd differentiates what
they are made of, to any order.  Measured on (128, 256) float32, forward and backward: layer_norm,
batch_norm and group_norm took 1.9x, rms_norm 2.1x, a hand-fused numpy forward and backward (no
graph, no engine: a floor below any fused primitive), and normalize 1.7x a fused ``Normalize``
primitive that was written and timed (250 us against 445 us); all stay composites.

The variance that normalizes is the biased one (divided by n), as PyTorch's; batch_norm's
running variance is updated with the unbiased one (divided by n - 1).
"""
from __future__ import annotations

from ..backend import xp
from ..engine import is_tensor
from ..grad_mode import no_grad
from .array_or_tensor import raw
from .linalg_norm import vector_norm
from .reduce_args import normalize_dims
from .registry import op


def _check_tensor(op_name: str, input, what: str = "input") -> None:
    if not is_tensor(input):
        raise TypeError(f"{op_name}(): argument '{what}' must be Tensor, not {type(input).__name__}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op_name}: expected a floating point {what}, got dtype {input.dtype} "
                           "(convert it first, e.g. x.float())")


def _shape_tuple(op_name: str, normalized_shape) -> tuple:
    if isinstance(normalized_shape, (int, xp.integer)) and not isinstance(normalized_shape, bool):
        return (int(normalized_shape),)
    try:
        return tuple(int(n) for n in normalized_shape)
    except TypeError:
        raise TypeError(f"{op_name}(): argument 'normalized_shape' must be an int or a tuple of "
                        f"ints, not {type(normalized_shape).__name__}") from None


def _trailing_dims(op_name: str, input, normalized_shape) -> tuple:
    """The last ``len(normalized_shape)`` dims of ``input``, checked to be ``normalized_shape``."""
    _check_tensor(op_name, input)
    shape = _shape_tuple(op_name, normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != shape:
        listed = list(shape)
        raise RuntimeError(f"{op_name}: Given normalized_shape={listed}, expected input with shape "
                           f"[*, {', '.join(map(str, listed))}], but got input of size"
                           f"{list(input.shape)}")
    return shape, tuple(range(input.ndim - k, input.ndim))


def _check_affine(op_name: str, what: str, tensor, shape: tuple) -> None:
    if tensor is None:
        return
    if not is_tensor(tensor):
        raise TypeError(f"{op_name}(): argument '{what}' must be Tensor, not {type(tensor).__name__}")
    if tuple(tensor.shape) != shape:
        raise RuntimeError(f"{op_name}: expected {what} of shape {list(shape)}, but got {what} of "
                           f"size {list(tensor.shape)}")


def _standardize(input, dims: tuple, eps: float):
    """``(x - mean) / sqrt(var + eps)`` over ``dims``, the biased variance; also the mean and
    the variance (kept dims), which batch_norm's running statistics need."""
    mean = input.mean(dims, keepdim=True)
    centered = input - mean
    var = (centered * centered).mean(dims, keepdim=True)
    return centered * (var + eps).rsqrt(), mean, var


def _affine(out, weight, bias):
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


@op("layer_norm", method=False, torch=True, functional=True)
def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalize each sample over its last dims (``normalized_shape``) to mean 0 and variance 1
    (biased), then ``* weight + bias`` elementwise.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.layer_norm(mg.tensor([[1.0, 2.0, 3.0]]), (3,)).round(decimals=4)
    tensor([[-1.2247,  0.0000,  1.2247]])
    """
    shape, dims = _trailing_dims("layer_norm", input, normalized_shape)
    _check_affine("layer_norm", "weight", weight, shape)
    _check_affine("layer_norm", "bias", bias, shape)
    out, _, _ = _standardize(input, dims, eps)
    return _affine(out, weight, bias)


@op("rms_norm", method=False, torch=True, functional=True)
def rms_norm(input, normalized_shape, weight=None, eps: float | None = None):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last dims; ``eps=None`` is the machine
    epsilon of the input's dtype (``torch.finfo(dtype).eps``), as PyTorch's."""
    shape, dims = _trailing_dims("rms_norm", input, normalized_shape)
    _check_affine("rms_norm", "weight", weight, shape)
    if eps is None:
        eps = float(xp.finfo(input.dtype).eps)
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def _channels(op_name: str, input) -> int:
    _check_tensor(op_name, input)
    if input.ndim < 2:
        raise ValueError(f"{op_name}: expected an input of at least 2 dimensions (N, C, *), got "
                         f"shape {list(input.shape)}")
    return input.shape[1]


def _per_channel(tensor, ndim: int):
    """A (C,) tensor shaped to broadcast over (N, C, *)."""
    return None if tensor is None else tensor.reshape((-1,) + (1,) * (ndim - 2))


@op("group_norm", method=False, torch=True, functional=True)
def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """Split the C channels of (N, C, *) into ``num_groups`` groups and normalize each sample's
    group (its channels and positions together), then ``* weight + bias`` per channel."""
    channels = _channels("group_norm", input)
    if num_groups <= 0 or channels % num_groups:
        raise RuntimeError(f"group_norm: Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    _check_affine("group_norm", "weight", weight, (channels,))
    _check_affine("group_norm", "bias", bias, (channels,))
    n = input.shape[0]
    grouped = input.reshape(n, num_groups, -1)
    out, _, _ = _standardize(grouped, (2,), eps)
    out = out.reshape(input.shape)
    return _affine(out, _per_channel(weight, input.ndim), _per_channel(bias, input.ndim))


@op("batch_norm", method=False, torch=False, functional=True)
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5):
    """Normalize each channel of (N, C, *) over the batch (and positions).  In training, the
    batch's statistics are used and, when given, ``running_mean`` / ``running_var`` are updated
    in place: ``running = (1 - momentum) running + momentum * batch`` (the unbiased variance);
    otherwise the running statistics are used.

    (``torch.batch_norm`` exists but takes weight and bias before the running statistics and
    has no defaults, so it is not this function: only ``F.batch_norm`` is declared.)
    """
    channels = _channels("batch_norm", input)
    for what, tensor in (("running_mean", running_mean), ("running_var", running_var),
                         ("weight", weight), ("bias", bias)):
        _check_affine("batch_norm", what, tensor, (channels,))
    dims = (0,) + tuple(range(2, input.ndim))
    count = input.numel() // max(channels, 1)
    if training:
        if count <= 1:
            raise ValueError(f"batch_norm: Expected more than 1 value per channel when training, "
                             f"got input size {list(input.shape)}")
        out, mean, var = _standardize(input, dims, eps)
        _update_running(running_mean, running_var, mean, var, count, momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var must be given when "
                               "training=False (or pass training=True to use the batch's "
                               "statistics)")
        shape = (1, -1) + (1,) * (input.ndim - 2)
        out = (input - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
    return _affine(out, _per_channel(weight, input.ndim), _per_channel(bias, input.ndim))


def _update_running(running_mean, running_var, mean, var, count: int, momentum: float) -> None:
    """PyTorch's in-place update of the running statistics.  Their arrays are changed in place
    without a version step, as PyTorch's (its ``running_var._version`` stays 0 after training)."""
    if running_mean is not None:
        statistic = running_mean.data
        statistic *= 1 - momentum
        statistic += momentum * raw(mean).reshape(-1).astype(statistic.dtype)
    if running_var is not None:
        statistic = running_var.data
        statistic *= 1 - momentum
        statistic += (momentum * count / (count - 1)) * raw(var).reshape(-1).astype(statistic.dtype)


def _clamped(norm, eps: float):
    """``norm`` at least ``eps`` in value, with the gradient of ``norm`` itself: PyTorch clamps
    the norms of cosine_similarity in place under no_grad, so its gradient ignores the clamp."""
    with no_grad():
        shift = norm.clamp(min=eps) - norm
    return norm + shift


@op("normalize", method=False, torch=False, functional=True)
def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """``x / max(||x||_p, eps)`` along ``dim``: unit vectors (no torch.normalize in PyTorch).

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.normalize(mg.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    _check_tensor("normalize", input)
    (d,) = normalize_dims(dim, input.ndim, "normalize")
    result = input / vector_norm(input, p, d, keepdim=True).clamp(min=eps)
    if out is None:
        return result
    if not is_tensor(out):
        raise TypeError(f"normalize(): argument 'out' must be Tensor, not {type(out).__name__}")
    return out.copy_(result)


@op("cosine_similarity", method=False, torch=True, functional=True)
def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """``sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``, the inputs
    broadcast together (each divided by its norm first, as PyTorch: the result stays in [-1, 1])."""
    _check_tensor("cosine_similarity", x1, "x1")
    _check_tensor("cosine_similarity", x2, "x2")
    try:
        shape = xp.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(f"cosine_similarity: the shapes of x1 {list(x1.shape)} and x2 "
                           f"{list(x2.shape)} do not broadcast together") from None
    (d,) = normalize_dims(dim, len(shape), "cosine_similarity")
    x1, x2 = x1.expand(shape), x2.expand(shape)
    n1 = _clamped(vector_norm(x1, 2, d, keepdim=True), eps)
    n2 = _clamped(vector_norm(x2, 2, d, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(d)


@op("pairwise_distance", method=False, torch=True, functional=True)
def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """``||x1 - x2 + eps||_p`` along the last dimension (``eps`` keeps the gradient finite
    where x1 equals x2)."""
    _check_tensor("pairwise_distance", x1, "x1")
    _check_tensor("pairwise_distance", x2, "x2")
    ndim = max(x1.ndim, x2.ndim)
    difference = x1 - x2 + eps
    if ndim == 0:
        return vector_norm(difference, p, None, keepdim=keepdim)
    return vector_norm(difference, p, ndim - 1, keepdim=keepdim)
