"""The project's domain, training data and policies agree with each other."""

from bot.domain import Domain
from bot.settings import PROJECT_ROOT
from nlu.guards import STOP_INTENT
from nlu.training_data import load_examples

DATA = PROJECT_ROOT / "data"


def test_every_trained_intent_is_in_the_domain_and_has_a_rule() -> None:
    domain = Domain.load(DATA / "domain.yml")
    trained = {e.intent for e in load_examples(DATA / "nlu.yml")}
    # "stop" is read by rule (nlu.guards) whether or not the model learned it
    assert trained | {STOP_INTENT} == set(domain.intents) | {STOP_INTENT}
    assert trained | {STOP_INTENT} <= {rule.intent for rule in domain.policy.rules}


def test_every_response_speaks_both_languages() -> None:
    domain = Domain.load(DATA / "domain.yml")
    for name in domain.responses:
        zh = domain.pick_response(name, {"language": "zh"})
        en = domain.pick_response(name, {"language": "en"})
        assert zh and en and zh.text != en.text, name


def test_policy_answers_exist_in_both_languages() -> None:
    from actions.policies import PolicyBook

    book = PolicyBook.load(DATA / "policies.md")
    domain = Domain.load(DATA / "domain.yml")
    answered = {r.intent for r in domain.policy.rules if r.actions == ["action_answer_policy"]}
    orders = {r.intent for r in domain.policy.rules if "order_form" in r.actions}
    assert len(answered) == 19 and len(orders) == 8 and not answered & orders
    for intent in answered:
        en, zh = book.answer(intent, "en"), book.answer(intent, "zh")
        assert en and zh and en != zh, intent
