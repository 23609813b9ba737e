"""Phone lines as the patient reads them: name, number, weekly hours, open now or when it
opens next, and who to call while it is closed."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from actions.lib import clinics
from actions.lib.treatments import registry


@lru_cache(maxsize=None)
def _treatments_of_line(line_id: str) -> tuple[str, ...]:
    return tuple(t.id for t in registry().treatments.values() if line_id in t.lines)


def _label(line, label_treatments: bool) -> str:
    label = line.name
    if label_treatments:
        names = " / ".join(registry().get(t).label for t in _treatments_of_line(line.id))
        if names:
            label = f"{label} (voor {names})"
    return label


def describe_lines(lines, now: datetime, label_treatments: bool = False,
                   with_hours: bool = True) -> str:
    """One bullet per line: name, number, whether it is open now, and its weekly hours."""
    rows = []
    for line in lines:
        status = clinics.line_status(line, now).describe()
        row = f"• {_label(line, label_treatments)}: {line.phone} – {status}"
        if with_hours:
            row += f". Bereikbaar: {clinics.hours_text(line)}"
        rows.append(row)
    return "\n".join(rows)


COUNTRY_NAMES = {"NL": "Nederland", "BE": "België"}


def out_of_hours_routes(lines, now: datetime) -> str:
    """Who to call while a line is closed ("de huisartsenpost"), '' if all are open."""
    countries = []
    for line in lines:
        if not clinics.line_status(line, now).is_open and line.country not in countries:
            countries.append(line.country)
    routes = [clinics.out_of_hours_route(c) for c in countries]
    if len(routes) > 1:
        routes = [f"{r} ({COUNTRY_NAMES.get(c, c)})" for r, c in zip(routes, countries)]
    return " of ".join(routes)


def contact_inline(treatment: str | None, location: str | None) -> str:
    """What `{contact}` in an answer becomes: who to call, short enough for a sentence
    ("de Polikliniek Pijnbestrijding van het Franciscus Vlietland (its number)")."""
    t = registry().get(treatment)
    if t is not None and not t.lines:
        return t.contact or "je behandelaar of je huisarts"
    lines = clinics.lines_for(treatment, location)
    if len(lines) == 1:
        return f"{lines[0].name} ({lines[0].phone})"
    return "het ziekenhuis waar je behandeld wordt (" + ", ".join(
        f"{line.hospital}: {line.phone}" for line in lines) + ")"


def contact_details(treatment: str | None, location: str | None, now: datetime) -> str:
    """The line(s) with open-now status and weekly hours, and who to call while closed;
    '' for a treatment without a clinic line."""
    t = registry().get(treatment)
    if t is not None and not t.lines:
        return ""
    lines = clinics.lines_for(treatment, location)
    text = describe_lines(lines, now, label_treatments=treatment is None)
    closed = out_of_hours_routes(lines, now)
    if closed:
        text += f"\nBuiten de openingsuren en als het niet kan wachten: {closed}."
    return text
