"""Deterministic descriptions built from the record alone: the fallback that is always true."""

from __future__ import annotations

import re

from writer.product_type import TYPE_OF, product_types
from writer.records import ProductRecord, clean_text, short_title
from writer.words import stem, tokens


def _singular(category: str) -> str:
    head = re.split(r"\s[&,]\s|,", category)[0].strip()
    return head[:-1] if head.endswith("s") and not head.endswith("ss") else head


def product_noun(record: ProductRecord) -> str:
    """'Laptops & Notebook Computers' -> 'laptop', keeping acronyms such as 'TV'."""
    return " ".join(
        word if sum(char.isupper() for char in word) > 1 else word.lower()
        for word in _singular(record.category).split()
    )


def type_noun(record: ProductRecord) -> str:
    """What the record says the product is, in its own title's word ("mount", "service");
    "" when the title names it already, names several things, or names nothing."""
    name = short_title(record.title).lower()
    heads = product_types(clean_text(record.title), record.category) - {"system"}
    if len(heads) != 1:
        return ""
    (head,) = heads
    if any(TYPE_OF.get(stem(word)) == head for word in tokens(name)):
        return ""  # "Meet the SANUS … TV Mount": saying "a mount" again adds nothing
    title_words = [w for w in tokens(record.title) if TYPE_OF.get(stem(w)) == head]
    if title_words:
        return title_words[-1] if title_words[-1].isupper() else title_words[-1].lower().rstrip("s")
    return head if head != "tv" else "TV"


def opening_sentence(record: ProductRecord) -> str:
    name = short_title(record.title)
    noun = type_noun(record)
    if not noun:
        return f"Meet the {name}."
    article = "an" if noun[0].lower() in "aeiou" else "a"
    return f"Meet the {name}, {article} {noun}."


def fact_clause(fact: str) -> str:
    """A bullet's own words, capitalised, without a closing stop: what a model continues."""
    clause = fact.rstrip(" .,:;")
    if not clause:
        return ""
    first = clause[0].upper() if clause[0].isascii() else clause[0]  # not "α9" -> "Α9"
    return f"{first}{clause[1:]}"


# Words that make a bullet a clause already ("…Delivers Faster Performance", "Can be Redeemed")
_VERBS_TEXT = """
is are was be been can will lets let makes make delivers provides offers packs fits requires
includes supports keeps gives brings helps works allows enables extends comes has have runs
means stays turns sees hears records streams connects charges captures shows plays holds
sets adds saves reduces protects lasts cleans stores detects sends features deliver
provide offer allow
"""
_VERBS = frozenset(_VERBS_TEXT.split())
# A bullet that starts with one of these is an instruction to the shopper, a grammatical
# imperative ("Get Real-Time Motion Alerts…", "Stay Connected…")
_IMPERATIVES_TEXT = """
get stay access connect use look answer apply have sound book enjoy see watch keep take bring
make turn talk set plug hear capture stream play experience control protect add save
choose upgrade meet go listen find do create start shop check bring view unleash our
"""
_IMPERATIVES = frozenset(_IMPERATIVES_TEXT.split())
# "Designed for…" -> "It is designed for…"; "Includes…" -> "It includes…"
_PARTICIPLES_TEXT = """
designed built made engineered certified rated powered backed guaranteed compatible
optimized optimised tested available equipped ready
"""
_PARTICIPLES = frozenset(_PARTICIPLES_TEXT.split())
_THIRD_PERSON_TEXT = """
includes works fits requires supports delivers offers provides features comes has lets
gives keeps brings helps allows enables extends packs runs connects
"""
_THIRD_PERSON = frozenset(_THIRD_PERSON_TEXT.split())
_FOR_ADJECTIVES = frozenset(("ideal", "suitable", "simple", "easy", "safe", "great", "perfect"))
_ADJECTIVE_END_TEXT = "compatible ready certified approved enabled"
_ADJECTIVE_END = frozenset(_ADJECTIVE_END_TEXT.split())
# singular count nouns a spec phrase may end in: "It has a 120Hz Refresh Rate."
_COUNT_HEADS_TEXT = """
processor display keyboard keypad stand camera chip webcam reader panel warranty resolution
rate screen touchscreen speaker subwoofer soundbar battery port sensor engine gpu cpu design
ssd drive remote mount bezel hinge fan microphone mic lens controller slot jack adapter
charger cable card bench keybed mode tuner pencil case cover receiver amplifier motor
trackpad touchpad headset hub doorbell floodlight siren alarm bracket arm light lamp zoom
"""
_COUNT_HEADS = frozenset(_COUNT_HEADS_TEXT.split())
_CLAUSE_BREAK = re.compile(r"\s(?:with|for|and|to|in|on|from|by|of)\s|,|\s&\s|\(|:", re.I)
_NOT_INCLUDED = re.compile(r"^(?P<thing>[\w\s-]{1,40}?)\s+(?:is\s+)?not\s+included$", re.I)
_INCLUDED = re.compile(r"^(?P<thing>.{3,120}?)\s+included$", re.I)
# a bullet about what is not in the box keeps its own words: "Features include …" would invert it
_ELSEWHERE = re.compile(r"\b(?:sold separately|required|not included|excluded|optional)\b", re.I)
# a feature, then a verb with no subject: "Fingertip Tilting and Extends up to 5.7”"
_THEN_VERB = re.compile(r"^(?P<thing>[^,:;]+?) and (?P<verb>[A-Z][a-z]+s)\b(?P<rest>.*)$")
# a noun and a participle: "Battery Powered", "Safety Tested and Designed for an Easy Install"
_NOUN_PARTICIPLE = re.compile(r"^[A-Za-z]+ [A-Z][a-z]+ed(?: and .*)?$")
_NONE_REQUIRED = re.compile(r"^no\s+(?P<thing>[\w\s-]{1,40}?)\s+(?P<verb>required|needed)$", re.I)


