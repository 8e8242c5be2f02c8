"""Questions about one product ("is it waterproof?", "how much RAM does the second one have?")
answered from its own listing, quoting the bullet; never guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import Product
from actions.products import resolve_product
from actions.replies import language
from actions.shop import ShopAction


@dataclass(frozen=True)
class Attribute:
    name: str
    asked: re.Pattern[str]  # how shoppers ask about it
    stated: re.Pattern[str]  # how listings state it


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


ATTRIBUTES = [
    Attribute(
        "memory",
        _p(r"\bram\b|memory|内存|运存"),
        _p(r"\d+\s?GB[^,;]*?(RAM|memory|DDR|LPDDR)|(RAM|memory)[^,;]*?\d+\s?GB|Unified Memory"),
    ),
    Attribute(
        "storage",
        _p(r"storage|\bssd\b|hard drive|\bhdd\b|capacity|存储|硬盘|容量"),
        # a size not said to be memory is storage ("Wi-Fi Tablet 64GB")
        _p(
            r"\d+\s?(GB|TB)[^,;]*?(SSD|HDD|storage|eMMC|drive)|(SSD|storage)[^,;]*?\d+\s?(GB|TB)"
            r"|\b\d{2,4}\s?(GB|TB)\b(?![^,;]{0,12}(RAM|memory|DDR|graphics|GDDR))"
        ),
    ),
    Attribute(
        "screen",
        _p(r"screen|display|inch|size of the|屏幕|尺寸"),
        _p(r"\d+(\.\d+)?\s?(\"|”|-inch|inch|in\b)|display|screen"),
    ),
    Attribute(
        "resolution",
        _p(r"resolution|4k|1080p|\bhd\b|分辨率"),
        _p(r"\d{3,4}\s?x\s?\d{3,4}|4K|UHD|FHD|QHD|1080p|HD\b"),
    ),
    Attribute("refresh rate", _p(r"refresh|\bhz\b|刷新"), _p(r"\d+\s?Hz")),
    Attribute(
        "processor",
        _p(r"processor|\bcpu\b|chip|core i|ryzen|处理器"),
        _p(r"Core\s?i\d|Ryzen|Celeron|Pentium|M\d\s(Pro|Max)?\s?chip|Processor|Snapdragon"),
    ),
    Attribute(
        "graphics",
        _p(r"graphics|\bgpu\b|rtx|geforce|radeon|显卡"),
        _p(r"RTX|GTX|GeForce|Radeon|Arc|Graphics|GPU"),
    ),
    Attribute("wi-fi", _p(r"wi-?fi|wireless internet|无线网"), _p(r"Wi-?Fi|802\.11")),
    Attribute("bluetooth", _p(r"bluetooth|蓝牙"), _p(r"Bluetooth")),
    Attribute(
        "water resistance",
        _p(r"water|rain|splash|\bip\d|防水"),
        _p(r"water|IP[X\d]\d|splash|weather"),
    ),
    Attribute(
        "battery",
        _p(r"battery|charge|hours|续航|电池"),
        _p(r"battery|\d+\s?(hours|hrs|-hour)|mAh|charg"),
    ),
    Attribute("noise cancelling", _p(r"noise|anc\b|降噪"), _p(r"noise|ANC")),
    Attribute(
        "operating system",
        _p(r"windows|chrome ?os|macos|operating system|系统"),
        _p(r"Windows|Chrome\s?OS|macOS|iPadOS|Android"),
    ),
    Attribute(
        "ports",
        _p(r"\bports?\b|usb|hdmi|thunderbolt|接口"),
        _p(r"USB|HDMI|Thunderbolt|Ethernet|port"),
    ),
    Attribute("warranty", _p(r"warrant|guarantee|保修"), _p(r"warrant|guarantee")),
]
# What the attributes are called in Chinese replies (a question's own words stay as asked).
ZH_NAMES = {
    "memory": "内存",
    "storage": "存储容量",
    "screen": "屏幕尺寸",
    "resolution": "分辨率",
    "refresh rate": "刷新率",
    "processor": "处理器",
    "graphics": "显卡",
    "wi-fi": "Wi-Fi",
    "bluetooth": "蓝牙",
    "water resistance": "防水性能",
    "battery": "续航",
    "noise cancelling": "降噪",
    "operating system": "操作系统",
    "ports": "接口",
    "warranty": "保修",
}
# Precise things a yes/no answer must find verbatim: versions, sizes, standards.
_SPECIFIC = re.compile(
    r"wi-?fi\s?\d+e?|bluetooth\s?\d(\.\d)?|\d+(\.\d+)?\s?(gb|tb|hz|\"|inch)"
    r"|ip[x\d]\d|rtx\s?\d{4}|4k|1080p|usb-?c|thunderbolt\s?\d?",
    re.IGNORECASE,
)


# Ways to say one feature, in both languages -> one word, so the question's words can be
# looked for in the bullets (touch screen/touchscreen, backlit/backlight, water-resistant/IPX4).
_SYNONYMS: tuple[tuple[str, str], ...] = (
    ("backlit", r"back ?lit|back ?light(?:ing|s)?|illuminated|背光"),
    ("touchscreen", r"touch ?screens?|touch display|touch-enabled|触摸屏|触屏"),
    (
        "waterproof",
        r"water ?proof|water[- ]?resistan(?:t|ce)|splash ?proof|sweat ?proof|weather ?proof"
        r"|ipx?[4-8]|ip6[4-8]|防水",
    ),
    ("noisecancelling", r"noise[- ]?cancel+(?:ing|ation)?|\banc\b|降噪"),
    ("bluetooth", r"bluetooth|蓝牙"),
    ("wifi", r"wi-?fi|无线网"),
    ("wireless", r"wireless|cordless|无线"),
    ("keyboard", r"keyboards?|键盘"),
    ("webcam", r"webcam|web cam|camera|摄像头"),
    ("fingerprint", r"fingerprint|指纹"),
    ("microphone", r"microphones?|\bmics?\b|麦克风"),
    ("usbc", r"usb[- ]?c|type[- ]?c|usb type[- ]?c"),
    ("fastcharging", r"fast[- ]?charg(?:e|ing)|quick[- ]?charg(?:e|ing)|快充"),
    ("numpad", r"numeric keypad|number pad|num ?pad|数字键盘"),
    ("uhd", r"\b4k\b|\buhd\b|2160p"),
    ("voiceassistant", r"alexa|google assistant|siri|voice assistant|语音助手"),
    ("oled", r"\boled\b"),
    ("hdr", r"\bhdr\d*\b"),
)
_SYNONYM_PATTERN = re.compile(
    "|".join(f"(?P<{name}>{pattern})" for name, pattern in _SYNONYMS), re.IGNORECASE
)
_QUESTION_TEXT = """
    does do did is are was it its it's this that these those the a an have has had with come comes
    support supports include includes included there any some got get can could will would
    of for in on to and or how what which about tell me you your please thanks one product
    item listing say says mention really actually also still yes no not much many big
    large size long kind type good well
