"""One limit on generation for the whole process, and a failure is not retried at once."""

from __future__ import annotations

import asyncio

import pytest

from actions.database import open_database
from actions.shop import Shop
from writer.describe import Description, OnEvent
from writer.records import ProductRecord
from writer.service import DescriptionService, WriterBusy
from writer.store import SqliteDescriptionStore


class HeldWriter:
    """Writes nothing until released, and counts what it was asked for."""

    def __init__(self) -> None:
        self.generator = object()  # not the local model: nothing to load
        self.release = asyncio.Event()
        self.started: list[str] = []

    async def write(self, record: ProductRecord, on_event: OnEvent | None = None) -> Description:
        self.started.append(record.id)
        await self.release.wait()
        raise RuntimeError("the model fell over")


def _service(
    shop: Shop, held: HeldWriter, max_parallel: int, max_waiting: int
) -> DescriptionService:
    catalog = shop.catalog
    return DescriptionService(
        held,  # type: ignore[arg-type]
        SqliteDescriptionStore(open_database(catalog.path)),
        catalog,
        max_parallel=max_parallel,
        max_waiting=max_waiting,
    )


async def test_past_the_limit_shoppers_get_busy_not_another_generation(shop: Shop) -> None:
    held = HeldWriter()
    service = _service(shop, held, max_parallel=1, max_waiting=2)
    popular = shop.catalog.popular(limit=40)
    undescribed = [p.id for p in popular if await service.store.get(p.id) is None][:6]
    tasks = [asyncio.ensure_future(service.describe(pid)) for pid in undescribed[:3]]
    await asyncio.sleep(0.1)
    with pytest.raises(WriterBusy):
        await service.describe(undescribed[3])
    assert held.started == undescribed[:1]  # one at a time; two wait their turn
    held.release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert len(held.started) == 3
    with pytest.raises(WriterBusy, match="failed recently"):
        await service.describe(undescribed[0])  # not started again at once
    assert len(held.started) == 3
