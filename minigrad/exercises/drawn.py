"""Cases drawn by hypothesis, when it is installed (it is a test dependency of minigrad, not a
runtime one: without it the checker draws its extra cases from a seeded generator instead)."""
from __future__ import annotations

from collections.abc import Callable

from ..backend import xp
from .checker import CheckFailed, Draws, NotWritten

try:
    import hypothesis
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    hypothesis = None


def available() -> bool:
    return hypothesis is not None


def run_with_hypothesis(check_one: Callable, draw: Callable, examples: int) -> int:
    """``examples`` cases drawn by hypothesis; a failure is shrunk to the smallest failing case
    and re-raised as the CheckFailed of that case."""
    ran = [0]

    @hypothesis.settings(max_examples=examples, database=None, deadline=None, derandomize=True,
                         report_multiple_bugs=False, print_blob=False,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(st.data())
    def drawn_case(data):
        draws = Draws(lambda lo, hi: data.draw(st.integers(lo, hi)))
        case = draw(draws)
        seed = data.draw(st.integers(0, 2**31 - 1))
        ran[0] += 1
        check_one(case, xp.random.default_rng(seed))

    with hypothesis.reporting.with_reporter(lambda text: None):
        try:
            drawn_case()
        except (CheckFailed, NotWritten) as error:
            error.__notes__ = []  # hypothesis's notes name its own internals, not the learner's code
            raise
    return ran[0]
