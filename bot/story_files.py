"""Story files in Rasa's end-to-end test-story format, read and validated.

A story file is Rasa's (`stories:` of `story`, `steps`, optional `metadata`); a step is
`user` (with an optional `intent`; entities annotated in the text as Rasa does,
`[Sony](brand)` or `[under $50]{"entity": "price_max", "value": 50}`), `action`,
`slot_was_set` or `active_loop`. One extension checks what the shopper saw: a `bot` step
asserts on the replies of the user turn before it (text, buttons, product cards).
A file that breaks the format is a `StoryFileError` naming the file, story and step.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

STEP_KEYS = ("user", "action", "slot_was_set", "active_loop", "bot")
# Rasa's inline entity annotation: [text](entity), [text](entity:value), [text]{"entity": ...}
_ANNOTATION = re.compile(
    r"\[(?P<text>[^\[\]]+)\]"
    r"(?:\((?P<entity>[A-Za-z_][\w-]*)(?::(?P<value>[^)]+))?\)|(?P<json>\{[^{}]*\}))"
)


def _listed(value: Any) -> Any:
    """One text where a list is expected is a list of one; numbers are read as text."""
    return [_as_text(v) for v in value] if isinstance(value, list) else [_as_text(value)]


def _as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Texts = Annotated[list[str], BeforeValidator(_listed)]


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as error:
        raise ValueError(f"not a regular expression: {error}") from error
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CardCheck(_Strict):
    """What the product cards of a turn must be. Cards are the `products` of the replies'
    custom payloads (results, recommendations, comparisons) and a details reply's `product`.
    "Every card" checks need at least one card unless `none` or `count_min: 0` says otherwise."""

    none: bool = False
    count_min: int | None = Field(None, ge=0)
    count_max: int | None = Field(None, ge=0)
    price_min: float | None = None
    price_max: float | None = None
    category: Texts = []  # every card's category contains one of these
    brand: str | None = None  # every card's brand (its title starts with it)
    titles_contain: Texts = []  # each is in some card's title
    titles_not_contain: Texts = []  # none is in any card's title
    every_title_matches: str | None = None  # a regular expression every title matches

    @field_validator("every_title_matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        return None if pattern is None else _pattern(pattern)


class ReplyCheck(_Strict):
    """What the replies of one turn must hold; text checks ignore case."""

    contains: Texts = []
    contains_any: Texts = []
    not_contains: Texts = []
    matches: Texts = []  # regular expressions, each found in the text
    language: Literal["en", "zh"] | None = None
    buttons_contain: Texts = []  # each is in some button's title or payload
    custom_type: str | None = None  # some reply carries a custom payload of this type
    cards: CardCheck | None = None

    @field_validator("matches")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return [_pattern(p) for p in patterns]


@dataclass(frozen=True)
class ExpectedEntity:
    entity: str
    value: Any


class UserStep(_Strict):
    user: str = Field(min_length=1)
    intent: str | None = None

    @field_validator("user")
    @classmethod
    def _annotations_parse(cls, user: str) -> str:
        annotated_entities(user)
        return user

    @property
    def text(self) -> str:
        """What the shopper types: the text with entity annotations taken out."""
        return _ANNOTATION.sub(lambda m: m.group("text"), self.user).strip()

    @property
    def entities(self) -> list[ExpectedEntity]:
        return annotated_entities(self.user)


def annotated_entities(user: str) -> list[ExpectedEntity]:
    """The entities annotated in a user line; ValueError for JSON that is not an entity."""
    found = []
    for match in _ANNOTATION.finditer(user):
        if match.group("entity"):
            value = match.group("value") or match.group("text")
            found.append(ExpectedEntity(match.group("entity"), value))
            continue
        try:
            annotation = json.loads(match.group("json"))
        except json.JSONDecodeError as error:
            raise ValueError(f"entity annotation {match.group(0)!r}: {error.msg}") from error
        if not isinstance(annotation, dict) or not isinstance(annotation.get("entity"), str):
            raise ValueError(f'entity annotation {match.group(0)!r} needs "entity"')
        value = annotation.get("value", match.group("text"))
        found.append(ExpectedEntity(annotation["entity"], value))
    return found


class ActionStep(_Strict):
    action: str = Field(min_length=1)


class SlotStep(_Strict):
    """Slots set in the turn: a name (to any value) or `{name: value}`."""

    slot_was_set: list[str | dict[str, Any]] = Field(min_length=1)

    @field_validator("slot_was_set")
    @classmethod
    def _one_slot_each(cls, slots: list[str | dict[str, Any]]) -> list[str | dict[str, Any]]:
        if any(isinstance(s, dict) and len(s) != 1 for s in slots):
            raise ValueError("each entry names one slot: `- name` or `- name: value`")
        return slots


class LoopStep(_Strict):
    """The form active once the turn is over (`null`: none)."""

    active_loop: str | None


class BotStep(_Strict):
    bot: ReplyCheck


def _step_kind(value: Any) -> str | None:
    """Which kind of step a mapping (or a step already built) is, by its key."""
    keys = value if isinstance(value, dict) else vars(value) if isinstance(value, _Strict) else {}
    return next((key for key in STEP_KEYS if key in keys), None)


Step = Annotated[
    Annotated[UserStep, Tag("user")]
    | Annotated[ActionStep, Tag("action")]
    | Annotated[SlotStep, Tag("slot_was_set")]
    | Annotated[LoopStep, Tag("active_loop")]
    | Annotated[BotStep, Tag("bot")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message=f"a step has one of the keys {', '.join(STEP_KEYS)}",
    ),
]


class StoryMetadata(BaseModel):
    """Free-form like Rasa's; `behaviours` names what the story proves, for the report."""

    model_config = ConfigDict(extra="allow", frozen=True)
    behaviours: Texts = []