def has_verb(text: str) -> bool:
    """Whether words carry a verb of their own: "lets you …" does, "gaming laptop" does not."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    return bool(words & (_VERBS | _THIRD_PERSON))


def _subjectless(thing: str, verb: str) -> bool:
    """Whether "<thing> and <verb>" lacks a subject: the verb is one, the thing has none."""
    before = {w.lower() for w in re.findall(r"[A-Za-z]+", thing)}
    starts = before and thing.split()[0].lower() in _IMPERATIVES | {"it", "it’s", "it's", "this"}
    return verb.lower() in _VERBS | _THIRD_PERSON and not has_verb(thing) and not starts


def _article(phrase: str) -> str:
    """'a' or 'an' for a spec phrase, by sound: "an HDMI port", "an 8-Core", "a USB-C port"."""
    word = phrase.split()[0]
    if word[0].isdigit():
        digits = re.match(r"\d+", word)
        number = digits.group(0) if digits else ""
        return "an" if number.startswith("8") or number in ("11", "18") else "a"
    letters = re.sub(r"[^A-Za-z]", "", word)
    if not letters:
        return "an" if word.startswith("α") else "a"
    acronym = bool(re.match(r"[A-Za-z]\d", word)) or (len(letters) > 1 and letters[:2].isupper())
    if acronym:
        return "an" if letters[0].upper() in "AEFHILMNORSX" else "a"
    if letters.lower().startswith(("uni", "use", "usb", "one")):
        return "a"
    return "an" if letters[0].lower() in "aeiou" else "a"


def _lower_first(text: str) -> str:
    first = text.split()[0]
    if first[1:].lower() != first[1:] or not first.isalpha():  # "HDMI", "Wi-Fi" keep their case
        return text
    return text[0].lower() + text[1:]


def _head(phrase: str) -> str:
    """The last word before the first preposition or break: "Keyboard" in "Backlit Keyboard
    with Numeric Keypad"."""
    main = _CLAUSE_BREAK.split(re.sub(r"\s*\([^()]*\)", "", phrase), maxsplit=1)[0]
    words = re.findall(r"[A-Za-z][\w-]*", main)
    return words[-1].lower() if words else ""


