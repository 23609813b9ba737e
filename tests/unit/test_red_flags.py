"""Tests for actions/lib/red_flags.py: the rule-based safety triage.

Four corpora are run case by case, then summarised per corpus: recall on red
flags + emergencies must be 100 % and the false-alarm rate on negated / benign /
hypothetical messages 0 %.

    tests/safety/red_flag_corpus.yml          the development corpus
    tests/safety/red_flag_corpus_blind.yml    written before reading the rules (new wording)
    tests/safety/red_flag_corpus_blind2.yml   a second one, written later the same way
    tests/safety/red_flag_corpus_blind3.yml   a third, in deliberately different styles
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from actions.lib.red_flags import (  # noqa: E402
    EMERGENCY_SIGNS,
    LEVELS,
    MAX_ANALYSED_CHARS,
    RED_FLAG_SIGNS,
    Assessment,
    assess,
    warm_up,
)

CORPUS_PATH = ROOT / "tests" / "safety" / "red_flag_corpus.yml"
BLIND_CORPUS_PATH = ROOT / "tests" / "safety" / "red_flag_corpus_blind.yml"
BLIND2_CORPUS_PATH = ROOT / "tests" / "safety" / "red_flag_corpus_blind2.yml"
BLIND3_CORPUS_PATH = ROOT / "tests" / "safety" / "red_flag_corpus_blind3.yml"


def _load(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


CASES: list[dict] = _load(CORPUS_PATH)
BLIND_CASES: list[dict] = _load(BLIND_CORPUS_PATH)
BLIND2_CASES: list[dict] = _load(BLIND2_CORPUS_PATH)
BLIND3_CASES: list[dict] = _load(BLIND3_CORPUS_PATH)
CORPORA: dict[str, list[dict]] = {"corpus": CASES, "blind": BLIND_CASES, "blind2": BLIND2_CASES,
                                  "blind3": BLIND3_CASES}

TREATMENTS = (
    "triggerpoint_injectie",
    "triggerpointtherapie",
    "dry_needling",
    "facetinfiltratie",
    "facetdenervatie",
)
ALARM = ("emergency", "red_flag")
POSITIVE_CATEGORIES = ("positive", "emergency")
NO_ALARM_CATEGORIES = ("negated", "benign", "hypothetical")


def _case_id(i: int, case: dict) -> str:
    slug = "".join(ch if ch.isalnum() else "_" for ch in case["text"][:32]).strip("_")
    return f"{i:03d}-{case['category']}-{slug}"


def _observed_signs(case: dict, result: Assessment) -> list[str]:
    if case["level"] == "hypothetical":
        return sorted(result.hypothetical)
    return sorted(result.signs)


@pytest.fixture(scope="module", autouse=True)
def _warm():
    warm_up()


# --------------------------------------------------------------------------- #
# corpus
# --------------------------------------------------------------------------- #
def _check_case(case: dict) -> None:
    result = assess(case["text"])
    expected_signs = sorted(case.get("signs") or [])
    assert result.level == case["level"], (case["text"], result)
    assert _observed_signs(case, result) == expected_signs, (case["text"], result)
    if case["level"] in ("none", "hypothetical"):
        assert result.signs == [], (case["text"], result)
    if "third_person" in case:
        assert result.third_person is case["third_person"], (case["text"], result)
    if "temperature" in case:
        assert result.temperature == pytest.approx(case["temperature"]), (case["text"], result)


ALL_CASES = [(name, i, c) for name, cases in CORPORA.items() for i, c in enumerate(cases)]


@pytest.mark.parametrize("case", [c for _, _, c in ALL_CASES],
                         ids=[f"{name}-{_case_id(i, c)}" for name, i, c in ALL_CASES])
def test_corpus_case(case):
    _check_case(case)


@pytest.mark.parametrize("name", list(CORPORA))
def test_corpus_is_well_formed(name):
    cases = CORPORA[name]
    assert len(cases) >= (170 if name == "corpus" else 180)
    texts = [c["text"] for c in cases]
    duplicates = [t for t, n in Counter(texts).items() if n > 1]
    assert not duplicates, duplicates
    cats = Counter(c["category"] for c in cases)
    assert cats["hypothetical"] >= (25 if name == "corpus" else 30), cats
    assert cats["negated"] + cats["benign"] >= (55 if name == "corpus" else 65), cats
    known_signs = set(EMERGENCY_SIGNS) | set(RED_FLAG_SIGNS)
    for c in cases:
        assert c["level"] in LEVELS, c
        assert set(c.get("signs") or []) <= known_signs, c
        assert c["category"] in POSITIVE_CATEGORIES + NO_ALARM_CATEGORIES, c
        if c["category"] == "emergency":
            assert c["level"] == "emergency", c
        if c["category"] == "positive":
            assert c["level"] == "red_flag", c
        if c["category"] in ("negated", "benign"):
            assert c["level"] == "none" and not c.get("signs"), c
        if c["category"] == "hypothetical":
            assert c["level"] == "hypothetical" and c.get("signs"), c


def test_blind_corpora_are_new_wording():
    seen = {c["text"].strip().lower() for c in CASES}
    for cases in (BLIND_CASES, BLIND2_CASES, BLIND3_CASES):
        reused = [c["text"] for c in cases if c["text"].strip().lower() in seen]
        assert not reused, reused
        seen |= {c["text"].strip().lower() for c in cases}


# Signs added after the first four corpora were written; the issue-9 corpora (blind4_*)
# cover them (test_blind4_corpora_cover_every_sign).
SIGNS_ADDED_LATER = {"allergic_reaction"}
# The corpora written for issue 9 (plain lists with `expected`): blind4_*, blind5_*, ...
BLIND4 = [c for f in sorted((ROOT / "tests" / "safety").glob("blind[0-9]*_*.yml"))
          for c in yaml.safe_load(f.read_text(encoding="utf-8"))]
BLIND4_SIGN = {"allergy": "allergic_reaction"}


@pytest.mark.parametrize("name", list(CORPORA))
def test_corpus_covers_every_sign_treatment_and_feature(name):
    positives = [c for c in CORPORA[name] if c["category"] in POSITIVE_CATEGORIES]
    found_signs = {s for c in positives for s in c["signs"]}
    assert found_signs >= (set(EMERGENCY_SIGNS) | set(RED_FLAG_SIGNS)) - SIGNS_ADDED_LATER, found_signs
    for treatment in TREATMENTS:
        assert any(treatment in c.get("tags", []) for c in positives), treatment
    for feature in ("typo", "flemish", "third_person", "temperature"):
        assert sum(feature in c.get("tags", []) for c in positives) >= 3, feature


_RANK = {"none": 0, "hypothetical": 0, "red_flag": 1, "emergency": 2}


@pytest.mark.parametrize("name", list(CORPORA))
def test_corpus_summary(name, capsys):
    """Recall / false alarms per corpus (printed, and must be perfect).

    Recall counts a red flag / emergency as found only at its own level or higher.
    """
    cases = CORPORA[name]
    positives = [c for c in cases if c["category"] in POSITIVE_CATEGORIES]
    no_alarm = [c for c in cases if c["category"] in NO_ALARM_CATEGORIES]
    emergencies = [c for c in cases if c["category"] == "emergency"]
    benign = [c for c in cases if c["category"] in ("negated", "benign")]

    missed = [c["text"] for c in positives if _RANK[assess(c["text"]).level] < _RANK[c["level"]]]
    false_alarms = [c["text"] for c in no_alarm if assess(c["text"]).level in ALARM]
    emergencies_low = [c["text"] for c in emergencies if assess(c["text"]).level != "emergency"]
    benign_as_emergency = [c["text"] for c in benign if assess(c["text"]).level == "emergency"]
    hyp_ok = sum(assess(c["text"]).level == "hypothetical" for c in no_alarm if c["category"] == "hypothetical")
    n_hyp = sum(c["category"] == "hypothetical" for c in no_alarm)

    recall = 100.0 * (len(positives) - len(missed)) / len(positives)
    fa_rate = 100.0 * len(false_alarms) / len(no_alarm)
    line = (
        f"red-flag {name} ({len(cases)} cases): recall {recall:.1f}% (n={len(positives)}), "
        f"false alarms {fa_rate:.1f}% (n={len(no_alarm)}), "
        f"emergencies: {len(emergencies) - len(emergencies_low)}/{len(emergencies)} as emergency, "
        f"benign as emergency: {len(benign_as_emergency)}/{len(benign)}, "
        f"hypotheticals recognised: {hyp_ok}/{n_hyp}"
    )
    with capsys.disabled():  # visible even with pytest -q
        print("\n" + line)

    assert not missed, missed
    assert not false_alarms, false_alarms
    assert not emergencies_low, emergencies_low
    assert not benign_as_emergency, benign_as_emergency
    assert recall == 100.0
    assert fa_rate == 0.0


def test_speed_per_message(capsys):
    texts = [c["text"] for c in CASES + BLIND_CASES]
    for t in texts:  # warm the caches
        assess(t)
    timings = []
    for _ in range(3):
        for t in texts:
            start = time.perf_counter()
            assess(t)
            timings.append(time.perf_counter() - start)
    median_ms = statistics.median(timings) * 1000
    p95_ms = sorted(timings)[int(0.95 * len(timings))] * 1000
    with capsys.disabled():
        print(f"\nred-flag timing: median {median_ms:.2f} ms, p95 {p95_ms:.2f} ms per message")
    assert median_ms < 5.0
    assert p95_ms < 25.0  # generous: shared CI machines


# --------------------------------------------------------------------------- #
# specific behaviour
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "text, level, temperature",
    [
        ("38,5", "red_flag", 38.5),
        ("38.2 graden", "red_flag", 38.2),
        ("39 graden", "red_flag", 39.0),
        ("temperatuur van 38", "red_flag", 38.0),
        ("ik heb 38,7", "red_flag", 38.7),
        ("ik heb 38,5°C", "red_flag", 38.5),
        ("37,5", "none", 37.5),
        ("37,9 graden", "none", 37.9),
        ("ik ben 38 jaar", "none", None),
        ("het kost 38,50 euro", "none", None),
        ("om 12:00 heb ik een afspraak", "none", None),
    ],
)
def test_temperatures(text, level, temperature):
    result = assess(text)
    assert result.level == level, result
    if temperature is None:
        assert result.temperature is None
    else:
        assert result.temperature == pytest.approx(temperature)


@pytest.mark.parametrize(
    "text",
    ["ik heb geen koorts", "ik heb géén koorts", "ik heb GEEN koorts", "Ik heb gééén koorts", "ik heb geeeen koooorts"],
)
def test_accents_and_case_do_not_matter(text):
    result = assess(text)
    assert result.level == "none"
    assert result.negated == ["fever"]


def test_negation_scope_ends_at_maar_wel():
    result = assess("geen koorts maar wel pus")
    assert result.level == "red_flag"
    assert result.signs == ["infection_signs"]
    assert result.negated == ["fever"]


def test_hypothetical_keeps_sign_but_no_alarm():
    result = assess("wie bel ik als ik koorts krijg?")
    assert result.level == "hypothetical"
    assert result.signs == []
    assert result.hypothetical == ["fever"]
    assert not result.is_alarm


def test_emergency_beats_red_flag_and_subsumes_mild_twin():
    result = assess("het blijft maar bloeden en ik heb koorts")
    assert result.level == "emergency"
    assert "heavy_bleeding" in result.signs and "bleeding" not in result.signs
    assert "fever" in result.signs


@pytest.mark.parametrize(
    "typo, sign",
    [("koors", "fever"), ("koorst", "fever"), ("bloedng", "bleeding"), ("ontsteeking", "infection_signs")],
)
def test_typos(typo, sign):
    assert sign in assess(f"ik heb {typo} na de injectie").signs


@pytest.mark.parametrize(
    "text, level, signs",
    [
        ("ik voel mijn voet steeds minder", "red_flag", ["loss_of_feeling"]),
        ("ik kan mijn plas niet goed kwijt sinds gisteren", "red_flag", ["urination_difficulty"]),
        ("nog altijd hoofdpijn en een stijve pijnlijke nek na de infiltratie", "red_flag", ["headache_neck_pain"]),
        ("er spuit bloed uit en het houdt niet op", "emergency", ["heavy_bleeding"]),
        ("de mond van mijn man hangt scheef en hij praat raar", "emergency", ["sudden_weakness"]),
        ("mijn moeder verliest sinds de infiltratie haar urine", "red_flag", ["incontinence"]),
        ("mag ik zwarte koffie drinken voor de prik", "none", []),
        ("do I have to stop my blood thinners?", "none", []),
    ],
)
def test_required_cases(text, level, signs):
    result = assess(text)
    assert result.level == level, result
    assert result.signs == signs, result


@pytest.mark.parametrize(
    "word", ["zwarte", "zwarter", "blood", "bleeding", "infection", "swelling", "klachtje"]
)
def test_common_words_are_not_typos(word):
    """Real (inflected / English) words near a sign word are never "corrected" into it."""
    assert assess(f"mag ik na de prik iets vragen over {word}").level == "none"


@pytest.mark.parametrize(
    "typo, sign", [("rillinge", "fever"), ("koortz", "fever"), ("gezwolen", "infection_signs")]
)
def test_typos_within_a_word_family_are_still_corrected(typo, sign):
    assert sign in assess(f"ik heb {typo} sinds de prik").signs


@pytest.mark.parametrize(
    "text, level",
    [
        ("'k heb gene koorts", "none"),
        ("'k voel mijn tenen nie meer", "red_flag"),
        ("kan nauwelijks ademhalen", "emergency"),      # subject left out: a statement
        ("kan ik koorts krijgen van de prik", "hypothetical"),
        ("het bloeden is na vijf minuten gestopt", "none"),
        ("de koorts is even gezakt maar nu terug", "red_flag"),
        ("het blijft een beetje bloeden", "red_flag"),
        ("het blijft maar bloeden", "emergency"),
        ("ik drink graag rode wijn", "none"),
        ("de rode plek rond de prik wordt groter", "red_flag"),
        ("ik zit te rillen van de kou", "none"),
    ],
)
def test_generalised_rules(text, level):
    assert assess(text).level == level


@pytest.mark.parametrize("word", ["koortslip", "koortswerende", "koortsthermometer", "bloedverdunners", "letter"])
def test_compounds_and_real_words_are_not_typos(word):
    assert assess(f"ik heb een vraag over {word}").level == "none"


def test_third_person():
    assert assess("mijn vader heeft koorts sinds zijn infiltratie").third_person is True
    assert assess("ik heb koorts sinds mijn infiltratie").third_person is False
    assert assess("Mijn man heeft mij gebracht, maar ik heb nu koorts").third_person is False


# --------------------------------------------------------------------------- #
# robustness: never raise, long inputs
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n", None, 12345, b"ik heb koorts", "😱😱😱", "日本語のテキスト", "مرحبا بك", "????", "38",
     "\x00\x01\x02", "ｋｏｏｒｔｓ", "a" * 5000, "🤒 " * 3000, "-" * 100, "'" * 50, "\u200b\u200b"],
)
def test_odd_input_never_raises(text):
    result = assess(text)
    assert isinstance(result, Assessment)
    assert result.level in LEVELS


def test_random_garbage_never_raises():
    rng = random.Random(42)
    alphabet = "abcdefghijklmnopqrstuvwxyzéëïöü0123456789 .,!?;:'-\n😀🤒日本€°"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
        assert assess(text).level in LEVELS


def test_long_input_is_capped_but_tail_is_scanned():
    filler = "Ik wil graag weten hoe de behandeling verloopt. " * 2200  # ~100 000 chars
    assert len(filler) > 100_000 - 5000
    start = time.perf_counter()
    quiet = assess(filler)
    assert quiet.level == "none" and quiet.truncated
    alarm = assess(filler + " Ik heb ineens koorts.")
    elapsed = time.perf_counter() - start
    assert alarm.truncated
    assert alarm.level == "red_flag" and "fever" in alarm.signs
    emergency = assess("x" * (MAX_ANALYSED_CHARS + 10) + " ik heb pijn op de borst")
    assert emergency.level == "emergency"
    negated_tail = assess("x" * (MAX_ANALYSED_CHARS + 10) + " ik heb geen koorts")
    assert negated_tail.level == "none"
    assert elapsed < 2.0


def test_analysis_window_exact():
    head = "a " * (MAX_ANALYSED_CHARS // 2)
    result = assess(head[: MAX_ANALYSED_CHARS - 20] + " koorts")
    assert result.truncated is False
    assert result.level == "red_flag"


def test_blind4_corpora_cover_every_sign_added_later():
    labelled = {BLIND4_SIGN.get(c["sign"], c["sign"]) for c in BLIND4 if c["expected"] != "no_alarm"}
    assert SIGNS_ADDED_LATER <= labelled


@pytest.mark.parametrize("case", BLIND4, ids=lambda c: c["id"])
def test_blind4_regression_case(case):
    """Issue-9 corpora (first run in docs/safety.md; fixed against since): the level."""
    result = assess(case["text"])
    if case["expected"] == "emergency":
        assert result.level == "emergency", (case["text"], result)
    elif case["expected"] == "red_flag":
        assert result.level == "red_flag", (case["text"], result)
    else:
        assert not result.is_alarm, (case["text"], result)
