"""Bad input raises an error that names the op and the shapes or values at fault."""
import re

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import engine


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):
        mg.ones(2, 3) @ mg.ones(4, 5)
    with pytest.raises(RuntimeError, match=r"matmul.*\(3,\).*\(4,\)"):
        mg.ones(3) @ mg.ones(4)
    with pytest.raises(RuntimeError, match=r"matmul.*at least 1 dimension"):
        mg.ones(3) @ mg.tensor(2.0)


def test_linear_shape_mismatch_names_input_and_weight():
    with pytest.raises(RuntimeError, match=r"linear.*\(4, 3\).*\(5, 2\)"):
        F.linear(mg.ones(4, 3), mg.ones(5, 2))
    with pytest.raises(RuntimeError, match=r"linear: bias of shape \(4,\)"):
        F.linear(mg.ones(4, 2), mg.ones(5, 2), mg.ones(4))


@pytest.mark.parametrize("op,name", [(lambda a, b: a + b, "add"), (lambda a, b: a * b, "mul"),
                                     (lambda a, b: a - b, "sub"), (lambda a, b: a / b, "div"),
                                     (mg.maximum, "maximum")])
def test_broadcast_mismatch_names_the_op_and_both_shapes(op, name):
    with pytest.raises(RuntimeError, match=rf"{name}.*\(2, 3\).*\(4,\)"):
        op(mg.ones(2, 3), mg.ones(4))


def test_backward_of_a_non_scalar_without_gradient():
    y = mg.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"backward.*scalar.*\(2, 3\).*gradient="):
        y.backward()


def test_backward_of_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match=r"backward.*\(2,\).*does not require grad"):
        (mg.ones(2) * 2).sum().reshape(1).expand(2).backward(mg.ones(2))


def test_backward_with_a_wrong_shaped_gradient():
    y = mg.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"backward: gradient has shape \(3, 2\).*\(2, 3\)"):
        y.backward(mg.ones(3, 2))


def test_mg_grad_with_a_wrong_shaped_grad_output():
    x = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"grad: gradient has shape \(3,\).*\(2,\)"):
        mg.grad(x * 2, x, grad_outputs=mg.ones(3))


def test_mg_grad_of_an_input_that_does_not_require_grad():
    x = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="input 1 does not require grad"):
        mg.grad((x * 2).sum(), [x, mg.ones(2)])


def test_inplace_on_a_leaf_requiring_grad_names_the_op_and_the_fix():
    x = mg.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError,
                       match=r"in-place add: a leaf Variable that requires grad.*\(2, 3\).*no_grad"):
        x += 1
    with pytest.raises(RuntimeError, match=r"in-place mul: a leaf Variable"):
        x *= mg.ones(3)


def test_assigning_into_a_tensor_that_requires_grad_raises():
    x = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="setitem: a leaf Variable that requires grad"):
        x[0] = 5.0


@pytest.mark.parametrize("index,pattern", [
    (5, r"index.*5.*out of bounds.*\(3, 4\)"),
    ((0, 7), r"index.*7.*out of bounds.*\(3, 4\)"),
    (np.array([0, 3]), r"index.*3.*out of bounds.*\(3, 4\)"),
    (mg.tensor([0, -4]), r"index.*-4.*out of bounds.*\(3, 4\)"),
    ((0, 0, 0), r"index.*too many indices.*\(3, 4\)"),
])
def test_index_out_of_range_names_the_index_and_the_shape(index, pattern):
    with pytest.raises(IndexError, match=pattern):
        mg.ones(3, 4)[index]


def test_a_float_tensor_cannot_index():
    with pytest.raises(IndexError, match="integer or boolean.*float32"):
        mg.ones(3)[mg.tensor([0.0, 1.0])]


@pytest.mark.parametrize("method", ["reshape", "view"])
def test_reshape_to_an_incompatible_shape_names_both_shapes(method):
    with pytest.raises(RuntimeError, match=rf"{method}.*\(2, 3\).*6 elements.*\(4, 2\)"):
        getattr(mg.ones(2, 3), method)(4, 2)


def test_expand_to_an_incompatible_shape():
    with pytest.raises(RuntimeError, match=r"expand.*\(3, 4\).*\(3, 2\)"):
        mg.ones(3, 2).expand(3, 4)
    with pytest.raises(RuntimeError, match=r"expand.*fewer dimensions"):
        mg.ones(3, 2).expand(6)


def test_cat_shape_mismatch_names_the_tensor_and_the_shapes():
    with pytest.raises(RuntimeError, match=r"cat: tensor 1 has shape \(2, 4\).*\(2, 3\) outside dim 0"):
        mg.cat([mg.ones(2, 3), mg.ones(2, 4)], 0)
    with pytest.raises(RuntimeError, match=r"cat: tensor 1 has shape \(3,\)"):
        mg.cat([mg.ones(2, 3), mg.ones(3)], 0)
    with pytest.raises(ValueError, match="cat: expected a non-empty"):
        mg.cat([], 0)


def test_stack_shape_mismatch_names_the_tensor_and_the_shapes():
    expected = r"stack: tensor 2 has shape \(3, 2\) but tensor 0 has shape \(2, 3\)"
    with pytest.raises(RuntimeError, match=expected):
        mg.stack([mg.ones(2, 3), mg.ones(2, 3), mg.ones(3, 2)])


