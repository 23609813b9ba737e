"""Tests for the safety rulebook loader (actions/lib/safety/rulebook.py): the rulebook
in config/safety/ loads, and a typo in a file raises a clear error naming the file and
the entry instead of silently changing what raises an alarm."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from actions.lib.safety.rulebook import (  # noqa: E402
    DEFAULT_DIR,
    RULEBOOK,
    RulebookError,
    Token,
    load_rulebook,
    parse_pattern,
)
from actions.lib.safety.signs import SIGNS  # noqa: E402

pytestmark = pytest.mark.safety  # selected with the other safety tests: pytest -k "red_flag or safety"


@pytest.fixture
def book(tmp_path):
    """A copy of the real rulebook to break."""
    target = tmp_path / "safety"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _error(directory: Path) -> str:
    with pytest.raises(RulebookError) as info:
        load_rulebook(directory)
    return str(info.value)


# --------------------------------------------------------------------------- #
# the real rulebook
# --------------------------------------------------------------------------- #
def test_real_rulebook_loads_and_every_list_is_used():
    import actions.lib.red_flags  # noqa: F401  (binds every word list of the engine)

    assert RULEBOOK.patterns and RULEBOOK.groups
    RULEBOOK.check_all_used()
    named = {p.sign for p in RULEBOOK.patterns if not p.sign.startswith("_")}
    assert named <= set(SIGNS)
    assert set(RULEBOOK.keyword_scan) <= set(SIGNS)


def test_a_fresh_copy_loads_like_the_real_one(book):
    rb = load_rulebook(book)
    assert [(p.sign, p.text) for p in rb.patterns] == [(p.sign, p.text) for p in RULEBOOK.patterns]
    assert rb.groups == RULEBOOK.groups
    assert dict(rb.words) == dict(RULEBOOK.words)


def test_pattern_tokens():
    groups = {"FEVER": frozenset({"koorts"})}
    tokens = parse_pattern("geen|weinig @FEVER meer? ~ ~1 weg", groups, "here")
    assert tokens == (
        Token(words=("geen", "weinig")),
        Token(groups=("FEVER",)),
        Token(words=("meer",), optional=True),
        Token(gap=2),
        Token(gap=1),
        Token(words=("weg",)),
    )


# --------------------------------------------------------------------------- #
# signs and groups
# --------------------------------------------------------------------------- #
def test_unknown_sign_name(book):
    _edit(book / "signs" / "fever.yml", "  _fever_temp:\n", "  fevr:\n")
    msg = _error(book)
    assert "signs/fever.yml" in msg and "unknown sign 'fevr'" in msg and "fever" in msg


def test_unknown_building_block(book):
    _edit(book / "signs" / "fever.yml", "  _verhoging:\n", "  _verhogng:\n")
    msg = _error(book)
    assert "signs/fever.yml" in msg and "unknown building block '_verhogng'" in msg


def test_unknown_benign_sign(book):
    _edit(book / "signs" / "infection.yml", '"_benign:infection_signs":', '"_benign:infection":')
    msg = _error(book)
    assert "signs/infection.yml" in msg and "unknown sign 'infection'" in msg


def test_unknown_group_reference(book):
    _edit(book / "signs" / "pain.yml", '- "@PAIN ~4 @MORE"', '- "@PAIN ~4 @MOER"')
    msg = _error(book)
    assert "signs/pain.yml" in msg
    assert "increasing_pain -> entry 2" in msg and "'@PAIN ~4 @MOER'" in msg
    assert "unknown group @MOER" in msg


def test_group_defined_twice(book):
    _append(book / "signs" / "pain.yml", "\n")
    _edit(book / "signs" / "pain.yml", "groups:\n", "groups:\n  FEVER: koorts\n")
    msg = _error(book)
    assert "FEVER" in msg and "already defined in signs/fever.yml" in msg


def test_a_sign_keeps_its_patterns_in_one_file(book):
    _edit(book / "signs" / "pain.yml", "patterns:\n", 'patterns:\n  fever:\n    - "gloeiend"\n')
    msg = _error(book)
    assert "signs/pain.yml" in msg and "fever" in msg and "one file" in msg


@pytest.mark.parametrize(
    "pattern, complaint",
    [
        ("koorts||rillingen", "empty alternative"),
        ("|koorts", "empty alternative"),
        ("~ koorts", "cannot start or end with a gap"),
        ("koorts ~2", "cannot start or end with a gap"),
        ("koorts ~x hoog", "'~x' is no gap"),
        ("koorts ~0 hoog", "'~0' is no gap"),
        ("koorts ~10 hoog", "'~10' is no gap"),
        ("koorts?? hoog", "malformed"),
        ("koo?rts", "malformed"),
        ("koorts~ hoog", "malformed"),
        ("hoog? koorts?", "at least one word that is not optional"),
        ("koorts@", "'@' only at the start"),
        ("Koorts", "capitals"),
        ("kóórts", "accent"),
        ("koorts|rillingen|koorts", "twice"),
        ("", "non-empty"),
    ],
)
def test_malformed_patterns(book, pattern, complaint):
    _edit(book / "signs" / "fever.yml", '    - "koude rillingen"', f'    - "{pattern}"')
    msg = _error(book)
    assert "signs/fever.yml: patterns -> fever -> entry 2" in msg, msg
    assert complaint in msg, msg


def test_pattern_that_is_not_text(book):
    _edit(book / "signs" / "fever.yml", '    - "koude rillingen"', "    - 38")
    msg = _error(book)
    assert "signs/fever.yml: patterns -> fever -> entry 2" in msg and "non-empty text" in msg


# --------------------------------------------------------------------------- #
# word lists
# --------------------------------------------------------------------------- #
def test_word_listed_twice(book):
    _edit(book / "context.yml", "negation_short: niet nie ni minder", "negation_short: niet nie ni minder niet")
    msg = _error(book)
    assert "context.yml: words -> negation_short" in msg and "'niet' is listed twice" in msg


def test_yaml_boolean_word_needs_quotes(book):
    _edit(book / "context.yml", "answer_no: nee neen nope", "answer_no: [nee, neen, no]")
    msg = _error(book)
    assert "context.yml: words -> answer_no" in msg and "quotes" in msg


def test_word_list_name_typo_is_reported(book):
    """A renamed list: the engine misses the old name and does not know the new one."""
    _edit(book / "context.yml", "  answer_no: nee neen nope", "  answer_noo: nee neen nope")
    rb = load_rulebook(book)  # the files themselves are well-formed
    with pytest.raises(RulebookError, match="needs the word list 'answer_no'"):
        for name in sorted(RULEBOOK.words.used):
            rb.words[name]
    with pytest.raises(RulebookError) as info:
        rb.check_all_used()
    assert "context.yml: answer_noo" in str(info.value)


def test_word_list_defined_twice(book):
    _edit(book / "signs" / "pain.yml", "keyword_scan:", "words:\n  fillers: een\n\nkeyword_scan:")
    msg = _error(book)
    assert "signs/pain.yml: words -> fillers: already defined in context.yml" in msg


def test_lexicon_refers_to_unknown_list(book):
    _edit(book / "lexicon.yml", "  - history_words\n", "  - history_wrods\n")
    msg = _error(book)
    assert "lexicon.yml: lexicon_includes: unknown word list 'history_wrods'" in msg


def test_two_word_phrase_lists_must_have_two_words(book):
    _edit(book / "context.yml", "[vorige zomer, vorige winter]", "[vorige zomer, vorige winter, de vorige keer]")
    rb = load_rulebook(book)
    with pytest.raises(RulebookError, match="context.yml: phrases -> recent_past: every phrase must have 2 words"):
        rb.phrases.fixed("recent_past", 2)


# --------------------------------------------------------------------------- #
# other sections and files
# --------------------------------------------------------------------------- #
def test_unknown_section(book):
    _append(book / "signs" / "pain.yml", "\npaterns:\n  increasing_pain: []\n")
    msg = _error(book)
    assert "signs/pain.yml: unknown section 'paterns'" in msg


def test_keyword_scan_checks(book):
    _edit(book / "signs" / "pain.yml", "  increasing_pain: '", "  increasing_pian: '")
    assert "unknown sign 'increasing_pian'" in _error(book)


def test_keyword_scan_bad_expression(book):
    _edit(book / "signs" / "pain.yml", r"'\b(steeds erger", r"'\b((steeds erger")
    msg = _error(book)
    assert "signs/pain.yml: keyword_scan -> increasing_pain: not a valid regular expression" in msg


def test_emergency_upgrade_checks(book):
    _edit(book / "signs" / "emergencies.yml", "    to: sudden_weakness", "    to: stroke")
    assert "emergency_upgrades -> entry 1: unknown sign 'stroke'" in _error(book)


def test_emergency_upgrade_unknown_word_list(book):
    _edit(book / "signs" / "emergencies.yml", "when_sentence_has: sudden_words", "when_sentence_has: sudden")
    assert "needs the word list 'sudden'" in _error(book)


def test_subsumes_unknown_sign(book):
    _edit(book / "signs" / "emergencies.yml", "  heavy_bleeding: bleeding", "  heavy_bleeding: bloeding")
    assert "subsumes -> heavy_bleeding: unknown sign 'bloeding'" in _error(book)


def test_temperature_thresholds_checked(book):
    _edit(book / "signs" / "fever.yml", "fever_from: 38.0", "fever_from: '38'")
    assert "signs/fever.yml: temperature -> fever_from: expected a number" in _error(book)


def test_yaml_syntax_error_names_the_file(book):
    _append(book / "signs" / "bleeding.yml", "\npatterns: [unclosed\n")
    assert _error(book).startswith("signs/bleeding.yml: not valid YAML")


def test_missing_file(book):
    (book / "context.yml").unlink()
    assert "context.yml is missing" in _error(book)


def test_section_of_the_wrong_shape(book):
    _append(book / "signs" / "pain.yml", "\nsubsumes: [bleeding]\n")
    assert "signs/pain.yml: subsumes: expected name: value entries" in _error(book)
