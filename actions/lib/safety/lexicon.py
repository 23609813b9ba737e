"""Reading the patient's words: normalising text, spoken forms, typo tolerance.

Every token gets a canonical word (``canon``): the rulebook word it stands for -- a
spoken / Flemish form (lexicon.yml ``spoken``), the word itself when the rulebook
uses it, its lemma, or a typo of a sign word within edit distance 1 (words of >= 5
letters) or 2 (>= 8 letters). Real Dutch words (from the lemma tables) and the
protected words are never "corrected".
"""
from __future__ import annotations

import functools
import re
import unicodedata

from .pipeline import nlp
from .rulebook import RULEBOOK as _RB

_W = _RB.words

NEVER_FUZZY = _W["never_fuzzy"]
PROTECTED_WORDS = _W["protected_words"]
INFLECTIONS = _RB.inflection_endings
DEVOICING = _RB.final_devoicing
SPOKEN = _RB.spoken
_QUOTES = str.maketrans(_RB.characters)
# function words are matched on their surface form only ("enkele" must not become "enkel")
NO_LEMMA = frozenset().union(*(_W[n] for n in _RB.no_lemma))

# "maar" as an intensifier ("neemt alleen maar toe", "stopt maar niet"): read as "almaar"
MAAR = _W.one("intensifier.word")
ALMAAR = _W.one("intensifier.read_as")
MAAR_INTENSIFIED_AFTER = _W["intensifier.after"]
MAAR_STUBBORN_VERBS = _W["intensifier.stubborn_verbs"]
NIET = _W["intensifier.then_not"]

_ELONGATED = re.compile(r"([a-z])\1{2,}")


def normalise(text: str) -> str:
    """Lower case, accents removed ("géén" -> "geen"), quotes/dashes straightened."""
    text = text.translate(_QUOTES)
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    # Dutch never has three equal letters in a row: "geeeen", "koooorts" -> "geen", "koorts"
    return _ELONGATED.sub(r"\1\1", text.lower())


