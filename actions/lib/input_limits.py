"""Input cleaning and limits for every chat channel (REST, website Socket.IO, WhatsApp).

Plain Python, no Rasa: the channels in ``addons/channels/`` call :func:`prepare_message`
on the text a patient sent and give the bot what it returns. See docs/robustness.md.

* NUL and other control characters (except tab and line breaks) are removed, unpaired
  surrogates (``"\\ud800"`` in JSON) become ``?``.
* A text longer than ``MAX_MESSAGE_CHARS`` is cut to that length (the safety rules in
  ``actions.lib.red_flags`` analyse the same 2000 characters). The NLU pipeline itself has
  no limit, and its spaCy tokenizer is quadratic on long runs of emoji: 100 000 emoji kept
  a server busy for more than 5 minutes. Safety: if the part that is cut off mentions an
  alarm sign (the safety rules' keyword scan, negations excluded), up to ``MAX_PASSAGES``
  passages of ``PASSAGE_CHARS`` characters around it are kept at the end (the beginning
  is shortened to make room), so a red flag late in a long message is still seen.
* An empty or whitespace-only message goes to the bot as a user turn with the intent
  ``nonsense`` (given as parse data: the NLU classifier cannot score a text without
  features), so the patient gets the bot's own polite ``utter_nonsense`` and the
  conversation stays intact.
* ``failure_reply()`` is what a channel sends when handling a message fails anyway.

Message text is never logged by this module.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

# The safety rules' cheap keyword scan (the one they run on text beyond their analysed
# part).
from actions.lib.red_flags import keyword_scan as _keyword_scan, normalise as _normalise

# Longest text passed to the bot; longer messages are cut to this many characters.
MAX_MESSAGE_CHARS = 2000
# Alarm signs (fever, bleeding, ...) in the part of a long message that is cut off are not
# dropped: up to MAX_PASSAGES passages of PASSAGE_CHARS characters around them are kept at
# the end of the text (found in the first MAX_SCANNED_CHARS characters of the message).
PASSAGE_CHARS = 200
PASSAGE_OVERLAP = 60
MAX_PASSAGES = 3
MAX_SCANNED_CHARS = 200_000
PASSAGE_SEPARATOR = " [...] "
# Largest accepted request (REST body, one Socket.IO packet): a 100 000-character message
# of emoji, JSON-escaped, is about 1.2 MB.
MAX_BODY_BYTES = 2_000_000
# The tracker store keeps sender ids in a VARCHAR(255) column.
MAX_SENDER_CHARS = 255

# The intent an empty or whitespace-only message gets (answered by utter_nonsense).
EMPTY_MESSAGE_INTENT = "nonsense"

FAILURE_REPLY = (
    "Sorry, er ging bij mij iets mis met je bericht. Stel je vraag gerust nog een keer. "
    "Bij een noodgeval bel je {emergency_number}."
)

# C0 controls except \t \n \r, DEL, C1 controls.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_surrogates(text: str) -> str:
    """Unpaired surrogates (not encodable as UTF-8) become ``?``."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _alarm_signs(text: str) -> List[str]:
    return _keyword_scan(_normalise(text))[0]


def alarm_passages(text: str) -> List[str]:
    """Passages of ``text`` with an alarm sign the bot would otherwise never see.

    Uses the safety rules' own keyword scan: windows of ``PASSAGE_CHARS`` characters,
    overlapping so a phrase is never split, at most one passage per sign and
    ``MAX_PASSAGES`` in all.
    """
    text = text[:MAX_SCANNED_CHARS]
    if not _alarm_signs(text):
        return []  # the usual case: one pass, no windows
    passages: List[str] = []
    seen: set = set()
    step = PASSAGE_CHARS - PASSAGE_OVERLAP
    for start in range(0, max(1, len(text) - PASSAGE_OVERLAP), step):
        window = text[start:start + PASSAGE_CHARS]
        signs = _alarm_signs(window)
        if set(signs) - seen:
            seen.update(signs)
            passages.append(window.strip())
            if len(passages) == MAX_PASSAGES:
                break
    return passages


def clean_text(text: str) -> Tuple[str, bool]:
    """The text the bot gets (at most ``MAX_MESSAGE_CHARS``), and whether it was cut."""
    text = CONTROL_CHARS.sub("", without_surrogates(text))
    if len(text) <= MAX_MESSAGE_CHARS:
        return text, False
    # Alarm signs in the part that is cut off are kept: their passages go at the end, and
    # the beginning is shortened to make room. The scan starts early enough to cover that.
    room = MAX_PASSAGES * (PASSAGE_CHARS + len(PASSAGE_SEPARATOR))
    passages = alarm_passages(text[MAX_MESSAGE_CHARS - room:])
    if not passages:
        return text[:MAX_MESSAGE_CHARS], True
    tail = "".join(PASSAGE_SEPARATOR + p for p in passages)
    return text[:MAX_MESSAGE_CHARS - len(tail)] + tail, True


def empty_message_parse_data() -> Dict[str, Any]:
    """NLU result for an empty message: the classifier would fail on it (no features)."""
    intent = {"name": EMPTY_MESSAGE_INTENT, "confidence": 1.0}
    return {"text": "", "intent": intent, "intent_ranking": [intent], "entities": []}


@dataclass(frozen=True)
class PreparedMessage:
    """What a channel gives the bot for one incoming text."""

    text: str                                  # cleaned, at most MAX_MESSAGE_CHARS
    parse_data: Optional[Dict[str, Any]]       # set for an empty message (intent nonsense)
    truncated: bool                            # the text was cut
    original_chars: int                        # length of what was received

    @property
    def empty(self) -> bool:
        return self.parse_data is not None


def prepare_message(raw: Any) -> PreparedMessage:
    """Cleans and limits an incoming text; anything that is not a string counts as empty."""
    raw_text = raw if isinstance(raw, str) else ""
    text, truncated = clean_text(raw_text)
    if not text.strip():
        return PreparedMessage("", empty_message_parse_data(), truncated, len(raw_text))
    return PreparedMessage(text, None, truncated, len(raw_text))


def sender_problem(sender: Any) -> Optional[str]:
    """Why ``sender`` cannot be a conversation id, or None when it can."""
    if not isinstance(sender, str) or not sender.strip():
        return "empty or not a string"
    if len(sender) > MAX_SENDER_CHARS:
        return f"longer than {MAX_SENDER_CHARS} characters"
    if CONTROL_CHARS.search(sender) or without_surrogates(sender) != sender:
        return "not printable"
    return None


@functools.lru_cache(maxsize=1)
def failure_reply() -> str:
    """The last-resort answer when handling a message fails (with the emergency number).

    Channels call it once when they are created: the server cannot start without a
    readable clinics file, and this reply must not depend on reading it again later.
    """
    from actions.lib.clinics import emergency_number

    return FAILURE_REPLY.format(emergency_number=emergency_number())
