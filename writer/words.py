"""Words as the claim checker compares them: tokens, word forms, number words, synonyms.

A sentence's word is backed when the record has the same word in some form ("gamers" by
"Gaming", "colour" by "Color", "three" by "3"), a listed synonym ("stylus" by "Pencil"), or
when it is plain copy that states nothing (`PLAIN_WORDS`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from lemminflect import getAllLemmas
from rapidfuzz.distance import Levenshtein

# a word, a number with its unit glued on ("12GB", "1.5W"), "#1", or "b&w"; linear-time
TOKEN = re.compile(r"#?\d+(?:[.,]\d+)*[a-z%\"″”]*|[a-z]+(?:['’&][a-z]+)?", re.IGNORECASE)

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
    "dual": "2", "quad": "4", "twice": "2x", "dozen": "12",
}  # fmt: skip
# ordinals from "third" up ("first" and "second" are more often "at first", "a second one")
ORDINAL_WORDS = {
    "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th", "seventh": "7th",
    "eighth": "8th", "ninth": "9th", "tenth": "10th", "eleventh": "11th", "twelfth": "12th",
    "thirteenth": "13th", "fourteenth": "14th", "fifteenth": "15th",
}  # fmt: skip

# Words that state nothing a shopper could hold the shop to: grammar, plain verbs of
# benefit, everyday nouns. No quality, speed, audience or superlative word belongs here.
_PLAIN = """
a an the and or of for with to in on at by your you it its this that these those is are be
been being from up as all into onto out over per than then so too very also just only
can will lets let make makes making keep keeps keeping get gets go goes going come comes
take takes bring brings give gives help helps put puts stay stays find finds use uses using
enjoy set sets run runs work works hold holds handle handles power powers deliver delivers
offer offers feature features has have had there here when while where whether every each
any both more most much even right ready home room rooms day days night desk bag hand hands
life everyday daily music song songs movie movies show shows photo photos video videos
call calls work workday job task tasks everything something thing things way ways time
look looks feel feels sound sounds see watch listen play plays type typing carry
it's you're you'll that's there's they them their they're who which what how our we
clear smooth sharp comfortable comfortably simple simply easy easily quick quickly
crisp bright vivid rich steady stable little one ones own need needs needed without
around through across near inside outside behind along about after before until
connected connect connects pair pairs paired fit fits fitting include includes included
including built designed made comes came plan plans room wall walls view views place
go-to choose pick store stores save saves when's spend less
meet here's adds add added extra also along apart able whenever wherever anywhere
reaches reach fills fill heavy project projects straight tell tells happens happened fun party
working away outlet device devices phone shows lights light dark covers cover protects protect
travels travel slips body everywhere design sits adjusts tunes passes moves applied installs
install yourself like off snug size sizes matching connection text detail details action eyes
cuts clock file supply sold separately priced installer under pack port external monitor
elegant between among within beyond against toward towards upon via allow allows allowing
several many few multiple various enough together no not once box beside besides alongside
atop above below next
buy buys buying bought purchase purchases shop gear ship ships shipped shipping support
supports supported
well part whole entire means mean particular certain specific available another never
"""
# Closed-class words (pronouns, determiners, conjunctions, auxiliaries, degree and focus
# adverbs) carry grammar, not claims; "only", "every", "no" and "nothing" are judged by their
# own rules.
_FUNCTION = """
itself himself herself ourselves yourselves themselves myself yours other others else such
same
someone somebody anyone everyone anybody everybody
either neither nor but yet though although however whatever whichever whoever whose whom
since because if unless almost nearly roughly approximately still far plenty lot lots quite
rather fairly really already again ever instead what's it'll they'll we're isn't aren't
anything somewhere plus some problem content technology people media now ins
ease leave worry often down none measuring onboard board peace mind moving
check table hood plug space muscle unlike
doesn't don't won't can't do does did done might may must should would could shall
"""
# General nouns that stand for the product or a part of it without saying what it is
# ("this SANUS product", "four units")
_GENERAL_NOUNS = """
product products item items unit units piece pieces option options model models package
packages listing listings edition editions chassis finish setup placement deal line platform
name build configuration configurations"""
PLAIN_WORDS = (
    frozenset(_PLAIN.split()) | frozenset(_FUNCTION.split()) | frozenset(_GENERAL_NOUNS.split())
)
# Evaluative adjectives (appraisal, not attribute): how copy says it likes a thing, with
# nothing a shopper could measure or hold the shop to. Ranking words ("best", "perfect",
# "ideal") are superlatives and judged as such; measurable qualities ("fast", "quiet",
# "durable", "lightweight") are not here.
_EVALUATIVE = """
beautiful gorgeous stunning stylish sleek attractive lovely pleasant enjoyable impressive
amazing incredible great good nice fantastic excellent superb wonderful awesome striking
immersive engaging satisfying delightful handy convenient responsive lively polished refined
snappy versatile centerpiece clean modern straightforward
"""
EVALUATIVE_WORDS = frozenset(_EVALUATIVE.split())

# what a TV's apps and streaming run on
_TV_PLATFORMS = ("roku", "tizen", "webos", "google tv", "fire tv", "smart tv")
# A sentence's word -> record words any one of which backs it.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "television": ("tv",),
    "tv": ("television", "tvs"),
    "stylus": ("pencil", "pen"),
    "screen": ("display",),
    "display": ("screen", "touchscreen", "panel"),
    "speak": ("talk", "audio"),
    "talk": ("audio", "speak"),
    "visitor": ("doorbell", "talk", "audio", "intercom"),
    "number": ("numeric",),
    "pad": ("keypad",),
    "keys": ("keyboard", "keybed"),
    "key": ("keyboard", "keybed"),
    "cam": ("camera",),
    "camera": ("cam",),
    "earbud": ("earphone", "earbuds", "true wireless", "airpod", "airpods"),
    "earphone": ("earbud", "airpod", "airpods"),
    "hard": ("hdd",),
    "drive": ("hdd", "ssd"),
    "solid": ("ssd",),
    "storage": ("ssd", "hdd", "tb", "gb"),
    "charge": ("charging", "charger", "rechargeable"),
    "cordless": ("wireless",),
    "ultralight": ("lightweight",),
    "lightweight": ("ultralight", "light"),
    "notification": ("alert",),
    "alert": ("notification",),
    "colour": ("color",),
    "grey": ("gray",),
    "id": ("identification",),
    "provider": ("isp",),
    "assistant": ("google", "alexa", "siri"),
    "waterproofing": ("waterproof",),
    "sign": ("fingerprint",),
    "internet": ("isp", "wifi"),
    "surround": ("3d", "atmos"),
    "coverage": ("protection", "covered", "warranty"),
    "plan": ("protection",),
    "wifi": ("wi", "fi", "802.11"),
    "mesh": ("deco",),
    "wi": ("wifi", "802.11"),
    "fi": ("wifi", "802.11"),
    "memory": ("ram", "gb", "unified"),
    "resolution": ("x", "hd", "fhd", "qhd", "uhd", "1080p", "4k"),
    "full": ("fhd", "1080p", "1920"),
    "hd": ("fhd", "uhd", "qhd", "1080p"),
    "children": ("child",),
    "black": ("b&w",),
    "white": ("b&w",),
    "reflection": ("glare",),
    "clock": ("24/7",),
    # benign paraphrases the dev rows showed rejected: a word and the record words that back it
    "card": ("microsd", "sd", "sdxc", "sdhc"),
    "sd": ("microsd", "sdxc", "sdhc"),
    "fast": (
        "speed",
        "quick",
        "rapid",
        "superfast",
        "ultrafast",
        "refresh",
        "motion",
        "hz",
        "nvme",
        "ssd",
        "wifi 6",
        "wifi 7",
    ),
    "finish": ("gloss", "glossy", "matte", "satin", "brushed", "ebony", "walnut"),
    "battery": ("playtime", "listening", "flight", "rechargeable", "cordless"),
    "outdoor": ("weather", "weatherproof", "waterproof", "outdoors"),
    "yard": ("outdoor", "weather", "weatherproof", "waterproof"),
    "backyard": ("outdoor", "weather", "weatherproof", "waterproof"),
    "beach": ("outdoor", "weather", "weatherproof", "waterproof"),
    "patio": ("outdoor", "weather", "weatherproof", "waterproof"),
    # v5, dev rows only: everyday paraphrases of durability, streaming, cables and portability
    "surviv": ("resistant", "resistance", "rugged", "ruggedized", "durable", "shock", "proof"),
    "bump": ("shock", "drop", "rugged", "ruggedized", "resistance"),
    "splash": ("water", "waterproof", "weatherproof", "resistant", "ip"),
    "shrug": ("resistant", "resistance", "proof", "rugged", "ruggedized", "durable", "weather"),
    "protection": ("protect", "coverage", "ip"),  # "IP56" is the tokens "ip" and "56"
    "stream": (
        "wi",
        "wifi",
        "bluetooth",
        "wireless",
        "netflix",
        "airplay",
        "chromecast",
        "apps",
        *_TV_PLATFORMS,
    ),
    "cable": ("wired", "poe", "hdmi", "usb", "cord", "ethernet"),
    "portable": ("compact", "rugged", "ruggedized", "pocket", "travel", "external"),
    # a system names its devices: "iOS" backs "your iPhone" (a maker only where the record
    # says it works with it: see copy_check.MAKER_OF)
    "iphone": ("ios",),
    "ipad": ("ipados", "ios"),
    "mac": ("macos", "macbook", "imac"),
    "ios": ("iphone", "ipad"),
    # what a screen shows and how smoothly, what a processor runs
    "picture": ("display", "screen", "tv", "image", "hdr", "oled", "qled", "uhd", "4k", "monitor"),
    "hdr": ("hdr10", "hlg", "dolby vision"),
    "image": ("display", "screen", "tv", "picture", "hdr", "camera"),
    "motion": ("refresh", "hz", "blur", "motion", "person", "vehicle", "detection"),
    "multitask": ("core", "cpu", "processor", "ram", "memory"),
    "output": ("port", "displayport", "hdmi", "outlet", "usb"),
    "input": ("port", "displayport", "hdmi", "usb", "jack"),
    "fold": ("foldable", "folding", "convertible", "flip", "x360"),
    "app": (
        *_TV_PLATFORMS,
        "windows",
        "android",
        "ios",
        "ipados",
        "macos",
        "chromeos",
        "app",
        "ipad",
        "iphone",
        "tablet",
        "chromebook",
        "macbook",
        "imac",
        "laptop",
        "smartphone",
    ),
    # a trial is something to try; to link is to connect; audio is sound; a headset a headphone
    "try": ("trial", "demo", "demos"),
    "link": ("connect", "linkable", "pair"),
    "audio": ("sound", "speaker", "soundbar", "atmos", "talk", "microphone", "mic"),
    "setup": ("install", "installation", "set", "system", "kit"),
    # a gift card's value is credit; hiding cables is concealing them; a maker abbreviated
    "credit": ("gift", "balance", "funds"),
    "hide": ("conceal", "concealing", "concealed", "hidden"),
    "manufacturer": ("mfr", "mfg", "maker"),
    "appointment": ("book", "booking", "schedule"),
    "cool": ("cooling", "thermal", "heat", "fan", "fans"),
    # "a second controller" is the record's extra one
    "second": ("extra", "additional", "spare", "2nd"),
    "preinstalled": ("windows", "macos", "chromeos", "android", "ipados"),
    "gameplay": ("gaming", "game", "games"),
    "player": ("gaming", "game", "games"),
    # what a panel, footage, a network or a port is called in the listing's own words
    "panel": ("display", "screen", "touchscreen", "monitor", "tv", "lcd", "led", "oled", "qled"),
    # being online, connected or secure, in the listing's own words
    "online": ("cellular", "internet", "5g", "lte", "ethernet"),
    "connectivity": ("wi", "wifi", "bluetooth", "usb", "hdmi", "thunderbolt", "ethernet", "port"),
    "secure": ("fingerprint", "privacy", "security", "tpm", "encryption", "lock"),
    "face": ("hello", "facial"),
    "visual": ("display", "screen", "graphics", "gpu", "geforce", "radeon", "picture", "tv"),
    "scene": ("tv", "picture", "hdr", "motion", "camera"),
    "temperature": ("cooling", "thermal", "fan", "heat"),
    "intruder": ("security", "siren", "alarm", "spotlight", "deterrence", "motion"),
    "tuner": ("atsc",),
    "broadcast": ("atsc", "antenna", "tuner"),
    "nextgen": ("atsc",),
    "system": ("windows", "macos", "chromeos", "ipados"),  # an operating system
    "sensor": ("reader", "scanner", "fingerprint"),
    "chip": ("processor", "cpu", "gpu", "graphics", "soc"),
    "menu": ("remote", "interface"),
    "navigation": ("remote",),
    "tap": ("touch", "touchscreen"),
    "swipe": ("touch", "touchscreen"),
    "dim": ("backlit", "backlight", "illuminated", "night"),
    "late": ("backlit", "backlight", "illuminated", "night"),
    "homeowner": ("home", "house", "security"),
    "pcie": ("nvme",),
    "qhd": ("wqhd",),
    "artwork": ("art",),
    "footage": ("video", "recording", "recordings", "record"),
    "network": ("wi", "wifi", "ethernet", "router", "mesh"),
    "usb": ("thunderbolt", "type", "usbc"),
    "optical": ("dvd", "cd", "blu-ray"),
    "burn": ("write", "writes"),
    "band": ("loop", "strap", "bracelet"),
    "people": ("person",),
    "delivery": ("package", "packages"),
    "house": ("home",),
    "dedicated": ("geforce", "rtx", "radeon", "arc", "vram"),
    "headset": ("headphone", "headphones", "earphone", "earbud"),
    "ultra": ("uhd",),
    "bezel": ("edge", "zeroframe", "borderless", "frameless"),
    "illuminated": ("backlit", "backlight", "lit"),
    "backlight": ("backlit", "led", "array", "dimming"),
    "backlighting": ("backlit", "led", "array", "dimming"),
    "household": ("home", "house", "family"),
    "ethernet": ("poe",),
    # v13, fresh8's rejected paraphrases: smooth motion, hues, PTZ, voice commands
    "fluid": ("refresh", "hz", "motionflow", "motion rate"),
    "movement": ("refresh", "hz", "motionflow", "motion rate"),
    "hue": ("color", "colour", "gamut"),
    "ptz": ("pan tilt zoom",),
    "command": ("control", "controls", "voice"),
    "track": ("locate", "gps", "tracking", "tracker"),
    "nvme": ("pcie",),
    "smartwatch": ("watch",),
    "color": (
        "colour",
        "quantum",
        "nanocell",
        "dci-p3",
        "dci",
        "srgb",
        "hdr",
        "black",
        "white",
        "silver",
        "gray",
        "grey",
        "blue",
        "red",
        "green",
        "gold",
        "pink",
        "purple",
    ),
}
# a word and its clipped form back each other: "13th Gen" is the 13th generation
_CLIPPINGS = {
    "generation": "gen", "specification": "spec", "maximum": "max", "minimum": "min",
    "information": "info", "application": "app", "approximately": "approx",
    "temperature": "temp", "microphone": "mic", "configuration": "config",
    "photograph": "photo", "automatic": "auto", "refrigerator": "fridge",
    "professional": "pro", "bluetooth": "bt", "keyboard": "kb",
}  # fmt: skip
for _full, _clipped in _CLIPPINGS.items():
    SYNONYMS[_full] = (*SYNONYMS.get(_full, ()), _clipped)
    SYNONYMS[_clipped] = (*SYNONYMS.get(_clipped, ()), _full)


# A table entry is a synonym where the word also backs its partner ("reflection" and "glare",
# "headset" and "headphone"); where it only backs it one way (a yard is outdoor, outdoor gear
# need not suit a yard) it is a broader term and stays one way.
_MUTUAL = [
    ("reflection", "glare"), ("headset", "headphone"), ("headset", "headphones"),
    ("earbud", "earphone"), ("screen", "display"), ("cam", "camera"), ("colour", "color"),
    ("grey", "gray"), ("notification", "alert"), ("talk", "speak"), ("television", "tv"),
    ("cordless", "wireless"), ("hide", "conceal"), ("link", "connect"),
    ("big", "large"), ("spare", "extra"), ("spare", "additional"), ("extra", "additional"),
    ("cell", "battery"), ("track", "monitor"), ("shot", "photo"), ("surge", "peak"),
]  # fmt: skip
_SYMMETRIC: dict[str, tuple[str, ...]] = {
    word: tuple([b for a, b in _MUTUAL if a == word] + [a for a, b in _MUTUAL if b == word])
    for word in {w for pair in _MUTUAL for w in pair}
}


# a consonant doubled before a suffix ("drumm-er"); "ll", "ss", "ff", "zz" stay ("install")
_DOUBLED = re.compile(r"[aeiou]([bdgkmnprt])\1$")


def stem(word: str) -> str:
    """A crude English stem: enough for "gamers"/"gaming", "mounted"/"mount", "batteries"."""
    word = word.lower().strip("'’").replace("’", "'")
    word = word.removesuffix("'s")
    for british, american in (
        ("colour", "color"),
        ("centred", "center"),
        ("centre", "center"),
        ("grey", "gray"),
    ):
        word = word.replace(british, american)
    word = NUMBER_WORDS.get(word, word)
    if len(word) <= 3 or word[0].isdigit():
        return word
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ness", ""), ("ally", "al"), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + repl
            break
    for suffix in ("ing", "ers", "er", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "ed" and word[-3] == "e":  # "speed" is no past tense
                continue
            root = word[: -len(suffix)]
            if suffix in ("ing", "ers", "er", "ed") and _DOUBLED.search(root):
                return root[:-1]  # "drummers", "dimmed", "running": "drum", "dim", "run"
            return root
    return word


def tokens(text: str) -> list[str]:
    """Lower-case tokens; hyphenated words give their parts ("wi-fi" -> "wi", "fi")."""
    return [match.group(0).lower() for match in TOKEN.finditer(text.replace("‑", "-"))]


@lru_cache(maxsize=8192)
def parts_of_speech(word: str) -> frozenset[str]:
    """The word classes a dictionary gives the word ("brightens": VERB; "speeds": NOUN, VERB)."""
    return frozenset(getAllLemmas(word.lower()))


@lru_cache(maxsize=8192)
def lemmas(word: str) -> frozenset[str]:
    """The dictionary forms of a word ("flies": "fly"); a comparative or superlative keeps its
    degree ("deepest" is not "deep")."""
    return frozenset(
        lemma
        for pos, forms in getAllLemmas(word.lower()).items()
        for lemma in forms
        if pos not in ("ADJ", "ADV") or lemma == word.lower()
    )


@lru_cache(maxsize=8192)
def comparative_base(word: str) -> str:
    """The adjective a comparative is made from ("easier": "easy", "sharper": "sharp"); ""
    for any other word."""
    word = word.lower()
    if not word.endswith("er"):
        return ""
    found = getAllLemmas(word).get("ADJ", ())
    return next((lemma for lemma in found if lemma != word), "")


@lru_cache(maxsize=4096)
def _similar(a: str, b: str) -> bool:
    """One letter apart, as a misspelt name; never a code with a digit ("GDDR6X" is not
    "GDDR6", "A770" not "A750"): there one letter is another model."""
    if any(c.isdigit() for c in a + b):
        return False
    return len(a) >= 6 and len(b) >= 6 and Levenshtein.distance(a, b) <= 1


_DERIVATIONS = ("ibility", "ability", "ation", "ition", "ions", "ion", "ment", "ity", "ible",
                "able", "ance", "ence", "ant", "ent", "ive", "ize", "ise", "ing", "ly", "al", "ed",
                "es", "s", "e")  # fmt: skip


def derived_root(word: str) -> str:
    """The root a word shares with its derivations ("detected", "detection": "detect";
    "compatible", "compatibility": "compatib"); "" when too short to say."""
    word = word.lower()
    if word.endswith("lit"):
        word = word[:-3] + "light"  # "backlit", "backlighting"
    for _ in range(2):  # "confidently" -> "confident" -> "confid"
        suffix = next((x for x in _DERIVATIONS if word.endswith(x) and len(word) - len(x) >= 5), "")
        word = word[: len(word) - len(suffix)]
    return word if len(word) >= 5 and word.isalpha() else ""


# second parts that make an adjective of the first ("waterproof" says nothing of water)
_NOT_HEADS = frozenset(["proof", "free", "less", "like", "ready", "wise", "ful", "able"])


def synonyms_of(word: str, root: str) -> tuple[str, ...]:
    """The record words that back `word`: keyed by its stem, itself or its dictionary form
    ("intruders" by "intruder")."""
    found = SYNONYMS.get(root, SYNONYMS.get(word))
    if found is not None:
        return found
    return next((SYNONYMS[lemma] for lemma in sorted(lemmas(word)) if lemma in SYNONYMS), ())


def _is_word(word: str) -> bool:
    return len(word) >= 3 and bool(parts_of_speech(word))


class Vocabulary:
    """The words of a record, ready to answer "is this word backed?"."""

    def __init__(self, text: str) -> None:
        self.words = set(tokens(text))
        # "256GB" also backs the word "GB": units glued to numbers count as words
        self.words |= {
            m.group(1) for w in self.words if (m := re.match(r"\d[\d.,]*([a-z]{2,})$", w))
        }
        self.stems = {stem(word) for word in self.words}
        self.lemmas = {lemma for word in self.words for lemma in lemmas(word)}
        self.roots = {derived_root(word) for word in self.words} - {""}
        self.squashed = re.sub(r"[^a-z0-9\u03b1-\u03c9]", "", text.lower())  # "α9" stays

    def _holds(self, synonym: str) -> bool:
        """A synonym's stem is a record word's, or a phrase of it ("dolby vision") is in the
        record's text, spaces and hyphens aside."""
        if " " in synonym:
            return synonym.replace(" ", "") in self.squashed
        return stem(synonym) in self.stems

    def has(self, word: str) -> bool:
        word = word.lower()
        root = stem(word)
        if word in self.words or root in self.stems:
            return True
        if any(lemma in self.lemmas or stem(lemma) in self.stems for lemma in lemmas(word)):
            return True
        if any(self._holds(other) for other in synonyms_of(word, root)):
            return True
        if any(
            stem(other) in self.stems for other in _SYMMETRIC.get(word, _SYMMETRIC.get(root, ()))
        ):
            return True  # synonymy goes both ways: the record's "headset" backs "headphones"
        if len(word) >= 5 and word in self.squashed:  # "wirefree" inside "Wire-Free"
            return True
        forms = lemmas(word) or {root}  # a word the dictionary lacks: its crude stem
        if any(len(form) >= 6 and form in self.squashed for form in forms):
            return True  # "smartphones" by "Smart Phone"
        if self._prefixed(word):
            return True
        if self._head_of_compound(word, root) or self._modifier_in_compound(word):
            return True
        if derived_root(word) in self.roots:
            return True
        if any(self._able(base) for base in {word, *lemmas(word)}):
            return True
        if parts_of_speech(word):
            return False  # a dictionary word one letter from another is another word
        return any(  # a misspelling or a variant of a name ("Wifi" / "WiFi")
            _similar(root, other) for other in self.stems if abs(len(other) - len(root)) <= 1
        )

    def _able(self, verb: str) -> bool:
        """The record's "-able" adjective of the verb: "Dimmable" backs "dim", "Tunable"
        "tune"."""
        if len(verb) < 3 or not verb.isalpha():
            return False
        forms = {f"{verb}able", f"{verb.removesuffix('e')}able", f"{verb}{verb[-1]}able"}
        return bool(forms & self.words)

    def _prefixed(self, word: str) -> bool:
        """A verb made by "re-" or "un-" from one the record has: "recharge" by "Charge",
        "unlock" by "Lock"."""
        base = word[2:]
        return (
            word[:2] in ("re", "un")
            and len(base) >= 4
            and "VERB" in parts_of_speech(word)
            and "VERB" in parts_of_speech(base)
            and (base in self.words or any(lemma in self.lemmas for lemma in lemmas(base)))
        )

    def _head_of_compound(self, word: str, root: str) -> bool:
        """A record word that is a compound with this word as its head: "webcam" is a cam,
        so it backs "camera" (by its synonym "cam")."""
        heads = {word, root, *SYNONYMS.get(root, SYNONYMS.get(word, ()))}
        return any(
            other.endswith(head) and _is_word(other[: -len(head)])
            for head in heads
            if len(head) >= 3 and head.isalpha()
            for other in self.words
            if len(other) >= len(head) + 3
        )

    def _modifier_in_compound(self, word: str) -> bool:
        """A record compound with this noun as its first part: "doorbell" backs "door"."""
        return len(word) >= 4 and any(
            other.startswith(word)
            and other[len(word) :] not in _NOT_HEADS
            and "NOUN" in parts_of_speech(other[len(word) :])
            for other in self.words
            if len(other) >= len(word) + 3
        )
