"""Whether a model-written benefit clause earns its place beside the fact-only sentence.

A hand reading of 20 v5 descriptions found 14 clauses from SmolLM2-135M: 3 helped a little,
11 read worse than the fact alone. The bad ones fail in a few recognisable ways, each cheap
to spot without a model: the clause repeats the fact's or title's words in a template ("Game
+ Sports Mode lets you play games and sports"), ranks the product ("makes the top desktop
computer"), negates ("keeps the fun out of your life"), says nothing ("lets you see
everything"), or talks about the product instead of the shopper ("…with your TV"). A clause
is kept only when it opens with a benefit verb, avoids all of those, and names an outcome a
shopper notices (smooth, clear, comfortably…). The list is closed on purpose: a clause it
does not know is refused, and the fact-only sentence is published instead.
"""

from __future__ import annotations

import re

from writer.product_type import TYPE_OF
from writer.words import stem, tokens

# how the few-shot examples join a fact to its benefit; anything else is a different sentence
_BENEFIT_VERBS_TEXT = "keeps lets makes helps gives brings"
_BENEFIT_VERBS = frozenset(_BENEFIT_VERBS_TEXT.split())
# outcomes a shopper notices, none of them a spec, a ranking or a safety promise
_OUTCOMES_TEXT = """
smooth smoothly sharp crisp clear clearly comfortable comfortably quiet quietly steady stable
tidy organized organised bright vivid lifelike natural naturally detailed responsive fluid
precise precisely easily effortless effortlessly convenient conveniently seamless seamlessly
relaxed cool cooler sharper clearer brighter smoother quieter hands-free
"""
_OUTCOMES = frozenset(_OUTCOMES_TEXT.split())
_RANKING_TEXT = """
top best ultimate perfect greatest finest leading unbeatable unmatched unrivaled unrivalled
supreme world-class number ever most ideal must-have latest premium professional flawless
"""
_RANKING = frozenset(_RANKING_TEXT.split())
_NOT_SUPERLATIVE_TEXT = """
interest rest test guest forest honest modest request chest nest west vest quest digest invest
protest contest suggest
"""
_NOT_SUPERLATIVE = frozenset(_NOT_SUPERLATIVE_TEXT.split())
_NEGATIVE_TEXT = "no not never nothing without out none less lack lose n't cannot"
_NEGATIVE = frozenset(_NEGATIVE_TEXT.split())
_VAGUE_TEXT = "everything anything all around stuff things thing whatever just something lot"
_VAGUE = frozenset(_VAGUE_TEXT.split())
# words a clause may share with its fact without restating it: the frame, not the content
_FRAME_TEXT = "you your it its the a an and of to in on with for any every keep let make"
_FRAME = frozenset(stem(word) for word in [*_FRAME_TEXT.split(), *_BENEFIT_VERBS])
# type nouns that are also everyday words ("in any light", "watch a film", "plan ahead")
_NOT_A_PRODUCT_TEXT = "light plan protection panel drive watch lock plug mesh pen system kit cam"
_NOT_A_PRODUCT = frozenset(stem(word) for word in _NOT_A_PRODUCT_TEXT.split())


def clause_verdict(clause: str, fact: str, title: str) -> str | None:
    """Why `clause` (the words the model added after the fact, or after the product's name
    for the opening) should not be published; None when it may be."""
    words = [word.strip("'’-") for word in tokens(clause)]
    words = [word for word in words if word]
    if not words or words[0] not in _BENEFIT_VERBS:
        return "does not open with a benefit verb"
    if "#1" in clause or any(_ranks(word) for word in words):
        return "ranks the product"
    if any(word in _NEGATIVE or word.endswith("n't") for word in words):
        return "negates"
    if any(word in _VAGUE for word in words):
        return "says nothing in particular"
    known = {stem(word) for word in tokens(f"{fact} {title}")} - _FRAME
    repeated = sorted({word for word in words if stem(word) in known})
    if repeated:
        return f"restates the fact: {', '.join(repeated)}"
    named = [word for word in words if stem(word) in TYPE_OF and stem(word) not in _NOT_A_PRODUCT]
    if named:
        return f"names the product, not the shopper's gain: {named[0]}"
    if not any(word in _OUTCOMES for word in words):
        return "no outcome a shopper notices"
    return None


def _ranks(word: str) -> bool:
    if word in _RANKING:
        return True
    return bool(re.fullmatch(r"[a-z]{3,}i?est", word)) and word not in _NOT_SUPERLATIVE
