"""Aspects of a product a review talks about (quality, battery, delivery, ...), English and
Chinese, each with the clause that mentions it, so its sentiment can be read apart from the
rest of the review ("screen is great but the battery dies by noon").

Rule-based on purpose: the words are few and stable, every hit can be explained, and
`bench/aspects.py` measures precision and recall on 200 hand-labelled reviews.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.char_ngrams import normalise

MAX_CHARS = 2000  # a review's first 2,000 characters are read; the rest is never scanned

# aspect -> (English words and phrases, matched on word boundaries; Chinese substrings)
ASPECT_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "quality": (
        (
            "quality",
            "build",
            "built",
            "well made",
            "cheaply made",
            "sturdy",
            "flimsy",
            "durable",
            "broke",
            "broken",
            "breaks",
            "defective",
            "faulty",
            "fell apart",
            "falls apart",
            "stopped working",
            "died",
            "feels cheap",
            "cheap plastic",
            "craftsmanship",
            "peeling",
            "hinge",
            "snapped",
        ),
        (
            "质量",
            "做工",
            "品质",
            "用料",
            "质感",
            "坏了",
            "故障",
            "毛病",
            "结实",
            "耐用",
            "返修",
            "瑕疵",
            "次品",
            "掉漆",
            "松动",
        ),
    ),
    "battery": (
        (
            "battery",
            "batteries",
            "charge",
            "charges",
            "charging",
            "charged",
            "charger",
            "drains",
            "power bank",
            "runtime",
        ),
        ("电池", "续航", "充电", "电量", "待机", "耗电", "充不进"),
    ),
    "delivery": (
        (
            "delivery",
            "delivered",
            "shipping",
            "shipped",
            "arrived",
            "arrive",
            "courier",
            "tracking",
            "dispatch",
            "dispatched",
            "came a week",
            "took a month to arrive",
            "took forever",
        ),
        ("物流", "快递", "送货", "发货", "到货", "配送", "送到", "收到货", "运输"),
    ),
    "price": (
        (
            "price",
            "priced",
            "overpriced",
            "value",
            "expensive",
            "cheaper",
            "worth",
            "money",
            "cost",
            "bargain",
            "affordable",
            "for the money",
        ),
        (
            "价格",
            "价钱",
            "性价比",
            "太贵",
            "贵了",
            "便宜",
            "划算",
            "实惠",
            "降价",
            "物有所值",
            "超值",
            "不值",
            "价位",
        ),
    ),
    "service": (
        (
            "customer service",
            "support",
            "seller",
            "refund",
            "return",
            "returned",
            "replacement",
            "replaced",
            "replied",
            "reply",
            "rude",
            "helpful",
            "unhelpful",
            "answered",
            "ignored me",
        ),
        ("客服", "服务", "售后", "态度", "退货", "换货", "退款", "商家", "卖家"),
    ),
    "packaging": (
        ("packaging", "package", "packaged", "packed", "box", "seal", "wrapping", "wrapped"),
        ("包装", "盒子", "外包装", "包裹", "箱子", "纸箱", "封口"),
    ),
    "screen": (
        (
            "screen",
            "display",
            "pixel",
            "pixels",
            "brightness",
            "bright",
            "touchscreen",
            "resolution",
            "picture",
            "colours",
            "colors",
            "monitor",
        ),
        ("屏幕", "屏", "显示", "亮点", "坏点", "分辨率", "触摸", "画面", "亮度"),
    ),
    "sound": (
        (
            "sound",
            "audio",
            "bass",
            "speaker",
            "speakers",
            "volume",
            "mic",
            "microphone",
            "noise cancelling",
            "treble",
            "highs",
            "tinny",
            "muffled",
        ),
        ("音质", "声音", "音效", "音量", "喇叭", "低音", "杂音", "音响", "耳机", "麦克风"),
    ),
    "setup": (
        (
            "setup",
            "set up",
            "install",
            "installed",
            "installation",
            "instructions",
            "manual",
            "drivers",
            "configure",
            "easy to use",
        ),
        ("安装", "设置", "说明书", "驱动", "装系统", "上手", "操作"),
    ),
    "performance": (
        (
            "fast",
            "slow",
            "lag",
            "lags",
            "laggy",
            "speed",
            "performance",
            "freezes",
            "crashes",
            "overheats",
            "overheating",
            "fan",
            "boots",
            "restart",
            "unresponsive",
            "responsive",
        ),
        (
            "速度",
            "运行",
            "卡顿",
            "很卡",
            "有点卡",
            "太卡",
            "散热",
            "发热",
            "发烫",
            "风扇",
            "性能",
            "配置",
            "死机",
            "流畅",
            "反应慢",
        ),
    ),
    "connectivity": (
        (
            "bluetooth",
            "wifi",
            "wi-fi",
            "connect",
            "connects",
            "connection",
            "pair",
            "pairs",
            "pairing",
            "signal",
            "disconnects",
            "disconnecting",
            "range",
        ),
        ("蓝牙", "无线", "信号", "网卡", "连接", "wifi", "断线", "配对"),
    ),
}
ASPECTS = tuple(ASPECT_WORDS)
# words that name another aspect when they follow: "delivery speed" is delivery, "速度" in
# "发货速度" too
_NOT_PERFORMANCE = re.compile(r"(?:发货|送货|物流|快递|配送|delivery|shipping)\s*(?:速度|speed)")
_CLAUSE_END = re.compile(r"[.!?;。！？；\n]|,\s*but\b|，但|但是|不过|可是|\bbut\b|\bhowever\b")


def _english(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in words)
    return re.compile(rf"\b(?:{alternatives})\b")


_PATTERNS = {
    aspect: (_english(english), re.compile("|".join(map(re.escape, chinese))))
    for aspect, (english, chinese) in ASPECT_WORDS.items()
}


@dataclass(frozen=True)
class AspectMention:
    """An aspect and the clause of the review that names it."""

    aspect: str
    clause: str


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause: split at sentence ends and at "but"/"但是"."""
    spans, start = [], 0
    for match in _CLAUSE_END.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def find_aspects(text: str) -> list[AspectMention]:
    """Each aspect the text names, once, with the first clause that names it."""
    text = normalise(text[:MAX_CHARS]) if len(text) <= 256 else text[:MAX_CHARS].lower()
    spans = clauses(text)
    found: dict[str, AspectMention] = {}
    for aspect, (english, chinese) in _PATTERNS.items():
        for pattern in (english, chinese):
            for match in pattern.finditer(text):
                if aspect == "performance" and _NOT_PERFORMANCE.search(
                    text, max(0, match.start() - 4), match.end() + 6
                ):
                    continue
                clause = next((text[s:e] for s, e in spans if s <= match.start() < e), text)
                found.setdefault(aspect, AspectMention(aspect, clause.strip()))
                break
            if aspect in found:
                break
    return list(found.values())
