"""A table of bad calls, each run on minigrad and on PyTorch: minigrad raises the exception type
PyTorch raises (or a subclass of it), with a message that starts with the op's name, names the
shapes or values at fault, and carries none of numpy's own text.

Each row is ``call(lib, F)``, written once for both libraries: ``lib`` is ``minigrad`` or
``torch``, ``F`` their functional module.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as mgF

torch = pytest.importorskip("torch")


@dataclass(frozen=True)
class Bad:
    call: Callable  # call(lib, F)
    op: str  # minigrad's message starts with it
    names: tuple = ()  # what else the message must name (shapes, values)


def nn(lib):
    return mg.nn if lib is mg else torch.nn


# Phrases of numpy's own messages (and of Python's, from inside numpy code): none may surface.
NUMPY_TEXT = (
    "axis",
    "array",
    "could not be broadcast together",
    "ufunc",
    "numpy",
    "not iterable",
    "slice indices must",
    "tuple index out of range",
    "inhomogeneous",
)

BAD_CALLS = {
    # sizes
    "reshape to a wrong size": Bad(
        lambda lib, F: lib.ones(2, 3).reshape(4, 2), "reshape", ("(2, 3)", "(4, 2)")
    ),
    "reshape with a size below -1": Bad(
        lambda lib, F: lib.ones(2, 3).reshape(-2, 3), "reshape", ("-2", "(-2, 3)")
    ),
    "reshape with two -1s": Bad(lambda lib, F: lib.ones(2, 3).reshape(-1, -1), "reshape", ("(-1, -1)",)),
    "reshape with a float size": Bad(lambda lib, F: lib.ones(2, 3).reshape((2.5, 3)), "reshape", ("2.5",)),
    "reshape with a bool size": Bad(lambda lib, F: lib.ones(2, 3).reshape((True, 6)), "reshape", ("True",)),
    "reshape with a str": Bad(lambda lib, F: lib.ones(2, 3).reshape("a"), "reshape", ("'a'",)),
    "reshape an empty tensor with -1 and 0": Bad(
        lambda lib, F: lib.ones(0, 3).reshape(0, -1), "reshape", ("(0, -1)", "0 elements")
    ),
    "reshape to a multiple that does not divide": Bad(
        lambda lib, F: lib.ones(2, 3).reshape(4, -1), "reshape", ("(2, 3)", "(4, -1)")
    ),
    "view to a wrong size": Bad(lambda lib, F: lib.ones(2, 3).view(4, 2), "view", ("(2, 3)", "(4, 2)")),
    "view with a size below -1": Bad(lambda lib, F: lib.ones(2, 3).view(-2, 3), "view", ("-2",)),
    "view with a float size": Bad(lambda lib, F: lib.ones(2, 3).view(2.5), "view", ("2.5",)),
    "view of a transpose": Bad(
        lambda lib, F: lib.ones(2, 3).T.view(6), "view", ("(3, 2)", "(6,)", "reshape")
    ),
    "expand a size that is not 1": Bad(
        lambda lib, F: lib.ones(3, 2).expand(3, 4), "expand", ("(3, 4)", "(3, 2)")
    ),
    "expand to fewer dimensions": Bad(lambda lib, F: lib.ones(3, 2).expand(6), "expand", ("(6,)", "(3, 2)")),
    "expand a new dimension by -1": Bad(lambda lib, F: lib.ones(3, 2).expand(-1, 3, 2), "expand", ("-1",)),
    "expand with a float size": Bad(lambda lib, F: lib.ones(3, 1).expand(3, 2.5), "expand", ("2.5",)),
    "broadcast_to a wrong shape": Bad(
        lambda lib, F: lib.broadcast_to(lib.ones(3, 2), (3, 4)), "broadcast_to", ("(3, 4)", "(3, 2)")
    ),
    "flatten from a dim out of range": Bad(
        lambda lib, F: lib.ones(2, 3).flatten(start_dim=5), "flatten", ("5", "2 dimensions")
    ),
    "flatten with start after end": Bad(
        lambda lib, F: lib.ones(2, 3, 4).flatten(2, 1), "flatten", ("start_dim 2", "end_dim 1")
    ),
    "flatten a 0-d tensor from dim 1": Bad(lambda lib, F: lib.tensor(1.0).flatten(1), "flatten", ("1",)),
    "flatten from a float dim": Bad(lambda lib, F: lib.ones(2, 3).flatten(1.5), "flatten", ("1.5",)),
    "permute too few dims": Bad(lambda lib, F: lib.ones(2, 3).permute(0), "permute", ("(0,)", "(2, 3)")),
    "permute too many dims": Bad(lambda lib, F: lib.ones(2, 3).permute(0, 1, 2), "permute", ("(0, 1, 2)",)),
    "permute a dim out of range": Bad(lambda lib, F: lib.ones(2, 3).permute(0, 2), "permute", ("2",)),
    "permute a dim twice": Bad(lambda lib, F: lib.ones(2, 3).permute(1, -1), "permute", ("(1, -1)",)),
    "permute by a float": Bad(lambda lib, F: lib.ones(2, 3).permute(0, 1.5), "permute", ("1.5",)),
    "zeros of a negative size": Bad(lambda lib, F: lib.zeros(2, -3), "zeros", ("-3",)),
    "ones of a float size": Bad(lambda lib, F: lib.ones((2, 2.0)), "ones", ("2.0",)),
    "ones of a bool size": Bad(lambda lib, F: lib.ones(True), "ones", ("True",)),
    "ones of None": Bad(lambda lib, F: lib.ones(None), "ones", ("None",)),
    "randn of a float size": Bad(lambda lib, F: lib.randn(2.5), "randn", ("2.5",)),
    "randn of a negative size": Bad(lambda lib, F: lib.randn(-1), "randn", ("-1",)),
    "rand of a float size": Bad(lambda lib, F: lib.rand(2.5), "rand", ("2.5",)),
    "full of a negative size": Bad(lambda lib, F: lib.full((2, -1), 1.0), "full", ("-1",)),
    "randint with low >= high": Bad(lambda lib, F: lib.randint(5, 0, (3,)), "randint", ("5", "0")),
    "eye of a negative size": Bad(lambda lib, F: lib.eye(-1), "eye", ("-1",)),
    "eye of a float size": Bad(lambda lib, F: lib.eye(2.5), "eye", ("2.5",)),
    "arange with step 0": Bad(lambda lib, F: lib.arange(0, 10, 0), "arange", ("step",)),
    "arange that never arrives": Bad(lambda lib, F: lib.arange(0, 10, -1), "arange", ("0", "10", "-1")),
    # dims
    "transpose a dim out of range": Bad(lambda lib, F: lib.ones(2, 3).transpose(0, 2), "transpose", ("2",)),
    "transpose by a float dim": Bad(lambda lib, F: lib.ones(2, 3).transpose(0, 1.5), "transpose", ("1.5",)),
    "squeeze a dim out of range": Bad(lambda lib, F: lib.ones(2, 3).squeeze(3), "squeeze", ("3",)),
    "squeeze by a float dim": Bad(lambda lib, F: lib.ones(2, 3).squeeze(1.5), "squeeze", ("1.5",)),
    "unsqueeze a dim out of range": Bad(lambda lib, F: lib.ones(2, 3).unsqueeze(4), "unsqueeze", ("4",)),
    "unsqueeze by a float dim": Bad(lambda lib, F: lib.ones(2, 3).unsqueeze(1.5), "unsqueeze", ("1.5",)),
    "softmax over a dim out of range": Bad(lambda lib, F: F.softmax(lib.ones(3), dim=1), "softmax", ("1",)),
    "log_softmax by a float dim": Bad(
        lambda lib, F: lib.ones(2, 3).log_softmax(1.0), "log_softmax", ("1.0",)
    ),
    "logsumexp over a dim out of range": Bad(lambda lib, F: lib.ones(2, 3).logsumexp(2), "logsumexp", ("2",)),
    "var over a dim out of range": Bad(lambda lib, F: lib.ones(2, 3).var(2), "var", ("2",)),
    "sum over a float dim": Bad(lambda lib, F: lib.ones(2, 3).sum(1.5), "sum", ("1.5",)),
    "sum over a dim twice": Bad(lambda lib, F: lib.ones(2, 3).sum((1, -1)), "sum", ("(1, -1)",)),
    "argmax over a dim out of range": Bad(lambda lib, F: lib.ones(2, 3).argmax(3), "argmax", ("3",)),
    "max over a dim out of range": Bad(lambda lib, F: lib.ones(2, 3).max(2), "max", ("2",)),
    "size of a dim out of range": Bad(lambda lib, F: lib.ones(2, 3).size(5), "size", ("5",)),
    "mT of a vector": Bad(lambda lib, F: lib.ones(3).mT, "mT", ("(3,)",)),
    "cat along a dim out of range": Bad(lambda lib, F: lib.cat([lib.ones(2, 3)], 2), "cat", ("2",)),
    "stack along a dim out of range": Bad(lambda lib, F: lib.stack([lib.ones(2, 3)], 3), "stack", ("3",)),
    # empty reductions
    "amax over an empty dim": Bad(lambda lib, F: lib.zeros(0, 3).amax(0), "amax", ("(0, 3)",)),
    "amax of an empty tensor": Bad(lambda lib, F: lib.zeros(0).amax(), "amax", ("(0,)",)),
    "max of an empty tensor": Bad(lambda lib, F: lib.zeros(0).max(), "max", ("(0,)",)),
    "max over an empty dim": Bad(lambda lib, F: lib.zeros(0, 3).max(0), "max", ("(0, 3)",)),
    "argmax over an empty dim": Bad(lambda lib, F: lib.zeros(0, 3).argmax(0), "argmax", ("(0, 3)",)),
    "argmax of an empty tensor": Bad(lambda lib, F: lib.zeros(0).argmax(), "argmax", ("(0,)",)),
    "mean of integers": Bad(lambda lib, F: lib.tensor([1, 2]).mean(), "mean", ("int64",)),
    # products
    "matmul of mismatched matrices": Bad(
        lambda lib, F: lib.ones(2, 3) @ lib.ones(2, 3), "matmul", ("(2, 3)",)
    ),
    "matmul of mismatched vectors": Bad(lambda lib, F: lib.ones(3) @ lib.ones(4), "matmul", ("(3,)", "(4,)")),
    "matmul of a vector and a 0-d tensor": Bad(
        lambda lib, F: lib.ones(3) @ lib.tensor(2.0), "matmul", ("(3,)", "()")
    ),
    "matmul of a vector and a mismatched matrix": Bad(
        lambda lib, F: lib.ones(3) @ lib.ones(4, 2), "matmul", ("(3,)", "(4, 2)")
    ),
    "matmul of batches that do not broadcast": Bad(
        lambda lib, F: lib.ones(2, 3, 4) @ lib.ones(3, 4, 5), "matmul", ("(2, 3, 4)", "(3, 4, 5)")
    ),
    "linear of a wrong width": Bad(
        lambda lib, F: F.linear(lib.ones(4, 3), lib.ones(5, 2)), "linear", ("(4, 3)", "(5, 2)")
    ),
    "linear with a wrong bias": Bad(
        lambda lib, F: F.linear(lib.ones(4, 2), lib.ones(5, 2), lib.ones(4)), "linear", ("(4,)", "(5, 2)")
    ),
    "a Linear layer fed the wrong width": Bad(
        lambda lib, F: nn(lib).Linear(3, 2)(lib.ones(4, 5)), "linear", ("(4, 5)", "(2, 3)")
    ),
    "a Linear layer of a negative size": Bad(lambda lib, F: nn(lib).Linear(-1, 2), "Linear", ("-1",)),
    # joining
    "cat of mismatched shapes": Bad(
        lambda lib, F: lib.cat([lib.ones(2, 3), lib.ones(2, 4)]), "cat", ("(2, 4)", "(2, 3)")
    ),
    "cat of different ranks": Bad(
        lambda lib, F: lib.cat([lib.ones(2, 3), lib.ones(3)]), "cat", ("(3,)", "(2, 3)")
    ),
    "cat of nothing": Bad(lambda lib, F: lib.cat([]), "cat"),
    "stack of mismatched shapes": Bad(
        lambda lib, F: lib.stack([lib.ones(2, 3), lib.ones(3, 2)]), "stack", ("(3, 2)", "(2, 3)")
    ),
    "stack of nothing": Bad(lambda lib, F: lib.stack([]), "stack"),
    # indexing
    "index out of range": Bad(lambda lib, F: lib.ones(2, 3)[5], "index", ("5", "(2, 3)")),
    "second index out of range": Bad(
        lambda lib, F: lib.ones(2, 3)[0, 3], "index", ("3", "dimension 1", "(2, 3)")
    ),
    "index tensor out of range": Bad(
        lambda lib, F: lib.ones(2, 3)[lib.tensor([0, 2])], "index", ("2", "(2, 3)")
    ),
    "negative index out of range": Bad(lambda lib, F: lib.ones(2, 3)[-3], "index", ("-3", "(2, 3)")),
    "too many indices": Bad(lambda lib, F: lib.ones(2, 3)[0, 0, 0], "index", ("too many", "(2, 3)")),
    "index of a 0-d tensor": Bad(lambda lib, F: lib.tensor(1.0)[0], "index", ("item",)),
    "index by a float": Bad(lambda lib, F: lib.ones(2, 3)[1.5], "index", ("float",)),
    "index by a float tensor": Bad(lambda lib, F: lib.ones(3)[lib.tensor([0.5])], "index", ("float32",)),
    "index by an int8 tensor": Bad(
        lambda lib, F: lib.ones(3)[lib.tensor(np.array([0], dtype=np.int8))], "index", ("int8",)
    ),
    "index by a str": Bad(lambda lib, F: lib.ones(3)["a"], "index", ("'a'",)),
    "index by a mask of a wrong shape": Bad(
        lambda lib, F: lib.ones(2, 3)[lib.tensor([True, False, True])], "index", ("(3,)", "(2, 3)")
    ),
    "index by tensors that do not broadcast": Bad(
        lambda lib, F: lib.ones(3, 3)[lib.tensor([0, 1]), lib.tensor([0, 1, 2])], "index", ("[2]", "[3]")
    ),
    "index with a negative step": Bad(lambda lib, F: lib.ones(3)[::-1], "index", ("step",)),
    "index with a zero step": Bad(lambda lib, F: lib.ones(3)[::0], "index", ("step",)),
    "assign a value of a wrong shape": Bad(
        lambda lib, F: lib.ones(2, 3).__setitem__(0, lib.ones(4)), "setitem", ("(4,)", "(3,)")
    ),
    "assign out of range": Bad(lambda lib, F: lib.ones(2, 3).__setitem__(5, 1.0), "index", ("5", "(2, 3)")),
    # losses
    "cross_entropy target out of range": Bad(
        lambda lib, F: F.cross_entropy(lib.ones(2, 3), lib.tensor([0, 3])),
        "cross_entropy",
        ("3", "3 classes"),
    ),
    "cross_entropy negative target": Bad(
        lambda lib, F: F.cross_entropy(lib.ones(2, 3), lib.tensor([0, -2])), "cross_entropy", ("-2",)
    ),
    "cross_entropy bool target": Bad(
        lambda lib, F: F.cross_entropy(lib.ones(2, 3), lib.tensor([True, False])), "cross_entropy", ("bool",)
    ),
    "cross_entropy target of a wrong length": Bad(
        lambda lib, F: F.cross_entropy(lib.ones(2, 3), lib.tensor([0, 1, 2])),
        "cross_entropy",
        ("(3,)", "(2, 3)"),
    ),
    "cross_entropy probabilities of a wrong shape": Bad(
        lambda lib, F: F.cross_entropy(lib.ones(2, 3), lib.ones(2, 4)), "cross_entropy", ("(2, 4)", "(2, 3)")
    ),
    "cross_entropy weight of a wrong length": Bad(
        lambda lib, F: F.cross_entropy(lib.ones(2, 3), lib.tensor([0, 1]), weight=lib.ones(2)),
        "cross_entropy",
        ("(2,)", "3 classes"),
    ),
    "cross_entropy unknown reduction": Bad(
        lambda lib, F: F.cross_entropy(lib.ones(2, 3), lib.tensor([0, 1]), reduction="avg"),
        "cross_entropy",
        ("'avg'",),
    ),
    "cross_entropy label_smoothing above 1": Bad(
        lambda lib, F: F.cross_entropy(lib.ones(2, 3), lib.tensor([0, 1]), label_smoothing=1.5),
        "cross_entropy",
        ("1.5",),
    ),
    "nll_loss target out of range": Bad(
        lambda lib, F: F.nll_loss(lib.ones(2, 3), lib.tensor([0, 3])), "nll_loss", ("3", "3 classes")
    ),
    "nll_loss float target": Bad(
        lambda lib, F: F.nll_loss(lib.ones(2, 3), lib.ones(2)), "nll_loss", ("float32",)
    ),
    "multi_margin_loss target out of range": Bad(
        lambda lib, F: F.multi_margin_loss(lib.ones(2, 3), lib.tensor([0, 3])), "multi_margin_loss", ("3",)
    ),
    "binary_cross_entropy of mismatched shapes": Bad(
        lambda lib, F: F.binary_cross_entropy(lib.full((3,), 0.5), lib.ones(2)),
        "binary_cross_entropy",
        ("(2,)", "(3,)"),
    ),
    "binary_cross_entropy of a probability above 1": Bad(
        lambda lib, F: F.binary_cross_entropy(lib.full((3,), 1.5), lib.ones(3)),
        "binary_cross_entropy",
        ("1.5",),
    ),
    "binary_cross_entropy_with_logits of mismatched shapes": Bad(
        lambda lib, F: F.binary_cross_entropy_with_logits(lib.ones(3), lib.ones(2)),
        "binary_cross_entropy_with_logits",
        ("(2,)", "(3,)"),
    ),
    "mse_loss of shapes that do not broadcast": Bad(
        lambda lib, F: F.mse_loss(lib.ones(3), lib.ones(2)), "mse_loss", ("(3,)", "(2,)")
    ),
    "l1_loss of shapes that do not broadcast": Bad(
        lambda lib, F: F.l1_loss(lib.ones(3), lib.ones(2)), "l1_loss", ("(3,)", "(2,)")
    ),
    "mse_loss unknown reduction": Bad(
        lambda lib, F: F.mse_loss(lib.ones(3), lib.ones(3), reduction="avg"), "mse_loss", ("'avg'",)
    ),
    "one_hot of a class out of range": Bad(
        lambda lib, F: F.one_hot(lib.tensor([0, 3]), 3), "one_hot", ("3",)
    ),
    "one_hot of a negative class": Bad(lambda lib, F: F.one_hot(lib.tensor([0, -1]), 3), "one_hot", ("-1",)),
    "one_hot of floats": Bad(lambda lib, F: F.one_hot(lib.tensor([0.0, 1.0]), 3), "one_hot", ("float32",)),
    # broadcasting
    "add of shapes that do not broadcast": Bad(
        lambda lib, F: lib.ones(2, 3) + lib.ones(4), "add", ("(2, 3)", "(4,)")
    ),
    "mul of shapes that do not broadcast": Bad(
        lambda lib, F: lib.ones(2, 3) * lib.ones(4), "mul", ("(2, 3)", "(4,)")
    ),
    "pow of shapes that do not broadcast": Bad(
        lambda lib, F: lib.ones(2, 3) ** lib.ones(4), "pow", ("(2, 3)", "(4,)")
    ),
    "maximum of shapes that do not broadcast": Bad(
        lambda lib, F: lib.maximum(lib.ones(2, 3), lib.ones(4)), "maximum", ("(2, 3)", "(4,)")
    ),
    "a comparison of shapes that do not broadcast": Bad(
        lambda lib, F: lib.ones(2, 3) < lib.ones(4), "lt", ("(2, 3)", "(4,)")
    ),
    "where of shapes that do not broadcast": Bad(
        lambda lib, F: lib.where(lib.ones(3) > 0, lib.ones(3), lib.zeros(4)), "where", ("(3,)", "(4,)")
    ),
    "bitwise_and of shapes that do not broadcast": Bad(
        lambda lib, F: lib.tensor([1, 2, 3]) & lib.tensor([1, 2]), "bitwise_and", ("(3,)", "(2,)")
    ),
    "an in-place add that would change the shape": Bad(
        lambda lib, F: lib.zeros(3).__iadd__(lib.ones(2, 3)), "in-place add", ("[3]", "[2, 3]")
    ),
    "cat of 0-d tensors": Bad(
        lambda lib, F: lib.cat([lib.tensor(1.0), lib.tensor(2.0)]), "cat", ("0-d", "stack")
    ),
    "stack along a float dim": Bad(lambda lib, F: lib.stack([lib.ones(2)], 1.5), "stack", ("1.5",)),
    "zeros_like of a number": Bad(lambda lib, F: lib.zeros_like(3), "zeros_like", ("int",)),
    "binary_cross_entropy with a weight that does not broadcast": Bad(
        lambda lib, F: F.binary_cross_entropy(lib.full((2, 3), 0.5), lib.ones(2, 3), weight=lib.ones(4)),
        "binary_cross_entropy",
        ("(4,)", "(2, 3)"),
    ),
    "binary_cross_entropy_with_logits with a pos_weight that does not broadcast": Bad(
        lambda lib, F: F.binary_cross_entropy_with_logits(
            lib.ones(2, 3), lib.ones(2, 3), pos_weight=lib.ones(4)
        ),
        "binary_cross_entropy_with_logits",
        ("(4,)", "(2, 3)"),
    ),
    # activations and others
    "gelu of an unknown approximation": Bad(
        lambda lib, F: F.gelu(lib.ones(2), approximate="fast"), "gelu", ("'fast'",)
    ),
    "dropout with p above 1": Bad(lambda lib, F: F.dropout(lib.ones(2), p=1.5), "dropout", ("1.5",)),
    "softmax of integers": Bad(lambda lib, F: lib.tensor([1, 2]).softmax(0), "softmax", ("int64",)),
    "log_softmax of integers": Bad(
        lambda lib, F: lib.tensor([1, 2]).log_softmax(0), "log_softmax", ("int64",)
    ),
    "var of integers": Bad(lambda lib, F: lib.tensor([1, 2]).var(), "var", ("int64",)),
    "std of integers": Bad(lambda lib, F: lib.tensor([1, 2]).std(), "std", ("int64",)),
    "item of many elements": Bad(lambda lib, F: lib.ones(2, 3).item(), "item", ("(2, 3)",)),
    "float of many elements": Bad(lambda lib, F: float(lib.ones(3)), "item", ("(3,)",)),
    "a tensor from a ragged list": Bad(lambda lib, F: lib.tensor([[1, 2], [3]]), "tensor", ("[3]",)),
    "a tensor from a str": Bad(lambda lib, F: lib.tensor("abc"), "tensor", ("str",)),
    "iterate over a 0-d tensor": Bad(lambda lib, F: iter(lib.tensor(1.0)), "iteration over a 0-d tensor"),
    "len of a 0-d tensor": Bad(lambda lib, F: len(lib.tensor(1.0)), "len() of a 0-d tensor"),
    "a gradient of a wrong shape": Bad(
        lambda lib, F: (lib.ones(2, requires_grad=True) * 2).backward(lib.ones(3)),
        "backward",
        ("(3,)", "(2,)"),
    ),
    "an integer tensor that requires grad": Bad(
        lambda lib, F: lib.tensor([1, 2]).requires_grad_(), "requires_grad", ("int64",)
    ),
}


@pytest.mark.parametrize("name", BAD_CALLS)
def test_a_bad_call_raises_pytorchs_exception_naming_the_op_and_the_values(name):
    case = BAD_CALLS[name]
    with pytest.raises(Exception) as theirs:
        case.call(torch, torch.nn.functional)
    with pytest.raises(Exception) as ours:
        case.call(mg, mgF)
    message = str(ours.value)
    assert isinstance(ours.value, type(theirs.value)), (
        f"{type(ours.value).__name__} ({message}), PyTorch raises {type(theirs.value).__name__} "
        f"({theirs.value})"
    )
    assert message.startswith(case.op), f"the message does not start with {case.op!r}: {message}"
    missing = [n for n in case.names if n not in message]
    assert not missing, f"the message does not name {missing}: {message}"
    numpy_text = [p for p in NUMPY_TEXT if p in message]
    assert not numpy_text, f"numpy's own text {numpy_text} in: {message}"


# Calls PyTorch refuses where minigrad gives the answer PyTorch gives once the input is converted
# (accepting them cannot be wrong): (the call on minigrad, the same call made valid on torch).
ACCEPTED = {
    "cross_entropy of int32 class indices": (
        lambda: mgF.cross_entropy(mg.tensor([[1.0, 2.0, 0.5]]), mg.tensor(np.array([2], np.int32))),
        lambda: torch.nn.functional.cross_entropy(torch.tensor([[1.0, 2.0, 0.5]]), torch.tensor([2])),
    ),
    "an int as size for full and randint": (lambda: mg.full(2, 1.5), lambda: torch.full((2,), 1.5)),
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_what_minigrad_accepts_beyond_pytorch_gives_pytorchs_answer(name):
    ours, theirs = ACCEPTED[name]
    expected = theirs()
    got = ours()
    assert got.dtype == expected.numpy().dtype
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-6)
