"""WeChat's request signatures and safe-mode message encryption (消息加解密), as Tencent's
WXBizMsgCrypt samples do them.

- `signature`: SHA-1 hex of the parts sorted and joined: [token, timestamp, nonce] signs a
  request (URL check, plaintext mode); [token, timestamp, nonce, Encrypt] is `msg_signature`.
- `MessageCipher`: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = the key's first 16
  bytes; the plaintext is 16 random bytes, the message's length (4 bytes, big-endian), the
  message, the AppID, PKCS#7-padded to 32 bytes. A message for another AppID is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY_CHARS = 43
BLOCK_BITS = 256  # WeChat pads to 32 bytes, not AES's 16
RANDOM_BYTES = 16
_TOKEN = re.compile(r"^[A-Za-z0-9]{3,32}$")


class Undecryptable(ValueError):
    """The ciphertext is not base64 of whole AES blocks (a malformed request: 400)."""


class NotForThisAccount(ValueError):
    """It decrypts to nothing valid under this key, or names another AppID (403)."""


def signature(*parts: str) -> str:
    """SHA-1 hex of the parts, sorted as strings and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(given: str, *parts: str) -> bool:
    """Constant-time comparison; undecodable query bytes never raise."""
    expected = signature(*parts).encode("ascii")
    return hmac.compare_digest(given.lower().encode("utf-8", "surrogatepass"), expected)


def check_token(token: str) -> None:
    """WeChat's Token is 3 to 32 letters and digits; the message never repeats it."""
    if not _TOKEN.match(token):
        raise ValueError("wechat.token must be 3 to 32 letters and digits")


class MessageCipher:
    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        """Raises ValueError (without the key) unless the key is 43 base64 characters."""
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error:
            key = b""
        if len(encoding_aes_key) != KEY_CHARS or len(key) != 32:
            raise ValueError("wechat.encoding_aes_key must be 43 base64 characters")
        self._key = key
        self._app_id = app_id.encode("utf-8")

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, message: str, random_prefix: bytes | None = None) -> str:
        """The base64 `Encrypt` of `message`; `random_prefix` only for fixed test vectors."""
        prefix = os.urandom(RANDOM_BYTES) if random_prefix is None else random_prefix
        body = message.encode("utf-8")
        plain = prefix + struct.pack(">I", len(body)) + body + self._app_id
        padder = padding.PKCS7(BLOCK_BITS).padder()
        padded = padder.update(plain) + padder.finalize()
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The message inside `encrypted`; raises `Undecryptable` or `NotForThisAccount`."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise Undecryptable("Encrypt is not base64") from None
        if not raw or len(raw) % (BLOCK_BITS // 8):
            raise Undecryptable("Encrypt is not whole 32-byte blocks")
        decryptor = self._cipher().decryptor()
        padded = decryptor.update(raw) + decryptor.finalize()
        unpadder = padding.PKCS7(BLOCK_BITS).unpadder()
        try:
            plain = unpadder.update(padded) + unpadder.finalize()
        except ValueError:
            raise NotForThisAccount("not encrypted with this EncodingAESKey") from None
        return self._unwrap(plain)

    def _unwrap(self, plain: bytes) -> str:
        header = RANDOM_BYTES + 4
        if len(plain) < header:
            raise NotForThisAccount("too short to be a message")
        (length,) = struct.unpack(">I", plain[RANDOM_BYTES:header])
        if length > len(plain) - header:
            raise NotForThisAccount("the length field runs past the message")
        app_id = plain[header + length :]
        if not hmac.compare_digest(app_id, self._app_id):
            raise NotForThisAccount("the message is for another AppID")
        try:
            return plain[header : header + length].decode("utf-8")
        except UnicodeDecodeError:
            raise NotForThisAccount("the message is not UTF-8") from None
