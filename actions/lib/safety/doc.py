"""A message as an array of canonical words, with sentence, clause and question helpers."""
from __future__ import annotations

from dataclasses import dataclass

from .rulebook import RULEBOOK as _RB

_W = _RB.words

SENTENCE_END = _W["sentence_end_marks"]
SCOPE_TERMINATORS = _W["scope_terminators"]
ADVERB_TERMINATORS = _W["adverb_terminators"]
# conjunctions end a pattern gap and a what-if scope, the adverbs ("wel", "toch") do not
CONJ_TERMINATORS = SCOPE_TERMINATORS - ADVERB_TERMINATORS
CLAUSE_JOINERS = _W["clause_joiners"]
CLAUSE_STARTERS = _W["clause_starters"]
QUESTION_STARTERS = _W["question_starters"]
WH_WORDS = _W["wh_words"]
SUBJECTS = _W["subjects"]
QUESTION_SUBJECTS = SUBJECTS | _W["question_subjects_extra"]
LEADING_MARKS = _W["leading_marks"]
_END_CHARS = set(".!?")


@dataclass
class Mention:
    sign: str
    start: int
    end: int
    inherent: bool = False
    status: str = "positive"   # positive | negated | past | hypothetical
    value: float | None = None  # temperatures


class Doc:
    """Token arrays plus sentence / clause helpers."""

    def __init__(self, doc, canon: list[str]) -> None:
        self.doc = doc
        self.c: list[str] = canon
        self.n = len(self.c)
        self.sent: list[int] = []
        sid = 0
        self.sent_start: list[int] = []
        self.sent_end: list[int] = []
        start = 0
        for i, tok in enumerate(self.c):
            self.sent.append(sid)
            if tok in SENTENCE_END or "\n" in tok or (tok and set(tok) <= _END_CHARS):
                self.sent_start.append(start)
                self.sent_end.append(i + 1)
                sid += 1
                start = i + 1
        if start < self.n or not self.sent_start:
            self.sent_start.append(start)
            self.sent_end.append(self.n)
        self.sent = [min(s, len(self.sent_start) - 1) for s in self.sent]

    def s_range(self, i: int) -> tuple[int, int]:
        sid = self.sent[i]
        return self.sent_start[sid], self.sent_end[sid]

    def is_boundary(self, j: int, comma_is_boundary: bool = False) -> bool:
        """Does token j end a scope (looking across it)?"""
        t = self.c[j]
        if t in SENTENCE_END or "\n" in t or t in SCOPE_TERMINATORS:
            return True
        if t in CLAUSE_JOINERS:
            nxt = self.c[j + 1] if j + 1 < self.n else ""
            if nxt in CLAUSE_STARTERS:
                return True
            if t == "," and comma_is_boundary:
                return True
        return False

    def clause_range(self, start: int, end: int) -> tuple[int, int]:
        """The clause around tokens start..end: up to the scope boundaries in its sentence."""
        a, b = self.s_range(start)
        lo = start
        while lo > a and not self.is_boundary(lo - 1):
            lo -= 1
        hi = end
        while hi < b and not self.is_boundary(hi):
            hi += 1
        return lo, hi

    def sentence_text(self, i: int) -> list[str]:
        a, b = self.s_range(i)
        return self.c[a:b]

    def first_word(self, i: int) -> str:
        a, b = self.s_range(i)
        for t in self.c[a:b]:
            if t.strip() and t not in SENTENCE_END and t not in LEADING_MARKS:
                return t
        return ""

    def is_question(self, i: int) -> bool:
        a, b = self.s_range(i)
        if "?" in self.c[b - 1]:
            return True
        first = self.first_word(i)
        if first not in QUESTION_STARTERS:
            return False
        if first in WH_WORDS:
            return True
        # verb first without "?": a question only when the subject follows ("kan ik ...");
        # "kan nauwelijks ademhalen" is a statement with the "ik" left out
        k = next((x for x in range(a, b) if self.c[x] == first), a) + 1
        # (a possessive after the verb is not: "kan mn plas niet meer houden" = "ik kan ...")
        return k < b and self.c[k] in QUESTION_SUBJECTS


def phrase_at(tokens: list[str], i: int, phrases, end: int | None = None) -> bool:
    """Does one of ``phrases`` (a rulebook phrase list) start at tokens[i] (and end
    before ``end``)?"""
    stop = len(tokens) if end is None else end
    return any(i + n <= stop and tuple(tokens[i:i + n]) in phrases for n in phrases.lengths)


def has_phrase(tokens: list[str], phrases) -> bool:
    """Does one of ``phrases`` occur anywhere in tokens?"""
    for n in phrases.lengths:
        for i in range(len(tokens) - n + 1):
            if tuple(tokens[i:i + n]) in phrases:
                return True
    return False
