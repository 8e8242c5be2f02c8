"""What `shopbot describe` runs (one product, attribute text, or the whole catalog) and what
`shopbot check-copy` runs (any copy checked against a product's record).

Descriptions are stored where the app stores them (PostgreSQL when `database_url` is set), so
a catalog job's descriptions are what every instance serves; each job runs on one event loop,
the one its PostgreSQL pool belongs to."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import typer
from tqdm import tqdm

from actions.catalog import Catalog
from actions.catalog_import import ensure_demo_catalog
from bot.app import description_store
from bot.settings import Settings
from writer.copy_review import BadCopy, CopyReview, review_copy, validate_copy
from writer.describe import WRITER_VERSION, Description
from writer.records import ProductRecord
from writer.service import DescriptionService, UnknownProduct


def _service(settings: Settings, load: bool = True) -> DescriptionService:
    catalog = Catalog(settings.catalog_db)
    ensure_demo_catalog(catalog, show_progress=True)
    service = DescriptionService.from_settings(
        settings.writer, catalog, description_store(settings)
    )
    if not load:
        return service
    typer.echo(f"loading the description model ({service.writer.generator.name})…", err=True)
    service.load()
    if not service.ready:
        typer.echo(f"the description model did not load: {service.status()['error']}", err=True)
        raise typer.Exit(1)
    return service


def _print(description: Description, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(description.to_dict(), ensure_ascii=False, indent=2))
        return
    check = description.check
    verdict = "grounded" if check.get("grounded") and check.get("safe") else "FAILED CHECK"
    typer.echo(description.text)
    typer.echo(f"\n[{description.path} · {verdict} · {len(check.get('claims', []))} claims]")


def describe_one(settings: Settings, product_id: str, as_json: bool) -> None:
    service = _service(settings)
    try:
        record = service.record(product_id)
    except UnknownProduct:
        raise typer.BadParameter(f"no product {product_id!r} in the catalog") from None

    async def write_and_save() -> Description:
        try:
            description = await service.writer.write(record)
            await service.save(description)
            return description
        finally:
            await service.store.close()

    _print(asyncio.run(write_and_save()), as_json)


def describe_attributes(settings: Settings, text: str, as_json: bool) -> None:
    try:
        record = ProductRecord.from_attribute_text(text)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--attributes") from error
    service = _service(settings, load=False)
    if record.language in service.writer.generator.languages:
        service.load()  # otherwise the record alone writes it: no model needed
    _print(asyncio.run(service.writer.write(record)), as_json)


def describe_all(
    settings: Settings, force: bool, limit: int | None, as_json: bool, batch: int = 4
) -> None:
    """Every product without a description from this writer version; safe to stop and rerun."""
    service = _service(settings)
    paths: Counter[str] = Counter()
    failed = 0

    async def run() -> tuple[int, int]:
        """(written, already done)"""
        nonlocal failed
        try:
            done = set() if force else await service.store.done(WRITER_VERSION)
            todo = [product for product in service.catalog.all() if product.id not in done]
            todo = todo[:limit] if limit else todo
            with tqdm(total=len(todo), desc="describing", unit="product") as progress:
                for start in range(0, len(todo), batch):
                    records = [ProductRecord.from_product(p) for p in todo[start : start + batch]]
                    for description in await service.writer.write_batch(records):
                        await service.save(description)  # as it goes: a rerun resumes here
                        paths[description.path] += 1
                        failed += not description.check.get("grounded")
                    progress.update(len(records))
        finally:
            await service.store.close()
        return len(todo), len(done)

    written, already_done = asyncio.run(run())
    summary = {
        "written": written,
        "already_done": already_done,
        "paths": dict(paths),
        "published_with_unsupported_claims": failed,
    }
    typer.echo(
        json.dumps(summary) if as_json else "  ".join(f"{k}: {v}" for k, v in summary.items())
    )


def review_product_copy(
    settings: Settings, product_id: str, text: str, market: str | None, rules_only: bool = False
) -> CopyReview:
    """The copy checked against the catalog's record; no model is loaded."""
    market = market or settings.writer.market
    try:
        validate_copy(text, market)  # before the catalog is opened
    except BadCopy as bad:
        raise typer.BadParameter(str(bad)) from None
    try:
        record = _service(settings, load=False).record(product_id)
    except UnknownProduct:
        raise typer.BadParameter(f"no product {product_id!r} in the catalog") from None
    return review_copy(text, record, market, rules_only)


def print_review(review: CopyReview, as_json: bool) -> None:
    """Each sentence with a mark, then what is wrong with it: the claim, its rule, why."""
    if as_json:
        typer.echo(json.dumps(review.to_dict(), ensure_ascii=False, indent=2))
        return
    for sentence in review.sentences:
        check = sentence.check
        typer.echo(f"{'ok ' if sentence.publishable else 'NO '} {check.text}")
        if check.overturned:  # listed, so a person can still see what the rules read
            typer.echo(f"      judged supported (p={check.judged:.2f}) over the rules' flags:")
        for claim in check.rejected_by:
            why = f": {claim.reason}" if claim.reason else ""
            typer.echo(f"      {claim.rule}: {claim.text!r}{why}")
        for finding in sentence.wording:
            typer.echo(f"      wording/{finding.rule}: {finding.text!r} ({finding.law})")
    bad = sum(not sentence.publishable for sentence in review.sentences)
    typer.echo(f"\n[{review.market} · {bad} of {len(review.sentences)} sentences to fix]")
