"""Try the WeChat channel without an Official Account: a text message signed (and in safe mode
encrypted) as WeChat signs it, posted to a running Shopbot, and the reply printed.

    python -m connectors.wechat_try "3000块以内的笔记本" --url http://127.0.0.1:8080

The token, EncodingAESKey and AppID are the service's own settings (`shopbot.yml`,
`SHOPBOT_WECHAT__*` or `WECHAT_*`), read as `shopbot serve` reads them.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from xml.etree.ElementTree import Element

import aiohttp

from bot.settings import WechatSettings, load_settings
from connectors.wechat_crypto import MessageCipher, signature, signature_matches
from connectors.wechat_xml import cdata, parse

PATH = "/webhooks/wechat"


def signed_message(
    wechat: WechatSettings, openid: str, text: str
) -> tuple[dict[str, str], bytes, MessageCipher | None]:
    """The query and body WeChat would send for `text` from `openid`."""
    assert wechat.token is not None
    token = wechat.token.get_secret_value()
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    query = {"signature": signature(token, timestamp, nonce), "timestamp": timestamp}
    query |= {"nonce": nonce, "openid": openid}
    xml = (
        f"<xml><ToUserName>{cdata('gh_try')}</ToUserName><FromUserName>{cdata(openid)}"
        f"</FromUserName><CreateTime>{timestamp}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(text)}</Content><MsgId>{secrets.randbelow(10**18)}</MsgId></xml>"
    )
    if wechat.encoding_aes_key is None or wechat.app_id is None:
        return query, xml.encode(), None
    cipher = MessageCipher(wechat.encoding_aes_key.get_secret_value(), wechat.app_id)
    encrypted = cipher.encrypt(xml)
    query |= {"encrypt_type": "aes", "msg_signature": signature(token, timestamp, nonce, encrypted)}
    account = f"<ToUserName>{cdata('gh_try')}</ToUserName>"
    body = f"<xml>{account}<Encrypt>{cdata(encrypted)}</Encrypt></xml>"
    return query, body.encode(), cipher


def shown(reply: Element) -> str:
    """What a shopper would see: the text, or the news articles' titles and links."""
    if reply.findtext("MsgType") == "news":
        items = reply.findall("Articles/item")
        return "\n".join(f"[{i.findtext('Title')}] {i.findtext('Url') or ''}" for i in items)
    return reply.findtext("Content") or ""


def opened(body: str, token: str, cipher: MessageCipher | None) -> Element:
    root = parse(body.encode())
    encrypted = root.findtext("Encrypt")
    if cipher is None or encrypted is None:
        return root
    stamp, nonce = root.findtext("TimeStamp") or "", root.findtext("Nonce") or ""
    if not signature_matches(root.findtext("MsgSignature") or "", token, stamp, nonce, encrypted):
        raise SystemExit("the reply's MsgSignature does not match")
    return parse(cipher.decrypt(encrypted).encode())


async def send(url: str, wechat: WechatSettings, openid: str, text: str) -> str:
    query, body, cipher = signed_message(wechat, openid, text)
    async with aiohttp.ClientSession() as http:
        async with http.post(url.rstrip("/") + PATH, params=query, data=body) as response:
            answer = await response.text()
            if response.status != 200:
                return f"HTTP {response.status}: {answer}"
    if answer == "success":
        return "(success: the reply follows through the customer-service API)"
    assert wechat.token is not None
    return shown(opened(answer, wechat.token.get_secret_value(), cipher))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors.wechat_try",
        description="Post a text message to Shopbot's WeChat webhook as WeChat would, "
        "signed with wechat.token (and encrypted when wechat.encoding_aes_key is set).",
    )
    parser.add_argument("text", help='what the shopper writes, e.g. "3000块以内的笔记本"')
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the running service")
    parser.add_argument("--openid", default="o-try-shopper", help="the shopper's OpenID")
    args = parser.parse_args(argv)
    wechat = load_settings().wechat
    if wechat.token is None:
        print("WeChat is off: set WECHAT_TOKEN (or wechat.token) here and for the service")
        return 2
    print(asyncio.run(send(args.url, wechat, args.openid, args.text)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
