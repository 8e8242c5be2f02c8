"""The copy checker's judge: it loads, answers a probability, leaves clearly unsupported
sentences rejected, overturns a supported paraphrase of its training data, and trains the same
weights twice."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench import train_claim_judge
from bench.copy_claims import FRESH_FILES, JUDGED_ON, catalog_records
from writer.claim_judge import FEATURES, WEIGHTS, ClaimJudge, shipped_judge
from writer.copy_check import CopyChecker
from writer.records import ProductRecord

RECORDS = catalog_records()

# clearly unsupported: a ranking, a flipped negation ("Stand Not Included"), a wrong number
STAYS_REJECTED = [
    ("p22bc323c04", "It is perfect for gamers."),
    ("p1d5b88849d", 'The LG 83" OLED G3 comes with its stand included.'),
    ("p24ea649c9c", "It brings you the ultimate in musical instruments."),
    ("p1413ed2a2e", "It has 12GB of RAM for heavy multitasking."),
]
# supported paraphrases from the training rows (fresh3), which the rules alone reject for one
# everyday word ("surges", "library")
OVERTURNED = [
    (
        "p7f3e9a4b16",
        "The Jackery Explorer 2000 Pro delivers 2,220 watts of output"
        " with surges up to 4,400 watts.",
    ),
    ("p367d283c96", "It is liquid cooled and stores your library on a 2TB solid state drive."),
]


def test_the_shipped_judge_loads_with_its_provenance() -> None:
    judge = shipped_judge()
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    assert len(judge.weights) == len(FEATURES) == len(judge.mean) == len(judge.scale)
    assert 0.5 <= judge.threshold < 1.0
    # the split the goal is judged on is held out from the judge too
    assert FRESH_FILES[JUDGED_ON].name not in data["trained_on"]
    assert len(data["trained_at_commit"]) == 40


def test_a_judge_trained_on_other_features_is_refused(tmp_path: Path) -> None:
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    path = tmp_path / "judge.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain"):
        ClaimJudge.load(path)


def test_its_output_is_a_probability() -> None:
    judge = shipped_judge()
    rows = np.asarray([[0.0] * len(FEATURES), [1e3] * len(FEATURES), [-1e3] * len(FEATURES)])
    p = judge.probabilities(rows)
    assert p.shape == (3,)
    assert np.all((p >= 0.0) & (p <= 1.0))


@pytest.mark.parametrize(("pid", "sentence"), STAYS_REJECTED)
def test_clearly_unsupported_sentences_stay_rejected(pid: str, sentence: str) -> None:
    verdict = CopyChecker(RECORDS[pid], shipped_judge()).sentence(sentence)
    assert not verdict.supported
    assert verdict.judged is not None and verdict.judged <= shipped_judge().threshold
    assert verdict.to_dict()["judge"] == {
        "probability_supported": verdict.judged,
        "overturned": False,
    }


@pytest.mark.parametrize(("pid", "sentence"), OVERTURNED)
def test_a_supported_paraphrase_is_accepted_with_the_rule_still_listed(
    pid: str, sentence: str
) -> None:
    record: ProductRecord = RECORDS[pid]
    assert not CopyChecker(record).sentence(sentence).supported
    verdict = CopyChecker(record, shipped_judge()).sentence(sentence)
    assert verdict.supported and verdict.overturned
    assert verdict.rejected_by  # the rule that fired stays in the output
    shown = verdict.to_dict()
    assert shown["supported"] is True
    assert shown["judge"] == {"probability_supported": verdict.judged, "overturned": True}
    assert any(claim["supported"] is False for claim in shown["claims"])  # type: ignore[attr-defined]


def test_the_checker_is_rules_only_by_default() -> None:
    pid, sentence = OVERTURNED[0]
    verdict = CopyChecker(RECORDS[pid]).sentence(sentence)
    assert not verdict.supported
    assert verdict.judged is None and "judge" not in verdict.to_dict()


def test_training_is_deterministic() -> None:
    """The same rows give the same weights and the same threshold (the shipped file may lag
    behind a rule change until it is retrained, so it is not compared here)."""
    rows = train_claim_judge.collect(RECORDS)
    assert train_claim_judge.fit(rows) == train_claim_judge.fit(rows)
    assert train_claim_judge.threshold_for(rows) == train_claim_judge.threshold_for(rows)
