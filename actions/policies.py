"""Store policies (`data/policies.md`): one section per intent, an answer per language."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

_SECTION = re.compile(r"^## +(\w+)\s*$", re.MULTILINE)
_LANGUAGE = re.compile(r"^### +(en|zh)\s*$", re.MULTILINE)


class Embedder(Protocol):
    async def embed(self, text: str) -> np.ndarray: ...

    async def embed_many(self, texts: list[str]) -> np.ndarray: ...


class PolicyBook:
    """Answers keyed by intent and language, read from the project's markdown file."""

    def __init__(self, answers: dict[str, dict[str, str]]) -> None:
        self._answers = answers
        self._intents: list[str] = []
        self._vectors: np.ndarray | None = None

    @classmethod
    def load(cls, path: Path) -> PolicyBook:
        return cls(parse_policies(path.read_text(encoding="utf-8")))

    def intents(self) -> set[str]:
        return set(self._answers)

    def embed(self, encode: Callable[[list[str]], np.ndarray]) -> None:
        """Embed each section's English answer once (at startup, off the event loop)."""
        if self._vectors is None:
            self._intents = sorted(self._answers)
            self._vectors = encode(self._section_texts())

    def _section_texts(self) -> list[str]:
        return [f"{i.replace('_', ' ')}: {self._answers[i].get('en', '')}" for i in self._intents]

    async def closest(self, question: str, queries: Embedder) -> tuple[str, float] | None:
        """The section whose English answer is most similar to the question (intent, cosine)."""
        if self._vectors is None:
            self._intents = sorted(self._answers)
            self._vectors = await queries.embed_many(self._section_texts())
        if not self._intents:
            return None
        similarity = self._vectors @ await queries.embed(question)
        best = int(np.argmax(similarity))
        return self._intents[best], float(similarity[best])

    def answer(self, intent: str, language: str) -> str | None:
        by_language = self._answers.get(intent) or {}
        return by_language.get(language) or by_language.get("en")


def parse_policies(text: str) -> dict[str, dict[str, str]]:
    answers: dict[str, dict[str, str]] = {}
    sections = _SECTION.split(text)
    for intent, body in zip(sections[1::2], sections[2::2], strict=True):
        parts = _LANGUAGE.split(body)
        answers[intent] = {
            language: " ".join(answer.split())
            for language, answer in zip(parts[1::2], parts[2::2], strict=True)
            if answer.strip()
        }
    return answers
