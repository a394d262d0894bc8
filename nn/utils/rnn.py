"""``pad_sequence``, as ``torch.nn.utils.rnn.pad_sequence``: sequences of different lengths as
one padded tensor (what a ``collate_fn`` of variable-length samples needs).

>>> import minigrad as mg, nn
>>> nn.utils.rnn.pad_sequence([mg.tensor([1, 2, 3]), mg.tensor([4])], batch_first=True).tolist()
[[1, 2, 3], [4, 0, 0]]
"""
from __future__ import annotations

import minigrad as mg
from minigrad import Tensor


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors of shapes ``(L_i, *)`` into ``(T, B, *)`` (``batch_first``: ``(B, T, *)``),
    ``T`` the longest ``L_i``, filling with ``padding_value`` after each sequence (``'right'``)
    or before it (``'left'``).  The result has the first sequence's dtype and is differentiable
    in the sequences."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = [sequences[i] for i in range(sequences.shape[0])]
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences (pad_sequence needs at least one)")
    first = sequences[0]
    for i, s in enumerate(sequences):
        if not isinstance(s, Tensor):
            raise TypeError(f"pad_sequence: sequence {i} is a {type(s).__name__}, not a Tensor")
        if s.ndim == 0 or s.shape[1:] != first.shape[1:]:
            raise RuntimeError(f"pad_sequence: every sequence must be shaped (length, *) with the "
                               f"same trailing dimensions; sequence 0 has shape {tuple(first.shape)}, "
                               f"sequence {i} has shape {tuple(s.shape)}")
    longest = max(s.shape[0] for s in sequences)
    rows = []
    for s in sequences:
        s = s if s.dtype == first.dtype else s.to(first.dtype)
        missing = longest - s.shape[0]
        if missing:
            padding = mg.full((missing, *first.shape[1:]), padding_value, dtype=first.dtype)
            s = mg.cat([s, padding] if padding_side == "right" else [padding, s], 0)
        rows.append(s)
    padded = mg.stack(rows, 0)
    return padded if batch_first else padded.transpose(0, 1)
