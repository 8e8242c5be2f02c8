"""Personal identifiers as text patterns, in one place: what the entity extractor reads
from a shopper and what the writer's safety check refuses in product copy."""

from __future__ import annotations

import re

# the local part starts where a word does, so a long run of letters is scanned once, not once
# per letter
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# a phone number a shopper gives: North American or mainland China mobile
PHONE = re.compile(
    r"(?<![\d-])(?:\+?\d{1,3}[ -]?)?(?:\(\d{3}\)|\d{3})[ -]?\d{3}[ -]?\d{4}(?![\d-])"
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"
)
# any phone number in product copy: international, E.164 or mainland China mobile; broader,
# because copy should hold none at all
PHONE_ANYWHERE = re.compile(
    # a full stop after it ends the sentence; one before a digit would make it a longer number
    r"(?<![\w.+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)\s?|\d{2,4}[\s.-])\d{3,4}[\s.-]\d{3,4}(?!\w|\.\d)"
    r"|(?<![\w+])\+\d{8,15}(?!\d)"  # E.164
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"  # mainland China mobile
)
