"""Linear algebra beside PyTorch: the mg.linalg namespace, bad calls (PyTorch's exception types,
messages naming the op), singular matrices, and what the generic rows of op_rows_linalg.py do
not reach (cross's deprecated default, the SVD-based matrix norms, named tuples, dtypes)."""
import math
import warnings

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 3))
B = RNG.standard_normal((2, 3, 4))
V = RNG.standard_normal(3)


def both(array, dtype=None):
    """The same array as a minigrad tensor and a torch tensor."""
    array = np.asarray(array) if dtype is None else np.asarray(array, dtype=dtype)
    return mg.tensor(array), torch.tensor(array)


# ---------------------------------------------------------------------------------------------
# The namespace
# ---------------------------------------------------------------------------------------------
def test_linalg_is_a_module_and_an_attribute():
    import minigrad.linalg as linalg

    assert mg.linalg is linalg
    assert linalg.inv is mg.linalg.inv and linalg.matmul is mg.matmul
    assert set(linalg.__all__) <= set(dir(linalg))
    missing = [n for n in linalg.__all__ if n != "LinAlgError" and not hasattr(torch.linalg, n)]
    assert not missing


def test_linalg_error_is_pytorchs_kind_of_error():
    assert issubclass(mg.linalg.LinAlgError, RuntimeError)
    assert issubclass(torch.linalg.LinAlgError, RuntimeError)
    assert mg.linalg.LinAlgError.__name__ == "LinAlgError"


def test_same_name_different_defaults_as_in_pytorch():
    x, t = both(RNG.standard_normal((3, 3)))
    y, u = both(RNG.standard_normal((3, 3)))
    np.testing.assert_allclose(mg.linalg.cross(x, y).data, torch.linalg.cross(t, u).numpy())  # dim=-1
    with pytest.warns(UserWarning, match="dim"):
        ours = mg.cross(x, y)  # the first dimension of size 3: 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(ours.data, torch.cross(t, u).numpy())
    np.testing.assert_allclose(mg.linalg.diagonal(mg.tensor(B[:, :, :3])).data,
                               torch.linalg.diagonal(torch.tensor(B[:, :, :3])).numpy())
    np.testing.assert_allclose(mg.diagonal(mg.tensor(B), 1).data, torch.diagonal(torch.tensor(B), 1).numpy())


