from rasa_sdk import Tracker

from bot.tracker import ConversationTracker, action_event, slot_event, user_event


def test_replaying_events_rebuilds_slots_and_latest_message() -> None:
    parse = {"intent": {"name": "search_product", "confidence": 0.9}, "entities": []}
    events = [
        {"event": "session_started", "timestamp": 1.0},
        user_event("laptops", parse, "rest", "m1", {}),
        action_event("action_search_products"),
        slot_event("last_results", ["p1", "p2"]),
        slot_event("last_results", ["p3"]),
    ]
    tracker = ConversationTracker.from_events("alice", events, {"language": "en"})
    assert tracker.slots == {"language": "en", "last_results": ["p3"]}
    assert tracker.latest_message["intent"]["name"] == "search_product"
    assert tracker.latest_action_name == "action_search_products"


def test_to_dict_is_what_rasa_sdk_reads() -> None:
    score = {"name": "greet", "confidence": 1.0}
    parse = {"intent": score, "intent_ranking": [score], "entities": [{"entity": "x"}]}
    tracker = ConversationTracker("bob", {"language": "zh"})
    tracker.apply(user_event("你好", parse, "rest", "m1", {"k": "v"}))
    tracker.apply({"event": "active_loop", "name": "order_form", "timestamp": 2.0})

    sdk_tracker = Tracker.from_dict(tracker.to_dict())

    assert sdk_tracker.sender_id == "bob"
    assert sdk_tracker.get_slot("language") == "zh"
    assert sdk_tracker.latest_message["text"] == "你好"
    assert sdk_tracker.get_intent_of_latest_message() == "greet"
    assert sdk_tracker.active_loop_name == "order_form"
    assert len(sdk_tracker.events) == 2


def test_restart_resets_slots_to_defaults() -> None:
    tracker = ConversationTracker("c", {"language": "en"})
    tracker.apply(slot_event("language", "zh"))
    tracker.apply({"event": "restart", "timestamp": 3.0})
    assert tracker.slots == {"language": "en"}
