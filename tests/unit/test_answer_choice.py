"""Answer choice on hand-made rankings (no model): the honesty rules of actions/lib/answers.py,
the question detector and the content scorer's Dutch verb forms."""
import pytest

from actions.lib.answer_library import library
from actions.lib.answers import choose
from actions.lib.retrieval import concepts, looks_like_question
from addons.answer_retriever import AnswerRetriever, decide_question_intent
from qa.text_match import contains


def test_a_neighbouring_answer_of_the_own_leaflet_is_not_given_for_a_concept_it_never_mentions():
    # "na de sportschool" after a triggerpoint injectie: the best unit is another leaflet's
    # exercise advice; the injection leaflet's nearest unit (leaving the hospital) never
    # talks about sport, so the leaflet is silent: no nearby answer to another question.
    text = "Wanneer mag ik weer naar de sportschool na een triggerpointinjectie?"
    ranking = [("dn.exercise_after", 0.45), ("tpi.leave_when", 0.44)]
    decision = choose(ranking, "triggerpoint_injectie", library(), query_concepts=concepts(text))
    assert decision.kind == "not_in_leaflet"


def test_the_same_neighbour_is_given_when_the_question_names_no_concept_it_lacks():
    ranking = [("dn.exercise_after", 0.45), ("tpi.leave_when", 0.44)]
    decision = choose(ranking, "triggerpoint_injectie", library(), query_concepts=())
    assert decision.kind == "answer" and decision.unit.id == "tpi.leave_when"


def test_without_a_treatment_an_equally_close_general_answer_beats_asking_which_treatment():
    ranking = [("facet.after_pain.infiltratie", 0.41), ("gen.neck_triggerpoints", 0.41)]
    decision = choose(ranking, None, library(),
                      query_concepts=concepts("ik heb triggerpoints in mijn nek, wat nu?"))
    assert decision.kind == "answer" and decision.unit.is_general


def test_a_clearly_better_treatment_specific_topic_still_asks_which_treatment():
    ranking = [("facet.after_pain.infiltratie", 0.60), ("gen.neck_triggerpoints", 0.41)]
    decision = choose(ranking, None, library(), query_concepts=())
    assert decision.kind in ("ask_treatment", "answer")
    assert decision.unit is None or not decision.unit.is_general


@pytest.mark.parametrize("text", ["telefoonnummer heilig hart leuven pijntherapie",
                                  "openingsuren pijnpoli gasthuis"])
def test_a_request_in_a_few_words_is_a_question(text):
    assert looks_like_question(text)


def test_a_leaflet_question_with_english_words_is_answered_not_refused():
    overridable = AnswerRetriever.get_default_config()["overridable_intents"]
    assert decide_question_intent("english", True, "tpi.medication", 0.5, overridable, 0.45)
    assert not decide_question_intent("english", True, "tpi.medication", 0.3, overridable, 0.45)


@pytest.mark.parametrize("reply, keyword, found", [
    ("Geef dat dan door voordat de behandeling begint.", "doorgeven", True),
    ("Laat het de arts dan vooraf weten.", "laten weten", True),
    ("Vertel dat dan aan je pijnspecialist.", "vertellen", True),
    ("Schrijf je pijn eventueel op.", "opschrijven", True),
    ("Ik bel je later terug.", "laten", False),
    ("De pijn wordt erger.", "weten", False),
])
def test_the_scorer_knows_dutch_verb_forms(reply, keyword, found):
    assert contains(reply, keyword) is found
