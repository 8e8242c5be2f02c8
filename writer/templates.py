"""Deterministic descriptions built from the record alone: the fallback that is always true."""

from __future__ import annotations

import re
from dataclasses import replace

from writer.casing import (
    FUNCTION_WORDS,
    NUMBERED_WORD,
    is_code,
    is_plain_word,
    is_proper,
    record_names,
    sentence_case,
    spec_case,
)
from writer.product_type import TYPE_OF, product_types
from writer.records import ProductRecord, clean_fact, clean_text, short_title
from writer.words import parts_of_speech, stem, tokens


def _singular(category: str) -> str:
    head = re.split(r"\s[&,]\s|,", category)[0].strip()
    return head[:-1] if head.endswith("s") and not head.endswith("ss") else head


def product_noun(record: ProductRecord) -> str:
    """'Laptops & Notebook Computers' -> 'laptop', keeping acronyms such as 'TV'."""
    return " ".join(
        word if sum(char.isupper() for char in word) > 1 else word.lower()
        for word in _singular(record.category).split()
    )


_TITLE_PARTS = re.compile(r"\s[-–|]\s|,|\s(?:with|for|and|\+)\s|:\s|\(|\)")


def type_noun(record: ProductRecord) -> str:
    """What the record says the product is, in its own title's word ("mount", "service");
    "" when the title names it already, names several things, or names nothing."""
    name = product_name(record).lower()
    heads = product_types(clean_text(record.title), record.category) - {"system"}
    if len(heads) != 1:
        return ""
    (head,) = heads
    if any(TYPE_OF.get(stem(word)) == head for word in tokens(name)):
        return ""  # "Meet the SANUS … TV Mount": saying "a mount" again adds nothing
    title_words = [w for w in tokens(record.title) if TYPE_OF.get(stem(w)) == head]
    if not title_words:
        return head if head != "tv" else "TV"
    # the title names the type only where a segment ends in it ("… Mounting Service"), not in
    # a spec ("256GB SSD"), a part ("… Camera System", "Rear Speaker Kit") or "Months of Service"
    ends = [
        s.split()[-1].lower() for s in _TITLE_PARTS.split(clean_text(record.title)) if s.split()
    ]
    word = title_words[-1]
    inside = rf"(?:\bof|\d\s?[GT]B)\s+{re.escape(word)}\b"
    if word.lower() not in ends or re.search(inside, record.title, re.I):
        return ""
    if word.lower().endswith(("phones", "buds")):
        return ""  # "a headphones" is no phrase
    return word if word.isupper() else word.lower().rstrip("s")


def _plain_case(text: str, names: frozenset[str]) -> str:
    """Every plain word in lower case, names and codes as written: "TV mounting service"."""
    plain = " ".join(
        w if is_proper(w, names) or not parts_of_speech(w) else w.lower() for w in text.split()
    )
    return NUMBERED_WORD.sub(lambda m: m.group(0).lower(), plain)  # "3-year"


def _segments(title: str) -> list[str]:
    return [part.strip(" *") for part in re.split(r"\s[-–|]\s", clean_text(title))]


