"""`GET /openapi.json`: a structurally valid OpenAPI 3.1 document whose every path and method is
one the app routes (issue 17). No model is loaded: the app is built, never started."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import Settings
from connectors.openapi import DOCUMENT, PATH, OpenApiDocument, document
from writer.settings import WriterSettings

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
PATH_ITEM_FIELDS = METHODS | {"$ref", "summary", "description", "servers", "parameters"}
STATUS = re.compile(r"^(?:[1-5][0-9][0-9]|[1-5]XX|default)$")
TEMPLATE = re.compile(r"\{([^{}]+)\}")
# the public routes issue 17 names: each must be described
PUBLIC = {
    ("/webhooks/rest/webhook", "post"),
    ("/health", "get"),
    ("/metrics", "get"),
    ("/api/products/{product_id}/description", "get"),
    ("/api/products/{product_id}/description", "post"),
    ("/api/products/{product_id}/check", "post"),
    ("/api/reviews", "post"),
    ("/api/conversations/{session_id}/satisfaction", "post"),
    ("/webhooks/wechat", "get"),
    ("/webhooks/wechat", "post"),
    ("/openapi.json", "get"),
}


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(doc: dict[str, Any], ref: str) -> object:
    assert ref.startswith("#/"), f"only local references: {ref}"
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_the_document_is_openapi_3_1() -> None:
    assert re.fullmatch(r"3\.1\.\d+", DOCUMENT["openapi"])
    assert DOCUMENT["info"]["title"] and DOCUMENT["info"]["version"]
    assert DOCUMENT["paths"]
    schemes = DOCUMENT["components"]["securitySchemes"]
    for path, item in DOCUMENT["paths"].items():
        assert path.startswith("/"), path
        assert set(item) <= PATH_ITEM_FIELDS, f"{path}: {set(item) - PATH_ITEM_FIELDS}"
    for path, method, operation in _operations(DOCUMENT):
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        assert responses, f"{where}: no responses"
        for status, response in responses.items():
            assert STATUS.fullmatch(status), f"{where}: status {status!r}"
            assert response.get("description"), f"{where} {status}: no description"
            for media, content in response.get("content", {}).items():
                assert "/" in media and "schema" in content, f"{where} {status} {media}"
        if "requestBody" in operation:
            assert operation["requestBody"]["content"], f"{where}: empty request body"
        for requirement in operation.get("security", []):
            assert set(requirement) <= set(schemes), f"{where}: unknown security {requirement}"
        # every {name} in the path is a required path parameter, and nothing else is
        parameters = [
            *DOCUMENT["paths"][path].get("parameters", []),
            *operation.get("parameters", []),
        ]
        for parameter in parameters:
            assert parameter["in"] in ("path", "query", "header", "cookie"), where
            assert "schema" in parameter, f"{where}: {parameter['name']} has no schema"
        in_path = {p["name"] for p in parameters if p["in"] == "path"}
        assert in_path == set(TEMPLATE.findall(path)), f"{where}: path parameters {in_path}"
        assert all(p["required"] for p in parameters if p["in"] == "path"), where
    operation_ids = [op["operationId"] for _, _, op in _operations(DOCUMENT) if "operationId" in op]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_reference_resolves() -> None:
    refs = set(_refs(DOCUMENT))
    assert refs, "the schemas are shared through components"
    for ref in refs:
        assert isinstance(_resolve(DOCUMENT, ref), dict), ref


def test_the_public_routes_are_all_described() -> None:
    described = {(path, method) for path, method, _ in _operations(DOCUMENT)}
    assert PUBLIC - described == set()


def _routed(tmp_path: Path) -> set[tuple[str, str]]:
    """(path, method) the app routes with every described channel on (WeChat needs a token)."""
    settings = Settings(home=tmp_path, models=tmp_path / "models")
    settings = settings.model_copy(
        update={"wechat": settings.wechat.model_copy(update={"token": SecretStr("abc123")})}
    )
    app = create_app(settings)  # routes only: services start when the app does
    return {
        (resource.canonical, route.method.lower())
        for resource in app.router.resources()
        for route in resource
    }


def test_every_described_path_is_routed(tmp_path: Path) -> None:
    routed = _routed(tmp_path)
    described = {(path, method) for path, method, _ in _operations(DOCUMENT)}
    assert described - routed == set()


def test_the_app_serves_it_by_default(tmp_path: Path) -> None:
    assert "connectors.openapi:OpenApiDocument" in Settings(home=tmp_path).channels
    assert (PATH, "get") in _routed(tmp_path)


async def test_get_openapi_json(aiohttp_client: Any, tmp_path: Path) -> None:
    app = web.Application()
    OpenApiDocument().register(app, Settings(home=tmp_path))
    client = await aiohttp_client(app)
    response = await client.get(PATH)
    assert response.status == 200
    assert response.content_type == "application/json"
    assert await response.json() == DOCUMENT


def test_callers_get_a_copy() -> None:
    copied = document()
    copied["paths"].clear()
    assert DOCUMENT["paths"]


@pytest.mark.parametrize("path", sorted(DOCUMENT["paths"]))
def test_each_path_says_what_it_is(path: str) -> None:
    for method, operation in DOCUMENT["paths"][path].items():
        if method in METHODS:
            assert operation.get("summary"), f"{method.upper()} {path}"


# --- schemathesis: generated requests against a live app, zero server errors -----------------

EXAMPLES = 15  # per operation: the whole run stays well under a minute


@pytest.fixture(scope="module")
def live_url(tmp_path_factory: pytest.TempPathFactory, intent_model_dir: Path) -> Iterator[str]:
    """The whole app, started in its own thread and loop (schemathesis calls it with requests)."""
    import asyncio
    import threading

    home = tmp_path_factory.mktemp("openapi")
    settings = Settings(
        home=home / "home",
        models=intent_model_dir.parent,
        writer=WriterSettings(load_at_startup=False),
    )
    settings = settings.model_copy(
        update={"wechat": settings.wechat.model_copy(update={"token": SecretStr("abc123")})}
    )
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(settings))
    started = threading.Event()
    port: list[int] = []

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        started.set()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(120), "the app did not start"
    yield f"http://127.0.0.1:{port[0]}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(60)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_schemathesis_finds_no_server_error(live_url: str) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_dict(document())
    failures: list[str] = []
    statuses: list[int] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            response = case.call(base_url=live_url, timeout=30)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path}: {response.status_code} "
                    f"{response.text[:200]}"
                )

        call()
    assert failures == []
    print(f"schemathesis: {len(statuses)} requests, statuses {sorted(set(statuses))}")
    assert len(statuses) > 50 and 200 in statuses  # it did reach the app
