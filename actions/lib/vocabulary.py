"""Patient words for treatments, hospitals and medicines, mapped to canonical values.

Deterministic on purpose: the treatment decides which answer is medically
right, so recognising "prik in mijn spier" or "infiltratie aan mijn rug" must
not depend on a statistical model. Small typos are tolerated.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from actions.lib.clinics import load_clinics
from actions.lib.treatments import registry

# Derived from the treatment registry (config/treatments.yml) and config/clinics.yml.
TREATMENT_LABELS = registry().labels()
FACET_TREATMENTS = tuple(registry().family_members("facet"))
LOCATION_LABELS = {
    "franciscus_gasthuis": "Franciscus Gasthuis",
    "franciscus_vlietland": "Franciscus Vlietland",
    "heilig_hart_leuven": "Heilig Hart Leuven",
}


def _treatment_phrases() -> dict[str, tuple[str, ...]]:
    return {t.id: t.names for t in registry().treatments.values()}


def _location_phrases() -> dict[str, tuple[str, ...]]:
    return {loc.id: loc.names or (loc.name.lower(),) for loc in load_clinics().locations.values()}


def _medication_phrases() -> dict[str, tuple[str, ...]]:
    return registry().medications


# Words that look like a treatment word but are not one.
_STOPWORDS = {"facetgewricht", "facetgewrichten", "facetgewrichtjes"}

_WORD = re.compile(r"[0-9a-z]+(?:-[0-9a-z]+)*")


@dataclass(frozen=True)
class Found:
    entity: str
    value: str
    start: int
    end: int
    text: str

    def as_rasa_entity(self) -> dict:
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
        }


def normalise(text: str) -> str:
    """Lowercase and strip accents, keeping the string length (offsets stay valid)."""
    out = []
    for ch in text.lower():
        base = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in base if not unicodedata.combining(c))
        out.append(base if len(base) == 1 else ch)
    return "".join(out)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping early once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        best = i
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            current.append(value)
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def allowed_typos(word: str) -> int:
    # Short words get no typo tolerance: "leven" must not become "Leuven".
    if len(word) >= 10:
        return 2
    if len(word) >= 7:
        return 1
    return 0


@lru_cache(maxsize=1)
def _lexicon():
    """(entity, value, tuple of words) for every phrase, longest first."""
    entries = []
    tables = (("treatment", _treatment_phrases()), ("location", _location_phrases()),
              ("medication", _medication_phrases()))
    for entity, table in tables:
        for value, phrases in table.items():
            for phrase in phrases:
                words = tuple(_WORD.findall(normalise(phrase)))
                if words:
                    entries.append((entity, value, words))
    entries.sort(key=lambda e: (-len(e[2]), -sum(len(w) for w in e[2])))
    return entries


def _word_matches(word: str, target: str) -> bool:
    if word == target:
        return True
    limit = allowed_typos(target)
    if limit == 0 or word in _STOPWORDS or word[:2] != target[:2]:
        return False
    return edit_distance(word, target, limit) <= limit


def find_entities(text: str) -> list[Found]:
    """All treatment, location and medication mentions, longest match first."""
    return list(_find_entities(text))


@lru_cache(maxsize=1024)
def _find_entities(text: str) -> tuple[Found, ...]:
    # Cached: the NLU pipeline looks at each message several times (the extractor, the
    # tokenizer, the answer retriever and the safety classifier; docs/benchmark.md).
    norm = normalise(text[:5000])
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(norm)]
    taken = [False] * len(words)
    found: list[Found] = []
    for entity, value, i, j in _phrase_matches(words, taken):
        start, end = words[i][1], words[j][2]
        found.append(Found(entity, value, start, end, text[start:end]))
    named = {f.value for f in found if f.entity == "treatment"}
    for t in registry().treatments.values():
        if t.id in named or not t.combinations:
            continue
        hit = _combination(words, taken, t.combinations)
        if hit:
            i, j = hit
            start, end = words[i][1], words[j][2]
            found.append(Found("treatment", t.id, start, end, text[start:end]))
            break
    found = _without_family_words(found, norm)
    found.sort(key=lambda f: f.start)
    return tuple(found)


def _phrase_matches(words: list, taken: list) -> list[tuple[str, str, int, int]]:
    """(entity, value, first word, last word) of every lexicon phrase in the words,
    longest phrase first, no word used twice (marks `taken`)."""
    out = []
    # A word only ever matches a phrase word with the same first two letters (see
    # _word_matches): phrases and positions that cannot match are skipped (same result
    # as trying every phrase at every position; tests/unit/test_fast_prediction.py).
    starts: dict[str, list[int]] = {}
    for i, (w, _, _) in enumerate(words):
        starts.setdefault(w[:2], []).append(i)
    for entity, value, phrase in _lexicon():
        n = len(phrase)
        for i in starts.get(phrase[0][:2], ()):
            if i > len(words) - n or any(taken[i : i + n]):
                continue
            if all(_word_matches(words[i + k][0], phrase[k]) for k in range(n)):
                out.append((entity, value, i, i + n - 1))
                for k in range(n):
                    taken[i + k] = True
    return out


def _without_family_words(found: list[Found], norm: str) -> list[Found]:
    """Drop a mention that only names the family ("facetten", "facetbehandeling") when
    another member of that family is named too ("de denervatie van mijn facetten")."""
    reg = registry()
    treatments = [f for f in found if f.entity == "treatment"]
    keep = []
    for f in found:
        t = reg.get(f.value) if f.entity == "treatment" else None
        if t and t.family_names and normalise(f.text) in t.family_names and any(
                o is not f and o.value != t.id and reg.get(o.value)
                and reg.get(o.value).family == t.family for o in treatments):
            continue
        keep.append(f)
    return keep


def _combination(words, taken, combinations):
    """(first, last) word index of a word pair that names a treatment, or None."""
    for first, second, window in combinations:
        for i, (w, _, _) in enumerate(words):
            if taken[i] or w not in first and w not in second:
                continue
            other = second if w in first else first
            for j in range(max(0, i - window), min(len(words), i + window + 1)):
                if j != i and not taken[j] and words[j][0] in other:
                    return (min(i, j), max(i, j))
    return None


def last_value(text: str, entity: str) -> str | None:
    """The last mentioned value of one entity type ("niet X maar Y" -> Y)."""
    values = [f.value for f in find_entities(text) if f.entity == entity]
    return values[-1] if values else None
