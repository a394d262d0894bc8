"""The learner's progress, in a small JSON file in the exercises folder (written atomically)."""
from __future__ import annotations

import json
import os
import tempfile

FILENAME = ".progress.json"


def read(folder: str) -> dict:
    try:
        with open(os.path.join(folder, FILENAME), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    data.setdefault("hints", {})
    data.setdefault("status", {})
    return data


def write(folder: str, data: dict) -> None:
    """Replaces the file in one step: a crash midway leaves the old file, never half a file."""
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
        os.replace(temporary, os.path.join(folder, FILENAME))
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
