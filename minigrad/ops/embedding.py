"""``embedding``: rows of a weight matrix looked up by integer indices, as
``torch.nn.functional.embedding``.

A composite of indexing (whose backward adds each looked-up row's gradient into its row) and
``where``: the rows at ``padding_idx`` are read as constants, so their gradient stays zero while
their values come out as they are; ``scale_grad_by_freq`` divides each row's gradient by how
often the batch names it, by a product whose value is exactly the looked-up row.
"""
from __future__ import annotations

from .. import engine
from ..backend import xp
from ..grad_mode import no_grad
from .elementwise import where
from .registry import op


def _indices(input):
    array = input.data if engine.is_tensor(input) else xp.asarray(input)
    if array.dtype not in (xp.dtype(xp.int64), xp.dtype(xp.int32)):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           f"scalar types: Long, Int; but got {array.dtype} instead (while checking "
                           "arguments for embedding)")
    return array


def _padding_row(padding_idx, rows: int):
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise AssertionError(f"Padding_idx must be within num_embeddings (padding_idx "
                             f"{padding_idx}, num_embeddings {rows})")
    return padding_idx % rows


def renorm_rows_(weight, indices, max_norm: float, norm_type: float) -> None:
    """Rescale, in place and outside the graph, each row of ``weight`` that ``indices`` names
    whose ``norm_type``-norm exceeds ``max_norm`` down to ``max_norm`` (PyTorch's
    ``embedding_renorm_``, with its 1e-7)."""
    rows = xp.unique(indices)
    with no_grad():
        block = weight.data[rows]
        if norm_type == float("inf"):
            norms = xp.abs(block).max(axis=1)
        else:
            norms = (xp.abs(block) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(weight.dtype)
        weight.data[rows] = block * scale[:, None]
    engine.increment_version(weight)


@op("embedding", method=False, torch=False, functional=True)
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False):
    """``weight[input]``: one row of ``weight`` (num_embeddings, embedding_dim) per index, the
    result shaped ``input.shape + (embedding_dim,)``.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.embedding(mg.tensor([[0, 2]]), mg.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]))
    tensor([[[0., 1.],
             [4., 5.]]])
    """
    indices = _indices(input)
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got shape {tuple(weight.shape)}")
    if sparse:
        raise NotImplementedError("embedding(sparse=True): minigrad has no sparse tensors; use "
                                  "sparse=False (the same values, a dense gradient)")
    rows = weight.shape[0]
    padding = _padding_row(padding_idx, rows)
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        bad = int(indices.min()) if indices.min() < 0 else int(indices.max())
        raise IndexError(f"index out of range in self: embedding index {bad} is not in "
                         f"[0, {rows}) (num_embeddings={rows})")
    if max_norm is not None:
        renorm_rows_(weight, indices, max_norm, norm_type)
    out = weight[indices.astype(xp.int64)]
    if padding is not None:
        out = where(xp.asarray(indices != padding)[..., None], out, out.detach())
    if scale_grad_by_freq:
        _, inverse, counts = xp.unique(indices, return_inverse=True, return_counts=True)
        scale = (1.0 / counts[inverse.reshape(indices.shape)])[..., None].astype(weight.dtype)
        constant = out.detach()
        out = constant + (out - constant) * scale  # the value: out; the gradient: scaled
    return out
