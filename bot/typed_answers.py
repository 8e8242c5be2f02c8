"""A typed "yes" or "no" to a question the bot asked with buttons, read as the button it means.

A shopper on WeChat, in Slack or on a phone types "yes" more often than they tap. A yes/no
question offers its answer first and its refusal as a `/stop` or `/deny` button ("Would you
like a person from our team to help?" [Talk to a person] [No thanks]); without this, "yes"
was an `affirm` with nothing pending and the offer was lost. Only a question (its text ends
with a question mark) whose buttons include a refusal counts, so "yes" after a product list
or a greeting's quick replies is read as it always was.
"""

from __future__ import annotations

from typing import Any

from bot.tracker import ConversationTracker
from nlu.pipeline import parse_payload

YES, NO = "affirm", "deny"
REFUSALS = ("/stop", "/deny")  # the payloads that decline an offer
QUESTION_MARKS = ("?", "？")


def as_button(tracker: ConversationTracker, text: str, parse: dict[str, Any]) -> dict[str, Any]:
    """`parse`, or the parse of the button a typed yes or no chose (the shopper's text, its
    language and sentiment kept)."""
    intent = (parse.get("intent") or {}).get("name")
    if intent not in (YES, NO) or text.startswith("/"):
        return parse
    buttons = _question_buttons(tracker)
    refusal = next((b for b in buttons if b.split("{", 1)[0] in REFUSALS), None)
    if refusal is None:
        return parse
    chosen = parse_payload(buttons[0] if intent == YES else refusal)
    if chosen is None:
        return parse
    return {**parse, **{key: chosen[key] for key in ("intent", "intent_ranking", "entities")}}


def _question_buttons(tracker: ConversationTracker) -> list[str]:
    """The payloads of the buttons under the bot's last message since the shopper last spoke,
    if that message asked a question."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return []
        if kind == "bot" and event.get("text"):
            if not str(event["text"]).rstrip().endswith(QUESTION_MARKS):
                return []
            buttons = (event.get("data") or {}).get("buttons") or []
            return [str(b.get("payload") or "") for b in buttons]
    return []
