"""WeChat Official Account (公众号) shoppers: `GET|POST /webhooks/wechat`.

GET is WeChat's URL check: `signature` is SHA-1 of the sorted token, timestamp and nonce;
`echostr` is answered. POST carries one message or event as XML: in plaintext mode, or with
`encrypt_type=aes` (compatible and safe modes) as `Encrypt`, signed by `msg_signature`
(`connectors.wechat_crypto`); the reply goes back the way the request came. With an
EncodingAESKey set, only encrypted requests are taken: a plaintext request's signature does
not cover its body. Before anything is read or stored a request must pass: the signature,
a timestamp within 5 minutes, a body of 64 KiB at most, XML without DTDs or entities
(`connectors.wechat_xml`), and the fields a message must have.

A text (a voice message WeChat transcribed, a menu click's key) is a turn of
`wechat:<openid>` through `Bot.handle`; numbered options answer to their number
(`connectors.wechat_replies`); `subscribe` gets a welcome with the menu as numbered lines;
other media get a polite answer in Chinese. WeChat waits 5 s for its answer: a turn that ends
within `wechat.reply_budget_s` is answered passively, else `success` at once and the reply
follows through the customer-service API (`connectors.wechat_api`), as do the parts a passive
reply cannot carry and a person's lines from the outbox, within 48 hours of the shopper's last
message (`bot.wechat_shoppers`: SQLite, or PostgreSQL with `database_url`). A retry of a
delivery never starts a second turn (`bot.wechat_deliveries`: SQLite, Redis with `redis_url`,
else PostgreSQL with `database_url`).

WeChat is on when `wechat.token` (WECHAT_TOKEN) is set.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from aiohttp import web

from bot.app import (
    BOT,
    CLIENT_LIMITS,
    OUTBOX,
    REDIS,
    json_error,
    wechat_deliveries,
    wechat_shoppers,
)
from bot.messages import UserMessage, conversation_id, log_id
from bot.settings import Settings, WechatSettings
from bot.text import is_clean_text, is_printable_id
from connectors.access import client_address
from connectors.wechat_api import CustomerService, WechatApiError
from connectors.wechat_crypto import (
    MessageCipher,
    NotForThisAccount,
    Undecryptable,
    check_token,
    signature,
    signature_matches,
)
from connectors.wechat_replies import Outgoing, Part, ReplyStyle, compose, split_text
from connectors.wechat_xml import (
    BadMessage,
    BadXml,
    Inbound,
    encrypted_part,
    encrypted_reply,
    news_reply,
    parse,
    read_inbound,
    text_reply,
)
from nlu.results import Overloaded

logger = logging.getLogger(__name__)

PATH = "/webhooks/wechat"
MAX_BODY_BYTES = 64 * 1024
MAX_SKEW_S = 300
MAX_OPENID = 64
MAX_ECHOSTR = 128
CLAIM_POLL_S = 0.5  # how often a retry looks for the first attempt's answer
RETRY_WAIT_S = 5.5  # past WeChat's 5 s: it has sent the next retry by then
MIN_TURN_S = 1.0  # the least of its budget a retry needs to take a turn over
# a turn starts within WeChat's 5 s or not at all, so its claim is answered (`success` at
# worst) long before the lease lets a retry take it over
START_DEADLINE_S = 5.0
SUCCESS = "success"  # WeChat's "nothing to reply": it neither retries nor shows an error
PERSON_EVENTS = frozenset({"agent_joined", "bot_uttered", "agent_left"})
PREFIX = "wechat:"
XML_TYPE = "text/xml"

MEDIA_ANSWER = "暂时只能看懂文字哦。请用文字告诉我您想找什么，比如“3000块以内的笔记本”。"
BUSY_ANSWER = "现在咨询的人有点多，请稍后再发一次。"
TOO_FAST_ANSWER = "您发得有点快，请稍等片刻再发。"
WELCOME_FALLBACK = "您好！欢迎关注，我是商店助手。"
WELCOME_PROMPT = "回复数字即可选择："
# (what the shopper reads, what the number sends): Chinese words the bot reads as the shopper
# writing them, so the conversation starts in Chinese
WELCOME_CHOICES = (
    ("找商品（比如“3000块以内的笔记本”）", "我想买笔记本电脑"),
    ("查订单", "我想查一下我的订单"),
    ("退换货政策", "退货政策是什么"),
    ("转人工客服", "转人工"),
)


class Forbidden(Exception):
    """A request WeChat did not send (403)."""


class WechatChannel:
    name = "wechat"

    def __init__(self) -> None:
        self._pending: set[asyncio.Task[Any]] = set()
        self._chains: dict[str, asyncio.Task[None]] = {}  # openid -> its latest push
        self.dropped_outside_window = 0

    def register(self, app: web.Application, settings: Settings) -> None:
        wechat = settings.wechat
        if wechat.token is None:
            logger.info("wechat: off (set WECHAT_TOKEN or wechat.token)")
            return
        self._token = wechat.token.get_secret_value()
        check_token(self._token)
        self._cipher = _cipher(wechat)
        self._api = _customer_service(wechat)
        self._shoppers = wechat_shoppers(settings)
        # retries may land on another instance: on Redis or PostgreSQL every instance sees them
        self._deliveries = wechat_deliveries(settings, app.get(REDIS))
        self._style = ReplyStyle(
            # news needs a second message for the text: without the API, text only
            news=wechat.product_replies == "news" and self._api is not None,
            max_articles=wechat.max_articles,
            product_url=wechat.product_url,
            picture_url=wechat.picture_url,
        )
        self._budget_s = wechat.reply_budget_s
        self._proxies = settings.limits.trusted_proxies
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.receive)
        app.cleanup_ctx.append(self._lifetime)
        mode = "safe mode" if self._cipher else "plaintext mode"
        logger.info("wechat: on at %s (%s)", PATH, mode)

    async def _lifetime(self, app: web.Application) -> AsyncIterator[None]:
        if self._api is not None:
            await self._api.open()
        stop = app[OUTBOX].subscribe(self.deliver)
        yield
        stop()
        if self._pending:  # late replies still on their way
            await asyncio.wait(set(self._pending), timeout=10)
        if self._api is not None:
            await self._api.close()
        await self._shoppers.close()
        await self._deliveries.close()

    # requests

    async def verify(self, request: web.Request) -> web.Response:
        """WeChat's URL check: the signed `echostr` back, as plain text."""
        refusal = self._refusal(request.query)
        if refusal is not None:
            return refusal
        echostr = request.query.get("echostr", "")
        if not (0 < len(echostr) <= MAX_ECHOSTR and is_printable_id(echostr)):
            return json_error(400, "echostr: missing or not plain text")
        return web.Response(text=echostr, content_type="text/plain")

    async def receive(self, request: web.Request) -> web.Response:
        started = time.monotonic()
        refusal = self._refusal(request.query)
        if refusal is not None:
            return refusal
        body = await _bounded_body(request)
        if body is None:
            return json_error(413, "request body too large", max_bytes=MAX_BODY_BYTES)
        try:
            inbound = self._read(request.query, body)
        except (BadXml, BadMessage, Undecryptable) as error:
            return json_error(400, str(error))
        except (Forbidden, NotForThisAccount) as error:
            return json_error(403, str(error))
        reply = await self._answer(request, inbound, started)
        return self._respond(reply)

    def _refusal(self, query: Mapping[str, str]) -> web.Response | None:
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not signature_matches(query.get("signature", ""), self._token, timestamp, nonce):
            return json_error(403, "signature does not match")
        if not _fresh(timestamp):
            return json_error(403, "timestamp is more than 5 minutes from now")
        return None

    def _read(self, query: Mapping[str, str], body: bytes) -> Inbound:
        """The message, decrypted and checked; raises what `receive` maps to 400/403."""
        root = parse(body)
        aes = query.get("encrypt_type", "raw") == "aes"
        if self._cipher is None:
            if aes:
                raise BadMessage("encrypted, but no EncodingAESKey is configured")
            return _checked(read_inbound(root))
        if not aes:
            raise Forbidden("this account takes encrypted messages only (encrypt_type=aes)")
        encrypted = encrypted_part(root)
        signed = (self._token, query.get("timestamp", ""), query.get("nonce", ""), encrypted)
        if not signature_matches(query.get("msg_signature", ""), *signed):
            raise Forbidden("msg_signature does not match")
        inner = self._cipher.decrypt(encrypted)
        return _checked(read_inbound(parse(inner.encode("utf-8"))))

    def _respond(self, reply: str) -> web.Response:
        """`success`, or the reply XML (encrypted in safe mode)."""
        if not reply:
            return web.Response(text=SUCCESS, content_type="text/plain")
        if self._cipher is not None:
            timestamp, nonce = int(time.time()), secrets.token_hex(8)
            encrypted = self._cipher.encrypt(reply)
            signed = signature(self._token, str(timestamp), nonce, encrypted)
            reply = encrypted_reply(encrypted, signed, timestamp, nonce)
        return web.Response(text=reply, content_type=XML_TYPE)

    # answers

    async def _answer(self, request: web.Request, inbound: Inbound, started: float) -> str:
        """The passive reply ('' for `success`), once per delivery: a retry gets the same."""
        key = inbound.delivery_key
        claim = await self._deliveries.claim(key)
        while not claim.first and claim.reply is None:
            # the first attempt is still running, here or at another instance, or died with
            # its instance: wait for its answer, or take its claim over once the lease is out
            # while this request still has time for a turn. Never `success` before WeChat
            # gives up on this request: it would stop retrying, and nobody would answer
            if self._time_left(started) <= MIN_TURN_S:
                await asyncio.sleep(max(0.0, RETRY_WAIT_S - (time.monotonic() - started)))
                return ""  # WeChat has sent its next retry by now
            await asyncio.sleep(CLAIM_POLL_S)
            claim = await self._deliveries.claim(key)
        if not claim.first:
            logger.info("wechat: delivery repeated conversation=%s", _log(inbound.from_user))
            return claim.reply or ""
        try:
            reply = await self._first_answer(request, inbound, started)
        except _TooLate:
            # no turn was started: the claim stays unanswered, so a retry takes it over
            logger.warning(
                "wechat: too late to start the turn conversation=%s", _log(inbound.from_user)
            )
            return ""
        except BaseException:
            await self._deliveries.forget(key, claim.token)  # a retry may try again
            raise
        await self._deliveries.answered(key, reply, claim.token)
        return reply

    async def _first_answer(self, request: web.Request, inbound: Inbound, started: float) -> str:
        openid = inbound.from_user
        if inbound.event == "unsubscribe":
            await self._shoppers.left(openid)
            return ""
        await self._shoppers.wrote(openid)
        address = client_address(request, self._proxies)
        wait = await request.app[CLIENT_LIMITS].check(address, conversation_id(self.name, openid))
        if wait is not None:  # WeChat shows an error for a 4xx: the shopper is told instead
            return self._passive(inbound, TOO_FAST_ANSWER)
        if inbound.event == "subscribe":
            return await self._welcome(request.app, inbound)
        text = _turn_text(inbound)
        if text is None:
            return "" if inbound.msg_type == "event" else self._passive(inbound, MEDIA_ANSWER)
        return await self._turn(request.app, inbound, text, started)

    async def _welcome(self, app: web.Application, inbound: Inbound) -> str:
        variation = app[BOT].domain.pick_response("utter_greet", {"language": "zh"})
        greeting = variation.text if variation and variation.text else WELCOME_FALLBACK
        menu = [f"{n}. {title}" for n, (title, _) in enumerate(WELCOME_CHOICES, 1)]
        choices = [payload for _, payload in WELCOME_CHOICES]
        await self._shoppers.set_options(inbound.from_user, choices)
        return self._passive(inbound, "\n\n".join([greeting, WELCOME_PROMPT, "\n".join(menu)]))

    async def _turn(self, app: web.Application, inbound: Inbound, text: str, started: float) -> str:
        """Passive when the turn ends within the budget; else `success` and a late reply."""
        openid = inbound.from_user
        chosen = _chosen(text, await self._shoppers.options(openid))
        message = UserMessage(text=chosen or text, sender_id=openid, channel=self.name)
        if time.monotonic() - started > START_DEADLINE_S:
            raise _TooLate  # WeChat gave up on this request: a retry takes the turn over
        work = self._keep(asyncio.ensure_future(self._converse(app, message)))
        done, _ = await asyncio.wait({work}, timeout=self._time_left(started))
        if not done:
            logger.info(
                "wechat: over the reply budget, answering later conversation=%s", _log(openid)
            )
            work.add_done_callback(lambda task: self._late(openid, task))
            return ""
        outgoing = work.result()
        if len(outgoing.parts) > 1:
            self._push(openid, outgoing.parts[1:])
        return self._passive(inbound, outgoing.parts[0]) if outgoing.parts else ""

    def _time_left(self, started: float) -> float:
        """What is left of this request's reply budget."""
        return max(0.0, self._budget_s - (time.monotonic() - started))

    async def _converse(self, app: web.Application, message: UserMessage) -> Outgoing:
        try:
            replies = await app[BOT].handle(message)
        except Overloaded:
            return Outgoing([BUSY_ANSWER])
        outgoing = compose(replies, self._style)
        try:  # the turn is recorded: failing now would let WeChat's retry run it again
            await self._shoppers.set_options(message.sender_id, outgoing.options)
        except Exception as error:
            logger.warning(
                "wechat: numbered options not kept (%s) conversation=%s",
                type(error).__name__,
                _log(message.sender_id),
            )
        return outgoing

    def _late(self, openid: str, work: asyncio.Task[Outgoing]) -> None:
        if work.cancelled():
            return
        error = work.exception()
        if error is not None:
            logger.error("wechat: a late turn failed conversation=%s", _log(openid), exc_info=error)
            return
        self._push(openid, work.result().parts)

    def _passive(self, inbound: Inbound, part: Part) -> str:
        """A reply to `inbound`: from the account (its ToUserName) to the shopper."""
        now = int(time.time())
        if isinstance(part, str):
            return text_reply(inbound.from_user, inbound.to_user, now, part)
        return news_reply(inbound.from_user, inbound.to_user, now, list(part))

    # pushed through the customer-service API

    def deliver(self, conversation: str, event: str, payload: dict[str, Any]) -> None:
        """The outbox's lines from people (joined, wrote, left) for WeChat conversations."""
        text = payload.get("text")
        if event not in PERSON_EVENTS or not conversation.startswith(PREFIX):
            return
        if isinstance(text, str) and text.strip():
            self._push(conversation[len(PREFIX) :], list(split_text(text)))

    def _push(self, openid: str, parts: list[Part]) -> None:
        """Send after whatever is already on its way to this shopper, in order."""
        previous = self._chains.get(openid)
        task = self._keep(asyncio.ensure_future(self._send_after(previous, openid, parts)))
        self._chains[openid] = task
        task.add_done_callback(lambda done: self._chain_done(openid, done))

    def _chain_done(self, openid: str, task: asyncio.Task[None]) -> None:
        if self._chains.get(openid) is task:
            del self._chains[openid]

    async def _send_after(
        self, previous: asyncio.Task[None] | None, openid: str, parts: list[Part]
    ) -> None:
        if previous is not None:
            await asyncio.wait({previous})
        await self._send(openid, parts)

    async def _send(self, openid: str, parts: list[Part]) -> None:
        if self._api is None:
            logger.warning("wechat: no app_id/app_secret, %d message(s) not sent", len(parts))
            return
        if not await self._shoppers.within_window(openid):
            self.dropped_outside_window += len(parts)
            logger.warning(
                "wechat: outside WeChat's 48-hour window, dropped (%d so far) conversation=%s",
                self.dropped_outside_window,
                _log(openid),
            )
            return
        for part in parts:
            try:
                if isinstance(part, str):
                    await self._api.send_text(openid, part)
                else:
                    await self._api.send_news(openid, list(part))
            except WechatApiError as error:
                logger.warning("wechat: not sent: %s conversation=%s", error, _log(openid))
                return

    def _keep(self, task: asyncio.Task[Any]) -> asyncio.Task[Any]:
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task


