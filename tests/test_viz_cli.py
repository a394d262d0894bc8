"""python -m minigrad.draw / minigrad-draw: an MLP step or an expression, drawn to a file."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from viz_dot import edges, is_flow, kinds_of, nodes, render_seconds

import minigrad as mg
from minigrad import draw, draw_expression
from minigrad.draw_expression import ExpressionError

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
    code, err = run_cli(argv, tmp_path, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("minigrad-draw: error:") and message in err


def run_cli(argv, tmp_path, capsys) -> tuple:
    """The exit status and the stderr of the command (writing DOT, so no Graphviz is needed)."""
    try:
        code = draw.main(argv + (["-o", str(tmp_path / "g.dot")] if "-o" not in argv else []))
    except SystemExit as exit:  # argparse's own errors
        code = exit.code
    return code, capsys.readouterr().err


def nested(depth: int, inner: str = "1", left: str = "[", right: str = "]") -> str:
    return left * depth + inner + right * depth


NESTING, VALUE_DEPTH = draw_expression.MAX_NESTING, draw_expression.MAX_VALUE_DEPTH
OPERATIONS = draw_expression.MAX_OPERATIONS
E = ["--var", "x=1"]  # a variable for the expressions below

# What a hostile (or unlucky) user could type, and the words of the one line that must say what
# is wrong.  None of these may end in a traceback, a hang, or a drawing of inf or nan.
HOSTILE = [
    # numbers too large for float32, or not finite
    (["--expr", "x*2", "--var", "x=1e999999"], "infinite: float32 holds at most"),
    (["--expr", "x*2", "--var", "x=1e39"], "too large: float32 holds at most"),
    (["--expr", "x*2", "--var", "x=1e-50"], "too small: it would be 0 in float32"),
    (["--expr", "x*2", "--var", "x=[10**10**10]"], "not a number or a list of numbers"),
    (["--expr", "x*2", "--var", "x=" + "9" * 5000], "not a number or a list of numbers"),
    (["--expr", "x * 2**99999999", *E], "2**99999999 gives inf"),
    (["--expr", "x * 10**10**10", *E], "10**10**10 gives inf"),
    (["--expr", "x * 1" + "0" * 50, *E], "is too large: float32"),
    (["--expr", "x * 1" + "0" * 5000, *E], "number too large for float32"),
    (["--expr", "x * 0x" + "f" * 1000, *E], "is too large: float32"),
    (["--expr", "x * 1e309", *E], "1e309 is infinite"),
    (["--expr", "exp(x)", "--var", "x=100"], "exp(x) gives inf"),
    (["--expr", "x / 0", *E], "x / 0 gives inf"),
    (["--expr", "log(x)", "--var", "x=-1"], "log(x) gives NaN"),
    (["--expr", "x", "--var", "x=nan"], "not finite"),
    (["--expr", "x", "--var", "x=[1, NaN]"], "not finite"),
    (["--expr", "x", "--var", "x=-inf"], "not finite"),
    # values that are not a tensor of numbers
    (["--expr", "x", "--var", "x=[[1,2],[3]]"], "ragged"),
    (["--expr", "x", "--var", "x=[1,[2]]"], "mixes numbers and lists"),
    (["--expr", "x", "--var", "x=[]"], "empty list"),
    (["--expr", "x", "--var", "x=[[]]"], "empty list"),
    (["--expr", "x", "--var", "x="], "not a number"),
    (["--expr", "x", "--var", "x=True"], "a boolean, not a real number"),
    (["--expr", "x", "--var", "x=1j"], "a complex number, not a real number"),
    (["--expr", "x", "--var", "x='a'"], "text, not a real number"),
    (["--expr", "x", "--var", "x={1: 2}"], "not a real number"),
    (["--expr", "x", "--var", "x=" + nested(1000)], f"1000 deep; the limit is {VALUE_DEPTH}"),
    (["--expr", "x", "--var", "x=" + nested(VALUE_DEPTH + 1)], f"the limit is {VALUE_DEPTH}"),
    (["--expr", "x", "--var", "x=" + "1," * 60_000 + "1"], "longer than 100,000 characters"),
    (["--expr", "x", "--var", "x=1", "--var", "x=2"], "'x' is given twice"),
    (["--expr", "x", "--var", "x=1", "--input", "x=2"], "'x' is given twice"),
    (["--expr", "x", "--var", "if=1"], "'if' is a Python keyword"),
    (["--expr", "x", "--var", "x"], "expected NAME=VALUE"),
    # expressions too big, too deep, or not allowed
    (["--expr", nested(1000, "x", "(", ")"), *E], f"1000 deep; the limit is {NESTING}"),
    (["--expr", nested(NESTING + 1, "x", "tanh(", ")"), *E], f"the limit is {NESTING}"),
    (["--expr", "+".join(["x"] * (OPERATIONS + 2)), *E], f"the limit is {OPERATIONS}"),
    # Python's parser may give up on these first (it depends on the stack): either way, the limit
    (["--expr", "+".join(["x"] * 5000), *E], f"the limit is {OPERATIONS}"),
    (["--expr=" + "-" * 9000 + "x", *E], f"the limit is {OPERATIONS}"),
    (["--expr", "x" * 20_000, *E], "the limit is 10,000"),
    (["--expr", "y", *E], "unknown name 'y'"),
    (["--expr", "eval('1')", *E], "unknown function 'eval'"),
    (["--expr", "tanh()()", *E], "only call functions by name"),
    (["--expr", "x.__class__", *E], "may not contain Attribute"),
    (["--expr", "x[0]", "--var", "x=1,2"], "may not contain Subscript"),
    (["--expr", "x // 2", *E], "may not contain BinOp (x // 2)"),
    (["--expr", "x == x", *E], "may not contain Compare"),
    (["--expr", "lambda: x", *E], "may not contain Lambda"),
    (["--expr", "x*1if x else x", *E], "may not contain IfExp"),  # Python warns of "1if" too
    (["--expr", "x", "--var", "x=[1if 1 else 2]"], "not a number"),
    (["--expr", "tanh(*x)", *E], "may not contain Starred"),
    (["--expr", "(x +\n [1,\n 2])", *E], "may not contain List ([1, 2])"),  # quoted on one line
    (["--expr", "'a' * x", *E], "text, not a real number"),
    (["--expr", "x * True", *E], "a boolean, not a real number"),
    (["--expr", "x * None", *E], "not a real number"),
    (["--expr", "x\x00", *E], "not a valid expression"),
    (["--expr", "x\ud800", *E], "not a valid expression"),
    (["--expr", "", *E], "not a valid expression"),
    (["--expr", "2 * 3"], "at least one --var"),
    # wrong arity and arguments
    (["--expr", "maximum(x)", *E], "maximum() takes 2 arguments, got 1"),
    (["--expr", "matmul(x, x, x)", *E], "matmul() takes 2 arguments, got 3"),
    (["--expr", "tanh()", *E], "tanh() needs a tensor argument"),
    (["--expr", "tanh(x, x)", *E], "tanh(): the arguments after the tensor must be whole numbers"),
    (["--expr", "reshape(x, 1.5)", "--var", "x=1,2"], "must be whole numbers"),
    (["--expr", "sum(x, dim=1e999)", *E], "dim=1e999 is infinite"),
    (["--expr", "sum(x, keepdim=2)", *E], "keepdim= must be True or False"),
    (["--expr", "clamp(x, min=1e39)", *E], "min=1e39 is too large"),
    (["--expr", "transpose(x)", "--var", "x=1,2"], "missing 2 required positional arguments"),
    # shapes that do not fit an op (the engine's words), or that are too big to compute
    (["--expr", "sum(x, dim=5)", "--var", "x=1,2"], "dim 5 is out of range"),
    (["--expr", "x @ y", "--var", "x=1,2,3", "--var", "y=1,2"], "matmul: shapes (3,) and (2,) do not match"),
    (["--expr", "x + y", "--var", "x=" + ",".join(["1"] * 2000),
      "--input", "y=[" + ",".join(["[1]"] * 2000) + "]"], "would make 4,000,000 elements"),
    # the options of the default drawing
    (["--mlp", "100000,100000"], "at most 10,000 units"),
    (["--mlp", "2," * 200 + "2"], "at most 100 layers"),
    (["--mlp", "1000,1000", "--batch", "1001"], "makes a tensor of 1,001,000 elements"),
    (["--mlp", "99999999999999999999,2"], "--mlp needs at least two positive sizes"),
    (["--mlp", "2,,3"], "--mlp needs at least two positive sizes"),
    (["--mlp", "²,3"], "--mlp needs at least two positive sizes"),
    (["--batch", "0"], "--batch a positive number"),
    (["--seed", "-1"], "--seed must be a non-negative integer"),
    (["--max-elements", "1000000"], "--max-elements must be between 0 and 100"),
    (["--title", "a\x01b"], "no control characters"),
    (["--expr", "+".join(["x"] * 450), *E, "--steps", "steps"], "more than max_steps=400"),
]


@pytest.mark.parametrize("argv, message", HOSTILE, ids=[" ".join(a)[:60] for a, _ in HOSTILE])
def test_every_bad_value_or_expression_ends_in_one_line_naming_it_and_exit_status_2(
        argv, message, tmp_path, capsys, monkeypatch, recwarn):
    monkeypatch.chdir(tmp_path)  # --steps writes nothing there, but in case
    code, err = run_cli(argv, tmp_path, capsys)
    assert (code, err.count("\n")) == (2, 1), err
    assert err.startswith("minigrad-draw: error:") and message in err, err
    assert not recwarn.list, [str(w.message) for w in recwarn]  # a warning would be a second line


def test_help_states_the_limits_that_the_errors_name(capsys):
    with pytest.raises(SystemExit):
        draw.main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for limit in (f"{NESTING} deep", f"{OPERATIONS} operators and calls", f"{VALUE_DEPTH} brackets deep",
                  "10,000 characters", "1,000,000 elements", "100 layers"):
        assert limit in help_text, limit


def test_calls_take_constant_keywords_negative_dims_and_booleans():
    values = np.array([[1.0, -3.0], [0.5, 2.0]])
    x = mg.tensor(values, requires_grad=True)
    expression = "softmax(x, dim=-1).sum(keepdim=True) + clamp(x, min=-1.5, max=None).amax(dim=1).sum()"
    result = draw.evaluate(expression, {"x": x})
    expected = 2.0 + np.maximum(values, -1.5).max(axis=1).sum()  # each softmax row sums to 1
    assert result.shape == (1, 1) and result.item() == pytest.approx(expected)


def test_a_long_chain_is_computed_without_recursion_at_the_limit_of_operations(tmp_path):
    x = mg.tensor(1.0, requires_grad=True)
    total = draw.evaluate("+".join(["x"] * (OPERATIONS + 1)), {"x": x})
    assert total.item() == OPERATIONS + 1
    deep = draw.evaluate(nested(NESTING - 1, "x", "tanh(", ")"), {"x": x})
    assert 0 < deep.item() < 1


# Pieces of expressions, to draw random ones that get past the parser more often than random text.
PIECES = ["x", "W", "v", "1", "2.5", "-", "+", "*", "/", "**", "@", "(", ")", ",", ".", "[", "]", " ",
          "tanh(", "sum(", "reshape(", "matmul(", "maximum(", "softmax(", "clamp(", "dim=", "keepdim=",
          "True", "min=", "1e999", "1e-60", "9" * 45, "0x" + "f" * 40, "2**999", "10**10**10", "'a'",
          "x.sum(", "x.T", "__import__(", "lambda", "if", "nan", "inf", "1j", "None", "\n", "\x00",
          "'\\d'", "0_", "1if "]  # the last three make Python warn while parsing
VARIABLES = {"x": [1.5, -2.0], "W": [[1.0, 2.0], [3.0, 4.0]], "v": [0.5]}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(st.sampled_from(PIECES), max_size=25).map("".join), st.text(max_size=40)))
def test_any_text_is_a_tensor_or_an_expression_error_never_anything_else(text):
    variables = {name: mg.tensor(value, requires_grad=True) for name, value in VARIABLES.items()}
    with warnings.catch_warnings(record=True) as warned:  # a warning would print a second line
        warnings.simplefilter("always")
        try:
            result = draw.evaluate(text, variables)
        except ExpressionError as error:
            result = error
    assert not warned, [str(w.message) for w in warned]
    if isinstance(result, ExpressionError):
        assert str(result)  # it says what is wrong
    else:
        assert isinstance(result, mg.Tensor) and np.isfinite(result.numpy()).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(expression=st.lists(st.sampled_from(PIECES), max_size=15).map("".join),
       value=st.sampled_from(["1", "1,2", "[[1,2],[3,4]]"]))
def test_any_expression_through_the_command_draws_or_exits_2_with_one_line(expression, value, tmp_path,
                                                                            capsys):
    argv = ["--expr", expression, "--var", f"x={value}", "--input", "W=2"]
    code, err = run_cli(argv, tmp_path, capsys)
    assert code in (0, 2) and err.count("\n") == (1 if code else 0), err


@needs_dot
def test_the_command_draws_a_sum_of_100_terms_in_seconds(tmp_path):
    out = tmp_path / "sum.dot"
    assert draw.main(["--expr", "+".join(["x"] * 100), "--var", "x=1", "--backward", "-o", str(out)]) == 0
    render_seconds(out.read_text(encoding="utf-8"), 20)  # over 300 s before far uses were references


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