class Lexicon:
    """All words the patterns use, plus the typo index for sign words."""

    def __init__(self) -> None:
        words: set[str] = set()
        for grp in _RB.groups.values():
            words |= grp
        for pattern in _RB.patterns:
            for tok in pattern.tokens:
                words.update(tok.words)
        for name in _RB.lexicon_includes:
            words |= _W[name]
        self.words = frozenset(words)
        # typo targets: content words of the signs only
        targets = set(_RB.typo_target_words)
        for name in _RB.typo_target_groups:
            targets |= _RB.groups[name]
        self.targets = frozenset(t for t in targets if len(t) >= 5 and t.isalpha() and t not in NEVER_FUZZY)
        self._deletes: dict[str, set[str]] = {}
        for t in self.targets:
            for d in _deletions(t, 2 if len(t) >= 8 else 1):
                self._deletes.setdefault(d, set()).add(t)
        self._known = self._dictionary()
        self._prefixes: dict[str, list[str]] = {}
        for t in self.targets:
            self._prefixes.setdefault(t[:5], []).append(t)

    @staticmethod
    def _dictionary():
        """Real Dutch words (from the lemma lookups), never treated as typos."""
        try:
            pipe = nlp()
            if "lemmatizer" not in pipe.pipe_names:
                return None, frozenset()
            table = pipe.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
            return table, frozenset(table.values())
        except Exception:
            return None, frozenset()

    def is_known_word(self, word: str) -> bool:
        if word in NEVER_FUZZY or word in PROTECTED_WORDS:
            return True
        return self._in_tables(word)

    def known_stems(self, word: str) -> list[str]:
        """Known stems of an inflected form the tables lack: "zwarte" (zwart),
        "dikke" (dik), "rode" (rood), "klachtje" (klacht)."""
        out = []
        for suf in INFLECTIONS:
            if word.endswith(suf) and len(word) - len(suf) >= 3:
                stem = word[: -len(suf)]
                stems = {stem}
                if len(stem) >= 2 and stem[-1] == stem[-2]:
                    stems.add(stem[:-1])                               # dikk -> dik
                if len(stem) >= 3 and stem[-2] in "aeou" and stem[-3] not in "aeiou":
                    stems.add(stem[:-1] + stem[-2] + stem[-1])         # rod -> rood
                stems |= {x[:-1] + DEVOICING[x[-1]] for x in list(stems) if x[-1] in DEVOICING}
                out.extend(x for x in stems if self._in_tables(x))
        return out

    def _in_tables(self, word: str) -> bool:
        table, values = self._known
        if table is not None and word in table:
            return True
        return word in values

    def fuzzy(self, word: str) -> str | None:
        n = len(word)
        if n < 5 or not word.isalpha() or self.is_known_word(word):
            return None
        if any(word.startswith(t) and n - len(t) >= 3 for t in self._prefixes.get(word[:5], ())):
            return None  # a compound such as "koortslip", "koortswerend": not a typo
        maxd = 2 if n >= 8 else 1
        cands: set[str] = set()
        for d in _deletions(word, maxd):
            hit = self._deletes.get(d)
            if hit:
                cands |= hit
        best, best_d = None, 99
        for c in sorted(cands):
            if c[0] != word[0]:
                continue  # typos almost never hit the first letter ("swelling" is no "zwelling")
            allowed = 2 if min(len(c), n) >= 8 else 1
            dist = _osa_distance(word, c, allowed)
            if dist <= allowed and dist < best_d:
                best, best_d = c, dist
        if best is not None and any(_osa_distance(word, w, best_d) <= best_d for w in _domain_words()
                                    if abs(len(w) - n) <= best_d):
            return None  # at least as close to a treatment word: "injecite" is "injectie", not "infectie"
        if best is not None:
            # an inflected real word ("zwarte") is no typo of another word ("zwakte"),
            # but a typo within the same word family is ("rillinge" -> "rillingen")
            stems = self.known_stems(word)
            if stems and not any(best.startswith(x[:-1]) for x in stems):
                return None
        return best


@functools.lru_cache(maxsize=1)
def _domain_words() -> frozenset:
    """Words of the treatments' names (config/treatments.yml) and their everyday words:
    a typo of one of these is never read as a sign word."""
    try:
        from actions.lib.treatments import registry
        words = {w for t in registry().treatments.values() for name in t.names for w in name.split()}
    except Exception:  # pragma: no cover - the registry is checked by its own tests
        words = set()
    words |= {"injectie", "injecties", "inspuiting", "behandeling", "afspraak", "infiltratie"}
    return frozenset(w for w in words if len(w) >= 5 and w.isalpha())


def _deletions(word: str, maxd: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(maxd):
        nxt = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1:])
        out |= nxt
        frontier = nxt
    return out


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition costs 1)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return Lexicon()


@functools.lru_cache(maxsize=20000)
def canon(lower: str, lemma: str) -> str:
    """The rulebook word a token stands for."""
    if lower in SPOKEN:
        return SPOKEN[lower]
    lex = lexicon()
    if lower in lex.words:
        return lower
    if lemma and lemma in lex.words and lemma not in NO_LEMMA:
        return lemma
    fixed = lex.fuzzy(lower)
    return fixed if fixed is not None else lower


def intensifiers(words: list[str]) -> list[str]:
    """"maar" that is no conjunction but an intensifier: "neemt alleen maar toe", "het
    bloed blijft maar stromen", "het stopt maar niet", "de gevoelloosheid gaat maar niet
    weg". It is read as "almaar" (continually), so it neither ends a scope nor negates."""
    out = list(words)
    for i in range(1, len(out)):
        if out[i] != MAAR:
            continue
        nxt = out[i + 1] if i + 1 < len(out) else ""
        if out[i - 1] in MAAR_INTENSIFIED_AFTER or (
            out[i - 1] in MAAR_STUBBORN_VERBS and nxt in NIET
        ):
            out[i] = ALMAAR
    return out
