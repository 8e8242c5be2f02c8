"""Order help through `Bot.handle`: the form, validation, ownership, cancel, refund, invoice."""

from __future__ import annotations

import pytest

from actions.shop import Shop
from bot.engine import Bot
from bot.messages import BotMessage, UserMessage
from bot.settings import Settings

# demo orders (see actions/orders.py): Ana's 384920174650000.., Li's 384920174650100..
ANA = "ana.silva@example.com"
ANA_PROCESSING, ANA_SHIPPED, ANA_DELIVERED = "384920174650000", "384920174650001", "384920174650002"
LI_SHIPPED = "384920174650101"


async def _say(bot: Bot, sender: str, text: str) -> str:
    replies: list[BotMessage] = await bot.handle(UserMessage(text, sender))
    return "\n".join(reply.text or "" for reply in replies)


async def test_tracking_with_number_and_email_in_one_message(bot: Bot) -> None:
    text = await _say(bot, "t1", f"where is my order {ANA_SHIPPED}? my email is {ANA}")
    assert f"Order {ANA_SHIPPED} shipped" in text and "UPS" in text


async def test_the_form_asks_validates_and_answers(bot: Bot) -> None:
    assert "order number" in await _say(bot, "t2", "where is my package")
    reply = await _say(bot, "t2", "123456789")
    assert "has 15 digits; this one has 9" in reply and "order number" in reply
    assert "email" in await _say(bot, "t2", ANA_SHIPPED)
    assert f"Order {ANA_SHIPPED} shipped" in await _say(bot, "t2", ANA)
    tracker = await bot.tracker("rest:t2")
    assert tracker.active_loop == {} and tracker.slots["requested_slot"] is None


async def test_someone_elses_order_reveals_nothing(bot: Bot) -> None:
    text = await _say(bot, "t3", f"track order {LI_SHIPPED}, email {ANA}")
    assert "couldn't find" in text
    assert "UPS" not in text and "shipped" not in text and "li.wei" not in text


async def test_cancel_needs_a_yes_and_then_cancels(bot: Bot, shop: Shop) -> None:
    text = await _say(bot, "t4", f"i want to cancel order {ANA_PROCESSING} email {ANA}")
    assert "cancelling is free" in text
    assert "is cancelled" in await _say(bot, "t4", "yes")
    order = await shop.orders.find(ANA_PROCESSING, ANA)
    assert order is not None and order.status == "cancelled"


async def test_refund_then_its_status_and_the_invoice(bot: Bot) -> None:
    text = await _say(bot, "t5", f"i want a refund for order {ANA_DELIVERED} email {ANA}")
    assert "opened a return" in text
    assert "return requested" in await _say(bot, "t5", f"where is my refund for {ANA_DELIVERED}")
    invoice = await _say(bot, "t5", f"send me the invoice for order {ANA_DELIVERED}")
    assert f"INV-2024-{ANA_DELIVERED[-6:]}" in invoice and "Total $" in invoice


async def test_personal_data_never_reaches_the_logs(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    await _say(bot, "private", f"track order {ANA_SHIPPED} my email is {ANA}, call 415-555-0132")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged  # the turn was logged ...
    assert ANA not in logged and "415-555-0132" not in logged and ANA_SHIPPED not in logged


async def test_a_refund_over_the_configured_amount_goes_to_a_person(settings: Settings) -> None:
    from bot.app import build_bot, close_bot, open_shop
    from bot.handoff import HandoffSettings

    settings = settings.model_copy(update={"handoff": HandoffSettings(refund_over=1000.0)})
    shop = await open_shop(settings)
    bot = await build_bot(settings, shop)
    try:
        text = await _say(bot, "big", f"i want a refund for order {ANA_DELIVERED} email {ANA}")
        assert "opened a return" in text and "Connecting you to a person" in text
        assert (await bot.tracker("rest:big")).paused
    finally:
        await close_bot(bot)
        await shop.aclose()


@pytest.mark.parametrize(("answer", "handed_off"), [("yes please", True), ("no", False)])
async def test_a_typed_answer_to_the_offer_of_a_person_is_heard(
    bot: Bot, answer: str, handed_off: bool
) -> None:
    """After two unusable order numbers the bot offers a person with buttons; typing the
    answer works like tapping it."""
    sender = f"offer-{handed_off}"
    await _say(bot, sender, "where is my order")
    await _say(bot, sender, "123")
    offer = await _say(bot, sender, "456")
    assert "Would you like a person" in offer
    reply = await _say(bot, sender, answer)
    tracker = await bot.tracker(f"rest:{sender}")
    assert ("Connecting you to a person" in reply) is handed_off
    assert tracker.paused is handed_off
    assert tracker.latest_message["text"] == answer  # the shopper's words are what is kept
