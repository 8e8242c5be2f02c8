"""Order questions: a form collects the order number and email, then the request is answered
from the order store. Only the owner (number + email on the order) ever sees an order.

A lookup proves the email for `VERIFIED_FOR_S` only: a follow-up within minutes needs no
second email, but whoever continues the conversation later must prove it again."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.customers import CUSTOMER_SLOT, CUSTOMER_UNTIL_SLOT
from actions.orders import ORDER_ID_DIGITS, Order
from actions.replies import say
from actions.shop import ShopAction

_EMAIL = re.compile(r"^[\w.+-]{1,64}@[\w-]{1,63}(\.[\w-]{1,63}){1,8}$")
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


def _date(timestamp: float | None) -> str:
    if timestamp is None:
        return "?"
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")


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


class ValidateOrderForm(FormValidationAction):
    def name(self) -> str:
        return "validate_order_form"

    def validate_order_id(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> dict[str, Any]:
        digits = re.sub(r"\D", "", str(value or ""))
        if len(digits) == ORDER_ID_DIGITS:
            return {"order_id": digits}
        dispatcher.utter_message(
            text=say(
                tracker,
                en=f"An order number has {ORDER_ID_DIGITS} digits; this one has {len(digits)}. "
                "It's in your confirmation email.",
                zh=f"订单号是 {ORDER_ID_DIGITS} 位数字，您输入的是 {len(digits)} 位。"
                "可以在确认邮件中找到。",
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
        email = str(value or "").strip().lower()
        if _EMAIL.match(email):
            return {"order_email": email}
        dispatcher.utter_message(
            text=say(
                tracker, en="That doesn't look like an email address.", zh="这不像是邮箱地址。"
            )
        )
        return {"order_email": None}


def _items(order: Order) -> str:
    return ", ".join(str(item["title"]) for item in order.items)


def _status(order: Order, tracker: Tracker) -> str:
    if order.status == "processing":
        return say(
            tracker,
            en=f"Order {order.id} ({_items(order)}) is being prepared and ships within "
            "1 business day.",
            zh=f"订单 {order.id}（{_items(order)}）正在备货，1 个工作日内发货。",
        )
    if order.status == "shipped":
        return say(
            tracker,
            en=f"Order {order.id} shipped on {_date(order.shipped_at)} with "
            f"{order.carrier}, tracking number {order.tracking_number}.",
            zh=f"订单 {order.id} 已于 {_date(order.shipped_at)} 由 {order.carrier} 发出，"
            f"运单号 {order.tracking_number}。",
        )
    if order.status == "delivered":
        return say(
            tracker,
            en=f"Order {order.id} was delivered on {_date(order.delivered_at)} to "
            f"{order.shipping_address}.",
            zh=f"订单 {order.id} 已于 {_date(order.delivered_at)} 送达 {order.shipping_address}。",
        )
    return say(tracker, en=f"Order {order.id} was cancelled.", zh=f"订单 {order.id} 已取消。")


def _status_then(order: Order, tracker: Tracker, en: str, zh: str) -> str:
    """The order's status, then what that means for the request."""
    return _status(order, tracker) + " " + say(tracker, en=en, zh=zh)


