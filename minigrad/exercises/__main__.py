"""``python -m minigrad.exercises list [--names] | start [DIR] | check NAME [--dir DIR]
[--reference] | hint NAME | progress``: exit 0 when a check passes, 1 when it fails, 2 for a
usage error."""
from __future__ import annotations

import argparse
import os
import sys

from . import ORDER, all_exercises, get, progress
from .checker import CheckFailed, NotWritten
from .exercise import check_module, load_file, reference_folder

DEFAULT_DIR = "backprop-exercises"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m minigrad.exercises",
                                     description="Write backprop yourself; the checker explains what "
                                         "is wrong.")
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="the exercises in order, with their goal and your status")
    listing.add_argument("--names", action="store_true", help="just the names, one a line")
    listing.add_argument("--dir", default=DEFAULT_DIR)
    start = sub.add_parser("start", help="write the templates (never over your files)")
    start.add_argument("dir", nargs="?", default=DEFAULT_DIR)
    check = sub.add_parser("check", help="check your solution of one exercise")
    check.add_argument("name")
    check.add_argument("--dir", default=DEFAULT_DIR)
    check.add_argument("--reference", action="store_true", help="check the built-in solution instead")
    check.add_argument("--examples", type=int, default=None, help="drawn cases per check (default 25)")
    hint = sub.add_parser("hint", help="the next hint for one exercise")
    hint.add_argument("name")
    hint.add_argument("--dir", default=DEFAULT_DIR)
    summary = sub.add_parser("progress", help="what you have done")
    summary.add_argument("--dir", default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    if getattr(args, "name", None) is not None and args.name not in ORDER:
        print(f"no exercise named {args.name!r}; the exercises are: {', '.join(ORDER)}", file=sys.stderr)
        return 2
    return COMMANDS[args.command](args)


def do_list(args) -> int:
    if args.names:
        print("\n".join(ORDER))
        return 0
    status = progress.read(args.dir)["status"]
    for i, exercise in enumerate(all_exercises(), 1):
        mark = _status(args.dir, exercise, status)
        print(f"{i:2d}. {exercise.name:<22} {mark:<15} {exercise.goal}")
    return 0


def _status(folder: str, exercise, status: dict) -> str:
    if not os.path.exists(os.path.join(folder, exercise.filename)):
        return "not started"
    return status.get(exercise.name, "unchecked")


def do_start(args) -> int:
    os.makedirs(args.dir, exist_ok=True)
    for exercise in all_exercises():
        path = os.path.join(args.dir, exercise.filename)
        if os.path.exists(path):
            print(f"kept {path}: it exists already (your work is never overwritten)")
            continue
        with open(path, "x", encoding="utf-8") as f:
            f.write(exercise.template)
        print(f"wrote {path}")
    print(f"\nNext: open {os.path.join(args.dir, ORDER[0] + '.py')}, write what raises NotImplementedError, "
          f"then run  python -m minigrad.exercises check {ORDER[0]} --dir {args.dir}")
    return 0


def do_check(args) -> int:
    exercise = get(args.name)
    reference = load_file(os.path.join(reference_folder(all_exercises()), exercise.filename))
    folder = reference_folder(all_exercises()) if args.reference else args.dir
    path = os.path.join(folder, exercise.filename)
    if not os.path.exists(path):
        print(f"{path} does not exist: run  python -m minigrad.exercises start {args.dir}  first")
        return 1
    try:
        module = load_file(path)
    except (CheckFailed, NotWritten) as error:
        print(f"{exercise.name}: {'not written yet: ' if isinstance(error, NotWritten) else ''}{error}")
        return 1
    outcome = check_module(exercise, module, reference, args.examples)
    print(outcome.text)
    if not args.reference:
        data = progress.read(folder)
        data["status"][exercise.name] = ("passed" if outcome.passed else
                                         "not written" if outcome.not_written else "failing")
        progress.write(folder, data)
    return 0 if outcome.passed else 1


def do_hint(args) -> int:
    exercise = get(args.name)
    data = progress.read(args.dir)
    shown = data["hints"].get(exercise.name, 0)
    if shown >= len(exercise.hints):
        print(f"no more hints for {exercise.name} (all {len(exercise.hints)} shown):")
        for i, text in enumerate(exercise.hints, 1):
            print(f"  {i}. {text}")
        return 0
    print(f"hint {shown + 1} of {len(exercise.hints)} for {exercise.name}: {exercise.hints[shown]}")
    data["hints"][exercise.name] = shown + 1
    progress.write(args.dir, data)
    return 0


def do_progress(args) -> int:
    data = progress.read(args.dir)
    exercises = all_exercises()
    passed = [e.name for e in exercises if data["status"].get(e.name) == "passed"]
    print(f"{len(passed)} of {len(exercises)} exercises passed")
    for exercise in exercises:
        hints = data["hints"].get(exercise.name, 0)
        extra = f", {hints} hint{'s' if hints != 1 else ''} seen" if hints else ""
        print(f"  {exercise.name:<22} {_status(args.dir, exercise, data['status'])}{extra}")
    upcoming = next((e.name for e in exercises if e.name not in passed), None)
    print(f"next: {upcoming}" if upcoming else "all done: well played")
    return 0


COMMANDS = {"list": do_list, "start": do_start, "check": do_check, "hint": do_hint, "progress": do_progress}

if __name__ == "__main__":
    sys.exit(main())
