"""Content matching of a bot reply: normalisation and the markers of an alarm.

Everything here works on plain strings. Matching is case-insensitive, accent-insensitive
and forgiving about how numbers, times and phone numbers are written, so a test states a
*fact* ("20 minuten", "08:00", a phone number) and not one exact wording.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Sequence

# Dutch number words written as digits (not "een": it is also the article).
_NUMBER_WORDS = {
    "twee": "2", "drie": "3", "vier": "4", "vijf": "5", "zes": "6", "zeven": "7",
    "acht": "8", "negen": "9", "tien": "10", "elf": "11", "twaalf": "12", "twintig": "20",
    "dertig": "30", "veertig": "40", "vijftig": "50", "zestig": "60", "een tiental": "10",
}
_NUMBER_RE = re.compile(r"\b(" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b")
# 08:00, 8.00, 8u00, 8h00 -> 8:00 ; "8u" and "17u" -> 8:00 / 17:00
_TIME_RE = re.compile(r"\b(\d{1,2})\s?[:.uh]\s?(\d{2})\b")
_HOUR_U_RE = re.compile(r"\b(\d{1,2})\s?u\b")
_DECIMAL_RE = re.compile(r"(\d)[.,](\d)(?!\d)")
_SPACE_RE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lower case, no accents, unified dashes and quotes, numbers and times in one form."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = (text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2011", "-")
            .replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " "))
    text = text.replace("één", "een")
    text = _NUMBER_RE.sub(lambda m: _NUMBER_WORDS[m.group(1)], text)
    text = _TIME_RE.sub(lambda m: f"{int(m.group(1))}:{m.group(2)}", text)
    text = _HOUR_U_RE.sub(lambda m: f"{int(m.group(1))}:00", text)
    text = _DECIMAL_RE.sub(r"\1,\2", text)
    text = text.replace(" %", "%").replace(" procent", "%")
    text = text.replace("-", " ").replace("*", "").replace("_", " ")
    return _SPACE_RE.sub(" ", text).strip()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


_TOKEN = re.compile(r"[a-z0-9%:,]+")
# Dutch splits verbs and phrases around other words ("laat het de arts vooraf weten" states
# "laat weten"): the words of a multi-word keyword may stand this many words apart, in order.
SPLIT_GAP = 6


_VOWELS = "aeiou"
# Separable verb prefixes: "geef het door" states "doorgeven", "schrijf het op" "opschrijven".
_SEPARABLE = ("door", "terug", "mee", "op", "aan", "af", "uit", "bij", "weg", "toe", "na")


def verb_forms(word: str) -> tuple[str, ...]:
    """The word, and for a Dutch infinitive the stem its conjugated forms start with:
    vertellen -> vertel (vertel, vertelt), melden -> meld, weten -> weet, laten -> laat,
    geven -> geef, noteren -> noteer, herhalen -> herhaal (herhaald). Matched as a prefix."""
    forms = [word]
    if len(word) >= 5 and word.endswith("en") and word[-3] not in _VOWELS:
        stem = word[:-2]
        stem = stem[:-1] + {"v": "f", "z": "s"}.get(stem[-1], stem[-1])
        if len(stem) >= 2 and stem[-1] == stem[-2]:
            stem = stem[:-1]                                   # vertell -> vertel
        elif (len(stem) >= 3 and stem[-2] in "aeou" and stem[-3] not in _VOWELS
              and stem[-1] not in _VOWELS):
            stem = stem[:-1] + stem[-2] + stem[-1]            # wet -> weet, noter -> noteer
        if len(stem) >= 3:
            forms.append(stem)
    return tuple(forms)


def _starts(word: str, forms: tuple[str, ...]) -> bool:
    return any(word.startswith(f) for f in forms)


def _split_verb(kw: str) -> list[str] | None:
    """'doorgeven' -> ['geven', 'door'] (said as "geef het door"), else None."""
    for prefix in _SEPARABLE:
        rest = kw[len(prefix):]
        if kw.startswith(prefix) and len(rest) >= 5 and rest.endswith("en"):
            return [rest, prefix]
    return None


def _in_order_nearby(kw_words: list[str], words: list[str]) -> bool:
    for start, w in enumerate(words):
        if not _starts(w, verb_forms(kw_words[0])):
            continue
        pos, ok = start, True
        for k in kw_words[1:]:
            window = words[pos + 1: pos + 2 + SPLIT_GAP]
            forms = verb_forms(k)
            hit = next((i for i, x in enumerate(window) if _starts(x, forms)), None)
            if hit is None:
                ok = False
                break
            pos = pos + 1 + hit
        if ok:
            return True
    return False


def contains(reply: str, keyword: str, split: bool = True) -> bool:
    """True when the reply states the keyword (see the module docstring). With `split`, a
    keyword of several words also matches when they stand a few words apart, in order."""
    kw = normalise(keyword)
    if not kw:
        return False
    if len(_digits(keyword)) >= 6:               # a phone number: compare the digits
        return _digits(keyword) in _digits(reply)
    text = normalise(reply)
    if kw in text:
        return True
    if kw.replace(" ", "") in text.replace(" ", ""):
        return True
    kw_words = _TOKEN.findall(kw)
    words = _TOKEN.findall(text)
    if len(kw_words) == 1:
        # A verb in another form ("vertel" for "vertellen"), or split ("geef ... door").
        forms = verb_forms(kw_words[0])
        if len(forms) > 1 and any(_starts(w, forms[1:]) for w in words):
            return True
        parts = _split_verb(kw_words[0])
        return split and parts is not None and _in_order_nearby(parts, words)
    return split and _in_order_nearby(kw_words, words)


def missing_groups(reply: str, groups: Sequence[Sequence[str] | str]) -> list[list[str]]:
    """The groups of alternatives of which the reply states none."""
    missing = []
    for group in groups or []:
        alternatives = [group] if isinstance(group, str) else list(group)
        if not any(contains(reply, a) for a in alternatives):
            missing.append(alternatives)
    return missing


def present(reply: str, forbidden: Iterable[str]) -> list[str]:
    return [f for f in forbidden or [] if contains(reply, f, split=False)]


# --------------------------------------------------------------------------- #
# What the reply *does*: an unconditional "call now" (alarm), "call 112 now"
# (emergency), an honest "the leaflet does not say" (unknown).
# A conditional ("bel dan", "bij levensgevaar: bel 112") is not an alarm.
# --------------------------------------------------------------------------- #
_EMERGENCY_RE = re.compile(
    r"\bbel (nu )?(meteen |direct |onmiddellijk |dadelijk )?112\b(?! als| indien| bij| wanneer)"
    r"|\b112 (nu )?(meteen|direct|onmiddellijk)\b"
)
_EMERGENCY_CONDITIONAL_RE = re.compile(
    r"(levensgevaar|noodgeval|nood|als|indien|wanneer|bij)[^.:\n]{0,40}:? bel (nu )?112\b"
)
_ALARM_RE = re.compile(
    r"\bbel (daarom |dus )?(nu|meteen|direct|onmiddellijk|vandaag nog)\b"
    r"|\b(nu|meteen|direct|onmiddellijk) (te )?bellen\b"
    r"|\bneem (nu|meteen|direct|onmiddellijk) contact\b"
    r"|\breden om (nu|meteen|direct|onmiddellijk)\b"
)


def is_emergency(reply: str) -> bool:
    text = normalise(reply)
    for m in _EMERGENCY_RE.finditer(text):
        window = text[max(0, m.start() - 50):m.end()]
        if not _EMERGENCY_CONDITIONAL_RE.search(window) or m.group(1) or m.group(2):
            return True
    return False


def is_alarm(reply: str) -> bool:
    """An unconditional instruction to call now (or 112 now)."""
    return is_emergency(reply) or bool(_ALARM_RE.search(normalise(reply)))


_UNKNOWN_RE = re.compile(
    r"staat (hier )?niet in|zegt (hier )?niets|zegt er niets|vermeldt (hier )?niet|"
    r"niet (in|vermeld)|geen informatie|weet ik niet|kan ik (je |u )?niet (zeggen|beantwoorden|vertellen)|"
    r"niet beschreven|wil niet gokken|staat er niets|niets over|"
    # "de folder geeft / noemt / beschrijft geen ...", "een telefoonnummer staat er niet bij"
    r"(folder|flyer|nieuwsbericht|artikel|bericht) (geeft|noemt|beschrijft|vermeldt) (hier )?geen|"
    r"staat er niet (bij|in)"
)
_CONTACT_RE = re.compile(
    r"\d{2,3}[ /-]?\d{3}|therapeut|huisarts|arts\b|specialist|polikliniek|secretariaat|ziekenhuis|praktijk"
)


def is_honest_unknown(reply: str) -> bool:
    """Says the information does not answer this, and names someone to ask."""
    text = normalise(reply)
    return bool(_UNKNOWN_RE.search(text)) and bool(_CONTACT_RE.search(text))


def _clinic_numbers() -> dict[str, list[str]]:
    """Which phone number belongs to which expected contact in the blind sets (digits only),
    read from config/clinics.yml, the only place phone numbers are written."""
    import yaml
    from pathlib import Path
    raw = yaml.safe_load((Path(__file__).resolve().parents[1] / "config" / "clinics.yml")
                         .read_text(encoding="utf-8"))
    phones = {line["id"]: _digits(line["phone"]) for line in raw["lines"]}
    return {"gasthuis": [phones["franciscus_gasthuis"]],
            "vlietland": [phones["franciscus_vlietland"]],
            "leuven": [phones["heilig_hart_leuven"]]}


CONTACT_NUMBERS = _clinic_numbers()
_THERAPIST_RE = re.compile(r"therapeut|kinesitherapeut|fysiotherapeut|kine\b|huisarts")


def names_contact(reply: str, contact: str) -> bool:
    digits = _digits(reply)
    if contact in CONTACT_NUMBERS:
        return any(n in digits for n in CONTACT_NUMBERS[contact])
    if contact == "franciscus_any":
        return any(n in digits for n in CONTACT_NUMBERS["gasthuis"] + CONTACT_NUMBERS["vlietland"])
    if contact == "therapist_or_gp":
        return bool(_THERAPIST_RE.search(normalise(reply)))
    if contact == "any":
        return bool(_THERAPIST_RE.search(normalise(reply))) or any(
            n in digits for ns in CONTACT_NUMBERS.values() for n in ns)
    return True
