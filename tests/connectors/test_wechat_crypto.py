"""WeChat's signatures and safe-mode crypto against Tencent's published sample vector (the
WXBizMsgCrypt samples: Token QDG6eK, AppID wx5823bf96d3bd56c7), both ours and the test side's."""

from __future__ import annotations

import base64

import pytest

from connectors.wechat_crypto import (
    MessageCipher,
    NotForThisAccount,
    Undecryptable,
    check_token,
    signature,
    signature_matches,
)
from tests.fakes.wechat_api import decrypt_as_wechat, encrypt_as_wechat, wechat_signature

TOKEN = "QDG6eK"
APP_ID = "wx5823bf96d3bd56c7"
KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
TIMESTAMP, NONCE = "1409659813", "1372623149"
MSG_SIGNATURE = "477715d11cdb4164915debcba66cb864d751f3e6"
ENCRYPTED = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
    "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLj"
    "vd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMn"
    "vw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k"
    "22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2Yoy"
    "yH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
MESSAGE = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    "<CreateTime>1409659813</CreateTime>\n"
    "<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[hello]]></Content>\n"
    "<MsgId>4561255354251345929</MsgId>\n"
    "<AgentID>218</AgentID>\n"
    "</xml>"
)


def _random_prefix_of_the_vector() -> bytes:
    """The sample's 16 random bytes: AES-CBC's first block, decrypted with the raw key."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = base64.b64decode(KEY + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    return (decryptor.update(base64.b64decode(ENCRYPTED)) + decryptor.finalize())[:16]


def test_msg_signature_of_the_official_vector() -> None:
    assert signature(TOKEN, TIMESTAMP, NONCE, ENCRYPTED) == MSG_SIGNATURE
    assert wechat_signature(TOKEN, TIMESTAMP, NONCE, ENCRYPTED) == MSG_SIGNATURE
    assert signature_matches(MSG_SIGNATURE.upper(), TOKEN, TIMESTAMP, NONCE, ENCRYPTED)
    assert not signature_matches(MSG_SIGNATURE, TOKEN, TIMESTAMP, "1", ENCRYPTED)
    assert not signature_matches("\udc80" + MSG_SIGNATURE[1:], TOKEN, TIMESTAMP, NONCE, ENCRYPTED)


def test_the_url_check_signature_sorts_before_hashing() -> None:
    # sorted: "1372623149" < "1409659813" < "QDG6eK"
    import hashlib

    expected = hashlib.sha1(b"13726231491409659813QDG6eK").hexdigest()
    assert signature(TOKEN, TIMESTAMP, NONCE) == expected == signature(NONCE, TOKEN, TIMESTAMP)


def test_decrypts_the_official_vector() -> None:
    assert MessageCipher(KEY, APP_ID).decrypt(ENCRYPTED) == MESSAGE
    assert decrypt_as_wechat(KEY, ENCRYPTED) == (MESSAGE, APP_ID)


def test_encrypts_to_the_official_vector_given_its_random_prefix() -> None:
    prefix = _random_prefix_of_the_vector()
    assert MessageCipher(KEY, APP_ID).encrypt(MESSAGE, random_prefix=prefix) == ENCRYPTED
    assert encrypt_as_wechat(KEY, APP_ID, MESSAGE, random_prefix=prefix) == ENCRYPTED


def test_a_round_trip_in_chinese_whatever_the_length() -> None:
    cipher = MessageCipher(KEY, APP_ID)
    for text in ("", "你", "笔记本" * 11, "x" * 12, "<xml>3000块以内的笔记本</xml>" * 40):
        encrypted = cipher.encrypt(text)
        assert len(base64.b64decode(encrypted)) % 32 == 0
        assert decrypt_as_wechat(KEY, encrypted) == (text, APP_ID)
        assert cipher.decrypt(encrypt_as_wechat(KEY, APP_ID, text)) == text


def test_a_message_for_another_app_is_refused() -> None:
    encrypted = encrypt_as_wechat(KEY, "wx0000000000000000", "<xml/>")
    with pytest.raises(NotForThisAccount, match="another AppID"):
        MessageCipher(KEY, APP_ID).decrypt(encrypted)


def test_another_key_or_garbage_is_refused() -> None:
    other = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    with pytest.raises(NotForThisAccount):
        MessageCipher(other, APP_ID).decrypt(ENCRYPTED)
    with pytest.raises(Undecryptable):
        MessageCipher(KEY, APP_ID).decrypt("not base64 at all!")
    with pytest.raises(Undecryptable):
        MessageCipher(KEY, APP_ID).decrypt(base64.b64encode(b"x" * 31).decode())
    with pytest.raises(Undecryptable):
        MessageCipher(KEY, APP_ID).decrypt("")


def test_a_length_field_past_the_end_is_refused() -> None:
    # a well-padded plaintext whose length field claims more than there is
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = base64.b64decode(KEY + "=")
    padder = padding.PKCS7(256).padder()
    plain = padder.update(b"r" * 16 + b"\xff\xff\xff\xff" + b"<xml/>") + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    raw = encryptor.update(plain) + encryptor.finalize()
    with pytest.raises(NotForThisAccount, match="length"):
        MessageCipher(KEY, APP_ID).decrypt(base64.b64encode(raw).decode())


def test_keys_and_tokens_are_checked_without_echoing_them() -> None:
    for bad in ("short", KEY[:-1] + "!", KEY + "A"):
        with pytest.raises(ValueError) as raised:
            MessageCipher(bad, APP_ID)
        assert bad not in str(raised.value)
    check_token(TOKEN)
    for bad in ("ab", "has space", "x" * 33):
        with pytest.raises(ValueError) as raised:
            check_token(bad)
        assert bad not in str(raised.value)
