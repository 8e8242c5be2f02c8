"""Every benchmark answers `--help` at once, without training, loading or measuring anything
(one of them used to start training an intent model when asked for its help)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
BENCHMARKS = sorted(
    p.stem for p in (ROOT / "bench").glob("*.py") if p.stem not in {"__init__", "provenance"}
)
# one process runs them all as `python -m bench.NAME --help` (torch imported once): each must
# stop at its parser
ASK_EACH_FOR_HELP = """
import runpy, sys
for name in sys.argv[1:]:
    sys.argv = [name, "--help"]
    try:
        runpy.run_module(f"bench.{name}", run_name="__main__")
    except SystemExit as stop:
        if stop.code == 0:
            print("helped", name)
            continue
    raise SystemExit(f"{name} did not answer --help")
"""


def test_every_benchmark_answers_help_without_running() -> None:
    result = subprocess.run(
        [sys.executable, "-c", ASK_EACH_FOR_HELP, *BENCHMARKS],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("helped ") == len(BENCHMARKS)
    assert "usage:" in result.stdout
