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

* The text is cleaned and limited as on every channel (``actions.lib.input_limits``):
  control characters removed, unpaired surrogates replaced, cut to ``MAX_MESSAGE_CHARS``
  keeping alarm passages from the cut part; an empty or whitespace-only message goes to the
  bot as the intent ``nonsense``, so the patient gets the bot's own polite answer.

* If handling the message fails anyway, the patient gets ``FAILURE_REPLY`` (with the
  emergency number) instead of an empty list, still with status 200.

Privacy: message text is never logged by this module.
"""
from __future__ import annotations

import hashlib
import json
import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Union

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

import rasa.utils.endpoints
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput

from addons import warm_up

# Cleaning and limits shared by every channel (re-exported: tests and docs name them here).
from actions.lib.input_limits import (  # noqa: F401
    CONTROL_CHARS,
    EMPTY_MESSAGE_INTENT,
    FAILURE_REPLY,
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    MAX_PASSAGES,
    MAX_SCANNED_CHARS,
    MAX_SENDER_CHARS,
    PASSAGE_CHARS,
    alarm_passages,
    clean_text,
    empty_message_parse_data,
    failure_reply,
    prepare_message,
    sender_problem,
)

logger = logging.getLogger(__name__)


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
    if sender_problem(sender):
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
        # Warm the loaded model up before the first request is served (addons/warm_up.py).
        warm_up.register(webhook)

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

            prepared = prepare_message(raw_text)
            if prepared.truncated:
                logger.info("message of %s cut from %d to %d characters",
                            conversation_ref(sender_id), prepared.original_chars,
                            MAX_MESSAGE_CHARS)
            text, parse_data = prepared.text, prepared.parse_data

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
