"""``minigrad.linalg``: PyTorch's ``torch.linalg``, the ops declared with ``linalg=True``.

>>> import minigrad as mg
>>> a = mg.tensor([[2.0, 0.0], [0.0, 4.0]])
>>> mg.linalg.inv(a).tolist()
[[0.5, 0.0], [0.0, 0.25]]
>>> mg.linalg.det(a).item()
8.0

Where ``torch.linalg`` and ``torch`` have functions of one name with different defaults
(``cross``: dim=-1 here, the first dimension of size 3 in ``mg.cross``; ``diagonal``: the last
two dimensions here; ``norm``: ``ord=`` here, ``p=`` there), each namespace has PyTorch's.
"""
from .ops.linalg_inverse import LinAlgError
from .ops.registry import exported

globals().update(exported("linalg"))

__all__ = ["LinAlgError", *exported("linalg")]
