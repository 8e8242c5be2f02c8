"""What a product is, read from its title (the category column only when the title names
nothing): a TV mount is a mount, a mounting service a service, a gift card a card."""

from __future__ import annotations

import re

from writer.words import stem, tokens

# Nouns that name what a product is; each maps to its group, so synonyms agree.
_TYPE_GROUPS: dict[str, tuple[str, ...]] = {
    "tv": ("tv", "tvs", "television"),
    "monitor": ("monitor",),
    "laptop": ("laptop", "notebook", "chromebook", "macbook"),
    "desktop": ("desktop", "tower", "pc", "computer"),
    "tablet": ("tablet", "ipad"),
    "smartphone": ("smartphone", "iphone"),
    "phone": ("phone", "handset"),
    "console": ("console",),
    "speaker": ("speaker", "subwoofer"),
    "soundbar": ("soundbar",),
    "receiver": ("receiver",),
    "headphones": ("headphone", "earbud", "earphone", "airpod"),
    "camera": ("camera", "cam", "webcam", "camcorder"),
    "doorbell": ("doorbell",),
    "floodlight": ("floodlight", "light"),
    "mount": ("mount",),
    "service": ("service",),
    "card": ("card",),
    "protection plan": ("protection", "plan"),
    "charger": ("charger", "panel"),
    "sensor": ("sensor", "detector"),
    "keyboard": ("keyboard",),
    "mouse": ("mouse",),
    "stylus": ("pencil", "stylus", "pen"),
    "router": ("router", "extender", "mesh"),
    "modem": ("modem",),
    "projector": ("projector",),
    "piano": ("piano",),
    "drum": ("drum",),
    "drone": ("drone",),
    "watch": ("watch", "smartwatch"),
    "battery": ("battery",),
    "storage": ("ssd", "drive", "hdd"),
    "lock": ("lock",),
    "subscription": ("subscription", "membership"),
    "controller": ("controller", "gamepad"),
    "thermostat": ("thermostat",),
    "plug": ("plug",),
    "bulb": ("bulb",),
    "system": ("system", "kit", "bundle", "nvr", "dvr"),
}
TYPE_OF = {stem(word): group for group, words in _TYPE_GROUPS.items() for word in words}
# the nouns themselves, singular and plural ("bundled" is no bundle)
_NOUN_OF = {
    form: group
    for group, words in _TYPE_GROUPS.items()
    for word in words
    for form in (word, word + "s")
}
# Kinds within a group: each is the group's type, but the group does not make a product one
# (over-ear headphones are no earbuds, a speaker no subwoofer, a router no mesh extender).
FORMS = frozenset(
    stem(word)
    for word in (
        "earbud", "earphone", "airpod", "subwoofer", "webcam", "camcorder", "chromebook",
        "macbook", "ipad", "iphone", "extender", "mesh", "smartwatch",
    )
)  # fmt: skip
_CONTAINERS = {"system"}  # a bundle or kit is also each thing it bundles
# "Plus" in a name ("Inspiron Plus 16\" Laptop") is no extra; "plus" in prose is
_BEFORE_EXTRAS = re.compile(r"\b(?:[Ww]ith|WITH|[Ff]or|FOR|[Ii]nclud(?:es?|ing)|plus)\b|\(|\+")
_PARTS = re.compile(r"\band\b|&|,|/", re.IGNORECASE)


def _types_in(text: str) -> list[str]:
    words = tokens(text)
    found = []
    for index, word in enumerate(words):
        group = TYPE_OF.get(stem(word))
        beside = {TYPE_OF.get(stem(w)) for w in words[max(0, index - 1) : index + 2]}
        if group == "battery" and beside - {None, "battery", "system"}:
            continue  # "Stick Up Cam Battery", "Battery Camera": the device that runs on one
        if group:
            found.append(group)
    return found


def _heads(chunk: str) -> list[str]:
    """The head type of each coordinated part: "Video Doorbell … and … Security Cam Bundle"."""
    heads = []
    for part in _PARTS.split(chunk):
        found = _types_in(part)
        if found:
            heads.append(found[-1])
            if found[-1] in _CONTAINERS:  # "Security Cam Bundle" is a camera too
                heads.extend(found[:-1])
            elif found[-1] == "router" and "modem" in found:  # a "Cable Modem Router" is both
                heads.append("modem")
    return heads


_ASIDE = re.compile(r"\([^()]{0,80}\)")


