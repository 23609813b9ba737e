"""Which answer a leaflet question gets: plain logic over the answer library.

Input: the retrieval ranking of topics for the patient's question, the treatment and
hospital of the conversation, a medicine named. Output: a `Decision`:

- ``answer``          the unit of the treatment's own leaflet (or a general unit);
- ``ask_treatment``   the answer differs per treatment and the treatment is unknown;
- ``not_in_leaflet``  the treatment's leaflet does not answer this (honest, with contact);
- ``unknown``         no leaflet question was recognised with enough confidence.

Thresholds are measured on the question sets (docs/answers.md), not guessed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from actions.lib import treatments as reg
from actions.lib.answer_library import Library, Unit
from actions.lib.clinics import template_variables
from actions.lib.phone_lines import contact_details, contact_inline
from actions.lib.retrieval import NONE

# A topic whose nearest example question is less similar than this is not trusted
# (cosine similarity of character and word n-grams; measured in docs/answers.md).
MIN_SCORE = 0.25
# A topic the treatment's leaflet answers may win over a slightly better topic it does not
# answer (two phrasings of one question) when its score is at least this share of the best.
SIBLING_RATIO = 0.6
# With a known treatment, another leaflet's unit must be this much more similar than the
# treatment's own best unit before the answer is "this leaflet doesn't say".
OTHER_LEAFLET_MARGIN = 0.2


@dataclass
class Decision:
    kind: str
    topic: str | None = None
    unit: Unit | None = None
    treatment: str | None = None
    options: list = field(default_factory=list)
    score: float = 0.0


def topic_scores(ranking: list, lib: Library) -> list[tuple[str, float]]:
    """The best unit score per topic, best first (NONE kept as a topic)."""
    scores: dict[str, float] = {}
    for unit_id, p in ranking:
        topic = NONE if unit_id == NONE else getattr(lib.unit(unit_id), "topic", None)
        if topic is not None:
            scores[topic] = max(scores.get(topic, 0.0), p)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def pick_unit(topic: str, treatment: str | None, lib: Library, ranking: list,
              medication: str | None = None) -> Unit | None:
    """The best unit of `topic` for `treatment`: about the named medicine if there is one,
    else the one retrieval liked best, else the first plain one."""
    units = lib.eligible(topic, treatment)
    if not units:
        return None
    if medication:
        about = [u for u in units if medication in u.medications]
        if about:
            units = about
        else:
            units = [u for u in units if not u.medications] or units
    else:
        units = [u for u in units if not u.medications] or units
    score = {uid: p for uid, p in ranking}
    best = max(units, key=lambda u: score.get(u.id, 0.0))
    return best if score.get(best.id, 0.0) > 0 else units[0]


# Concepts (synonym groups, config/synonyms.yml) used by at most this share of the units
# are specific: a question about one of them ("een pintje", "sauna", "tennis") is only
# answered by a unit whose topic knows the concept; otherwise the leaflet is silent.
# Without a treatment, a general topic this close to the best one answers instead of
# asking which treatment.
GENERAL_MARGIN = 0.02
ALL_UNCOVERED_VETO = True
SPECIFIC_CONCEPT_SHARE = 0.06  # measured offline on all question sets: 0.04 82.3%, 0.06 82.7%, 0.1 82.5%
CONCEPT_VETO = True


def _unit_concepts(lib: Library) -> tuple[dict, set]:
    cached = getattr(lib, "_concepts", None)
    if cached is None:
        from actions.lib.retrieval import concepts
        by_topic: dict[str, set] = {}
        count: dict[str, int] = {}
        for u in lib.units:
            cs = set()
            for q in u.questions + (u.answer,):
                cs |= concepts(q)
            by_topic.setdefault(u.topic, set()).update(cs)
            for c in cs:
                count[c] = count.get(c, 0) + 1
        from actions.lib.retrieval import concept_ids
        # a concept no unit mentions at all (a sauna) is as specific as it gets
        specific = {c for c in concept_ids()
                    if count.get(c, 0) <= SPECIFIC_CONCEPT_SHARE * len(lib.units)}
        cached = (by_topic, specific)
        object.__setattr__(lib, "_concepts", cached)
    return cached


def uncovered_concepts(query_concepts, topic: str, lib: Library,
                       treatment: str | None = None) -> set:
    """Concepts of the question that the chosen topic never talks about: specific ones,
    and, for a known treatment, any its own leaflet never mentions ("werken" after a
    facet treatment: the facet leaflet says nothing about work)."""
    by_topic, specific = _unit_concepts(lib)
    asked = set(query_concepts)
    covered = by_topic.get(topic, set())
    if asked and not asked & covered and ALL_UNCOVERED_VETO:
        # the topic talks about none of what was asked: the match was on the
        # question's frame ("wanneer mag ik weer ..."), not on its subject
        return asked
    flagged = asked & specific
    if treatment:
        flagged |= asked - _leaflet_concepts(lib, treatment)
    return flagged - covered


def prepare_concepts(lib: Library, treatments) -> None:
    """Compute the concept tables once, before the first patient (they take about half a
    second per leaflet; actions/warm_up.py)."""
    _unit_concepts(lib)
    for treatment in treatments:
        _leaflet_concepts(lib, treatment)


def _leaflet_concepts(lib: Library, treatment: str) -> set:
    cache = getattr(lib, "_leaflet_concepts", None)
    if cache is None:
        cache = {}
        object.__setattr__(lib, "_leaflet_concepts", cache)
    if treatment not in cache:
        from actions.lib.retrieval import concepts
        found: set = set()
        for u in lib.units:
            if not u.is_general and u.holds_for(treatment):
                for q in u.questions + (u.answer,):
                    found |= concepts(q)
        cache[treatment] = found
    return cache[treatment]


def choose(ranking: list, treatment: str | None, lib: Library,
           medication: str | None = None, min_score: float = MIN_SCORE,
           query_concepts=()) -> Decision:
    """`ranking`: [(unit id, probability), ...] best first (NONE = not a leaflet question)."""
    def vetoed(topic_id: str, for_treatment: str | None = treatment) -> bool:
        """Asked about something this topic never mentions (config/synonyms.yml concepts)."""
        return bool(CONCEPT_VETO and query_concepts and uncovered_concepts(
            query_concepts, topic_id, lib, for_treatment))

    topics = topic_scores(ranking, lib)
    if not topics or topics[0][0] == NONE or topics[0][1] < min_score:
        return Decision("unknown", treatment=treatment, score=topics[0][1] if topics else 0.0)
    topic, score = topics[0]
    if CONCEPT_VETO and query_concepts:
        # a topic as close as the best one that does talk about what was asked wins
        # ("géén koorts, mag ik autorijden?": driving, not being ill before)
        for other, p in topics:
            if other == NONE or p < score - OTHER_LEAFLET_MARGIN:
                break
            if not vetoed(other):
                topic, score = other, p
                break
    if vetoed(topic):
        # asked about something this topic never mentions: not this answer
        kind = "not_in_leaflet" if treatment else "unknown"
        return Decision(kind, topic if treatment else None, None, treatment, score=score)
    if treatment:
        # the best topic, answered by this treatment's own leaflet (or a general unit)
        unit = pick_unit(topic, treatment, lib, ranking, medication)
        if unit:
            return Decision("answer", topic, unit, treatment, score=score)
        # a unit of this treatment's leaflet for a neighbouring question, unless the best
        # topic is clearly closer: then this leaflet is silent on it (never a nearby answer
        # to a different question)
        for uid, p in ranking:
            own = lib.unit(uid) if uid != NONE else None
            if own and (own.holds_for(treatment) or own.is_general):
                if p >= min_score and p >= score - OTHER_LEAFLET_MARGIN and not (
                        vetoed(own.topic)):
                    unit = pick_unit(own.topic, treatment, lib, ranking, medication)
                    return Decision("answer", own.topic, unit, treatment, score=p)
                break
        return Decision("not_in_leaflet", topic, None, treatment, score=score)
    # treatment unknown
    if lib.has_general(topic):
        return Decision("answer", topic, pick_unit(topic, None, lib, ranking, medication), None,
                        score=score)
    # a general answer (true whatever the treatment) as close as the best one: give it
    # rather than ask which treatment ("ik heb triggerpoints in mijn nek, wat helpt?")
    for other, p in topics[1:]:
        if p < score - GENERAL_MARGIN or other == NONE:
            break
        if lib.has_general(other) and not (
                vetoed(other, None)):
            return Decision("answer", other, pick_unit(other, None, lib, ranking, medication),
                            None, score=p)
    covering = lib.treatments_with(topic)
    picks = {t: pick_unit(topic, t, lib, ranking, medication) for t in covering}
    if len({u.answer for u in picks.values()}) == 1:
        # one leaflet (or one family with one answer): give it, saying for which treatment
        return Decision("answer", topic, picks[covering[0]], None, options=covering, score=score)
    return Decision("ask_treatment", topic, None, None, options=covering, score=score)


def _fill(text: str, treatment: str | None, location: str | None) -> str:
    values = dict(template_variables())
    values["contact"] = contact_inline(treatment, location)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def render(decision: Decision, location: str | None, now: datetime) -> list[str]:
    """The messages the patient reads for an `answer` decision (answer, source, and the
    line's hours when the answer refers the patient to it)."""
    unit = decision.unit
    treatment = decision.treatment
    if treatment is None and not unit.is_general and decision.options:
        treatment = decision.options[0] if len(decision.options) == 1 else None
    messages = []
    text = _fill(unit.answer, treatment, location)
    if decision.treatment is None and not unit.is_general and unit.treatments:
        names = " en ".join(dict.fromkeys(reg.label(t) for t in unit.treatments))
        text = f"Over {names}: {text}"
    if unit.source_label:
        text += f"\nBron: {unit.source_label}"
    messages.append(text)
    if "{contact}" in unit.answer:
        details = contact_details(treatment, location, now)
        if details:
            messages.append(details)
    return messages


def not_in_leaflet_text(treatment: str, location: str | None) -> str:
    """Honest: this treatment's leaflet does not answer the question; who does."""
    t = reg.registry().get(treatment)
    name = t.leaflet_name if t else "de folder"
    who = contact_inline(treatment, location)
    return (f"Dat staat niet in {name}, en ik wil niet gokken. "
            f"Stel je vraag aan {who}.")
