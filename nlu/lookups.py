"""Catalog vocabularies for entities: brands and categories, read from the catalog database."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from nlu.brands import BRAND_ALIASES
from nlu.spelling import SpellingCorrector, words_of

# Words shoppers use for a category, beyond the category's own name: English, Simplified
# and Traditional Chinese. Words for things the catalog has no category for (鼠标, 键盘 as
# a computer keyboard, 打印机, 充电器) are left out: a filter would only find nothing.
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "Laptops & Notebook Computers": (
        *("laptop", "laptops", "notebook", "chromebook"),
        *("笔记本", "笔记本电脑", "本子", "手提电脑", "轻薄本", "筆記本", "筆記本電腦", "筆電"),
    ),
    "Gaming Laptops & Notebook Computers": (
        *("gaming laptop", "gaming laptops"),
        *("游戏本", "游戏笔记本", "電競筆電", "遊戲本", "遊戲筆記本"),
    ),
    "TVs": ("tv", "tvs", "television", "televisions", "电视", "电视机", "電視", "電視機"),
    "Headphones & Earbuds": (
        *("headphones", "headphone", "earbuds", "headset"),
        *("耳机", "耳麦", "蓝牙耳机", "无线耳机", "耳塞", "耳機", "耳麥", "藍牙耳機"),
    ),
    "Monitors": ("monitor", "monitors", "display", "显示器", "显示屏", "屏幕", "顯示器", "螢幕"),
    "iPad & Tablets": ("ipad", "tablet", "tablets", "平板", "平板电脑", "平板電腦"),
    "Smart Watches": (
        *("smart watch", "smartwatch", "watch"),
        *("手表", "智能手表", "手錶", "智慧手錶", "智能手錶"),
    ),
    "Desktop Computers & PCs": ("desktop", "desktops", "pc", "台式机", "台式电脑", "桌機"),
    "Gaming Desktop Computer & PCs": ("gaming pc", "gaming desktop", "游戏电脑", "遊戲電腦"),
    "Routers, Wifi Extenders & Modems": (
        *("router", "routers", "modem", "extender"),
        *("路由器", "无线路由器", "無線路由器", "光猫"),
    ),
    "Speakers & Voice Assistants": (
        *("speaker", "speakers", "alexa"),
        *("音箱", "音响", "蓝牙音箱", "智能音箱", "音響", "藍牙音箱"),
    ),
    "Soundbars & Home Theater": (
        *("soundbar", "soundbars", "home theater"),
        *("回音壁", "条形音箱", "家庭影院", "聲霸"),
    ),
    "Home Security Systems & Cameras": (
        *("security camera", "doorbell"),
        *("摄像头", "门铃", "监控", "監控", "攝像頭", "門鈴"),
    ),
    "Cameras & Camcorders": (
        *("camera", "cameras", "camcorder"),
        *("相机", "照相机", "摄像机", "运动相机", "无人机", "相機", "攝影機", "無人機"),
    ),
    "Video Games & Consoles": (
        *("console", "consoles", "xbox", "playstation", "switch"),
        *("游戏机", "游戏主机", "遊戲機"),
    ),
    "Projectors": ("projector", "projectors", "投影仪", "投影機"),
    "Batteries": ("battery", "batteries", "power station", "电池", "移动电源", "電池"),
    "Hard Drives, SSD & Storage": (
        *("hard drive", "ssd", "external drive"),
        *("硬盘", "固态", "固态硬盘", "移动硬盘", "内存卡", "存储卡", "硬碟", "固態硬碟", "記憶卡"),
    ),
    "Musical Instruments": (
        *("guitar", "piano", "keyboard", "drum"),
        *("吉他", "钢琴", "电子琴", "电钢琴", "架子鼓", "鋼琴", "電子琴"),
    ),
    "Phones & Two-way Radios": (
        *("phone", "radio", "walkie talkie"),
        *("手机", "对讲机", "手機", "對講機"),
    ),
}
# Category words that also name a part of a product: "屏幕多大" asks about the screen of the
# product in focus, "电池续航" about its battery; only without such a question are they a kind.
PART_WORDS = frozenset({"屏幕", "显示屏", "螢幕", "硬盘", "硬碟", "固态", "电池", "電池", "摄像头"})
PART_QUESTION = re.compile(
    r"的?(?:多大|多少|尺寸|大小|分辨率|刷新率|容量|续航|續航|能用|是什么|是多|有多|怎么样|好不好)"
)


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
    def brand_aliases(self) -> dict[str, str]:
        """Chinese names of the catalog's own brands -> the brand as the catalog spells it."""
        spelled = {b.lower(): b for b in self.brands}
        return {
            alias: spelled[brand.lower()]
            for alias, brand in BRAND_ALIASES.items()
            if brand.lower() in spelled
        }

    @cached_property
    def _brand_pattern(self) -> re.Pattern[str]:
        """Latin brand names as whole words; Chinese aliases anywhere (no spaces in Chinese)."""
        latin = [re.escape(b) for b in self.brands if len(b) >= 2]
        chinese = [re.escape(a) for a in sorted(self.brand_aliases, key=len, reverse=True)]
        words = [rf"(?<![A-Za-z0-9])({'|'.join(latin)})(?![A-Za-z0-9])"] if latin else []
        if chinese:
            words.append(f"({'|'.join(chinese)})")
        return re.compile("|".join(words) or "(?!)", re.IGNORECASE)

    def canonical_brand(self, text: str) -> str:
        if text in self.brand_aliases:
            return self.brand_aliases[text]
        return next((b for b in self.brands if b.lower() == text.lower()), text)
