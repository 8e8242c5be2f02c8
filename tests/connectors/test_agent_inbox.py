"""The agent inbox over HTTP and its live socket, against the real app and a real shopper."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestServer

from bot.agent_accounts import SqliteAgentAccounts
from bot.agent_accounts_postgres import PostgresAgentAccounts
from bot.settings import InboxSettings, Settings
from connectors import agent_live
from connectors.agent_inbox import LOGIN_BURST, LOGIN_FAILED
from tests.bot.shared_servers import DATABASE_URL, on_shared_servers, pg_schema, redis_prefix
from tests.connectors.test_socketio import Shopper, connected, served

__all__ = ["pg_schema", "redis_prefix"]  # the fixtures, used by name

PASSWORDS = {"Dana": "correct horse battery", "Eli": "staple paper clip"}


@pytest.fixture
async def server(settings: Settings) -> AsyncIterator[TestServer]:
    accounts = SqliteAgentAccounts(settings.home / "agents.db")
    for name, password in PASSWORDS.items():
        await accounts.add(name, password)
    await accounts.close()
    async with served(settings) as server:
        yield server


@pytest.fixture
async def shopper(server: TestServer) -> AsyncIterator[Shopper]:
    async with connected(server, "agent_joined", "agent_left") as shopper:
        yield shopper


class Agent:
    """A browser-like client: a cookie jar (which keeps cookies for 127.0.0.1) and the token."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def login(self, name: str, password: str | None = None) -> aiohttp.ClientResponse:
        body = {"name": name, "password": PASSWORDS[name] if password is None else password}
        response = await self.http.post(self.server.make_url("/agent/login"), json=body)
        if response.status == 200:
            self.csrf = (await response.json())["csrf_token"]
        return response

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.http.get(self.server.make_url(path)) as response:
            return response.status, await response.json()

    async def post(
        self, path: str, body: Any = None, csrf: str | None = None, **kwargs: Any
    ) -> tuple[int, Any]:
        headers = {"X-CSRF-Token": self.csrf if csrf is None else csrf}
        kwargs.setdefault("json", {} if body is None else body)
        url = self.server.make_url(path)
        async with self.http.post(url, headers=headers, **kwargs) as response:
            return response.status, await response.json()

    def cookie(self) -> str:
        return "; ".join(f"{c.key}={c.value}" for c in self.http.cookie_jar)


@pytest.fixture
async def agents(server: TestServer) -> AsyncIterator[Callable[[], Agent]]:
    made: list[Agent] = []

    def make() -> Agent:
        made.append(Agent(server))
        return made[-1]

    yield make
    for agent in made:
        await agent.http.close()


async def asks_for_a_person(shopper: Shopper) -> str:
    """A shopper who asked for a person; their conversation id."""
    session = await shopper.connect()
    await shopper.say(session["session_id"], "I want to talk to a person")
    said: list[str] = []
    while not any("Connecting you to a person" in text for text in said):
        name, reply = await shopper.next()
        assert name == "bot_uttered", (name, reply)
        said.append(reply.get("text", ""))
    return f"web:{session['session_id']}"


async def lines_until(agent: Agent, conversation_id: str, text: str) -> list[tuple[str, str]]:
    """The conversation's (from, text) lines once `text` is among them (a shopper's socket
    message is handled after `emit` returns)."""
    for _ in range(100):
        status, opened = await agent.get(conversation(conversation_id))
        assert status == 200, opened
        lines = [(line["from"], line["text"]) for line in opened["messages"]]
        if any(said == text for _, said in lines):
            return lines
        await asyncio.sleep(0.1)
    raise AssertionError(f"{text!r} never reached the conversation")


def conversation(conversation_id: str, action: str = "") -> str:
    return f"/agent/api/conversations/{conversation_id}" + (f"/{action}" if action else "")


async def test_unknown_agent_and_wrong_password_get_the_same_answer(
    agents: Callable[[], Agent],
) -> None:
    agent = agents()
    unknown = await agent.http.post(
        agent.server.make_url("/agent/login"), json={"name": "Mallory", "password": "x" * 12}
    )
    wrong = await agent.login("Dana", "not her password")
    assert unknown.status == wrong.status == 401
    assert await unknown.json() == await wrong.json() == {"error": LOGIN_FAILED}
    assert "Set-Cookie" not in unknown.headers and "Set-Cookie" not in wrong.headers
    assert (await agent.get("/agent/api/queue"))[0] == 401


