"""``assess()``: triage of one patient message with the rulebook.

    1. normalise (lexicon.py) and tokenise + lemmatise with spaCy (pipeline.py); every
       token gets its canonical rulebook word;
    2. the rulebook patterns find sign mentions (matching.py), temperatures are read
       (temperature.py), building blocks are resolved by context (blocks.py);
    3. every mention is classified: negated or past (negation.py), hypothetical
       (hypothesis.py) or positive; sudden weakness upgrades to an emergency;
    4. the verdict: level, signs, negated, hypothetical, temperature, third person.
Only the first ``MAX_ANALYSED_CHARS`` characters are analysed; the rest is scanned
with the cheap keyword scan (keywords.py) so nothing is silently dropped.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

from .blocks import resolve_building_blocks
from .doc import Doc, Mention
from .hypothesis import hypothetical
from .keywords import keyword_scan
from .lexicon import canon, intensifiers, lexicon, normalise
from .matching import find_mentions, matcher
from .negation import NEGATION, denied_clause, habitual, negated_after, negated_before, past
from .person import third_person
from .pipeline import SKIP_COMPONENTS, nlp
from .rulebook import RULEBOOK as _RB
from . import situations
from .signs import BENIGN, BLOCK, EMERGENCY, EMERGENCY_SIGNS, HYPOTHETICAL, NONE, RED_FLAG, SIGN_ORDER

log = logging.getLogger("actions.lib.red_flags")

MAX_ANALYSED_CHARS = 2000
SUBSUMES = dict(_RB.subsumes)   # an emergency sign makes its milder twin redundant
UPGRADES = [(frozenset(u.signs), _RB.words[u.words], u.to) for u in _RB.upgrades]

_RB.check_all_used()  # every word list in the files is read by the engine modules above


@dataclass(frozen=True)
class Assessment:
    level: str
    signs: list[str] = field(default_factory=list)          # found positively
    negated: list[str] = field(default_factory=list)        # mentioned, but negated / in the past
    temperature: float | None = None                        # highest current temperature mentioned
    third_person: bool = False                              # the signs concern someone else
    hypothetical: list[str] = field(default_factory=list)   # mentioned only as risk / "what if"
    truncated: bool = False                                 # text longer than MAX_ANALYSED_CHARS
    # mentioned with a harmless reading: a temperature below 38.0 (fever), a red or warm
    # face after cortisone (infection_signs)
    benign: list[str] = field(default_factory=list)
    # signs that a situation explains (config/safety/situations.yml): sign -> one of
    # pre_treatment, other_person, other_illness, resolved, negated, expected
    situations: dict = field(default_factory=dict)
    # the sign words the message uses at all (positive or not): a learned classifier may
    # only add an alarm to a message that talks about a sign (actions/lib/safety_verdict.py)
    sign_words: list[str] = field(default_factory=list)
    # situations whose cues occur anywhere in the message (context the writer gives)
    context: list[str] = field(default_factory=list)

    @property
    def is_alarm(self) -> bool:
        return self.level in (EMERGENCY, RED_FLAG)


# Words of the rulebook that say nothing about a sign by themselves.
_FUNCTION_WORDS = frozenset("""
de het een en of maar dat die dit deze er is zijn ben heb had hebben heeft was waren wordt
word worden kan kon kun kunt moet mag wil zal zou niet nie geen wel ook nog al meer minder
mijn m'n mn zijn haar hun ons onze je jouw u uw ik jij hij zij ze we wij men me mij hem
in op aan bij na van voor met zonder uit tot om over door te naar als dan nu toen zo heel
erg echt wat wie hoe waar waarom wanneer welke steeds alleen maar toch dus want omdat
""".split())


@functools.lru_cache(maxsize=1)
def sign_vocabulary() -> frozenset:
    """The content words of the rulebook's sign groups (body parts, the puncture site,
    pain, fever, bleeding, urine ...), without function words."""
    words = set()
    for name, group in _RB.groups.items():
        words |= group
    return frozenset(w for w in words if len(w) > 2 and w not in _FUNCTION_WORDS and w.isalpha())


def warm_up() -> None:
    """Load the pipeline, lexicon and matcher (first call otherwise takes ~1 s)."""
    nlp()
    lexicon()
    matcher()
    assess("ik heb geen koorts maar de prikplek is rood en warm, 38,5 graden")


def classify(d: Doc, mentions: list[Mention]) -> None:
    """Set each mention's status: negated, past, hypothetical or (left) positive."""
    mentions.sort(key=lambda m: (m.start, m.end))
    negated_tokens: set[int] = set()
    hyp_tokens: set[int] = set()
    for m in mentions:
        in_span_neg = False
        if not m.inherent and m.end - m.start > 1:
            in_span_neg = any(d.c[x] in NEGATION for x in range(m.start + 1, m.end))
        if in_span_neg or negated_before(d, m, negated_tokens) or negated_after(d, m) \
                or denied_clause(d, m):
            m.status = "negated"
            negated_tokens.update(range(m.start, m.end))
        elif past(d, m) or (m.sign == "sudden_weakness" and habitual(d, m)):
            m.status = "past"
            negated_tokens.update(range(m.start, m.end))
        elif hypothetical(d, m, hyp_tokens):
            m.status = "hypothetical"
            hyp_tokens.update(range(m.start, m.end))


