"""Deterministic descriptions built from the record alone: the fallback that is always true."""

from __future__ import annotations

import re

from writer.product_type import TYPE_OF, product_types
from writer.records import ProductRecord, clean_fact, clean_text, short_title
from writer.words import parts_of_speech, stem, tokens

# words a dictionary has no class for, but that are plain English, not names
_FUNCTION_TEXT = """
a an the and or nor of for with without to in on at by from into onto over under than then
via per as up out off only through each every all any your you our its it this that these
those is are be can will not no yes both either app apps
"""
_FUNCTION = frozenset(_FUNCTION_TEXT.split())
# words of a product's name that stay capitalised beside a model code ("Windows 11 Home")
_NAME_WORDS_TEXT = "windows core pro max ultra plus mini air series gen home edition gig"
_NAME_WORDS = frozenset(_NAME_WORDS_TEXT.split())
# brands whose names are dictionary words, kept capitalised wherever they stand
_BRANDS_TEXT = """
android apple google amazon alexa windows microsoft intel ring blink nest echo chrome galaxy
surface fire kindle bluetooth
"""
_BRANDS = frozenset(_BRANDS_TEXT.split())


def _dictionary(word: str) -> bool:
    """Whether a word is plain English: a dictionary word, a function word, or a compound of
    two dictionary words ("Backlit", "Keybed", "Touchscreen")."""
    word = word.lower().removesuffix("’s").removesuffix("'s")
    if word in _FUNCTION or parts_of_speech(word):
        return True
    return any(
        parts_of_speech(word[:cut]) and parts_of_speech(word[cut:])
        for cut in range(3, len(word) - 2)
    )


def _coded(word: str) -> bool:
    """A model code or acronym: a digit, or a capital after the first letter ("HDMI",
    "ProMotion", "M2", "G-SYNC")."""
    return any(
        any(ch.isdigit() for ch in part) or part[1:] != part[1:].lower()
        for part in word.split("-")
        if part
    )


def _proper(word: str, names: frozenset[str]) -> bool:
    """A word that keeps its capitals inside a sentence: a code, the brand, or a name no
    dictionary has ("Nintendo", "Wi-Fi"; "Pre-Installed" and "Head-to-Toe" are plain)."""
    if _coded(word) or word.lower() in names or word.lower() in _BRANDS:
        return True
    return not any(_dictionary(part) for part in word.split("-") if part)


_WORD_TOKEN = re.compile(r"[A-Za-z][\w'’]*(?:-[\w'’]+)*|\d[\w.\"-]*")


def _names(title: str) -> frozenset[str]:
    """The record's own names: its brand (the title's first word)."""
    first = re.findall(r"[A-Za-z][\w-]*", title)
    return frozenset(first[:1]) | frozenset(w.lower() for w in first[:1])


def _title_cased(words: list[str]) -> bool:
    """Most plain words of four letters or more written capitalised: a Title Case bullet."""
    plain = [w for w in words[1:] if len(w) >= 4 and w[0].isalpha() and not _coded(w)]
    plain = [w for w in plain if all(_dictionary(part) for part in w.split("-") if part)]
    capitalised = sum(w[0].isupper() for w in plain)
    return bool(plain) and capitalised >= 0.6 * len(plain) and (capitalised >= 2 or len(plain) == 1)


def sentence_case(text: str, title: str = "") -> str:
    """A Title Case bullet in sentence case ("Allows You To Access All Your Cameras" ->
    "allows you to access all your cameras"), keeping codes, units, the brand, names no
    dictionary has, and name words beside a code that the title capitalises too ("Windows
    11 Home"). A bullet in sentence case already keeps its capitals: they are names."""
    found = list(_WORD_TOKEN.finditer(text))
    words = [m.group(0) for m in found]
    if not _title_cased(words):
        return text
    names = _names(title)
    in_title = {w for w in re.findall(r"[A-Za-z][\w-]*", title) if w[0].isupper()}
    proper = [_proper(w, names) for w in words]
    out = list(text)
    for index, match in enumerate(found):
        word = words[index]
        if index == 0 or proper[index] or not word[0].isupper():
            continue
        if re.match(r":[A-Z]", text[match.end() : match.end() + 2]):
            continue  # "DTS Virtual:X" is a name
        near = [i for i in (index - 1, index + 1) if 0 <= i < len(words) and proper[i]]
        if index - 1 in near and word in in_title:
            continue  # "Swann Security", as the title writes it
        if word.lower() in _NAME_WORDS and any(re.search(r"\d", words[i]) for i in near):
            continue  # "Windows 11 Home", "Core i7"
        out[match.start()] = word[0].lower()
        for dash in (m.start() + 1 for m in re.finditer(r"-[A-Z]", word)):
            out[match.start() + dash] = word[dash].lower()
    return "".join(out)


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


