"""Tests for actions/lib/clinics.py and config/clinics.yml."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from actions.lib import clinics as cl  # noqa: E402
from actions.lib.clinics import (  # noqa: E402
    ClinicsConfigError,
    emergency_number,
    hours_text,
    line_status,
    lines_for,
    load_clinics,
    out_of_hours_route,
    template_variables,
)

CLINICS_YML = ROOT / "config" / "clinics.yml"
LEAFLET_README = ROOT.parent / "shared" / "leaflets" / "README.md"
AMS = ZoneInfo("Europe/Amsterdam")
BRU = ZoneInfo("Europe/Brussels")
UTC = dt.timezone.utc

GASTHUIS, VLIETLAND, LEUVEN = "franciscus_gasthuis", "franciscus_vlietland", "heilig_hart_leuven"


@pytest.fixture(autouse=True)
def _default_file(monkeypatch):
    monkeypatch.delenv("CLINICS_FILE", raising=False)


@pytest.fixture
def clinics():
    return load_clinics()


def status(clinics, line_id, y, m, d, hh, mm=0):
    """Status of a line at a wall-clock time in that line's own time zone."""
    line = clinics.line(line_id)
    return line_status(line, dt.datetime(y, m, d, hh, mm, tzinfo=line.tz))


# --------------------------------------------------------------------------- #
# the data file
# --------------------------------------------------------------------------- #
def test_yaml_contents(clinics):
    assert [line.id for line in clinics.lines] == [GASTHUIS, VLIETLAND, LEUVEN]
    g, v, l = (clinics.line(x) for x in (GASTHUIS, VLIETLAND, LEUVEN))
    raw = {item["id"]: item["phone"] for item in yaml.safe_load(CLINICS_YML.read_text(encoding="utf-8"))["lines"]}
    assert (g.phone, v.phone, l.phone) == (raw[GASTHUIS], raw[VLIETLAND], raw[LEUVEN])  # as written
    assert (g.timezone, v.timezone, l.timezone) == ("Europe/Amsterdam", "Europe/Amsterdam", "Europe/Brussels")
    assert (g.holidays, v.holidays, l.holidays) == ("NL", "NL", "BE")
    assert (g.country, v.country, l.country) == ("NL", "NL", "BE")
    assert "dienst anesthesie" in (l.note or "")
    assert emergency_number(clinics) == "112"
    assert set(clinics.locations) == {GASTHUIS, VLIETLAND, LEUVEN}
    assert set(clinics.treatments) == {
        "triggerpoint_injectie", "triggerpointtherapie", "dry_needling", "facetinfiltratie", "facetdenervatie"
    }


def test_phone_numbers_match_the_leaflet_readme(clinics):
    if not LEAFLET_README.exists():
        pytest.skip("leaflet README not available")
    readme = LEAFLET_README.read_text(encoding="utf-8")
    for line in clinics.lines:
        assert line.phone in readme, line.phone


def test_hours_text(clinics):
    assert hours_text(clinics.line(GASTHUIS)) == (
        "maandag t/m vrijdag 8.00–12.00 en 13.00–15.30 (tussen 12.00 en 13.00 gesloten); "
        "zaterdag en zondag gesloten")
    assert hours_text(clinics.line(VLIETLAND)) == (
        "maandag t/m donderdag 8.00–12.00 en 13.00–15.30 (tussen 12.00 en 13.00 gesloten); "
        "vrijdag, zaterdag en zondag gesloten")
    assert hours_text(clinics.line(LEUVEN)) == (
        "maandag t/m vrijdag 9.00–12.30 en 14.30–17.30 (tussen 12.30 en 14.30 gesloten); "
        "zaterdag en zondag gesloten")


def test_template_variables(clinics):
    raw = yaml.safe_load(CLINICS_YML.read_text(encoding="utf-8"))
    tv = template_variables(clinics)
    for item in raw["lines"]:
        assert tv[f"phone_{item['id']}"] == item["phone"]  # exactly as written in the YAML
        assert tv[f"name_{item['id']}"] == item["name"]
        assert tv[f"hours_{item['id']}"]
    assert tv["emergency_number"] == "112"
    assert tv["gp_out_of_hours_be"] == "1733"
    assert tv["hours_franciscus_vlietland"].startswith("maandag t/m donderdag 8.00–12.00 en 13.00–15.30")
    # every placeholder named in docs/intents.md can be filled
    for key in ("phone_franciscus_gasthuis", "phone_franciscus_vlietland", "phone_heilig_hart_leuven",
                "name_heilig_hart_leuven", "hours_franciscus_gasthuis"):
        assert key in tv
    "{phone_heilig_hart_leuven} / {emergency_number}".format(**tv)


