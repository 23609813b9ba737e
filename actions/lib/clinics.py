"""Clinic lines, opening hours and who to call, read from ``config/clinics.yml``.

Plain Python (no Rasa imports) so it can be used by actions, the NLG add-on and
tests alike. Every function takes plain inputs; the clock is an argument
(``now``: an aware datetime, or a naive one meaning UTC; default: the current
time).

    >>> from actions.lib.clinics import load_clinics, line_status, lines_for
    >>> clinics = load_clinics()
    >>> line = clinics.line("franciscus_gasthuis")
    >>> line_status(line).describe()          # e.g. "nu open (tot 12:00)"

The data file is ``config/clinics.yml`` next to this package, or the file named
by the environment variable ``CLINICS_FILE``. It is cached and re-read when it
changes on disk.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
import yaml

__all__ = [
    "ClinicsConfigError",
    "Clinics",
    "Line",
    "Location",
    "Treatment",
    "LineStatus",
    "load_clinics",
    "default_clinics_path",
    "line_status",
    "lines_for",
    "out_of_hours_route",
    "emergency_number",
    "template_variables",
    "hours_text",
    "WEEKDAYS",
]

ENV_VAR = "CLINICS_FILE"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()

DUTCH_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
DUTCH_WEEKDAYS_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")
DUTCH_MONTHS = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)

_PERIOD_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_SEARCH_DAYS = 30  # how far ahead "next opening" is looked for


class ClinicsConfigError(ValueError):
    """The clinics file is missing or malformed (message says where)."""


# --------------------------------------------------------------------------- #
# data classes
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Period:
    start: dt.time
    end: dt.time

    def text(self) -> str:
        """Dutch style, e.g. ``8.00–12.00``."""
        return f"{_dutch_clock(self.start)}–{_dutch_clock(self.end)}"


@dataclass(frozen=True)
class Line:
    id: str
    name: str
    hospital: str
    phone: str
    country: str
    timezone: str
    holidays: str
    weekly: tuple[tuple[Period, ...], ...]  # 7 entries, index = date.weekday() (mon=0)
    closed_dates: frozenset[dt.date] = frozenset()
    open_dates: frozenset[dt.date] = frozenset()
    note: str | None = None

    @property
    def hours(self) -> dict[str, tuple[Period, ...]]:
        """Opening periods per weekday key ('mon'..'sun')."""
        return dict(zip(WEEKDAYS, self.weekly))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def periods_on(self, day: dt.date) -> tuple[Period, ...]:
        """Opening periods on a local calendar date (empty on holidays/closed days)."""
        if day in self.closed_dates:
            return ()
        if day not in self.open_dates and holiday_name(self.holidays, day) is not None:
            return ()
        return self.weekly[day.weekday()]

    def hours_text(self) -> str:
        return hours_text(self)


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    line: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Treatment:
    id: str
    lines: tuple[str, ...]
    contact: str | None = None


@dataclass(frozen=True)
class Clinics:
    lines: tuple[Line, ...]
    locations: Mapping[str, Location]
    treatments: Mapping[str, Treatment]
    emergency_number: str
    out_of_hours: Mapping[str, str]
    gp_out_of_hours_be: str
    path: str = ""

    def line(self, line_id: str) -> Line:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise KeyError(line_id)

    def get_line(self, line_id: str | None) -> Line | None:
        for line in self.lines:
            if line.id == line_id:
                return line
        return None

    @property
    def line_ids(self) -> list[str]:
        return [line.id for line in self.lines]


@dataclass(frozen=True)
class LineStatus:
    line: Line
    now: dt.datetime                 # the moment asked about, in the line's time zone
    is_open: bool
    closes_at: dt.datetime | None    # when open: end of the current period (line's tz)
    next_open: dt.datetime | None    # when closed: next opening (line's tz); None if open
    holiday: str | None = None       # name of today's public holiday, if any

    def describe(self) -> str:
        """One Dutch line, e.g. ``nu open (tot 12:00)`` or
        ``nu gesloten; weer open maandag 23 november om 08:00``."""
        if self.is_open:
            assert self.closes_at is not None
            return f"nu open (tot {self.closes_at:%H:%M})"
        text = "nu gesloten"
        if self.holiday:
            text += f" ({self.holiday})"
        if self.next_open is None:
            return text
        return f"{text}; weer open {_dutch_day_ref(self.next_open.date(), self.now.date())} om {self.next_open:%H:%M}"


# --------------------------------------------------------------------------- #
# loading
# --------------------------------------------------------------------------- #
def default_clinics_path() -> Path:
    """``$CLINICS_FILE`` if set, else ``<project>/config/clinics.yml``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "config" / "clinics.yml"


