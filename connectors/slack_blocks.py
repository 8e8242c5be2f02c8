"""What Slack shows and what comes back from it: the escalation's parent message (Block Kit),
shopper lines for its thread, and an agent's Slack-formatted text as plain text for the
shopper. Shopper text is escaped, so `<!channel>` in a message pings nobody."""

from __future__ import annotations

import re
from typing import Any

from bot.handoff import WAITING, WITH_AGENT

CLAIM, RESOLVE = "shopbot_claim", "shopbot_resolve"  # action_ids; the value is the conversation
RESOLVED = "resolved"
_LINE_CHARS = 300  # per message in the parent's "last messages"
_SECTION_CHARS = 2900  # Slack refuses a section text over 3000
_THREAD_CHARS = 3900  # Slack splits messages over 4000
_FIELD_CHARS = 1900  # a field: 2000 at most
_SLACK_ENTITY = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def escape(text: str) -> str:
    """Text shown as is in Slack mrkdwn: the three characters Slack reserves, escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_plain(text: str) -> str:
    """An agent's Slack message as the shopper should read it: links as label (url),
    mentions as @name, entities unescaped."""

    def entity(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return f"{target[0]}{label}" if label else target
        if target.startswith("!"):
            return label or f"@{target[1:].split('^')[0]}"
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return f"{label} ({target})" if label and label != target else target

    plain = _SLACK_ENTITY.sub(entity, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def status_line(state: str, agent: str | None) -> str:
    if state == WITH_AGENT:
        return f":raising_hand: *Claimed by {escape(agent or '?')}*"
    if state == RESOLVED:
        return f":white_check_mark: *Resolved by {escape(agent or '?')}*: the assistant is back"
    return ":hourglass_flowing_sand: *Waiting for an agent*"


def shopper_line(text: str) -> str:
    return _cut(f"*Shopper:* {escape(text)}", _THREAD_CHARS)


def parent_message(
    summary: dict[str, Any], state: str = WAITING, agent: str | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks) of an escalation's parent message in the state given."""
    conversation = str(summary["conversation_id"])
    status = status_line(state, agent)
    blocks: list[dict[str, Any]] = [
        _section(f"{status}\nA shopper needs a person · `{escape(conversation)}`"),
        {"type": "section", "fields": _fields(summary)},
        _section(_last_messages(summary.get("messages") or [])),
    ]
    if state != RESOLVED:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    _button("Claim", CLAIM, conversation, "primary"),
                    _button("Resolve", RESOLVE, conversation, "danger"),
                ],
            }
        )
        blocks.append(
            {
                "type": "context",
                "elements": [_mrkdwn("Reply in this thread to write to the shopper.")],
            }
        )
    fallback = f"A shopper needs a person ({_unstarred(status)}): {conversation}"
    return fallback, blocks


def _fields(summary: dict[str, Any]) -> list[dict[str, str]]:
    def listed(key: str) -> str:
        return ", ".join(escape(str(item)) for item in summary.get(key) or []) or "—"

    shown = [
        ("Channel", escape(str(summary.get("channel") or "—"))),
        ("Language", escape(str(summary.get("language") or "—"))),
        ("Reason", escape(str(summary.get("reason") or "—"))),
        ("Intents", listed("intents")),
        ("Products viewed", listed("products_viewed")),
        ("Orders proven", listed("orders_proven")),
    ]
    return [_mrkdwn(_cut(f"*{name}*\n{value}", _FIELD_CHARS)) for name, value in shown]


def _last_messages(messages: list[dict[str, str]]) -> str:
    lines = [
        f"> *{escape(line.get('from', '?'))}:* {escape(_cut(line.get('text', ''), _LINE_CHARS))}"
        for line in messages
    ]
    text = "*Last messages*\n" + ("\n".join(lines) or "—")
    return _cut(text, _SECTION_CHARS)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def _button(label: str, action_id: str, value: str, style: str) -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
        "style": style,
    }


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unstarred(status: str) -> str:
    return re.sub(r":[a-z_]+: ", "", status).replace("*", "")
