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
    "speaker": ("speaker",),
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
    "router": ("router", "modem", "extender", "mesh"),
    "projector": ("projector",),
    "piano": ("piano",),
    "drum": ("drum",),
    "drone": ("drone",),
    "watch": ("watch", "smartwatch"),
    "battery": ("battery",),
    "storage": ("ssd", "drive", "hdd"),
    "lock": ("lock",),
    "system": ("system", "kit", "bundle", "nvr", "dvr"),
}
TYPE_OF = {stem(word): group for group, words in _TYPE_GROUPS.items() for word in words}
_CONTAINERS = {"system"}  # a bundle or kit is also each thing it bundles
_BEFORE_EXTRAS = re.compile(r"\b(?:with|for|includes?|including|plus)\b|\(|\+", re.IGNORECASE)
_PARTS = re.compile(r"\band\b|&|,|/", re.IGNORECASE)


def _types_in(text: str) -> list[str]:
    return [TYPE_OF[stem(word)] for word in tokens(text) if stem(word) in TYPE_OF]


def _heads(chunk: str) -> list[str]:
    """The head type of each coordinated part: "Video Doorbell … and … Security Cam Bundle"."""
    heads = []
    for part in _PARTS.split(chunk):
        found = _types_in(part)
        if found:
            heads.append(found[-1])
            if found[-1] in _CONTAINERS:  # "Security Cam Bundle" is a camera too
                heads.extend(found[:-1])
    return heads


def product_types(title: str, category: str = "") -> frozenset[str]:
    """The groups a product belongs to: heads of the title's segments, before any "with"."""
    heads: list[str] = []
    bundle = bool(re.search(r"\b(bundle|kit|system)\b", title, re.IGNORECASE))
    for segment in re.split(r"\s[-–|]\s|:\s", title):
        before, *after = _BEFORE_EXTRAS.split(segment, maxsplit=1)
        heads += _heads(before)
        if bundle and after:
            heads += _heads(after[0])
    if not heads:
        heads = _types_in(category)
    return frozenset(heads)


# "…, a TV." / "… is a great TV for your home" / "Meet the X, a home security system."
_ASSERTION = re.compile(
    r"(?:\bis|\bas|,)\s+(?:a|an)\s+([^.,;:!?()]{1,60}?)(?=\s(?:for|from|with|that|which|to|in|"
    r"on|and|by|of)\b|[.,;:!?()]|$)",
    re.IGNORECASE,
)


def asserted_types(sentence: str) -> list[tuple[str, str]]:
    """(words, type group) for each "is a …" / ", a …" the sentence says the product is."""
    found = []
    for match in _ASSERTION.finditer(sentence):
        groups = _types_in(match.group(1))
        if groups:
            found.append((match.group(0).strip(" ,"), groups[-1]))
    return found
