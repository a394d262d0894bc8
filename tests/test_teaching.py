"""mg.teaching(): each mistake detector fires on its mistake and stays quiet on a correct loop."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import nn


def data(n: int = 16, features: int = 4, classes: int = 3, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = mg.tensor(rng.standard_normal((n, features)).astype(np.float32))
    y = mg.tensor(rng.integers(0, classes, size=n))
    return x, y


def model(features: int = 4, classes: int = 3, dropout: float = 0.5, seed: int = 0):
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(features, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(8, classes))


def correct_loop(steps: int = 5) -> None:
    """The loop the notes teach: zero_grad, forward, loss on logits, backward, step; then
    evaluation in eval mode under no_grad."""
    x, y = data()
    net = model()
    optimizer = nn.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
    net.eval()
    with mg.no_grad():
        net(x).argmax(1)
    net.train()
    logits = mg.tensor([[2.0, -1.0], [-0.5, 3.0], [0.1, -0.2], [1.5, -2.5]], requires_grad=True)
    F.binary_cross_entropy_with_logits(logits, mg.tensor([[1.0, 0.0]] * 4)).backward()
    pred, target = mg.tensor(np.arange(4.0).reshape(4, 1), requires_grad=True), mg.arange(4.0)
    ((pred.squeeze(1) - target) ** 2).mean().backward()


def teaching_warnings(run) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with mg.teaching():
            run()
    return [str(w.message) for w in caught if issubclass(w.category, mg.TeachingWarning)]


def test_a_correct_training_loop_gets_no_teaching_warning():
    assert teaching_warnings(correct_loop) == []


def test_teaching_is_a_context_manager_and_a_switch():
    assert not mg.is_teaching()
    with mg.teaching():
        assert mg.is_teaching()
        with mg.teaching(False):
            assert not mg.is_teaching()
        assert mg.is_teaching()
    assert not mg.is_teaching()
    mg.teaching()
    try:
        assert mg.is_teaching()
    finally:
        mg.teaching(False)
    assert not mg.is_teaching()
    assert issubclass(mg.TeachingWarning, UserWarning)


def test_forgetting_zero_grad_is_reported():
    def loop():
        x, y = data()
        net = model(dropout=0.0)
        optimizer = nn.optim.SGD(net.parameters(), lr=0.01)
        for _ in range(3):
            F.cross_entropy(net(x), y).backward()
            optimizer.step()

    messages = teaching_warnings(loop)
    assert len(messages) == 1 and "accumulating" in messages[0] and "zero_grad" in messages[0]


def test_zeroing_in_place_or_by_model_counts_as_zero_grad():
    def loop():
        x, y = data()
        net = model(dropout=0.0)
        optimizer = nn.optim.Adam(net.parameters(), lr=0.01)
        for step in range(4):
            if step % 2:
                optimizer.zero_grad(set_to_none=False)
            else:
                net.zero_grad()
            F.cross_entropy(net(x), y).backward()
            optimizer.step()

    assert teaching_warnings(loop) == []


def test_softmax_before_cross_entropy_is_reported():
    x, y = data()
    net = model(dropout=0.0)
    messages = teaching_warnings(lambda: F.cross_entropy(F.softmax(net(x), 1), y).backward())
    assert len(messages) == 1 and "probabilities" in messages[0] and "logits" in messages[0]


def test_nll_loss_on_softmax_or_raw_scores_is_reported():
    scores = mg.tensor([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]], requires_grad=True)
    y = mg.tensor([0, 2])
    raw = teaching_warnings(lambda: F.nll_loss(scores, y).backward())
    probs = teaching_warnings(lambda: F.nll_loss(scores.softmax(1), y).backward())
    right = teaching_warnings(lambda: F.nll_loss(scores.log_softmax(1), y).backward())
    assert len(raw) == 1 and "log-probabilities" in raw[0] and "above 0" in raw[0]
    assert len(probs) == 1 and "a softmax, not a log_softmax" in probs[0]
    assert right == []


def test_sigmoid_before_bce_with_logits_is_reported():
    logits = mg.tensor([[2.0, -1.0], [-0.5, 3.0], [0.1, -0.2]], requires_grad=True)
    target = mg.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    loss_fn = nn.BCEWithLogitsLoss()
    messages = teaching_warnings(lambda: loss_fn(logits.sigmoid(), target).backward())
    assert len(messages) == 1 and "sigmoid" in messages[0] and "(0, 1)" in messages[0]
    assert teaching_warnings(lambda: loss_fn(logits, target).backward()) == []


def test_a_parameter_without_gradient_is_named():
    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Linear(4, 3)
            self.unused_head = nn.Linear(3, 3)

        def forward(self, x):
            return self.body(x)

    def loop():
        x, y = data()
        net = TwoHeads()
        optimizer = nn.optim.SGD(net.parameters(), lr=0.1)
        for _ in range(3):
            optimizer.zero_grad()
            F.cross_entropy(net(x), y).backward()
            optimizer.step()

    messages = teaching_warnings(loop)
    assert len(messages) == 2  # the head's weight and bias, once each
    assert "'unused_head.weight'" in messages[0] and "received no gradient" in messages[0]
    assert "'unused_head.bias'" in messages[1]


def test_a_step_without_backward_is_reported():
    net = model()
    optimizer = nn.optim.SGD(net.parameters(), lr=0.1)
    messages = teaching_warnings(optimizer.step)
    assert len(messages) == 1 and "no gradients at all" in messages[0]


@pytest.mark.parametrize("layer", [nn.Dropout(0.5), nn.BatchNorm1d(8)])
def test_evaluating_in_training_mode_is_reported(layer):
    x, _ = data()
    net = nn.Sequential(nn.Linear(4, 8), layer, nn.Linear(8, 3))

    def evaluate():
        with mg.no_grad():
            net(x)

    messages = teaching_warnings(evaluate)
    assert len(messages) == 1 and type(layer).__name__ in messages[0]
    assert "model.eval()" in messages[0]
    net.eval()
    assert teaching_warnings(evaluate) == []


def test_a_model_without_dropout_or_batchnorm_may_evaluate_in_training_mode():
    x, _ = data()
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))

    def evaluate():
        with mg.no_grad():
            net(x)

    assert teaching_warnings(evaluate) == []


def test_backward_of_a_non_scalar_loss_with_ones_is_reported():
    pred = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    losses = (pred - mg.tensor([0.0, 2.0, 5.0])) ** 2
    messages = teaching_warnings(lambda: losses.backward(mg.ones_like(losses)))
    assert len(messages) == 1 and "loss.sum()" in messages[0] and "(3,)" in messages[0]


def test_a_column_minus_a_row_in_a_loss_is_reported():
    pred = mg.tensor(np.arange(5.0).reshape(5, 1), requires_grad=True)
    target = mg.arange(5.0)
    messages = teaching_warnings(lambda: ((pred - target) ** 2).mean().backward())
    assert len(messages) == 1 and "(5, 1) and (5,)" in messages[0] and "(5, 5)" in messages[0]


def test_a_learning_rate_that_explodes_the_loss_is_reported_with_its_step():
    def loop(lr):
        w = mg.tensor([0.0], requires_grad=True)
        optimizer = nn.optim.SGD([w], lr=lr)
        for _ in range(6):  # J(w) = w^2 - 10w + 25 from the notes; diverges for lr > 1
            optimizer.zero_grad()
            loss = (w ** 2 - 10 * w + 25).sum()
            loss.backward()
            optimizer.step()

    messages = teaching_warnings(lambda: loop(1.5))
    # losses 25, 100, 400, ...: pass 3 is the first 10x above the lowest of the ones before
    assert len(messages) == 1 and "learning rate" in messages[0]
    assert "from 25 (backward pass 1) to 400 at backward pass 3" in messages[0]
    assert teaching_warnings(lambda: loop(0.1)) == []


def test_a_loss_that_becomes_nan_is_reported_with_its_step():
    def run():
        for value in (1.0, 0.5, float("nan")):
            w = mg.tensor([value], requires_grad=True)
            (w * 2).sum().backward()

    messages = teaching_warnings(run)
    assert len(messages) == 1 and "nan at backward pass 3" in messages[0]


def test_warnings_come_once_per_mistake():
    x, y = data()
    net = model(dropout=0.0)

    def run():
        for _ in range(5):
            F.cross_entropy(F.softmax(net(x), 1), y).backward()

    assert len(teaching_warnings(run)) == 1


def test_off_the_detectors_watch_nothing():
    from minigrad import engine

    x, y = data()
    net = model(dropout=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", mg.TeachingWarning)
        F.cross_entropy(F.softmax(net(x), 1), y).backward()  # a mistake, but teaching is off
    assert engine._observers == []
    with mg.teaching():
        assert len(engine._observers) == 1
    assert engine._observers == []
