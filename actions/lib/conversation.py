"""What the assistant replies to a leaflet question, a named treatment or a switch
("en bij dry needling?"): plain logic over the NLU's parse data and the slots.

Returns `Reply` objects (a response name from domain.yml with its variables, or a text
from the answer library, optionally with buttons) and the topic to remember. The Rasa
actions only send them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from actions.lib import treatments as reg
from actions.lib.answer_library import Library, library
from actions.lib.answers import Decision, choose, render
from actions.lib.phone_lines import contact_details, contact_inline
from actions.lib.retrieval import concepts, looks_like_question, normalise, question_segments

TOPICS_KEY = "answer_topics"


@dataclass
class Reply:
    text: str | None = None
    response: str | None = None
    variables: dict = field(default_factory=dict)
    buttons: list | None = None


@dataclass
class Plan:
    replies: list
    topic: str | None = None          # the topic to remember (answered, or waiting for a treatment)
    answered_units: list = field(default_factory=list)


def entity_values(parse: dict, entity: str) -> list[str]:
    return [e.get("value") for e in parse.get("entities") or [] if e.get("entity") == entity]


def _rankings(parse: dict) -> list[list]:
    """One ranking per question: per question sentence when there are several, else the
    whole message (its other sentences carry the topic words: "napijn ... hoe lang?")."""
    return [r for r, _ in _rankings_with_text(parse)]


def _rankings_with_text(parse: dict) -> list[tuple]:
    """(ranking, the text it ranks) per question."""
    topics = parse.get(TOPICS_KEY) or {}
    text = parse.get("text") or ""
    questions = [q for q in topics.get("questions") or [] if q]
    if len(questions) > 1:
        segments = question_segments(text)
        if len(segments) == len(questions):
            return list(zip(questions, segments))
        return [(q, text) for q in questions]
    return [(topics["ranking"], text)] if topics.get("ranking") else []


# A switch leans on the previous question: few words besides the treatment's name.
SWITCH_MAX_WORDS = 7
# Words that ask nothing by themselves ("en bij de denervatie?", "en voor een RF dan?").
# ("is" is not one of them: "wat is een facetdenervatie?" asks a question of its own.)
SWITCH_WORDS = frozenset("en bij voor met na de het een die dat dan ook wat hoe zit geldt "
                         "dat ook zo bij een en wat als nu mijn m'n je u".split())
# ...and no other leaflet question recognised with this confidence.
SWITCH_OTHER_TOPIC = 0.5


def question_core_text(text: str) -> str:
    """The asking part of a message for the concept check: its question sentences, or the
    whole text when it has none ("ik heb een blaasontsteking gehad; mag ik ..." -> the
    blaasontsteking is context, the question is what the patient asks about)."""
    asked = question_segments(text, context=False)
    return " ".join(asked) if asked else text


def is_switch(parse: dict, named_treatment: str | None, previous_topic: str | None) -> bool:
    """"en bij dry needling?", "en voor de facetdenervatie?", "geldt dat ook voor RF?":
    a short message that names a treatment and asks no new question of its own."""
    if not named_treatment or not previous_topic:
        return False
    rest = _words_besides_names(parse)
    if len(rest) > SWITCH_MAX_WORDS:
        return False
    if all(w in SWITCH_WORDS for w in rest):
        return True        # only "en bij de ...?", "en voor een ...?": nothing else is asked
    ranking = (parse.get(TOPICS_KEY) or {}).get("ranking") or []
    if ranking:
        top, score = ranking[0]
        unit = library().unit(top)
        if unit and unit.topic != previous_topic and score >= SWITCH_OTHER_TOPIC:
            return False
    return True


def _words_besides_names(parse: dict) -> list[str]:
    """The message's words, without the treatment and hospital names it contains."""
    text = parse.get("text") or ""
    for e in parse.get("entities") or []:
        if e.get("entity") in ("treatment", "location") and e.get("start") is not None:
            text = text[:e["start"]] + " " * (e["end"] - e["start"]) + text[e["end"]:]
    return re.findall(r"\w+", normalise(text))


def _asks_more(parse: dict) -> bool:
    """The message has words of its own besides the treatment and "en bij ...?"."""
    return any(w not in SWITCH_WORDS for w in _words_besides_names(parse))


def _ask_treatment(decision: Decision) -> Reply:
    options = decision.options or reg.registry().ids()
    buttons = [{"title": reg.label(t)[:1].upper() + reg.label(t)[1:],
                "payload": '/inform_treatment{"treatment":"%s"}' % t} for t in options]
    return Reply(response="utter_ask_treatment_for_topic", buttons=buttons)