# ---------------------------------------------------------------------------------------------
# Bad calls: PyTorch's exception type, and a message that names the op
# ---------------------------------------------------------------------------------------------
F32, F64, I64 = np.float32, np.float64, np.int64
BAD_CALLS = {
    "mm of a vector": ("mm", lambda lib, t: lib.mm(t(V), t(A))),
    "mm shapes": ("mm", lambda lib, t: lib.mm(t(A), t(B[0]).T)),
    "mm dtypes": ("mm", lambda lib, t: lib.mm(t(A, F32), t(A, F64))),
    "mv of two matrices": ("mv", lambda lib, t: lib.mv(t(A), t(A))),
    "mv sizes": ("mv", lambda lib, t: lib.mv(t(A), t(B[0, 0]))),
    "bmm of a matrix": ("bmm", lambda lib, t: lib.bmm(t(B), t(A))),
    "bmm batch sizes": ("bmm", lambda lib, t: lib.bmm(t(B), t(np.ones((3, 4, 2))))),
    "dot of matrices": ("dot", lambda lib, t: lib.dot(t(A), t(A))),
    "dot lengths": ("dot", lambda lib, t: lib.dot(t(V), t(B[0, 0]))),
    "dot dtypes": ("dot", lambda lib, t: lib.dot(t(V, F32), t(V, F64))),
    "inner last dims": ("inner", lambda lib, t: lib.inner(t(A), t(B))),
    "inner dtypes": ("inner", lambda lib, t: lib.inner(t(np.arange(3)), t(V))),
    "outer of a matrix": ("outer", lambda lib, t: lib.outer(t(A), t(V))),
    "linalg.cross length": ("linalg.cross", lambda lib, t: lib.linalg.cross(t(B), t(B))),
    "cross ranks": ("cross", lambda lib, t: lib.linalg.cross(t(np.ones((2, 3))), t(V))),
    "cross dtypes": ("cross", lambda lib, t: lib.cross(t(np.arange(3)), t(V), dim=0)),
    "addmm input shape": ("addmm", lambda lib, t: lib.addmm(t(B[:, :, :3]), t(A), t(A))),
    "tensordot sizes": ("tensordot", lambda lib, t: lib.tensordot(t(B), t(np.ones((4, 2))), dims=([2], [1]))),
    "trace of a batch": ("trace", lambda lib, t: lib.trace(t(B))),
    "tril of a vector": ("tril", lambda lib, t: lib.tril(t(V))),
    "diag of a batch": ("diag", lambda lib, t: lib.diag(t(B))),
    "diagonal same dims": ("diagonal", lambda lib, t: lib.diagonal(t(A), 0, 1, 1)),
    "diagonal dim out of range": ("diagonal", lambda lib, t: lib.diagonal(t(V))),
    "diag_embed same dims": ("diag_embed", lambda lib, t: lib.diag_embed(t(V), 0, 0, 0)),
    "einsum operand count": ("einsum", lambda lib, t: lib.einsum("ij,jk", t(A))),
    "einsum subscripts": ("einsum", lambda lib, t: lib.einsum("ij", t(V))),
    "einsum sizes": ("einsum", lambda lib, t: lib.einsum("ij,j", t(A), t(B[0, 0]))),
    "einsum output letter": ("einsum", lambda lib, t: lib.einsum("ij->k", t(A))),
    "einsum repeated output": ("einsum", lambda lib, t: lib.einsum("ij->ii", t(A))),
    "einsum dtypes": ("einsum", lambda lib, t: lib.einsum("i,i", t(V, F32), t(V, F64))),
    "inv not square": ("linalg.inv", lambda lib, t: lib.linalg.inv(t(B))),
    "inv of integers": ("linalg.inv", lambda lib, t: lib.linalg.inv(t(np.eye(2, dtype=I64)))),
    "det not square": ("linalg.det", lambda lib, t: lib.linalg.det(t(B))),
    "solve shapes": ("linalg.solve", lambda lib, t: lib.linalg.solve(t(A), t(B[0, 0]))),
    "solve dtypes": ("linalg.solve", lambda lib, t: lib.linalg.solve(t(A, F32), t(V, F64))),
    "matrix_power not square": ("linalg.matrix_power", lambda lib, t: lib.linalg.matrix_power(t(B), 2)),
    "vector_norm of integers": ("linalg.vector_norm", lambda lib, t: lib.linalg.vector_norm(t(np.arange(3)))),
    "vector_norm ord a string": ("linalg.vector_norm", lambda lib, t: lib.linalg.vector_norm(t(V), "fro")),
    "vector_norm dim": ("linalg.vector_norm", lambda lib, t: lib.linalg.vector_norm(t(B), dim=5)),
    "vector_norm inf of nothing": ("linalg.vector_norm",
                                   lambda lib, t: lib.linalg.vector_norm(t(np.zeros(0)), math.inf)),
    "matrix_norm of a vector": ("linalg.matrix_norm", lambda lib, t: lib.linalg.matrix_norm(t(V))),
    "matrix_norm order": ("linalg.matrix_norm", lambda lib, t: lib.linalg.matrix_norm(t(B), 3)),
    "matrix_norm same dims": ("linalg.matrix_norm", lambda lib, t: lib.linalg.matrix_norm(t(B), dim=(1, 1))),
    "linalg.norm 3-D with ord": ("linalg.norm", lambda lib, t: lib.linalg.norm(t(B), 2)),
    "multi_dot of one": ("linalg.multi_dot", lambda lib, t: lib.linalg.multi_dot([t(A)])),
    "norm of integers": ("norm", lambda lib, t: lib.norm(t(np.arange(3)))),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_bad_call_raises_pytorchs_error_naming_the_op(case):
    op_name, call = BAD_CALLS[case]

    def make(lib):
        def t(array, dtype=None):
            array = np.asarray(array) if dtype is None else np.asarray(array, dtype=dtype)
            return lib.tensor(array)
        return t

    with pytest.raises(Exception) as theirs:
        call(torch, make(torch))
    with pytest.raises(Exception) as ours:
        call(mg, make(mg))
    expected = type(theirs.value)
    expected = RuntimeError if expected.__name__ == "_LinAlgError" else expected
    assert isinstance(ours.value, expected), \
        f"{case}: {type(ours.value).__name__}, PyTorch's {expected.__name__}"
    assert op_name.split(".")[-1] in str(ours.value), f"{case}: {ours.value}"


# ---------------------------------------------------------------------------------------------
# Singular matrices
# ---------------------------------------------------------------------------------------------
SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])


@pytest.mark.parametrize("op_name", ["inv", "solve", "matrix_power"])
def test_singular_matrix_raises_linalg_error_naming_the_op(op_name):
    calls = {"inv": lambda lib, a: lib.linalg.inv(a), "solve": lambda lib, a: lib.linalg.solve(a, a[0]),
             "matrix_power": lambda lib, a: lib.linalg.matrix_power(a, -1)}
    with pytest.raises(torch.linalg.LinAlgError):
        calls[op_name](torch, torch.zeros(3, 3, dtype=torch.float64))
    with pytest.raises(mg.linalg.LinAlgError, match="singular") as error:
        calls[op_name](mg, mg.zeros(3, 3, dtype=mg.float64))
    assert ("solve" if op_name == "solve" else "inv") in str(error.value)


def test_det_of_a_singular_matrix_is_zero_and_its_gradient_the_cofactors():
    x = mg.tensor(SINGULAR, requires_grad=True)
    d = mg.linalg.det(x)
    assert abs(d.item()) < 1e-12
    d.backward()
    # det is a polynomial: central differences give its gradient (the cofactor matrix) exactly
    expected = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            step = np.zeros((3, 3))
            step[i, j] = 1e-3
            expected[i, j] = (np.linalg.det(SINGULAR + step) - np.linalg.det(SINGULAR - step)) / 2e-3
    np.testing.assert_allclose(x.grad.data, expected, atol=1e-8)
    t = torch.tensor(SINGULAR, requires_grad=True)
    torch.linalg.det(t).backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), atol=1e-8)


