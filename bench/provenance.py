"""What every result file records besides its figures: the code, the arguments, the settings
and the machine that produced them, so a number can be traced and reproduced."""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from argparse import Namespace
from pathlib import Path
from typing import Any


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], check=True, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def provenance(
    arguments: Namespace | dict[str, Any] | None = None, settings: dict[str, Any] | None = None
) -> dict[str, Any]:
    import torch

    return {
        "commit": _git("rev-parse", "HEAD"),
        # changes to code, not to other result files written by an earlier bench in the run
        "uncommitted_changes": _git(
            "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"
        )
        != "",
        "arguments": vars(arguments) if isinstance(arguments, Namespace) else arguments or {},
        "settings": settings or {},
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
        },
        "written_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def write_results(
    path: Path,
    figures: dict[str, Any],
    arguments: Namespace | dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
) -> None:
    """`figures` plus their provenance, as JSON at `path`; prints where it went."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {**figures, "provenance": provenance(arguments, settings)}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {path}")
