"""Who an action may treat as a known customer: the slots that say so, and how long for."""

from __future__ import annotations

from typing import Any

# who the customer is, and until when that is trusted (a timestamp)
CUSTOMER_SLOT = "customer_id"
CUSTOMER_UNTIL_SLOT = "customer_until"


def trusted_customer(slots: dict[str, Any], now: float) -> str | None:
    """The conversation's customer while the proof of it lasts (a store-signed token's
    expiry, or minutes after an order lookup); None once it has run out."""
    customer, until = slots.get(CUSTOMER_SLOT), slots.get(CUSTOMER_UNTIL_SLOT)
    if isinstance(customer, str) and isinstance(until, int | float) and now < until:
        return customer
    return None


def visitor_id(conversation_id: str) -> str:
    """The anonymous profile of one conversation; it can never equal a customer id."""
    return f"visitor:{conversation_id}"
