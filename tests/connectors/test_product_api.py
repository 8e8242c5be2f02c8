"""The description API over the real app, with the writer on an OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import Settings, WriterSettings
from tests.writer.chat_api import ChatAPI

PRODUCT = "p2c36c268eb"  # Mac mini M2 Pro, 16GB
ADMIN_TOKEN = "admin-secret-" + "s" * 32
AUTHORIZED = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
URL = f"/api/products/{PRODUCT}/description"


def truthful(body: dict[str, Any]) -> list[str]:
    """Starts with the fact it was given and adds a plain benefit."""
    line = str(body["messages"][-1]["content"])
    fact = line.split("Fact: ", 1)[1] if "Fact: " in line else "The Mac mini"
    return [f"{fact} makes everyday work smooth."]


async def client_for(
    settings: Settings,
    aiohttp_client: Any,
    aiohttp_server: Callable[[Any], Awaitable[TestServer]],
    **writer: Any,
) -> tuple[TestClient, ChatAPI]:
    api = ChatAPI(truthful)
    server = await aiohttp_server(api.app())
    base_url = f"http://127.0.0.1:{server.port}/v1"
    writer.setdefault("admin_token", SecretStr(ADMIN_TOKEN))
    configured = WriterSettings(
        backend="openai", base_url=base_url, load_at_startup=False, **writer
    )
    app = create_app(settings.model_copy(update={"writer": configured}))
    return await aiohttp_client(app), api


async def test_regenerate_then_read_the_stored_description(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, api = await client_for(settings, aiohttp_client, aiohttp_server)
    missing = await client.get(URL)
    assert missing.status == 404
    assert "POST" in (await missing.json())["error"]
    created = await client.post(URL, headers=AUTHORIZED)
    assert created.status == 201
    body = await created.json()
    # the server's clause repeats itself, so later sentences keep the record's words
    assert body["product_id"] == PRODUCT and body["path"] == "model+record"
    assert body["check"]["grounded"] and body["check"]["safe"]
    assert "makes everyday work smooth" in body["text"]
    assert len(body["sentences"]) >= 2
    stored = await client.get(URL)
    assert stored.status == 200 and (await stored.json())["text"] == body["text"]
    asked = len(api.requests)
    again = await client.get(URL)
    assert (await again.json())["text"] == body["text"] and len(api.requests) == asked


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/products/nope-not-here/description", 404),
        ("/api/products/bad%20id%3Cscript%3E/description", 400),
        (f"/api/products/{'x' * 65}/description", 400),
    ],
)
async def test_bad_product_ids_are_refused_and_nothing_is_written(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any, url: str, status: int
) -> None:
    client, api = await client_for(settings, aiohttp_client, aiohttp_server)
    for method in (client.get, client.post):
        response = await method(url, headers=AUTHORIZED)
        assert response.status == status
        assert "error" in await response.json()
    assert api.requests == []


async def test_regenerating_needs_the_admin_token(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, api = await client_for(settings, aiohttp_client, aiohttp_server)
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        refused = await client.post(URL, headers=headers)
        assert refused.status == 401
    assert api.requests == [] and (await client.get(URL)).status == 404
    allowed = await client.post(URL, headers=AUTHORIZED)
    assert allowed.status == 201


async def test_writer_status_names_the_backend(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, _ = await client_for(settings, aiohttp_client, aiohttp_server)
    status = await (await client.get("/api/writer")).json()
    assert status == {"backend": "openai-compatible", "ready": True, "error": None}


CHECK_URL = f"/api/products/{PRODUCT}/check"


async def test_check_copy_judges_each_claim_and_the_wording(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, api = await client_for(settings, aiohttp_client, aiohttp_server)
    text = (
        "The Mac mini has a 10-core CPU and a 512GB SSD. "
        "It has a 16-core CPU. It is the best computer for gamers."
    )
    response = await client.post(CHECK_URL, json={"text": text}, headers=AUTHORIZED)
    assert response.status == 200
    body = await response.json()
    assert body["product_id"] == PRODUCT and body["market"] == "default"
    assert not body["publishable"] and not body["supported"] and not body["lawful"]
    true, bound, boast = body["sentences"]
    assert true["publishable"] and true["claims"] and all(c["supported"] for c in true["claims"])
    [wrong_core] = [c for c in bound["claims"] if not c["supported"]]
    assert wrong_core["rule"] == "binding" and "GPU" in wrong_core["reason"].upper()
    rules = {c["rule"]: c for c in boast["claims"] if not c["supported"]}
    assert {"superlative", "audience"} <= set(rules) and rules["audience"]["text"] == "gamers"
    assert [(w["rule"], w["text"]) for w in boast["wording"]] == [("absolute-term", "best")]
    assert api.requests == []  # checking asks no model


async def test_check_copy_applies_the_markets_wording_rules(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, _ = await client_for(settings, aiohttp_client, aiohttp_server, market="cn")
    text = "The Mac mini has 16GB of memory. 最好的电脑，免费送货。"
    cn = await (await client.post(CHECK_URL, json={"text": text}, headers=AUTHORIZED)).json()
    assert cn["market"] == "cn"  # writer.market when the body names none
    plain, chinese = cn["sentences"]
    assert plain["publishable"] and chinese["text"] == "最好的电脑，免费送货。"
    assert {w["rule"] for w in chinese["wording"]} == {"absolute-term", "free"}
    assert all("广告法" in w["law"] for w in chinese["wording"])
    other = {"text": "It is the best.", "market": "default"}
    chosen = await (await client.post(CHECK_URL, json=other, headers=AUTHORIZED)).json()
    assert chosen["market"] == "default" and "ASA" in chosen["sentences"][0]["wording"][0]["law"]


async def test_check_copy_lets_the_judge_overturn_a_paraphrase_unless_rules_only(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    """A person's paraphrase the rules flag ("convertible" is not the record's word for a
    2-in-1) passes by the judge, the flag still shown; `rules_only` is the writer's gate."""
    client, _ = await client_for(settings, aiohttp_client, aiohttp_server)
    url = "/api/products/pbe1d6448ae/check"  # an HP 2-in-1 Chromebook, Pentium Silver N6000
    text = "A 14-inch convertible Chromebook powered by an Intel Pentium Silver N6000."
    judged = await (await client.post(url, json={"text": text}, headers=AUTHORIZED)).json()
    [sentence] = judged["sentences"]
    assert judged["publishable"] and sentence["judge"]["overturned"]
    assert [c["text"] for c in sentence["claims"] if not c["supported"]] == ["convertible"]
    strict = {"text": text, "rules_only": True}
    ruled = await (await client.post(url, json=strict, headers=AUTHORIZED)).json()
    assert not ruled["publishable"] and "judge" not in ruled["sentences"][0]
    boast = {"text": "It has a 16-core CPU and is the best computer for gamers."}
    wrong = await (await client.post(CHECK_URL, json=boast, headers=AUTHORIZED)).json()
    assert not wrong["supported"]  # the judge never lets a contradicted figure through


