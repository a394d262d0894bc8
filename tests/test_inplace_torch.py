"""In-place changes against PyTorch: the same gradients, or an error where PyTorch raises one.

Each program is written once and run on both libraries (``lib`` is ``minigrad`` or ``torch``).
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg

torch = pytest.importorskip("torch")


def run(program, lib):
    """("raised", step) or ("grads", [each leaf's gradient]) of ``program(lib, leaves, steps)``."""
    leaves = [lib.tensor([1.0, 2.0, 3.0], requires_grad=True),
              lib.tensor([0.5, -1.0, 2.0], requires_grad=True)]
    steps = []
    try:
        loss = program(lib, *leaves, steps=steps)
        steps.append("backward")
        loss.backward()
    except RuntimeError:
        return ("raised", len(steps))
    grads = [None if t.grad is None else np.asarray(t.grad.detach().numpy() if lib is torch else t.grad.data)
             for t in leaves]
    return ("grads", grads)


def same_outcome(program):
    ours, theirs = run(program, mg), run(program, torch)
    assert ours[0] == theirs[0], f"minigrad {ours}, PyTorch {theirs}"
    if ours[0] == "raised":
        assert ours[1] == theirs[1], f"minigrad raised at step {ours[1]}, PyTorch at step {theirs[1]}"
    else:
        for mine, expected in zip(ours[1], theirs[1]):
            assert (mine is None) == (expected is None)
            if mine is not None:
                np.testing.assert_allclose(mine, expected, rtol=1e-5, atol=1e-6)  # float32 on both sides


def no_grad(lib):
    return lib.no_grad()


def leaf_changed_under_no_grad(lib, x, w, steps):
    loss = (w * w).sum()
    with no_grad(lib):
        w -= 1  # the example: w.grad would be [0, 2, 4] instead of [2, 4, 6]
    return loss


def saved_intermediate_changed(lib, x, w, steps):
    a = x * 2
    b = a * a  # saves a
    a += 1
    return b.sum()


def unsaved_intermediate_changed(lib, x, w, steps):
    a = x * 2
    b = a + 1  # add saves nothing: changing a afterwards is fine
    a += 1
    return (b + a).sum()


def saved_constant_assigned(lib, x, w, steps):
    c = lib.tensor([3.0, 4.0, 5.0])
    loss = (w * c).sum()
    c[0] = 100.0
    return loss


def saved_output_changed(lib, x, w, steps):
    y = x.exp()  # exp's backward reads its output
    z = y * 1
    y += 1
    return z.sum()


def chained_inplace(lib, x, w, steps):
    a = x * 2
    a *= w
    a -= x
    a /= 2
    return a.sum()


def reader_before_a_recorded_inplace(lib, x, w, steps):
    a = x * 2
    b = a * a  # saves a; then a is overwritten by an op that is itself recorded
    a *= w
    return (b + a).sum()


def failed_inplace_changes_nothing(lib, x, w, steps):
    a = x * 2
    b = a * a
    try:
        a += lib.ones(2, 3)  # a shape-changing +=: refused, a is not written
    except RuntimeError:
        pass
    return (b * w).sum()


def chained_recorded_after_unrecorded(lib, x, w, steps):
    a = x * 2
    with no_grad(lib):
        a += 1  # unrecorded, before anything read a
    c = a * w
    c *= w  # recorded, reads c's old value (the copy), not the unrecorded write before it
    return c.sum()


def assignment_recorded(lib, x, w, steps):
    a = x * 2
    a[0] = 0.0
    a[1:] = w[1:] * 3
    return (a * a).sum()


def constant_takes_a_gradient(lib, x, w, steps):
    c = lib.zeros(3)
    c += w  # c now records the add, as in PyTorch
    return (c * x).sum()


def leaf_in_grad_mode(lib, x, w, steps):
    steps.append("in-place")
    x += 1
    return x.sum()


def view_changed_under_no_grad(lib, x, w, steps):
    a = x * 1
    b = a * a  # saves a
    with no_grad(lib):
        a[0:2] += 1  # a write through a view: a's version moves too
    return b.sum()


def view_sees_the_write(lib, x, w, steps):
    with no_grad(lib):
        a = x * 1
        v = a.view(3)
        v += 1
        t = a.view(3, 1).T
        t *= 2
    return (x * a.sum()).sum()


PROGRAMS = [leaf_changed_under_no_grad, saved_intermediate_changed, unsaved_intermediate_changed,
            saved_constant_assigned, saved_output_changed, chained_inplace, assignment_recorded,
            reader_before_a_recorded_inplace, failed_inplace_changes_nothing,
            chained_recorded_after_unrecorded,
            constant_takes_a_gradient, leaf_in_grad_mode, view_changed_under_no_grad, view_sees_the_write]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.__name__)
def test_inplace_program_matches_pytorch(program):
    same_outcome(program)


def test_the_error_names_the_op_the_shape_and_both_versions():
    w = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (w * w).sum()
    with mg.no_grad():
        w -= 1
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: its input [01], a float32 "
                                           r"tensor of shape \(3,\) saved by 'mul', is at version 1; "
                                           r"expected version 0"):
        loss.backward()


