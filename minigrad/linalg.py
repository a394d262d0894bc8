"""``minigrad.linalg``: PyTorch's ``torch.linalg``, the ops declared with ``linalg=True``.

>>> import minigrad as mg
>>> a = mg.tensor([[2.0, 0.0], [0.0, 4.0]])
>>> mg.linalg.inv(a)
tensor([[0.5000, 0.0000],
        [0.0000, 0.2500]])
>>> mg.linalg.det(a)
tensor(8.)

Where ``torch.linalg`` and ``torch`` have functions of one name with different defaults
(``cross``: dim=-1 here, the first dimension of size 3 in ``mg.cross``; ``diagonal``: the last
two dimensions here; ``norm``: ``ord=`` here, ``p=`` there), each namespace has PyTorch's.
"""
from .ops.linalg_inverse import LinAlgError
from .ops.registry import exported

globals().update(exported("linalg"))

__all__ = ["LinAlgError", *exported("linalg")]
