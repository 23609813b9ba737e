"""Input cleaning and limits shared by every channel (actions/lib/input_limits.py).

The channel-level behaviour is tested per channel: tests/robustness (REST),
tests/channels/test_socketio.py, tests/channels/test_whatsapp.py.
"""
from __future__ import annotations

import time

import pytest

from actions.lib.input_limits import (
    EMPTY_MESSAGE_INTENT,
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    PASSAGE_SEPARATOR,
    clean_text,
    failure_reply,
    prepare_message,
    sender_problem,
)


def test_prepare_a_normal_message():
    prepared = prepare_message("Hoe lang duurt het?")
    assert prepared == prepare_message("Hoe lang duurt het?")
    assert (prepared.text, prepared.parse_data, prepared.truncated, prepared.empty) == (
        "Hoe lang duurt het?", None, False, False)


@pytest.mark.parametrize("raw", ["", "   ", "\n\t", "\x00\x07", "\u00a0\u2003", None, 42, {}])
def test_empty_or_not_text_becomes_the_nonsense_intent(raw):
    prepared = prepare_message(raw)
    assert prepared.empty and prepared.text == ""
    assert prepared.parse_data["intent"] == {"name": EMPTY_MESSAGE_INTENT, "confidence": 1.0}
    assert prepared.parse_data["entities"] == []


def test_long_messages_are_cut_quickly_and_alarms_kept():
    for raw in ("a" * 100_000, "😀" * 100_000, "pijn " * 20_000):
        t0 = time.perf_counter()
        prepared = prepare_message(raw)
        assert time.perf_counter() - t0 < 2
        assert prepared.truncated and len(prepared.text) == MAX_MESSAGE_CHARS
        assert prepared.original_chars == len(raw)
    late = prepare_message("bla " * 12_500 + "Ik heb koorts sinds de infiltratie. " + "bla " * 12_500)
    assert PASSAGE_SEPARATOR in late.text and "koorts" in late.text
    assert len(late.text) <= MAX_MESSAGE_CHARS


def test_cleaning():
    assert clean_text("a\x00b\x1bc\td\ne\x85")[0] == "abc\td\ne"
    assert clean_text("\ud800 hoi")[0] == "? hoi"


@pytest.mark.parametrize("sender,ok", [
    ("abc", True), ("31612345678", True), ("x" * MAX_SENDER_CHARS, True),
    ("x" * (MAX_SENDER_CHARS + 1), False), ("", False), ("  ", False), (None, False),
    (42, False), (["x"], False), ("a\x00b", False), ("a\ud800", False),
])
def test_sender_problem(sender, ok):
    assert (sender_problem(sender) is None) == ok


def test_failure_reply_names_the_emergency_number():
    assert "112" in failure_reply() and "Sorry" in failure_reply()