def upgrade_emergencies(d: Doc, mentions: list[Mention]) -> list[Mention]:
    """Loss of strength or feeling that came on suddenly is a stroke sign."""
    out = list(mentions)
    for m in mentions:
        for signs, words, to in UPGRADES:
            if m.sign in signs:
                a, b = d.s_range(m.start)
                if any(t in words for t in d.c[a:b]):
                    out.append(Mention(to, m.start, m.end, status=m.status))
    return out


def assess(text: object) -> Assessment:
    """Triage one patient message. Never raises."""
    try:
        return _assess(text)
    except Exception:  # pragma: no cover - last line of defence
        log.exception("red_flags.assess failed; falling back to keyword scan")
        try:
            t = normalise(text if isinstance(text, str) else str(text or ""))
            signs, temp = keyword_scan(t[:200_000])
            return result(signs, [], [], temp, False, truncated=len(t) > MAX_ANALYSED_CHARS,
                          sign_words=signs)
        except Exception:
            return Assessment(level=NONE)


def result(signs, negated, hypothetical, temperature, third, truncated=False, benign=(),
           situations=None, sign_words=(), context=()) -> Assessment:
    pos = set(signs)
    for big, small in SUBSUMES.items():
        if big in pos:
            pos.discard(small)
    neg = set(negated) - pos - set(hypothetical)
    hyp = set(hypothetical) - pos
    for big, small in SUBSUMES.items():
        if big in pos:
            neg.discard(small)
            hyp.discard(small)
        if big in hyp:
            hyp.discard(small)
        if big in neg:
            neg.discard(small)
    order = lambda s: SIGN_ORDER.get(s, 99)  # noqa: E731
    if pos & set(EMERGENCY_SIGNS):
        level = EMERGENCY
    elif pos:
        level = RED_FLAG
    elif hyp:
        level = HYPOTHETICAL
    else:
        level = NONE
    return Assessment(
        level=level,
        signs=sorted(pos, key=order),
        negated=sorted(neg, key=order),
        temperature=temperature,
        third_person=bool(third) and bool(pos or hyp or neg),
        hypothetical=sorted(hyp, key=order),
        truncated=truncated,
        benign=sorted(set(benign) - pos, key=order),
        situations={k: v for k, v in (situations or {}).items() if k not in pos},
        sign_words=sorted(set(sign_words)),
        context=list(context),
    )


def _assess(text: object) -> Assessment:
    if text is None:
        return Assessment(level=NONE)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = str(text)
    if not text.strip():
        return Assessment(level=NONE)

    truncated = len(text) > MAX_ANALYSED_CHARS
    head = normalise(text[:MAX_ANALYSED_CHARS])

    pipe = nlp()
    doc = pipe(head, disable=SKIP_COMPONENTS & set(pipe.pipe_names))
    words = intensifiers(
        [canon(tok.lower_, tok.lemma_.lower() if tok.lemma_ else "") for tok in doc]
    )
    for tok, cw in zip(doc, words):
        tok.norm_ = cw  # the canonical word, for the Matcher (NORM is matched natively)
    d = Doc(doc, words)
    vocab = sign_vocabulary()
    sign_words = [w for w in words if w in vocab]
    mentions = find_mentions(d, doc)
    mentions = resolve_building_blocks(d, mentions)
    classify(d, mentions)
    mentions = upgrade_emergencies(d, mentions)
    explained = situations.apply(d, mentions, head)

    signs = [m.sign for m in mentions if m.status == "positive" and not m.sign.startswith("_")]
    negated = [m.sign for m in mentions if m.status in ("negated", "past", "resolved")
               and not m.sign.startswith("_")]
    negated += [m.sign[len(BLOCK):] for m in mentions
                if m.sign.startswith(BLOCK) and m.status in ("negated", "past")]
    benign = [m.sign[len(BENIGN):] for m in mentions if m.sign.startswith(BENIGN) and m.status == "positive"]
    benign += ["fever" for m in mentions if m.sign == "_temp" and m.status == "positive"]
    hyp = [m.sign for m in mentions if m.status == "hypothetical" and not m.sign.startswith("_")]
    temps = [m.value for m in mentions if m.value is not None and m.status == "positive"]
    temperature = max(temps) if temps else None
    positives = [m for m in mentions if m.status == "positive" and not m.sign.startswith("_")]
    third = third_person(d, positives or [m for m in mentions if not m.sign.startswith("_")])

    if truncated:
        extra, t2 = keyword_scan(normalise(text[MAX_ANALYSED_CHARS:]))
        signs.extend(extra)
        if t2 is not None and (temperature is None or t2 > temperature):
            temperature = t2
    if any(v == "pre_treatment" for v in explained.values()):
        temperature = None            # a fever before the treatment is no complication
    return result(signs, negated, hyp, temperature, third, truncated, benign, explained, sign_words,
                  situations.context_cues(head))
