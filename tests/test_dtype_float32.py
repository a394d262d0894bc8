"""A float32 model computes in float32 end to end: no op may silently promote to float64.

Under NumPy 2 a float64 scalar (a 0-d array, a ``np.float64``, ``1 / np.int64(n)``) promotes a
float32 array to float64, and the result still *looks* right.  These tests look at every array
of one training step instead: each recorded node's inputs and output (forward), each gradient
sent backward, and the parameters and grads after the update.
"""
import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import nn
from minigrad import engine


def _float_dtypes(arrays):
    return {a.dtype.name for a in arrays if isinstance(a, np.ndarray) and a.dtype.kind == "f"}


@pytest.fixture
def backward_observer():
    """Records (op name, float dtypes) of every backward step: the gradient arriving at the
    node, the gradients it sends to its inputs, and the node's saved forward arrays."""
    seen = []

    def observer(node, grad, input_grads):
        sent = [np.asarray(g.data if isinstance(g, mg.Tensor) else g) for g in input_grads if g is not None]
        saved = [*node.inputs, node.output]
        seen.append((node.name, _float_dtypes([np.asarray(grad), *sent]), _float_dtypes(saved)))

    with engine.observe_backward(observer):
        yield seen


def _mlp_step_parts():
    mg.manual_seed(0)
    model = nn.MLP(20, [16, 16], 5, activation="relu")
    x = mg.randn(8, 20)
    target = mg.tensor(np.arange(8) % 5)
    return model, x, target


def test_float32_mlp_forward_records_only_float32_nodes():
    model, x, target = _mlp_step_parts()
    loss = F.cross_entropy(model(x), target)
    nodes = engine.topological_order([loss.grad_fn])
    assert len(nodes) >= 6  # three linear layers, two relus, the loss
    promoted = [(n.name, sorted(_float_dtypes([*n.inputs, n.output]))) for n in nodes
                if _float_dtypes([*n.inputs, n.output]) != {"float32"}]
    assert promoted == [], f"forward nodes with non-float32 arrays: {promoted}"
    assert loss.dtype == np.float32


def test_float32_mlp_backward_and_sgd_step_stay_float32(backward_observer):
    model, x, target = _mlp_step_parts()
    params = list(model.parameters())
    optimizer = nn.optim.SGD(params, lr=0.1)
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), target)
    loss.backward()
    optimizer.step()

    assert len(backward_observer) >= 6
    promoted = [(name, sorted(grads), sorted(saved)) for name, grads, saved in backward_observer
                if grads != {"float32"} or saved != {"float32"}]
    assert promoted == [], f"backward steps with non-float32 arrays: {promoted}"
    assert _float_dtypes([p.data for p in params]) == {"float32"}
    assert _float_dtypes([p.grad.data for p in params]) == {"float32"}
