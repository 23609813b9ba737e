"""Custom actions on real rasa_sdk Tracker objects; their messages are rendered
through the real response generator (domain.yml + config/clinics.yml)."""
import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.action_answer_question import ActionAnswerQuestion
from actions.action_contact import ActionContact
from actions.action_fallback import ActionFallback
from actions.action_triage import REASONED_SIGNS, ActionTriage, safety_plan
from actions.lib.clinics import load_clinics
from actions.lib.red_flags import assess
from actions.lib.safety_verdict import combine
from actions.lib.vocabulary import TREATMENT_LABELS
from addons.clinic_nlg import ClinicNaturalLanguageGenerator

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
DOMAIN_DICT = DOMAIN.as_dict()
NLG = ClinicNaturalLanguageGenerator(domain=DOMAIN)
CLINICS = load_clinics()
PHONES = {line.id: line.phone for line in CLINICS.lines}

MONDAY_10_NL = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
SATURDAY_10_NL = datetime(2026, 11, 21, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def tracker_from_file(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((ROOT / "tests" / "data" / name).read_text()))


def make_tracker(text: str, intent: str, entities=(), ranking=None, **slots) -> Tracker:
    """A tracker whose latest message was parsed as `intent`; `ranking` is the answer
    retriever's output ([(unit id, score), ...]) as the NLU pipeline stores it, and the
    safety verdict is the rules' (as the NLU pipeline's safety layer stores it)."""
    base = {"treatment": None, "location": None, "topic": None, "medication": None,
            "safety_status": None, "safety_signs": None}
    base.update(slots)
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0},
              "entities": list(entities)}
    latest["safety"] = combine(assess(text), 0.0).as_dict()
    if ranking is not None:
        latest["answer_topics"] = {"ranking": [list(r) for r in ranking], "questions": [],
                                   "is_question": True}
    return Tracker.from_dict({
        "sender_id": "patient", "slots": base,
        "latest_message": latest,
        "events": [], "paused": False, "followup_action": None, "active_loop": {},
        "latest_action_name": "action_listen",
    })


def run(action, tracker: Tracker, now: datetime = MONDAY_10_NL):
    action.clock = staticmethod(lambda: now)
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, DOMAIN_DICT)
    return dispatcher.messages, events


def render(messages, tracker: Tracker) -> list[str]:
    out = []
    for m in messages:
        if not m.get("response"):
            out.append(m["text"])
            continue
        kwargs = {k: v for k, v in m.items()
                  if k not in ("response", "text", "buttons", "elements", "custom",
                               "template", "image", "attachment")}
        kwargs.update(m.get("kwargs") or {})
        filled = NLG.generate_from_slots(m["response"], tracker.current_slot_values(), "rest",
                                         **kwargs)
        out.append(filled["text"])
    return out


def names(messages) -> list[str]:
    return [m.get("response") or "<text>" for m in messages]


DRIVING = [("tpi.driving", 0.8), ("facet.driving", 0.78)]


def test_unknown_treatment_asks_with_buttons_and_remembers_the_question():
    tracker = make_tracker("mag ik daarna zelf naar huis rijden?", "ask_question", ranking=DRIVING)
    messages, events = run(ActionAnswerQuestion(), tracker)
    assert names(messages) == ["utter_ask_treatment_for_topic"]
    titles = [b["title"].lower() for b in messages[0]["buttons"]]
    assert "triggerpoint injectie" in titles and "facetinfiltratie" in titles
    assert {"event": "slot", "name": "topic", "value": "driving", "timestamp": None} in events


@pytest.mark.parametrize("treatment, must_contain, must_not", [
    ("triggerpoint_injectie", "ophalen", "24 uur"),
    ("facetinfiltratie", "24 uur", "ophalen"),
    ("facetdenervatie", "24 uur", "ophalen"),
])
def test_driving_answer_depends_on_treatment(treatment, must_contain, must_not):
    tracker = make_tracker("mag ik autorijden", "ask_question", ranking=DRIVING,
                           treatment=treatment)
    messages, _ = run(ActionAnswerQuestion(), tracker)
    text = render(messages, tracker)[0]
    assert must_contain in text and must_not not in text
    assert "Bron:" in text


def test_picking_a_treatment_answers_the_open_question():
    tracker = make_tracker('/inform_treatment{"treatment":"facetdenervatie"}', "inform_treatment",
                           treatment="facetdenervatie", topic="duration")
    messages, _ = run(ActionAnswerQuestion(), tracker)
    assert "40 minuten" in render(messages, tracker)[0]


