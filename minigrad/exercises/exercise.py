"""An exercise: its template text, its reference solution, its hints and its checks; and how a
learner's file is loaded and checked."""
from __future__ import annotations

import atexit
import importlib.util
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field

from .checker import CheckFailed, NotWritten, crash_report


@dataclass
class Exercise:
    name: str
    goal: str  # one line, for `list`
    template: str  # the file `start` writes; each function to write raises NotImplementedError("<its name>")
    solutions: dict  # function name -> its body (the reference solution)
    hints: list
    checks: list
    examples: int = 25  # cases drawn per op check, beyond the fixed ones

    @property
    def filename(self) -> str:
        return f"{self.name}.py"

    @property
    def reference(self) -> str:
        return solve(self.template, self.solutions)

    @property
    def mistakes(self) -> list:
        return [m for check in self.checks for m in check.mistakes]


def solve(template: str, solutions: dict) -> str:
    """The template with each ``raise NotImplementedError("name")`` replaced by name's body."""
    text = template
    for name, body in solutions.items():
        pattern = re.compile(rf'^( *)raise NotImplementedError\("{re.escape(name)}"\)\n', re.M)
        match = pattern.search(text)
        if match is None:
            raise ValueError(f"the template has no stub for {name}")
        indent = match.group(1)
        lines = "".join(indent + line + "\n" if line else "\n" for line in body.strip("\n").split("\n"))
        text = text[: match.start()] + lines + text[match.end():]
    return text


def load_file(path: str):
    """Imports the learner's file as a fresh module (its folder first on sys.path, so that the
    last exercise can import the earlier ones); a crash on import is a CheckFailed."""
    folder = os.path.dirname(os.path.abspath(path))
    name = "_exercise_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    _forget_modules_of(folder)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    except NotImplementedError as error:
        raise NotWritten(f"{os.path.basename(path)} imports something not written yet ({error}).") from None
    except (CheckFailed, NotWritten):
        raise
    except Exception as error:
        raise CheckFailed(crash_report(f"importing {os.path.basename(path)}", error)) from None
    finally:
        sys.path.remove(folder)
    return module


def _forget_modules_of(folder: str) -> None:
    """Drops the modules imported from ``folder`` earlier, so that edited files are read again."""
    for key, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and os.path.dirname(os.path.abspath(file)) == folder:
            del sys.modules[key]


_reference_folder: list = []


def reference_folder(exercises) -> str:
    """A temporary folder with every reference solution written out (made once per process)."""
    if not _reference_folder:
        folder = tempfile.mkdtemp(prefix="minigrad-reference-")
        atexit.register(shutil.rmtree, folder, True)
        for exercise in exercises:
            with open(os.path.join(folder, exercise.filename), "w", encoding="utf-8") as f:
                f.write(exercise.reference)
        _reference_folder.append(folder)
    return _reference_folder[0]


@dataclass
class Outcome:
    passed: bool
    text: str
    not_written: bool = False
    cases: int = 0
    lines: list = field(default_factory=list)


def check_module(exercise: Exercise, module, reference, examples: int | None = None) -> Outcome:
    """Runs every check of ``exercise`` on ``module`` (the learner's), with ``reference`` (the
    reference solution's module) to compute the known mistakes' answers."""
    examples = exercise.examples if examples is None else examples
    ran = 0
    try:
        for check in exercise.checks:
            ran += check.run(module, reference, exercise.name, examples)
    except NotWritten as error:
        return Outcome(False, f"{exercise.name}: not written yet: {error}", not_written=True)
    except CheckFailed as error:
        return Outcome(False, f"{exercise.name}: wrong answer\n{error}")
    return Outcome(True, f"{exercise.name}: passed ({ran} cases checked against minigrad)", cases=ran)
