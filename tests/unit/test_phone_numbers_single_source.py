"""Phone numbers live in config/clinics.yml only: shown exactly as written there,
and written nowhere else in the code, the training data or the responses."""
import re
import subprocess
from pathlib import Path

import yaml

from addons.clinic_nlg import ClinicNaturalLanguageGenerator
from rasa.shared.core.domain import Domain

ROOT = Path(__file__).resolve().parents[2]
RAW = yaml.safe_load((ROOT / "config" / "clinics.yml").read_text(encoding="utf-8"))
PHONES = [line["phone"] for line in RAW["lines"]]
SHORT = [RAW["emergency_number"], RAW["gp_out_of_hours_be"]]
TEXT_FILES = (".py", ".yml", ".yaml", ".js", ".html", ".json", ".sh", ".css", ".cfg", ".ini")


def tracked_files():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout
    files = [ROOT / f for f in out.split()]
    # also files not yet committed, so the check works before the first commit
    return [f for f in files if f.suffix in TEXT_FILES and f.is_file()]


def digits_pattern(number: str) -> re.Pattern:
    """The number's digits with any separators in between (spaces, dashes, slashes, dots)."""
    digits = re.sub(r"\D", "", number)
    return re.compile(r"(?<!\d)" + r"[\s\-–/.]{0,3}".join(digits) + r"(?!\d)")


def test_clinic_numbers_appear_only_in_the_clinics_file():
    offenders = []
    for path in tracked_files():
        rel = path.relative_to(ROOT).as_posix()
        if rel == "config/clinics.yml" or rel.startswith(("tests/", "docs/first_runs/")):
            continue  # tests may use numbers as masking examples; they read the YAML otherwise;
            # docs/first_runs/ holds the bot's recorded replies of blind first runs (evidence)
        text = path.read_text(encoding="utf-8", errors="ignore")
        for phone in PHONES:
            if digits_pattern(phone).search(text):
                offenders.append(f"{rel}: {phone}")
    assert not offenders, offenders


def test_short_numbers_are_not_written_into_answers_or_code():
    # 112 and 1733 come from the clinics file as {emergency_number} / {gp_out_of_hours_be};
    # only the website widget's static notice may state 112 (it shows before any answer).
    offenders = []
    for path in tracked_files():
        rel = path.relative_to(ROOT).as_posix()
        if not rel.startswith(("actions/", "addons/", "data/", "domain.yml")):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for number in SHORT:
            if re.search(rf"(?<![\d.,]){number}(?![\d.,]\d|\d)", text):
                offenders.append(f"{rel}: {number}")
    assert not offenders, offenders


def test_every_number_is_shown_exactly_as_written():
    nlg = ClinicNaturalLanguageGenerator(domain=Domain.load(str(ROOT / "domain.yml")))
    text = nlg.generate_from_slots("utter_safety_failsafe", {}, "rest")["text"]
    for number in PHONES + SHORT:
        assert number in text
