"""python -m minigrad.draw / minigrad-draw: an MLP step or an expression, drawn to a file."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from viz_dot import edges, is_flow, kinds_of, nodes

from minigrad import draw

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz `dot` is not installed (apt-get install graphviz)")


@needs_dot
def test_expression_is_drawn_to_svg_with_its_variables(tmp_path, capsys):
    out = tmp_path / "neuron.svg"
    code = draw.main(["--expr", "tanh(w*x + b)", "--var", "w=0.5", "--var", "x=2", "--var", "b=-1",
                      "-o", str(out)])
    assert code == 0 and "wrote" in capsys.readouterr().out
    texts = {t.text for t in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text")}
    assert {"w", "x", "b", "tanh", "mul", "add"} <= texts
    assert "tanh(w*x + b)" in texts  # the title


def test_default_is_one_training_step_of_a_small_mlp(tmp_path):
    out = tmp_path / "mlp.dot"  # DOT source: no Graphviz binary needed
    assert draw.main(["-o", str(out), "--mlp", "3,4,2", "--batch", "3"]) == 0
    source = out.read_text(encoding="utf-8")
    for expected in ("layers.0.weight", "layers.1.bias", "cross_entropy", "cluster_", "Linear(3→4)",
                     "One training step", "loss"):
        assert expected in source


def test_the_default_mlp_is_nn_mlp_made_of_engine_parts():
    """Same seed, same parameters under the same names, same loss: the CLI's MLP (the engine
    imports nothing of nn) is nn.MLP's step, computed independently here with nn."""
    import minigrad as mg
    import minigrad.functional as F
    import nn

    loss, names, model = draw.training_step([3, 4, 2], batch=5, seed=7)
    mg.manual_seed(7)
    reference = nn.MLP(3, [4], 2)
    x = mg.randn(5, 3)
    expected = F.cross_entropy(reference(x), mg.tensor([0, 1, 0, 1, 0]))
    ours = dict(model.named_parameters())
    assert list(ours) == [name for name, _ in reference.named_parameters()]
    for name, p in reference.named_parameters():
        assert ours[name].requires_grad and ours[name].dtype == p.dtype
        np.testing.assert_allclose(ours[name].numpy(), p.numpy(), rtol=1e-6)
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    x_drawn = next(t for t, n in names.items() if n == "x")
    np.testing.assert_array_equal(x_drawn.numpy(), x.numpy())


def test_the_command_never_imports_nn(tmp_path):
    script = ("import sys; from minigrad import draw; "
              f"assert draw.main(['--collapse', 'Linear', '-o', {str(tmp_path / 'g.dot')!r}]) == 0; "
              "loaded = [m for m in sys.modules if m == 'nn' or m.startswith('nn.')]; "
              "assert not loaded, loaded")
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_collapse_draws_a_layer_of_the_default_mlp_as_one_node(tmp_path):
    out = tmp_path / "mlp.dot"
    assert draw.main(["-o", str(out), "--mlp", "3,4,2", "--collapse", "layers.0"]) == 0
    source = out.read_text(encoding="utf-8")
    collapsed = [label for label, attrs in nodes(source).values() if kinds_of(attrs) == ["collapsed"]]
    assert collapsed == ["Linear(3→4) | MLP > layers.0 | 1 ops, collapsed"]
    assert "layers.0.weight" not in source and "layers.1.weight" in source


def test_input_values_and_methods_in_expressions(tmp_path):
    out = tmp_path / "g.dot"
    code = draw.main(["--expr", "(W @ x).relu().sum(dim=0) + 2 ** maximum(x, 0).mean()",
                      "--var", "W=[[1,-2],[3,4]]", "--input", "x=1,2", "-o", str(out)])
    source = out.read_text(encoding="utf-8")
    assert code == 0 and "matmul" in source and "maximum" in source and "[[1, -2], [3, 4]]" not in source
    assert "[1, -2]" in source and "[3, 4]" in source  # W's two rows


@needs_dot
def test_steps_folder_gets_the_step_through(tmp_path):
    code = draw.main(["--expr", "relu(w) * 3", "--var", "w=1,-1", "-o", str(tmp_path / "g.svg"),
                      "--steps", str(tmp_path / "steps")])
    assert code == 0 and (tmp_path / "steps" / "index.html").exists()


@pytest.mark.parametrize("argv, message", [
    (["--expr", "__import__('os').system('true')", "--var", "w=1"], "unknown function"),
    (["--expr", "w.__class__", "--var", "w=1"], "may not contain Attribute"),
    (["--expr", "[w for w in ()]", "--var", "w=1"], "may not contain ListComp"),
    (["--expr", "v * 2", "--var", "w=1"], "unknown name 'v'"),
    (["--expr", "w +", "--var", "w=1"], "not a valid expression"),
    (["--expr", "w * 2", "--var", "w=abc"], "not a number"),
    (["--expr", "w * 2", "--var", "2w=1"], "NAME=VALUE"),
    (["--expr", "x * 2", "--input", "x=1"], "at least one --var"),
    (["--expr", "sum(w, bogus=1)", "--var", "w=1"], "keywords"),
    (["--mlp", "2"], "--mlp"),
    (["--collapse", "layers.7"], "names no part of the MLP"),
    (["--expr", "w * 2", "--var", "w=1", "--collapse", "Linear"], "--collapse needs the default MLP"),
    (["-o", "graph.jpeg"], "cannot tell the format"),
    (["--var", "w=1"], "need --expr"),
    (["--no-such-option"], "unrecognized arguments"),
])
def test_bad_options_give_a_one_line_error_and_a_nonzero_exit(argv, message, tmp_path, capsys):
    try:
        code = draw.main(argv + (["-o", str(tmp_path / "g.dot")] if "-o" not in argv else []))
    except SystemExit as exit:  # argparse's own errors
        code = exit.code
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("minigrad-draw: error:") and message in err


def test_python_dash_m_runs_the_command(tmp_path):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-m", "minigrad.draw", "--expr", "exp(w)", "--var", "w=0",
                             "-o", str(tmp_path / "g.dot")], capture_output=True, text=True,
                            timeout=60, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "exp" in (tmp_path / "g.dot").read_text(encoding="utf-8")


def test_the_readme_picture_is_made_by_the_projects_own_code():
    path = os.path.join(REPO, "docs", "make_images.py")
    spec = importlib.util.spec_from_file_location("make_images", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    source = module.mlp_backprop().source
    assert "layers.1.bias" in source and "cross_entropy" in source
    assert any(is_flow(attrs) for _, _, attrs in edges(source))  # show_backward's flows
    svg = os.path.join(REPO, "docs", "images", "mlp_backprop.svg")
    assert "layers.1.bias" in open(svg, encoding="utf-8").read()
