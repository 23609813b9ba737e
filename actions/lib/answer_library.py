"""The answer library (data/answers/*.yml): load, validate and look up answer units.

Plain Python, no Rasa. A unit answers one topic (a question) for one or more treatments,
or for any treatment (`general`). See data/answers/README.md for the format.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from actions.lib.treatments import registry

ROOT = Path(__file__).resolve().parents[2]
ENV_VAR = "ANSWERS_DIR"
GENERAL = "general"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_FIXED_PLACEHOLDERS = {"contact", "emergency_number", "gp_out_of_hours_be"}
_LINE_PLACEHOLDER = re.compile(r"^(phone|name|hours)_[a-z_]+$")


class AnswerLibraryError(ValueError):
    """A unit or topic in data/answers/ is malformed (the message names file and unit)."""


@dataclass(frozen=True)
class Unit:
    id: str
    topic: str
    treatments: tuple[str, ...]
    answer: str
    source: str
    source_label: str
    questions: tuple[str, ...]
    medications: tuple[str, ...] = ()
    file: str = ""

    @property
    def is_general(self) -> bool:
        return GENERAL in self.treatments

    def holds_for(self, treatment: str | None) -> bool:
        return bool(treatment) and treatment in self.treatments


@dataclass(frozen=True)
class Library:
    topics: dict            # topic id -> description
    units: tuple            # all units

    @functools.cached_property
    def by_topic(self) -> dict:
        out: dict[str, list[Unit]] = {}
        for u in self.units:
            out.setdefault(u.topic, []).append(u)
        return out

    def unit(self, unit_id: str) -> Unit | None:
        return self.by_id.get(unit_id)

    def topic_units(self, topic: str) -> list[Unit]:
        return self.by_topic.get(topic, [])

    def find(self, topic: str, treatment: str | None, medication: str | None = None) -> Unit | None:
        """The unit answering `topic` for `treatment`: its own leaflet's unit first (the one
        about `medication` if there is one), else a general unit; None if the leaflet is silent."""
        units = self.topic_units(topic)
        for pool in ([u for u in units if u.holds_for(treatment)], [u for u in units if u.is_general]):
            if not pool:
                continue
            if medication:
                specific = [u for u in pool if medication in u.medications]
                if specific:
                    return specific[0]
            plain = [u for u in pool if not u.medications]
            return (plain or pool)[0]
        return None

    def treatments_with(self, topic: str) -> list[str]:
        """Treatments whose own leaflet answers `topic` (registry order)."""
        covered = {t for u in self.topic_units(topic) for t in u.treatments if t != GENERAL}
        return [t for t in registry().ids() if t in covered]

    def has_general(self, topic: str) -> bool:
        return any(u.is_general for u in self.topic_units(topic))

    def examples(self) -> list[tuple[str, str]]:
        """(question, unit id) pairs to train retrieval on."""
        return [(q, u.id) for u in self.units for q in u.questions]

    @functools.cached_property
    def by_id(self) -> dict:
        return {u.id: u for u in self.units}

    def eligible(self, topic: str, treatment: str | None) -> list[Unit]:
        """The units that may answer `topic` for `treatment`: its own leaflet's units, else
        the general ones."""
        units = self.topic_units(topic)
        own = [u for u in units if u.holds_for(treatment)]
        return own or [u for u in units if u.is_general]


def default_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or ROOT / "data" / "answers")


def _check_placeholders(text: str, where: str) -> None:
    for name in _PLACEHOLDER.findall(text):
        if name not in _FIXED_PLACEHOLDERS and not _LINE_PLACEHOLDER.match(name):
            raise AnswerLibraryError(f"{where}: unknown placeholder {{{name}}}")


@functools.lru_cache(maxsize=4)
def _load(directory: str) -> Library:
    d = Path(directory)
    topics_raw = yaml.safe_load((d / "topics.yml").read_text(encoding="utf-8")) or {}
    topics = dict(topics_raw.get("topics") or {})
    valid_treatments = set(registry().ids()) | {GENERAL}
    units: list[Unit] = []
    seen: set[str] = set()
    files = sorted(p for p in d.glob("*.yml") if p.name != "topics.yml")
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        topics.update(raw.get("new_topics") or {})
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        label = raw.get("source_label") or ""
        for i, item in enumerate(raw.get("units") or []):
            where = f"{path.name}: unit {item.get('id') or i}"
            for key in ("id", "topic", "treatments", "answer", "questions"):
                if not item.get(key):
                    raise AnswerLibraryError(f"{where}: misses '{key}'")
            uid = str(item["id"])
            if uid in seen:
                raise AnswerLibraryError(f"{where}: id used twice")
            seen.add(uid)
            if item["topic"] not in topics:
                raise AnswerLibraryError(f"{where}: topic '{item['topic']}' is not in topics.yml")
            bad = set(item["treatments"]) - valid_treatments
            if bad:
                raise AnswerLibraryError(f"{where}: unknown treatments {sorted(bad)}")
            _check_placeholders(item["answer"], where)
            units.append(Unit(
                id=uid, topic=str(item["topic"]), treatments=tuple(item["treatments"]),
                answer=str(item["answer"]).strip(), source=str(item.get("source") or ""),
                source_label=str(item.get("source_label") or label),
                questions=tuple(str(q) for q in item["questions"]),
                medications=tuple(str(m).lower() for m in item.get("medications") or ()),
                file=path.name,
            ))
    return Library(topics=topics, units=tuple(units))


def library(directory: str | os.PathLike | None = None) -> Library:
    return _load(str(directory or default_dir()))
