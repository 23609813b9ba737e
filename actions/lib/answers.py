"""Which response answers a leaflet question, given the treatment (or that we must ask).

Responses are found by name in domain.yml (see docs/intents.md):
`utter_<topic>__<treatment>`, `utter_<topic>__facet` for both facet treatments,
the plain `utter_<topic>` when the answer does not depend on the treatment, and
`utter_not_in_leaflet__<treatment>` when the treatment's leaflet is silent.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from actions.lib.vocabulary import FACET_TREATMENTS

ASK_TREATMENT = "utter_ask_treatment"


@dataclass(frozen=True)
class Choice:
    response: str
    needs_treatment: bool = False  # True: we asked which treatment is meant


def _variants(treatment: str) -> list[str]:
    names = [treatment]
    if treatment in FACET_TREATMENTS:
        names.append("facet")
    return names


def has_treatment_variants(topic: str, available: Iterable[str]) -> bool:
    prefix = f"utter_{topic}__"
    return any(name.startswith(prefix) for name in available)


def choose_response(topic: str, treatment: str | None, available: Iterable[str]) -> Choice:
    available = set(available)
    plain = f"utter_{topic}"
    if treatment:
        for variant in _variants(treatment):
            if f"{plain}__{variant}" in available:
                return Choice(f"{plain}__{variant}")
        if plain in available:
            return Choice(plain)
        for variant in _variants(treatment):
            if f"utter_not_in_leaflet__{variant}" in available:
                return Choice(f"utter_not_in_leaflet__{variant}")
        raise LookupError(f"no answer and no not-in-leaflet response for {treatment}")
    if plain in available:
        return Choice(plain)
    if has_treatment_variants(topic, available):
        return Choice(ASK_TREATMENT, needs_treatment=True)
    raise LookupError(f"no response for topic {topic!r}")
