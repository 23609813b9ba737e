"""REST channel for Rasa 3.6 that validates its input (see docs/robustness.md).

Registered in credentials.yml as ``addons.channels.rest.RestInput`` instead of ``rest:``.
``name()`` is ``"rest"``, so the URL stays ``/webhooks/rest/webhook`` and the request and
response formats are those of Rasa's own REST channel::

    POST /webhooks/rest/webhook   {"sender": "abc", "message": "Hoe lang duurt het?"}
    -> 200 [{"recipient_id": "abc", "text": "..."}, ...]

What it does differently from ``rasa.core.channels.rest.RestInput``:

* Bad requests are refused with a short JSON error ``{"error": <code>, "message": <text>}``
  instead of a Sanic HTML page or a 500:

  - 415 ``unsupported_media_type``: the Content-Type is not JSON (``application/json`` or
    ``application/*+json``), e.g. ``text/plain`` or form data;
  - 413 ``body_too_large``: the body is larger than ``MAX_BODY_BYTES``;
  - 400 ``invalid_json``: empty body, malformed or too deeply nested JSON, not UTF-8;
  - 400 ``invalid_body``: the JSON is not an object;
  - 400 ``invalid_sender``: ``sender`` missing, empty, not a string (or integer), longer
    than ``MAX_SENDER_CHARS`` (the tracker store's column size) or with control characters.
    Rasa's own channel puts such messages in one shared conversation called "default";
  - 400 ``invalid_message``: ``message`` missing or not a string;
  - 400 ``invalid_metadata`` / ``invalid_input_channel``: not an object / not a string;
  - 405 ``method_not_allowed``: GET, PUT, PATCH or DELETE on the webhook.

* The text is cleaned before the bot sees it: NUL and other control characters (except tab
  and line breaks) are removed, unpaired surrogates (``"\\ud800"`` in JSON) become ``?``, and
  a text longer than ``MAX_MESSAGE_CHARS`` is cut to that length (the safety rules in
  ``actions.lib.red_flags`` analyse the same 2000 characters). The NLU pipeline itself has
  no limit, and its spaCy tokenizer is quadratic on long runs of emoji: 100 000 emoji kept
  the server busy for more than 5 minutes. Safety: if the part that is cut off mentions an
  alarm sign (the safety rules' keyword scan), up to ``MAX_PASSAGES`` passages of
  ``PASSAGE_CHARS`` characters around it are kept at the end (the beginning is shortened to
  make room), so a red flag late in a long message is still seen. The tracker stores the
  cut text.

* An empty or whitespace-only message still goes to the bot, as a user turn with the
  intent ``nonsense`` (the NLU classifier cannot score a text without features). The
  conversation therefore stays intact and the patient gets the bot's own polite answer
  (``utter_nonsense``).

* If handling the message fails anyway, the patient gets ``FAILURE_REPLY`` (with the
  emergency number) instead of an empty list, still with status 200.

Privacy: message text is never logged by this module.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple, Union

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput

# The safety rules' cheap keyword scan, for alarm signs in the part of a message that is cut.
from actions.lib.red_flags import _keyword_scan, _normalise

logger = logging.getLogger(__name__)

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
# Largest accepted request body (a 100 000-character message of emoji, JSON-escaped,
# is about 1.2 MB).
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
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BadRequest(Exception):
    def __init__(self, status: int, code: Text, message: Text) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def as_response(self) -> HTTPResponse:
        return response.json({"error": self.code, "message": self.message}, status=self.status)


def conversation_ref(sender_id: Optional[Text]) -> Text:
    """A short, non-reversible reference to a conversation for the logs."""
    return "rest:" + hashlib.sha256(str(sender_id or "").encode("utf-8")).hexdigest()[:10]


def _without_surrogates(text: Text) -> Text:
    return text.encode("utf-8", "replace").decode("utf-8")


def alarm_passages(text: Text) -> List[Text]:
    """Passages of ``text`` with an alarm sign the bot would otherwise never see.

    Uses the safety rules' own keyword scan (the one ``actions.lib.red_flags`` runs on text
    beyond its analysed part): windows of ``PASSAGE_CHARS`` characters, overlapping so a
    phrase is never split, at most one passage per sign and ``MAX_PASSAGES`` in all.
    """
    text = text[:MAX_SCANNED_CHARS]
    if not _keyword_scan(_normalise(text))[0]:
        return []  # the usual case: one pass, no windows
    passages: List[Text] = []
    seen: set = set()
    step = PASSAGE_CHARS - PASSAGE_OVERLAP
    for start in range(0, max(1, len(text) - PASSAGE_OVERLAP), step):
        window = text[start:start + PASSAGE_CHARS]
        signs, _ = _keyword_scan(_normalise(window))
        if set(signs) - seen:
            seen.update(signs)
            passages.append(window.strip())
            if len(passages) == MAX_PASSAGES:
                break
    return passages


def clean_text(text: Text) -> Tuple[Text, bool]:
    """The text the bot gets (at most ``MAX_MESSAGE_CHARS``), and whether it was cut."""
    text = _CONTROL_CHARS.sub("", _without_surrogates(text))
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


def _is_json_media_type(content_type: Optional[Text]) -> bool:
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def parse_request(content_type: Optional[Text], body: Optional[bytes]) -> Dict[Text, Any]:
    """Validates a webhook request; returns its JSON object or raises ``BadRequest``."""
    if not _is_json_media_type(content_type):
        raise BadRequest(415, "unsupported_media_type",
                         "Send the message as JSON (Content-Type: application/json).")
    body = body or b""
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(413, "body_too_large",
                         f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    if not body.strip():
        raise BadRequest(400, "invalid_json", "The request body is empty.")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError
        raise BadRequest(400, "invalid_json", "The request body is not valid JSON.")
    if not isinstance(data, dict):
        raise BadRequest(400, "invalid_body",
                         'The body must be a JSON object: {"sender": ..., "message": ...}.')
    return data


def extract_sender(data: Dict[Text, Any]) -> Text:
    sender = data.get("sender")
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise BadRequest(400, "invalid_sender",
                         '"sender" is required: a non-empty string identifying the conversation.')
    if len(sender) > MAX_SENDER_CHARS or _CONTROL_CHARS.search(sender) \
            or _without_surrogates(sender) != sender:
        raise BadRequest(400, "invalid_sender",
                         f'"sender" must be at most {MAX_SENDER_CHARS} printable characters.')
    return sender


def extract_message(data: Dict[Text, Any]) -> Text:
    message = data.get("message")
    if not isinstance(message, str):
        raise BadRequest(400, "invalid_message", '"message" is required and must be a string.')
    return message


def extract_metadata(data: Dict[Text, Any]) -> Optional[Dict[Text, Any]]:
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest(400, "invalid_metadata", '"metadata" must be a JSON object.')
    return metadata


def empty_message_parse_data() -> Dict[Text, Any]:
    """NLU result for an empty message: the classifier would fail on it (no features)."""
    intent = {"name": EMPTY_MESSAGE_INTENT, "confidence": 1.0}
    return {"text": "", "intent": intent, "intent_ranking": [intent], "entities": []}


@functools.lru_cache(maxsize=1)
def failure_reply() -> Text:
    # Read once (warmed up when the channel is created): the server cannot start
    # without a readable clinics file, and this last-resort reply must not depend
    # on reading it again later.
    from actions.lib.clinics import emergency_number

    return FAILURE_REPLY.format(emergency_number=emergency_number())


class RestInput(RasaRestInput):
    """Rasa's REST channel with request validation, message limits and a polite fallback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        failure_reply()  # warm the cache while the clinics file is known to be readable

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def _input_channel(self, data: Dict[Text, Any]) -> Text:
        value = data.get("input_channel")
        if value is None or value == "":
            return self.name()
        if not isinstance(value, str):
            raise BadRequest(400, "invalid_input_channel", '"input_channel" must be a string.')
        return value

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET", "PUT", "PATCH", "DELETE"])
        async def wrong_method(request: Request) -> HTTPResponse:
            return response.json(
                {"error": "method_not_allowed", "message": "Send messages with POST."},
                status=405, headers={"Allow": "POST"},
            )

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> Union[ResponseStream, HTTPResponse]:
            try:
                data = parse_request(request.headers.get("content-type"), request.body)
                sender_id = extract_sender(data)
                raw_text = extract_message(data)
                metadata = extract_metadata(data)
                input_channel = self._input_channel(data)
            except BadRequest as error:
                return error.as_response()

            text, truncated = clean_text(raw_text)
            if truncated:
                logger.info("message of %s cut from %d to %d characters",
                            conversation_ref(sender_id), len(raw_text), MAX_MESSAGE_CHARS)
            parse_data = None
            if not text.strip():
                text, parse_data = "", empty_message_parse_data()

            if rasa.utils.endpoints.bool_arg(request, "stream", default=False) \
                    and parse_data is None:
                return response.stream(
                    self.stream_response(on_new_message, text, sender_id, input_channel,
                                         metadata),
                    content_type="text/event-stream",
                )

            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender_id, parse_data=parse_data,
                                  input_channel=input_channel, metadata=metadata)
            failed = False
            try:
                await on_new_message(message)
            except CancelledError:
                failed = True
                logger.error("handling a message of %s timed out", conversation_ref(sender_id))
            except Exception as error:  # never a 500, never silence for the patient
                failed = True
                logger.error("handling a message of %s failed: %s",
                             conversation_ref(sender_id), type(error).__name__)
                logger.debug("details", exc_info=True)
            if failed and not collector.messages:
                collector.messages.append({"recipient_id": sender_id, "text": failure_reply()})
            return response.json(collector.messages)

        return webhook