def product_name(record: ProductRecord) -> str:
    """The name the opening gives: the short title, and for a bundle what the bundle holds
    ("Blink floodlight with outdoor camera bundle", "… TV, bundled with an Allstate 3-year
    protection plan"), never the brand alone."""
    name = short_title(record.title)
    if not re.search(r"\bbundle\b", record.title, re.IGNORECASE):
        segments = _segments(record.title)
        if len(name.split()) == 1 and len(segments) > 1 and segments[0] == name:  # "Reolink - …"
            return f"{name} {segments[1].split(',')[0].strip()}"
        return name
    names = record_names(record.title)
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
    noun = _plain_case(said, record_names(record.title)) if said else noun
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
choose upgrade meet go listen find do create start shop check bring view unleash our pair
fall just say record pan
"""
_IMPERATIVES = frozenset(_IMPERATIVES_TEXT.split())
# "Designed for…" -> "It is designed for…"; "Includes…" -> "It includes…"
_PARTICIPLES_TEXT = """
designed built made engineered certified rated powered backed guaranteed compatible
optimized optimised tested available equipped ready cooled
"""
_PARTICIPLES = frozenset(_PARTICIPLES_TEXT.split())
_THIRD_PERSON_TEXT = """
includes works fits requires supports delivers offers provides features comes has lets
gives keeps brings helps allows enables extends packs runs connects records tilts swivels
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
system connection app bench piano metronome module console library
"""
_COUNT_HEADS = frozenset(_COUNT_HEADS_TEXT.split())
_CLAUSE_BREAK = re.compile(r"\s(?:with|for|and|to|in|on|from|by|of)\s|,|\s&\s|\(|:", re.I)
_NOT_INCLUDED = re.compile(r"^(?P<thing>[\w\s-]{1,40}?)\s+(?:is\s+)?not\s+included$", re.I)
_INCLUDED = re.compile(r"^(?P<thing>.{3,120}?)\s+included$", re.I)
_INCLUDED_FOR = re.compile(r"^(?P<thing>[A-Za-z][\w -]{2,40}?) included (?P<rest>(?:for|with) .+)$")
_KIT_HEADS = frozenset(("kit", "pack", "set", "bundle", "stand", "mount"))


def _named_kit(words: list[str]) -> bool:
    """A short name that starts with a verb and ends in a kit: "Play and Charge Kit"."""
    return (
        len(words) <= 5 and words[-1] in _KIT_HEADS and not {"the", "a", "an", "your"} & set(words)
    )


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
    if letters.lower().startswith("x"):  # "an Xbox", "an XPS"
        return "an"
    return "an" if letters[0].lower() in "aeiou" else "a"


def _lower_first(text: str, names: frozenset[str] = frozenset()) -> str:
    """The first word in lower case where a frame comes before it, unless it is a name or a
    code ("HDMI", "Wi-Fi", "Nintendo" keep their case)."""
    first, *rest = text.split()
    if not first[0].isupper() or is_proper(first.rstrip(",:;"), names):
        return text
    if rest[:1] == ["Processor"] and len(rest) > 1 and is_code(rest[1].rstrip(",.;")):
        return text  # "Crystal Processor 4K" is a name
    return first.lower() + text[len(first) :]


def _head(phrase: str) -> str:
    """The last word before the first preposition or break: "Keyboard" in "Backlit Keyboard
    with Numeric Keypad"."""
    main = _CLAUSE_BREAK.split(re.sub(r"\s*\([^()]*\)", "", phrase), maxsplit=1)[0]
    words = [w for w in re.findall(r"[A-Za-z][\w-]*", main) if w.lower() not in ("only", "just")]
    return words[-1].lower() if words else ""


# "Plug & Play PoE System: A Simple Wired PoE Connection Provides Easy Setup…"
_HEADING = re.compile(r"^(?P<head>[^:]{3,80}?):\s+(?P<body>.+)$")
_SPLICE = re.compile(r"\s[-–—]\s")  # "7am-11pm availability - book a time that suits you"
# a noun and a passive with no "is": "TV connected to power and … switched on"
_REDUCED_PASSIVE = re.compile(
    r"^(?P<noun>[A-Za-z][\w-]*(?: [A-Za-z][\w-]*)?) (?P<part>[a-z]+ed) "
    r"(?P<rest>(?:to|with|by|in|on|into|from|at)\b.*)$"
)
# nouns that make a compound adjective with a participle: "voice controlled", "app enabled"
_MODIFIERS = frozenset(("voice", "app", "battery", "solar", "motion", "touch", "hand", "factory"))
_MASS_HEADS_TEXT = """
audio video view vision sound support storage memory coverage protection talk cooling
connectivity performance realism graphics life power security access control lighting
"""
_MASS_HEADS = frozenset(_MASS_HEADS_TEXT.split())
_MASS_ENDS = ("ing", "ity", "ion", "ness", "ance", "ence", "age", "ware")


def _content(text: str) -> set[str]:
    return {stem(w) for w in tokens(text) if len(w) > 2 and w not in FUNCTION_WORDS}


# a figure run into the subject of the verb after it, one heading with its body:
# "Up to 8MP with 4K output PoE home security camera system offers 4x greater clarity"
_FIGURE_THEN_SUBJECT = re.compile(
    r"^(?P<figure>up to \S*\d\S*(?: with \S*\d\S* [a-z]+)?) "
    r"(?P<subject>(?:[\w&+-]+ ){1,6}?)(?P<verb>[a-z]+s) (?P<rest>.+)$",
    re.IGNORECASE,
)


