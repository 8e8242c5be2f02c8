"""What the insights keep: reviews, opinion alerts and satisfaction votes, opened together
by the composition root (`bot.app.insights_stores`: SQLite under `SHOPBOT_HOME`, or
PostgreSQL shared by every instance) and closed together."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from actions.opinion import AlertStore
from actions.reviews import ReviewStore
from bot.insights_satisfaction import SatisfactionStore


@dataclass(frozen=True)
class InsightsStores:
    reviews: ReviewStore
    alerts: AlertStore
    satisfaction: SatisfactionStore

    async def close(self) -> None:
        await asyncio.gather(self.reviews.close(), self.alerts.close(), self.satisfaction.close())
