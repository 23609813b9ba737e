"""The safety layer: the verdict (rules + classifier) decides the intent, and is passed on."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.lib.red_flags import assess
from actions.lib.safety_verdict import SafetyClassifier, combine
from addons.safety_layer import SafetyRuleLayer, decide_intent

RANKING = [{"name": "red_flag", "confidence": 0.6}, {"name": "ask_question", "confidence": 0.3}]


@pytest.mark.parametrize("level, top, expected", [
    ("red_flag", "ask_question", "red_flag"),           # the verdict overrides a question
    ("emergency", "red_flag", "emergency"),
    ("red_flag", "inform_treatment", "red_flag"),       # in the middle of a treatment question
    ("none", "red_flag", "ask_question"),               # a classifier alarm the verdict denies
    ("hypothetical", "red_flag", "ask_complication_contact"),
    ("hypothetical", "ask_contact", "ask_complication_contact"),
    ("hypothetical", "ask_question", None),             # "kan ik een infectie krijgen?"
    ("none", "ask_question", None),
])
def test_decide_intent(level, top, expected):
    assert decide_intent(level, top, RANKING) == expected


def test_fever_before_the_treatment_is_a_question_for_the_leaflet():
    assert decide_intent("none", "red_flag", RANKING, {"fever": "pre_treatment"}) == "ask_question"
    assert decide_intent("none", "greet", RANKING, {"loss_of_feeling": "expected"}) == "ask_question"
    assert decide_intent("none", "greet", RANKING, {"fever": "other_person"}) is None


class FixedClassifier(SafetyClassifier):
    """A classifier that is always this sure of an alarm (to test the combination)."""

    def __init__(self, p: float):
        super().__init__(model=None)
        self.p = p

    def p_alarm(self, text: str) -> float:
        return self.p


def layer(p_alarm: float) -> SafetyRuleLayer:
    return SafetyRuleLayer(SafetyRuleLayer.get_default_config(), None, None,
                           classifier=FixedClassifier(p_alarm))


def parse(text: str, intent: str, p_alarm: float) -> Message:
    m = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9},
                      "intent_ranking": [{"name": intent, "confidence": 0.9},
                                         {"name": "ask_question", "confidence": 0.05}]})
    layer(p_alarm).process([m])
    return m


@pytest.mark.parametrize("text", [
    "ik heb 37,2 gemeten na de facetinfiltratie, verder alles ok",      # below 38.0
    "mijn wangen zijn rood sinds de triggerpoint injectie van gisteren",  # cortisone flush
    "mijn hoofdpijn is weg sinds de behandeling, top!",                   # resolved
    "ik heb koorts en morgen heb ik mijn triggerpoint injectie, moet ik afzeggen?",  # before
])
def test_a_reasoned_no_of_the_rules_is_never_overruled(text):
    m = parse(text, "red_flag", p_alarm=0.99)
    assert m.get("intent")["name"] != "red_flag"
    assert m.get("safety")["level"] != "red_flag"


def test_the_classifier_adds_an_alarm_for_words_no_rule_knows():
    text = "sinds de prik voelt mijn been zo anders aan, als karton"
    assert not assess(text).is_alarm and assess(text).sign_words
    m = parse(text, "ask_question", p_alarm=0.95)
    assert m.get("intent")["name"] == "red_flag"
    assert m.get("safety")["source"] == "classifier"


def test_the_classifier_never_alarms_on_text_without_a_sign_word():
    m = parse("mijn adres is Kerkstraat 12 in Leuven, geboren 03-04-1951", "inform_location",
              p_alarm=0.99)
    assert m.get("safety")["level"] == "none"
    assert m.get("intent")["name"] == "inform_location"


def test_the_classifier_never_sends_to_112():
    v = combine(assess("mijn been voelt raar aan sinds de prik"), 0.99)
    assert v.level == "red_flag"


def test_a_real_sign_beside_a_harmless_one_still_alarms_and_the_verdict_is_passed_on():
    m = parse("mijn wangen zijn rood en ik heb 38,6", "ask_question", p_alarm=0.0)
    assert m.get("intent")["name"] == "red_flag"
    assert m.get("safety")["signs"] == ["fever"] and m.get("safety")["temperature"] == 38.6


def test_classifier_learns_from_examples():
    clf = SafetyClassifier().fit(
        ["ik heb koorts na de prik", "de prikplek is rood en warm", "mag ik autorijden",
         "hoe lang duurt het", "er komt pus uit", "wat kost het"] * 3,
        ["red_flag", "red_flag", "none", "none", "red_flag", "none"] * 3)
    assert clf.p_alarm("koorts na de injectie") > clf.p_alarm("hoe lang duurt de behandeling")
    again = SafetyClassifier.from_bytes(clf.to_bytes())
    assert again.p_alarm("koorts") == pytest.approx(clf.p_alarm("koorts"))