def _plain_case(text: str, names: frozenset[str]) -> str:
    """Every plain word in lower case, names and codes as written: "TV mounting service"."""
    return " ".join(
        w if _proper(w, names) or not parts_of_speech(w) else w.lower() for w in text.split()
    )


def _segments(title: str) -> list[str]:
    return [part.strip(" *") for part in re.split(r"\s[-–|]\s", clean_text(title))]


def product_name(record: ProductRecord) -> str:
    """The name the opening gives: the short title, and for a bundle what the bundle holds
    ("Blink floodlight with outdoor camera bundle", "… TV, bundled with an Allstate 3-year
    protection plan"), never the brand alone."""
    name = short_title(record.title)
    if not re.search(r"\bbundle\b", record.title, re.IGNORECASE):
        return name
    names = _names(record.title)
    segments = _segments(record.title)
    if len(name.split()) == 1 and len(segments) > 1:  # "Blink - Floodlight with … Bundle"
        return f"{name} {_plain_case(segments[1], names)}"
    extra = next((s for s in segments[1:] if re.search(r"\bbundle\b", s, re.I)), "")
    extra = re.split(r"\s+bundle\b", extra, maxsplit=1, flags=re.I)[0].strip()
    if extra and not set(tokens(extra)) <= set(tokens(name)):
        plain = _plain_case(extra, names)
        return f"{name}, bundled with {_article(plain)} {plain}"
    return f"{name} bundle"


def opening_sentence(record: ProductRecord) -> str:
    name = product_name(record)
    noun = type_noun(record)
    if not noun or "bundle" in name:
        return f"Meet the {name}."
    # "Handy Premier - TV Mounting Service": the segment that ends in the type says what it is
    said = next(
        (
            s
            for s in _segments(record.title)[1:]
            if len(s.split()) <= 4 and s.lower().endswith(noun)
        ),
        "",
    )
    noun = _plain_case(said, _names(record.title)) if said else noun
    return f"Meet the {name}, {_article(noun)} {noun}."


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
system connection app bench piano
"""
_COUNT_HEADS = frozenset(_COUNT_HEADS_TEXT.split())
_CLAUSE_BREAK = re.compile(r"\s(?:with|for|and|to|in|on|from|by|of)\s|,|\s&\s|\(|:", re.I)
_NOT_INCLUDED = re.compile(r"^(?P<thing>[\w\s-]{1,40}?)\s+(?:is\s+)?not\s+included$", re.I)
_INCLUDED = re.compile(r"^(?P<thing>.{3,120}?)\s+included$", re.I)
# a bullet about what is not in the box keeps its own words: "Features include …" would invert it
_ELSEWHERE = re.compile(r"\b(?:sold separately|required|not included|excluded|optional)\b", re.I)
# a feature, then a verb with no subject: "Fingertip Tilting and Extends up to 5.7”"
_THEN_VERB = re.compile(r"^(?P<thing>[^,:;]+?) and (?P<verb>[A-Za-z][a-z]+s)\b(?P<rest>.*)$")
# a noun and a participle: "Battery Powered", "Safety Tested and Designed for an Easy Install"
_NOUN_PARTICIPLE = re.compile(r"^[A-Za-z]+ [A-Za-z][a-z]+ed(?: and .*)?$")
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


def _lower_first(text: str, names: frozenset[str] = frozenset()) -> str:
    """The first word in lower case where a frame comes before it, unless it is a name or a
    code ("HDMI", "Wi-Fi", "Nintendo" keep their case)."""
    first = text.split()[0]
    if not first[0].isupper() or _proper(first.rstrip(",:;"), names):
        return text
    return first.lower() + text[len(first) :]


def _head(phrase: str) -> str:
    """The last word before the first preposition or break: "Keyboard" in "Backlit Keyboard
    with Numeric Keypad"."""
    main = _CLAUSE_BREAK.split(re.sub(r"\s*\([^()]*\)", "", phrase), maxsplit=1)[0]
    words = re.findall(r"[A-Za-z][\w-]*", main)
    return words[-1].lower() if words else ""