def load_clinics(path: str | os.PathLike | None = None) -> Clinics:
    """Load (cached; re-read when the file's mtime/size changes) the clinics file."""
    p = Path(path) if path is not None else default_clinics_path()
    try:
        st = p.stat()
    except OSError as exc:
        raise ClinicsConfigError(f"clinics file not found: {p}") from exc
    return _load_cached(str(p.resolve()), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, _mtime: int, _size: int) -> Clinics:
    with open(path, encoding="utf-8") as fh:
        try:
            raw = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise ClinicsConfigError(f"{path}: not valid YAML: {exc}") from exc
    return _parse(raw, path)


def _parse(raw: object, path: str) -> Clinics:
    def fail(msg: str) -> ClinicsConfigError:
        return ClinicsConfigError(f"{path}: {msg}")

    if not isinstance(raw, dict):
        raise fail("top level must be a mapping")
    for key in ("emergency_number", "lines", "locations", "out_of_hours"):
        if key not in raw:
            raise fail(f"missing key '{key}'")

    lines: list[Line] = []
    seen: set[str] = set()
    for i, item in enumerate(raw["lines"] or []):
        if not isinstance(item, dict):
            raise fail(f"lines[{i}] must be a mapping")
        for key in ("id", "name", "hospital", "phone", "country", "timezone", "hours"):
            if not item.get(key):
                raise fail(f"lines[{i}] misses '{key}'")
        lid = str(item["id"])
        if not re.fullmatch(r"[a-z0-9_]+", lid):
            raise fail(f"line id '{lid}' may only contain a-z, 0-9 and _")
        if lid in seen:
            raise fail(f"duplicate line id '{lid}'")
        seen.add(lid)
        tzname = str(item["timezone"])
        try:
            ZoneInfo(tzname)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise fail(f"line '{lid}': unknown timezone '{tzname}'") from exc
        hol = str(item.get("holidays") or item["country"]).upper()
        try:
            holidays_lib.country_holidays(hol, years=2026)
        except Exception as exc:  # NotImplementedError for unknown countries
            raise fail(f"line '{lid}': unknown holidays country '{hol}'") from exc
        hours_raw = item["hours"]
        if not isinstance(hours_raw, dict):
            raise fail(f"line '{lid}': hours must be a mapping mon..sun")
        unknown = set(hours_raw) - set(WEEKDAYS)
        if unknown:
            raise fail(f"line '{lid}': unknown weekday(s) {sorted(unknown)} (use {', '.join(WEEKDAYS)})")
        hours: dict[str, tuple[Period, ...]] = {}
        for day in WEEKDAYS:
            periods = []
            for spec in hours_raw.get(day) or []:
                periods.append(_parse_period(spec, lambda m: fail(f"line '{lid}', {day}: {m}")))
            periods.sort(key=lambda p: p.start)
            for a, b in zip(periods, periods[1:]):
                if b.start < a.end:
                    raise fail(f"line '{lid}', {day}: periods overlap")
            hours[day] = tuple(periods)
        lines.append(
            Line(
                id=lid,
                name=str(item["name"]),
                hospital=str(item["hospital"]),
                phone=str(item["phone"]),
                country=str(item["country"]).upper(),
                timezone=tzname,
                holidays=hol,
                weekly=tuple(hours[d] for d in WEEKDAYS),
                closed_dates=_parse_dates(item.get("closed_dates"), lambda m: fail(f"line '{lid}': {m}")),
                open_dates=_parse_dates(item.get("open_dates"), lambda m: fail(f"line '{lid}': {m}")),
                note=str(item["note"]) if item.get("note") else None,
            )
        )
    if not lines:
        raise fail("no lines defined")

    locations: dict[str, Location] = {}
    for lid, item in (raw["locations"] or {}).items():
        item = item or {}
        line = item.get("line", lid)
        if line not in seen:
            raise fail(f"location '{lid}' refers to unknown line '{line}'")
        locations[str(lid)] = Location(id=str(lid), name=str(item.get("name", lid)), line=str(line),
                                       names=tuple(str(n).lower() for n in item.get("names") or ()))

    # Which treatment uses which line: the treatment registry (config/treatments.yml).
    from actions.lib.treatments import registry
    treatments: dict[str, Treatment] = {}
    for t in registry().treatments.values():
        for line in t.lines:
            if line not in seen:
                raise fail(f"treatment '{t.id}' (config/treatments.yml) refers to unknown line '{line}'")
        treatments[t.id] = Treatment(id=t.id, lines=t.lines, contact=t.contact)

    ooh = {str(k).upper(): str(v) for k, v in (raw["out_of_hours"] or {}).items()}
    return Clinics(
        lines=tuple(lines),
        locations=locations,
        treatments=treatments,
        emergency_number=str(raw["emergency_number"]),
        out_of_hours=ooh,
        gp_out_of_hours_be=str(raw.get("gp_out_of_hours_be", "")),
        path=path,
    )