async def test_check_copy_needs_the_admin_token(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, _ = await client_for(settings, aiohttp_client, aiohttp_server)
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        refused = await client.post(CHECK_URL, json={"text": "Hi."}, headers=headers)
        assert refused.status == 401
    closed, _ = await client_for(settings, aiohttp_client, aiohttp_server, admin_token=None)
    off = await closed.post(CHECK_URL, json={"text": "Hi."}, headers=AUTHORIZED)
    assert off.status == 403 and "writer.admin_token" in (await off.json())["error"]


@pytest.mark.parametrize(
    ("url", "body", "status", "says"),
    [
        ("/api/products/nope-not-here/check", {"text": "It has 16GB."}, 404, "no such product"),
        ("/api/products/bad%20id%3Cscript%3E/check", {"text": "Hi."}, 400, "product ids"),
        (CHECK_URL, {"text": ""}, 400, "empty"),
        (CHECK_URL, {"text": " \n\t "}, 400, "empty"),
        (CHECK_URL, {"text": "It has 16GB. " * 385}, 400, "at most 5000"),
        (CHECK_URL, b"{not json", 400, "not valid JSON"),
        (CHECK_URL, b"", 400, "empty body"),
        (CHECK_URL, b'["text"]', 400, "JSON object"),
        (CHECK_URL, {}, 400, "text"),
        (CHECK_URL, {"text": 42}, 400, "text"),
        (CHECK_URL, {"text": ["It has 16GB."]}, 400, "text"),
        (CHECK_URL, {"text": "Hi.", "market": 1}, 400, "market"),
        (CHECK_URL, {"text": "Hi.", "market": "us"}, 400, "unknown market"),
        (CHECK_URL, {"text": "Hi.", "txt": "typo"}, 400, "txt"),
        (CHECK_URL, {"text": "Hi.", "rules_only": "yes"}, 400, "rules_only"),
    ],
)
async def test_check_copy_refuses_bad_input(
    settings: Settings,
    aiohttp_client: Any,
    aiohttp_server: Any,
    url: str,
    body: dict[str, Any] | bytes,
    status: int,
    says: str,
) -> None:
    client, api = await client_for(settings, aiohttp_client, aiohttp_server)
    if isinstance(body, bytes):
        headers = {**AUTHORIZED, "Content-Type": "application/json"}
        response = await client.post(url, data=body, headers=headers)
    else:
        response = await client.post(url, json=body, headers=AUTHORIZED)
    assert response.status == status
    answer = await response.json()
    assert says in str(answer), answer
    assert api.requests == []


async def test_check_copy_wants_a_json_body(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    client, _ = await client_for(settings, aiohttp_client, aiohttp_server)
    form = await client.post(CHECK_URL, data={"text": "Hi."}, headers=AUTHORIZED)
    assert form.status == 415


async def test_the_longest_check_answers(
    settings: Settings, aiohttp_client: Any, aiohttp_server: Any
) -> None:
    """5,000 characters, the limit, of text built to make a careless pattern backtrack."""
    client, _ = await client_for(settings, aiohttp_client, aiohttp_server)
    for text in ("a-" * 2500, "1" * 5000, "It has 16GB. " * 384 + "Ok it."):
        response = await client.post(CHECK_URL, json={"text": text[:5000]}, headers=AUTHORIZED)
        assert response.status == 200
