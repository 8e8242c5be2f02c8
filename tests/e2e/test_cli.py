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
from tests.writer.chat_api import chat_api_thread


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


def test_eval_scores_any_text_intent_csv(tmp_path: Path, intent_model_dir: Path) -> None:
    data = tmp_path / "some.csv"
    data.write_text(
        "text,intent\nshow me laptops under 500,search_product\nhello there,greet\n"
        "where is my package,track_order\nwhat's the weather in rome,out_of_scope\n"
        '"thanks, that helped",thank_you\n',
        encoding="utf-8",
    )
    report = tmp_path / "report"
    result = subprocess.run(
        [
            SHOPBOT,
            "eval",
            "--data",
            str(data),
            "--model",
            str(intent_model_dir),
            "--report",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    # the command reports exactly what the model does on these rows, judged here by hand
    from nlu.classifier import IntentClassifier
    from nlu.evaluation import OUT_OF_SCOPE

    classifier = IntentClassifier.load(intent_model_dir)
    rows = [
        ("show me laptops under 500", "search_product"),
        ("hello there", "greet"),
        ("where is my package", "track_order"),
        ("what's the weather in rome", "out_of_scope"),
        ("thanks, that helped", "thank_you"),
    ]
    threshold = classifier.threshold
    predicted = [
        OUT_OF_SCOPE if threshold is not None and r[0]["confidence"] < threshold else r[0]["name"]
        for r in classifier.rank([text for text, _ in rows])
    ]
    right = sum(p == intent for p, (_, intent) in zip(predicted, rows, strict=True))
    assert metrics["examples"] == 5 and metrics["accuracy"] == pytest.approx(right / 5)
    assert set(metrics["per_intent"]) == {
        "search_product",
        "greet",
        "track_order",
        "out_of_scope",
        "thank_you",
    }
    assert metrics["out_of_scope_recall"] == float(predicted[3] == OUT_OF_SCOPE)
    assert {p.name for p in report.iterdir()} == {"metrics.json", "report.md", "confusion.png"}
    assert (report / "confusion.png").read_bytes()[:4] == b"\x89PNG"


def test_eval_refuses_a_csv_without_the_columns(tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("sentence,label\nhi,greet\n", encoding="utf-8")
    result = subprocess.run(
        [SHOPBOT, "eval", "--data", str(data)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "text,intent" in result.stderr + result.stdout


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["train"],
        ["eval"],
        ["chat"],
        ["actions"],
        ["import-catalog"],
        ["recommend"],
        ["recommend", "train"],
        ["describe"],
        ["check-copy"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [SHOPBOT, *command, "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "Usage" in result.stdout


def test_describe_chinese_attributes_without_loading_a_model(tmp_path: Path) -> None:
    result = subprocess.run(
        [SHOPBOT, "describe", "--home", str(tmp_path / "home"), "--json",
         "--attributes", "商品名称：Apple iPhone 12，颜色：黑色，存储容量：128GB"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    described = json.loads(result.stdout)
    assert described["path"] == "record-zh" and described["check"]["grounded"]
    assert "黑色" in described["text"] and "128GB" in described["text"]
    assert "loading the description model" not in result.stderr


def test_describe_all_is_resumable(tmp_path: Path) -> None:
    """Against an OpenAI-compatible server: two products, then a rerun that skips them."""
    with chat_api_thread() as base_url:
        writer = {"SHOPBOT_WRITER__BACKEND": "openai", "SHOPBOT_WRITER__BASE_URL": base_url}
        env = {**os.environ, **writer}
        home = str(tmp_path / "home")
        first = subprocess.run(
            [SHOPBOT, "describe", "--all", "--limit", "2", "--json", "--home", home],
            capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
        assert first.returncode == 0, first.stderr
        summary = json.loads(first.stdout.strip().splitlines()[-1])
        assert summary["written"] == 2 and summary["published_with_unsupported_claims"] == 0
        assert "describing" in first.stderr  # the progress bar
        again = subprocess.run(
            [SHOPBOT, "describe", "--all", "--limit", "2", "--json", "--home", home],
            capture_output=True, text=True, timeout=300, env=env,
        )  # fmt: skip
        resumed = json.loads(again.stdout.strip().splitlines()[-1])
        assert resumed["already_done"] == 2 and resumed["written"] == 2  # the next two
    bad = subprocess.run(
        [SHOPBOT, "describe", "no-such-product", "--home", home],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert bad.returncode != 0 and "no product" in bad.stderr


def check_copy(
    home: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SHOPBOT, "check-copy", "--home", str(home), *args],
        input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_copy_names_each_rejected_claim_and_its_rule(tmp_path: Path) -> None:
    lg_oled = "p1d5b88849d"  # the record says "Stand Not Included"
    text = 'The LG 83" OLED G3 comes with its stand included. The stand is sold separately.'
    shown = check_copy(tmp_path, lg_oled, "--text", text)
    assert shown.returncode == 1, shown.stderr  # something must change
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("NO ") and lines[1].strip().startswith("negation:")
    assert "Stand Not Included" in lines[1]
    assert any(line.startswith("ok  The stand is sold separately.") for line in lines)
    assert "1 of 2 sentences to fix" in shown.stdout
    fine = check_copy(
        tmp_path, lg_oled, "--json", "--text", "-", stdin="The stand is sold separately."
    )
    assert fine.returncode == 0, fine.stderr
    body = json.loads(fine.stdout)
    assert body["publishable"] and body["market"] == "default"
    [sentence] = body["sentences"]
    assert sentence["claims"][0]["rule"] == "negation" and sentence["claims"][0]["supported"]


def test_check_copy_shows_a_judged_paraphrase_and_rules_only_flags_it(tmp_path: Path) -> None:
    chromebook = "pbe1d6448ae"  # "2-in-1" in the record, "convertible" in the copy
    text = "A 14-inch convertible Chromebook powered by an Intel Pentium Silver N6000."
    judged = check_copy(tmp_path, chromebook, "--text", text)
    assert judged.returncode == 0, judged.stderr
    lines = judged.stdout.splitlines()
    assert lines[0].startswith("ok ") and "judged supported (p=0." in lines[1]
    assert "unbacked-word: 'convertible'" in lines[2]
    ruled = check_copy(tmp_path, chromebook, "--rules-only", "--text", text)
    assert ruled.returncode == 1 and ruled.stdout.startswith("NO ")


def test_check_copy_applies_the_chosen_market(tmp_path: Path) -> None:
    chinese = check_copy(
        tmp_path, "p1d5b88849d", "--market", "cn", "--json", "--text", "最好的电视。"
    )
    assert chinese.returncode == 1
    [finding] = json.loads(chinese.stdout)["sentences"][0]["wording"]
    assert finding["rule"] == "absolute-term" and finding["text"] == "最"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nope-not-here", "--text", "It is a TV."], "no product 'nope-not-here'"),
        (["p1d5b88849d", "--text", ""], "the text is empty"),
        (["p1d5b88849d", "--text", "   "], "the text is empty"),
        (["p1d5b88849d", "--text", "It is a TV. " * 420], "at most 5000"),
        (["p1d5b88849d", "--text", "It is a TV.", "--market", "us"], "unknown market 'us'"),
        (["p1d5b88849d"], "--text"),
        ([], "Missing argument"),
    ],
)
def test_check_copy_refuses_bad_input(tmp_path: Path, args: list[str], says: str) -> None:
    refused = check_copy(tmp_path, *args)
    assert refused.returncode == 2 and refused.stdout == ""
    assert says in " ".join(refused.stderr.split()), refused.stderr