def _decision_replies(decision: Decision, location: str | None, now: datetime,
                      medication: str | None) -> list[Reply]:
    if decision.kind == "answer":
        replies = [Reply(text=t) for t in render(decision, location, now)]
        if medication and decision.unit.medications:
            replies.append(Reply(response="utter_other_medicines"))
        return replies
    if decision.kind == "ask_treatment":
        return [_ask_treatment(decision)]
    treatment = decision.treatment
    t = reg.registry().get(treatment)
    who = contact_inline(treatment, location) if t else \
        "het ziekenhuis of de therapeut die je behandelt"
    replies = []
    if decision.kind == "not_in_leaflet":
        replies.append(Reply(response="utter_not_in_leaflet",
                             variables={"leaflet_name": t.leaflet_name, "who": who}))
    else:
        where = t.leaflet_name if t else "de folders die ik ken"
        replies.append(Reply(response="utter_question_unknown",
                             variables={"where": where, "who": who}))
    details = contact_details(treatment, location, now) if t else ""
    if details:
        replies.append(Reply(text=details))
    return replies


# A sign the safety verdict explained away (actions/lib/safety_verdict.py) points to the
# leaflet answer the patient needs: fever before the treatment -> may it go ahead; a
# numb leg in the first hours -> the expected course and when to call.
SITUATION_TOPICS = {
    "pre_treatment": ("ill_before", "contraindications"),
    "expected": {"loss_of_feeling": ("numb_leg", "skin_numbness"),
                 "loss_of_strength": ("numb_leg",),
                 "infection_signs": ("cortisone_side_effects",),
                 "increasing_pain": ("after_pain",),
                 "headache_neck_pain": ("cortisone_side_effects", "after_pain")},
}


def situation_units(parse: dict, treatment: str | None, lib: Library) -> list:
    """Units the safety verdict's situations call for, best first, as a ranking."""
    situations = (parse.get("safety") or {}).get("situations") or {}
    topics: list[str] = []
    for sign, situation in situations.items():
        wanted = SITUATION_TOPICS.get(situation)
        if isinstance(wanted, dict):
            wanted = wanted.get(sign, ())
        topics += [t for t in wanted or () if t not in topics]
    # within a topic, the unit retrieval liked best ("kuchen en benauwd voor de injectie":
    # the unit about a cough, not the plain one about being ill)
    retrieved = {uid: p for uid, p in (parse.get(TOPICS_KEY) or {}).get("ranking") or []}
    ranking = []
    for topic in topics:
        units = lib.eligible(topic, treatment) if treatment else lib.topic_units(topic)
        units = sorted(units, key=lambda u: -retrieved.get(u.id, 0.0))
        ranking += [(u.id, 1.0) for u in units[:1]]
    return ranking


def _narrow(d: Decision, location: str | None, lib: Library, ranking,
            medication: str | None) -> Decision:
    """A hospital named without a treatment narrows "which treatment?": at the Franciscus
    it is the triggerpoint injectie; at Heilig Hart Leuven one of the facet treatments."""
    implied = reg.implied_by_location(location)
    if d.kind != "ask_treatment" or not implied:
        return d
    options = [t for t in d.options if t in implied]
    if len(options) == 1:
        return choose(ranking, options[0], lib, medication)
    if options:
        d.options = options
    return d


def answer_questions(parse: dict, treatment: str | None, location: str | None,
                     now: datetime, lib: Library | None = None,
                     medication: str | None = None) -> Plan:
    """Answer every leaflet question in the message, for the conversation's treatment."""
    lib = lib or library()
    implied = reg.implied_by_location(location)
    if treatment is None and len(implied) == 1:
        treatment = implied[0]
    medication = (entity_values(parse, "medication") or [medication])[-1]
    preferred = situation_units(parse, treatment, lib)
    if preferred:
        decisions = [choose(preferred[:1] + list(r)[:10], treatment, lib, medication)
                     for r in _rankings(parse)[:1]] or [choose(preferred, treatment, lib, medication)]
    else:
        decisions = [_narrow(choose(r, treatment, lib, medication,
                                    query_concepts=concepts(question_core_text(t))),
                             location, lib, r, medication)
                     for r, t in _rankings_with_text(parse)]
    if not decisions:
        decisions = [Decision("unknown", treatment=treatment)]
    known = [d for d in decisions if d.kind != "unknown"]
    if known:
        decisions = known              # a part without a question of its own is context
    if len(decisions) > 1:
        # several questions: the best one, plus the others only when clearly recognised
        best = max(d.score for d in decisions)
        decisions = [d for d in decisions if d.score == best or d.score >= SECOND_QUESTION_MIN]
    text = parse.get("text") or ""
    if not known and treatment and entity_values(parse, "treatment") and not looks_like_question(text):
        # "ik heb vanmorgen mijn eerste dry needling gehad": no question, the treatment noted
        return Plan([Reply(response="utter_treatment_noted",
                           variables={"treatment_label": reg.label(treatment)})])
    replies, seen, topic, units = [], set(), None, []
    for d in decisions:
        key = (d.kind, d.unit.id if d.unit else d.topic)
        if key in seen:
            continue
        seen.add(key)
        if d.kind == "ask_treatment":
            # one question at a time: ask which treatment, answer this one afterwards
            replies = [r for r in replies] + _decision_replies(d, location, now, medication)
            topic = d.topic
            break
        replies += _decision_replies(d, location, now, medication)
        topic = d.topic or topic
        if d.unit:
            units.append(d.unit.id)
    return Plan(replies, topic, units)