@pytest.mark.parametrize("call,op", [
    (lambda x: x.sum(3), "sum"),
    (lambda x: x.mean(-4), "mean"),
    (lambda x: x.var((0, 5)), "var"),
    (lambda x: x.amax(3), "amax"),
    (lambda x: x.amin(3), "amin"),
    (lambda x: x.max(3), "max"),
    (lambda x: x.min(-4), "min"),
    (lambda x: x.logsumexp(3), "logsumexp"),
    (lambda x: x.softmax(3), "softmax"),
    (lambda x: x.log_softmax(-4), "log_softmax"),
    (lambda x: x.transpose(0, 3), "transpose"),
    (lambda x: x.unsqueeze(5), "unsqueeze"),
    (lambda x: x.squeeze(3), "squeeze"),
    (lambda x: mg.cat([x, x], 3), "cat"),
    (lambda x: mg.stack([x, x], 5), "stack"),
])
def test_a_dim_out_of_range_names_the_op_and_the_dim(call, op):
    expected = rf"{op}: dim -?\d+ is out of range for (a tensor|tensors) with 3 dimensions"
    with pytest.raises(IndexError, match=expected):
        call(mg.ones(2, 3, 4))


def test_a_repeated_dim_is_refused():
    with pytest.raises(RuntimeError, match=r"sum: dim \(1, -2\) names the same dimension twice"):
        mg.ones(2, 3, 4).sum((1, -2))


def test_permute_needs_a_permutation():
    with pytest.raises(RuntimeError, match=r"permute: \(0, 0, 1\) names a dimension twice.*\(2, 3, 4\)"):
        mg.ones(2, 3, 4).permute(0, 0, 1)


def test_item_of_a_tensor_with_many_elements():
    with pytest.raises(RuntimeError, match=r"item: only a tensor with one element.*\(2, 2\)"):
        mg.ones(2, 2).item()


def test_truth_value_of_a_tensor_with_many_elements():
    with pytest.raises(RuntimeError, match="truth value of a tensor with 3 elements is ambiguous"):
        bool(mg.ones(3))


def test_where_needs_a_boolean_condition():
    with pytest.raises(TypeError, match="where: condition must be boolean.*float32"):
        mg.where(mg.ones(3), mg.ones(3), mg.zeros(3))


def test_clamp_needs_a_bound():
    with pytest.raises(ValueError, match="clamp: at least one of min and max"):
        mg.ones(3).clamp()


def test_gelu_approximate_must_be_known():
    with pytest.raises(RuntimeError, match="gelu: approximate must be 'none' or 'tanh', got 'fast'"):
        F.gelu(mg.ones(2), approximate="fast")


def test_mean_of_an_integer_tensor_asks_for_a_float():
    with pytest.raises(RuntimeError, match=r"mean: needs a floating point tensor.*int64"):
        mg.tensor([1, 2]).mean()


def test_amax_over_an_empty_dim():
    expected = r"amax: cannot reduce over dim 0, which is empty \(shape \(0, 3\)\)"
    with pytest.raises(IndexError, match=expected):
        mg.zeros(0, 3).amax(0)


def test_an_unsupported_operand_type_is_named():
    with pytest.raises(TypeError, match="unsupported operand of type str"):
        mg.ones(2) + "a"


def test_gradcheck_names_the_worst_mismatch():
    class Wrong(engine.Function):  # a primitive of the engine's own protocol
        name = "wrong"

        def forward(self, x):
            return x * x

        def backward(self, grad, inputs, output):
            return (grad * inputs[0],)  # should be 2 x

    x = mg.tensor(np.array([1.0, 3.0]), requires_grad=True)
    # The output is checked through a random projection, so the numbers are scaled by it: the
    # worst element is the larger x, where backward gives exactly half the finite difference.
    expected = r"input 0 at element \(1,\) is (\S+) by backward but (\S+) by finite differences"
    with pytest.raises(mg.GradcheckError, match=expected) as info:
        mg.gradcheck(lambda x: Wrong.apply(x), [x])
    by_backward, by_differences = (float(v) for v in re.search(expected, str(info.value)).groups())
    assert by_backward == pytest.approx(by_differences / 2, rel=1e-6)
    assert mg.gradcheck(lambda x: Wrong.apply(x), [x], raise_exception=False) is False


def test_gradcheck_refuses_float32_inputs():
    with pytest.raises(ValueError, match="gradcheck: input 0 has dtype float32; use float64"):
        mg.gradcheck(lambda x: x * 2, [mg.ones(2, requires_grad=True)])


def test_an_op_is_named_once_at_the_start_of_its_error():
    with pytest.raises(RuntimeError) as info:
        F.linear(mg.ones(4, 3), mg.ones(5, 2))
    assert str(info.value).startswith("linear: input of shape (4, 3)")
    with pytest.raises(IndexError) as info:
        mg.ones(3)[4]
    assert str(info.value).startswith("index: index 4 is out of bounds")


def test_gradcheck_perturbs_a_non_contiguous_input_in_place():
    x = mg.tensor(np.arange(12.0).reshape(3, 4)).T.detach().requires_grad_()
    assert not x.data.flags.c_contiguous
    assert mg.gradcheck(lambda x: (x * x).sum(0), [x])