def test_out_of_hours_and_emergency(clinics):
    assert out_of_hours_route("NL", clinics) == "de huisartsenpost"
    assert out_of_hours_route("be", clinics) == "de huisarts van wacht via 1733"
    both = out_of_hours_route(None, clinics)
    assert "huisartsenpost" in both and "1733" in both
    assert emergency_number() == "112"


# --------------------------------------------------------------------------- #
# opening hours: weekdays, lunch breaks, weekends
# --------------------------------------------------------------------------- #
# week of Monday 23 November 2026 (no holidays), 10:00 local
WEEK = [(dt.date(2026, 11, 23) + dt.timedelta(days=i)) for i in range(7)]
EXPECTED_OPEN_AT_10 = {
    GASTHUIS: [True, True, True, True, True, False, False],
    VLIETLAND: [True, True, True, True, False, False, False],
    LEUVEN: [True, True, True, True, True, False, False],
}


@pytest.mark.parametrize("line_id", [GASTHUIS, VLIETLAND, LEUVEN])
@pytest.mark.parametrize("weekday", range(7), ids=["ma", "di", "wo", "do", "vr", "za", "zo"])
def test_each_weekday_at_ten(clinics, line_id, weekday):
    day = WEEK[weekday]
    st = status(clinics, line_id, day.year, day.month, day.day, 10)
    assert st.is_open is EXPECTED_OPEN_AT_10[line_id][weekday]


@pytest.mark.parametrize(
    "line_id, hh, mm, is_open",
    [
        (GASTHUIS, 7, 59, False), (GASTHUIS, 8, 0, True), (GASTHUIS, 11, 59, True),
        (GASTHUIS, 12, 0, False), (GASTHUIS, 12, 59, False), (GASTHUIS, 13, 0, True),
        (GASTHUIS, 15, 29, True), (GASTHUIS, 15, 30, False),
        (VLIETLAND, 11, 59, True), (VLIETLAND, 12, 0, False), (VLIETLAND, 13, 0, True),
        (LEUVEN, 8, 59, False), (LEUVEN, 9, 0, True), (LEUVEN, 12, 29, True), (LEUVEN, 12, 30, False),
        (LEUVEN, 14, 29, False), (LEUVEN, 14, 30, True), (LEUVEN, 17, 29, True), (LEUVEN, 17, 30, False),
    ],
)
def test_edges_of_opening_periods(clinics, line_id, hh, mm, is_open):
    # Tuesday 24 November 2026
    assert status(clinics, line_id, 2026, 11, 24, hh, mm).is_open is is_open


def test_open_until_and_describe(clinics):
    st = status(clinics, GASTHUIS, 2026, 11, 24, 9, 15)
    assert st.is_open and st.next_open is None
    assert st.closes_at == dt.datetime(2026, 11, 24, 12, 0, tzinfo=AMS)
    assert st.describe() == "nu open (tot 12:00)"
    assert status(clinics, LEUVEN, 2026, 11, 24, 15, 0).describe() == "nu open (tot 17:30)"


def test_lunch_break_reopens_today(clinics):
    st = status(clinics, GASTHUIS, 2026, 11, 24, 12, 30)
    assert not st.is_open
    assert st.next_open == dt.datetime(2026, 11, 24, 13, 0, tzinfo=AMS)
    assert st.describe() == "nu gesloten; weer open vandaag om 13:00"
    st = status(clinics, LEUVEN, 2026, 11, 24, 12, 30)
    assert st.describe() == "nu gesloten; weer open vandaag om 14:30"


def test_after_hours_reopens_tomorrow(clinics):
    st = status(clinics, GASTHUIS, 2026, 11, 24, 16, 0)
    assert st.next_open == dt.datetime(2026, 11, 25, 8, 0, tzinfo=AMS)
    assert st.describe() == "nu gesloten; weer open morgen om 08:00"