def test_views_share_memory_and_version():
    x = mg.zeros(2, 3)
    for view in (x[0], x.view(6), x.reshape(3, 2), x.transpose(0, 1), x.T, x[:, 1:], x.detach()):
        before = x._version
        with mg.no_grad():
            view += 1
        assert x._version == view._version == before + 1
    # five views of all of x, one of row 0, one of columns 1 and 2
    np.testing.assert_array_equal(x.data, [[6.0, 7.0, 7.0], [5.0, 6.0, 6.0]])


def test_a_copy_does_not_share_the_version():
    x = mg.zeros(2, 3)
    copy = x.T.reshape(6)  # not contiguous: reshape copies, as in PyTorch
    copy += 1
    assert x._version == 0 and copy._version == 1
    assert x.data.sum() == 0


def test_an_inplace_op_cannot_change_the_shape():
    a, b = mg.zeros(3), mg.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"in-place add: output with shape \[3\] doesn't match the "
                                           r"broadcast shape \[2, 3\]"):
        a += b
    with pytest.raises(RuntimeError):
        torch.zeros(3).add_(torch.ones(2, 3))


def test_an_inplace_op_cannot_cast_a_float_into_an_integer_tensor():
    with pytest.raises(RuntimeError, match=r"result type float32 can't be cast to .*int64"):
        counts = mg.tensor([1, 2])
        counts += mg.tensor([0.5, 0.5])
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).add_(torch.tensor([0.5, 0.5]))


def test_a_recorded_inplace_op_on_a_view_says_what_to_do_instead():
    # PyTorch re-derives the base's graph here; minigrad refuses rather than get it wrong.
    x = mg.ones(3, requires_grad=True)
    a = x * 2
    v = a[0:2]
    with pytest.raises(RuntimeError, match="shares its memory with another tensor.*out-of-place"):
        v += 1


def test_the_counter_costs_nothing_without_inplace_changes():
    x = mg.ones(3, requires_grad=True)
    y = (x * 2).tanh()
    assert x._counter is None and y._version == 0


# ---------------------------------------------------------------------------------------------
# Random programs: ops and in-place changes, on both libraries
# ---------------------------------------------------------------------------------------------
STEP = st.tuples(st.sampled_from(["add", "mul", "exp", "tanh", "iadd", "imul", "setitem", "nograd_iadd",
                                  "nograd_setitem", "view"]),
                 st.integers(0, 50), st.integers(0, 50))


def random_program(steps_drawn):
    def program(lib, x, w, steps):
        pool = [x, w, lib.tensor([0.5, 1.5, -0.5])]
        views = set()  # indices of views and of tensors that have views
        for kind, i, j in steps_drawn:
            a, b = pool[i % len(pool)], pool[j % len(pool)]
            if a.shape != b.shape:
                b = a
            steps.append(kind)
            if kind in ("add", "mul"):
                pool.append(a + b if kind == "add" else a * b)
            elif kind in ("exp", "tanh"):
                pool.append((a * 0.1).exp() if kind == "exp" else a.tanh())
            elif kind == "view":
                views.update({i % len(pool), len(pool)})
                pool.append(a[0:2] if a.shape[0] == 3 else a)
            elif kind.startswith("nograd"):
                with no_grad(lib):
                    if kind == "nograd_iadd":
                        a += b
                    elif kind == "nograd_setitem":
                        a[0] = 0.25
            elif (i % len(pool)) not in views and (j % len(pool)) not in views:
                # (a recorded in-place change through a view: minigrad refuses, PyTorch re-derives)
                if kind == "iadd":
                    a += b
                elif kind == "imul":
                    a *= b * 0.5
                elif kind == "setitem":
                    a[1] = b[0] * 2 if b.requires_grad else 3.0
        return sum(t.sum() for t in pool if t.requires_grad) * 1
    return program


@settings(max_examples=150, deadline=None)
@given(st.lists(STEP, min_size=1, max_size=10))
def test_random_programs_of_ops_and_inplace_changes_match_pytorch(steps_drawn):
    same_outcome(random_program(steps_drawn))


def test_an_optimizer_step_invalidates_a_graph_kept_from_before_it():
    import nn
    for lib, optim in ((mg, nn.optim), (torch, torch.optim)):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        loss = (w * w).sum()
        loss.backward(retain_graph=True)
        optim.SGD([w], lr=0.1).step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()



def test_an_inplace_op_on_itself_differentiates_f_of_the_old_value_twice():
    # c *= c: PyTorch raises in backward (MulBackward saved c, which the op overwrote); minigrad
    # reads both operands as c's old value, so the gradient is that of c * c (a chosen difference).
    x = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    c = x * 2
    c *= c
    c.sum().backward()
    np.testing.assert_allclose(x.grad.data, 8 * np.array([1.0, -2.0, 3.0]))  # d/dx (2x)^2 = 8x
