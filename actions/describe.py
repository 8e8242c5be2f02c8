"""describe_product: the product's checked description, generated and streamed if new."""

from __future__ import annotations

import uuid
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.products import resolve_product
from actions.shop import ShopAction
from writer.describe import StreamEvent
from writer.service import WriterBusy


class ActionDescribeProduct(ShopAction):
    """Answers with the stored description, or writes one while the widget shows it coming."""

    def name(self) -> str:
        return "action_describe_product"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        product = resolve_product(tracker, self.shop.catalog)
        if product is None:
            dispatcher.utter_message(text=self.shop.replies.text(tracker, "utter_describe_which"))
            return []
        writer = self.shop.descriptions
        stored = await writer.stored(product.id)
        if stored is None and not writer.ready:
            self._answer_from_record(dispatcher, tracker, product.id, "utter_writer_starting")
            return [SlotSet("selected_product", product.id)]
        stream_id = uuid.uuid4().hex[:12]
        conversation = tracker.sender_id

        def forward(event: StreamEvent) -> None:
            self.publish(
                conversation, {"stream_id": stream_id, "kind": event.kind, "text": event.text}
            )

        if stored is None:
            try:
                stored = await writer.describe(product.id, on_event=forward)
            except WriterBusy:
                self._answer_from_record(dispatcher, tracker, product.id, "utter_writer_busy")
                return [SlotSet("selected_product", product.id)]
        dispatcher.utter_message(
            text=self.shop.replies.text(tracker, "utter_description_heading") + stored.text,
            json_message={
                "type": "description",
                "product_id": product.id,
                "stream_id": stream_id,
                "path": stored.path,
                "grounded": bool(stored.details.get("check", {}).get("grounded")),
            },
        )
        return [SlotSet("selected_product", product.id)]

    def _answer_from_record(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, product_id: str, why: str
    ) -> None:
        """The listing's own words, after the reply `why` says why."""
        draft = self.shop.descriptions.draft_from_record(product_id)
        dispatcher.utter_message(
            text=self.shop.replies.text(tracker, why) + draft,
            json_message={"type": "description", "product_id": product_id, "path": "record"},
        )
