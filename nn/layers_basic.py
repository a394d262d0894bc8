"""Layers that reshape, drop or look up: ``Unflatten``, ``AlphaDropout``, ``Embedding``
(``Identity``, ``Flatten`` and ``Dropout`` live in layers.py).

>>> import minigrad as mg, nn
>>> _ = mg.manual_seed(0)
>>> words = nn.Embedding(10, 4, padding_idx=0)
>>> words(mg.tensor([[1, 0, 3]])).shape
torch.Size([1, 3, 4])
>>> words.weight[0].tolist()  # the padding row starts at zero and gets no gradient
[0.0, 0.0, 0.0, 0.0]
"""
from __future__ import annotations

from collections.abc import Sequence

import minigrad.functional as F
from minigrad import Tensor
from minigrad.backend import default_float, xp

from . import init
from .module import Module, Parameter

__all__ = ["Unflatten", "AlphaDropout", "Embedding"]


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size`` (the inverse of ``Flatten``); one
    size may be -1."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise TypeError(f"invalid argument: dim must be an int (named dimensions are not "
                            f"supported), got {type(dim).__name__}")
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"unflattened_size must be tuple of ints, but found type "
                            f"{type(unflattened_size).__name__}")
        for position, size in enumerate(unflattened_size):
            if isinstance(size, bool) or not isinstance(size, int):
                raise TypeError(f"unflattened_size must be tuple of ints, but found element of "
                                f"type {type(size).__name__} at pos {position}")
        self.dim, self.unflattened_size = dim, unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class AlphaDropout(Module):
    """Dropout for self-normalizing (SELU) networks: keeps the mean and variance of its
    input, so that the activations stay normalized (``F.alpha_dropout``); the identity in
    eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


def _padding_index(padding_idx, num_embeddings: int):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % num_embeddings


class Embedding(Module):
    """A lookup table: row ``i`` of ``weight`` (num_embeddings, embedding_dim) for index ``i``.

    ``weight`` starts as N(0, 1) samples, as PyTorch's; the row ``padding_idx`` starts at zero
    and gets no gradient.  ``max_norm`` rescales (in place) the rows looked up whose norm is
    larger; ``scale_grad_by_freq`` divides a row's gradient by its count in the batch.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight=None,
                 _freeze: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError("Embedding(sparse=True): minigrad has no sparse tensors; "
                                      "use sparse=False (the same values, a dense gradient)")
        from minigrad.device import as_device
        as_device(device, "Embedding")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = _padding_index(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(xp.empty((num_embeddings, embedding_dim),
                                             dtype=dtype or default_float()),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            data = _weight.data if isinstance(_weight, Tensor) else xp.asarray(_weight)
            self.weight = Parameter(data, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        return text

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0,
                        scale_grad_by_freq: bool = False, sparse: bool = False) -> Embedding:
        """An Embedding whose weight is (a copy of) ``embeddings``, frozen unless
        ``freeze=False``; the padding row keeps its values (only its gradient is zero)."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        data = embeddings.data if isinstance(embeddings, Tensor) else xp.asarray(embeddings)
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=data, _freeze=freeze)