def test_vlietland_closed_on_friday(clinics):
    st = status(clinics, VLIETLAND, 2026, 11, 27, 10, 0)  # Friday
    assert not st.is_open
    assert st.next_open == dt.datetime(2026, 11, 30, 8, 0, tzinfo=AMS)
    assert st.describe() == "nu gesloten; weer open maandag 30 november om 08:00"
    assert status(clinics, GASTHUIS, 2026, 11, 27, 10, 0).is_open  # the Gasthuis is open


def test_weekend_and_next_open_across_weekend(clinics):
    # Friday 20 November 2026, 16:00 -> Monday 23 November 08:00
    st = status(clinics, GASTHUIS, 2026, 11, 20, 16, 0)
    assert not st.is_open
    assert st.next_open == dt.datetime(2026, 11, 23, 8, 0, tzinfo=AMS)
    assert st.describe() == "nu gesloten; weer open maandag 23 november om 08:00"
    for line_id in (GASTHUIS, VLIETLAND, LEUVEN):
        assert not status(clinics, line_id, 2026, 11, 21, 10).is_open  # Saturday
        assert not status(clinics, line_id, 2026, 11, 22, 10).is_open  # Sunday
    # Saturday -> Monday (not "morgen")
    st = status(clinics, LEUVEN, 2026, 11, 21, 12, 0)
    assert st.describe() == "nu gesloten; weer open maandag 23 november om 09:00"
    # Sunday -> "morgen"
    assert status(clinics, LEUVEN, 2026, 11, 22, 12, 0).describe() == "nu gesloten; weer open morgen om 09:00"


# --------------------------------------------------------------------------- #
# public holidays
# --------------------------------------------------------------------------- #
def test_koningsdag_closes_dutch_lines_only(clinics):
    # Monday 27 April 2026
    for line_id in (GASTHUIS, VLIETLAND):
        st = status(clinics, line_id, 2026, 4, 27, 10, 0)
        assert not st.is_open
        assert st.holiday == "Koningsdag"
        assert st.next_open == dt.datetime(2026, 4, 28, 8, 0, tzinfo=AMS)
        assert st.describe() == "nu gesloten (Koningsdag); weer open morgen om 08:00"
    assert status(clinics, LEUVEN, 2026, 4, 27, 10, 0).is_open


def test_belgian_national_day_closes_leuven_only(clinics):
    # Tuesday 21 July 2026
    st = status(clinics, LEUVEN, 2026, 7, 21, 10, 0)
    assert not st.is_open
    assert st.holiday
    assert st.next_open == dt.datetime(2026, 7, 22, 9, 0, tzinfo=BRU)
    assert status(clinics, GASTHUIS, 2026, 7, 21, 10, 0).is_open
    assert status(clinics, VLIETLAND, 2026, 7, 21, 10, 0).is_open


def test_next_open_skips_a_holiday(clinics):
    # Sunday 26 April 2026 -> Monday is Koningsdag -> Tuesday 28 April 08:00
    st = status(clinics, GASTHUIS, 2026, 4, 26, 12, 0)
    assert st.next_open == dt.datetime(2026, 4, 28, 8, 0, tzinfo=AMS)
    assert st.describe() == "nu gesloten; weer open dinsdag 28 april om 08:00"
    # Monday 20 July 2026 17:30 (Leuven just closed) -> 21 July holiday -> Wednesday 22 July 09:00
    st = status(clinics, LEUVEN, 2026, 7, 20, 17, 30)
    assert st.next_open == dt.datetime(2026, 7, 22, 9, 0, tzinfo=BRU)
    assert st.describe() == "nu gesloten; weer open woensdag 22 juli om 09:00"


# --------------------------------------------------------------------------- #
# time zones and daylight saving time
# --------------------------------------------------------------------------- #
def test_naive_datetimes_are_utc(clinics):
    line = clinics.line(GASTHUIS)
    # 07:00 UTC on Tuesday 24 November 2026 = 08:00 in Amsterdam (winter time)
    assert line_status(line, dt.datetime(2026, 11, 24, 7, 0)).is_open
    assert not line_status(line, dt.datetime(2026, 11, 24, 6, 59)).is_open
    st = line_status(line, dt.datetime(2026, 11, 24, 6, 59))
    assert st.next_open.tzinfo is not None and st.next_open.utcoffset() == dt.timedelta(hours=1)
    assert st.now.tzinfo is not None and str(st.now.tzinfo) == "Europe/Amsterdam"


