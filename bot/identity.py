"""Who the shopper is: a customer only by the store's signature, never by a chosen id.

A store whose shopper is logged in passes the customer to the widget (`customData`) or to
the REST call (`metadata`) as `{"customer": "<JWT>"}`: HS256, signed with
`store_customer_secret`, `sub` = the store's customer id, `exp` required (minutes, not
days: the page asks its backend for a fresh one). Anything else is an anonymous visitor.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import jwt

from actions.customers import CUSTOMER_SLOT, CUSTOMER_UNTIL_SLOT

__all__ = ["CUSTOMER_SLOT", "CUSTOMER_UNTIL_SLOT", "CustomerVerifier", "VerifiedCustomer"]

logger = logging.getLogger(__name__)

CUSTOMER_CLAIM = "customer"


@dataclass(frozen=True)
class VerifiedCustomer:
    customer_id: str
    until: float  # the token's expiry: past it, the conversation is anonymous again


class CustomerVerifier:
    """Reads the store-signed customer from message metadata."""

    def __init__(self, secret: str | None, leeway_s: float = 30.0) -> None:
        self._secret = secret
        self._leeway_s = leeway_s

    def customer(self, metadata: dict[str, Any]) -> VerifiedCustomer | None:
        """The signed customer, or None when there is none or it does not verify."""
        token = metadata.get(CUSTOMER_CLAIM)
        if self._secret is None or not isinstance(token, str) or len(token) > 2048:
            return None
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                options={"require": ["sub", "exp"]},
                leeway=self._leeway_s,
            )
        except jwt.PyJWTError as error:
            logger.info("customer token refused: %s", type(error).__name__)
            return None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not 0 < len(subject) <= 128:
            return None
        return VerifiedCustomer(subject, float(claims["exp"]))


def without_credentials(metadata: dict[str, Any]) -> dict[str, Any]:
    """Metadata as it may be stored and shown: the signed token never reaches the tracker."""
    return {key: value for key, value in metadata.items() if key != CUSTOMER_CLAIM}
