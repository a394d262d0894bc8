"""The exercises of `python -m minigrad.exercises`: every reference passes, the classic wrong
solutions are rejected with their hint, and the CLI works end to end."""
import os
import subprocess
import sys

import pytest

from minigrad import exercises
from minigrad.exercises.checker import Overridden
from minigrad.exercises.exercise import check_module, load_file, reference_folder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = 3  # drawn cases per check beyond the fixed ones: enough to exercise the drawing, fast


@pytest.fixture(scope="module")
def references():
    folder = reference_folder(exercises.all_exercises())
    return {name: load_file(os.path.join(folder, f"{name}.py")) for name in exercises.ORDER}


def test_there_are_at_least_twelve_exercises_in_the_notes_order():
    assert len(exercises.ORDER) >= 12
    assert exercises.ORDER[0] == "gradient_descent" and exercises.ORDER[-1] == "spiral"


@pytest.mark.parametrize("name", exercises.ORDER)
def test_the_reference_solution_passes(name, references):
    outcome = check_module(exercises.get(name), references[name], references[name], EXAMPLES)
    assert outcome.passed, outcome.text


@pytest.mark.parametrize("name", exercises.ORDER)
def test_the_blank_template_is_not_written_yet(name, tmp_path, references):
    exercise = exercises.get(name)
    path = tmp_path / exercise.filename
    path.write_text(exercise.template)
    if name == "spiral":  # it imports the earlier exercises: give it their solutions
        for other in exercises.all_exercises()[:-1]:
            (tmp_path / other.filename).write_text(other.reference)
    outcome = check_module(exercise, load_file(str(path)), references[name], EXAMPLES)
    assert not outcome.passed and outcome.not_written, outcome.text


MISTAKES = [(name, m) for name in exercises.ORDER for m in exercises.get(name).mistakes]


@pytest.mark.parametrize("name, mistake", MISTAKES, ids=[f"{n}-{m.key}" for n, m in MISTAKES])
def test_a_classic_mistake_is_rejected_with_its_hint(name, mistake, references):
    reference = references[name]
    outcome = check_module(exercises.get(name), Overridden(reference, mistake.overrides), reference, EXAMPLES)
    assert not outcome.passed
    assert f"hint: {mistake.hint}" in outcome.text, outcome.text


@pytest.mark.parametrize("name", exercises.ORDER)
def test_every_exercise_knows_at_least_two_mistakes(name):
    assert len(exercises.get(name).mistakes) >= 2


def test_an_unknown_wrong_answer_says_where_and_how_it_differs(references):
    reference = references["add_mul"]
    wrong = Overridden(reference, {"mul_backward": lambda g, a, b: (g * b * 1.5, g * a)})
    outcome = check_module(exercises.get("add_mul"), wrong, reference, 0)
    assert "mul_backward: da" in outcome.text and "expected" in outcome.text and "got" in outcome.text
    assert "no classic mistake matches" in outcome.text and "exercises hint add_mul" in outcome.text


def test_a_sign_error_is_recognized_in_any_backward(references):
    reference = references["tanh"]
    wrong = Overridden(reference, {"tanh_backward": lambda g, x: -reference.tanh_backward(g, x)})
    outcome = check_module(exercises.get("tanh"), wrong, reference, 0)
    assert "opposite sign" in outcome.text


def test_a_crash_names_the_error_and_the_line(tmp_path, references):
    exercise = exercises.get("matmul")
    path = tmp_path / exercise.filename
    path.write_text(exercise.reference.replace("return grad @ b.T, a.T @ grad", "return grad @ a, "
        "a.T @ grad"))
    outcome = check_module(exercise, load_file(str(path)), references["matmul"], 0)
    assert "ValueError" in outcome.text and "line" in outcome.text and "grad @ a" in outcome.text


def cli(*args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "minigrad.exercises", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_cli_end_to_end(tmp_path):
    done = cli("start", cwd=tmp_path)
    assert done.returncode == 0
    folder = tmp_path / "backprop-exercises"
    assert sorted(p.name for p in folder.glob("*.py")) == sorted(f"{n}.py" for n in exercises.ORDER)

    failed = cli("check", "tanh", "--examples", "2", cwd=tmp_path)
    assert failed.returncode == 1 and "not written yet" in failed.stdout

    (folder / "tanh.py").write_text(exercises.get("tanh").reference)
    passed = cli("check", "tanh", "--examples", "2", cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr

    again = cli("start", cwd=tmp_path)  # never overwrites the learner's work
    assert "kept" in again.stdout and (folder / "tanh.py").read_text() == exercises.get("tanh").reference

    first, second = cli("hint", "tanh", cwd=tmp_path), cli("hint", "softmax", cwd=tmp_path)
    assert "hint 1 of" in first.stdout and "hint 1 of" in second.stdout
    assert "hint 2 of" in cli("hint", "softmax", cwd=tmp_path).stdout

    summary = cli("progress", cwd=tmp_path)
    assert summary.returncode == 0 and "1 of" in summary.stdout and "tanh" in summary.stdout

    names = cli("list", "--names", cwd=tmp_path)
    assert names.stdout.split() == exercises.ORDER
    listing = cli("list", cwd=tmp_path).stdout
    tanh_line = next(line for line in listing.splitlines() if " tanh " in line)
    assert "passed" in tanh_line and "unchecked" in listing

    assert cli("check", "nonexistent", cwd=tmp_path).returncode == 2
    assert cli("check", "matmul", "--reference", "--examples", "2", cwd=tmp_path).returncode == 0
