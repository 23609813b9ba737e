"""Whose signs are these: the patient's, or someone else's ("mijn vader heeft koorts")?
The words are in context.yml."""
from __future__ import annotations

from typing import Iterable

from .doc import SENTENCE_END, Doc, Mention
from .rulebook import RULEBOOK as _RB

_W = _RB.words

PERSONS = _W["person_words"]
POSSESSIVES = _W["possessives"]
PERSON_DETERMINERS = POSSESSIVES | _W["person_determiners_extra"]
PERSON_LEADING_MARKS = _W["person_leading_marks"]
FIRST_PERSON = _W["first_person"]
THIRD_PRONOUNS = _W["third_person_pronouns"]
SHE = _W["she_pronouns"]
THIRD_SG_VERBS = _W["third_person_verbs"]
HER = _W.one("her_word")
HER_NOT_BEFORE = _W["her_not_before"]


def _referent(c: list[str], n: int, i: int) -> str | None:
    t = c[i]
    if t in PERSONS and i > 0 and c[i - 1] in PERSON_DETERMINERS:
        return "third"
    if t in PERSONS and (i == 0 or c[i - 1] in SENTENCE_END or c[i - 1] in PERSON_LEADING_MARKS):
        return "third"  # "Zoon (17) heeft koorts", "Vader: 38,5"
    if t in THIRD_PRONOUNS:
        return "third"
    if t in SHE and i + 1 < n and c[i + 1] in THIRD_SG_VERBS:
        return "third"
    if t == HER and i + 1 < n and c[i + 1] not in HER_NOT_BEFORE:
        return "third"
    if t in FIRST_PERSON:
        if t in POSSESSIVES and i + 1 < n and c[i + 1] in PERSONS:
            return "third"
        return "first"
    return None


def third_person(d: Doc, mentions: Iterable[Mention]) -> bool:
    """The nearest person before each mention (else after it, in its sentence) is
    someone else for at least one mention; without mentions: anyone else named."""
    c, n = d.c, d.n
    ms = list(mentions)
    if not ms:
        return any(_referent(c, n, i) == "third" for i in range(n))
    for m in ms:
        who = None
        for i in range(m.start - 1, -1, -1):
            who = _referent(c, n, i)
            if who:
                break
        if who is None:
            a, b = d.s_range(m.start)
            for i in range(m.end, b):
                who = _referent(c, n, i)
                if who:
                    break
        if who == "third":
            return True
    return False
