"""The benchmark script runs: ``python benchmarks/run.py --quick`` prints its tables.

Not a timing test: --quick runs two short repetitions of numpy and minigrad (no torch), only
to catch a script broken by a change of the engine's API (~2 s here). This test is the only
place the smoke run happens: `python -m pytest` runs it, and so CI does, once."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_quick_benchmark_prints_the_table_with_every_check_passing():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "run.py"), "--quick"],
                          capture_output=True, text=True, timeout=90, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for expected in ("| W1 | numpy |", "| W2 | minigrad |", "| W3 | numpy |", "## Targets",
                     "backward of a y = y * 1.0001 chain", "Peak memory of W1"):
        assert expected in out, f"{expected!r} missing from:\n{out}"
    assert "MISMATCH" not in out and "pass failed" not in out, out
    assert "skipped" not in out, out  # --quick leaves torch out: every engine left must run
    for workload in ("W1", "W2", "W3"):  # timed in both thread passes, after matching the floor
        rows = [line for line in out.splitlines() if line.startswith(f"| {workload} | minigrad |")]
        assert len(rows) == 2 and all("| ok (" in row for row in rows), rows
