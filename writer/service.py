"""The description service: one writer and its store, the model loading in the background."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from writer.backends import LocalCausalLM, OpenAICompatible, TextGenerator
from writer.describe import Description, DescriptionWriter, OnEvent
from writer.records import Listing, ProductRecord
from writer.settings import WriterSettings
from writer.store import DescriptionStore, StoredDescription
from writer.templates import deterministic_description

log = logging.getLogger(__name__)


FAILURE_COOLDOWN_S = 600.0


class Listings(Protocol):
    """The catalog the writer describes (the shop's `Catalog` is one): products by id."""

    def get(self, product_id: str) -> Listing | None: ...

    def all(self) -> Sequence[Listing]: ...


class KeyLocks(Protocol):
    """`bot.locks.Locks`: one holder per key; on Redis, across every instance."""

    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...


class UnknownProduct(LookupError):
    pass


class WriterBusy(RuntimeError):
    """No generation now (too many running or queued, or this product failed just before):
    answer from the listing's own words."""


class WriterUnavailable(WriterBusy):
    """The description model failed (its server is down, a generation raised): answered as
    `WriterBusy` is, from the listing's own words, and not retried for a while."""


def build_generator(settings: WriterSettings) -> TextGenerator:
    languages = frozenset(settings.languages) if settings.languages else None
    if settings.backend == "openai":
        if not settings.base_url:
            raise ValueError("writer.backend 'openai' needs writer.base_url")
        key = settings.api_key.get_secret_value() if settings.api_key else None
        api = OpenAICompatible(settings.base_url, settings.api_model, key)
        if languages:
            api.languages = languages
        return api
    local = LocalCausalLM(
        model_path=settings.model_path,
        precision=settings.precision,
        lookup_tokens=settings.lookup_tokens,
    )
    if settings.model_path is not None:
        local.name = settings.model_path.name
    if languages:
        local.languages = languages
    return local


class DescriptionService:
    """Stored descriptions first; new ones written, checked and stored on demand."""

    def __init__(
        self,
        writer: DescriptionWriter,
        store: DescriptionStore,
        catalog: Listings,
        max_parallel: int = 1,
        max_waiting: int = 4,
        locks: KeyLocks | None = None,
    ) -> None:
        """`locks`: held per product while it is written, so two instances asked for the same
        product at once write it once; None when this process is the only writer."""
        self.writer = writer
        self._locks = locks
        self.store = store
        self.catalog = catalog
        self._max_in_flight = max_parallel + max_waiting
        self._generation_slots = asyncio.Semaphore(max_parallel)
        self._failed_at: dict[str, float] = {}
        self._loaded = threading.Event()
        self._load_error: str | None = None
        self._in_flight: dict[str, asyncio.Task[StoredDescription]] = {}
        if not isinstance(writer.generator, LocalCausalLM):
            self._loaded.set()  # nothing to load for a remote model

    @classmethod
    def from_settings(
        cls,
        settings: WriterSettings,
        catalog: Listings,
        store: DescriptionStore,
        locks: KeyLocks | None = None,
    ) -> DescriptionService:
        writer = DescriptionWriter(
            build_generator(settings),
            attempts=settings.attempts,
            max_facts=settings.max_facts,
            candidates=settings.candidates,
            tone=settings.tone,
            market=settings.market,
            model_clauses=settings.model_clauses,
        )
        return cls(
            writer,
            store,
            catalog,
            max_parallel=settings.max_parallel,
            max_waiting=settings.max_waiting,
            locks=locks,
        )

    def start_loading(self) -> None:
        """Load the model in a daemon thread; everything else keeps answering meanwhile."""
        if not self._loaded.is_set():
            threading.Thread(target=self.load, name="writer-model", daemon=True).start()

    def load(self) -> None:
        generator = self.writer.generator
        try:
            if isinstance(generator, LocalCausalLM):
                generator.load()
        except Exception as error:  # keep serving: descriptions fall back to the record
            self._load_error = str(error)
            log.exception("description model failed to load")
        finally:
            self._loaded.set()

    @property
    def ready(self) -> bool:
        return self._loaded.is_set() and self._load_error is None

    def status(self) -> dict[str, object]:
        return {
            "backend": self.writer.generator.name,
            "ready": self.ready,
            "error": self._load_error,
        }

    def record(self, product_id: str) -> ProductRecord:
        product = self.catalog.get(product_id)
        if product is None:
            raise UnknownProduct(product_id)
        return ProductRecord.from_product(product)

    async def stored(self, product_id: str) -> StoredDescription | None:
        self.record(product_id)  # unknown ids raise, rather than look merely undescribed
        return await self.store.get(product_id)

    def draft_from_record(self, product_id: str) -> str:
        """What to show while the model is still loading: the record's own words."""
        return deterministic_description(self.record(product_id))

    async def describe(
        self, product_id: str, regenerate: bool = False, on_event: OnEvent | None = None
    ) -> StoredDescription:
        """The stored description, or a new one (written once even if asked for twice).

        Raises `WriterBusy` rather than queue past the limit or retry a recent failure, and
        `WriterUnavailable` (a `WriterBusy`) when the model fails.
        """
        if not regenerate:
            stored = await self.stored(product_id)
            if stored is not None:
                return stored
        record = self.record(product_id)
        task = self._in_flight.get(product_id)
        if task is None:
            self._refuse_if_busy(product_id)
            task = asyncio.ensure_future(self._write_and_store(record, on_event, regenerate))
            self._in_flight[product_id] = task
            task.add_done_callback(lambda _: self._in_flight.pop(product_id, None))
        return await asyncio.shield(task)

    def _refuse_if_busy(self, product_id: str) -> None:
        now = time.monotonic()
        self._failed_at = {
            pid: at for pid, at in self._failed_at.items() if now - at < FAILURE_COOLDOWN_S
        }
        if product_id in self._failed_at:
            raise WriterBusy(f"writing {product_id} failed recently")
        if len(self._in_flight) >= self._max_in_flight:
            raise WriterBusy(f"{len(self._in_flight)} descriptions are being written")

    async def _write_and_store(
        self, record: ProductRecord, on_event: OnEvent | None, regenerate: bool
    ) -> StoredDescription:
        asked_at = time.time()
        async with contextlib.AsyncExitStack() as held:
            if self._locks is not None:
                try:
                    await held.enter_async_context(self._locks.hold(f"describe:{record.id}"))
                except Exception as error:  # its holder is busy writing it, or Redis is away
                    raise WriterBusy(f"{record.id} is being written elsewhere") from error
                # another instance may have written it meanwhile
                stored = await self.store.get(record.id, record.language)
                if stored is not None and (not regenerate or stored.created_at >= asked_at):
                    return stored
            return await self._write(record, on_event)

    async def _write(self, record: ProductRecord, on_event: OnEvent | None) -> StoredDescription:
        async with self._generation_slots:
            await asyncio.to_thread(self._loaded.wait)
            try:
                description = await self.writer.write(record, on_event)
            except Exception as error:
                self._failed_at[record.id] = time.monotonic()
                log.exception("writing a description of %s failed", record.id)
                raise WriterUnavailable(
                    f"the description model failed ({type(error).__name__})"
                ) from error
        return await self.save(description)

    async def save(self, description: Description) -> StoredDescription:
        return await self.store.save(description)
