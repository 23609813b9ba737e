"""Denied and past mentions (NegEx-style scopes; the words are in context.yml).

    negated_before   "geen koorts", "niet echt rood", "zonder enige zwelling"
    negated_after    "de koorts is weg", "koorts heb ik niet", "koorts? nee", "..., nu niet meer"
    denied_clause    "niet dat ik koorts heb", "het is niet zo dat ik niet kan plassen"
    past             "vorig jaar had ik een infectie", "de koorts van vorige maand"
    habitual         "hij praat altijd onduidelijk" (a lifelong trait, no sudden sign)
"""
from __future__ import annotations

import re

from .doc import CONJ_TERMINATORS, SENTENCE_END, Doc, Mention, phrase_at
from .rulebook import RULEBOOK as _RB

_W = _RB.words
_P = _RB.phrases

NEG_LONG = _W["negation_long"]
NEG_SHORT = _W["negation_short"]
NEGATION = NEG_LONG | NEG_SHORT
PSEUDO_AFTER = _W["pseudo_negation_after"]
PSEUDO_BEFORE = _W["pseudo_negation_before"]
FILLERS = _W["fillers"]

RESOLVED = _W["resolved_words"]
RESOLVED_ADVERBS = _W["resolved_adverbs"]
RESOLVED_PARTICIPLES = _W["resolved_participles"]
TEMPORARY = _W["temporary_words"]
CLAUSE_END_OK = _W["clause_end_ok"]
RESOLVED_AFTER_VERBS = _W["resolved_after.verbs"]
RESOLVED_OR_PARTICLE = RESOLVED | _W["resolved_after.particles"]
RESOLVING_PHRASES = _P["resolving_phrases"]
LATER_JOINERS = _W["resolved_later.joiners"]
LATER_SUBJECTS = _W["resolved_later.subjects"]
LATER_VERBS = _W["resolved_later.verbs"]
INVERTED_VERBS = _W["inverted_denial.verbs"]
INVERTED_BETWEEN = _W["inverted_denial.between"]
FINITE_SIGN_VERBS = _W["finite_sign_verbs"]
NEITHER_AFTER = _W["neither_after"]
ANSWER_NO = _W["answer_no"]
NOW = _W["now_over.now"]
NOW_NOT = _W["now_over.not"]
NOW_LUCKILY = _W["now_over.luckily"]
NOW_BETTER = _W["now_over.better"]
NOW_GOING_WELL = _P["now_going_well"]
BUT = _W["but_not.but"]
BUT_NOW = _W["but_not.now"]
BUT_NOT = _W["but_not.not"]
BUT_NOT_PHRASES = _P["but_not_phrases"]
DENIED_NOT = _W["denied_clause.not"]
DENIED_PHRASES = _P["denied_clause_phrases"]

HISTORY_WORDS = _W["history_words"]
HISTORY_NOT_AFTER = _W["history_not_after"]
HISTORY_PHRASES = _P.fixed("history_phrases", 2)
RECENT_PAST = _P.fixed("recent_past", 2)
PAST_VERBS = _W["past_verbs"]
PAST_OF = _W["past_of"]
SINCE = _W["since_words"]
PREVIOUS = _W["previous_words"]
IN_YEAR = _W["in_year"]
HABITUAL = _W["habitual_words"]
HABITUAL_NOT_AFTER = _W["habitual_not_after"]
SUDDEN = _W["sudden_words"]

_YEAR = re.compile(r"(19|20)\d\d")