def test_det_gradient_of_the_zero_matrix_is_zero_as_in_pytorch():
    x = mg.zeros(3, 3, dtype=mg.float64, requires_grad=True)
    mg.linalg.det(x).backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((3, 3)))


def test_slogdet_is_a_named_tuple_and_a_singular_matrix_has_sign_zero():
    result = mg.linalg.slogdet(mg.zeros(2, 2))
    assert result.sign.item() == 0.0 and result.logabsdet.item() == -math.inf
    sign, logabsdet = mg.linalg.slogdet(mg.tensor(A))
    theirs = torch.linalg.slogdet(torch.tensor(A))
    assert sign.item() == theirs.sign.item()
    np.testing.assert_allclose(logabsdet.item(), theirs.logabsdet.item(), rtol=1e-12)
    assert type(result)._fields == ("sign", "logabsdet")


# ---------------------------------------------------------------------------------------------
# Matrix norms through the singular values: first order (the rows cannot ask for second order)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ord", ["nuc", 2, -2])
@pytest.mark.parametrize("shape,dim", [((3, 3), (-2, -1)), ((2, 3, 4), (-2, -1)), ((2, 3, 4), (0, 2))])
def test_singular_value_norms_match_pytorch_and_finite_differences(ord, shape, dim):
    data = RNG.standard_normal(shape)
    x, t = mg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours, theirs = mg.linalg.matrix_norm(x, ord, dim), torch.linalg.matrix_norm(t, ord, dim)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-8, atol=1e-10)
    assert mg.gradcheck(lambda y: mg.linalg.matrix_norm(y, ord, dim), [mg.tensor(data, requires_grad=True)])


def test_second_order_through_singular_values_is_refused_not_wrong():
    x = mg.tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match="svdvals.*second order"):
        mg.grad(mg.linalg.svdvals(x).sum(), [x], create_graph=True)


def test_vector_norm_gradient_at_zero_is_zero_as_in_pytorch():
    for p in (2, 1, 3, 0.5, -1, math.inf):
        x = mg.zeros(3, dtype=mg.float64, requires_grad=True)
        mg.linalg.vector_norm(x, p).backward()
        t = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        torch.linalg.vector_norm(t, p).backward()
        np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


# ---------------------------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------------------------
INTEGER_CALLS = {
    "mm": lambda lib, a: lib.mm(a, a), "trace": lambda lib, a: lib.trace(a),
    "tril": lambda lib, a: lib.tril(a), "diag": lambda lib, a: lib.diag(a),
    "einsum": lambda lib, a: lib.einsum("ij,jk", a, a), "kron": lambda lib, a: lib.kron(a, a),
    "matrix_power": lambda lib, a: lib.linalg.matrix_power(a, 2),
}


@pytest.mark.parametrize("name", sorted(INTEGER_CALLS))
def test_integer_matrices_keep_pytorchs_integer_dtype(name):
    ours, theirs = both(np.arange(9).reshape(3, 3))
    result, expected = INTEGER_CALLS[name](mg, ours), INTEGER_CALLS[name](torch, theirs)
    assert result.dtype == expected.numpy().dtype
    np.testing.assert_array_equal(result.data, expected.numpy())


def test_outer_and_kron_promote_like_pytorch_the_products_refuse():
    i, ti = both(np.arange(3))
    v, tv = both(V.astype(np.float32))
    assert mg.outer(i, v).dtype == torch.outer(ti, tv).numpy().dtype == np.float32
    assert mg.kron(i, v).dtype == torch.kron(ti, tv).numpy().dtype
    with pytest.raises(RuntimeError, match="dot"):
        mg.dot(i, v)


def test_einsum_sublist_form_and_operand_list():
    a, t = both(A)
    np.testing.assert_allclose(mg.einsum(a, [0, 1], a, [1, 2], [0, 2]).data,
                               torch.einsum(t, [0, 1], t, [1, 2], [0, 2]).numpy())
    np.testing.assert_allclose(mg.einsum("ij,jk", [a, a]).data, torch.einsum("ij,jk", [t, t]).numpy())


def test_tensor_methods_are_pytorchs():
    a = mg.tensor(A)
    for name in ("mm", "mv", "bmm", "dot", "inner", "outer", "ger", "cross", "addmm", "kron", "trace",
                 "tril", "triu", "tril_", "triu_", "diag", "diagonal", "diag_embed", "norm", "det",
                 "slogdet", "logdet", "inverse", "matrix_power"):
        assert hasattr(a, name) and hasattr(torch.Tensor, name), name
    b = a.clone() if hasattr(a, "clone") else mg.tensor(A.copy())
    b.tril_()
    np.testing.assert_array_equal(b.data, np.tril(A))