def _cipher(wechat: WechatSettings) -> MessageCipher | None:
    if wechat.encoding_aes_key is None:
        return None
    if wechat.app_id is None:
        raise ValueError("wechat.encoding_aes_key needs wechat.app_id: messages carry it")
    return MessageCipher(wechat.encoding_aes_key.get_secret_value(), wechat.app_id)


def _customer_service(wechat: WechatSettings) -> CustomerService | None:
    if wechat.app_id is None or wechat.app_secret is None:
        logger.warning("wechat: no app_id/app_secret: late replies and agents' lines are off")
        return None
    return CustomerService(wechat.api_url, wechat.app_id, wechat.app_secret.get_secret_value())


async def _bounded_body(request: web.Request) -> bytes | None:
    """The body, or None past 64 KiB (whatever the app's own limit). `request.read()`, as
    `bot.app.body_deadline` has read it already (the stream itself is spent by then)."""
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return None
    body = await request.read()
    return body if len(body) <= MAX_BODY_BYTES else None


def _fresh(timestamp: str) -> bool:
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    return abs(time.time() - int(timestamp)) <= MAX_SKEW_S


def _checked(inbound: Inbound) -> Inbound:
    if len(inbound.from_user) > MAX_OPENID or not is_printable_id(inbound.from_user):
        raise BadMessage("FromUserName: not an OpenID")
    if not is_clean_text([inbound.content, inbound.recognition, inbound.event_key]):
        raise BadMessage("invalid Unicode")
    return inbound


def _turn_text(inbound: Inbound) -> str | None:
    """What the shopper said: a text, WeChat's transcript of a voice message, a menu key."""
    if inbound.msg_type == "text":
        return inbound.content
    if inbound.msg_type == "voice" and inbound.recognition and inbound.recognition.strip():
        return inbound.recognition
    if inbound.event == "CLICK" and inbound.event_key and inbound.event_key.strip():
        return inbound.event_key
    return None


def _chosen(text: str, options: list[str]) -> str | None:
    """The payload a numbered option's number selects ("2", "２")."""
    number = text.strip()
    if not options or not (0 < len(number) <= 2 and number.isdecimal()):
        return None
    index = int(number) - 1
    return options[index] if 0 <= index < len(options) else None


def _log(openid: str) -> str:
    """OpenIDs are personal data: logs get a digest of the conversation id."""
    return log_id(conversation_id("wechat", openid))


class _TooLate(Exception):
    """WeChat's 5 s ran out before the turn could start."""