def test_default_now_is_current_time(clinics):
    st = line_status(clinics.line(GASTHUIS))
    assert abs((st.now - dt.datetime.now(UTC)).total_seconds()) < 60


def test_spring_dst_switch(clinics):
    # clocks go forward on Sunday 29 March 2026 (CET +1 -> CEST +2)
    g = clinics.line(GASTHUIS)
    # Friday 27 March 16:00 local -> Monday 30 March 08:00 local = 06:00 UTC
    st = line_status(g, dt.datetime(2026, 3, 27, 16, 0, tzinfo=AMS))
    assert st.next_open == dt.datetime(2026, 3, 30, 8, 0, tzinfo=AMS)
    assert st.next_open.astimezone(UTC) == dt.datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    # the Friday before opened at 07:00 UTC
    assert line_status(g, dt.datetime(2026, 3, 27, 7, 0, tzinfo=UTC)).is_open
    assert not line_status(g, dt.datetime(2026, 3, 27, 6, 59, tzinfo=UTC)).is_open
    # Monday after the switch: open from 06:00 UTC, not from 07:00 UTC
    assert not line_status(g, dt.datetime(2026, 3, 30, 5, 59, tzinfo=UTC)).is_open
    assert line_status(g, dt.datetime(2026, 3, 30, 6, 0, tzinfo=UTC)).is_open
    assert line_status(g, dt.datetime(2026, 3, 30, 6, 0)).is_open  # naive = UTC
    # during the switch night itself: closed, next opening Monday
    st = line_status(g, dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC))
    assert not st.is_open and st.next_open == dt.datetime(2026, 3, 30, 8, 0, tzinfo=AMS)
    # Leuven (Brussels switches at the same moment): Monday 09:00 local = 07:00 UTC
    l = clinics.line(LEUVEN)
    assert not line_status(l, dt.datetime(2026, 3, 30, 6, 59, tzinfo=UTC)).is_open
    assert line_status(l, dt.datetime(2026, 3, 30, 7, 0, tzinfo=UTC)).is_open


