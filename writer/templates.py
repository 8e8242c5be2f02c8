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


def fact_sentence(fact: str) -> str:
    """A bullet as a sentence, its wording untouched so nothing is added to it."""
    sentence = fact.rstrip(" .,:;")
    if not sentence:
        return ""
    first = sentence[0].upper() if sentence[0].isascii() else sentence[0]  # not "α9" -> "Α9"
    return f"{first}{sentence[1:]}."


def english_description(record: ProductRecord, facts: list[str]) -> str:
    sentences = [opening_sentence(record), *(fact_sentence(fact) for fact in facts)]
    return " ".join(sentence for sentence in sentences if sentence)


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
