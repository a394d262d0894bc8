"""Rows of sample inputs for the linear-algebra ops (gathered into op_rows.ROWS; see its docstring).

Matrices that are inverted, solved or whose determinant is taken are well conditioned: entries
in (-0.9, 0.9) plus n on the diagonal (diagonally dominant, so det > 0 and no pivot is small).
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from op_rows import Row, Sample, values

SIDES = st.integers(1, 4)
BATCHES = st.sampled_from([(), (2,), (2, 1)])


def well_conditioned(draw, n, batch=(), salt=0):
    return values(draw, batch + (n, n), low=-1.0, high=1.0, salt=salt) + n * np.eye(n)


@st.composite
def two_matrices(draw, batch=None):
    n, k, m = draw(SIDES), draw(SIDES), draw(SIDES)
    lead = () if batch is None else (draw(st.integers(1, 3)),)
    return Sample((values(draw, lead + (n, k)), values(draw, lead + (k, m), salt=1)))


@st.composite
def matrix_vector(draw):
    n, k = draw(SIDES), draw(SIDES)
    return Sample((values(draw, (n, k)), values(draw, (k,), salt=1)))


@st.composite
def two_vectors(draw, same=True):
    n = draw(SIDES)
    m = n if same else draw(SIDES)
    return Sample((values(draw, (n,)), values(draw, (m,), salt=1)))


@st.composite
def inner_pair(draw):
    k = draw(SIDES)
    lead_a, lead_b = draw(st.sampled_from([(), (2,), (3, 2)])), draw(st.sampled_from([(), (2,)]))
    if draw(st.booleans()) and not lead_a:
        return Sample((values(draw, ()), values(draw, lead_b + (k,), salt=1)))
    return Sample((values(draw, lead_a + (k,)), values(draw, lead_b + (k,), salt=1)))


SCALES = st.sampled_from([{}, {"beta": 0.5, "alpha": 2.0}, {"beta": 0}, {"alpha": -1.5}])


@st.composite
def scaled_product(draw, kind):
    b, n, k, m = draw(st.integers(1, 3)), draw(SIDES), draw(SIDES), draw(SIDES)
    shapes = {"mm": ((n, k), (k, m)), "mv": ((n, k), (k,)), "bmm": ((b, n, k), (b, k, m)),
              "addbmm": ((b, n, k), (b, k, m))}[kind]
    out = {"mm": (n, m), "mv": (n,), "bmm": (b, n, m), "addbmm": (n, m)}[kind]
    input_shape = draw(st.sampled_from([out, out[1:], (1,) * len(out)]))
    operands = tuple(values(draw, s, salt=i) for i, s in enumerate(shapes))
    arrays = (values(draw, input_shape, salt=2),) + operands
    return Sample(arrays, draw(SCALES))


@st.composite
def kron_pair(draw):
    shapes = st.sampled_from([(), (2,), (3,), (2, 2), (1, 3), (2, 1, 2)])
    return Sample((values(draw, draw(shapes)), values(draw, draw(shapes), salt=1)))


@st.composite
def tensordot_pair(draw):
    a = values(draw, (2, 3, 4))
    dims, shape_b = draw(st.sampled_from([(2, (3, 4, 2)), (1, (4, 3)), (0, (2,)),
                                          (([1, 2], [0, 1]), (3, 4, 2)), (([2], [1]), (3, 4)),
                                          (([1, 2], [1, 0]), (4, 3))]))
    return Sample((a, values(draw, shape_b, salt=1)), {"dims": dims})


@st.composite
def cross_pair(draw, linalg=False):
    shape_a, shape_b, dim = draw(st.sampled_from([((3,), (3,), 0), ((4, 3), (1, 3), -1), ((3, 2), (3, 2), 0),
                                                  ((2, 3, 2), (1, 3, 2), 1), ((2, 3), (1, 3), -1)]))
    if linalg and dim != -1 and shape_a[-1] == 3:
        dim = -1
    return Sample((values(draw, shape_a), values(draw, shape_b, salt=1)), {"dim": dim})


@st.composite
def diagonal_inputs(draw, linalg=False):
    shape = draw(st.sampled_from([(3, 3), (2, 4), (4, 2), (2, 3, 4), (1, 3, 3)]))
    ndim = len(shape)
    dim1, dim2 = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=2, max_size=2,
                               unique_by=lambda d: d % ndim))
    kwargs = {"offset": draw(st.integers(-2, 2)), "dim1": dim1, "dim2": dim2}
    if linalg and draw(st.booleans()):
        kwargs = {"offset": kwargs["offset"]}
    return Sample((values(draw, shape),), kwargs)


@st.composite
def diag_embed_inputs(draw):
    shape = draw(st.sampled_from([(3,), (2, 3), (1, 2, 2)]))
    ndim = len(shape) + 1
    dim1, dim2 = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=2, max_size=2,
                               unique_by=lambda d: d % ndim))
    return Sample((values(draw, shape),), {"offset": draw(st.integers(-2, 2)), "dim1": dim1, "dim2": dim2})


@st.composite
def diag_inputs(draw):
    shape = draw(st.sampled_from([(3,), (1,), (3, 3), (2, 4), (4, 2)]))
    return Sample((values(draw, shape), draw(st.integers(-2, 2))))


@st.composite
def triangle_inputs(draw):
    shape = draw(st.sampled_from([(3, 3), (2, 4), (4, 2), (2, 3, 3), (1, 2, 3)]))
    return Sample((values(draw, shape),), {"diagonal": draw(st.integers(-3, 3))})


EQUATIONS = [("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("ij,jk", [(3, 4), (4, 2)]), ("ba,b", [(3, 2), (3,)]),
             ("...ij,...jk", [(2, 1, 2, 3), (4, 3, 2)]), ("i,i->", [(1,), (3,)]), ("iij->j", [(3, 3, 2)]),
             ("bn,anm,bm->ba", [(2, 3), (4, 3, 2), (2, 2)]), ("ij->", [(2, 3)]), ("i...->...", [(2, 3, 2)]),
             ("iA", [(2, 3)]), ("ij->ji", [(2, 3)]), ("iji->j", [(2, 3, 2)]),
             ("i j , j k -> i k", [(2, 3), (3, 2)]), ("i,j", [(2,), (3,)])]


@st.composite
def einsum_inputs(draw):
    equation, shapes = draw(st.sampled_from(EQUATIONS))
    return Sample((equation,) + tuple(values(draw, s, salt=i) for i, s in enumerate(shapes)))


@st.composite
def square_matrix(draw, batches=BATCHES):
    return Sample((well_conditioned(draw, draw(SIDES), draw(batches)),))


@st.composite
def solve_inputs(draw):
    n, k = draw(SIDES), draw(SIDES)
    batch_a, rhs = draw(st.sampled_from([((), "vector"), ((), "matrix"), ((2,), "vector"), ((2,), "batched"),
                                         ((2,), "matrix"), ((2, 1), "wide")]))
    a = well_conditioned(draw, n, batch_a)
    shape_b = {"vector": (n,), "matrix": (n, k), "batched": batch_a + (n,), "wide": (1, 3, n, k)}[rhs]
    left = draw(st.booleans()) if rhs == "matrix" and not batch_a else True
    if not left:
        shape_b = (k, n)
    return Sample((a, values(draw, shape_b, salt=1)), {} if left else {"left": False})


@st.composite
def matrix_power_inputs(draw):
    return Sample((well_conditioned(draw, draw(SIDES), draw(BATCHES)), draw(st.integers(-2, 3))))


@st.composite
def vector_norm_inputs(draw):
    shape = draw(st.sampled_from([(3,), (2, 3), (2, 3, 2)]))
    ndim = len(shape)
    dim = draw(st.sampled_from([None, -1, 0] + ([(0, ndim - 1)] if ndim > 1 else [])))
    ord = draw(st.sampled_from([2, 1, 3, 0.5, -1, math.inf, -math.inf, 0]))
    kwargs = {"ord": ord, "dim": dim, "keepdim": draw(st.booleans())}
    x = values(draw, shape, away=(0.0,))
    # distinct magnitudes: values pushed off 0 land on +-0.06, a tie that makes max|x| (ord=inf)
    # a kink for finite differences
    x = x + np.sign(x) * 0.003 * np.arange(x.size).reshape(shape)
    return Sample((x,), kwargs)


@st.composite
def matrix_norm_inputs(draw, ords=("fro", 1, -1, math.inf, -math.inf)):
    shape = draw(st.sampled_from([(3, 3), (2, 4), (2, 3, 2)]))
    dim = draw(st.sampled_from([(-2, -1), (-1, -2), (0, -1)]))
    kwargs = {"ord": draw(st.sampled_from(ords)), "dim": dim, "keepdim": draw(st.booleans())}
    return Sample((values(draw, shape, away=(0.0,)),), kwargs)


@st.composite
def linalg_norm_inputs(draw):
    choice = draw(st.sampled_from(["all", "vector", "matrix", "dim", "pair"]))
    if choice == "all":
        return Sample((values(draw, (2, 3, 2), away=(0.0,)),))
    if choice == "vector":
        return Sample((values(draw, (4,), away=(0.0,)),), {"ord": draw(st.sampled_from([1, 3, math.inf]))})
    if choice == "matrix":
        ord = draw(st.sampled_from(["fro", 1, -math.inf]))
        return Sample((values(draw, (3, 2), away=(0.0,)),), {"ord": ord})
    if choice == "dim":
        return Sample((values(draw, (2, 3), away=(0.0,)),), {"ord": 1, "dim": 1, "keepdim": True})
    return Sample((values(draw, (2, 3, 2), away=(0.0,)),), {"dim": (0, 2)})


@st.composite
def torch_norm_inputs(draw):
    x = values(draw, (2, 3, 2), away=(0.0,))
    p, dim = draw(st.sampled_from([("fro", None), ("fro", 1), ("fro", (0, 2)), (1, (0, 2)), (3, 1),
                                   (math.inf, None), (2, (0, 1, 2))]))
    return Sample((x,), {"p": p, "dim": dim, "keepdim": draw(st.booleans())})


@st.composite
def svd_inputs(draw):
    return Sample((values(draw, draw(BATCHES) + (draw(SIDES), draw(SIDES))),))


@st.composite
def multi_dot_inputs(draw):
    sizes = [draw(SIDES) for _ in range(draw(st.integers(3, 5)))]
    arrays = [values(draw, (sizes[i], sizes[i + 1]), salt=i) for i in range(len(sizes) - 1)]
    if draw(st.booleans()):
        arrays[0] = arrays[0][0]
    if draw(st.booleans()):
        arrays[-1] = arrays[-1][:, 0]
    return Sample((arrays,))


NO_SECOND = ("the gradient of the singular values is built from the singular vectors, which have no "
             "gradient of their own here")

ROWS = {
    "mm": Row(two_matrices()),
    "mv": Row(matrix_vector()),
    "bmm": Row(two_matrices(batch=True)),
    "dot": Row(two_vectors()),
    "vdot": Row(two_vectors()),
    "inner": Row(inner_pair()),
    "outer": Row(two_vectors(same=False)),
    "addmm": Row(scaled_product("mm")),
    "addmv": Row(scaled_product("mv")),
    "baddbmm": Row(scaled_product("bmm")),
    "addbmm": Row(scaled_product("addbmm")),
    "kron": Row(kron_pair()),
    "tensordot": Row(tensordot_pair()),
    "cross": Row(cross_pair()),
    "linalg.cross": Row(cross_pair(linalg=True)),
    "linalg.vecdot": Row(inner_pair().filter(lambda s: s.args[0].ndim > 0)),
    "linalg.multi_dot": Row(multi_dot_inputs()),
    "diagonal": Row(diagonal_inputs()),
    "linalg.diagonal": Row(diagonal_inputs(linalg=True)),
    "diag_embed": Row(diag_embed_inputs()),
    "diag": Row(diag_inputs()),
    "trace": Row(st.sampled_from([(3, 3), (2, 4), (1, 1)]).flatmap(
        lambda shape: st.builds(lambda seed: Sample((np.random.default_rng(seed).standard_normal(shape),)),
                                st.integers(0, 1000)))),
    "tril": Row(triangle_inputs()),
    "triu": Row(triangle_inputs()),
    "einsum": Row(einsum_inputs()),
    "linalg.inv": Row(square_matrix()),
    "inverse": Row(square_matrix()),
    "det": Row(square_matrix()),
    "slogdet": Row(square_matrix()),
    "logdet": Row(square_matrix()),
    "linalg.solve": Row(solve_inputs()),
    "matrix_power": Row(matrix_power_inputs()),
    "linalg.vector_norm": Row(vector_norm_inputs()),
    "linalg.matrix_norm": Row(matrix_norm_inputs()),
    "linalg.norm": Row(linalg_norm_inputs()),
    "norm": Row(torch_norm_inputs()),
    "linalg.svdvals": Row(svd_inputs(), second_order=False, why_no_second_order=NO_SECOND),
}
