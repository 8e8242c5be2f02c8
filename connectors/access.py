"""Who may use the operator routes (regenerating descriptions, posting agent lines)."""

from __future__ import annotations

import hmac
import ipaddress

from aiohttp import web
from pydantic import SecretStr

from bot.app import json_error


def operator_refusal(
    request: web.Request, token: SecretStr | None, setting: str
) -> web.Response | None:
    """None when allowed: the configured Bearer token, or, with none configured, a request
    from this machine. Otherwise the 401/403 to answer."""
    if token is not None:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if hmac.compare_digest(given.encode(), token.get_secret_value().encode()):
            return None
        return json_error(401, f"this needs the token in {setting} (Authorization: Bearer)")
    try:
        local = ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        local = False
    return None if local else json_error(403, f"set {setting} to allow other machines")
