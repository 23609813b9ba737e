"""The safety layer's decision table: the rules win over the classifier."""
import pytest

from addons.safety_layer import decide_intent

RANKING = [{"name": "red_flag", "confidence": 0.6}, {"name": "ask_driving", "confidence": 0.3}]


@pytest.mark.parametrize("level, negated, top, conf, expected", [
    ("red_flag", False, "ask_driving", 0.99, "red_flag"),          # rules override a question
    ("emergency", False, "red_flag", 0.9, "emergency"),
    ("red_flag", False, "inform_treatment", 0.8, "red_flag"),      # mid treatment question
    ("none", True, "red_flag", 0.95, "ask_driving"),               # "ik heb geen koorts, ..."
    ("none", False, "red_flag", 0.5, "ask_driving"),               # unconfirmed, unsure alarm
    ("none", False, "red_flag", 0.9, None),                        # unconfirmed, sure: keep
    ("hypothetical", False, "red_flag", 0.9, "ask_complication_contact"),
    ("hypothetical", False, "ask_contact", 0.7, "ask_complication_contact"),
    ("hypothetical", False, "ask_side_effects", 0.7, None),        # "kan ik een infectie krijgen?"
    ("none", False, "ask_driving", 0.9, None),
])
def test_decide_intent(level, negated, top, conf, expected):
    assert decide_intent(level, negated, top, conf, RANKING, 0.7) == expected


@pytest.mark.parametrize("text", [
    "ik heb 37,2 gemeten na de facetinfiltratie, verder alles ok",      # below 38.0
    "mijn wangen zijn rood sinds de triggerpoint injectie van gisteren",  # cortisone flush
    "mijn hoofdpijn is weg sinds de behandeling, top!",                   # resolved
])
def test_harmless_reading_overrules_a_sure_classifier_alarm(text):
    from rasa.shared.nlu.training_data.message import Message

    from addons.safety_layer import SafetyRuleLayer

    layer = SafetyRuleLayer(SafetyRuleLayer.get_default_config())
    message = Message(data={"text": text, "intent": {"name": "red_flag", "confidence": 0.95},
                            "intent_ranking": [{"name": "red_flag", "confidence": 0.95},
                                               {"name": "ask_side_effects", "confidence": 0.03}]})
    layer.process([message])
    assert message.get("intent")["name"] == "ask_side_effects"


def test_a_real_sign_beside_a_harmless_one_still_alarms():
    from rasa.shared.nlu.training_data.message import Message

    from addons.safety_layer import SafetyRuleLayer

    layer = SafetyRuleLayer(SafetyRuleLayer.get_default_config())
    message = Message(data={"text": "mijn wangen zijn rood en ik heb 38,6", "intent":
                            {"name": "ask_side_effects", "confidence": 0.9}, "intent_ranking": []})
    layer.process([message])
    assert message.get("intent")["name"] == "red_flag"
