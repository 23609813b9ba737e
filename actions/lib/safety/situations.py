"""Situations (config/safety/situations.yml): when a sign the patterns found is not a
complication now: before the treatment, someone else's, another illness, over, denied,
or an expected after-effect in its time window. Plain regular expressions on the
normalised text, applied per mention after the word-level rules (engine.py)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .doc import Doc, Mention
from .lexicon import normalise
from .signs import SIGNS

PATH = Path(__file__).resolve().parents[3] / "config" / "safety" / "situations.yml"
SITUATIONS = ("pre_treatment", "other_person", "other_illness", "resolved", "negated", "expected",
              "milder", "severer", "reported", "what_if")
# milder / severer: the sign is real but less / more severe (`becomes` names the sign it
# turns into); reported: a sign the word rules read as a what-if is told as happening now;
# what_if: a sign the word rules read as happening is only asked about ("what if ...").
RECLASSIFY = ("milder", "severer")
SCOPES = ("clause", "sentence", "message")


class SituationError(ValueError):
    """situations.yml is malformed (the message names the rule)."""


@dataclass(frozen=True)
class Rule:
    name: str
    situation: str
    signs: frozenset
    scope: str
    when: tuple
    unless: tuple
    unless_anywhere: tuple
    also_requires: tuple
    becomes: str | None = None


def _compile(patterns, where: str) -> tuple:
    out = []
    for p in patterns or ():
        try:
            out.append(re.compile(p))
        except re.error as exc:
            raise SituationError(f"{where}: bad pattern {p!r}: {exc}") from None
    return tuple(out)


@functools.lru_cache(maxsize=2)
def load(path: str = str(PATH)) -> tuple:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    rules = []
    for i, item in enumerate(raw.get("rules") or [], 1):
        where = f"situations.yml rule {i} ({item.get('name', '?')})"
        unknown = set(item) - {"name", "situation", "signs", "scope", "when", "unless",
                               "unless_anywhere", "also_requires", "becomes"}
        if unknown:
            raise SituationError(f"{where}: unknown keys {sorted(unknown)}")
        if item.get("situation") not in SITUATIONS:
            raise SituationError(f"{where}: situation must be one of {SITUATIONS}")
        if item.get("scope") not in SCOPES:
            raise SituationError(f"{where}: scope must be one of {SCOPES}")
        bad = set(item.get("signs") or ()) - set(SIGNS)
        if bad or not item.get("signs"):
            raise SituationError(f"{where}: unknown or missing signs {sorted(bad)}")
        if not item.get("when"):
            raise SituationError(f"{where}: needs 'when' patterns")
        if (item["situation"] in RECLASSIFY) != bool(item.get("becomes")):
            raise SituationError(f"{where}: 'becomes' (a sign) goes with 'milder' / 'severer' only")
        if item.get("becomes") and item["becomes"] not in SIGNS:
            raise SituationError(f"{where}: unknown sign in 'becomes'")
        rules.append(Rule(name=str(item["name"]), situation=item["situation"],
                          signs=frozenset(item["signs"]), scope=item["scope"],
                          when=_compile(item["when"], where),
                          unless=_compile(item.get("unless"), where),
                          unless_anywhere=_compile(item.get("unless_anywhere"), where),
                          also_requires=_compile(item.get("also_requires"), where),
                          becomes=item.get("becomes")))
    return tuple(rules)


def _text(d: Doc, a: int, b: int) -> str:
    return normalise(d.doc[a:b].text) if b > a else ""


def situation_of(d: Doc, m: Mention, message: str, rules=None) -> Rule | None:
    """The first rule whose situation applies to mention `m`, or None."""
    scopes = {}
    for rule in rules if rules is not None else load():
        if m.sign not in rule.signs:
            continue
        if (rule.situation == "reported") != (m.status == "hypothetical"):
            continue
        if rule.scope not in scopes:
            if rule.scope == "clause":
                scopes["clause"] = _text(d, *d.clause_range(m.start, m.end))
            elif rule.scope == "sentence":
                scopes["sentence"] = _text(d, *d.s_range(m.start))
            else:
                scopes["message"] = message
        text = scopes[rule.scope]
        if not any(p.search(text) for p in rule.when):
            continue
        if rule.also_requires and not any(p.search(message) for p in rule.also_requires):
            continue
        if any(p.search(text) for p in rule.unless):
            continue
        if any(p.search(message) for p in rule.unless_anywhere):
            continue
        return rule
    return None


def apply(d: Doc, mentions: list[Mention], message: str) -> dict:
    """Apply the situations to the mentions; returns {sign: situation} for the signs a
    situation explains away (not for `milder` / `reported`, which keep an alarm)."""
    found = {}
    for m in mentions:
        if m.status not in ("positive", "hypothetical") or m.sign.startswith("_"):
            continue
        rule = situation_of(d, m, message)
        if rule is None:
            continue
        if rule.situation in RECLASSIFY:
            m.sign = rule.becomes
        elif rule.situation == "reported":
            m.status = "positive"
        elif rule.situation == "what_if":
            m.status = "hypothetical"
        else:
            m.status = rule.situation
            found.setdefault(m.sign, rule.situation)
    return found


# Situations that, found anywhere in a message, mean the writer is explaining context
# ("is al weg", "geen ... meer", "morgen heb ik mijn afspraak"): then a learned
# classifier may not add an alarm the rules did not raise (actions/lib/safety_verdict.py).
CONTEXT_SITUATIONS = ("pre_treatment", "resolved", "negated", "expected", "what_if",
                      "other_person", "other_illness")


def context_cues(message: str, rules=None) -> list[str]:
    """The situations whose `when` patterns occur anywhere in the message."""
    found = []
    for rule in rules if rules is not None else load():
        if rule.situation in CONTEXT_SITUATIONS and rule.situation not in found and \
                any(p.search(message) for p in rule.when):
            found.append(rule.situation)
    return found