# "Plug & Play PoE System: A Simple Wired PoE Connection Provides Easy Setup…"
_HEADING = re.compile(r"^(?P<head>[^:]{3,80}?):\s+(?P<body>.+)$")
_SPLICE = re.compile(r"\s[-–—]\s")  # "7am-11pm availability - book a time that suits you"
# a noun and a passive with no "is": "TV connected to power and … switched on"
_REDUCED_PASSIVE = re.compile(
    r"^(?P<noun>[A-Za-z][\w-]*(?: [A-Za-z][\w-]*)?) (?P<part>[a-z]+ed) "
    r"(?P<rest>(?:to|with|by|in|on|into|from|at)\b.*)$"
)
_MASS_HEADS_TEXT = """
audio video view vision sound support storage memory coverage protection talk cooling
connectivity performance realism graphics life power security access control lighting
"""
_MASS_HEADS = frozenset(_MASS_HEADS_TEXT.split())
_MASS_ENDS = ("ing", "ity", "ion", "ness", "ance", "ence", "age", "ware")


def _content(text: str) -> set[str]:
    return {stem(w) for w in tokens(text) if len(w) > 2 and w not in _FUNCTION}


def _parts(clause: str) -> list[str]:
    """A bullet that is two statements, as the statements: a heading and its body (the body
    alone when it says what the heading does), or a clause spliced on with a dash."""
    if (match := _HEADING.match(clause)) and not re.search(r"\d$", match["head"]):
        head, body = match["head"], match["body"]
        if len(head.split()) >= 2 and len(body.split()) >= 3:
            said = _content(head)
            covered = len(said & _content(body)) * 2 >= len(said)
            return [body] if has_verb(body) or covered else [head, body]
    parts = _SPLICE.split(clause, maxsplit=1)
    if len(parts) == 2 and all(len(p.split()) >= 2 for p in parts):
        second = parts[1].split()[0].lower()
        if second in _IMPERATIVES or has_verb(parts[1]):
            return parts
    return [clause]


def _restated(clause: str) -> str:
    """The tail of a bullet that names its head again: "Longer battery life, up to 18 hours
    of battery life" says "up to 18 hours of battery life"; "" when it does not."""
    before, comma, after = clause.partition(", ")
    named = re.findall(r"[a-z]+", before.lower())[-2:]
    if comma and len(named) == 2 and " ".join(named) in after.lower():
        return after
    return ""


def _noun_phrase(clause: str, names: frozenset[str]) -> str:
    """A bullet's noun phrase ready for "It has …": first word lowered, "a"/"an" before a
    singular count noun ("a backlit keyboard"), none before a count or a mass noun ("3x
    DisplayPort", "two-way audio"), a bare figure as "of" ("a motion rate of 120")."""
    phrase = _lower_first(clause, names)
    if _head(phrase) in _COUNT_HEADS:  # "1x SD Card Reader" is "an SD card reader"
        phrase = re.sub(r"^1x\s+", "", phrase)
    phrase = re.sub(r"^([a-z][a-z ]*[a-z]) (\d+)$", r"\1 of \2", phrase)  # "motion rate 120"
    phrase = re.sub(r"^(\d+) (year|month|week|day|hour)\b(?= [a-z])", r"\1-\2", phrase)
    phrase = re.sub(r", (\d+(?:\.\d+)? ?[GT]B\b[^,]*)$", r" with \1", phrase)  # "RTX 4050, 6GB"
    phrase = re.sub(r"^([^,]+, [^,]+), ([a-z]+)$", r"\1 and \2", phrase)  # "a, b, c"
    head = _head(phrase)
    plural = head.endswith("s") and not head.endswith(("ss", "us"))
    counted = re.match(r"\d+x\b|\d+ ", phrase) and not re.match(r"\d+ (?:[a-z]+-)", phrase)
    if head not in _COUNT_HEADS or plural or counted:
        return phrase  # a mass noun, a plural, a count, or a name: "3x DisplayPort"
    return f"{_article(phrase)} {phrase}"