def _parse_period(spec: object, fail) -> Period:
    m = _PERIOD_RE.match(str(spec))
    if not m:
        raise fail(f"'{spec}' is not of the form HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    try:
        start, end = dt.time(h1, m1), dt.time(h2, m2)
    except ValueError as exc:
        raise fail(f"'{spec}': {exc}") from exc
    if end <= start:
        raise fail(f"'{spec}': end must be after start")
    return Period(start, end)


def _parse_dates(values: object, fail) -> frozenset[dt.date]:
    out = set()
    for v in values or []:
        if isinstance(v, dt.date):
            out.add(v)
            continue
        try:
            out.add(dt.date.fromisoformat(str(v)))
        except ValueError as exc:
            raise fail(f"'{v}' is not a date YYYY-MM-DD") from exc
    return frozenset(out)


def _clinics(clinics: Clinics | None) -> Clinics:
    return clinics if clinics is not None else load_clinics()


# --------------------------------------------------------------------------- #
# holidays and opening hours
# --------------------------------------------------------------------------- #
@functools.lru_cache(maxsize=64)
def _holidays_for(country: str, year: int) -> Mapping[dt.date, str]:
    try:
        hol = holidays_lib.country_holidays(country, years=year, language="nl")
    except Exception:  # language not supported for this country
        hol = holidays_lib.country_holidays(country, years=year)
    return dict(hol.items())


def holiday_name(country: str, day: dt.date) -> str | None:
    """Name (Dutch where available) of the public holiday on ``day``, else None."""
    return _holidays_for(country, day.year).get(day)


def _as_utc(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None or now.utcoffset() is None:
        return now.replace(tzinfo=dt.timezone.utc)
    return now.astimezone(dt.timezone.utc)


def _local(day: dt.date, t: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=tz)


def line_status(line: Line, now: dt.datetime | None = None) -> LineStatus:
    """Is ``line`` open at ``now``, until when, and when does it open next."""
    tz = line.tz
    now_utc = _as_utc(now)
    local = now_utc.astimezone(tz)
    today = local.date()
    hol = None if today in line.open_dates else holiday_name(line.holidays, today)

    # compare as UTC instants (robust around DST changes)
    for period in line.periods_on(today):
        start = _local(today, period.start, tz).astimezone(dt.timezone.utc)
        end = _local(today, period.end, tz).astimezone(dt.timezone.utc)
        if start <= now_utc < end:
            return LineStatus(line, local, True, end.astimezone(tz), None, hol)

    next_open = None
    for offset in range(_SEARCH_DAYS + 1):
        day = today + dt.timedelta(days=offset)
        for period in line.periods_on(day):
            start = _local(day, period.start, tz)
            if start.astimezone(dt.timezone.utc) > now_utc:
                next_open = start
                break
        if next_open is not None:
            break
    return LineStatus(line, local, False, None, next_open, hol)


def _dutch_clock(t: dt.time) -> str:
    return f"{t.hour}.{t.minute:02d}"


def _dutch_date(day: dt.date) -> str:
    return f"{DUTCH_WEEKDAYS[day.weekday()]} {day.day} {DUTCH_MONTHS[day.month - 1]}"


def _dutch_day_ref(day: dt.date, today: dt.date) -> str:
    if day == today:
        return "vandaag"
    if day == today + dt.timedelta(days=1):
        return "morgen"
    return _dutch_date(day)


def _day_range(first: int, last: int) -> str:
    if first == last:
        return DUTCH_WEEKDAYS[first]
    if last == first + 1:
        return f"{DUTCH_WEEKDAYS[first]} en {DUTCH_WEEKDAYS[last]}"
    return f"{DUTCH_WEEKDAYS[first]} t/m {DUTCH_WEEKDAYS[last]}"


def hours_text(line: Line) -> str:
    """The weekly opening hours in plain Dutch, with the lunch break and the closed days:
    ``maandag t/m vrijdag 8.00–12.00 en 13.00–15.30 (tussen 12.00 en 13.00 gesloten);
    zaterdag en zondag gesloten``."""
    groups: list[tuple[int, int, tuple[Period, ...]]] = []
    for i in range(7):
        periods = line.weekly[i]
        if groups and groups[-1][1] == i - 1 and groups[-1][2] == periods:
            groups[-1] = (groups[-1][0], i, periods)
        else:
            groups.append((i, i, periods))
    if not any(periods for _, _, periods in groups):
        return "geen vaste openingsuren"
    parts, closed = [], []
    for first, last, periods in groups:
        if not periods:
            closed.extend(range(first, last + 1))
            continue
        text = f"{_day_range(first, last)} {' en '.join(p.text() for p in periods)}"
        breaks = [f"tussen {_dutch_clock(a.end)} en {_dutch_clock(b.start)}"
                  for a, b in zip(periods, periods[1:])]
        if breaks:
            text += f" ({' en '.join(breaks)} gesloten)"
        parts.append(text)
    if closed:
        names = [DUTCH_WEEKDAYS[i] for i in closed]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
        parts.append(f"{listed} gesloten")
    return "; ".join(parts)


# --------------------------------------------------------------------------- #
# who to call
# --------------------------------------------------------------------------- #
def lines_for(
    treatment: str | None,
    location: str | None,
    clinics: Clinics | None = None,
) -> list[Line]:
    """The line(s) a patient should call.

    - known treatment with clinic lines: those lines; narrowed to the patient's
      location when that is one of them (triggerpoint_injectie + Vlietland ->
      Vlietland). If the location is known but is *not* one of the treatment's
      lines, the location's own line comes first, followed by the treatment's lines.
    - known treatment without a clinic line (dry_needling, triggerpointtherapie): []
      (the patient contacts the therapist or huisarts, see ``treatment_contact``).
    - unknown treatment: the location's line if the location is known, else every line.
    Unknown ids are treated as "not known".
    """
    c = _clinics(clinics)
    loc = c.locations.get(location) if location else None
    loc_line = c.get_line(loc.line) if loc else None
    treat = c.treatments.get(treatment) if treatment else None

    if treat is None:
        return [loc_line] if loc_line else list(c.lines)
    if not treat.lines:
        return []
    tlines = [c.line(lid) for lid in treat.lines]
    if loc_line is None:
        return tlines
    if loc_line in tlines:
        return [loc_line]
    return [loc_line] + [line for line in tlines if line != loc_line]


def treatment_contact(treatment: str | None, clinics: Clinics | None = None) -> str | None:
    """Who to contact for a treatment without a clinic line (Dutch text), else None."""
    treat = _clinics(clinics).treatments.get(treatment) if treatment else None
    return treat.contact if treat else None


def out_of_hours_route(country: str | None, clinics: Clinics | None = None) -> str:
    """Dutch text: who to contact outside office hours in ``country`` (NL/BE)."""
    c = _clinics(clinics)
    key = (country or "").upper()
    if key in c.out_of_hours:
        return c.out_of_hours[key]
    names = {"NL": "in Nederland", "BE": "in België"}
    return " of ".join(f"{route} ({names.get(k, k)})" for k, route in c.out_of_hours.items())


def emergency_number(clinics: Clinics | None = None) -> str:
    return _clinics(clinics).emergency_number


def template_variables(clinics: Clinics | None = None) -> dict[str, str]:
    """Values for the ``{...}`` placeholders in the bot's responses."""
    c = _clinics(clinics)
    out: dict[str, str] = {
        "emergency_number": c.emergency_number,
        "gp_out_of_hours_be": c.gp_out_of_hours_be,
    }
    for country, route in c.out_of_hours.items():
        out[f"out_of_hours_{country.lower()}"] = route
    for line in c.lines:
        out[f"phone_{line.id}"] = line.phone
        out[f"name_{line.id}"] = line.name
        out[f"hospital_{line.id}"] = line.hospital
        out[f"hours_{line.id}"] = hours_text(line)
    return out

