from bot.domain import PolicyConfig, Rule
from bot.policy import RulePolicy
from bot.tracker import ConversationTracker, slot_event, user_event


def _tracker(intent: str, confidence: float, **slots: object) -> ConversationTracker:
    tracker = ConversationTracker("t")
    for name, value in slots.items():
        tracker.apply(slot_event(name, value))
    tracker.apply(
        user_event("x", {"intent": {"name": intent, "confidence": confidence}}, "rest", "m", {})
    )
    return tracker


POLICY = PolicyConfig(
    fallback_action="action_default_fallback",
    rules=[
        Rule(intent="affirm", slots={"pending": "cancel"}, actions=["action_cancel"]),
        Rule(intent="affirm", actions=["utter_ok"]),
        Rule(intent="product_details", slots_set=["last_results"], actions=["action_details"]),
    ],
)


def test_low_confidence_falls_back() -> None:
    decision = RulePolicy(POLICY, 0.5).decide(_tracker("affirm", 0.3))
    assert decision.actions == ["action_default_fallback"]
    assert decision.reason == "low_confidence"


def test_first_rule_whose_state_matches_wins() -> None:
    policy = RulePolicy(POLICY, 0.5)
    assert policy.decide(_tracker("affirm", 0.9, pending="cancel")).actions == ["action_cancel"]
    assert policy.decide(_tracker("affirm", 0.9)).actions == ["utter_ok"]


def test_rule_needing_a_set_slot_does_not_match_without_it() -> None:
    policy = RulePolicy(POLICY, 0.5)
    assert policy.decide(_tracker("product_details", 0.9, last_results=["p1"])).actions == [
        "action_details"
    ]
    decision = policy.decide(_tracker("product_details", 0.9, last_results=[]))
    assert decision.reason == "no_rule"
