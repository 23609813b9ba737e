"""Cheap keyword scan: for text beyond ``MAX_ANALYSED_CHARS`` and as the fall-back when
the analysis fails. One regular expression per sign (``keyword_scan`` in the sign
files); a keyword shortly after a negation word is skipped ("... geen koorts")."""
from __future__ import annotations

import re

from .rulebook import RULEBOOK as _RB

KEYWORDS: list[tuple[str, re.Pattern]] = [(sign, re.compile(rx)) for sign, rx in _RB.keyword_scan.items()]
_TAIL_NEG = re.compile(
    r"\b(" + "|".join(map(re.escape, sorted(_RB.words["keyword_scan_negation"]))) + r")\b[^.!?;\n]{0,25}$")


def keyword_scan(text: str) -> tuple[list[str], float | None]:
    """Signs found in an already normalised text, and the highest temperature."""
    found: list[str] = []
    temp = None
    for sign, rx in KEYWORDS:
        for mt in rx.finditer(text):
            before = text[max(0, mt.start() - 30):mt.start()]
            if _TAIL_NEG.search(before):
                continue
            if sign == "fever" and mt.group(1)[:1].isdigit():
                temp = max(temp or 0.0, float(mt.group(1).replace(",", ".")))
            found.append(sign)
            break
    return found, temp