def _title_heads(title: str) -> list[str]:
    heads: list[str] = []
    title = _ASIDE.sub(" ", title)  # "14" OLED (2880 x 1800) 120Hz Laptop": the aside goes
    if re.search(r"\b2-in-1\b", title):  # a 2-in-1 laptop is a tablet too
        heads.append("tablet")
    bundle = bool(re.search(r"\b(bundle|kit|system)\b", title, re.IGNORECASE))
    for segment in re.split(r"\s[-–|]\s|:\s", title):
        before, *after = _BEFORE_EXTRAS.split(segment, maxsplit=1)
        joined = _heads(before)
        heads += joined
        if len(set(joined) - {"system"}) >= 2 and _PARTS.search(before):
            heads.append("system")  # "Battery Doorbell Plus and Indoor Cam": a bundle
        if bundle and after:
            heads += _heads(after[0])
    return heads


def product_types(title: str, category: str = "") -> frozenset[str]:
    """The groups a product belongs to: heads of the title's segments, before any "with"
    (an aside in brackets skipped); the category column's when the title names none. The
    bullets are not asked: they name parts and what the product fits ("720p webcam",
    "Fits 42-90\" TVs"); as a fallback they made a thermostat a sensor."""
    return frozenset(_title_heads(title) or _types_in(category))


# "…, a TV." / "… is a great TV for your home" / "Meet the X, a home security system."
_ASSERTION = re.compile(
    r"(?:\bis|\bas|,)\s+(?:a|an)\s+([^.,;:!?()]{1,60}?)(?=\s(?:for|from|with|that|which|to|in|"
    r"on|and|by|of)\b|[.,;:!?()]|$)",
    re.IGNORECASE,
)
# a sentence that is a noun phrase alone: "A 90-inch TV.", "A complete security system in
# one box." (its last word before a preposition or the end is what it names)
_BARE = re.compile(
    r"^(?:a|an)\s+([^.,;:!?()]{1,60}?)(?=\s(?:for|from|with|that|which|in|on|by|of)\b[^.!?]*"
    r"[.!]?$|\s*[.!]?$)",
    re.IGNORECASE,
)
# what a bare phrase may call the product only if it is one: never a part of another product
# (a camera, a drive, a speaker or a battery is named as a part as often)
_WHOLE_PRODUCTS = frozenset(
    (
        "tv", "monitor", "laptop", "desktop", "tablet", "smartphone", "console", "soundbar",
        "receiver", "router", "projector", "drone", "watch", "system", "mount", "service",
        "doorbell", "thermostat", "piano",
    )
)  # fmt: skip
# a security system is a product of its own; a "sound system" or a "130-watt system" is a
# speaker's way of speaking
_SECURITY = re.compile(r"\b(?:security|alarm)\b", re.IGNORECASE)
# "doubles as a charger", "serves as a hub": what a part also does
_ROLE_VERB = re.compile(r"\b(?:doubles?|doubling|serves?|serving|acts?|acting)\s$", re.I)
# ", an extra battery and a memory card are in the box": an item of a list, not an apposition
_LIST_ITEM = re.compile(r"\s(?:and|or)\s(?:a|an|the|\d)\b", re.IGNORECASE)


# "This Nintendo console comes with …": the product named by the kind it is said to be
_THIS = re.compile(
    r"^this\s+([^.,;:!?()]{1,60}?)\s(?=(?:is|comes|has|lets|gives|keeps|offers)\b)", re.I
)


def asserted_types(sentence: str) -> list[tuple[str, str]]:
    """(words, type group) for each "is a …" / ", a …" / "This … is" the sentence says the
    product is."""
    found = []
    this = _THIS.match(sentence)
    if this and _types_in(this.group(1)):
        found.append((this.group(0).strip(), _types_in(this.group(1))[-1]))
    for match in _ASSERTION.finditer(sentence):
        if match.group(0).startswith(",") and _LIST_ITEM.match(sentence, match.end()):
            continue
        if _ROLE_VERB.search(sentence, max(0, match.start() - 20), match.start()):
            continue  # "a powerbank doubles as a charger": a second role, not what it is
        groups = _types_in(match.group(1))
        if groups:
            found.append((match.group(0).strip(" ,"), groups[-1]))
    return found


def named_type(sentence: str) -> tuple[str, str] | None:
    """(words, type group) of a sentence that is only a whole product's name: "A 90-inch TV.",
    "A complete home security system in one box."."""
    bare = _BARE.match(sentence)
    words = bare.group(1).split() if bare else []
    if not bare or len(words) > 5 or _PARTS.search(bare.group(1)):
        return None
    head = _NOUN_OF.get(words[-1].lower())
    if head == "desktop" and len(words) > 1 and _NOUN_OF.get(words[-2].lower()):
        head = _NOUN_OF[words[-2].lower()]  # "A laptop computer."; "computer" only qualifies
    if head not in _WHOLE_PRODUCTS or (head == "system" and not _SECURITY.search(bare.group(1))):
        return None
    return bare.group(0).strip(" ,."), head
