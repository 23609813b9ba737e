"""Staff conversation tests: what the patient types, what the bot must (not) say.

    python -m qa.conversations [FILE_OR_DIR ...] [--url URL] [--report results/conversations.html]
                               [--junit results/conversations.xml]

Without --url the freshly trained assistant is started locally (as the end-to-end tests
do); with --url the tests run over Rasa's REST channel against any running assistant.
Exit status 1 when a test fails. The format is in docs/staff-tests.md:

    - test: Autorijden na een triggerpoint injectie
      steps:
        - patient: Mag ik na de triggerpoint injectie zelf naar huis rijden?
          bot_says: ["niet zelf", ["openbaar vervoer", "OV"]]   # each: text, or alternatives
          bot_never_says: ["24 uur"]
          answer: tpi.driving          # the answer (unit id in data/answers/) it must give
          line: franciscus_gasthuis    # a phone line (config/clinics.yml) it must give
          urgent: false                # true: must tell to call now; false: must not
          emergency: false             # true: must say "bel nu 112"
          not_in_leaflet: true         # must say honestly the leaflet doesn't say (with contact)
        - patient_taps: Dry needling   # tap a button of the previous reply
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qa.client import RestPatient
from qa.text_match import contains, is_alarm, is_emergency, is_honest_unknown, normalise

STEP_KEYS = {"patient", "patient_taps", "bot_says", "bot_never_says", "answer", "line",
             "urgent", "emergency", "not_in_leaflet", "note"}


class FormatError(ValueError):
    """A test file is not in the documented format (the message says where)."""


@dataclass
class Check:
    what: str          # shown in the report, e.g. 'says "niet zelf"'
    ok: bool


@dataclass
class StepResult:
    patient: str
    tapped: bool
    replies: list
    buttons: list
    checks: list = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and all(c.ok for c in self.checks)


@dataclass
class TestResult:
    file: str
    title: str
    steps: list

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)


# --------------------------------------------------------------------------- loading
def load_tests(paths: list[Path]) -> list[tuple[str, dict]]:
    files: list[Path] = []
    for p in paths:
        files += sorted(p.glob("*.yml")) if p.is_dir() else [p]
    tests = []
    for f in files:
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or []
        if not isinstance(data, list):
            raise FormatError(f"{f}: the file must be a list of tests (each starting with '- test:')")
        for i, t in enumerate(data, 1):
            where = f"{f}: test {i}"
            if not isinstance(t, dict) or not t.get("test") or not t.get("steps"):
                raise FormatError(f"{where}: needs 'test:' (a title) and 'steps:'")
            for j, step in enumerate(t["steps"], 1):
                unknown = set(step) - STEP_KEYS
                if unknown:
                    raise FormatError(f"{where} ({t['test']}), step {j}: unknown key(s) "
                                      f"{sorted(unknown)}; allowed: {sorted(STEP_KEYS)}")
                if ("patient" in step) == ("patient_taps" in step):
                    raise FormatError(f"{where} ({t['test']}), step {j}: write either "
                                      f"'patient:' or 'patient_taps:'")
            tests.append((f.as_posix(), t))
    return tests


# --------------------------------------------------------------------------- checking
def _answer_text(unit_id: str) -> str | None:
    from actions.lib.answer_library import library
    unit = library().unit(unit_id)
    return unit.answer if unit else None


def _line_phone(line_id: str) -> str | None:
    from actions.lib.clinics import load_clinics
    line = load_clinics().get_line(line_id)
    return line.phone if line else None


def answer_given(reply: str, unit_id: str) -> bool:
    """The reply contains the unit's answer (its text up to the first placeholder, or its
    first 120 characters), so the check is on what the patient reads."""
    text = _answer_text(unit_id)
    if text is None:
        return False
    head = re.split(r"\{[a-z_]+\}", text)[0].strip() or text
    head = normalise(head)[:120].strip()
    return head in normalise(reply)


def check_step(step: dict, reply: str) -> list[Check]:
    checks = []
    for expected in step.get("bot_says") or []:
        alternatives = [expected] if isinstance(expected, str) else list(expected)
        ok = any(contains(reply, a) for a in alternatives)
        checks.append(Check('says "' + '" or "'.join(alternatives) + '"', ok))
    for banned in step.get("bot_never_says") or []:
        checks.append(Check(f'does not say "{banned}"', not contains(reply, banned)))
    if step.get("answer"):
        if _answer_text(step["answer"]) is None:
            checks.append(Check(f"answer {step['answer']} exists in data/answers/", False))
        else:
            checks.append(Check(f"gives answer {step['answer']}", answer_given(reply, step["answer"])))
    if step.get("line"):
        phone = _line_phone(step["line"])
        checks.append(Check(f"gives line {step['line']} ({phone})",
                            bool(phone) and contains(reply, phone)))
    if "urgent" in step:
        want = bool(step["urgent"])
        checks.append(Check("tells to call now" if want else "raises no alarm",
                            is_alarm(reply) == want))
    if "emergency" in step:
        want = bool(step["emergency"])
        checks.append(Check("says to call 112 now" if want else "does not send to 112",
                            is_emergency(reply) == want))
    if step.get("not_in_leaflet"):
        checks.append(Check("says honestly the leaflet doesn't say, with a contact",
                            is_honest_unknown(reply)))
    return checks


def run_test(base_url: str, file: str, test: dict) -> TestResult:
    patient = RestPatient(base_url)
    steps = []
    for step in test["steps"]:
        tapped = "patient_taps" in step
        said = step.get("patient_taps") if tapped else step.get("patient")
        reply = patient.tap(str(said)) if tapped else patient.say(str(said))
        result = StepResult(patient=str(said), tapped=tapped, replies=list(reply.texts),
                            buttons=[b.get("title", "") for b in reply.buttons])
        if reply.error or reply.status != 200:
            result.error = reply.error or f"HTTP {reply.status}"
        elif not reply.texts:
            result.error = "no reply"
        result.checks = check_step(step, reply.text)
        steps.append(result)
    return TestResult(file=file, title=str(test["test"]), steps=steps)


def run_all(base_url: str, tests: list[tuple[str, dict]], workers: int = 4) -> list[TestResult]:
    with cf.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda ft: run_test(base_url, ft[0], ft[1]), tests))


def main(argv: list[str] | None = None) -> int:
    from qa.report import write_html, write_junit
    from qa.runner import assistant_url

    ap = argparse.ArgumentParser(description="Run staff conversation tests (docs/staff-tests.md).")
    ap.add_argument("paths", nargs="*", type=Path, default=[Path("tests/conversations")])
    ap.add_argument("--url", help="a running assistant, e.g. https://test.example.org")
    ap.add_argument("--report", type=Path, default=Path("results/conversations.html"))
    ap.add_argument("--junit", type=Path, default=Path("results/conversations.xml"))
    args = ap.parse_args(argv)
    try:
        tests = load_tests(args.paths)
    except (FormatError, yaml.YAMLError, OSError) as e:
        print(f"Cannot read the tests: {e}", file=sys.stderr)
        return 2
    if not tests:
        print("No tests found.", file=sys.stderr)
        return 2
    with assistant_url(args.url) as base:
        results = run_all(base, tests)
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"FAILED  {r.title}  ({r.file})")
        for i, s in enumerate(r.steps, 1):
            for c in s.checks:
                if not c.ok:
                    print(f"        step {i}: '{s.patient[:60]}': {c.what}")
            if s.error:
                print(f"        step {i}: {s.error}")
    write_html(results, args.report, target=args.url or "de net getrainde assistent")
    write_junit(results, args.junit)
    print(f"{len(results) - len(failed)}/{len(results)} conversation tests passed. "
          f"Report: {args.report.resolve().as_uri()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
