"""Order questions: a form collects the order number and email, then the request is answered
from the order store. Only the owner (number + email on the order) ever sees an order.

A lookup proves the email for `VERIFIED_FOR_S` only: a follow-up within minutes needs no
second email, but whoever continues the conversation later must prove it again."""

from __future__ import annotations

import time
import unicodedata
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.customers import CUSTOMER_SLOT, CUSTOMER_UNTIL_SLOT
from actions.orders import ORDER_ID_DIGITS, Order
from actions.replies import Replies
from actions.shop import ShopAction
from nlu.entities import half_width
from nlu.identifiers import EMAIL

VERIFIED_FOR_S = 300.0
ORDER_INTENTS = frozenset(
    {
        "track_order",
        "cancel_order",
        "change_order",
        "change_shipping_address",
        "get_refund",
        "track_refund",
        "get_invoice",
        "check_invoice",
    }
)


def _date(timestamp: float | None, tracker: Tracker, replies: Replies) -> str:
    """A day as the shopper's language writes it: 2024-05-01, 2024年5月1日."""
    if timestamp is None:
        return "?"
    day = datetime.fromtimestamp(timestamp, tz=UTC)
    return replies.text(tracker, "utter_date", year=day.year, month=day.month, day=day.day)


def still_verified(tracker: Tracker, now: float | None = None) -> bool:
    """Whether the last successful lookup in this conversation is recent enough to rely on."""
    until = tracker.get_slot("order_verified_until")
    return isinstance(until, int | float) and (now or time.time()) < until


def _given_now(tracker: Tracker, entity: str) -> bool:
    return any(e.get("entity") == entity for e in tracker.latest_message.get("entities") or [])


class ActionStartOrderRequest(Action):
    """Remembers which order request the shopper made, for when the form is complete, and
    forgets an order and email that are no longer proven (unless given in this message)."""

    def name(self) -> str:
        return "action_start_order_request"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        events = [SlotSet("order_request", intent if intent in ORDER_INTENTS else "track_order")]
        if not still_verified(tracker):
            events += [
                SlotSet(slot, None)
                for slot, entity in (("order_id", "order_id"), ("order_email", "email"))
                if not _given_now(tracker, entity)
            ]
        return events


