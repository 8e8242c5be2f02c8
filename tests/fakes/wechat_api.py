"""Both sides of WeChat for tests, on 127.0.0.1.

`FakeWechatApi` is WeChat's server API as a real aiohttp server (`wechat.api_url` points at
it): `cgi-bin/token` checks the AppID and secret and issues numbered tokens;
`cgi-bin/message/custom/send` checks the token and records each message. It counts every
request it received, and can be told to refuse the current token once (errcode 40001).

`WechatPlatform` is WeChat calling the app: official-format XML for every message type,
signed and, in safe mode, encrypted as Tencent's WXBizMsgCrypt sample does it. Its crypto is
written here, apart from `connectors.wechat_crypto` (its padding by hand, as the sample's),
and `tests/connectors/test_wechat_crypto.py` checks both against Tencent's published vector.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

ACCOUNT = "gh_0123456789ab"  # the account's original id: ToUserName of what shoppers send


# WeChat's crypto, independently


def wechat_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _aes(encoding_aes_key: str) -> Cipher[modes.CBC]:
    key = base64.b64decode(encoding_aes_key + "=")
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt_as_wechat(
    encoding_aes_key: str, app_id: str, message: str, random_prefix: bytes | None = None
) -> str:
    body = message.encode()
    plain = (random_prefix or os.urandom(16)) + struct.pack(">I", len(body)) + body
    plain += app_id.encode()
    pad = 32 - len(plain) % 32  # as the sample's PKCS7Encoder: 1..32 bytes of the count
    encryptor = _aes(encoding_aes_key).encryptor()
    raw = encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
    return base64.b64encode(raw).decode()


def decrypt_as_wechat(encoding_aes_key: str, encrypted: str) -> tuple[str, str]:
    """(message, AppID) inside `encrypted`."""
    decryptor = _aes(encoding_aes_key).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    (length,) = struct.unpack(">I", plain[16:20])
    return plain[20 : 20 + length].decode(), plain[20 + length :].decode()


# official-format messages


def cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


def message_xml(
    msg_type: str,
    openid: str,
    fields: dict[str, str] | None = None,
    msg_id: str | None = None,
    created: int | None = None,
) -> str:
    """A message as WeChat pushes it; events carry no MsgId."""
    parts = [
        f"<ToUserName>{cdata(ACCOUNT)}</ToUserName>",
        f"<FromUserName>{cdata(openid)}</FromUserName>",
        f"<CreateTime>{created or int(time.time())}</CreateTime>",
        f"<MsgType>{cdata(msg_type)}</MsgType>",
    ]
    for name, value in (fields or {}).items():
        parts.append(f"<{name}>{value if value.isdigit() else cdata(value)}</{name}>")
    if msg_type != "event":
        parts.append(f"<MsgId>{msg_id or str(uuid.uuid4().int)[:19]}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


def envelope_xml(encrypted: str) -> str:
    """A safe-mode body: the account and the encrypted message."""
    return (
        f"<xml><ToUserName>{cdata(ACCOUNT)}</ToUserName><Encrypt>{cdata(encrypted)}</Encrypt></xml>"
    )


def text_xml(openid: str, content: str, msg_id: str | None = None) -> str:
    return message_xml("text", openid, {"Content": content}, msg_id)


# one sample of each kind WeChat sends, as in its message reference
SAMPLES: dict[str, tuple[str, dict[str, str]]] = {
    "text": ("text", {"Content": "你好"}),
    "image": ("image", {"PicUrl": "http://mmbiz.qpic.cn/x.jpg", "MediaId": "media_id_1"}),
    "voice": ("voice", {"MediaId": "media_id_2", "Format": "amr"}),
    "voice_recognised": (
        "voice",
        {"MediaId": "media_id_3", "Format": "amr", "Recognition": "有没有蓝牙耳机"},
    ),
    "video": ("video", {"MediaId": "media_id_4", "ThumbMediaId": "thumb_media_id"}),
    "shortvideo": ("shortvideo", {"MediaId": "media_id_5", "ThumbMediaId": "thumb_media_id"}),
    "location": (
        "location",
        {"Location_X": "23.134521", "Location_Y": "113.358803", "Scale": "20", "Label": "位置"},
    ),
    "link": (
        "link",
        {"Title": "公众平台官网链接", "Description": "链接", "Url": "https://mp.weixin.qq.com/"},
    ),
    "subscribe": ("event", {"Event": "subscribe", "EventKey": ""}),
    "unsubscribe": ("event", {"Event": "unsubscribe", "EventKey": ""}),
    "click": ("event", {"Event": "CLICK", "EventKey": "推荐一款蓝牙耳机"}),
}


@dataclass
class Answer:
    status: int
    body: str
    reply: dict[str, Any] = field(default_factory=dict)  # the (decrypted) reply's fields

    @property
    def text(self) -> str:
        return str(self.reply.get("Content") or "")

    @property
    def articles(self) -> list[dict[str, str]]:
        return list(self.reply.get("Articles") or [])


def read_reply(xml: str) -> dict[str, Any]:
    root = ElementTree.fromstring(xml)  # the app's own answer, not a request body
    fields: dict[str, Any] = {
        child.tag: child.text or "" for child in root if child.tag != "Articles"
    }
    articles = root.find("Articles")
    if articles is not None:
        fields["Articles"] = [{c.tag: c.text or "" for c in item} for item in articles]
    return fields


class WechatPlatform:
    """WeChat's servers pushing to the app's `/webhooks/wechat`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        encoding_aes_key: str | None = None,
        app_id: str | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/webhooks/wechat"
        self.token = token
        self.key = encoding_aes_key
        self.app_id = app_id

    def signed_query(self, age_s: float = 0.0, nonce: str | None = None) -> dict[str, str]:
        timestamp, nonce = str(int(time.time() - age_s)), nonce or uuid.uuid4().hex[:10]
        signature = wechat_signature(self.token, timestamp, nonce)
        return {"signature": signature, "timestamp": timestamp, "nonce": nonce}

    async def verify(self, echostr: str, **options: Any) -> tuple[int, str]:
        query = {**self.signed_query(options.pop("age_s", 0.0)), "echostr": echostr, **options}
        async with aiohttp.ClientSession() as http, http.get(self.url, params=query) as r:
            return r.status, await r.text()

    async def send(
        self,
        xml: str,
        age_s: float = 0.0,
        app_id: str | None = None,
        query: dict[str, str] | None = None,
        encrypt: bool | None = None,
    ) -> Answer:
        """POST `xml` as WeChat would (encrypted when the platform has a key), `query`
        overriding what WeChat would put in the URL."""
        signed = self.signed_query(age_s)
        encrypt = self.key is not None if encrypt is None else encrypt
        body = xml
        if encrypt:
            assert self.key is not None and self.app_id is not None
            encrypted = encrypt_as_wechat(self.key, app_id or self.app_id, xml)
            body = envelope_xml(encrypted)
            msg_signature = wechat_signature(
                self.token, signed["timestamp"], signed["nonce"], encrypted
            )
            signed |= {"encrypt_type": "aes", "msg_signature": msg_signature}
        return await self.post(body.encode(), {**signed, "openid": "x", **(query or {})})

    async def post(self, body: bytes, query: dict[str, str]) -> Answer:
        async with aiohttp.ClientSession() as http:
            async with http.post(self.url, params=query, data=body) as response:
                answer = Answer(response.status, await response.text())
        if answer.status == 200 and answer.body.startswith("<xml>"):
            answer.reply = self._open(answer.body)
        return answer

    def _open(self, xml: str) -> dict[str, Any]:
        fields = read_reply(xml)
        if "Encrypt" not in fields:
            return fields
        assert self.key is not None
        signed = wechat_signature(
            self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"]
        )
        assert fields["MsgSignature"] == signed, "the reply's MsgSignature does not match"
        message, app_id = decrypt_as_wechat(self.key, fields["Encrypt"])
        assert app_id == self.app_id
        return read_reply(message)


