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
from actions.replies import Replies
from actions.shop import ShopAction
from actions.shopper_query import message_text


@dataclass(frozen=True)
class Attribute:
    name: str
    asked: re.Pattern[str]  # how shoppers ask about it
    stated: re.Pattern[str]  # how listings state it


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# How shoppers ask, in English, Simplified and Traditional Chinese; how listings state it.
ATTRIBUTES = [
    Attribute(
        "memory",
        _p(r"\bram\b|memory|内存|运存|運存|記憶體|內存"),
        _p(r"\d+\s?GB[^,;]*?(RAM|memory|DDR|LPDDR)|(RAM|memory)[^,;]*?\d+\s?GB|Unified Memory"),
    ),
    Attribute(
        "storage",
        _p(r"storage|\bssd\b|hard drive|\bhdd\b|capacity|存储|硬盘|容量|固态|空间|儲存|硬碟|固態"),
        # a size not said to be memory is storage ("Wi-Fi Tablet 64GB")
        _p(
            r"\d+\s?(GB|TB)[^,;]*?(SSD|HDD|storage|eMMC|drive)|(SSD|storage)[^,;]*?\d+\s?(GB|TB)"
            r"|\b\d{2,4}\s?(GB|TB)\b(?![^,;]{0,12}(RAM|memory|DDR|graphics|GDDR))"
        ),
    ),
    Attribute(
        "screen",
        _p(r"screen|display|inch|size of the|屏幕|尺寸|显示屏|几寸|多少寸|英寸|螢幕|顯示"),
        _p(r"\d+(\.\d+)?\s?(\"|”|-inch|inch|in\b)|display|screen"),
    ),
    Attribute(
        "resolution",
        _p(r"resolution|4k|1080p|\bhd\b|分辨率|清晰度|高清|解析度"),
        _p(r"\d{3,4}\s?x\s?\d{3,4}|4K|UHD|FHD|QHD|1080p|HD\b"),
    ),
    Attribute("refresh rate", _p(r"refresh|\bhz\b|刷新|更新率"), _p(r"\d+\s?Hz")),
    Attribute(
        "processor",
        _p(r"processor|\bcpu\b|chip|core i|ryzen|处理器|芯片|處理器|晶片"),
        _p(r"Core\s?i\d|Ryzen|Celeron|Pentium|M\d\s(Pro|Max)?\s?chip|Processor|Snapdragon"),
    ),
    Attribute(
        "graphics",
        _p(r"graphics|\bgpu\b|rtx|geforce|radeon|显卡|独显|顯卡|顯示卡"),
        _p(r"RTX|GTX|GeForce|Radeon|Arc|Graphics|GPU"),
    ),
    Attribute("wi-fi", _p(r"wi-?fi|wireless internet|无线网|無線網"), _p(r"Wi-?Fi|802\.11")),
    Attribute("bluetooth", _p(r"bluetooth|蓝牙|藍牙"), _p(r"Bluetooth")),
    Attribute(
        "water resistance",
        _p(r"water|rain|splash|\bip\d|防水|防溅|淋雨|下雨|防汗|防潑"),
        _p(r"water|IP[X\d]\d|splash|weather"),
    ),
    Attribute(
        "battery",
        _p(r"battery|charge|hours|续航|电池|充电|待机|用多久|續航|電池|充電"),
        _p(r"battery|\d+\s?(hours|hrs|-hour)|mAh|charg"),
    ),
    Attribute("noise cancelling", _p(r"noise|anc\b|降噪"), _p(r"noise|ANC")),
    Attribute(
        "operating system",
        _p(r"windows|chrome ?os|macos|operating system|系统|系統"),
        _p(r"Windows|Chrome\s?OS|macOS|iPadOS|Android"),
    ),
    Attribute(
        "ports",
        _p(r"\bports?\b|usb|hdmi|thunderbolt|接口|端口|插口|介面|連接埠"),
        _p(r"USB|HDMI|Thunderbolt|Ethernet|port"),
    ),
    Attribute(
        "weight",
        _p(r"weigh|heavy|\blbs?\b|pounds|重量|多重|多沉|重不重|轻不轻|几斤|公斤|重吗|輕不輕"),
        _p(r"\d+(\.\d+)?\s?(lbs?|pounds?|kg|oz)\b|weigh"),
    ),
    Attribute("warranty", _p(r"warrant|guarantee|保修|质保|保固|質保"), _p(r"warrant|guarantee")),
]
# Precise things a yes/no answer must find verbatim: versions, sizes, standards.
_SPECIFIC = re.compile(
    r"wi-?fi\s?\d+e?|(?:bluetooth|蓝牙|藍牙)\s?\d(\.\d)?"
    r"|(?<!\d)\d+(\.\d+)?\s?(gb|tb|hz|\"|inch|英寸|寸)"
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
    dose doe hav u ur pls plz
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


# a Chinese specific in the listings' words: "蓝牙5.3" is "bluetooth5.3", "15.6寸" is 15.6"
_SQUASHED = (("蓝牙", "bluetooth"), ("藍牙", "bluetooth"), ("英寸", '"'), ("寸", '"'))


def _squash(text: str) -> str:
    squashed = re.sub(r"[\s\-®™]", "", text.lower()).replace("inch", '"').replace("”", '"')
    for chinese, listed in _SQUASHED:
        squashed = squashed.replace(chinese, listed)
    return squashed


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


# how a Chinese question wraps what it asks about: "这款有没有指纹识别吗？" asks about 指纹识别
_ZH_QUESTION_WORDS = re.compile(
    r"这款|这个|这台|那款|它|请问|有没有|是不是|是否|支不支持|支持|带不带|自带|带|有|吗|么|呢|嘛"
)


def _asked_words(question: str) -> str:
    """The question's feature words as the shopper wrote them, for "the listing doesn't say"."""
    unwrapped = _ZH_QUESTION_WORDS.sub(" ", question.lower())
    words = [w for w in re.findall(r"[\w-]+", unwrapped) if w not in _QUESTION_WORDS]
    return " ".join(words) or question.strip()


def _ask_a_person(tracker: Tracker, replies: Replies) -> list[dict[str, str]]:
    return [
        {
            "title": replies.text(tracker, "utter_button_ask_person"),
            "payload": "/contact_human_agent",
        },
        {"title": replies.text(tracker, "utter_button_no_thanks"), "payload": "/stop"},
    ]


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
        answer = answer_question(message_text(tracker), product)  # typos corrected
        line, title = answer.line, product.title
        # an attribute by its name in the shopper's language; a question's own words as asked
        attribute = answer.subject and replies.label(tracker, "attribute", answer.subject)
        if line is not None and answer.exact:
            text = replies.text(tracker, "utter_listing_says", title=title, line=line)
        elif line is not None:
            text = replies.text(
                tracker, "utter_listing_says_other", title=title, attribute=attribute, line=line
            )
        elif attribute is not None:
            text = replies.text(tracker, "utter_listing_silent", title=title, attribute=attribute)
            # offered: a typed yes or no answers it too (`bot.typed_answers`)
            dispatcher.utter_message(text=text, buttons=_ask_a_person(tracker, replies))
            return [SlotSet("selected_product", product.id)]
        else:
            features = "\n".join(f"• {f}" for f in product.features)
            text = replies.text(tracker, "utter_listing_all", title=title, features=features)
        dispatcher.utter_message(text=text)
        return [SlotSet("selected_product", product.id)]
