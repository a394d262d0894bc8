"""``einsum``: sums of products named by subscripts, with PyTorch's equation syntax.

``'ij,jk->ik'`` is a matrix product, ``'ii'`` a trace, ``'bij,bjk'`` a batched product; ``...``
stands for the dimensions not named (they broadcast), and without ``->`` the output is the
ellipsis dimensions followed by the subscripts used once, in alphabetical order (capitals first).
PyTorch's sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])`` is accepted too.

One primitive, :class:`Einsum`, on an equation made explicit by :func:`einsum` (ellipses spelt
out as letters, the output written, size-1 dimensions already broadcast).  Its gradient is an
einsum too: the gradient of an operand is the output's gradient contracted with every other
operand.  Composing einsum from permute/reshape/matmul/sum would need a contraction-order
planner to be as fast; numpy's einsum is that planner, and the rule stays one line.
"""
from __future__ import annotations

import string

from ..backend import ndarray, xp
from ..engine import Function, is_tensor
from .array_or_tensor import broadcast_to
from .linalg_inverse import type_name
from .registry import op

LETTERS = string.ascii_uppercase + string.ascii_lowercase  # PyTorch's sublist ints 0-51 -> A-Z a-z


def _einsum(equation: str, *operands):
    """An einsum of arrays, or of Tensors (recorded): the backward of :class:`Einsum` calls it."""
    if any(is_tensor(o) for o in operands):
        return Einsum.apply(*operands, equation=equation)
    return Einsum(equation).forward(*operands)


def _unique(term: str) -> str:
    return "".join(dict.fromkeys(term))


class Einsum(Function):
    __slots__ = ("equation",)
    name = "einsum"
    caption = "grad of each operand = einsum of grad_out with the other operands"

    def __init__(self, equation: str):
        self.equation = equation

    def options(self):
        return {"equation": self.equation}

    def forward(self, *operands):
        out = xp.einsum(self.equation, *operands, optimize=len(operands) > 2)
        # numpy answers 'ij->ji' or 'ii->i' with a view of the operand: the result must own its data
        return out.copy() if isinstance(out, ndarray) and out.base is not None else out

    def backward(self, grad, inputs, output):
        lhs, out = self.equation.split("->")
        terms = lhs.split(",")
        sizes = {letter: n for term, x in zip(terms, inputs) for letter, n in zip(term, x.shape)}
        grads = []
        for i, (term, parent) in enumerate(zip(terms, self.parents)):
            if parent is None:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(terms) if j != i]
            present = set(out).union(*others)
            target = "".join(letter for letter in _unique(term) if letter in present)
            g = _einsum(",".join([out, *others]) + "->" + target, grad,
                        *(x for j, x in enumerate(inputs) if j != i))
            grads.append(_spread(g, target, term, sizes))
        return tuple(grads)


def _spread(g, target: str, term: str, sizes: dict):
    """The gradient over ``target``'s letters laid out as the operand ``term``: letters the
    forward summed within this operand alone are broadcast back, and a letter repeated in the
    term (a diagonal, as in 'ii') gets the gradient on its diagonal and zeros off it."""
    unique = _unique(term)
    if target != unique:
        g = g.reshape(tuple(sizes[c] if c in target else 1 for c in unique))
        g = broadcast_to(g, tuple(sizes[c] for c in unique))
    if unique == term:
        return g
    first = {c: term.index(c) for c in unique}
    g = g.reshape(tuple(sizes[c] if first[c] == p else 1 for p, c in enumerate(term)))
    mask = xp.ones((1,) * len(term), dtype=g.dtype)
    for p, c in enumerate(term):
        if first[c] != p:  # mask[..., a (at first[c]), ..., b (at p), ...] = (a == b)
            shape = [1] * len(term)
            shape[first[c]] = shape[p] = sizes[c]
            mask = mask * xp.eye(sizes[c], dtype=g.dtype).reshape(shape)
    return g * mask


