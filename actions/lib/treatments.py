"""The treatment registry (config/treatments.yml): one place for which treatments exist,
what patients call them, their family, leaflet, answer file, lines and escalation.

Plain Python, no Rasa. Feeds the vocabulary extractor, answer choice, contact answers and
triage. The file is read once and cached; `TREATMENTS_FILE` points elsewhere (tests).
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ENV_VAR = "TREATMENTS_FILE"
FAMILIES = ("injection", "facet", "therapy")


class TreatmentsConfigError(ValueError):
    """config/treatments.yml is malformed (the message names the entry)."""


@dataclass(frozen=True)
class Treatment:
    id: str
    label: str
    family: str
    leaflet: str
    leaflet_name: str
    answers: str
    lines: tuple[str, ...] = ()
    contact: str | None = None
    escalation: dict = field(default_factory=dict, hash=False, compare=False)
    names: tuple[str, ...] = ()
    # names that only say the family ("facetten"): they give way to another member of
    # the family named in the same message ("denervatie van de facetten")
    family_names: tuple[str, ...] = ()
    # ((words A), (words B), window): a word of A within `window` words of a word of B
    combinations: tuple = ()


@dataclass(frozen=True)
class Registry:
    treatments: dict
    medications: dict          # canonical name -> tuple of spellings
    families: dict             # family -> Dutch word

    def get(self, treatment_id: str | None) -> Treatment | None:
        return self.treatments.get(treatment_id) if treatment_id else None

    def ids(self) -> list[str]:
        return list(self.treatments)

    def family_members(self, family: str) -> list[str]:
        return [t.id for t in self.treatments.values() if t.family == family]

    def labels(self) -> dict[str, str]:
        return {t.id: t.label for t in self.treatments.values()}


def default_path() -> Path:
    return Path(os.environ.get(ENV_VAR) or ROOT / "config" / "treatments.yml")


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Registry:
    with open(path, encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    if not isinstance(raw, dict) or not isinstance(raw.get("treatments"), dict):
        raise TreatmentsConfigError(f"{path}: needs a 'treatments:' mapping")
    treatments = {}
    for tid, item in raw["treatments"].items():
        def fail(msg: str) -> TreatmentsConfigError:
            return TreatmentsConfigError(f"{path}: treatment '{tid}': {msg}")
        if not isinstance(item, dict):
            raise fail("must be a mapping")
        for key in ("label", "family", "leaflet", "leaflet_name", "answers", "names"):
            if not item.get(key):
                raise fail(f"misses '{key}'")
        if not set(item.get("family_names") or ()) <= set(item["names"]):
            raise fail("every family_names entry must also be in names")
        if item["family"] not in FAMILIES:
            raise fail(f"family must be one of {FAMILIES}")
        if not item.get("lines") and not item.get("contact"):
            raise fail("needs either 'lines' or a 'contact'")
        if "default" not in (item.get("escalation") or {}):
            raise fail("escalation needs a 'default' response")
        treatments[str(tid)] = Treatment(
            id=str(tid), label=str(item["label"]), family=str(item["family"]),
            leaflet=str(item["leaflet"]), leaflet_name=str(item["leaflet_name"]),
            answers=str(item["answers"]), lines=tuple(item.get("lines") or ()),
            contact=item.get("contact"), escalation=dict(item["escalation"]),
            names=tuple(str(n).lower() for n in item["names"]),
            family_names=tuple(str(n).lower() for n in item.get("family_names") or ()),
            combinations=tuple((tuple(a), tuple(b), int(w))
                               for a, b, w in item.get("name_combinations") or ()),
        )
    medications = {str(k): tuple(str(s).lower() for s in (v or [k]))
                   for k, v in (raw.get("medications") or {}).items()}
    return Registry(treatments=treatments, medications=medications,
                    families=dict(raw.get("families") or {}))


def registry(path: str | os.PathLike | None = None) -> Registry:
    return _load(str(path or default_path()))


def label(treatment_id: str | None) -> str:
    t = registry().get(treatment_id)
    return t.label if t else ""


def family(treatment_id: str | None) -> str | None:
    t = registry().get(treatment_id)
    return t.family if t else None


def same_leaflet(a: str | None, b: str | None) -> bool:
    ta, tb = registry().get(a), registry().get(b)
    return bool(ta and tb and ta.leaflet == tb.leaflet)


def implied_by_location(location: str | None) -> list[str]:
    """The treatments done at a hospital (its line), from the registry and clinics.yml:
    Franciscus Gasthuis or Vlietland -> the triggerpoint injectie; RZ Heilig Hart Leuven ->
    the two facet treatments."""
    if not location:
        return []
    from actions.lib.clinics import load_clinics
    loc = load_clinics().locations.get(location)
    if loc is None:
        return []
    return [t.id for t in registry().treatments.values() if loc.line in t.lines]
