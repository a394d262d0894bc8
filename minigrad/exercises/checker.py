"""The checker shared by every exercise: it runs a learner's backward (or update rule) against
minigrad's own op (or optimizer) and explains the first difference in words a learner can act on.

An exercise declares what to check with :class:`OpCheck` (a backward: a vector-Jacobian product
against minigrad's autograd on the same float64 inputs, with a random upstream gradient) or
:class:`UpdateCheck` (an update rule: a trajectory against ``nn.optim``), and lists its known
:class:`Mistake` s.  A mistake is recognized by computing the mistaken solution's answer on the
same inputs and finding the learner's answer equal to it, never by guessing from the numbers.

Shapes: each check lists fixed cases (batch size 1 and broadcasting among them), which always
run; when hypothesis is installed, more cases are drawn with it (and a failing one is shrunk to
the smallest shapes that still fail); without it, more cases are drawn from a seeded generator.
"""
from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from ..backend import xp

TOLERANCE = {"rtol": 1e-6, "atol": 1e-9}


class NotWritten(Exception):
    """The learner's function still raises NotImplementedError."""


class CheckFailed(Exception):
    """One wrong answer, with the explanation to print (``crash``: the error's last line, when
    the learner's code crashed)."""

    def __init__(self, text: str, crash: str | None = None):
        super().__init__(text)
        self.crash = crash


@dataclass
class Crashed:
    """The answer of a solution that crashed: equal to another crash with the same error."""
    error: str


@dataclass
class Mistake:
    """A classic wrong solution: ``overrides`` maps names of the learner's file to the wrong
    function; ``hint`` is what the learner reads when their answer equals this one's."""
    key: str
    hint: str
    overrides: dict


@dataclass
class Case:
    """The structure of one example: the inputs' shapes and the non-tensor arguments."""
    shapes: tuple
    params: dict = field(default_factory=dict)


class Draws:
    """What a check's ``draw`` function may ask for: ``int(lo, hi)`` and ``pick(options)``,
    answered by hypothesis when it drives, else by a seeded generator."""

    def __init__(self, integer: Callable[[int, int], int]):
        self.int = integer

    def pick(self, options):
        return options[self.int(0, len(options) - 1)]


def describe(a) -> str:
    if a is None:
        return "None"
    shape = tuple(xp.shape(a))
    return f"shape {shape}" if shape else "a scalar (shape ())"


def _fmt(v) -> str:
    return f"{float(v):.6g}"


def _call(module, name: str, *args, **kwargs):
    """Calls the learner's ``name``; a NotImplementedError is "not written yet", any other crash
    is re-raised as a CheckFailed naming the error and the line of the learner's file."""
    function = getattr(module, name, None)
    if function is None:
        raise CheckFailed(f"{name} is missing from {module_file(module)}: keep the template's names.")
    return invoke(name, function, *args, **kwargs)


def invoke(name: str, function: Callable, *args, **kwargs):
    """``function(*args, **kwargs)``, with the learner's errors turned into explanations."""
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise NotWritten(f"{name} still raises NotImplementedError: write it in place of that "
            "line.") from None
    except (CheckFailed, NotWritten):
        raise
    except Exception as error:
        last = traceback.format_exception_only(type(error), error)[-1].strip()
        raise CheckFailed(crash_report(name, error), crash=last) from None


def module_file(module) -> str:
    return getattr(module, "__file__", None) or getattr(module, "__name__", "your file")


def crash_report(name: str, error: BaseException) -> str:
    """The traceback's last line and the deepest line of an exercise file that it passed."""
    last = traceback.format_exception_only(type(error), error)[-1].strip()
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if "minigrad" not in f.filename.replace("\\", "/").split("/")[-2:-1]]
    lines = [f"{name} crashed: {last}"]
    if frames:
        f = frames[-1]
        lines.append(f"  at {f.filename}, line {f.lineno}: {(f.line or '').strip()}")
    return "\n".join(lines)


