"""The op table: every function minigrad offers on tensors, declared once, where the op is defined.

A *primitive* is a :class:`~minigrad.engine.Function` subclass (forward beside backward, its
gradient rule in a comment and in ``caption``) plus the function that applies it; a *composite*
is a function written with other ops, so it needs no gradient rule of its own.  Both are
declared the same way, right above the function::

    @op("softplus", method=False, torch=False, functional=True)
    def softplus(input, beta=1.0, threshold=20.0): ...

``method``: also ``Tensor.<name>``; ``torch``: also ``minigrad.<name>`` (PyTorch's
``torch.<name>``); ``functional``: also ``minigrad.functional.<name>``; ``linalg``: also
``minigrad.linalg.<name>`` (PyTorch's ``torch.linalg.<name>``); ``inplace``: also the
in-place method ``Tensor.<name>_`` (the op's result written into the tensor, version-counted and
recorded as PyTorch records it; see ``minigrad/inplace.py``).  An op found only in
``minigrad.linalg`` is keyed ``'linalg.<name>'`` in :data:`OPS`, since torch.linalg.norm and
torch.norm (likewise cross, diagonal) are different functions of one name.  The Tensor class and
the namespaces are filled from this table, and ``tests/test_ops.py`` requires a row of
sample inputs for every entry (gradcheck, second order, PyTorch's values and dtypes).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OpInfo:
    name: str
    function: Callable
    method: bool
    torch: bool
    functional: bool
    aliases: tuple = ()
    inplace: bool = False
    linalg: bool = False

    def names(self) -> tuple:
        return (self.name, *self.aliases)


OPS: dict[str, OpInfo] = {}


def op(name: str, *, method: bool = True, torch: bool = True, functional: bool = False,
       aliases: tuple = (), inplace: bool = False, linalg: bool = False):
    """Declare ``name`` as an op of minigrad (see the module's docstring)."""

    def declare(function: Callable) -> Callable:
        info = OpInfo(name, function, method, torch, functional, tuple(aliases), inplace, linalg)
        key = f"linalg.{name}" if linalg and not (method or torch or functional) else name
        for where in ("method", "torch", "functional", "linalg"):
            taken = exported(where) if getattr(info, where) else {}
            for n in info.names():
                if n in taken or key in OPS:
                    raise RuntimeError(f"op {n!r} is declared twice")
        OPS[key] = info
        return function

    return declare


def exported(where: str) -> dict:
    """``{name: function}`` of the ops that belong to ``where``: ``'method'``, ``'torch'``,
    ``'functional'``, ``'linalg'`` or ``'inplace'`` (aliases included; for ``'inplace'`` the names are the
    out-of-place ones, without the trailing underscore)."""
    return {n: info.function for info in OPS.values() if getattr(info, where) for n in info.names()}
