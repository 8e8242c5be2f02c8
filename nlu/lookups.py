"""Catalog vocabularies for entities: brands and categories, read from the catalog database."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from nlu.brands import BRAND_ALIASES
from nlu.spelling import SpellingCorrector, words_of

# Words shoppers use for a category, beyond the category's own name.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "Laptops & Notebook Computers": ("laptop", "laptops", "notebook", "chromebook", "笔记本"),
    "Gaming Laptops & Notebook Computers": ("gaming laptop", "gaming laptops", "游戏本"),
    "TVs": ("tv", "tvs", "television", "televisions", "电视"),
    "Headphones & Earbuds": ("headphones", "headphone", "earbuds", "headset", "耳机"),
    "Monitors": ("monitor", "monitors", "display", "显示器"),
    "iPad & Tablets": ("ipad", "tablet", "tablets", "平板"),
    "Smart Watches": ("smart watch", "smartwatch", "watch", "手表"),
    "Desktop Computers & PCs": ("desktop", "desktops", "pc", "台式机"),
    "Gaming Desktop Computer & PCs": ("gaming pc", "gaming desktop"),
    "Routers, Wifi Extenders & Modems": ("router", "routers", "modem", "extender", "路由器"),
    "Speakers & Voice Assistants": ("speaker", "speakers", "alexa", "音箱"),
    "Soundbars & Home Theater": ("soundbar", "soundbars", "home theater", "回音壁"),
    "Home Security Systems & Cameras": ("security camera", "doorbell", "摄像头", "门铃"),
    "Cameras & Camcorders": ("camera", "cameras", "camcorder", "相机"),
    "Video Games & Consoles": ("console", "consoles", "xbox", "playstation", "switch", "游戏机"),
    "Projectors": ("projector", "projectors", "投影仪"),
    "Batteries": ("battery", "batteries", "power station", "电池"),
    "Hard Drives, SSD & Storage": ("hard drive", "ssd", "external drive", "硬盘"),
    "Musical Instruments": ("guitar", "piano", "keyboard", "drum", "吉他", "钢琴"),
    "Phones & Two-way Radios": ("phone", "radio", "walkie talkie", "手机", "对讲机"),
}


@dataclass(frozen=True)
class CatalogLookups:
    brands: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    category_words: dict[str, str] = field(default_factory=dict)
    # every word of the catalog's titles, categories and bullets, as often as it occurs
    words: tuple[str, ...] = ()

    @classmethod
    def from_catalog(cls, path: Path) -> CatalogLookups:
        """Brands with at least two products (single ones are mostly noise) and categories."""
        if not path.exists():
            return cls()
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            brands = [
                row[0]
                for row in db.execute(
                    "SELECT brand FROM products GROUP BY brand HAVING COUNT(*) >= 2"
                )
            ]
            categories = [row[0] for row in db.execute("SELECT DISTINCT category FROM products")]
            texts = [
                text
                for row in db.execute("SELECT title, category, features FROM products")
                for text in row
            ]
        words = {
            word: category
            for category, aliases in CATEGORY_WORDS.items()
            if category in categories
            for word in aliases
        }
        vocabulary = [*words_of(texts), *(w for w in words if w.isascii())]
        return cls(
            tuple(sorted(brands, key=len, reverse=True)),
            tuple(categories),
            words,
            tuple(vocabulary),
        )

    @cached_property
    def spelling(self) -> SpellingCorrector:
        return SpellingCorrector.for_catalog(self.words)

    def brand_pattern(self) -> re.Pattern[str]:
        return self._brand_pattern

    @cached_property
    def _brand_pattern(self) -> re.Pattern[str]:
        """Latin brand names as whole words; Chinese aliases anywhere (no spaces in Chinese)."""
        latin = [re.escape(b) for b in self.brands if len(b) >= 2]
        chinese = "|".join(map(re.escape, BRAND_ALIASES))
        words = rf"(?<![A-Za-z0-9])({'|'.join(latin)})(?![A-Za-z0-9])|" if latin else ""
        return re.compile(f"{words}({chinese})", re.IGNORECASE)

    def canonical_brand(self, text: str) -> str:
        if text in BRAND_ALIASES:
            return BRAND_ALIASES[text]
        return next((b for b in self.brands if b.lower() == text.lower()), text)
