"""Phone lines as the patient reads them: name, number, open now or when it opens next."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from actions.lib import clinics
from actions.lib.vocabulary import TREATMENT_LABELS


@lru_cache(maxsize=None)
def _treatments_of_line(line_id: str) -> tuple[str, ...]:
    return tuple(
        t for t in TREATMENT_LABELS
        if any(line.id == line_id for line in clinics.lines_for(t, None))
    )


def describe_lines(lines, now: datetime, label_treatments: bool = False) -> str:
    rows = []
    for line in lines:
        label = line.name
        if label_treatments:
            treatments = " / ".join(TREATMENT_LABELS[t] for t in _treatments_of_line(line.id))
            if treatments:
                label = f"{label} (voor {treatments})"
        status = clinics.line_status(line, now).describe()
        rows.append(f"• {label}: {line.phone} – {status}")
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
