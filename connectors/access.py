"""The edge of every HTTP route: who may call it, and reading a JSON body safely."""

from __future__ import annotations

import hmac
import ipaddress
import json
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.app import json_error
from bot.rate_limits import retry_after
from bot.text import has_huge_integer, is_clean_text


def bearer_refusal(
    request: web.Request, token: SecretStr | None, setting: str
) -> web.Response | None:
    """None when the request carries `token` as a Bearer token; otherwise the 401/403 to
    answer. With no token configured the route is closed: no address is trusted, since
    behind a reverse proxy every request comes from this machine."""
    if token is None:
        return json_error(403, f"this route is off; set {setting} to open it")
    header = request.headers.get("Authorization", "")
    # aiohttp keeps undecodable header bytes as surrogates: compare bytes, never raise
    given = header.removeprefix("Bearer ").strip().encode("utf-8", "surrogatepass")
    if hmac.compare_digest(given, token.get_secret_value().encode("utf-8")):
        return None
    return json_error(401, f"this needs the token in {setting} (Authorization: Bearer)")


async def json_object(request: web.Request, require_json_type: bool = True) -> dict[str, Any]:
    """The body as a JSON object, or a 4xx (raised) that says what is wrong with it.

    Operator routes demand `Content-Type: application/json`: a browser cannot send that
    cross-site without asking first, so a page cannot post to them on someone's behalf.
    """
    if require_json_type and request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(reason="send the body as application/json")
    raw = await request.read()
    if not raw.strip():
        raise web.HTTPBadRequest(reason="empty body: send a JSON object")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        raise web.HTTPBadRequest(reason="body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise web.HTTPBadRequest(reason="body must be a JSON object")
    if not is_clean_text(payload):
        raise web.HTTPBadRequest(reason="body holds invalid Unicode (a lone surrogate)")
    if has_huge_integer(payload):
        raise web.HTTPBadRequest(reason="body holds an integer beyond 64 bits")
    return payload


def too_many(wait_s: float, message: str) -> web.Response:
    """429 with the Retry-After a rate limit computed."""
    response = json_error(429, message)
    response.headers["Retry-After"] = retry_after(wait_s)
    return response


def client_address(request: web.BaseRequest, trusted_proxies: list[str]) -> str:
    """Who to rate-limit for this request (see `address_key`)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    return address_key(request.remote or "unknown", forwarded, trusted_proxies)


def address_key(peer: str, forwarded_for: str, trusted_proxies: list[str]) -> str:
    """The peer, or the client a trusted proxy names (the last address in X-Forwarded-For,
    the one the proxy itself added). IPv6 clients count per /64, the block one subscriber
    gets, so rotating addresses inside it changes nothing."""
    address = peer
    if peer in trusted_proxies:
        address = forwarded_for.split(",")[-1].strip() or peer
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        mapped = parsed.ipv4_mapped
        if mapped is not None:
            return str(mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