def _merged(clause: str) -> list[str]:
    """A figure heading run into the sentence after it, as the two: "Up to 8MP with 4K
    output" and "The PoE home security camera system offers …"; [] when not one."""
    match = _FIGURE_THEN_SUBJECT.match(clause)
    if not match or match["verb"].lower() not in _VERBS | _THIRD_PERSON:
        return []
    subject = match["subject"].strip()
    if has_verb(subject) or len(subject.split()) < 2:
        return []
    sentence = f"The {_lower_first(subject)} {match['verb']} {match['rest']}"
    return [match["figure"], sentence]


def _parts(clause: str) -> list[str]:
    """A bullet that is two statements, as the statements: a heading and its body (the body
    alone when it says what the heading does), or a clause spliced on with a dash."""
    if (match := _HEADING.match(clause)) and not re.search(r"\d$", match["head"]):
        head, body = match["head"], match["body"]
        if len(head.split()) >= 2 and len(body.split()) >= 3:
            said = _content(head)
            covered = len(said & _content(body)) * 2 >= len(said)
            if has_verb(body) or covered:
                return _merged(fact_clause(body)) or [body]
            return [head, body]
    if merged := _merged(clause):
        return merged
    stops = re.split(
        r"(?<=[a-z]{4})\. (?=[a-z])", clause
    )  # "Clear Footage. full color night vision"
    if len(stops) > 1:
        return [fact_clause(part) for part in stops]
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
    if re.match(r"(?:a|an|the) ", phrase):  # "An even-brighter display" has its article
        return phrase
    phrase = re.sub(r"^([a-z][a-z ]*(?:rate|speed|level|count)) (\d+)$", r"\1 of \2", phrase)
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
    clause = fact_clause(spec_case(sentence_case(clean_fact(fact), title)))
    if not clause:
        return ""
    parts = _parts(clause)
    if parts != [clause]:
        return " ".join(filter(None, (fact_sentence(part, title) for part in parts)))
    if restated := _restated(clause):
        return fact_sentence(restated, title)
    names = record_names(title)
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
    if (match := _INCLUDED.match(clause)) and first not in _IMPERATIVES:  # "… Security Included"
        thing = match["thing"]
        head, main = _head(thing), re.split(r"\s(?:for|with|of)\s", thing)[0]
        plural = (head.endswith("s") and not head.endswith("ss")) or " and " in main
        return f"{thing} {'are' if plural else 'is'} included."
    if match := _INCLUDED_FOR.match(clause):  # "Headphones included for silent practice"
        thing = match["thing"]
        verb = "are" if thing.lower().endswith("s") and not thing.endswith("ss") else "is"
        return f"{thing} {verb} included {match['rest']}."
    if first in _IMPERATIVES and _named_kit(words):  # "Play and Charge Kit" is a thing
        frame = "It comes with" if re.search(r"\bbundle\b", title, re.I) else "It has"
        return f"{frame} {_article(lowered)} {lowered}."
    if first in _THIRD_PERSON and clause.split()[0].rstrip(":,").isalpha():
        verb, _, rest = lowered.partition(" ")
        return f"It {verb.rstrip(':')} {rest}.".replace(" .", ".")
    if first in ("can", "will") and clause.split()[0].isalpha():  # "Can be used to …"
        return f"It {lowered}."
    if first == "also" and words[1:2] and words[1] in _THIRD_PERSON:  # "Also includes 64GB …"
        return f"It {lowered}."
    if first == "featuring" and len(words) > 1:  # "Featuring double tap, …"
        return f"It features {clause.split(maxsplit=1)[1]}."
    if first in _PARTICIPLES and clause.split()[0].isalpha():
        return f"It is {lowered}."
    if (joined := _THEN_VERB.match(clause)) and _subjectless(joined["thing"], joined["verb"]):
        thing = _noun_phrase(joined["thing"], names)
        return f"It has {thing} and {joined['verb'].lower()}{joined['rest']}."
    if _NOUN_PARTICIPLE.match(clause) and clause.split()[1].lower() in _PARTICIPLES:
        return f"It is {lowered}."
    if first.endswith("able") and is_plain_word(first) and clause.split()[0].isalpha():
        return f"It is {_lower_first(clause, names)}."  # "Dimmable via app"
    passive = _REDUCED_PASSIVE.match(clause)
    if passive and passive["noun"].lower() in _MODIFIERS:  # "Voice Controlled With Alexa"
        return f"It is {lowered}."
    auxiliary = bool(passive) and bool(set(tokens(passive["noun"])) & _VERBS)  # "Can be used"
    if passive and (
        auxiliary or first in _IMPERATIVES or "VERB" not in parts_of_speech(passive["part"])
    ):
        passive = None
    if passive:
        noun = _lower_first(passive["noun"], names)
        return f"The {noun} is {passive['part']} {passive['rest']}."
    if words[:2] == ["access", "to"]:  # "Access to entertainment apps" is a noun
        return f"It has {lowered}."
    bidding = words[1:2] in (["your"], ["the"]) and "VERB" in parts_of_speech(first)
    if (
        first in _IMPERATIVES
        or bidding
        or _VERBS & set(words[1:])
        or first in ("this", "the", "no")
    ):
        return f"{clause}."
    if words[:2] == ["less", "than"] and re.match(r"\S+ \S+ \d", clause):  # "Less than 0.55lbs"
        return f"It is {lowered}."
    if first == "up" and words[1:2] == ["to"]:  # "Up to 18 hours of battery life"
        return f"It offers {lowered}."
    easy = clause.split()[0].lower() == first
    if words[1:2] in (["for"], ["to"]) and first in _FOR_ADJECTIVES and easy:  # "Ideal for …"
        return f"It is {lowered}."
    if words[-1] in _ADJECTIVE_END:  # "Nvidia G-SYNC Compatible"
        return f"It is {lowered}."
    head = _head(clause)
    plural = head.endswith("s") and not head.endswith("ss")
    kind = TYPE_OF.get(stem(head)) if head and not plural else None
    bundle = bool(re.search(r"\bbundle\b", title, re.IGNORECASE))
    named = kind in product_types(clean_text(title), "") if kind else False
    if kind and kind != "system" and bundle and named:  # a bundle holds them, is none of them
        article = "" if re.match(r"(?:an?|the|\d)\b", lowered) else f"{_article(lowered)} "
        return f"It comes with {article}{lowered}."
    counted = bool(re.match(r"\d", lowered))  # "1 outdoor mesh router" is one of its parts
    if kind and kind != "system" and not counted and kind in product_types(clean_text(title), ""):
        # "Android TV" for a TV, "… Upright Digital Piano with Storage Bench" for a piano
        return f"It is {_article(lowered)} {lowered}."
    if _adjectives(clause):  # "Waterproof & Dustproof (IP67)" says what it is, not a part
        return f"It is {lowered}."
    return f"It has {_noun_phrase(clause, names)}."


