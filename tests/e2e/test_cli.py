"""The `shopbot` command line as a user runs it: serve, chat, --help."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import MODELS
from tests.e2e.processes import SHOPBOT, free_port, shopbot_process


def test_serve_answers_over_http(tmp_path: Path, intent_model_dir: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = ["serve", "--port", str(port), "--home", str(tmp_path), "--models", str(MODELS)]
    with shopbot_process(args, f"{url}/health", {}):
        request = urllib.request.Request(
            f"{url}/webhooks/rest/webhook",
            data=json.dumps({"sender": "curl", "message": "show me laptops under $800"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            replies = json.load(response)
    cards = replies[0]["custom"]["products"]
    assert cards and all(c["price"] <= 800 and "Laptop" in c["category"] for c in cards)
    assert (tmp_path / "conversations.db").exists() and (tmp_path / "catalog.db").exists()


def test_chat_in_the_terminal(tmp_path: Path, intent_model_dir: Path) -> None:
    result = subprocess.run(
        [SHOPBOT, "chat", "--home", str(tmp_path), "--models", str(MODELS)],
        input="hello\nshow me headphones\nthe first one\n/quit\n",
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
    replies = [line for line in result.stdout.splitlines() if line.startswith("bot> ")]
    assert "store assistant" in replies[0]
    assert any("Headphones" in line or "Earbuds" in line for line in result.stdout.splitlines())
    assert "Rated" in result.stdout or "No ratings" in result.stdout


@pytest.mark.parametrize(
    "command", [[], ["serve"], ["train"], ["chat"], ["actions"], ["import-catalog"]]
)
def test_every_command_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [SHOPBOT, *command, "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "Usage" in result.stdout