def answer_topic(topic: str, treatment: str | None, location: str | None, now: datetime,
                 parse: dict | None = None, lib: Library | None = None,
                 medication: str | None = None) -> Plan:
    """Answer a remembered topic again (the patient named or switched the treatment)."""
    lib = lib or library()
    implied = reg.implied_by_location(location)
    if treatment is None and len(implied) == 1:
        treatment = implied[0]
    medication = (entity_values(parse or {}, "medication") or [medication])[-1]
    # the topic is known (it was answered before): every unit of it is a full match, so a
    # topic with many units (one per blood thinner) is not mistaken for an unsure one
    ranking = [(u.id, 1.0) for u in lib.topic_units(topic)]
    decision = choose(ranking, treatment, lib, medication)
    return Plan(_decision_replies(decision, location, now, medication), topic,
                [decision.unit.id] if decision.unit else [])


def respond(intent: str, parse: dict, treatment: str | None, location: str | None,
            previous_topic: str | None, now: datetime, lib: Library | None = None,
            medication: str | None = None) -> Plan:
    """The reply of action_answer_question."""
    named = (entity_values(parse, "treatment") or entity_values(parse, "location") or [None])[-1]
    if previous_topic and (intent in ("inform_treatment", "inform_location")
                           or is_switch(parse, named, previous_topic)):
        plan = answer_topic(previous_topic, treatment, location, now, parse, lib, medication)
        again = (lib or library()).unit(plan.answered_units[0]) if plan.answered_units else None
        if again is not None and again.is_general and _asks_more(parse):
            # the new treatment has no answer of its own on the last topic, and the
            # message asks something itself ("en bij triggerpointtherapie, wat doen ze
            # daar?"): answer that question rather than repeat the general answer
            return answer_questions(parse, treatment, location, now, lib, medication)
        return plan
    explained = (parse.get("safety") or {}).get("situations")
    if intent == "ask_question" or (parse.get(TOPICS_KEY) or {}).get("is_question") or explained:
        return answer_questions(parse, treatment, location, now, lib, medication)
    if intent == "inform_location" and location:
        return Plan([Reply(response="utter_location_noted",
                           variables={"location_label": _location_label(location)})])
    if treatment:
        return Plan([Reply(response="utter_treatment_noted",
                           variables={"treatment_label": reg.label(treatment)})])
    return Plan([Reply(response="utter_fallback")])


def _location_label(location: str) -> str:
    from actions.lib.vocabulary import LOCATION_LABELS
    return LOCATION_LABELS.get(location, location)


# A second question in the same message is answered only when recognised this well.
SECOND_QUESTION_MIN = 0.4

# Topics a safety answer already covers: not answered again beside an alarm.
SAFETY_TOPICS = frozenset({"complication_contact", "complications", "side_effects",
                           "ill_before", "after_pain", "numb_leg", "skin_numbness",
                           "cortisone_side_effects", "remaining_questions"})
# Beside an alarm, only a question recognised at least this well is answered.
BESIDE_ALARM_MIN = 0.3


def answer_beside_alarm(parse: dict, treatment: str | None, location: str | None,
                        now: datetime, lib: Library | None = None) -> Plan:
    """After a red-flag answer: the other questions the patient asked in the same message
    ("ik heb koorts sinds de infiltratie; mag ik nog autorijden?"). Only questions, only
    well recognised, never the complication topics the safety answer already covered."""
    lib = lib or library()
    topics = parse.get(TOPICS_KEY) or {}
    replies, seen, units = [], set(), []
    medication = (entity_values(parse, "medication") or [None])[-1]
    for ranking in topics.get("bare_questions") or topics.get("questions") or []:
        kept = [(uid, p) for uid, p in ranking if uid in lib.by_id
                and lib.unit(uid).topic not in SAFETY_TOPICS]
        if not kept or kept[0][1] < BESIDE_ALARM_MIN:
            continue
        d = choose(kept, treatment, lib, medication)
        if d.kind != "answer" or d.unit.id in seen:
            continue
        seen.add(d.unit.id)
        units.append(d.unit.id)
        replies += _decision_replies(d, location, now, medication)
    return Plan(replies, None, units)