"""
_QUESTION_WORDS = frozenset(_QUESTION_TEXT.split())
_TERM = re.compile(r"[a-z][a-z0-9]+")


def feature_terms(text: str) -> set[str]:
    """The words that name features, synonyms folded into one word, plural "s" dropped."""
    folded = _SYNONYM_PATTERN.sub(lambda m: f" {m.lastgroup} ", text.lower())
    words = {w[:-1] if len(w) > 4 and w.endswith("s") else w for w in _TERM.findall(folded)}
    return words - _QUESTION_WORDS


def _squash(text: str) -> str:
    return re.sub(r"[\s\-]", "", text.lower()).replace("inch", '"').replace("”", '"')


def listing_lines(product: Product) -> list[str]:
    return [product.title, *product.features]


@dataclass(frozen=True)
class Answer:
    subject: str | None  # what was asked about ("wi-fi 6e", "memory")
    line: str | None  # the listing line that speaks to it
    exact: bool  # the line states exactly what was asked (not just the same attribute)


def answer_question(question: str, product: Product) -> Answer:
    lines = listing_lines(product)
    specifics = [m.group(0) for m in _SPECIFIC.finditer(question)]
    for spec in specifics:  # "wifi 6e": only a line that says exactly that answers yes
        for line in lines:
            if _squash(spec) in _squash(line):
                return Answer(spec, line, exact=True)
    wanted = feature_terms(question)
    if wanted and not specifics:  # "backlit keyboard?": a bullet naming every such word
        for line in lines[1:] + lines[:1]:
            if wanted <= feature_terms(line):
                return Answer(" ".join(sorted(wanted)), line, exact=True)
    asked = [a for a in ATTRIBUTES if a.asked.search(question)]
    subject = specifics[0] if specifics else (asked[0].name if asked else None)
    for attribute in asked:
        for line in lines[1:] + lines[:1]:  # bullets first: they are more precise
            if attribute.stated.search(line):
                return Answer(subject, line, exact=not specifics)
    if subject is None and wanted:
        subject = _asked_words(question)
    return Answer(subject, None, exact=False)


def _asked_words(question: str) -> str:
    """The question's feature words as the shopper wrote them, for "the listing doesn't say"."""
    words = [w for w in re.findall(r"[\w-]+", question.lower()) if w not in _QUESTION_WORDS]
    return " ".join(words) or question.strip()


class ActionAnswerProductQuestion(ShopAction):
    def name(self) -> str:
        return "action_answer_product_question"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        product = resolve_product(tracker, self.shop.catalog, prefer_selected=True)
        replies = self.shop.replies
        if product is None:
            dispatcher.utter_message(text=replies.text(tracker, "utter_question_which"))
            return []
        question = str(tracker.latest_message.get("text") or "")
        answer = answer_question(question, product)
        line, title = answer.line, product.title
        attribute = answer.subject
        if attribute is not None and language(tracker) == "zh":
            attribute = ZH_NAMES.get(attribute, attribute)
        if line is not None and answer.exact:
            text = replies.text(tracker, "utter_listing_says", title=title, line=line)
        elif line is not None:
            text = replies.text(
                tracker, "utter_listing_says_other", title=title, attribute=attribute, line=line
            )
        elif attribute is not None:
            text = replies.text(tracker, "utter_listing_silent", title=title, attribute=attribute)
        else:
            features = "\n".join(f"• {f}" for f in product.features)
            text = replies.text(tracker, "utter_listing_all", title=title, features=features)
        dispatcher.utter_message(text=text)
        return [SlotSet("selected_product", product.id)]
