"""The backward step-through: the engine's real order, the gradients of each step, the drawings of
the steps, and the HTML page opened in headless Chromium."""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from viz_dot import edges, has_style, is_flow, nodes, title_lines

import minigrad as mg
import minigrad.functional as F
from minigrad import viz, viz_layout
from minigrad.engine import Function

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz `dot` is not installed (apt-get install graphviz)")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")


def branching_graph():
    """x is used twice (through relu and through mul), so its gradient has two parts to add."""
    x = mg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    w = mg.tensor([0.5, 0.5, -1.0], requires_grad=True)
    h = x.relu()
    loss = ((h * w).sum() + (x * x).mean()).tanh()
    return loss, x, w


def test_steps_run_in_a_valid_reverse_topological_order():
    loss, _, _ = branching_graph()
    steps = list(viz.backward_steps(loss))
    position = {id(s.node): s.index for s in steps}
    assert len(position) == len(steps) == 7  # tanh, add, sum, mean, mul (h*w), mul (x*x), relu
    assert [s.index for s in steps] == list(range(1, 8)) and steps[0].node is loss.grad_fn
    for s in steps:
        for parent in s.node.parents:
            if isinstance(parent, Function):  # the node that made an input runs later
                assert position[id(parent)] > s.index


def test_gradients_of_all_steps_add_up_to_grad_after_backward():
    loss, x, w = branching_graph()
    received = {}
    for s in viz.backward_steps(loss):
        for parent, g in zip(s.node.parents, s.grad_inputs):
            if g is not None and not isinstance(parent, Function):
                received[id(parent)] = received.get(id(parent), 0) + g
    loss.backward()
    np.testing.assert_allclose(received[id(x)], x.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(received[id(w)], w.grad.numpy(), rtol=1e-6)


def test_each_step_reports_what_flowed_in_and_out():
    x = mg.tensor([2.0, -1.0], requires_grad=True)
    steps = list(viz.backward_steps((x.relu() * 3).sum()))
    relu = steps[-1]
    assert relu.op == "relu" and relu.index == relu.total == 3
    np.testing.assert_array_equal(relu.grad_output, [3.0, 3.0])
    np.testing.assert_array_equal(relu.grad_inputs[0], [3.0, 0.0])
    assert "grad_out * (x > 0)" in relu.caption and "Step 3 of 3" in relu.caption
    assert ".grad" in relu.caption  # the last step says where the gradients go


def many_ops_graph():
    """One graph through over 30 kinds of op, from elementwise ones to the fused losses (36 today;
    fewer if some become compositions of others)."""
    mg.manual_seed(0)
    x = mg.tensor(np.linspace(0.5, 2.0, 12).reshape(3, 4), requires_grad=True)
    w = mg.randn(2, 4, dtype=mg.float64, requires_grad=True)  # (PyTorch's linear needs one dtype)
    b = mg.randn(2, dtype=mg.float64, requires_grad=True)
    h = mg.cat([x.sqrt(), x.log(), x.exp() / 10], dim=1)
    h = h.reshape(3, 3, 4).permute(1, 0, 2).transpose(0, 1).flatten(1)
    h = mg.stack([h.tanh(), h.sigmoid()], dim=0).mean(dim=0)
    h = h[:, :4] * x - (-x).abs() ** 2
    h = mg.maximum(h, h.clamp(-1, 1)) + mg.minimum(h, x.relu())
    h = mg.where(x > 1, h, h.softmax(dim=1))
    z = F.linear(h.unsqueeze(0).squeeze(0), w, b) + h @ w.T
    return (F.cross_entropy(z, mg.tensor([0, 1, 1])) + z.log_softmax(dim=1).amax()
            + z.logsumexp(dim=1).sum() - z.amin())


def rule_of(step_caption: str) -> str:
    """The rule a step's caption says it applies: '... applies RULE [and sends gradients to ...].'"""
    ends = r"\.(?: Backward starts| backward\(\) then|$)"  # the sentence's end, then what may follow
    found = re.search(r", applies (.*?)(?: and sends gradients to .*?)?" + ends, step_caption)
    assert found, step_caption
    return found.group(1)


def test_every_step_shows_the_caption_of_its_op_class_word_for_word():
    loss = many_ops_graph()
    steps = list(viz.backward_steps(loss))
    assert len({s.node.name for s in steps}) > 30
    for s in steps:
        caption = type(s.node).caption
        assert caption, f"op {s.op} states no backward rule"
        assert rule_of(s.caption) == caption  # the step's caption, the page's text for its frame
        title = title_lines(mg.draw_graph(loss, step=s.index, legend=False))
        assert f"Step {s.index}: {s.op}: {caption}" in title  # the frame's drawing


def test_an_op_without_a_caption_is_shown_with_the_general_rule():
    class Cube(Function):  # a learner's own op, which need not state its rule
        name = "cube"

        def forward(self, x):
            return x ** 3

        def backward(self, grad, inputs, output):  # d/dx x^3 = 3 x^2
            return (grad * 3 * inputs[0] ** 2,)

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    loss = Cube.apply(x).sum()
    cube = list(viz.backward_steps(loss))[-1]
    assert cube.op == "cube" and type(cube.node).caption == ""
    np.testing.assert_array_equal(cube.grad_inputs[0], [3.0, 12.0])
    assert rule_of(cube.caption) == viz_layout.GENERAL_RULE and "vector-Jacobian" in viz_layout.GENERAL_RULE
    assert f"Step 2: cube: {viz_layout.GENERAL_RULE}" in title_lines(mg.draw_graph(loss, step=2))


def test_drawing_and_saving_the_steps_leaves_later_backward_unchanged(tmp_path):
    reference, rx, rw = branching_graph()
    reference.backward()
    loss, x, w = branching_graph()
    for k in range(len(list(viz.backward_steps(loss))) + 1):
        mg.draw_graph(loss, step=k)
    if shutil.which("dot"):
        viz.save_steps(loss, tmp_path / "steps")
    assert x.grad is None and w.grad is None
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), rx.grad.numpy())
    np.testing.assert_array_equal(w.grad.numpy(), rw.grad.numpy())


