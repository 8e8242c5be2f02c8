"""Lawful wording: terms advertising law forbids or wants proof for, per market.

China's Advertising Law art. 9(3) forbids absolute terms (最, 第一, 顶级, 国家级, 极致…) and
art. 28 treats unverifiable claims as false advertising; the English counterparts (best, #1,
ultimate, perfect, fastest, world-class) need substantiation the shop does not hold. Health
and safety promises, "free" with nothing in the record behind it, and comparisons with other
brands are refused everywhere. A term the record itself states (a maker's "#1 Trusted
Battery Brand") is the maker's claim: copied verbatim it still fires, as "needs proof".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ABSOLUTE_EN = (
    r"best|#\s?1|number one|no\.\s?1|ultimate|perfect|fastest|world-class|world's|"
    r"unbeatable|unmatched|unrivall?ed|greatest|top-rated|industry-leading|leading|latest|"
    r"smartest|deepest|brightest|longest|strongest|most \w+|revolutionary|ideal|flawless"
)
_ABSOLUTE_ZH = (
    r"最|第一|顶级|頂級|国家级|國家級|极致|極致|首选|首選|独家|獨家|唯一|顶尖|頂尖|全网|"
    r"全球领先|万能|萬能|绝对|絕對"
)
_HEALTH = (
    r"\b(?:cures?|heals?|therapeutic|hypoallergenic|non-?toxic|antibacterial|medical[- ]grade|"
    r"boosts? (?:your )?immun\w*|(?:completely|totally|100%) safe|"
    r"safe for (?:kids|children|babies)|"
    r"blood pressure)\b|治疗|治愈|保健|无毒|無毒|杀菌|殺菌"
)
_FREE = r"(?<![-\w])free\b(?!-)|免费|免費|赠送|贈送"
_COMPARISON = (
    r"\b(?:better than|worse than|superior to|unlike other|beats? (?:the )?(?:competition|\w+'s)|"
    r"outperforms?|cheaper than)\b|比\S{0,8}更好|优于|優於"
)


@dataclass(frozen=True)
class WordingRule:
    name: str
    pattern: re.Pattern[str]
    law: str


@dataclass(frozen=True)
class WordingFinding:
    rule: str
    text: str
    law: str
    in_record: bool  # the listing itself says it: a maker's claim the shop must be able to prove

    def to_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "text": self.text, "law": self.law, "in_record": self.in_record}


def _rule(name: str, pattern: str, law: str) -> WordingRule:
    return WordingRule(name, re.compile(pattern, re.IGNORECASE), law)


MARKETS: dict[str, tuple[WordingRule, ...]] = {
    "cn": (
        _rule("absolute-term", _ABSOLUTE_ZH, "广告法 第九条(三): no 最/第一/顶级/国家级 terms"),
        _rule(
            "absolute-term",
            rf"(?<![\w-])(?:{_ABSOLUTE_EN})(?![\w-])",
            "广告法 第九条(三), 第二十八条",
        ),
        _rule("health-safety", _HEALTH, "广告法 第十七条, 第二十八条"),
        _rule("free", _FREE, "广告法 第二十八条: no promise the record does not back"),
        _rule("brand-comparison", _COMPARISON, "广告法 第十三条: no disparaging comparisons"),
    ),
    "default": (
        _rule(
            "absolute-term",
            rf"(?<![\w-])(?:{_ABSOLUTE_EN})(?![\w-])",
            "superlatives need substantiation (FTC, ASA CAP 3.7)",
        ),
        _rule("absolute-term", _ABSOLUTE_ZH, "absolute terms need substantiation"),
        _rule("health-safety", _HEALTH, "health and safety claims need evidence"),
        _rule("free", _FREE, "'free' must be true of the offer (ASA CAP 3.21)"),
        _rule("brand-comparison", _COMPARISON, "comparisons must be verifiable (CAP 3.33)"),
    ),
}


def check_wording(
    text: str, record_text: str = "", market: str = "default"
) -> list[WordingFinding]:
    """Every term in `text` the market's rules forbid or want proof for."""
    rules = MARKETS.get(market, MARKETS["default"])
    findings = []
    for rule in rules:
        for match in rule.pattern.finditer(text):
            if rule.name == "free" and re.search(_FREE, record_text, re.I):
                continue  # the record offers something free: the claim checker binds it
            words = match.group(0)
            in_record = bool(record_text) and words.lower() in record_text.lower()
            findings.append(WordingFinding(rule.name, words, rule.law, in_record))
    return findings