class ValidateOrderForm(FormValidationAction, ShopAction):
    def name(self) -> str:
        return "validate_order_form"

    def validate_order_id(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        # any script's digits, read as ASCII ("３８４…" typed on a Chinese keyboard)
        digits = "".join(str(unicodedata.decimal(ch)) for ch in str(value or "") if ch.isdecimal())
        if len(digits) == ORDER_ID_DIGITS:
            return {"order_id": digits}
        dispatcher.utter_message(
            text=self.shop.replies.text(
                tracker, "utter_order_id_digits", digits=ORDER_ID_DIGITS, given=len(digits)
            )
        )
        return {"order_id": None}

    def validate_order_email(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        email = half_width(str(value or "")).strip().lower()
        if EMAIL.fullmatch(email):
            return {"order_email": email}
        dispatcher.utter_message(text=self.shop.replies.text(tracker, "utter_not_an_email"))
        return {"order_email": None}


def _items(order: Order) -> str:
    return ", ".join(str(item["title"]) for item in order.items)


def _status(order: Order, tracker: Tracker, replies: Replies) -> str:
    if order.status == "processing":
        return replies.text(
            tracker, "utter_order_processing", order_id=order.id, items=_items(order)
        )
    if order.status == "shipped":
        return replies.text(
            tracker,
            "utter_order_shipped",
            order_id=order.id,
            shipped=_date(order.shipped_at, tracker, replies),
            carrier=order.carrier,
            tracking=order.tracking_number,
        )
    if order.status == "delivered":
        return replies.text(
            tracker,
            "utter_order_delivered",
            order_id=order.id,
            delivered=_date(order.delivered_at, tracker, replies),
            address=order.shipping_address,
        )
    return replies.text(tracker, "utter_order_cancelled", order_id=order.id)


class ActionOrderRequest(ShopAction):
    """Answers the order request once the form has the number and the email."""

    def name(self) -> str:
        return "action_order_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        order_id = str(tracker.get_slot("order_id") or "")
        email = str(tracker.get_slot("order_email") or "")
        order = await self.shop.orders.find(order_id, email)
        if order is None:
            self._say(dispatcher, tracker, "utter_order_not_found", order_id=order_id)
            return _forget_order()
        request = str(tracker.get_slot("order_request") or "track_order")
        handler = getattr(self, f"_{request}", self._track_order)
        events: list[dict[str, Any]] = await handler(order, dispatcher, tracker)
        # number + email prove who the shopper is, for minutes counted from the proof: a
        # follow-up inside them does not extend them
        if still_verified(tracker):
            until = float(tracker.get_slot("order_verified_until"))
        else:
            until = time.time() + VERIFIED_FOR_S
        return [
            *events,
            SlotSet(CUSTOMER_SLOT, order.customer_id),
            SlotSet(CUSTOMER_UNTIL_SLOT, until),
            SlotSet("order_verified_until", until),
        ]

    def _say(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, reply: str, **values: Any
    ) -> None:
        dispatcher.utter_message(text=self.shop.replies.text(tracker, reply, **values))

    def _refuse(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker, why: str
    ) -> list[dict[str, Any]]:
        """The order's status, then the reply `why` that says what it means for the request;
        nothing changes."""
        status = _status(order, tracker, self.shop.replies)
        dispatcher.utter_message(text=f"{status} {self.shop.replies.text(tracker, why)}")
        return []

    async def _track_order(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=_status(order, tracker, self.shop.replies))
        return []

    async def _cancel_order(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        if order.status != "processing":
            return self._refuse(order, dispatcher, tracker, "utter_cannot_cancel_return_instead")
        replies = self.shop.replies
        dispatcher.utter_message(
            text=replies.text(
                tracker,
                "utter_confirm_cancel",
                order_id=order.id,
                items=_items(order),
                total=order.total,
            ),
            buttons=[
                {"title": replies.text(tracker, "utter_button_cancel_yes"), "payload": "/affirm"},
                {"title": replies.text(tracker, "utter_button_cancel_no"), "payload": "/deny"},
            ],
        )
        return [SlotSet("pending_confirmation", "cancel_order")]

    async def _change_order(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        if order.status != "processing":
            return self._refuse(order, dispatcher, tracker, "utter_cannot_change")
        self._say(dispatcher, tracker, "utter_order_changeable", order_id=order.id)
        return [SlotSet("handoff_requested", str(tracker.get_slot("order_request")))]

    _change_shipping_address = _change_order

    async def _get_refund(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        if order.status == "processing":
            self._say(dispatcher, tracker, "utter_cancel_instead", order_id=order.id)
            return []
        if not order.returnable(time.time()):
            return self._refuse(order, dispatcher, tracker, "utter_not_returnable")
        if not await self.shop.orders.request_refund(order):  # another turn opened it first
            return self._refuse(order, dispatcher, tracker, "utter_not_returnable")
        self._say(dispatcher, tracker, "utter_return_opened", order_id=order.id, total=order.total)
        limit = self.shop.refund_handoff_over
        if limit is not None and order.total > limit:  # a person checks large refunds
            return [SlotSet("handoff_requested", "refund_over_limit")]
        return []

    async def _track_refund(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        if order.refund_status is None:
            self._say(dispatcher, tracker, "utter_no_refund", order_id=order.id)
        else:
            self._say(
                dispatcher,
                tracker,
                "utter_refund_status",
                order_id=order.id,
                amount=order.refund_amount,
            )
        return []

    async def _get_invoice(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        replies = self.shop.replies
        heading = replies.text(
            tracker,
            "utter_invoice_heading",
            invoice_id=order.invoice_id,
            order_id=order.id,
            placed=_date(order.placed_at, tracker, replies),
        )
        lines = [
            f"• {i['title']} — ${float(i['price']):,.2f} × {i['quantity']}" for i in order.items
        ]
        total = replies.text(tracker, "utter_invoice_total", total=order.total)
        dispatcher.utter_message(text="\n".join([heading, *lines, total]))
        return []

    _check_invoice = _get_invoice


class ActionConfirmPending(ShopAction):
    """The shopper said yes to a pending confirmation (today: cancelling an order)."""

    def name(self) -> str:
        return "action_confirm_pending"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        order = await self.shop.orders.find(
            str(tracker.get_slot("order_id") or ""), str(tracker.get_slot("order_email") or "")
        )
        replies = self.shop.replies
        if not still_verified(tracker):
            dispatcher.utter_message(text=replies.text(tracker, "utter_confirmation_expired"))
            return [SlotSet("pending_confirmation", None), *_forget_order()]
        if order is not None and await self.shop.orders.cancel(order):
            dispatcher.utter_message(
                text=replies.text(tracker, "utter_cancel_done", order_id=order.id)
            )
        else:
            dispatcher.utter_message(text=replies.text(tracker, "utter_cannot_cancel_now"))
        return [SlotSet("pending_confirmation", None)]


def _forget_order() -> list[dict[str, Any]]:
    return [
        SlotSet("order_id", None),
        SlotSet("order_email", None),
        SlotSet("order_verified_until", None),
    ]


class ActionDropPending(ShopAction):
    def name(self) -> str:
        return "action_drop_pending"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=self.shop.replies.text(tracker, "utter_nothing_changed"))
        return [SlotSet("pending_confirmation", None)]
