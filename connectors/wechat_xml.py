"""WeChat's XML: the messages and events an Official Account receives, and its passive replies.

Every request body is parsed by defusedxml with DTDs, entities and external references
forbidden, so XXE and entity expansion ("billion laughs") are refused before anything is
expanded; expat is linear in the input, and the body is bounded before it gets here.
Replies are written as WeChat's samples write them (CDATA), with `]]>` split across two
sections and characters XML 1.0 cannot carry removed, so no text can break out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MESSAGE_TYPES = frozenset(
    {"text", "image", "voice", "video", "shortvideo", "location", "link", "event"}
)
MAX_FIELD_CHARS = 4096  # WeChat's own limits are far below (a text is at most 2048 bytes)
_DIGITS = re.compile(r"^[0-9]{1,20}$")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class BadXml(ValueError):
    """Not XML we accept (malformed, a DTD, entities): 400."""


class BadMessage(ValueError):
    """Well-formed, but not a WeChat message (a field missing or of the wrong kind): 400."""


@dataclass(frozen=True)
class Inbound:
    """One message or event pushed to the account; `to_user` is the account, `from_user`
    the shopper's OpenID (personal data: never logged)."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    msg_id: str | None = None
    content: str | None = None
    recognition: str | None = None
    event: str | None = None
    event_key: str | None = None

    @property
    def delivery_key(self) -> str:
        """What a retry of this delivery shares with it: the MsgId, or for events (which
        have none) the sender and the creation time, as WeChat's docs advise, and the event
        (a menu click in the second of a subscribe is another delivery)."""
        if self.msg_id is not None:
            return f"msg:{self.msg_id}"
        return f"event:{self.from_user}:{self.create_time}:{self.event}"


@dataclass(frozen=True)
class Article:
    """One item of a news (图文) message."""

    title: str
    description: str
    pic_url: str
    url: str


def parse(body: bytes) -> Element:
    """The root `<xml>` element; raises `BadXml`."""
    try:
        root: Element = fromstring(
            body, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except (DefusedXmlException, ParseError, ValueError) as error:
        raise BadXml(f"the body is not XML we take ({type(error).__name__})") from None
    if root.tag != "xml":
        raise BadXml("the root element is not <xml>")
    return root


def encrypted_part(root: Element) -> str:
    """A safe-mode body's `Encrypt`; raises `BadMessage`."""
    return _required(root, "Encrypt")


def read_inbound(root: Element) -> Inbound:
    """The message in `root`; raises `BadMessage` naming what is wrong."""
    msg_type = _required(root, "MsgType")
    if msg_type not in MESSAGE_TYPES:
        raise BadMessage("MsgType: not a message type WeChat sends")
    created = _required(root, "CreateTime")
    if not _DIGITS.match(created):
        raise BadMessage("CreateTime: not a number")
    common = Inbound(
        to_user=_required(root, "ToUserName"),
        from_user=_required(root, "FromUserName"),
        create_time=int(created),
        msg_type=msg_type,
    )
    if msg_type == "event":
        event, key = _required(root, "Event"), _optional(root, "EventKey")
        return replace(common, event=event, event_key=key)
    msg_id = _required(root, "MsgId")
    if not _DIGITS.match(msg_id):
        raise BadMessage("MsgId: not a number")
    content = _required(root, "Content") if msg_type == "text" else None
    recognition = _optional(root, "Recognition") if msg_type == "voice" else None
    return replace(common, msg_id=msg_id, content=content, recognition=recognition)


def _optional(root: Element, name: str) -> str | None:
    element = root.find(name)
    if element is None or not isinstance(element.text, str):
        return None
    if len(element.text) > MAX_FIELD_CHARS:
        raise BadMessage(f"{name}: too long")
    return element.text


def _required(root: Element, name: str) -> str:
    value = _optional(root, name)
    if value is None or not value.strip():
        raise BadMessage(f"{name}: missing")
    return value


# replies


def cdata(text: str) -> str:
    """`text` as CDATA that no content can end early."""
    clean = _NOT_XML.sub("", text)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _header(to_user: str, from_user: str, created: int, msg_type: str) -> str:
    return (
        f"<ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}"
        f"</FromUserName><CreateTime>{created}</CreateTime><MsgType>{cdata(msg_type)}</MsgType>"
    )


def text_reply(to_user: str, from_user: str, created: int, text: str) -> str:
    head = _header(to_user, from_user, created, "text")
    return f"<xml>{head}<Content>{cdata(text)}</Content></xml>"


def news_reply(to_user: str, from_user: str, created: int, articles: list[Article]) -> str:
    items = "".join(
        f"<item><Title>{cdata(a.title)}</Title><Description>{cdata(a.description)}"
        f"</Description><PicUrl>{cdata(a.pic_url)}</PicUrl><Url>{cdata(a.url)}</Url></item>"
        for a in articles
    )
    head = _header(to_user, from_user, created, "news")
    count = f"<ArticleCount>{len(articles)}</ArticleCount>"
    return f"<xml>{head}{count}<Articles>{items}</Articles></xml>"


def encrypted_reply(encrypted: str, msg_signature: str, timestamp: int, nonce: str) -> str:
    """The safe-mode envelope around an encrypted reply."""
    return (
        f"<xml><Encrypt>{cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
