"""Capitals in record text: which words are names or codes, Title Case bullets and spec
headings in sentence case ("AMD Ryzen 7 7730U (8-Core) Processor" -> "… (8-core) processor")."""

from __future__ import annotations

import re

from writer.words import parts_of_speech

# words a dictionary has no class for, but that are plain English, not names
_FUNCTION_TEXT = """
a an the and or nor of for with without to in on at by from into onto over under than then
via per as up out off only through each every all any your you our its it this that these
those is are be can will not no yes both either app apps
"""
FUNCTION_WORDS = frozenset(_FUNCTION_TEXT.split())
# words of a product's name that stay capitalised beside a model code ("Windows 11 Home")
_NAME_WORDS_TEXT = "windows core pro max ultra plus mini air series gen home edition gig"
NAME_WORDS = frozenset(_NAME_WORDS_TEXT.split())
# brands whose names are dictionary words, kept capitalised wherever they stand
_BRANDS_TEXT = """
android apple google amazon alexa windows microsoft intel ring blink nest echo chrome galaxy
surface fire kindle bluetooth
"""
_BRANDS = frozenset(_BRANDS_TEXT.split())


def is_plain_word(word: str) -> bool:
    """Whether a word is plain English: a dictionary word, a function word, or a compound of
    two dictionary words ("Backlit", "Keybed", "Touchscreen")."""
    word = word.lower().removesuffix("’s").removesuffix("'s")
    if word in FUNCTION_WORDS or parts_of_speech(word):
        return True
    if word.endswith("able") and len(word) > 6:  # "dimmable", "tunable": a verb's "-able"
        root = word[:-4]
        if any(parts_of_speech(r) for r in (root, root + "e", root[:-1])):
            return True
    return any(
        parts_of_speech(word[:cut]) and parts_of_speech(word[cut:])
        for cut in range(3, len(word) - 2)
    )


def is_code(word: str) -> bool:
    """A model code or acronym: a digit, or a capital after the first letter ("HDMI",
    "ProMotion", "M2", "G-SYNC")."""
    return any(
        any(ch.isdigit() for ch in part) or part[1:] != part[1:].lower()
        for part in word.split("-")
        if part
    )


def is_proper(word: str, names: frozenset[str]) -> bool:
    """A word that keeps its capitals inside a sentence: a code, the brand, or a name no
    dictionary has ("Nintendo", "Wi-Fi"; "Pre-Installed" and "Head-to-Toe" are plain)."""
    if is_code(word) or word.lower() in names or word.lower() in _BRANDS:
        return True
    return not any(is_plain_word(part) for part in word.split("-") if part)


_WORD_TOKEN = re.compile(r"[A-Za-z][\w'’]*(?:-[\w'’]+)*|\d[\w.\"-]*")


def record_names(title: str) -> frozenset[str]:
    """The record's own names: its brand (the title's first word)."""
    first = re.findall(r"[A-Za-z][\w-]*", title)
    return frozenset(first[:1]) | frozenset(w.lower() for w in first[:1])


def _title_cased(words: list[str]) -> bool:
    """Most plain words of four letters or more written capitalised: a Title Case bullet."""
    plain = [w for w in words[1:] if len(w) >= 4 and w[0].isalpha() and not is_code(w)]
    plain = [w for w in plain if all(is_plain_word(part) for part in w.split("-") if part)]
    capitalised = sum(w[0].isupper() for w in plain)
    return bool(plain) and capitalised >= 0.6 * len(plain) and (capitalised >= 2 or len(plain) == 1)


def _in_name(words: list[str], index: int) -> bool:
    """A word a name holds: before "Processor" and its code ("Cognitive Processor XR"), or
    after a name word that follows a figure ("10MP Ultra Wide")."""
    word, after, before = (
        words[index],
        words[index + 1 : index + 3],
        words[max(0, index - 2) : index],
    )
    if len(after) == 2 and after[0] == "Processor" and is_code(after[1]):
        return True
    return (
        len(before) == 2
        and before[1].lower() in NAME_WORDS
        and before[1][0].isupper()
        and bool(re.search(r"\d", before[0]))
        and is_plain_word(word)
    )


