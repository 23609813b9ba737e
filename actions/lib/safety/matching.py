"""Rulebook patterns -> spaCy ``Matcher`` -> sign mentions.

Each pattern token becomes one Matcher token over the canonical words, which are
mirrored into ``Token.norm_`` and matched as NORM (the Matcher evaluates ``_``
attributes in Python, ~10x slower). A gap ``~N`` becomes N optional tokens that
never cross a sentence end, a comma or a conjunction ("maar", "want", ...).
"""
from __future__ import annotations

import functools

from .doc import CONJ_TERMINATORS, SENTENCE_END, Doc, Mention
from .pipeline import nlp
from .rulebook import RULEBOOK as _RB
from .temperature import temperatures

_W = _RB.words
NEGATION = _W["negation_long"] | _W["negation_short"]


def _spec(pattern, groups) -> tuple[list[dict], bool]:
    """The Matcher token specs of one pattern, and whether it holds a negation word
    itself ("geen lucht": then a negation inside the match does not deny it)."""
    stop = sorted(SENTENCE_END | CONJ_TERMINATORS | {","})
    spec: list[dict] = []
    inherent = False
    for tok in pattern.tokens:
        if tok.gap:
            spec.extend({"NORM": {"NOT_IN": stop}, "OP": "?"} for _ in range(tok.gap))
            continue
        alts: set[str] = set(tok.words)
        for name in tok.groups:
            alts |= groups[name]
        if alts & NEGATION:
            inherent = True
        d: dict = {"NORM": {"IN": sorted(alts)}}
        if tok.optional:
            d["OP"] = "?"
        spec.append(d)
    return spec, inherent


@functools.lru_cache(maxsize=1)
def matcher():
    from spacy.matcher import Matcher

    m = Matcher(nlp().vocab)
    info: dict[str, tuple[str, bool]] = {}
    for i, pattern in enumerate(_RB.patterns):
        spec, inherent = _spec(pattern, _RB.groups)
        key = f"{pattern.sign}#{i}"
        info[key] = (pattern.sign, inherent)
        m.add(key, [spec])
    return m, info


def find_mentions(d: Doc, doc) -> list[Mention]:
    """Every pattern match (one per sign and span) plus the temperatures."""
    m, info = matcher()
    raw: list[Mention] = []
    seen = set()
    for key, start, end in m(doc):
        sign, inherent = info[doc.vocab.strings[key]]
        k = (sign, start, end)
        if k in seen:
            continue
        seen.add(k)
        raw.append(Mention(sign, start, end, inherent))
    raw.extend(temperatures(d))
    return raw