async def test_the_session_cookie_is_http_only_same_site_strict_and_scoped(
    agents: Callable[[], Agent],
) -> None:
    response = await agents().login("Dana")
    assert response.status == 200
    cookie = response.headers["Set-Cookie"]
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite", "path", "max-age"} <= flags
    assert "SameSite=Strict" in cookie and "Path=/agent" in cookie
    assert "secure" not in flags  # only with inbox.secure_cookies (behind HTTPS)
    body = await response.json()
    assert body["agent"] == "Dana" and len(body["csrf_token"]) >= 32
    assert body["csrf_token"] not in cookie


async def test_secure_cookies_when_configured(settings: Settings) -> None:
    secure = settings.model_copy(update={"inbox": InboxSettings(secure_cookies=True)})
    accounts = SqliteAgentAccounts(settings.home / "agents.db")
    await accounts.add("Dana", PASSWORDS["Dana"])
    await accounts.close()
    async with served(secure) as server:
        agent = Agent(server)
        response = await agent.login("Dana")
        assert "Secure" in response.headers["Set-Cookie"]
        await agent.http.close()


async def test_a_form_login_redirects_to_the_page(agents: Callable[[], Agent]) -> None:
    agent = agents()
    url = agent.server.make_url("/agent/login")
    form = {"name": "Dana", "password": PASSWORDS["Dana"]}
    async with agent.http.post(url, data=form, allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/agent"
    status, me = await agent.get("/agent/api/me")
    assert status == 200 and me["agent"] == "Dana" and me["canned_replies"]


async def test_a_login_from_another_site_is_refused(agents: Callable[[], Agent]) -> None:
    agent = agents()
    url = agent.server.make_url("/agent/login")
    body = {"name": "Dana", "password": PASSWORDS["Dana"]}
    async with agent.http.post(url, data=body, headers={"Sec-Fetch-Site": "cross-site"}) as r:
        assert r.status == 403
    assert len(agent.http.cookie_jar) == 0


async def test_changes_need_the_csrf_token_and_json(
    agents: Callable[[], Agent], shopper: Shopper
) -> None:
    conversation_id = await asks_for_a_person(shopper)
    agent = agents()
    await agent.login("Dana")
    claim = conversation(conversation_id, "claim")
    assert (await agent.post(claim, csrf=""))[0] == 403
    assert (await agent.post(claim, csrf="x" * 43))[0] == 403
    other = agents()
    await other.login("Eli")
    assert (await agent.post(claim, csrf=other.csrf))[0] == 403  # the token is per session
    status, _ = await agent.post(claim, json=None, data="{}")  # no JSON content type
    assert status == 415
    assert (await agent.post("/agent/logout", csrf=""))[0] == 403
    stranger = agents()
    assert (await stranger.post(claim, csrf=agent.csrf))[0] == 401  # a token without the cookie
    assert (await agent.get("/agent/api/queue"))[1]["conversations"][0]["state"] == "waiting"


async def test_a_shopper_writing_while_nobody_has_claimed_is_in_the_queue_summary(
    agents: Callable[[], Agent], shopper: Shopper, server: TestServer
) -> None:
    conversation_id = await asks_for_a_person(shopper)
    await shopper.say(
        conversation_id.removeprefix("web:"), "my parcel never came, email me at a@b.co"
    )
    with pytest.raises(TimeoutError):  # waiting for a person: the bot stays silent
        await shopper.next(timeout=1.0)
    agent = agents()
    await agent.login("Dana")
    await lines_until(agent, conversation_id, "my parcel never came, email me at [email]")
    status, queue = await agent.get("/agent/api/queue")
    assert status == 200
    [entry] = queue["conversations"]
    assert entry["conversation_id"] == conversation_id and entry["state"] == "waiting"
    assert entry["reason"].startswith("requested")
    summary = entry["summary"]
    assert summary["language"] == "en" and summary["channel"] == "web"
    assert "contact_human_agent" in summary["intents"]
    last = summary["messages"][-1]
    assert last == {"from": "shopper", "text": "my parcel never came, email me at [email]"}
    status, opened = await agent.get(conversation(conversation_id))
    assert status == 200 and opened["messages"][-1]["text"].endswith("[email]")


async def test_claim_write_resolve_and_a_second_agent_is_refused(
    agents: Callable[[], Agent], shopper: Shopper
) -> None:
    conversation_id = await asks_for_a_person(shopper)
    sid = conversation_id.removeprefix("web:")
    dana, eli = agents(), agents()
    await dana.login("Dana")
    await eli.login("Eli")
    status, claimed = await dana.post(conversation(conversation_id, "claim"))
    assert status == 200 and claimed["agent"] == "Dana"
    name, joined = await shopper.next()
    assert name == "agent_joined" and joined["custom"]["agent"] == "Dana"
    assert (await dana.post(conversation(conversation_id, "claim")))[0] == 200  # no second join
    status, refused = await eli.post(conversation(conversation_id, "claim"))
    assert status == 409 and "Dana" in refused["error"]
    said = {"text": "Hello from Eli"}
    assert (await eli.post(conversation(conversation_id, "messages"), said))[0] == 409
    assert (await eli.post(conversation(conversation_id, "resolve")))[0] == 409

    status, _ = await dana.post(
        conversation(conversation_id, "messages"), {"text": "Hi, Dana here."}
    )
    assert status == 201
    name, line = await shopper.next()
    assert (name, line["text"], line["custom"]["agent"]) == (
        "bot_uttered",
        "Hi, Dana here.",
        "Dana",
    )
    assert (await dana.post(conversation(conversation_id, "messages"), {"text": " "}))[0] == 400
    await shopper.say(sid, "thanks Dana")
    lines = await lines_until(dana, conversation_id, "thanks Dana")
    assert lines[-2:] == [("agent", "Hi, Dana here."), ("shopper", "thanks Dana")]

    assert (await dana.post(conversation(conversation_id, "resolve")))[0] == 200
    name, left = await shopper.next()
    assert name == "agent_left" and "assistant is back" in left["text"]
    assert (await dana.get("/agent/api/queue"))[1]["conversations"] == []
    assert (await eli.post(conversation(conversation_id, "claim")))[0] == 409
    await shopper.say(sid, "show me laptops")
    name, reply = await shopper.next()
    assert name == "bot_uttered" and "products I found" in reply["text"]


async def test_unknown_conversations_are_404(agents: Callable[[], Agent]) -> None:
    agent = agents()
    await agent.login("Dana")
    assert (await agent.get(conversation("web:nobody")))[0] == 404
    assert (await agent.post(conversation("web:nobody", "claim")))[0] == 404


async def test_logout_ends_the_session(agents: Callable[[], Agent]) -> None:
    agent = agents()
    await agent.login("Dana")
    stolen = agent.cookie()
    assert (await agent.get("/agent/api/me"))[0] == 200
    status, _ = await agent.post("/agent/logout")
    assert status == 200
    assert (await agent.get("/agent/api/me"))[0] == 401
    replay = agents()  # the old cookie, sent again by hand, opens nothing
    url = replay.server.make_url("/agent/api/me")
    async with replay.http.get(url, headers={"Cookie": stolen}) as response:
        assert response.status == 401


async def test_logins_are_rate_limited_per_address(agents: Callable[[], Agent]) -> None:
    agent = agents()
    statuses = [(await agent.login("Dana", "wrong password")).status for _ in range(LOGIN_BURST)]
    assert statuses == [401] * LOGIN_BURST
    response = await agent.login("Dana")  # the right password, too late
    assert response.status == 429 and int(response.headers["Retry-After"]) >= 1


class LivePage:
    """What an inbox page hears on /agent/socket.io."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient()
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for name in ("escalated", "line", "claimed", "resolved"):
            self.client.on(name, self._recorder(name), namespace="/agent")

    def _recorder(self, name: str) -> Callable[[Any], Awaitable[None]]:
        async def record(data: Any) -> None:
            await self.events.put((name, data))

        return record

    async def connect(self, server: TestServer, cookie: str, csrf: str) -> None:
        await self.client.connect(
            str(server.make_url("/")),
            headers={"Cookie": cookie} if cookie else {},
            auth={"csrf": csrf},
            namespaces=["/agent"],
            socketio_path="agent/socket.io",
            transports=["websocket"],
            wait_timeout=5,
        )

    async def next(self, timeout: float = 20.0) -> tuple[str, Any]:
        return await asyncio.wait_for(self.events.get(), timeout)


async def test_the_page_hears_escalations_and_shopper_lines_live(
    agents: Callable[[], Agent], server: TestServer, shopper: Shopper
) -> None:
    agent = agents()
    await agent.login("Dana")
    page = LivePage()
    await page.connect(server, agent.cookie(), agent.csrf)
    try:
        conversation_id = await asks_for_a_person(shopper)
        name, escalated = await page.next()
        assert name == "escalated" and escalated["conversation_id"] == conversation_id
        assert escalated["summary"]["reason"].startswith("requested")
        await shopper.say(conversation_id.removeprefix("web:"), "call me on +44 20 7946 0958")
        name, line = await page.next()
        assert name == "line" and line["from"] == "shopper" and "[phone]" in line["text"]
        await agent.post(conversation(conversation_id, "claim"))
        assert (await page.next())[0] == "claimed"
        await agent.post(conversation(conversation_id, "messages"), {"text": "On it."})
        name, line = await page.next()
        assert (name, line["from"], line["agent"], line["text"]) == (
            "line",
            "agent",
            "Dana",
            "On it.",
        )
        await agent.post("/agent/logout")
        await asyncio.sleep(0.3)
        assert not page.client.namespaces  # logging out closes the session's sockets
    finally:
        await page.client.disconnect()


@pytest.mark.parametrize("with_cookie, with_token", [(False, True), (True, False)])
async def test_the_live_socket_needs_the_cookie_and_the_token(
    agents: Callable[[], Agent], server: TestServer, with_cookie: bool, with_token: bool
) -> None:
    agent = agents()
    await agent.login("Dana")
    page = LivePage()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await page.connect(
            server, agent.cookie() if with_cookie else "", agent.csrf if with_token else "x"
        )
    await page.client.disconnect()


async def test_the_live_server_has_no_default_namespace(server: TestServer) -> None:
    client = socketio.AsyncClient()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            str(server.make_url("/")),
            socketio_path="agent/socket.io",
            transports=["websocket"],
            wait_timeout=3,
        )
    await client.disconnect()


@asynccontextmanager
async def two_instances_with_dana(
    settings: Settings, pg_schema: str, redis_prefix: str
) -> AsyncIterator[tuple[TestServer, TestServer]]:
    """Two instances, each with a home of its own, sharing PostgreSQL and Redis, where Dana
    has an account."""
    accounts = PostgresAgentAccounts(DATABASE_URL, pg_schema)
    await accounts.add("Dana", PASSWORDS["Dana"])
    await accounts.close()
    shared = on_shared_servers(settings, pg_schema, redis_prefix)
    other_home = shared.model_copy(update={"home": settings.home.parent / "home-b"})
    async with served(shared) as a, served(other_home) as b:
        yield a, b


async def test_a_login_at_one_instance_is_a_login_at_the_other(
    settings: Settings, pg_schema: str, redis_prefix: str
) -> None:
    """Two instances, each with a home of its own, sharing PostgreSQL: the session cookie
    from one opens the other, and a logout at the other ends it at the first."""
    async with two_instances_with_dana(settings, pg_schema, redis_prefix) as (a, b):
        agent = Agent(a)
        assert (await agent.login("Dana")).status == 200
        cookie = agent.cookie()
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as at_b:
            async with at_b.get(b.make_url("/agent/api/me"), headers={"Cookie": cookie}) as me:
                assert me.status == 200 and (await me.json())["agent"] == "Dana"
            headers = {"Cookie": cookie, "X-CSRF-Token": agent.csrf}
            url = b.make_url("/agent/logout")
            async with at_b.post(url, headers=headers, json={}) as response:
                assert response.status == 200
        assert (await agent.get("/agent/api/me"))[0] == 401
        await agent.http.close()


async def test_a_logout_at_another_instance_closes_the_live_page_here(
    settings: Settings, pg_schema: str, redis_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page at A hears nothing more once its session ended at B: A looks the session up
    again before its next push (at once here, instead of within `RECHECK_S`)."""
    monkeypatch.setattr(agent_live, "RECHECK_S", 0.0)
    async with two_instances_with_dana(settings, pg_schema, redis_prefix) as (a, b):
        agent = Agent(a)
        assert (await agent.login("Dana")).status == 200
        page = LivePage()
        await page.connect(a, agent.cookie(), agent.csrf)
        try:
            async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as at_b:
                headers = {"Cookie": agent.cookie(), "X-CSRF-Token": agent.csrf}
                async with at_b.post(b.make_url("/agent/logout"), headers=headers, json={}) as out:
                    assert out.status == 200
            assert page.client.namespaces  # A has not heard of it yet
            async with connected(a, "agent_joined", "agent_left") as shopper:
                await asks_for_a_person(shopper)
            await asyncio.sleep(0.5)
            assert not page.client.namespaces and page.events.empty()
        finally:
            await page.client.disconnect()
            await agent.http.close()