def sentence_case(text: str, title: str = "") -> str:
    """A Title Case bullet in sentence case ("Allows You To Access All Your Cameras" ->
    "allows you to access all your cameras"), keeping codes, units, the brand, names no
    dictionary has, and name words beside a code that the title capitalises too ("Windows
    11 Home"). A bullet in sentence case already keeps its capitals: they are names."""
    found = list(_WORD_TOKEN.finditer(text))
    words = [m.group(0) for m in found]
    if not _title_cased(words):
        return text
    names = record_names(title)
    in_title = {w for w in re.findall(r"[A-Za-z][\w-]*", title) if w[0].isupper()}
    proper = [is_proper(w, names) for w in words]
    out = list(text)
    for index, match in enumerate(found):
        word = words[index]
        if index == 0 or proper[index] or not word[0].isupper():
            continue
        if re.match(r":[A-Z]", text[match.end() : match.end() + 2]):
            continue  # "DTS Virtual:X" is a name
        near = [i for i in (index - 1, index + 1) if 0 <= i < len(words) and proper[i]]
        if index - 1 in near and word in in_title and not is_code(words[index - 1]):
            continue  # "Swann Security", as the title writes it (not "4K Security")
        if word.lower() in NAME_WORDS and any(re.search(r"\d", words[i]) for i in near):
            continue  # "Windows 11 Home", "Core i7"
        if _in_name(words, index):
            continue
        out[match.start()] = word[0].lower()
        for dash in (m.start() + 1 for m in re.finditer(r"-[A-Z]", word)):
            out[match.start() + dash] = word[dash].lower()
    return "".join(out)


# the generic head of a spec string, capitalised only because the bullet was a heading:
# "AMD Ryzen 7 7730U (8-Core) Processor" is an "(8-core) processor"
_SPEC_HEADS_TEXT = """
processor chip display touchscreen screen webcam keyboard graphics camera speakers speaker
drive storage memory panel
"""
_SPEC_HEADS = frozenset(_SPEC_HEADS_TEXT.split())
NUMBERED_WORD = re.compile(r"(?<=\d-)[A-Z][a-z]+\b")  # "8-Core", "250-Nits", "4-Zone"
_SPEC_WORD = re.compile(r"(?<=\s)[A-Z][a-z]+\b")
_MID_LOWER = frozenset(("during", "while", "with", "without", "for", "and", "or", "of", "than"))


def spec_case(text: str) -> str:
    """Spec strings in sentence case: a word after "N-" ("8-core", "250-nits") and a generic
    head after a model code or a figure ("7730U processor", "M2 Max chip", '15.6" touchscreen')
    in lower case. A head before a code stays a name ("Cognitive Processor XR")."""
    text = NUMBERED_WORD.sub(lambda m: m.group(0).lower(), text)
    text = re.sub(r"(?<=\s)W/(?=\s)", "w/", text)  # "compatible W/ 2.4GHz Wi-Fi"
    text = re.sub(r"(?<=\d )(?:Yrs?|Year|Years|Months?)\b", lambda m: m.group(0).lower(), text)

    def head(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() in _MID_LOWER and not re.search(r"[.!?:;]\s*$", text[: match.start()]):
            return word.lower()  # "up to 1 hour During a Wi-Fi outage"
        before = [w.strip("()") for w in text[: match.start()].split()]
        before = [w for w in before if w.lower() not in NAME_WORDS]
        after = text[match.end() :].split()[:1]
        follows_code = any(is_code(w) or '"' in w for w in before[-2:])
        code = after[0].strip(",.;:()") if after else ""
        names_code = bool(re.search(r"\d", code)) or (word == "Processor" and is_code(code))
        if word.lower() in _SPEC_HEADS and follows_code and not names_code:
            return word.lower()
        return word

    return _SPEC_WORD.sub(head, text)
