"""Writing a description: plan the facts, realise each under constraints, check, assemble.

A 135M model asked for a whole description invents specs; asked to turn one fact into one
sentence, with numbers limited to the record's, it mostly stays true. Every sentence is
checked (claims against the record, safety, length, that it says its fact); a failing one
is regenerated with its unsupported claims banned, then replaced by the fact's own words.
The assembled text is checked once more; if it still fails, the whole description is
built from the record.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from writer.backends import Generation, GenerationRequest, LocalCausalLM, Message, TextGenerator
from writer.claims import Support, check_grounding, extract_claims
from writer.clause_gate import clause_verdict
from writer.copy_check import CopyChecker, split_sentences
from writer.records import ProductRecord, short_title
from writer.safety import SafetyFilter
from writer.templates import (
    VARIED_FRAMES,
    chinese_description,
    deterministic_description,
    fact_clause,
    fact_sentence,
    has_verb,
    opening_sentence,
    product_noun,
    publishable_facts,
    vary_frames,
)
from writer.wording import check_wording
from writer.words import stem

WRITER_VERSION = 22  # bump when prompts or checks change, so `describe --all` redoes the catalog

FACT_SYSTEM = (
    "You write one sentence of shop copy. The sentence starts with the product fact, word for "
    "word, and adds a short benefit. Add no new specs, numbers or features."
)
FACT_EXAMPLES = [  # (product type, fact, sentence)
    ("TV", "Refresh Rate 120Hz", "Refresh Rate 120Hz keeps fast action smooth and sharp."),
    (
        "speaker",
        "Up to 12 hours of playtime",
        "Up to 12 hours of playtime keeps the music going all day.",
    ),
    ("laptop", "Backlit keyboard", "Backlit keyboard lets you type comfortably in any light."),
    (
        "webcam",
        "1080p Video with Dual Microphones",
        "1080p Video with Dual Microphones makes every call look and sound clear.",
    ),
]
ZH_SYSTEM = "用中文为网店写一段简短的商品描述。只使用给出的属性，不要添加任何参数或功能。"
OPENING_SYSTEM = (
    "You write the opening sentence of a product description. It starts with the product's "
    "name and adds who it is for. Add no specs, numbers or features."
)
OPENING_EXAMPLES = [  # (name, category, sentence)
    ("The Portable Speaker", "Speakers", "The Portable Speaker brings your music wherever you go."),
    (
        "The 27-inch Monitor",
        "Monitors",
        "The 27-inch Monitor gives your desk room to work and play.",
    ),
    (
        "The Robot Vacuum",
        "Vacuums",
        "The Robot Vacuum keeps your floors clean while you get on with your day.",
    ),
]
_STOP_TEXT = """
a an the and or of for with to in on at by your you it its this that is are be from up as all
more new
"""
_STOP = frozenset(_STOP_TEXT.split())
# Words copy may add without stating anything new; any other word must come from the record.
_COPY_TEXT = """
enjoy experience experiences perfect great easy easily smooth smoothly stunning immersive designed
design lets let makes make keep keeps get gets stay stays home everyday daily life work play
built offers offering features featuring comes come ready right just every everything anywhere
whether while when where want need needs take takes bring brings help helps give gives upgrade
upgrades discover explore meet powerful power performance reliable quality clear crisp rich vivid
bright sharp fast quick quickly comfortable comfort comfortably simple simply style stylish sleek
sound picture view viewing watch watching listen listening music movies shows favorite favourite
content entertainment setup space room desk day night long lasting lasting fun family friends
includes included including include will can you've you'll you're it's that's there here also
both plus even more most much better best ideal ready whole latest advanced smart smarter
true truly real really beautiful brilliant inside thanks through around time times great one
look looks feel feels sleek clean cleaner clearer sharper brighter faster easier effortless
effortlessly connected control stream streaming favorite shows games game video videos photos
call calls clarity detail details color colors colour colours screen display hours all-day
"""
_COPY_WORDS = frozenset(_COPY_TEXT.split())


_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def _content_words(text: str) -> set[str]:
    return {word for word in _WORD.findall(text.lower()) if word not in _STOP and len(word) > 2}


_EXAMPLE_WORDS = [_content_words(answer[len(fact) :]) for _, fact, answer in FACT_EXAMPLES]
MAX_NEW_WORDS = 1  # words a sentence may bring that neither the record nor plain copy has
# "off": every sentence is the fact's own (the model writes nothing in English); "gated": a
# model clause that passes every check is published only if `clause_verdict` finds it adds an
# outcome; "auto": off for the embedded SmolLM2-135M (11 of 14 of its clauses read worse than
# the fact alone in the v5 samples), gated for any other model
MODEL_CLAUSES = ("auto", "off", "gated")


@dataclass(frozen=True)
class StreamEvent:
    """What a streaming reader sees: text as it comes, then the sentence kept (or dropped)."""

    kind: str  # "token", "sentence" (checked text that replaces the draft), "retract"
    text: str = ""


OnEvent = Callable[[StreamEvent], None]


@dataclass
class SentenceResult:
    fact: str
    text: str
    source: str  # "model" or "record"
    attempts: int
    rejected: list[str] = field(default_factory=list)  # why earlier drafts failed
    fact_only: str = ""  # the sentence from the fact alone: what the model's must beat
    model_draft: str = ""  # the model's sentence that passed the checks, published or not
    gate: str = ""  # why the clause gate kept `model_draft` out ("" when it did not)


@dataclass
class Description:
    """A description with the evidence a reviewer needs: how it was made and how it checked."""

    product_id: str
    language: str
    text: str
    path: str  # "model", "model+record", "facts" (clauses off), "record" (fallback), "record-zh"
    check: dict[str, Any]
    backend: str
    sentences: list[SentenceResult] = field(default_factory=list)
    first_draft_unsupported: int = 0  # claims the check caught before anything was published
    tokens: int = 0
    seconds: float = 0.0
    version: int = WRITER_VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# a repeat counts from the start of a word, so a long word is scanned once, not once per letter
_GLUE_TEXT = "has have had includes features comes offers lets gets makes gives keeps helps"
_TAUTOLOGY_GLUE = frozenset(stem(word) for word in _GLUE_TEXT.split())
_GARBLED = re.compile(r"(?<!\S)(\S+)(\s+\1){2,}|\s[’'`]\w?(\s|\.|$)")  # "in ’s ’s ’s ’."


def _continuation(sentence: str, prefix: str) -> str:
    """What a sentence adds to the words it was told to start with."""
    return sentence[len(prefix) :] if prefix and sentence.startswith(prefix) else sentence


def _lead(continuation: str) -> str:
    """The first two words a sentence adds to its fact: "lets you", "makes it"."""
    return " ".join(continuation.lower().split()[:2])


def _first_sentence(text: str) -> str:
    line = text.strip().split("\n")[0].strip().strip('"')
    match = re.match(r"(.+?[.!])(\s|$)", line)
    return (match.group(1) if match else line).strip()


class DescriptionWriter:
    """Plans, generates, checks and assembles descriptions with any `TextGenerator`."""

    def __init__(
        self,
        generator: TextGenerator,
        safety: SafetyFilter | None = None,
        attempts: int = 2,
        max_facts: int = 5,
        candidates: int = 2,
        tone: str | None = None,
        market: str = "default",
        model_clauses: str = "auto",
    ) -> None:
        if model_clauses not in MODEL_CLAUSES:
            raise ValueError(f"model_clauses must be one of {MODEL_CLAUSES}, not {model_clauses!r}")
        if model_clauses == "auto":
            model_clauses = "off" if isinstance(generator, LocalCausalLM) else "gated"
        self.model_clauses = model_clauses
        self.generator = generator
        self.market = market  # whose advertising law the wording rules follow
        self.safety = safety or SafetyFilter()
        self.attempts = attempts
        self.max_facts = max_facts
        self.candidates = candidates
        self.tone = tone  # e.g. "warm and playful"; a shop's voice, added to the instructions

    async def write(self, record: ProductRecord, on_event: OnEvent | None = None) -> Description:
        """One description, sentence by sentence, streaming each draft through `on_event`."""
        started = time.perf_counter()
        if record.language not in self.generator.languages:
            return self._from_record(record, on_event, started)
        drafts = [_Draft(plan) for plan in self._plan(record)]
        if not self._writes(record):
            return self._facts_only(record, drafts, on_event, started)
        said: list[str] = []  # streamed as the final text will read ("It also has …")
        for index, draft in enumerate(drafts):
            earlier = [d.result for d in drafts[:index] if d.result is not None]
            for attempt in range(1, self.attempts + 1):
                on_token = (lambda text: on_event(StreamEvent("token", text))) if on_event else None
                request = self._request(draft.plan, attempt, tuple(draft.banned))
                generation = await self.generator.generate(request, on_token)
                if self._try(draft, generation, attempt, record, earlier):
                    break
                if on_event:
                    on_event(StreamEvent("retract"))
            result = draft.finish(self.attempts)
            text = result.text
            if text:
                said.append(text)
                text = vary_frames(said)[-1]
            if on_event:
                on_event(StreamEvent("sentence", text))
        return self._assemble(record, drafts, started)

    async def write_batch(self, records: list[ProductRecord]) -> list[Description]:
        """Descriptions for several products in rounds: every sentence's first draft in one
        batch, then one batch of alternatives for the sentences that failed, and so on."""
        started = time.perf_counter()
        plans = {
            index: [_Draft(plan) for plan in self._plan(record)]
            for index, record in enumerate(records)
            if record.language in self.generator.languages and self._writes(record)
        }
        for attempt in range(1, self.attempts + 1):
            pending = [
                (index, position)
                for index, drafts in plans.items()
                for position, draft in enumerate(drafts)
                if draft.result is None
            ]
            if not pending:
                break
            requests = [
                self._request(plans[i][p].plan, attempt, tuple(plans[i][p].banned))
                for i, p in pending
            ]
            generations = await self.generator.generate_batch(requests)
            for (index, position), generation in zip(pending, generations, strict=True):
                drafts = plans[index]
                earlier = [d.result for d in drafts[:position] if d.result is not None]
                self._try(drafts[position], generation, attempt, records[index], earlier)
        share = (time.perf_counter() - started) / max(1, len(plans))
        results = []
        for index, record in enumerate(records):
            if index not in plans:
                results.append(self._without_model(record))
                continue
            for draft in plans[index]:
                draft.finish(self.attempts)
            results.append(self._assemble(record, plans[index], time.perf_counter() - share))
        return results

    def _writes(self, record: ProductRecord) -> bool:
        """Whether the model writes this record's sentences: Chinese is written whole by a
        zh-capable model whatever the clause setting; English only when clauses are on."""
        return record.language == "zh" or self.model_clauses != "off"

    def _without_model(self, record: ProductRecord) -> Description:
        started = time.perf_counter()
        if record.language not in self.generator.languages:
            return self._from_record(record, None, started)
        return self._facts_only(record, [_Draft(p) for p in self._plan(record)], None, started)

    def _facts_only(
        self,
        record: ProductRecord,
        drafts: list[_Draft],
        on_event: OnEvent | None,
        started: float,
    ) -> Description:
        """Every planned sentence from its fact alone: no generation at all."""
        description = self._assemble(record, drafts, started, attempts=0)
        if description.path == "record":  # by design, not a fallback after failed drafts
            description.path = "facts"
        if on_event:
            on_event(StreamEvent("sentence", description.text))
        return description

    def _from_record(
        self, record: ProductRecord, on_event: OnEvent | None, started: float
    ) -> Description:
        text = deterministic_description(record)
        if on_event:
            on_event(StreamEvent("sentence", text))
        path = "record-zh" if record.language == "zh" else "record"
        return self._finish(record, text, path, [], started, 0, 0)

    def _assemble(
        self,
        record: ProductRecord,
        drafts: list[_Draft],
        started: float,
        attempts: int | None = None,
    ) -> Description:
        tried = self.attempts if attempts is None else attempts
        sentences = [draft.finish(tried) for draft in drafts]
        text = " ".join(vary_frames([sentence.text for sentence in sentences if sentence.text]))
        from_model = sum(sentence.source == "model" for sentence in sentences)
        path = (
            "model" if from_model == len(sentences) else "model+record" if from_model else "record"
        )
        tokens = sum(draft.tokens for draft in drafts)
        caught = sum(draft.first_unsupported for draft in drafts)
        return self._finish(record, text, path, sentences, started, tokens, caught)

    def _finish(
        self,
        record: ProductRecord,
        text: str,
        path: str,
        sentences: list[SentenceResult],
        started: float,
        tokens: int,
        caught: int,
    ) -> Description:
        support = Support.of(record.texts())
        grounding = check_grounding(text, support)
        safety = self.safety.check(text, " ".join(record.texts()))
        if not (grounding.grounded and safety.safe):  # never publish a failing whole
            text, path = deterministic_description(record), "record"
        text, dropped = self._publishable(record, text)
        grounding = check_grounding(text, support)
        safety = self.safety.check(text, " ".join(record.texts()))
        check = {
            **grounding.to_dict(),
            "safe": safety.safe,
            "safety_problems": safety.problems,
            "copy_check": "passed",
            "dropped_sentences": dropped,
        }
        return Description(
            product_id=record.id,
            language=record.language,
            text=text,
            path=path,
            check=check,
            backend=self.generator.name,
            sentences=sentences,
            first_draft_unsupported=caught,
            tokens=tokens,
            seconds=round(time.perf_counter() - started, 3),
        )

    def _publishable(self, record: ProductRecord, text: str) -> tuple[str, list[dict[str, Any]]]:
        """The text without any sentence the independent checker or the wording rules reject
        (record sentences included: a bullet's "#1 Trusted Battery Brand" needs proof)."""
        if record.language == "zh":
            safe = not check_wording(text, "", "cn")
            return (text if safe else deterministic_description(record)), []
        checker = CopyChecker(record)
        kept: list[str] = []
        dropped: list[dict[str, Any]] = []
        for sentence in split_sentences(text):
            verdict = checker.sentence(sentence)
            wording = check_wording(sentence, checker.text, self.market)
            frame = next((f for f in VARIED_FRAMES if sentence.startswith(f)), "")
            if frame and not verdict.supported and not wording:  # the frame, not the fact
                plain = "It has " + sentence[len(frame) :]
                if (again := checker.sentence(plain)).supported:
                    sentence, verdict = plain, again
            if verdict.supported and not wording:
                kept.append(sentence)
                continue
            reasons = [f"{c.rule}: {c.text}" for c in verdict.rejected_by]
            dropped.append(
                {"text": sentence, "why": reasons + [f"{w.rule}: {w.text}" for w in wording]}
            )
        return " ".join(kept), dropped

    def _try(
        self,
        draft: _Draft,
        generation: Generation,
        attempt: int,
        record: ProductRecord,
        earlier: list[SentenceResult],
    ) -> bool:
        """Keep the first candidate that passes every check; remember why the others failed
        and ban their unsupported claims from the next attempt."""
        draft.tokens += generation.tokens
        problems: list[str] = []
        for text in (generation.text, *generation.alternatives):
            sentence = _first_sentence(text)
            problems, unsupported = self._problems(sentence, record, draft.plan, earlier)
            if attempt == 1 and text is generation.text:
                draft.first_unsupported = len(unsupported)
            draft.banned.extend(claim for claim in unsupported if claim not in draft.banned)
            if not problems:
                draft.result = self._kept(draft, sentence, attempt, record)
                return True
        draft.rejected.append("; ".join(problems))
        return False

    def _kept(
        self, draft: _Draft, sentence: str, attempt: int, record: ProductRecord
    ) -> SentenceResult:
        """A draft that passed every check, published unless the clause gate turns it down
        (a refusal is final: the fact-only sentence is the intended default, not a fallback)."""
        plan = draft.plan
        clause = _continuation(sentence, plan.prefix)
        result = SentenceResult(
            plan.fact, plan.fallback, "record", attempt, list(draft.rejected), plan.fallback
        )
        if len(clause.split()) < 2:  # a bare fact is not the model's; a noun phrase no sentence
            return result
        result.model_draft = sentence
        if record.language != "zh":  # a zh model writes the whole text, checked as a whole
            result.gate = clause_verdict(clause, plan.fact, record.title) or ""
        if not result.gate:
            result.text, result.source = sentence, "model"
        return result

    def _problems(
        self,
        sentence: str,
        record: ProductRecord,
        plan: SentencePlan,
        earlier: list[SentenceResult],
    ) -> tuple[list[str], list[str]]:
        grounding = check_grounding(sentence, plan.support)
        unsupported = [claim.text for claim in grounding.unsupported]
        problems = [f"unsupported claim: {claim}" for claim in unsupported]
        if record.language != "zh":  # the independent checker, against the whole record
            rejected = CopyChecker(record).sentence(sentence).rejected_by
            unsupported += [c.text for c in rejected if c.rule != "fragment"]
            problems += [f"{c.rule}: {c.text}" for c in rejected]
        market = "cn" if record.language == "zh" else self.market
        problems += [f"wording: {w.text}" for w in check_wording(sentence, "", market)]
        problems += self.safety.check(sentence, " ".join(record.texts())).problems
        if record.language == "zh":
            return problems + _chinese_problems(sentence), unsupported
        added_text = _continuation(sentence, plan.prefix)
        if not plan.fact and len(added_text.split()) < 2:  # "The Hisense 43\" … TV."
            problems.append("the name alone, not a sentence")
        if _tautology(added_text, plan.fact, record.title):
            problems.append("repeats its fact or the title")
        if plan.fact and not has_verb(added_text):  # "…RTX 4050, 6GB gaming laptop."
            problems.append("no verb: a noun phrase, not a sentence")
        problems += _form_problems(sentence, plan.fact)
        problems += _fact_problems(sentence, plan.fact)
        problems += _new_word_problems(sentence, added_text, plan.support.text)
        problems += _style_problems(added_text, earlier)
        return problems, unsupported

    def _request(
        self, plan: SentencePlan, attempt: int = 1, banned: tuple[str, ...] = ()
    ) -> GenerationRequest:
        return GenerationRequest(
            messages=plan.prompt,
            prefix=plan.prefix,
            max_new_tokens=20,  # a benefit clause; longer drafts rarely pass the checks
            stop_strings=(".", "!", "\n"),  # one sentence; the fact part is in the prompt
            temperature=0.0 if attempt == 1 else 0.8,
            candidates=1 if attempt == 1 else self.candidates,
            seed=attempt,
            allowed_numbers=frozenset(),  # numbers stay in the fact's own words, copied verbatim
            banned_phrases=banned,
        )

    def _voiced(self, system: str) -> str:
        return f"{system} Write in a {self.tone} tone." if self.tone else system

    def _plan(self, record: ProductRecord) -> list[SentencePlan]:
        """The opening, then one sentence per key fact, each starting with its own words."""
        if record.language == "zh":  # a zh-capable model writes the whole text, checked
            return [_chinese_plan(record)]
        name = f"The {short_title(record.title)}"
        kind = opening_sentence(record)
        opening = SentencePlan(
            prompt=_few_shot(
                self._voiced(OPENING_SYSTEM),
                [(f"Product: {n}\nCategory: {c}", answer) for n, c, answer in OPENING_EXAMPLES],
                f"Product: {name}\nCategory: {record.category}",
            ),
            prefix=name,
            fact="",
            fallback=kind,
            support=Support.of([record.title, record.category, record.brand]),
        )
        product_type = product_noun(record)
        facts = [
            SentencePlan(
                prompt=_few_shot(
                    self._voiced(FACT_SYSTEM),
                    [(f"Product: {t}\nFact: {f}", answer) for t, f, answer in FACT_EXAMPLES],
                    f"Product: {product_type}\nFact: {fact}",
                ),
                prefix=fact_clause(fact),
                fact=fact,
                fallback=fact_sentence(fact, record.title),
                support=Support.of([fact, product_type]),
            )
            for fact in publishable_facts(record, self.max_facts)
        ]
        return [opening, *facts]


@dataclass
class _Draft:
    """A sentence being written: its plan, what failed so far, and the result once kept."""

    plan: SentencePlan
    banned: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    tokens: int = 0
    first_unsupported: int = 0
    result: SentenceResult | None = None

    def finish(self, attempts: int) -> SentenceResult:
        """The kept sentence, or the fact's own words when no draft passed."""
        if self.result is None:
            self.result = SentenceResult(
                self.plan.fact,
                self.plan.fallback,
                "record",
                attempts,
                list(self.rejected),
                self.plan.fallback,
            )
        return self.result


@dataclass(frozen=True)
class SentencePlan:
    """One sentence to write: its prompt, the words it starts with, and what replaces it."""

    prompt: list[Message]
    prefix: str
    fact: str
    fallback: str
    support: Support  # what this sentence may state: its own fact (or the title), not the rest


def _chinese_plan(record: ProductRecord) -> SentencePlan:
    attributes = "，".join(f"{key}：{value}" for key, value in record.attributes.items())
    facts = "；".join(record.facts())
    return SentencePlan(
        prompt=[
            {"role": "system", "content": ZH_SYSTEM},
            {"role": "user", "content": f"商品名称：{record.title}，{attributes}。{facts}"},
        ],
        prefix="",
        fact="",
        fallback=chinese_description(record),
        support=Support.of(record.texts()),
    )


def _chinese_problems(text: str) -> list[str]:
    problems = []
    if not 8 <= len(text) <= 300:
        problems.append(f"{len(text)} characters")
    if not text.endswith(("。", "！")):
        problems.append("not a finished statement")
    if re.search(r"(商品名称|属性|提示)\s*[：:]", text):
        problems.append("echoes the prompt")
    return problems


def _few_shot(system: str, examples: list[tuple[str, str]], question: str) -> list[Message]:
    messages: list[Message] = [{"role": "system", "content": system}]
    for user, assistant in examples:
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    messages.append({"role": "user", "content": question})
    return messages


def _tautology(added_text: str, fact: str, title: str) -> bool:
    """What the model added only repeats its fact or the title ("… Digital Piano … is high
    gloss ebony upright digital piano")."""
    added = {stem(word) for word in _content_words(added_text)} - _TAUTOLOGY_GLUE
    known = {stem(word) for word in _content_words(f"{fact} {title}")}
    return bool(_content_words(added_text)) and added <= known


def _form_problems(sentence: str, fact: str) -> list[str]:
    """A finished statement of a sensible length that does not echo the prompt."""
    problems = []
    words = sentence.split()
    if not 4 <= len(words) <= len(fact.split()) + 25:
        problems.append(f"{len(words)} words")
    if not sentence.endswith((".", "!")) or "?" in sentence:
        problems.append("not a finished statement")
    if re.search(r"\b(fact|product|prompt|sentence)\s*:", sentence, re.I):
        problems.append("echoes the prompt")
    return problems


def _fact_problems(sentence: str, fact: str) -> list[str]:
    """The sentence says its fact, with every number and unit the fact has."""
    if not fact:
        return []
    problems = []
    wanted = _content_words(fact)
    if wanted and not wanted & _content_words(sentence):
        problems.append("does not say its fact")
    said = {claim.value for claim in extract_claims(sentence)}
    dropped = [c.text for c in extract_claims(fact) if c.kind != "term" and c.value not in said]
    if dropped:
        problems.append(f"drops {', '.join(dropped)}")
    return problems


def _new_word_problems(sentence: str, added_text: str, support: str) -> list[str]:
    """Few words beyond the record and plain copy; no names, gaps or asides the record lacks."""
    problems = []
    new_words = _content_words(sentence) - _content_words(support) - _COPY_WORDS
    if len(new_words) > MAX_NEW_WORDS:
        problems.append(f"adds {', '.join(sorted(new_words))}")
    if re.search(r"\s{2,}|\$(?!\d)|\(\s*\)", added_text):
        problems.append("a gap where a number was kept out")
    names = [
        word
        for word in re.findall(r"\b[A-Z][\w-]*", added_text)
        if word.lower() not in support and word not in ("I", "It", "Its")
    ]
    if names:  # a name the fact does not have: a brand, a model, a made-up product
        problems.append(f"names {names[0]}")
    if re.search(r"[()\[\]{}]", added_text):
        problems.append("an aside in brackets")
    return problems


def _style_problems(added_text: str, earlier: list[SentenceResult]) -> list[str]:
    """Not garbled, not an example's words, not an earlier sentence's opening again."""
    problems = []
    if _GARBLED.search(added_text):
        problems.append("garbled: repeated or stray tokens")
    added = _content_words(added_text)
    if any(len(added & words) >= max(2, len(words) // 2) for words in _EXAMPLE_WORDS):
        problems.append("copies an example")
    opening = _lead(added_text)
    if opening and any(
        _lead(_continuation(other.text, other.fact)) == opening for other in earlier
    ):
        problems.append("repeats an earlier sentence's wording")
    return problems