def _from_sublists(args) -> tuple:
    """PyTorch's ``einsum(op0, sublist0, op1, sublist1, ..., [sublist_out])`` as an equation."""
    def term(sublist):
        try:
            return "".join("..." if s is Ellipsis else LETTERS[s] for s in sublist)
        except (IndexError, TypeError):
            raise ValueError(f"einsum(): subscript in sublist {sublist!r} is not within the valid "
                             "range [0, 52) (or Ellipsis)") from None
    operands, terms = list(args[0::2]), [term(s) for s in args[1::2]]
    if len(args) % 2:  # an output sublist at the end
        operands.pop()
        return ",".join(terms) + "->" + term(args[-1]), operands
    return ",".join(terms), operands


def _parse(equation: str, operands) -> tuple:
    """``(terms, output)`` with each ellipsis spelt out as letters the equation does not use."""
    equation = equation.replace(" ", "")
    if equation.count("->") > 1:
        raise RuntimeError(f"einsum(): the equation {equation!r} has more than one '->'")
    lhs, arrow, out = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError(f"einsum(): the equation {equation!r} names {len(terms)} operands but "
                           f"{len(operands)} were given")
    for position, c in enumerate(equation):
        if c not in LETTERS and c not in ",.->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {position} in the "
                               f"equation string, subscripts must be in [a-zA-Z]")
    spare = iter(c for c in LETTERS if c not in equation)
    ellipsis_ndim = 0
    for i, (term, x) in enumerate(zip(terms, operands)):
        named = len(term.replace("...", ""))
        if term.count("...") > 1 or "." in term.replace("...", ""):
            raise RuntimeError(f"einsum(): operand {i}'s subscripts {term!r}: at most one '...'")
        if ("..." not in term and named != x.ndim) or named > x.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({named}) does "
                               f"not match the number of dimensions ({x.ndim}) for operand {i}"
                               + ("" if "..." in term else " and no ellipsis was given"))
        if "..." in term:
            ellipsis_ndim = max(ellipsis_ndim, x.ndim - named)
    dots = "".join(next(spare) for _ in range(ellipsis_ndim))
    # each operand's ellipsis covers its unnamed dims: the last of the spelt-out letters
    terms = [t.replace("...", dots[len(dots) - (x.ndim - len(t) + 3):]) if "..." in t else t
             for t, x in zip(terms, operands)]
    if not arrow:
        once = [c for c in set("".join(terms)) if "".join(terms).count(c) == 1 and c not in dots]
        out = dots + "".join(sorted(once))
    else:
        out = out.replace("...", dots)
        for c in out:
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if c not in "".join(terms):
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation "
                                   "for any input operand")
    return terms, out


def _sizes(terms, operands) -> dict:
    """Each letter's size, checked: equal within an operand, equal or 1 across operands."""
    sizes = {}
    for i, (term, x) in enumerate(zip(terms, operands)):
        for c, n in zip(term, x.shape):
            if term.count(c) > 1 and n != x.shape[term.index(c)]:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} but the "
                                   f"sizes don't match, {n} != {x.shape[term.index(c)]}")
            seen = sizes.get(c, 1)
            if n != seen and 1 not in (n, seen):
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} (shape "
                                   f"{x.shape}) which does not broadcast with previously seen size {seen}")
            sizes[c] = max(seen, n)
    return sizes


@op("einsum", method=False)
def einsum(equation, *operands):
    """Sums of products named by subscripts (see the module's docstring).

    >>> import minigrad as mg
    >>> a = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> mg.einsum('ij,jk->ik', a, a).tolist()
    [[7.0, 10.0], [15.0, 22.0]]
    >>> mg.einsum('ii', a).item()
    5.0
    """
    if not isinstance(equation, str):
        equation, operands = _from_sublists((equation, *operands))
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for i, x in enumerate(operands):
        if not is_tensor(x):
            raise TypeError(f"einsum(): operand {i} must be a Tensor, got {type(x).__name__}")
        if x.dtype != operands[0].dtype:
            raise RuntimeError(f"einsum(): operands must have one dtype, but operand 0 is "
                               f"{type_name(operands[0].dtype)} and operand {i} {type_name(x.dtype)}")
    terms, out = _parse(equation, operands)
    sizes = _sizes(terms, operands)
    operands = [x if all(sizes[c] == n for c, n in zip(t, x.shape)) else
                x.broadcast_to(tuple(sizes[c] for c in t)) for t, x in zip(terms, operands)]
    return Einsum.apply(*operands, equation=",".join(terms) + "->" + out)
