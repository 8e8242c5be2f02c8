"""The store's one currency, and budgets named in another ("3000元") converted at a
configured rate; a currency without a rate is asked about, never guessed."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field, PositiveFloat


class MoneySettings(BaseModel):
    currency: str = "USD"
    symbol: str = "$"
    # what one unit of another currency is worth in the store's currency; set your own
    exchange_rates: dict[str, PositiveFloat] = Field(
        default_factory=lambda: {"CNY": 0.14, "EUR": 1.08, "GBP": 1.27}
    )

    def label(self, amount: float) -> str:
        return f"{self.symbol}{amount:,.2f}"


@dataclass(frozen=True)
class Conversion:
    amount: float
    currency: str
    converted: float
    rate: float


def convert(amount: float, currency: str | None, money: MoneySettings) -> Conversion | None:
    """`amount` in the store's currency; None when the currency has no configured rate.
    A price with no currency named is in the store's own."""
    if currency is None or currency == money.currency:
        return Conversion(amount, money.currency, amount, 1.0)
    rate = money.exchange_rates.get(currency)
    if rate is None:
        return None
    return Conversion(amount, currency, round(amount * rate, 2), rate)