def test_silent_leaflet_is_said_honestly_with_the_contact():
    tracker = make_tracker("mag ik autorijden na dry needling", "ask_question", ranking=DRIVING,
                           treatment="dry_needling")
    messages, _ = run(ActionAnswerQuestion(), tracker)
    assert names(messages) == ["utter_not_in_leaflet"]
    text = render(messages, tracker)[0]
    assert "dry needling" in text and "kinesitherapeut" in text


def test_leaflet_silence_for_a_clinic_treatment_gives_number_and_hours():
    tracker = make_tracker("hoe dik is de naald", "ask_question",
                           ranking=[("dn.needle_details", 0.9)], treatment="facetinfiltratie")
    messages, _ = run(ActionAnswerQuestion(), tracker)
    text = "\n".join(render(messages, tracker))
    assert names(messages)[0] == "utter_not_in_leaflet"
    assert PHONES["heilig_hart_leuven"] in text and "maandag t/m vrijdag" in text


def test_named_medicine_gets_its_own_rule_then_one_line_about_others():
    entities = [{"entity": "medication", "value": "xarelto"}]
    tracker = make_tracker("hoe lang stoppen met xarelto", "ask_question", entities=entities,
                           ranking=[("facet.blood_thinners", 0.7), ("facet.blood_thinners.doac", 0.6)],
                           treatment="facetinfiltratie", medication="xarelto")
    messages, _ = run(ActionAnswerQuestion(), tracker)
    text = "\n".join(render(messages, tracker))
    assert "Xarelto" in text and "Marcoumar" not in text
    assert names(messages)[-1] == "utter_other_medicines"


def test_not_a_known_question_is_said_honestly():
    tracker = make_tracker("wat kost parkeren", "ask_question", ranking=[("__none__", 0.9)],
                           treatment="triggerpoint_injectie")
    messages, _ = run(ActionAnswerQuestion(), tracker)
    assert names(messages)[0] == "utter_question_unknown"


def test_naming_a_treatment_without_a_question_is_confirmed():
    tracker = make_tracker("het gaat om dry needling", "inform_treatment", treatment="dry_needling")
    messages, _ = run(ActionAnswerQuestion(), tracker)
    assert "dry needling" in render(messages, tracker)[0]


def test_switch_answers_the_previous_question_for_the_new_treatment():
    entities = [{"entity": "treatment", "value": "dry_needling", "start": 7, "end": 19}]
    tracker = make_tracker("en bij dry needling?", "ask_question", entities=entities,
                           ranking=[("dn.after_pain", 0.3)], treatment="dry_needling",
                           topic="after_pain")
    messages, _ = run(ActionAnswerQuestion(), tracker)
    text = render(messages, tracker)[0]
    assert "24 uur" in text


@pytest.mark.parametrize("name", sorted(DOMAIN.responses))
def test_every_response_renders_without_unfilled_placeholders(name):
    kwargs = {"treatment_label": "dry needling", "location_label": "Heilig Hart Leuven",
              "lines": "• lijn", "routes": "de huisartsenpost", "understood": "dry needling",
              "leaflet_name": "de folder", "who": "je arts", "where": "de folder"}
    filled = NLG.generate_from_slots(name, {}, "rest", **kwargs)
    assert not re.search(r"\{[a-z_]+\}", filled["text"]), filled["text"]


def test_red_flag_sign_reasons_exist():
    for sign in REASONED_SIGNS:
        assert f"utter_red_flag_reason__{sign}" in DOMAIN.responses


def test_contact_for_facet_gives_leuven_with_live_status():
    tracker = make_tracker("wat is het nummer", "ask_contact", treatment="facetinfiltratie")
    messages, _ = run(ActionContact(), tracker, now=MONDAY_10_NL)
    text = "\n".join(render(messages, tracker))
    assert PHONES["heilig_hart_leuven"] in text and "open" in text
    assert PHONES["franciscus_gasthuis"] not in text


def test_contact_when_closed_gives_out_of_hours_route():
    tracker = make_tracker("wat is het nummer", "ask_contact", treatment="triggerpoint_injectie",
                           location="franciscus_vlietland")
    messages, _ = run(ActionContact(), tracker, now=SATURDAY_10_NL)
    text = "\n".join(render(messages, tracker))
    assert PHONES["franciscus_vlietland"] in text and "gesloten" in text
    assert "huisartsenpost" in text and "112" in text


