"""WeChat's server API for what a passive reply cannot carry: customer-service messages
(客服消息), and the access token they need.

- `GET {api_url}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…` answers
  `{access_token, expires_in}`; the token is kept until `expires_in` minus a margin and
  fetched by one caller at a time.
- `POST {api_url}/cgi-bin/message/custom/send?access_token=…` with `{"touser", "msgtype":
  "text", "text": {"content"}}` or `{"msgtype": "news", "news": {"articles": [...]}}`. An
  answer saying the token is invalid or expired (errcode 40001, 42001, 40014) refreshes it
  once and sends again.

The secret and the token travel in query strings, and aiohttp's errors quote the URL, so
failures are logged by their kind and errcode only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp

from connectors.wechat_xml import Article

logger = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40001, 42001, 40014})
TOKEN_MARGIN_S = 300.0  # refresh this long before WeChat says the token expires
TIMEOUT_S = 10.0
JSON_TYPE = {"Content-Type": "application/json; charset=utf-8"}


class WechatApiError(Exception):
    """WeChat refused a call (its errcode) or could not be reached (errcode None)."""

    def __init__(self, errcode: int | None, what: str) -> None:
        super().__init__(f"{what} (errcode {errcode})")
        self.errcode = errcode


class CustomerService:
    def __init__(self, api_url: str, app_id: str, app_secret: str) -> None:
        self._base = api_url.rstrip("/")
        self._app_id = app_id
        self._secret = app_secret
        self._http: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._expires = 0.0
        self._fetching = asyncio.Lock()

    async def open(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def send_text(self, openid: str, text: str) -> None:
        await self._send({"touser": openid, "msgtype": "text", "text": {"content": text}})

    async def send_news(self, openid: str, articles: list[Article]) -> None:
        items = [
            {"title": a.title, "description": a.description, "url": a.url, "picurl": a.pic_url}
            for a in articles
        ]
        await self._send({"touser": openid, "msgtype": "news", "news": {"articles": items}})

    async def _send(self, body: dict[str, Any]) -> None:
        token = await self.access_token()
        for attempt in (1, 2):
            path = "/cgi-bin/message/custom/send"
            answer = await self._call("POST", path, {"access_token": token}, body)
            errcode = int(answer.get("errcode") or 0)
            if errcode == 0:
                return
            if errcode not in TOKEN_ERRORS or attempt == 2:
                raise WechatApiError(errcode, "message/custom/send refused")
            token = await self.access_token(stale=token)

    async def access_token(self, stale: str | None = None) -> str:
        """The cached token, else a new one; `stale`: WeChat refused that one, so fetch
        again unless another caller already did."""
        async with self._fetching:
            fresh = self._token is not None and time.monotonic() < self._expires
            if fresh and self._token != stale:
                assert self._token is not None
                return self._token
            query = {"grant_type": "client_credential", "appid": self._app_id}
            answer = await self._call("GET", "/cgi-bin/token", {**query, "secret": self._secret})
            token = answer.get("access_token")
            if not isinstance(token, str) or not token:
                raise WechatApiError(_errcode(answer), "cgi-bin/token refused")
            lifetime = float(answer.get("expires_in") or 7200)
            self._token = token
            self._expires = time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_S)
            return token

    async def _call(
        self, method: str, path: str, params: dict[str, str], body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        assert self._http is not None, "open() first"
        # Chinese as UTF-8, not \u escapes: WeChat has shown escapes to shoppers verbatim
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        try:
            async with self._http.request(
                method, self._base + path, params=params, data=data, headers=JSON_TYPE
            ) as response:
                answer = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise WechatApiError(None, f"{path}: {type(error).__name__}") from None
        if not isinstance(answer, dict):
            raise WechatApiError(None, f"{path}: not a JSON object")
        return answer


def _errcode(answer: dict[str, Any]) -> int | None:
    code = answer.get("errcode")
    return int(code) if isinstance(code, int) else None
