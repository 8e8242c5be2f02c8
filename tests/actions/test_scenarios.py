"""Shopper scenarios through `Bot.handle` with the real classifier, catalog and actions."""

from __future__ import annotations

from actions.shop import Shop
from bot.engine import Bot
from bot.messages import BotMessage, UserMessage


async def _say(bot: Bot, sender: str, text: str) -> list[BotMessage]:
    return await bot.handle(UserMessage(text, sender))


def _products(replies: list[BotMessage]) -> list[dict[str, object]]:
    for reply in replies:
        if reply.custom and "products" in reply.custom:
            return list(reply.custom["products"])
    return []


async def test_search_then_compare_two_shown_products(bot: Bot) -> None:
    shown = _products(await _say(bot, "cmp", "show me gaming laptops"))
    assert len(shown) >= 2
    replies = await _say(bot, "cmp", "compare the first and the second")
    compared = replies[0].custom
    assert compared and compared["type"] == "comparison"
    assert [p["id"] for p in compared["products"]] == [shown[0]["id"], shown[1]["id"]]


async def test_recommendations_follow_what_the_shopper_viewed(bot: Bot) -> None:
    shown = _products(await _say(bot, "rec", "headphones"))
    await _say(bot, "rec", "the first one")
    recommended = _products(await _say(bot, "rec", "what would you recommend"))
    assert recommended
    assert shown[0]["id"] not in {p["id"] for p in recommended}
    same_kind = [p for p in recommended if p["category"] == shown[0]["category"]]
    assert len(same_kind) >= len(recommended) // 2 + 1  # closest by title and features


async def test_policy_questions_are_answered_in_the_shoppers_language(bot: Bot) -> None:
    [english] = await _say(bot, "pol-en", "what is your refund policy")
    assert english.text and "30 days" in english.text
    [chinese] = await _say(bot, "pol-zh", "你们的退货政策是什么")
    assert chinese.text and "30 天" in chinese.text


async def test_deleting_an_account_asks_for_a_person(bot: Bot) -> None:
    await _say(bot, "del", "please delete my account")
    tracker = await bot.tracker("rest:del")
    assert tracker.slots["handoff_requested"] == "delete_account"


async def test_out_of_scope_is_not_answered_as_shopping(bot: Bot) -> None:
    [reply] = await _say(bot, "oos", "what's the weather in paris tomorrow")
    assert reply.text and "only help with shopping" in reply.text


async def test_search_refines_by_brand_and_by_cheaper(bot: Bot) -> None:
    shown = _products(await _say(bot, "refine", "show me laptops"))
    assert shown
    asus = _products(await _say(bot, "refine", "only asus"))
    assert asus and all(p["title"].upper().startswith("ASUS") for p in asus)
    cheapest = min(float(p["price"]) for p in asus)
    cheaper = _products(await _say(bot, "refine", "show me cheaper ones"))
    assert cheaper and all(float(p["price"]) < cheapest for p in cheaper)


async def test_meaning_finds_what_words_alone_miss(shop: Shop) -> None:
    """Real product embeddings (made at startup) and the real encoder, through hybrid search."""
    from actions.catalog import SearchQuery

    text = "something to listen to music on the go"
    vector = await shop.queries.embed(text)
    found = shop.catalog.hybrid_search(SearchQuery(text=text, limit=3), vector)
    kinds = " ".join(f"{p.title} {p.category}" for p in found).lower()
    assert "speaker" in kinds or "headphone" in kinds or "buds" in kinds
    lexical = shop.catalog.search(SearchQuery(text=text, limit=3))
    assert [p.id for p in found] != [p.id for p in lexical]


async def test_absurd_prices_get_a_clear_answer(bot: Bot) -> None:
    for text in ("laptops under -5 dollars", "show me tvs under $1e99"):
        [reply] = await _say(bot, "absurd", text)
        assert reply.text and "doesn't look right" in reply.text and not reply.custom
    [reply] = await _say(bot, "absurd", "laptops under $3")
    assert reply.text and "found no" in reply.text and not reply.custom


async def test_filters_from_entities(bot: Bot) -> None:
    found = _products(await _say(bot, "filters", "show me 15.6 inch laptops rated 4.5+"))
    assert found
    assert all(float(p["rating"]) >= 4.5 for p in found)
    assert all("15.6" in p["title"] for p in found)


async def test_policy_answers_offer_next_steps(bot: Bot) -> None:
    [reply] = await _say(bot, "next", "how long does shipping take")
    payloads = [b.payload for b in reply.buttons]
    assert "/track_order" in payloads and "/contact_human_agent" in payloads


async def test_unclear_questions_are_matched_to_a_policy_by_similarity(bot: Bot) -> None:
    from bot.tracker import ConversationTracker, user_event

    async def fallback_for(text: str) -> str:
        tracker = ConversationTracker("unclear", {"language": "en"})
        score = {"name": "out_of_scope", "confidence": 0.1}
        tracker.apply(
            user_event(
                text, {"intent": score, "intent_ranking": [score], "entities": []}, "rest", "m", {}
            )
        )
        result = await bot.actions.run(
            "action_default_fallback", tracker.to_dict(), bot.domain.to_rasa_dict()
        )
        return str(result.responses[0].get("text") or result.responses[0].get("response"))

    assert "restocking fee" in await fallback_for("is there a restocking fee on opened laptops")
    assert await fallback_for("asdf qwerty zxcv") == "utter_default"


async def test_a_fresh_search_waits_for_the_model_once(bot: Bot, shop: Shop) -> None:
    """The job that read the message embedded its query: the action finds it made. A
    refinement searches the last search's words, so its vector is made in the action."""
    shown = _products(await _say(bot, "ahead", "wireless headphones with noise cancelling"))
    assert shown and all("headphone" in f"{p['title']} {p['category']}".lower() for p in shown)
    assert list(shop.queries._batcher.batch_sizes) == []
    sony = _products(await _say(bot, "ahead", "sony ones"))
    assert sony and all(str(p["title"]).upper().startswith("SONY") for p in sony)
    assert list(shop.queries._batcher.batch_sizes) == [1]
    assert not shop.queries._ahead  # nothing made that no search came for


async def test_yes_to_the_nearest_category_shows_it_and_no_declines(bot: Bot) -> None:
    [offer] = await _say(bot, "near-yes", "I want a washing machine")
    assert offer.text and offer.text.rstrip().endswith("?") and not _products([offer])
    show = offer.buttons[0].payload
    shown = _products(await _say(bot, "near-yes", "yes"))
    category = show.split('"category": "', 1)[1].split('"', 1)[0]
    assert shown and all(p["category"] == category for p in shown)
    await _say(bot, "near-no", "I want a washing machine")
    [declined] = await _say(bot, "near-no", "no thanks")
    assert declined.text and not _products([declined]) and "Anything else" in declined.text
