"""How long reading a hostile message takes: every regex in `nlu/` and `writer/`, and the whole
entity extractor, on adversarial inputs, against the extractor of a baseline commit.

The baseline's patterns were cubic on runs of whitespace, so it runs on short inputs only
(its time at 2,000 characters is extrapolated by the growth it shows); the current code runs
at every length up to the 2,000-character message limit. Table printed; JSON under
bench/results/adversarial_text.json.

    python -m bench.adversarial_text [--baseline 054a793] [--lengths 100,200,400]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.provenance import write_results
from nlu.entities import extract_entities
from tests.nlu.test_adversarial_text import PATTERNS

RESULTS = Path(__file__).parent / "results" / "adversarial_text.json"
LIMIT = 2000


def inputs(length: int) -> dict[str, str]:
    def fill(unit: str, prefix: str = "", suffix: str = "") -> str:
        room = length - len(prefix) - len(suffix)
        return prefix + (unit * (room // len(unit) + 1))[:room] + suffix

    return {
        "spaces": " " * length,
        "1, spaces, x": fill(" ", "1", "x"),
        "between 1, spaces": fill(" ", "between 1"),
        "order, spaces": fill(" ", "order", "x"),
        "under $1, spaces": fill(" ", "under $1"),
        "digits with commas": fill("1,"),
        "letters": "a" * length,
        "half ranges": fill("1 to "),
    }


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def baseline_entities(commit: str) -> ModuleType:
    """`nlu/entities.py` as it was at `commit`, imported under another name."""
    source = _git("show", f"{commit}:nlu/entities.py")
    folder = Path(tempfile.mkdtemp())
    path = folder / "baseline_entities.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_entities", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def timed(read: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    read(text)
    return time.perf_counter() - started


def worst(read: Callable[[str], object], length: int) -> tuple[float, str]:
    return max((timed(read, text), label) for label, text in inputs(length).items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="054a793", help="commit to compare against")
    parser.add_argument("--lengths", default="100,200,400", help="baseline input lengths")
    options = parser.parse_args()
    lengths = [int(n) for n in options.lengths.split(",")]
    old = baseline_entities(options.baseline)

    rows: list[dict[str, Any]] = []
    for length in [*lengths, LIMIT]:
        current_s, current_input = worst(extract_entities, length)
        row: dict[str, Any] = {
            "length": length,
            "current_worst_s": current_s,
            "current_worst_input": current_input,
        }
        if length in lengths:
            row["baseline_worst_s"], row["baseline_worst_input"] = worst(
                old.extract_entities, length
            )
        rows.append(row)
    # the baseline's growth from its two longest lengths, carried to the message limit
    a, b = rows[len(lengths) - 2], rows[len(lengths) - 1]
    exponent = math.log(b["baseline_worst_s"] / a["baseline_worst_s"]) / math.log(
        b["length"] / a["length"]
    )
    extrapolated = b["baseline_worst_s"] * (LIMIT / b["length"]) ** exponent

    patterns = []
    for name, pattern in sorted(PATTERNS.items()):
        seconds, label = max(
            (timed(lambda t, p=pattern: list(p.finditer(t)), text), label)
            for label, text in inputs(LIMIT).items()
        )
        patterns.append({"pattern": name, "worst_s": seconds, "worst_input": label})
    slowest = max(patterns, key=lambda p: p["worst_s"])

    print(f"{'length':>7} {'baseline worst':>16} {'current worst':>15}  worst input (current)")
    for row in rows:
        base = f"{row['baseline_worst_s'] * 1000:>13.1f} ms" if "baseline_worst_s" in row else ""
        print(
            f"{row['length']:>7} {base:>16} {row['current_worst_s'] * 1000:>12.2f} ms"
            f"  {row['current_worst_input']}"
        )
    print(f"baseline grows as length^{exponent:.2f}: about {extrapolated:.0f} s at {LIMIT} chars")
    print(
        f"{len(patterns)} patterns at {LIMIT} chars: slowest {slowest['pattern']} "
        f"{slowest['worst_s'] * 1000:.2f} ms on {slowest['worst_input']!r}"
    )
    figures = {
        "baseline_commit": _git("rev-parse", options.baseline).strip(),
        "settings": {"lengths": lengths, "limit": LIMIT, "inputs": sorted(inputs(LIMIT))},
        "extractor": rows,
        "baseline_growth_exponent": exponent,
        "baseline_extrapolated_s_at_limit": extrapolated,
        "patterns": patterns,
        "slowest_pattern": slowest,
    }
    write_results(RESULTS, figures, options)


if __name__ == "__main__":
    main()