_ADJECTIVE_ENDS = ("proof", "able", "ible", "resistant")


def _adjectives(clause: str) -> bool:
    """Only adjectives of resistance or ability, joined: "Waterproof & Dustproof (IP67)"."""
    main = re.sub(r"\s*\([^()]*\)", "", clause)
    words = [w.lower() for w in re.findall(r"[A-Za-z][\w-]*", main)]
    adjectives = [w for w in words if w.endswith(_ADJECTIVE_ENDS)]
    return bool(adjectives) and all(w in ("and", "&") or w in adjectives for w in words)


# Frames for a noun phrase. "comes with" and "includes" say what is in the box, so only an
# accessory or a plan takes them; a processor "powers" the product, a system is what it
# "runs"; every other part rotates through frames that state nothing more than "has".
_BOXED_HEADS_TEXT = """
warranty plan subscription membership trial credits credit cable cables cord remote charger
adapter bench bag case pencil stylus strap band bands tips kit accessories
"""
_BOXED_HEADS = frozenset(_BOXED_HEADS_TEXT.split())
_POWER_HEADS = frozenset(("processor", "chip", "cpu", "chipset"))
_SYSTEM = re.compile(r"^(?:Microsoft )?Windows \d|^(?:Chrome ?OS|macOS|iPadOS|Google TV)\b")
_SENTENCE_END = re.compile(r"(?<=[.!])\s+(?=It |The |[A-Z])")
_ROTATION = ("It has ", "It features ", "It also has ", "It offers ", "It has ")


def _frame_for(phrase: str, special: set[str]) -> str:
    """A frame the phrase's head calls for ("It is powered by", "It runs", "It comes with"),
    each once per description; "" when the phrase takes the rotation."""
    head = _head(phrase)
    if head in _POWER_HEADS and "power" not in special:
        special.add("power")
        return "It is powered by "
    if _SYSTEM.match(phrase) and "system" not in special:
        special.add("system")
        return "It runs "
    if head in _BOXED_HEADS:
        boxed = "It includes " if "boxed" in special else "It comes with "
        special.add("boxed")
        return boxed
    return ""