def test_red_flag_fever_after_tpi_location_unknown_gives_both_lines_and_no_question():
    tracker = tracker_from_file("tracker_red_flag_fever_tpi.json")
    messages, events = run(ActionTriage(), tracker, now=MONDAY_10_NL)
    assert names(messages)[0] == "utter_red_flag_reason__fever"
    assert "utter_tpi_fever_contact" in names(messages)
    assert "utter_ask_treatment_after_safety" not in names(messages)
    text = "\n".join(render(messages, tracker))
    assert PHONES["franciscus_gasthuis"] in text and PHONES["franciscus_vlietland"] in text
    assert "huisarts" in text
    assert {"event": "slot", "name": "safety_status", "value": "answered",
            "timestamp": None} in events


def test_red_flag_with_unknown_treatment_gives_all_lines_then_asks():
    tracker = make_tracker("ik heb koorts", "red_flag", safety_status="pending")
    messages, _ = run(ActionTriage(), tracker, now=MONDAY_10_NL)
    text = "\n".join(render(messages, tracker))
    for phone in PHONES.values():
        assert phone in text
    assert names(messages)[-1] == "utter_ask_treatment_after_safety"
    assert names(messages)[0] != "utter_ask_treatment_after_safety"


def test_emergency_says_112_first():
    tracker = make_tracker("ik krijg geen lucht", "emergency", treatment="facetinfiltratie")
    messages, _ = run(ActionTriage(), tracker, now=SATURDAY_10_NL)
    texts = render(messages, tracker)
    assert names(messages)[0] == "utter_emergency_call_now" and "112" in texts[0]
    joined = "\n".join(texts)
    assert PHONES["heilig_hart_leuven"] in joined and "1733" in joined  # closed on Saturday


def test_bladder_loss_after_facet_is_urgent():
    plan = safety_plan("red_flag", ["incontinence"], "facetdenervatie")
    assert plan["before"][:2] == ["utter_red_flag_reason__incontinence",
                                  "utter_facet_bladder_bowel_urgent"]


def test_dry_needling_red_flag_goes_to_therapist_or_gp():
    tracker = make_tracker("koorts na dry needling", "red_flag", treatment="dry_needling")
    messages, _ = run(ActionTriage(), tracker)
    assert "utter_call_therapist_or_gp" in names(messages)
    text = "\n".join(render(messages, tracker))
    assert not any(phone in text for phone in PHONES.values())


def test_safety_event_log_has_no_message_text(tmp_path, monkeypatch):
    log = tmp_path / "events.jsonl"
    monkeypatch.setenv("SAFETY_EVENTS_FILE", str(log))
    tracker = make_tracker("mijn geheime tekst: ik heb koorts", "red_flag")
    run(ActionTriage(), tracker)
    content = log.read_text()
    assert "geheime" not in content and '"intent": "red_flag"' in content


def test_calm_question_about_fever_after_tpi_names_specialist_or_gp():
    tracker = make_tracker("wie moet ik bellen als ik koorts krijg na de triggerpoint injectie?",
                           "ask_complication_contact", treatment="triggerpoint_injectie")
    messages, _ = run(ActionTriage(), tracker)
    assert names(messages)[0] == "utter_tpi_fever_contact"
    assert "utter_complication_contact_intro" not in names(messages)  # the line itself says it
    assert "huisarts" in "\n".join(render(messages, tracker))


def test_calm_question_with_unknown_treatment_introduces_the_labelled_lines():
    tracker = make_tracker("wie bel ik als ik koorts krijg?", "ask_complication_contact")
    messages, _ = run(ActionTriage(), tracker)
    assert names(messages)[0] == "utter_complication_contact_intro"
    assert names(messages)[-1] == "utter_ask_treatment_after_safety"


def test_unknown_treatment_lists_the_therapist_row_with_the_lines_and_the_route_once():
    tracker = make_tracker("ik heb koorts", "red_flag", safety_status="pending")
    messages, _ = run(ActionTriage(), tracker, now=SATURDAY_10_NL)
    order = names(messages)
    assert order.index("utter_safety_lines") < order.index("utter_unknown_treatment_gp") \
        < order.index("utter_safety_closed") < order.index("utter_ask_treatment_after_safety")
    text = "\n".join(render(messages, tracker))
    assert "therapeut of je huisarts" in text
    assert text.count("huisartsenpost") == 1 and text.count("1733") == 1