def negated_before(d: Doc, m: Mention, negated_tokens: set[int]) -> bool:
    a, _ = d.s_range(m.start)
    content = 0
    j = m.start - 1
    steps = 0
    while j >= a and steps < 12:
        t = d.c[j]
        steps += 1
        if d.is_boundary(j):
            return False
        if j in negated_tokens:
            return content == 0  # "geen koorts, roodheid of pus"
        if t in NEGATION:
            nxt = d.c[j + 1] if j + 1 < d.n else ""
            prv = d.c[j - 1] if j - 1 >= 0 else ""
            prv2 = d.c[j - 2] if j - 2 >= 0 else ""
            # "ik weet niet of ..." is doubt; "even laten weten: geen koorts" is a denial
            # (the colon ends the "weten" before it)
            pseudo = nxt in PSEUDO_AFTER or prv in PSEUDO_BEFORE or (
                prv2 in PSEUDO_BEFORE and prv not in SENTENCE_END)
            if not pseudo:
                if t in NEG_LONG and content <= 2:
                    return True
                if t in NEG_SHORT and content == 0:
                    return True
        elif t not in FILLERS:
            content += 1
        if content > 4:
            return False
        j -= 1
    return False


def _resolved_clause(d: Doc, k: int, b: int) -> bool:
    """From k (after "is/was"): a clause ending in a resolved participle, with only a
    time phrase between ("is na vijf minuten gestopt", "is al helemaal weg")?"""
    c = d.c
    for x in range(k, min(b, k + 7)):
        t = c[x]
        if d.is_boundary(x, comma_is_boundary=True) or t == ",":
            return False
        if t in NEGATION or t in TEMPORARY:
            return False
        if t in RESOLVED_PARTICIPLES:
            return _clause_ends(d, x + 1, b)
    return False


def _clause_ends(d: Doc, k: int, b: int) -> bool:
    """Only harmless words between position k and the end of the clause?"""
    while k < b:
        if d.is_boundary(k, comma_is_boundary=True) or d.c[k] == ",":
            return True
        if d.c[k] not in CLAUSE_END_OK:
            return False
        k += 1
    return True


def negated_after(d: Doc, m: Mention) -> bool:
    _, b = d.s_range(m.start)
    c = d.c
    j = m.end
    # "de koorts is (weer) weg", "de zwelling wordt minder"
    if j < b and c[j] in RESOLVED_AFTER_VERBS:
        k = j + 1
        while k < b and c[k] in RESOLVED_ADVERBS:
            k += 1
        if k < b and c[k] in RESOLVED_OR_PARTICLE:
            return True
        if phrase_at(c, k, RESOLVING_PHRASES, b):
            return True  # "de koorts is aan het zakken"
        if _resolved_clause(d, j + 1, b):
            return True  # "het bloeden is na vijf minuten gestopt"
    # "er kwam wat bloed uit maar dat is al gestopt", "..., maar het is nu over"
    for k in range(j, min(b, j + 10)):
        if c[k] in SENTENCE_END:
            break
        if c[k] in LATER_JOINERS and k + 2 < b and c[k + 1] in LATER_SUBJECTS \
                and c[k + 2] in LATER_VERBS:
            if _resolved_clause(d, k + 3, b):
                return True
            break
    # "koorts heb ik niet (gehad)", "benauwd ben ik niet"
    if j < b and c[j] in INVERTED_VERBS:
        k = j + 1
        while k < b and c[k] in INVERTED_BETWEEN:
            k += 1
        if k < b and c[k] in NEGATION and _clause_ends(d, k + 1, b):
            return True  # but not "de koorts is niet gezakt", "de bloeding is nog niet gestopt"
    # "het bloedt niet (meer)" (but not "het bloedt niet minder")
    if m.end - m.start == 1 and c[m.start] in FINITE_SIGN_VERBS and j < b and c[j] in NEG_SHORT \
            and _clause_ends(d, j + 1, b):
        return True
    # "koorts noch rillingen"
    if j < b and c[j] in NEITHER_AFTER:
        return True
    # "koorts? nee" / "koorts: neen"
    for k in range(j, min(b + 1, j + 3, d.n)):
        if c[k] in ANSWER_NO:
            return True
        if c[k] not in SENTENCE_END and c[k] != ",":
            break
    # "..., nu niet meer", "..., maar nu niet"
    for k in range(j, min(d.n, j + 12)):
        if c[k] in SENTENCE_END:
            break
        if c[k] in NOW and k + 1 < d.n and (
            c[k + 1] in NOW_NOT
            or (c[k + 1] in NOW_LUCKILY and k + 2 < d.n and c[k + 2] in NOW_NOT)
        ):
            # "..., nu niet meer", "..., nu gelukkig nergens last van" - but not "hij
            # krijgt hem nu niet meer boven zijn hoofd" (a "niet" that goes on: a complaint)
            x = k + 1 if c[k + 1] in NOW_NOT else k + 2
            if c[x] not in NEG_SHORT or _clause_ends(d, x + 1, b):
                return True
        if c[k] in NOW and (set(c[k + 1:k + 5]) & NOW_BETTER or phrase_at(c, k + 1, NOW_GOING_WELL)):
            return True  # "ik had het even benauwd, maar nu gaat het weer"
    for k in range(j, min(d.n, j + 12)):
        if c[k] in BUT:
            rest = c[k + 1:k + 5]
            if phrase_at(rest, 0, BUT_NOT_PHRASES) or (rest[:1] and rest[0] in BUT_NOW
                                                       and any(t in BUT_NOT for t in rest[:3])):
                return True
            break
        if c[k] in SENTENCE_END:
            break
    return False