# the server API


@dataclass(frozen=True)
class Sent:
    touser: str
    msgtype: str
    body: dict[str, Any]
    access_token: str

    @property
    def text(self) -> str:
        return str(self.body.get("text", {}).get("content", ""))

    @property
    def articles(self) -> list[dict[str, str]]:
        return list(self.body.get("news", {}).get("articles", []))


class FakeWechatApi:
    def __init__(self, app_id: str, secret: str) -> None:
        self.app_id = app_id
        self.secret = secret
        self.token_requests = 0
        self.send_requests = 0
        self.sent: list[Sent] = []
        self.refuse_token_once = False  # the next send gets 40001, as after a reset elsewhere
        self._issued = 0
        self._arrived = asyncio.Condition()
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._send)
        self._server = TestServer(app, host="127.0.0.1")

    async def start(self) -> None:
        await self._server.start_server()

    async def close(self) -> None:
        await self._server.close()

    @property
    def api_url(self) -> str:
        return str(self._server.make_url("/")).rstrip("/")

    @property
    def current_token(self) -> str:
        return f"ACCESS_TOKEN_{self._issued}"

    async def wait_for(self, count: int, timeout: float = 20.0) -> list[Sent]:
        """The first `count` messages sent, once that many arrived."""

        async def enough() -> list[Sent]:
            async with self._arrived:
                await self._arrived.wait_for(lambda: len(self.sent) >= count)
            return self.sent[:count]

        return await asyncio.wait_for(enough(), timeout)

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        query = request.query
        if query.get("grant_type") != "client_credential" or query.get("appid") != self.app_id:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("secret") != self.secret:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        self._issued += 1
        return web.json_response({"access_token": self.current_token, "expires_in": 7200})

    async def _send(self, request: web.Request) -> web.Response:
        self.send_requests += 1
        token = request.query.get("access_token", "")
        if self.refuse_token_once or token != self.current_token:
            self.refuse_token_once = False
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        body = await request.json()
        async with self._arrived:
            self.sent.append(Sent(str(body["touser"]), str(body["msgtype"]), body, token))
            self._arrived.notify_all()
        return web.json_response({"errcode": 0, "errmsg": "ok"})
