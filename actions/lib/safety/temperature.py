"""Temperatures read from the tokens: "38,5", "39 graden", "38 komma 5", "38-39".

A value at or above the fever threshold (fever.yml ``temperature.fever_from``) is a
``fever`` mention with its value; a lower one is ``_temp`` (reported as benign).
"""
from __future__ import annotations

import re

from .doc import Doc, Mention
from .rulebook import RULEBOOK as _RB

_W = _RB.words
_T = _RB.temperature

FEVER_THRESHOLD = float(_T["fever_from"])
PLAUSIBLE = tuple(float(x) for x in _T["plausible"])
PLAUSIBLE_WITHOUT_UNIT = tuple(float(x) for x in _T["plausible_without_unit"])
BELOW_LOWERS_BY = float(_T["below_lowers_by"])

UNITS = _W["temperature.units"]
CELSIUS = _W["temperature.celsius"]
CONTEXT = _W["temperature.context"]
NOT_UNITS = _W["temperature.not_units"]
DECIMAL_WORDS = _W["temperature.decimal_words"]
BELOW_WORDS = _W["temperature.below_words"]
OR_WORDS = _W["temperature.or_word"]
WEATHER = _W["weather_words"]

_TEMP_RE = re.compile(r"^(\d{2})(?:[.,](\d{1,2}))?(°c?|°|c|gr|graden)?$")
_TEMP_RANGE_RE = re.compile(r"^(\d{2}(?:[.,]\d)?)-(\d{2}(?:[.,]\d)?)$")


def temperatures(d: Doc) -> list[Mention]:
    out = []
    c = d.c
    for i, tok in enumerate(c):
        if not tok[:1].isdigit():
            continue
        value = None
        end = i + 1
        m = _TEMP_RE.match(tok)
        r = _TEMP_RANGE_RE.match(tok)
        if r:
            try:
                value = max(float(r.group(1).replace(",", ".")), float(r.group(2).replace(",", ".")))
            except ValueError:
                continue
            has_unit = False
            decimal = True
        elif m:
            value = float(m.group(1) + ("." + m.group(2) if m.group(2) else ""))
            has_unit = bool(m.group(3))
            decimal = m.group(2) is not None
        else:
            continue
        if not PLAUSIBLE[0] <= value <= PLAUSIBLE[1]:
            continue
        nxt = c[i + 1] if i + 1 < d.n else ""
        if not decimal and nxt in DECIMAL_WORDS and i + 2 < d.n and c[i + 2].isdigit() and len(c[i + 2]) == 1:
            value += int(c[i + 2]) / 10  # "38 komma 5"
            decimal = True
            end = i + 3
            nxt = c[end] if end < d.n else ""
        if nxt in NOT_UNITS:
            continue
        if nxt in UNITS:
            has_unit = True
            end += 1
            if end < d.n and c[end] in CELSIUS:
                end += 1
        context = any(t in CONTEXT for t in c[max(0, i - 4):i])
        if not (decimal or has_unit or context):
            continue
        if not context and not has_unit and decimal and \
                not PLAUSIBLE_WITHOUT_UNIT[0] <= value <= PLAUSIBLE_WITHOUT_UNIT[1]:
            continue
        if any(t in WEATHER for t in d.sentence_text(i)):
            continue
        prev = c[max(0, i - 3):i]
        if any(t in BELOW_WORDS for t in prev):
            value -= BELOW_LOWERS_BY
        sign = "fever" if value >= FEVER_THRESHOLD else "_temp"
        # "38 of 39?": a comparison, not a measurement
        compared = (i >= 2 and c[i - 1] in OR_WORDS and c[i - 2][:1].isdigit()) or (
            end + 1 < d.n and c[end] in OR_WORDS and c[end + 1][:1].isdigit())
        out.append(Mention(sign, i, end, value=round(value, 2),
                           status="hypothetical" if compared else "positive"))
    return out