# the frames `vary_frames` gives, each a stand-in for "It has"
VARIED_FRAMES = ("It is powered by ", "It runs ", "It comes with ", "It includes ", *_ROTATION)


def vary_frames(sentences: list[str]) -> list[str]:
    """Every noun phrase said "It has …" reads as a form: each takes the frame its head calls
    for, or the next of frames that add no claim ("It features …", "It also has …"). An item
    may hold several sentences (a bullet that was two); each is varied, the items kept."""
    special: set[str] = set()
    count = 0
    varied = []
    for item in sentences:
        parts = []
        for sentence in _SENTENCE_END.split(item):
            if sentence.startswith("It has "):
                phrase = sentence[len("It has ") :]
                frame = _frame_for(phrase, special)
                if not frame:  # past the list, "offers" and "features" by turns: one "also"
                    frame = (
                        _ROTATION[count] if count < len(_ROTATION) else _ROTATION[(1, 3)[count % 2]]
                    )
                    count += 1
                sentence = frame + phrase
            elif sentence.startswith("It comes with "):  # a bundle's second device: "includes"
                if "boxed" in special:
                    sentence = "It includes " + sentence[len("It comes with ") :]
                special.add("boxed")
            parts.append(sentence)
        varied.append(" ".join(parts))
    return varied


# a footnote mark ("Performance³", "wall ***", "Emergency SOS ²", "Audio4"): the claim leans on a
# disclaimer the listing prints elsewhere, so the copy leaves the claim out rather than drop
# its qualifier
_FOOTNOTE_MARK = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰†‡]|\*|(?<=[a-z]{3})[1-9](?=[\s,.;:)]|$)")


def footnoted(bullet: str) -> bool:
    """Whether a bullet carries a footnote mark: a claim with a qualifier the record lacks."""
    return bool(_FOOTNOTE_MARK.search(clean_text(bullet)))


def publishable_facts(record: ProductRecord, limit: int = 5) -> list[str]:
    """The facts worth a sentence: the record's, less any bullet with a footnote mark and any
    that repeats the opening; the next bullets take their places."""
    lines = [line for bullet in record.bullets for line in bullet.splitlines() if line.strip()]
    marked = [clean_fact(b) for b in lines if footnoted(b)]
    marked = [m for m in marked if m]
    facts: list[str] = []
    for fact in replace(record, bullets=lines).facts(limit=len(lines)):  # a line is a bullet
        breaks = [m.start() for m in _SENTENCE_BREAK.finditer(fact)]
        if dangling(fact) and breaks:  # "… control only. Do not use with"
            fact = fact[: breaks[-1] + 1]
        if facts and dangling(facts[-1]):  # "Intel Wi-Fi 6E (2x2) Gig+ and" | "Bluetooth"
            facts[-1] = f"{facts[-1]} {fact}"
        elif not any(fact == m or fact.startswith(f"{m} ") for m in marked):
            facts.append(fact)
    facts = [f for f in facts if not dangling(f) and not repeats_title(f, record.title)]
    return facts[:limit]


# a bullet cut off mid-phrase: it ends in a word that needs another after it
_DANGLING = re.compile(r"\b(?:and|or|with|to|for|of|the|a|an|by|in|on|from|plus)$", re.IGNORECASE)
# a sentence ends inside a bullet: ". " then a capital ("e.g. cable" is no break)
_SENTENCE_BREAK = re.compile(r"\.\s+(?=[A-Z])")


def dangling(fact: str) -> bool:
    """Cut off mid-phrase; "switched on" or "plugged in" (a particle after its verb) is whole."""
    if not _DANGLING.search(fact):
        return False
    *before, last = fact.split()
    particle = last.lower() in ("on", "in") and bool(before) and before[-1].lower().endswith("ed")
    return not particle


def repeats_title(fact: str, title: str) -> bool:
    """A bullet that says nothing the opening (the short title) has not: "Digital Piano" for
    "… Digital Piano". The title's tail is not in the opening, so its bullets stay."""
    said = {stem(w) for w in tokens(fact) if len(w) > 2 or w[0].isdigit()}
    named = {stem(w) for w in tokens(short_title(title))}
    return bool(said) and said <= named


def english_description(record: ProductRecord, facts: list[str]) -> str:
    sentences = [opening_sentence(record), *(fact_sentence(fact, record.title) for fact in facts)]
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
    return english_description(record, publishable_facts(record))