@pytest.mark.parametrize("sign_text, treatment, expected", [
    ("ik kan mijn plas niet meer ophouden", "facetdenervatie", "utter_facet_bladder_bowel_urgent"),
    ("ik heb koorts", "triggerpoint_injectie", "utter_tpi_fever_contact"),
])
def test_naming_the_treatment_after_a_red_flag_keeps_its_signs(sign_text, treatment, expected):
    first = make_tracker(sign_text, "red_flag", safety_status="pending")
    _, events = run(ActionTriage(), first)
    signs = next(e["value"] for e in events if e["name"] == "safety_signs")
    assert signs
    follow_up = make_tracker(f'/inform_treatment{{"treatment":"{treatment}"}}', "inform_treatment",
                             treatment=treatment, topic="complication_contact",
                             safety_signs=signs)
    messages, _ = run(ActionAnswerQuestion(), follow_up)
    assert expected in names(messages)
    assert "utter_ask_treatment_after_safety" not in names(messages)


def test_fallback_confirms_the_treatment_and_hospital_it_did_understand():
    entities = [{"entity": "treatment", "value": "triggerpoint_injectie"},
                {"entity": "location", "value": "franciscus_gasthuis"}]
    tracker = make_tracker("goeiedag, ik krijg volgende week een prik in mijn spier in het gasthuis",
                           "nlu_fallback", entities=entities, treatment="triggerpoint_injectie",
                           location="franciscus_gasthuis")
    messages, _ = run(ActionFallback(), tracker)
    assert names(messages) == ["utter_fallback_noted"]
    text = render(messages, tracker)[0]
    assert "triggerpoint injectie" in text and "Franciscus Gasthuis" in text


def test_fallback_without_anything_understood_says_so_honestly():
    tracker = make_tracker("blorp", "nlu_fallback")
    messages, _ = run(ActionFallback(), tracker)
    assert names(messages) == ["utter_fallback"]


def test_red_flag_with_a_question_gets_the_line_first_then_the_answer():
    text = "Ik heb 38,7 koorts sinds de facetinfiltratie. Mag ik morgen zelf autorijden?"
    tracker = make_tracker(text, "red_flag", ranking=DRIVING, treatment="facetinfiltratie",
                           safety_status="pending")
    tracker.latest_message["answer_topics"]["questions"] = [[["facet.driving", 0.7]]]
    messages, _ = run(ActionTriage(), tracker)
    order = names(messages)
    assert order[0] == "utter_red_flag_reason__fever"
    texts = render(messages, tracker)
    first_line = next(i for i, t in enumerate(texts) if PHONES["heilig_hart_leuven"] in t)
    answer = next(i for i, t in enumerate(texts) if "24 uur" in t)
    assert first_line < answer


def test_fever_before_the_treatment_gets_the_leaflet_answer_not_an_alarm():
    text = "Ik heb koorts en morgen heb ik mijn triggerpoint injectie. Kan die doorgaan?"
    assert combine(assess(text), 0.0).situations == {"fever": "pre_treatment"}
    tracker = make_tracker(text, "ask_question", ranking=[("tpi.driving", 0.2)],
                           treatment="triggerpoint_injectie")
    messages, _ = run(ActionAnswerQuestion(), tracker)
    text_out = "\n".join(render(messages, tracker))
    assert "koorts" in text_out.lower() and PHONES["franciscus_gasthuis"] in text_out
    assert "bel nu" not in text_out.lower()


def test_numb_leg_in_the_first_hours_gets_the_course_and_when_to_call():
    text = "Ik ben een uur geleden thuisgekomen van de facetinfiltratie en mijn been voelt nog wat slap. Normaal?"
    verdict = combine(assess(text), 0.0)
    assert not verdict.is_alarm and verdict.situations
    tracker = make_tracker(text, "ask_question", ranking=[("facet.driving", 0.2)],
                           treatment="facetinfiltratie")
    messages, _ = run(ActionAnswerQuestion(), tracker)
    text_out = "\n".join(render(messages, tracker))
    assert "uren" in text_out and PHONES["heilig_hart_leuven"] in text_out


def test_warm_up_prepares_every_leaflets_concept_table():
    # otherwise the first question about each other treatment waits ~0.5 s for it
    from actions.lib.answer_library import library
    from actions.lib.treatments import registry
    from actions.warm_up import warm_up

    warm_up()
    prepared = getattr(library(), "_leaflet_concepts", {})
    assert set(registry().treatments) <= set(prepared)