class ActionOrderRequest(ShopAction):
    """Answers the order request once the form has the number and the email."""

    def name(self) -> str:
        return "action_order_request"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        order_id = str(tracker.get_slot("order_id") or "")
        email = str(tracker.get_slot("order_email") or "")
        order = self.shop.orders.find(order_id, email)
        if order is None:
            dispatcher.utter_message(
                text=say(
                    tracker,
                    en=f"I couldn't find order {order_id} for that email address. Please check "
                    "both and ask again.",
                    zh=f"没有找到该邮箱下的订单 {order_id}，请核对订单号和邮箱后再试。",
                )
            )
            return [
                SlotSet("order_id", None),
                SlotSet("order_email", None),
                SlotSet("order_verified_until", None),
            ]
        request = str(tracker.get_slot("order_request") or "track_order")
        handler = getattr(self, f"_{request}", self._track_order)
        events: list[dict[str, Any]] = handler(order, dispatcher, tracker)
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

    def _track_order(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=_status(order, tracker))
        return []

    def _cancel_order(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        if order.status != "processing":
            dispatcher.utter_message(
                text=_status_then(
                    order,
                    tracker,
                    en="It can no longer be cancelled; you can return it within 30 days of "
                    "delivery instead.",
                    zh="该订单已无法取消，可在签收后 30 天内退货。",
                )
            )
            return []
        dispatcher.utter_message(
            text=say(
                tracker,
                en=f"Cancel order {order.id} ({_items(order)}, ${order.total:,.2f})? "
                "It hasn't shipped, so cancelling is free.",
                zh=f"确认取消订单 {order.id}（{_items(order)}，${order.total:,.2f}）吗？"
                "订单尚未发货，取消免费。",
            ),
            buttons=[
                {"title": say(tracker, en="Yes, cancel it", zh="确认取消"), "payload": "/affirm"},
                {"title": say(tracker, en="No, keep it", zh="不取消"), "payload": "/deny"},
            ],
        )
        return [SlotSet("pending_confirmation", "cancel_order")]

    def _change_order(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        if order.status != "processing":
            dispatcher.utter_message(
                text=_status_then(
                    order,
                    tracker,
                    en="It has left our warehouse, so it can't be changed any more.",
                    zh="订单已出库，无法再修改。",
                )
            )
            return []
        dispatcher.utter_message(
            text=say(
                tracker,
                en=f"Order {order.id} hasn't shipped yet, so it can still be changed. I've asked "
                "a person from our team to make the change with you.",
                zh=f"订单 {order.id} 尚未发货，还可以修改。我已请工作人员与您一起处理。",
            )
        )
        return [SlotSet("handoff_requested", str(tracker.get_slot("order_request")))]

    _change_shipping_address = _change_order

    def _get_refund(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        if order.status == "processing":
            dispatcher.utter_message(
                text=say(
                    tracker,
                    en=f"Order {order.id} hasn't shipped yet: cancel it instead, for free.",
                    zh=f"订单 {order.id} 尚未发货，可以直接免费取消。",
                )
            )
            return []
        if not order.returnable(time.time()):
            dispatcher.utter_message(
                text=_status_then(
                    order,
                    tracker,
                    en="It isn't eligible for a return: returns are open for 30 days after "
                    "delivery, once per order.",
                    zh="该订单不符合退货条件：签收后 30 天内可退货，每个订单限一次。",
                )
            )
            return []
        self.shop.orders.request_refund(order)
        dispatcher.utter_message(
            text=say(
                tracker,
                en=f"I've opened a return for order {order.id}. Send the items back with the "
                f"label we email you; ${order.total:,.2f} is refunded within 5–7 business days "
                "after they arrive.",
                zh=f"已为订单 {order.id} 创建退货申请。请使用邮件中的退货标签寄回商品，"
                f"收到后 5–7 个工作日内退款 ${order.total:,.2f}。",
            )
        )
        return []

    def _track_refund(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        if order.refund_status is None:
            text = say(
                tracker,
                en=f"There is no return or refund on order {order.id}.",
                zh=f"订单 {order.id} 没有退货或退款记录。",
            )
        else:
            text = say(
                tracker,
                en=f"Order {order.id}: return requested; ${order.refund_amount:,.2f} will "
                "be refunded once the items arrive at our warehouse.",
                zh=f"订单 {order.id}：已申请退货，商品到仓后退款 ${order.refund_amount:,.2f}。",
            )
        dispatcher.utter_message(text=text)
        return []

    def _get_invoice(
        self, order: Order, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        lines = [
            f"• {i['title']} — ${float(i['price']):,.2f} × {i['quantity']}" for i in order.items
        ]
        dispatcher.utter_message(
            text="\n".join(
                [
                    say(
                        tracker,
                        en=f"Invoice {order.invoice_id} for order {order.id}, "
                        f"placed {_date(order.placed_at)}:",
                        zh=f"订单 {order.id} 的发票 {order.invoice_id}"
                        f"（下单日期 {_date(order.placed_at)}）：",
                    ),
                    *lines,
                    say(tracker, en=f"Total ${order.total:,.2f}", zh=f"合计 ${order.total:,.2f}"),
                ]
            )
        )
        return []

    _check_invoice = _get_invoice


class ActionConfirmPending(ShopAction):
    """The shopper said yes to a pending confirmation (today: cancelling an order)."""

    def name(self) -> str:
        return "action_confirm_pending"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        order = self.shop.orders.find(
            str(tracker.get_slot("order_id") or ""), str(tracker.get_slot("order_email") or "")
        )
        if not still_verified(tracker):
            dispatcher.utter_message(
                text=say(
                    tracker,
                    en="That was a while ago, so nothing changed. Ask again with your order "
                    "number and email if you still want to cancel.",
                    zh="距离上次确认已过一段时间，订单未做更改。如仍需取消，请重新提供订单号和邮箱。",
                )
            )
            return [SlotSet("pending_confirmation", None), *_forget_order()]
        if order is not None and self.shop.orders.cancel(order):
            dispatcher.utter_message(
                text=say(
                    tracker,
                    en=f"Done: order {order.id} is cancelled. You won't be charged.",
                    zh=f"订单 {order.id} 已取消，不会扣款。",
                )
            )
        else:
            dispatcher.utter_message(
                text=say(
                    tracker, en="That order can no longer be cancelled.", zh="该订单已无法取消。"
                )
            )
        return [SlotSet("pending_confirmation", None)]


def _forget_order() -> list[dict[str, Any]]:
    return [
        SlotSet("order_id", None),
        SlotSet("order_email", None),
        SlotSet("order_verified_until", None),
    ]


class ActionDropPending(Action):
    def name(self) -> str:
        return "action_drop_pending"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=say(tracker, en="Okay, nothing changed.", zh="好的，订单保持不变。")
        )
        return [SlotSet("pending_confirmation", None)]
