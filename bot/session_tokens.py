"""Tokens that prove a web session belongs to whoever holds them (HMAC of the session id)."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


def load_or_create_secret(home: Path, configured: str | None) -> bytes:
    """The configured secret, or one generated once and kept (mode 0600) under `home`."""
    if configured:
        return configured.encode("utf-8")
    path = home / "secret.key"
    if path.exists():
        return path.read_bytes()
    home.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(secret)
    return secret


class SessionTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def verify(self, session_id: str, token: str | None) -> bool:
        if not token:
            return False
        return hmac.compare_digest(self.issue(session_id), token)
