"""Messages whose meaning does not need the classifier: attempts to instruct the bot,
keyboard mashes, and "stop"/"never mind"/"算了" (which leave whatever is going on).

A model trained on shop talk puts any text into *some* shop intent; these rules keep an
injection attempt or "asdfghjkl" from being answered with a greeting or a policy.
"""

from __future__ import annotations

import re
from typing import Any

from nlu.language import has_chinese
from nlu.spelling import SpellingCorrector

STOP_INTENT = "stop"
OUT_OF_SCOPE = "out_of_scope"
SEARCH_INTENT = "search_product"
DETAILS_INTENT = "product_details"
# Entities that only a shopping request carries: when the model finds no intent in
# "那三星的呢" or "hedphones undr $50", the catalog's own words say it is a search.
_SEARCH_EVIDENCE = frozenset({"category", "brand", "price_min", "price_max", "color"})

_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override) (?:all |any |the |your |my )*"
    r"(?:previous|prior|above|earlier|preceding|system|original) "
    r"(?:instructions?|prompts?|rules|messages|directions)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bdeveloper mode\b|\bjailbreak\b"
    r"|\bpretend (?:to be|you are)\b"
    r"|\b(?:list|dump|show|export|print) (?:all|every) (?:the )?"
    r"(?:orders|customers|users|emails|addresses)\b"
    r"|忽略(?:之前|以上|前面|所有)的?(?:指令|提示|规则|说明)|系统提示词?|列出所有(?:订单|客户|用户|邮箱)",
    re.IGNORECASE,
)
_STOP_PHRASES = frozenset(
    """
    stop|stop it|stop that|please stop|never mind|nevermind|nvm|forget it|forget about it|
    cancel that|cancel it|quit|exit|leave it|skip|skip it|skip that|don't bother|dont bother|
    not now|no thanks|no thank you|nope never mind|i changed my mind|changed my mind|
    算了|算了吧|不用了|不要了|不用了谢谢|取消吧|别问了|先不了|不了|停|停止|不需要了|没事了
    """.replace("\n", "").split("|")
)
_STOPS = frozenset(p.strip() for p in _STOP_PHRASES if p.strip())
_PUNCTUATION = re.compile(r"[\s.,!?。，！？~…]+")
_LETTERS = re.compile(r"[A-Za-z]{2,}")
_REPEATS = re.compile(r"([A-Za-z])\1{2,}")


def is_injection(text: str) -> bool:
    return _INJECTION.search(text) is not None


def is_stop(text: str) -> bool:
    """The whole message says stop ("never mind!", "算了吧"), not a sentence containing it."""
    phrase = _PUNCTUATION.sub(" ", text.lower()).strip()
    return phrase in _STOPS


def is_gibberish(text: str, spelling: SpellingCorrector) -> bool:
    """Latin letters and no word anyone knows, even after correcting typos: "asdfghjkl"."""
    if has_chinese(text) or any(ch.isdigit() for ch in text):
        return False
    words = _LETTERS.findall(text)
    if not words:
        return False
    return not any(_is_word(w, spelling) for w in words[:16])


def _is_word(word: str, spelling: SpellingCorrector) -> bool:
    """Known, a typo of a known word, or known once drawn-out letters are cut ("yesss")."""
    once = _REPEATS.sub(r"\1", word)
    twice = _REPEATS.sub(r"\1\1", word)
    return any(spelling.is_known(w) or spelling.suggest(w) for w in {word, once, twice})


_SHOPPING_REQUEST = re.compile(
    r"^(?:i (?:want|need) (?:a|an|some|to buy)\b|i'?m looking for\b|i am looking for\b"
    r"|looking for\b|do you (?:sell|have|carry|stock)\b|show me\b|where can i (?:buy|find)\b"
    r"|i'?d like to buy\b|can i buy\b)"
    r"|^(?:我想买|我要买|有没有|你们卖|你们有|给我看看|想买)",
    re.IGNORECASE,
)


# A yes/no question whose subject is the product in focus ("does it ...", "这款...吗") asks
# about that product, whatever product words it holds ("这款有背光键盘吗" is no search).
_FOCUS_QUESTION = re.compile(
    r"^(?:does|do|is|has|can|will|would) (?:it|this|that|this one|that one|they)\b"
    r"|^(?:can|could|should) (?:i|you|we) (?:[a-z]+ ){0,2}(?:it|this|this one|that one)\b"
    r"|^(?:这款|这个|这台|这部|它|那款|那个|那台|第.[个款台])[^。！!]{0,30}(?:吗|么|没有)[?？]?$",
    re.IGNORECASE,
)
QUESTION_INTENT = "product_info"


def is_focus_question(text: str) -> bool:
    return _FOCUS_QUESTION.search(text.strip()) is not None


def intent_from_evidence(text: str, entities: list[dict[str, Any]]) -> str | None:
    """The intent a message implies when the model finds none: a catalog category, brand,
    colour or price, or the words of a shopping request ("I want a ...", "有没有...") mean
    a search; an ordinal alone ("第二个呢") means details."""
    found = {str(e.get("entity")) for e in entities}
    if found & _SEARCH_EVIDENCE or _SHOPPING_REQUEST.search(text.strip()):
        return SEARCH_INTENT
    if "ordinal" in found:
        return DETAILS_INTENT
    return None