def same(a, b) -> bool:
    """Same shape and the same values (to float64 rounding)."""
    if a is None or b is None:
        return a is None and b is None
    a, b = xp.asarray(a, dtype=float), xp.asarray(b, dtype=float)
    return a.shape == b.shape and bool(xp.allclose(a, b, equal_nan=True, **TOLERANCE))


def worst_element(expected, got) -> tuple:
    difference = xp.abs(xp.asarray(got, dtype=float) - expected)
    difference = xp.where(xp.isnan(difference), xp.inf, difference)
    index = xp.unravel_index(int(xp.argmax(difference)), expected.shape) if expected.ndim else ()
    return tuple(int(i) for i in index)


def explain_difference(label: str, expected, got, shape_of: str) -> str | None:
    """None when ``got`` is right; else which element differs, expected against got, or the
    shape it should have had."""
    expected = xp.asarray(expected, dtype=float)
    if got is None:
        return f"{label} is None: return an array of {describe(expected)} ({shape_of})."
    try:
        got = xp.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"{label} is a {type(got).__name__}, not an array of numbers."
    if got.shape != expected.shape:
        return (f"{label} has {describe(got)}; it should have {describe(expected)} ({shape_of}).")
    if same(expected, got):
        return None
    index = worst_element(expected, got)
    where = f"{label}[{', '.join(map(str, index))}]" if index else label
    return f"{where}: expected {_fmt(expected[index])}, got {_fmt(got[index])}."


def matching_mistakes(candidates, learner_answer) -> list[Mistake]:
    """The known mistakes whose answer on these inputs equals the learner's: ``candidates`` pairs
    each mistake with a function computing its answer."""
    found = []
    for mistake, answer_of in candidates:
        try:
            answer = answer_of()
        except CheckFailed as error:  # the mistake crashes here: it matches the same crash
            answer = Crashed(error.crash or str(error))
        except Exception:
            continue
        if _same_answer(answer, learner_answer):
            found.append(mistake)
    return found


def _same_answer(a, b) -> bool:
    if isinstance(a, Crashed) or isinstance(b, Crashed):
        return a == b
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        if not (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list))) or len(a) != len(b):
            return False
        return all(_same_answer(x, y) for x, y in zip(a, b))
    return same(a, b)


def failure_text(problem: str, context: list[str], mistakes: list[Mistake], exercise: str) -> str:
    lines = [problem, *context]
    for mistake in mistakes:
        lines.append(f"hint: {mistake.hint}")
    if not mistakes:
        lines.append("(no classic mistake matches this answer; `python -m minigrad.exercises hint "
                     f"{exercise}` "
                     "gives the next hint)")
    return "\n".join(lines)


class Overridden:
    """The reference module with some of its names replaced: how a mistake's answer is computed."""

    def __init__(self, module, overrides: dict):
        self._module, self._overrides = module, overrides

    def __getattr__(self, name):
        if name in self._overrides:
            return self._overrides[name]
        return getattr(self._module, name)


def run_cases(check_one: Callable, cases: list, draw: Callable | None, examples: int, seed: int = 0) -> int:
    """Runs ``check_one(case, rng)`` on every fixed case, then on ``examples`` drawn ones (by
    hypothesis when installed).  Returns how many cases ran; raises CheckFailed on the first
    wrong answer (the smallest hypothesis could find)."""
    ran = 0
    for i, case in enumerate(cases):
        check_one(case, xp.random.default_rng(seed + i))
        ran += 1
    if draw is None or examples <= 0:
        return ran
    try:
        from . import drawn
    except ImportError:  # pragma: no cover - hypothesis is a test dependency only
        drawn = None
    if drawn is not None and drawn.available():
        return ran + drawn.run_with_hypothesis(check_one, draw, examples)
    rng = xp.random.default_rng(seed + 1000)
    for _ in range(examples):
        draws = Draws(lambda lo, hi: int(rng.integers(lo, hi + 1)))
        check_one(draw(draws), xp.random.default_rng(int(rng.integers(2**31))))
        ran += 1
    return ran