def denied_clause(d: Doc, m: Mention) -> bool:
    """"het is niet zo dat ik niet meer kan plassen", "niet dat ik koorts heb": the whole
    clause with the sign is denied."""
    a, _ = d.s_range(m.start)
    c = d.c
    for x in range(a, m.start - 1):
        if c[x] in DENIED_NOT and phrase_at(c, x + 1, DENIED_PHRASES):
            return not any(c[y] in CONJ_TERMINATORS for y in range(x, m.start))
    return False


def past(d: Doc, m: Mention) -> bool:
    a, b = d.s_range(m.start)
    c = d.c
    def history(j: int) -> bool:  # "vroeger", but not "erger dan ooit" (a comparison)
        return c[j] in HISTORY_WORDS and not (j > 0 and c[j - 1] in HISTORY_NOT_AFTER)

    # backwards to the clause start
    j = m.start - 1
    while j >= a:
        if d.is_boundary(j):
            break
        if history(j) or (j > a and (c[j - 1], c[j]) in HISTORY_PHRASES):
            return True
        j -= 1
    # forwards to the clause end
    j = m.end
    while j < b:
        if d.is_boundary(j):
            break
        if history(j) or (j + 1 < b and (c[j], c[j + 1]) in HISTORY_PHRASES):
            return True
        j += 1
    # a recent past attached to the sign: "de koorts van vorige maand", or opening the
    # clause with a past verb: "vorige week had ik koorts" (not "sinds vorige week")
    if m.end + 2 < b and c[m.end] in PAST_OF and (c[m.end + 1], c[m.end + 2]) in RECENT_PAST:
        return True
    lo, hi = d.clause_range(m.start, m.end)
    if lo + 2 < m.start and (c[lo], c[lo + 1]) in RECENT_PAST and c[lo + 2] in PAST_VERBS:
        return True
    clause = c[lo:hi]
    if not any(t in SINCE for t in clause) and set(clause) & PAST_VERBS:
        # "na mijn vorige facetinfiltratie had ik koorts", "in 2023 had ik een infectie"
        if any(t in PREVIOUS for t in clause) or any(
                x > lo and c[x - 1] in IN_YEAR and _YEAR.fullmatch(c[x]) for x in range(lo, hi)):
            return True
    return False


def habitual(d: Doc, m: Mention) -> bool:
    """"hij praat altijd onduidelijk": a lifelong trait, not a sudden (stroke) sign.

    "altijd" in the clause (not "nog altijd" = still) and no "ineens"/"plots" in the sentence.
    """
    a, b = d.s_range(m.start)
    c = d.c
    if any(t in SUDDEN for t in c[a:b]):
        return False
    lo, hi = d.clause_range(m.start, m.end)
    return any(c[j] in HABITUAL and not (j > a and c[j - 1] in HABITUAL_NOT_AFTER) for j in range(lo, hi))