class Story(_Strict):
    story: str = Field(min_length=1)
    steps: list[Step] = Field(min_length=1)
    metadata: StoryMetadata = StoryMetadata()

    @model_validator(mode="after")
    def _starts_with_the_shopper(self) -> Story:
        if not isinstance(self.steps[0], UserStep):
            raise ValueError("the first step must be a `user` step")
        return self


class StoryFile(_Strict):
    version: str | None = None
    stories: list[Story] = Field(min_length=1)


@dataclass(frozen=True)
class StoryCase:
    """A story and the file it came from."""

    path: Path
    story: Story

    @property
    def name(self) -> str:
        return self.story.story


class StoryFileError(ValueError):
    """A story file that cannot be used, with where and why."""


def story_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named, and those under the folders named, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml"))
        elif path.is_file():
            files.append(path)
        else:
            raise StoryFileError(f"{path}: no such file or folder")
    return files


def read_story_file(path: Path) -> list[StoryCase]:
    try:
        with path.open(encoding="utf-8") as file:
            data = yaml.safe_load(file)  # its errors name the file, line and column
    except (OSError, UnicodeDecodeError) as error:
        raise StoryFileError(f"{path}: {error}") from None
    except yaml.YAMLError as error:
        raise StoryFileError(str(error)) from None
    try:
        parsed = StoryFile.model_validate(data)
    except ValidationError as error:
        raise StoryFileError(f"{path}: {_explain(error, data)}") from None
    return [StoryCase(path, story) for story in parsed.stories]


def load_stories(paths: Iterable[Path]) -> list[StoryCase]:
    """Every story of every file; a name may be used once across all of them."""
    cases: list[StoryCase] = []
    seen: dict[str, Path] = {}
    for path in story_files(paths):
        for case in read_story_file(path):
            if case.name in seen:
                raise StoryFileError(
                    f"{path}: story {case.name!r} is also in {seen[case.name]}; names are unique"
                )
            seen[case.name] = path
            cases.append(case)
    if not cases:
        raise StoryFileError("no stories found")
    return cases


def _explain(error: ValidationError, data: Any) -> str:
    """Pydantic's errors as `stories[2] "name" steps[3].bot.cards: message` lines."""
    lines = []
    for problem in error.errors():
        where = _location(list(problem["loc"]), data)
        lines.append(f"{where}: {problem['msg']}" if where else str(problem["msg"]))
    return "\n  ".join(lines) if len(lines) == 1 else "\n  " + "\n  ".join(lines)


def _location(location: list[int | str], data: Any) -> str:
    parts: list[str] = []
    node = data
    previous: int | str | None = None
    for part in location:
        if part == previous and isinstance(part, str):  # a tagged step repeats its key
            continue
        parts.append(f"[{part}]" if isinstance(part, int) else f".{part}")
        node = _child(node, part)
        if previous == "stories" and isinstance(node, dict) and node.get("story"):
            parts.append(f" ({node['story']!r})")
        previous = part
    return "".join(parts).lstrip(".")


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return node.get(part) if isinstance(node, dict) else None
