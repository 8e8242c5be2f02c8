"""Deterministic descriptions built from the record alone: the fallback that is always true."""

from __future__ import annotations

import re

from writer.records import ProductRecord, short_title


def _singular(category: str) -> str:
    head = re.split(r"\s[&,]\s|,", category)[0].strip()
    return head[:-1] if head.endswith("s") and not head.endswith("ss") else head


def product_noun(record: ProductRecord) -> str:
    """'Laptops & Notebook Computers' -> 'laptop', keeping acronyms such as 'TV'."""
    return " ".join(
        word if sum(char.isupper() for char in word) > 1 else word.lower()
        for word in _singular(record.category).split()
    )


def opening_sentence(record: ProductRecord) -> str:
    category = product_noun(record)
    name = short_title(record.title)
    if not category:
        return f"Meet the {name}."
    if not record.brand or record.brand.lower() in name.lower():
        return f"Meet the {name}, a {category}."
    return f"Meet the {name}, a {category} from {record.brand}."


def fact_sentence(fact: str) -> str:
    """A bullet as a sentence, its wording untouched so nothing is added to it."""
    sentence = fact.rstrip(" .,:;")
    return f"{sentence[0].upper()}{sentence[1:]}." if sentence else ""


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