def fact_sentence(fact: str, title: str = "") -> str:
    """A bullet as a grammatical sentence. A bullet that is a clause already keeps its words;
    a noun phrase gets a frame that states nothing of its own ("It has a …", "Features include
    …", "It is …"), so a shopper reads a sentence and the claims stay the record's."""
    clause = fact_clause(fact)
    if not clause:
        return ""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", clause)]
    if not words:
        return f"{clause}."
    first = words[0]
    lowered = _lower_first(clause)
    if match := _NOT_INCLUDED.match(clause):
        return f"The {_lower_first(match.group('thing'))} is not included."
    if match := _NONE_REQUIRED.match(clause):
        return f"No {_lower_first(match.group('thing'))} is {match.group('verb').lower()}."
    if _ELSEWHERE.search(clause):
        return f"{clause}."
    if match := _INCLUDED.match(clause):  # "One Year of … Security Included"
        return f"{match.group('thing')} is included."
    if first in _THIRD_PERSON and clause.split()[0].isalpha():
        return f"It {lowered.rstrip(':')}."
    if first in _PARTICIPLES and clause.split()[0].isalpha():
        return f"It is {lowered}."
    if (joined := _THEN_VERB.match(clause)) and _subjectless(joined["thing"], joined["verb"]):
        return f"It has {joined['thing']} and {joined['verb'].lower()}{joined['rest']}."
    if _NOUN_PARTICIPLE.match(clause) and clause.split()[1].lower() in _PARTICIPLES:
        return f"It is {clause}."
    if first in _IMPERATIVES or _VERBS & set(words[1:]) or first in ("this", "the", "no"):
        return f"{clause}."
    if first == "up" and words[1:2] == ["to"]:  # "Up to 18 hours of battery life"
        return f"It offers {lowered}."
    if words[1:2] in (["for"], ["to"]) and first in _FOR_ADJECTIVES:  # "Ideal for …"
        return f"It is {lowered}."
    if words[-1] in _ADJECTIVE_END:  # "Nvidia G-SYNC Compatible"
        return f"It is {clause}."
    head = _head(clause)
    plural = head.endswith("s") and not head.endswith("ss")
    kind = TYPE_OF.get(stem(head)) if head and not plural else None
    if kind and kind != "system" and kind in product_types(clean_text(title), ""):
        # "Android TV" for a TV, "… Upright Digital Piano with Storage Bench" for a piano
        return f"It is {_article(clause)} {clause}."
    if head in _COUNT_HEADS:
        return f"It has {_article(clause)} {clause}."
    return f"Features include {clause}."


_AGAIN = {
    "Features include ": ("It also offers ", "Features include "),
    "It has ": ("It also has ",),
}


def vary_frames(sentences: list[str]) -> list[str]:
    """The same frame five times reads as a form: later uses say "also" ("It also has a …",
    "It also offers …"), which adds no claim."""
    seen: dict[str, int] = {}
    varied = []
    for sentence in sentences:
        frame = next((f for f in _AGAIN if sentence.startswith(f)), None)
        if frame is not None:
            count = seen.get(frame, 0)
            seen[frame] = count + 1
            if count:
                options = _AGAIN[frame]
                sentence = options[(count - 1) % len(options)] + sentence[len(frame) :]
        varied.append(sentence)
    return varied


def repeats_title(fact: str, title: str) -> bool:
    """A bullet that says nothing the opening (the short title) has not: "Digital Piano" for
    "… Digital Piano". The title's tail is not in the opening, so its bullets stay."""
    said = {stem(w) for w in tokens(fact) if len(w) > 2 or w[0].isdigit()}
    named = {stem(w) for w in tokens(short_title(title))}
    return bool(said) and said <= named


def english_description(record: ProductRecord, facts: list[str]) -> str:
    kept = [fact for fact in facts if not repeats_title(fact, record.title)]
    sentences = [opening_sentence(record), *(fact_sentence(fact, record.title) for fact in kept)]
    return " ".join(vary_frames([sentence for sentence in sentences if sentence]))


def chinese_description(record: ProductRecord) -> str:
    """商品描述 from the named attributes, in the order the merchant gave them."""
    parts = [f"{key}为{value}" for key, value in record.attributes.items()]
    facts = [fact.rstrip("。.") for fact in record.facts()]
    body = "，".join(parts)
    text = f"{record.title}" + (f"，{body}" if body else "") + "。"
    if facts:
        text += "产品特点：" + "；".join(facts) + "。"
    return text + "欢迎选购。"


def deterministic_description(record: ProductRecord) -> str:
    if record.language == "zh":
        return chinese_description(record)
    return english_description(record, record.facts())