def test_step_k_highlights_its_node_and_shows_only_the_gradients_known_so_far():
    loss, x, w = branching_graph()
    names = {x: "x", w: "w", loss: "loss"}
    start = mg.draw_graph(loss, names=names, step=0).source
    assert highlighted_ops(start) == [] and not [1 for _, _, attrs in edges(start) if is_flow(attrs)]
    assert start.count(">grad<") == 1  # only the root's seed
    steps = list(viz.backward_steps(loss))
    middle = mg.draw_graph(loss, names=names, step=3).source
    assert highlighted_ops(middle) == [steps[2].node.name]
    assert "Step 3:" in middle
    end = mg.draw_graph(loss, names=names, step=len(steps)).source
    assert "so far" not in end and "so far" in mg.draw_graph(loss, names=names, step=5).source
    with pytest.raises(ValueError, match="between 0 and 7"):
        mg.draw_graph(loss, step=8)


def highlighted_ops(source: str) -> list[str]:
    """The op drawn as the one the step shown runs (its name, the first line of its label)."""
    current = {**viz_layout.STYLE["op"], **viz_layout.CURRENT_OP_STYLE}
    return [label.split(" | ")[0] for label, attrs in nodes(source).values() if has_style(attrs, current)]


def test_a_freed_graph_cannot_be_stepped_through_and_says_what_to_do():
    loss, _, _ = branching_graph()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        list(viz.backward_steps(loss))
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        mg.draw_graph(loss, step=1)


# -- the page ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed (apt-get install graphviz)")
    loss, x, w = branching_graph()
    folder = tmp_path_factory.mktemp("steps")
    return viz.save_steps(loss, folder, names={x: "x", w: "w", loss: "loss"})


@needs_dot
def test_save_steps_writes_one_svg_per_step_and_a_self_contained_page(page):
    folder = os.path.dirname(page)
    assert sorted(os.listdir(folder)) == ["index.html"] + [f"step_{k:03d}.svg" for k in range(8)]
    html = open(page, encoding="utf-8").read()
    assert html.count('<section class="frame') == 8 and html.count("<svg") == 8
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert not re.search(r"<(?:link|iframe|object|embed)\b|<script[^>]+src|@import|url\(", html)
    assert "grad_out * (x &gt; 0)" in html  # the relu step's caption


@needs_dot
def test_each_frame_of_the_page_shows_its_op_class_caption_in_text_and_drawing(page):
    sections = re.findall(r'<section [^>]*data-caption="([^"]*)">(.*?)</section>',
                          open(page, encoding="utf-8").read(), re.S)
    loss, _, _ = branching_graph()
    steps = list(viz.backward_steps(loss))
    assert len(sections) == len(steps) + 1  # frame 0 is before backward
    for s, (caption, svg) in zip(steps, sections[1:]):
        assert rule_of(html.unescape(caption)) == type(s.node).caption
        texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
        assert f"Step {s.index}: {s.op}: {type(s.node).caption}" in texts


def _dump_dom(url: str, tmp_path) -> str:
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _current(dom: str) -> tuple[str, str]:
    body = re.search(r'<body data-current="(\d+)"', dom).group(1)
    frame = re.findall(r'class="frame current" id="frame-(\d+)"', dom)
    assert frame == [body]
    return body, re.search(r'<div id="caption">([^<]*)', dom).group(1)


@needs_dot
@needs_chromium
def test_the_page_shows_the_first_frame_then_the_next_one_on_next(page, tmp_path):
    body, caption = _current(_dump_dom("file://" + page, tmp_path))
    assert body == "0" and caption.startswith("Before backward")
    # A copy of the page that clicks "next" once it has loaded, as a user would.
    html = open(page, encoding="utf-8").read()
    clicked = tmp_path / "clicked.html"
    clicked.write_text(html.replace("</body>", '<script>document.getElementById("next").click();'
                                               "</script></body>"), encoding="utf-8")
    dom = _dump_dom("file://" + str(clicked), tmp_path)
    body, caption = _current(dom)
    assert body == "1" and caption.startswith("Step 1 of 7: tanh")
    assert "Step 1 / 7" in dom
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", dom)


@needs_dot
@needs_chromium
def test_the_page_opens_at_the_step_in_its_url(page, tmp_path):
    body, caption = _current(_dump_dom("file://" + page + "#3", tmp_path))
    assert body == "3" and caption.startswith("Step 3 of 7")


def test_a_drawing_replay_is_not_seen_by_the_users_backward_observer():
    from minigrad import engine
    seen = []
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    with engine.observe_backward(lambda node, grad, grads: seen.append(node.name)):
        mg.draw_graph(loss)  # replays backward on the side
        assert seen == []
        loss.backward()
    assert sorted(seen) == ["mul", "sum"]