def test_autumn_dst_switch(clinics):
    # clocks go back on Sunday 25 October 2026 (CEST +2 -> CET +1)
    g = clinics.line(GASTHUIS)
    st = line_status(g, dt.datetime(2026, 10, 23, 16, 0, tzinfo=AMS))  # Friday
    assert st.next_open == dt.datetime(2026, 10, 26, 8, 0, tzinfo=AMS)
    assert st.next_open.astimezone(UTC) == dt.datetime(2026, 10, 26, 7, 0, tzinfo=UTC)
    # Friday before: opens 06:00 UTC; Monday after: opens 07:00 UTC
    assert line_status(g, dt.datetime(2026, 10, 23, 6, 0, tzinfo=UTC)).is_open
    assert not line_status(g, dt.datetime(2026, 10, 26, 6, 30, tzinfo=UTC)).is_open
    assert line_status(g, dt.datetime(2026, 10, 26, 7, 0, tzinfo=UTC)).is_open
    # the repeated hour (02:00-03:00 local twice) is handled without errors
    st = line_status(g, dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    assert not st.is_open and st.next_open == dt.datetime(2026, 10, 26, 8, 0, tzinfo=AMS)
    l = clinics.line(LEUVEN)
    assert not line_status(l, dt.datetime(2026, 10, 26, 7, 59, tzinfo=UTC)).is_open
    assert line_status(l, dt.datetime(2026, 10, 26, 8, 0, tzinfo=UTC)).is_open


def test_other_time_zone_input(clinics):
    # 08:00 in London (GMT) on a November Tuesday = 09:00 in Amsterdam / Brussels
    london = ZoneInfo("Europe/London")
    now = dt.datetime(2026, 11, 24, 8, 0, tzinfo=london)
    assert line_status(clinics.line(LEUVEN), now).is_open
    assert line_status(clinics.line(GASTHUIS), now).describe() == "nu open (tot 12:00)"


# --------------------------------------------------------------------------- #
# which line for which treatment / location
# --------------------------------------------------------------------------- #
def ids(lines):
    return [line.id for line in lines]


@pytest.mark.parametrize(
    "treatment, location, expected",
    [
        ("triggerpoint_injectie", GASTHUIS, [GASTHUIS]),
        ("triggerpoint_injectie", VLIETLAND, [VLIETLAND]),
        ("triggerpoint_injectie", None, [GASTHUIS, VLIETLAND]),
        ("triggerpoint_injectie", "onbekend_ziekenhuis", [GASTHUIS, VLIETLAND]),
        ("facetinfiltratie", None, [LEUVEN]),
        ("facetdenervatie", None, [LEUVEN]),
        ("facetinfiltratie", LEUVEN, [LEUVEN]),
        ("dry_needling", None, []),
        ("triggerpointtherapie", None, []),
        ("dry_needling", LEUVEN, []),
        (None, None, [GASTHUIS, VLIETLAND, LEUVEN]),
        ("iets_anders", None, [GASTHUIS, VLIETLAND, LEUVEN]),
        (None, VLIETLAND, [VLIETLAND]),
        (None, LEUVEN, [LEUVEN]),
        ("", "", [GASTHUIS, VLIETLAND, LEUVEN]),
        # location that does not match the treatment: the patient's own hospital first
        ("facetinfiltratie", GASTHUIS, [GASTHUIS, LEUVEN]),
    ],
)
def test_lines_for(clinics, treatment, location, expected):
    assert ids(lines_for(treatment, location, clinics)) == expected


def test_lines_for_without_explicit_clinics():
    assert ids(lines_for("facetdenervatie", None)) == [LEUVEN]


def test_treatment_contact_for_therapist_treatments(clinics):
    assert "therapeut" in cl.treatment_contact("dry_needling", clinics)
    assert "huisarts" in cl.treatment_contact("triggerpointtherapie", clinics)
    assert cl.treatment_contact("facetinfiltratie", clinics) is None


# --------------------------------------------------------------------------- #
# loading: env override, cache, validation
# --------------------------------------------------------------------------- #
def test_env_override_and_reload_on_change(tmp_path, monkeypatch):
    text = CLINICS_YML.read_text(encoding="utf-8")
    leuven_phone = load_clinics().line(LEUVEN).phone
    alt = tmp_path / "clinics.yml"
    alt.write_text(text.replace(f'"{leuven_phone}"', '"016/00 00 00"'), encoding="utf-8")
    monkeypatch.setenv("CLINICS_FILE", str(alt))
    c1 = load_clinics()
    assert c1.line(LEUVEN).phone == "016/00 00 00"
    assert load_clinics() is c1  # cached
    alt.write_text(text.replace(f'"{leuven_phone}"', '"016/11 11 11 "'), encoding="utf-8")
    assert load_clinics().line(LEUVEN).phone == "016/11 11 11 "
    monkeypatch.delenv("CLINICS_FILE")
    assert load_clinics().line(LEUVEN).phone == leuven_phone


@pytest.mark.parametrize(
    "old, new",
    [
        ('mon: ["08:00-12:00", "13:00-15:30"]', 'mon: ["8-12"]'),
        ('mon: ["08:00-12:00", "13:00-15:30"]', 'mon: ["12:00-08:00"]'),
        ('mon: ["08:00-12:00", "13:00-15:30"]', 'mon: ["08:00-12:00", "11:00-15:30"]'),
        ("timezone: Europe/Brussels", "timezone: Europe/Leuven"),
        ("holidays: BE", "holidays: XX"),
        ("    line: heilig_hart_leuven", "    line: nergens"),
        ("      sun: []\n", "      sun: []\n      zon: []\n"),
    ],
)
def test_invalid_files_give_clear_errors(tmp_path, old, new):
    text = CLINICS_YML.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "clinics.yml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ClinicsConfigError):
        load_clinics(bad)


def test_missing_file(tmp_path):
    with pytest.raises(ClinicsConfigError):
        load_clinics(tmp_path / "nope.yml")