def fact_sentence(fact: str, title: str = "") -> str:
    """A bullet as a grammatical sentence. A bullet that is a clause already keeps its words,
    in sentence case; a noun phrase gets a frame that states nothing of its own ("It has a …",
    "It is …"), so a shopper reads a sentence and the claims stay the record's."""
    clause = fact_clause(sentence_case(clean_fact(fact), title))
    if not clause:
        return ""
    parts = _parts(clause)
    if parts != [clause]:
        return " ".join(filter(None, (fact_sentence(part, title) for part in parts)))
    if restated := _restated(clause):
        return fact_sentence(restated, title)
    names = _names(title)
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", clause)]
    if not words:
        return f"{clause}."
    first = words[0]
    lowered = _lower_first(clause, names)
    if match := _NOT_INCLUDED.match(clause):
        return f"The {_lower_first(match.group('thing'), names)} is not included."
    if match := _NONE_REQUIRED.match(clause):
        return f"No {_lower_first(match.group('thing'), names)} is {match.group('verb').lower()}."
    if _ELSEWHERE.search(clause):
        return f"{clause}."
    if match := _INCLUDED.match(clause):  # "One Year of … Security Included"
        return f"{match.group('thing')} is included."
    if first in _THIRD_PERSON and clause.split()[0].isalpha():
        return f"It {lowered.rstrip(':')}."
    if first in _PARTICIPLES and clause.split()[0].isalpha():
        return f"It is {lowered}."
    if (joined := _THEN_VERB.match(clause)) and _subjectless(joined["thing"], joined["verb"]):
        thing = _noun_phrase(joined["thing"], names)
        return f"It has {thing} and {joined['verb'].lower()}{joined['rest']}."
    if _NOUN_PARTICIPLE.match(clause) and clause.split()[1].lower() in _PARTICIPLES:
        return f"It is {lowered}."
    passive = _REDUCED_PASSIVE.match(clause)
    if passive and "VERB" in parts_of_speech(passive["part"]) and first not in _IMPERATIVES:
        noun = _lower_first(passive["noun"], names)
        return f"The {noun} is {passive['part']} {passive['rest']}."
    if first in _IMPERATIVES or _VERBS & set(words[1:]) or first in ("this", "the", "no"):
        return f"{clause}."
    if first == "up" and words[1:2] == ["to"]:  # "Up to 18 hours of battery life"
        return f"It offers {lowered}."
    if words[1:2] in (["for"], ["to"]) and first in _FOR_ADJECTIVES:  # "Ideal for …"
        return f"It is {lowered}."
    if words[-1] in _ADJECTIVE_END:  # "Nvidia G-SYNC Compatible"
        return f"It is {lowered}."
    head = _head(clause)
    plural = head.endswith("s") and not head.endswith("ss")
    kind = TYPE_OF.get(stem(head)) if head and not plural else None
    if kind and kind != "system" and kind in product_types(clean_text(title), ""):
        # "Android TV" for a TV, "… Upright Digital Piano with Storage Bench" for a piano
        return f"It is {_article(lowered)} {lowered}."
    return f"It has {_noun_phrase(clause, names)}."


# a noun phrase's frame, the second time and after: one "also" at most, no frame twice running
_AGAIN = {"It has ": ("It features ", "It also has ", "It comes with ", "It includes ")}


def vary_frames(sentences: list[str]) -> list[str]:
    """The same frame five times reads as a form: later noun phrases take other frames that
    add no claim ("It features …", "It also has …", "It comes with …")."""
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
