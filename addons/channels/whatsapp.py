"""WhatsApp Business Cloud API channel for Rasa 3.6.

Registered in credentials.yml as ``addons.channels.whatsapp.WhatsAppInput`` with the keys
``verify_token``, ``app_secret``, ``access_token``, ``phone_number_id`` and ``api_url``.
If any of them is empty the channel is "not configured": every webhook call is answered
with 503 and nothing is ever sent.

Webhook: ``/webhooks/whatsapp/webhook``

* ``GET``  Meta's verification handshake (``hub.mode``, ``hub.verify_token``,
  ``hub.challenge``).
* ``POST`` deliveries, signed with ``X-Hub-Signature-256``. A valid delivery is acknowledged
  at once (Meta retries slow acknowledgements) and handled in a background task.

Each message id is answered once (Meta delivers at least once), and a numbered choice list
sent to a patient is remembered until the patient's next message. Both live in Redis when
``redis_url`` is set (credentials.yml: ``${REDIS_URL}``), so any number of Rasa servers can
take the deliveries, and in this process's memory otherwise (one server only). Redis keys
hold no phone numbers or message ids in clear text (HMAC with the app secret) and expire.

Text goes through the same cleaning and limits as on every channel
(``actions.lib.input_limits``); if handling a message fails, the patient gets
``failure_reply()`` (with the emergency number) instead of silence.

Privacy: the conversation id is the patient's phone number (``wa_id``). It is never logged
in clear text (see :func:`conversation_ref`), and message text is never logged at INFO or
above.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text, Tuple

import aiohttp
import redis.asyncio
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage

from actions.lib.input_limits import MAX_MESSAGE_CHARS, failure_reply, prepare_message

logger = logging.getLogger(__name__)

CHANNEL_NAME = "whatsapp"

# Limits of the Cloud API.
TEXT_LIMIT = 4096
MAX_REPLY_BUTTONS = 3
BUTTON_TITLE_LIMIT = 20
BUTTON_ID_LIMIT = 256
INTERACTIVE_BODY_LIMIT = 1024

# In memory (no REDIS_URL): how many message ids and choice lists are remembered.
SEEN_MESSAGE_IDS = 10_000
REMEMBERED_CHOICE_LISTS = 10_000
# In Redis: how long. Meta retries an unacknowledged delivery for up to 7 days; a numbered
# list can be answered within WhatsApp's 24-hour customer service window.
SEEN_TTL_SECONDS = 7 * 24 * 3600
CHOICES_TTL_SECONDS = 24 * 3600
REDIS_TIMEOUT_SECONDS = 2.0
SEND_TIMEOUT_SECONDS = 10.0

TEXT_ONLY_REPLY = (
    "Sorry, ik kan alleen tekstberichten lezen. Typ je vraag gerust in een bericht."
)
CHOICE_HINT = "Stuur het nummer van je keuze."
DEFAULT_BUTTON_BODY = "Maak een keuze:"

# Message types we cannot read: the patient gets TEXT_ONLY_REPLY, the bot is not called.
UNSUPPORTED_TYPES = frozenset(
    {"image", "audio", "video", "document", "location", "sticker", "contacts", "unsupported"}
)
# Message types that need no answer at all (an emoji reaction, a number change notice).
SILENT_TYPES = frozenset({"reaction", "system", "ephemeral"})

CREDENTIAL_KEYS = ("verify_token", "app_secret", "access_token", "phone_number_id", "api_url")
OPTIONAL_KEYS = ("redis_url",)


# --------------------------------------------------------------------------- helpers


def conversation_ref(sender_id: Optional[Text]) -> Text:
    """A short, stable, non-reversible reference to a conversation for the logs."""
    digest = hashlib.sha256(str(sender_id or "").encode("utf-8")).hexdigest()
    return f"wa:{digest[:10]}"


def signature_is_valid(app_secret: Text, body: bytes, header: Optional[Text]) -> bool:
    """Checks ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, body)>``."""
    if not app_secret or not header:
        return False
    expected = "sha256=" + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), header.strip().encode("utf-8"))


def _secret_equals(expected: Text, given: Optional[Text]) -> bool:
    if not expected or given is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


# Where a long text may be cut, best first. Each pattern gives the end of a chunk.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_LINE_BREAK = re.compile(r"\n")
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s)")
_WHITESPACE = re.compile(r"\s")


def _cut_positions(pattern: "re.Pattern[str]", window: Text, limit: int) -> List[int]:
    ends = []
    for match in pattern.finditer(window):
        cut = match.end() if pattern is _SENTENCE_END else match.start()
        if 0 < cut <= limit:
            ends.append(cut)
    return ends


def _find_cut(text: Text, limit: int) -> int:
    # One character more than the limit, so a boundary right at the limit still counts.
    window = text[: limit + 1]
    patterns = (_PARAGRAPH_BREAK, _LINE_BREAK, _SENTENCE_END, _WHITESPACE)
    candidates = [_cut_positions(p, window, limit) for p in patterns]
    # Prefer the strongest boundary that still fills at least half a message ...
    for ends in candidates:
        if ends and max(ends) >= limit // 2:
            return max(ends)
    # ... then any boundary at all (never mid-word if avoidable) ...
    for ends in candidates:
        if ends:
            return max(ends)
    # ... and only a single "word" longer than the limit is cut hard.
    return limit


def split_text(text: Optional[Text], limit: int = TEXT_LIMIT) -> List[Text]:
    """Splits a text into messages of at most ``limit`` characters.

    Cuts at paragraph breaks, line breaks or sentence ends, falls back to spaces and only
    cuts inside a word when a single word is longer than the limit.
    """
    rest = (text or "").strip()
    chunks: List[Text] = []
    while len(rest) > limit:
        cut = _find_cut(rest, limit)
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        if head:
            chunks.append(head)
    if rest:
        chunks.append(rest)
    return chunks


@dataclass
class ButtonPlan:
    """How a text with buttons is sent on WhatsApp.

    Either ``interactive`` is the message (reply buttons), or ``text`` is a text with a
    numbered list and ``choices`` maps "1", "2", ... to the button payloads.
    """

    interactive: Optional[Dict[Text, Any]]
    text: Text
    choices: Dict[Text, Text] = field(default_factory=dict)
    titles: Dict[Text, Text] = field(default_factory=dict)


def _button_items(buttons: Iterable[Dict[Text, Any]]) -> List[Tuple[Text, Text]]:
    items = []
    for button in buttons or []:
        if not isinstance(button, dict):
            continue
        payload = button.get("payload") or button.get("url") or button.get("title")
        title = button.get("title") or button.get("payload")
        if payload is None or title is None:
            continue
        items.append((" ".join(str(title).split()), str(payload)))
    return items


def plan_buttons(text: Optional[Text], buttons: Iterable[Dict[Text, Any]]) -> ButtonPlan:
    """Converts Rasa buttons to WhatsApp reply buttons, or to a numbered list.

    Reply buttons need: at most 3 buttons, titles of 1-20 characters, ids (the payloads) of
    1-256 characters, both unique, and a body of at most 1024 characters. Anything else is
    sent as the text followed by a numbered list.
    """
    text = (text or "").strip()
    items = _button_items(buttons)
    if not items:
        return ButtonPlan(None, text)

    titles = [title for title, _ in items]
    payloads = [payload for _, payload in items]
    body = text or DEFAULT_BUTTON_BODY
    fits = (
        len(items) <= MAX_REPLY_BUTTONS
        and all(0 < len(t) <= BUTTON_TITLE_LIMIT for t in titles)
        and all(0 < len(p) <= BUTTON_ID_LIMIT for p in payloads)
        and len({t.casefold() for t in titles}) == len(titles)
        and len(set(payloads)) == len(payloads)
        and len(body) <= INTERACTIVE_BODY_LIMIT
    )
    if fits:
        interactive = {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": body},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": payload, "title": title}}
                        for title, payload in items
                    ]
                },
            },
        }
        return ButtonPlan(interactive, text)

    lines = [f"{number}. {title}" for number, (title, _) in enumerate(items, start=1)]
    parts = [text] if text else []
    parts += ["\n".join(lines), CHOICE_HINT]
    return ButtonPlan(
        None,
        "\n\n".join(parts),
        choices={str(n): payload for n, (_, payload) in enumerate(items, start=1)},
        titles={title.casefold(): payload for title, payload in items},
    )


_CHOICE = re.compile(r"^\s*(\d{1,3})\s*[.)]?\s*$")


def parse_choice(text: Optional[Text]) -> Optional[Text]:
    """The number picked from a numbered list, or None.

    "2", "2.", " 2 ", "2)" and a keycap emoji (2 + U+20E3) all mean choice "2".
    """
    if not text:
        return None
    cleaned = text.replace("\ufe0f", "").replace("\u20e3", "")
    match = _CHOICE.match(cleaned)
    return str(int(match.group(1))) if match else None


class SeenMessages:
    """Bounded LRU of processed message ids (deliveries are at-least-once)."""

    def __init__(self, capacity: int = SEEN_MESSAGE_IDS) -> None:
        self.capacity = capacity
        self._ids: "OrderedDict[Text, None]" = OrderedDict()

    def first_time(self, message_id: Text) -> bool:
        """True the first time an id is offered; it is remembered from then on."""
        if message_id in self._ids:
            self._ids.move_to_end(message_id)
            return False
        self._ids[message_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._ids)


class ChoiceMemory:
    """Per conversation: the numbered list last sent, until the patient's next message."""

    def __init__(self, capacity: int = REMEMBERED_CHOICE_LISTS) -> None:
        self.capacity = capacity
        self._lists: "OrderedDict[Text, ButtonPlan]" = OrderedDict()

    def remember(self, sender_id: Text, plan: ButtonPlan) -> None:
        self._lists[sender_id] = plan
        self._lists.move_to_end(sender_id)
        while len(self._lists) > self.capacity:
            self._lists.popitem(last=False)

    def forget(self, sender_id: Text) -> None:
        self._lists.pop(sender_id, None)

    def resolve(self, sender_id: Text, text: Text) -> Tuple[Text, bool]:
        """The payload when ``text`` picks from the last list, else ``text`` itself.

        The list is used up by any message: a later "2" must not pick from a stale list.
        """
        plan = self._lists.pop(sender_id, None)
        if plan is None:
            return text, False
        return pick_choice(plan.choices, plan.titles, text)

    def __len__(self) -> int:
        return len(self._lists)


def pick_choice(choices: Dict[Text, Text], titles: Dict[Text, Text],
                text: Text) -> Tuple[Text, bool]:
    """The payload ``text`` picks from a list (by number or by title), else ``text``."""
    number = parse_choice(text)
    if number is not None and number in choices:
        return choices[number], True
    title = " ".join((text or "").split()).rstrip(".!").casefold()
    if title in titles:
        return titles[title], True
    return text, False


# --------------------------------------------------------------------------- shared state


class MemoryState:
    """Answered message ids and open choice lists in this process (one server only)."""

    shared = False

    def __init__(self, seen_capacity: int = SEEN_MESSAGE_IDS,
                 choices_capacity: int = REMEMBERED_CHOICE_LISTS) -> None:
        self.seen = SeenMessages(seen_capacity)
        self.choices = ChoiceMemory(choices_capacity)

    async def first_time(self, message_id: Text) -> bool:
        return self.seen.first_time(message_id)

    async def remember_choices(self, sender_id: Text, plan: ButtonPlan) -> None:
        self.choices.remember(sender_id, plan)

    async def forget_choices(self, sender_id: Text) -> None:
        self.choices.forget(sender_id)

    async def resolve_choice(self, sender_id: Text, text: Text) -> Tuple[Text, bool]:
        return self.choices.resolve(sender_id, text)

    async def close(self) -> None:
        pass


class RedisState:
    """Answered message ids and open choice lists in Redis, shared by every Rasa server.

    Keys ``whatsapp:<phone number id>:seen:<h>`` (``SET NX``, so exactly one server takes a
    message id) and ``whatsapp:<phone number id>:choices:<h>`` (the numbered list, taken
    with GET+DEL in one transaction: used up by the next message on any server), where
    ``<h>`` is an HMAC of the message id / phone number with the app secret. They expire
    after ``SEEN_TTL_SECONDS`` / ``CHOICES_TTL_SECONDS``.

    If Redis cannot be reached the message is still answered (a retried delivery may then
    be answered twice, and a number typed as a choice is read as text): never silence.
    """

    shared = True

    def __init__(self, redis_url: Text, key_secret: Text, phone_number_id: Text,
                 timeout: float = REDIS_TIMEOUT_SECONDS) -> None:
        self.redis_url = redis_url
        self._secret = key_secret.encode("utf-8")
        self._prefix = f"whatsapp:{phone_number_id}"
        self._timeout = timeout
        self._client: Optional[redis.asyncio.Redis] = None
        self._client_loop: Optional[asyncio.AbstractEventLoop] = None

    def key(self, kind: Text, value: Text) -> Text:
        digest = hmac.new(self._secret, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{self._prefix}:{kind}:{digest[:32]}"

    def _redis(self) -> redis.asyncio.Redis:
        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop:
            self._client = redis.asyncio.Redis.from_url(
                self.redis_url, socket_timeout=self._timeout,
                socket_connect_timeout=self._timeout)
            self._client_loop = loop
        return self._client

    @staticmethod
    def _failed(what: Text, error: Exception) -> None:
        logger.error("WhatsApp: Redis %s failed (%s)", what, type(error).__name__)

    async def first_time(self, message_id: Text) -> bool:
        try:
            return bool(await self._redis().set(self.key("seen", message_id), b"1",
                                                nx=True, ex=SEEN_TTL_SECONDS))
        except Exception as error:  # answer rather than stay silent
            self._failed("check of a message id", error)
            return True

    async def remember_choices(self, sender_id: Text, plan: ButtonPlan) -> None:
        value = json.dumps({"choices": plan.choices, "titles": plan.titles})
        try:
            await self._redis().set(self.key("choices", sender_id), value,
                                    ex=CHOICES_TTL_SECONDS)
        except Exception as error:
            self._failed("write of a choice list", error)

    async def forget_choices(self, sender_id: Text) -> None:
        try:
            await self._redis().delete(self.key("choices", sender_id))
        except Exception as error:
            self._failed("delete of a choice list", error)

    async def resolve_choice(self, sender_id: Text, text: Text) -> Tuple[Text, bool]:
        try:
            async with self._redis().pipeline(transaction=True) as pipe:
                key = self.key("choices", sender_id)
                raw, _ = await pipe.get(key).delete(key).execute()
        except Exception as error:
            self._failed("read of a choice list", error)
            return text, False
        if raw is None:
            return text, False
        try:
            stored = json.loads(raw)
            return pick_choice(dict(stored["choices"]), dict(stored["titles"]), text)
        except (ValueError, KeyError, TypeError):
            logger.error("WhatsApp: unreadable choice list in Redis ignored")
            return text, False

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                await client.close(close_connection_pool=True)
            except Exception:  # closing at shutdown: nothing left to do
                pass


State = Any  # MemoryState or RedisState


# --------------------------------------------------------------------------- incoming


@dataclass
class IncomingMessage:
    message_id: Text
    sender_id: Text
    message_type: Text
    text: Optional[Text] = None  # what the patient typed
    payload: Optional[Text] = None  # a button / list reply: goes to the bot as is
    timestamp: Optional[Text] = None

    @property
    def readable(self) -> bool:
        return self.text is not None or self.payload is not None


def _dict(value: Any) -> Dict[Text, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _parse_message(raw: Any) -> Optional[IncomingMessage]:
    raw = _dict(raw)
    message_id, sender_id = raw.get("id"), raw.get("from")
    if not isinstance(message_id, str) or not message_id:
        return None
    if not isinstance(sender_id, (str, int)) or not str(sender_id):
        return None
    message_type = str(raw.get("type") or "unknown")
    message = IncomingMessage(
        message_id=message_id,
        sender_id=str(sender_id),
        message_type=message_type,
        timestamp=str(raw["timestamp"]) if raw.get("timestamp") is not None else None,
    )
    if message_type == "text":
        body = _dict(raw.get("text")).get("body")
        if isinstance(body, str):  # whitespace only: the bot's polite "not understood"
            message.text = body
    elif message_type == "interactive":
        interactive = _dict(raw.get("interactive"))
        kind = interactive.get("type")
        reply = _dict(interactive.get(kind)) if kind in ("button_reply", "list_reply") else {}
        value = reply.get("id") or reply.get("title")
        if isinstance(value, str) and value:
            message.payload = value
    elif message_type == "button":  # quick reply button of a template message
        button = _dict(raw.get("button"))
        value = button.get("payload") or button.get("text")
        if isinstance(value, str) and value:
            message.payload = value
    return message


def extract_messages(delivery: Any, phone_number_id: Text) -> List[IncomingMessage]:
    """The patient messages in a webhook delivery; status updates are skipped quietly."""
    delivery = _dict(delivery)
    if delivery.get("object") != "whatsapp_business_account":
        logger.debug("WhatsApp: ignoring delivery for object %r", delivery.get("object"))
        return []
    messages: List[IncomingMessage] = []
    for entry in _list(delivery.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            change = _dict(change)
            if change.get("field") != "messages":
                continue
            value = _dict(change.get("value"))
            target = str(_dict(value.get("metadata")).get("phone_number_id") or "")
            if target and phone_number_id and target != phone_number_id:
                logger.warning("WhatsApp: delivery for another phone number id ignored")
                continue
            statuses = _list(value.get("statuses"))
            if statuses:
                logger.debug("WhatsApp: %d status update(s) ignored", len(statuses))
            for error in _list(value.get("errors")):
                logger.warning("WhatsApp: error notification, code %s", _dict(error).get("code"))
            for raw in _list(value.get("messages")):
                message = _parse_message(raw)
                if message is not None:
                    messages.append(message)
    return messages


# --------------------------------------------------------------------------- outgoing


class GraphApiClient:
    """Posts messages to ``{api_url}/{phone_number_id}/messages``."""

    RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

    def __init__(self, api_url: Text, phone_number_id: Text, access_token: Text,
                 timeout: float = SEND_TIMEOUT_SECONDS) -> None:
        self.endpoint = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None
        self._session_loop: Optional[asyncio.AbstractEventLoop] = None

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def send(self, message: Dict[Text, Any]) -> Optional[Text]:
        """Sends one message; the id of the sent message, or None (failure is logged)."""
        ref = conversation_ref(message.get("to"))
        for attempt in (1, 2):
            try:
                async with self._get_session().post(self.endpoint, json=message) as reply:
                    if reply.status < 300:
                        data = await reply.json(content_type=None)
                        sent = _list(_dict(data).get("messages"))
                        message_id = _dict(sent[0]).get("id") if sent else None
                        logger.debug("WhatsApp: %s message sent to %s",
                                     message.get("type"), ref)
                        return message_id or ""
                    error = _dict(_dict(await _json_or_none(reply)).get("error"))
                    retry = reply.status in self.RETRY_STATUSES and attempt == 1
                    logger.error(
                        "WhatsApp: sending a %s message to %s failed: HTTP %s, "
                        "error code %s, subcode %s, trace %s%s",
                        message.get("type"), ref, reply.status, error.get("code"),
                        error.get("error_subcode"), error.get("fbtrace_id"),
                        "; retrying" if retry else "",
                    )
                    if not retry:
                        return None
            except aiohttp.ClientConnectorError as e:
                # Not connected at all, so nothing was sent: a retry cannot duplicate.
                logger.error("WhatsApp: cannot reach the Graph API (%s) for %s%s",
                             type(e).__name__, ref, "; retrying" if attempt == 1 else "")
            except (aiohttp.ClientError, asyncio.TimeoutError) as e:
                # May or may not have been delivered: no retry, a duplicate is worse.
                logger.error("WhatsApp: sending a %s message to %s failed (%s)",
                             message.get("type"), ref, type(e).__name__)
                return None
            await asyncio.sleep(0.5)
        return None


async def _json_or_none(reply: aiohttp.ClientResponse) -> Any:
    try:
        return await reply.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return None


class WhatsAppOutput(OutputChannel):
    """Sends the bot's responses through the WhatsApp Cloud API."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    def __init__(self, client: GraphApiClient, state: Optional[State] = None) -> None:
        self.client = client
        self.state = state if state is not None else MemoryState()
        self.sent = 0  # messages this output tried to send

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        # Rasa's dispatcher pops "text" when there are buttons; a response with buttons and
        # no text would otherwise fail. Work on a copy so the caller's dict stays intact.
        message = dict(message)
        if message.get("buttons") or message.get("quick_replies"):
            message.setdefault("text", "")
        await super().send_response(recipient_id, message)

    async def _send(self, recipient_id: Text, content: Dict[Text, Any]) -> Optional[Text]:
        message = {"messaging_product": "whatsapp", "to": recipient_id, **content}
        self.sent += 1
        return await self.client.send(message)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_text(text):
            await self._send(recipient_id,
                             {"type": "text", "text": {"body": part, "preview_url": False}})

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        plan = plan_buttons(text, buttons)
        if plan.interactive is not None:
            await self.state.forget_choices(recipient_id)
            await self._send(recipient_id, plan.interactive)
            return
        if plan.choices:  # remembered before the patient can see the list
            await self.state.remember_choices(recipient_id, plan)
        await self.send_text_message(recipient_id, plan.text)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, {"type": "image", "image": {"link": image}})

    async def send_attachment(self, recipient_id: Text, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, str):
            await self.send_text_message(recipient_id, attachment)
        else:
            logger.warning("WhatsApp: attachment of type %s not supported, not sent",
                           type(attachment).__name__)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        """A custom payload that is a WhatsApp message (has ``type`` and that field)."""
        if not isinstance(json_message, dict):
            logger.warning("WhatsApp: custom payload is not an object, not sent")
            return
        content = json_message.get("whatsapp", json_message)
        message_type = content.get("type") if isinstance(content, dict) else None
        if not message_type or message_type not in content:
            logger.warning("WhatsApp: custom payload is not a WhatsApp message, not sent")
            return
        content = {k: v for k, v in content.items() if k not in ("to", "messaging_product")}
        await self._send(recipient_id, content)


# --------------------------------------------------------------------------- input channel


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WhatsAppInput(InputChannel):
    """Receives WhatsApp Cloud API webhooks."""

    @classmethod
    def name(cls) -> Text:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(**{key: credentials.get(key) for key in CREDENTIAL_KEYS + OPTIONAL_KEYS})

    def __init__(self, verify_token: Optional[Text] = None, app_secret: Optional[Text] = None,
                 access_token: Optional[Text] = None, phone_number_id: Optional[Text] = None,
                 api_url: Optional[Text] = None, redis_url: Optional[Text] = None,
                 seen_capacity: int = SEEN_MESSAGE_IDS) -> None:
        def clean(value: Any) -> Text:
            return "" if value is None else str(value).strip()

        self.verify_token = clean(verify_token)
        self.app_secret = clean(app_secret)
        self.access_token = clean(access_token)
        self.phone_number_id = clean(phone_number_id)
        self.api_url = clean(api_url).rstrip("/")
        self.redis_url = clean(redis_url)

        self.state: State = MemoryState(seen_capacity)
        self._client: Optional[GraphApiClient] = None
        self._tasks: set = set()
        self._sender_locks: Dict[Text, List[Any]] = {}  # sender -> [lock, users]

        if self.configured:
            self._client = GraphApiClient(self.api_url, self.phone_number_id, self.access_token)
            if self.redis_url:
                self.state = RedisState(self.redis_url, self.app_secret, self.phone_number_id)
            logger.info("WhatsApp: answered message ids and choice lists %s",
                        "in Redis (shared by all Rasa servers)" if self.state.shared
                        else "in this process's memory (one Rasa server only)")
            failure_reply()  # warm the cache while the clinics file is known to be readable
        else:
            missing = [key for key in CREDENTIAL_KEYS if not getattr(self, key)]
            logger.warning("WhatsApp channel not configured (empty: %s); its webhook answers "
                           "503 and nothing is sent.", ", ".join(missing))

    @property
    def configured(self) -> bool:
        return all(getattr(self, key) for key in CREDENTIAL_KEYS)

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self._client is None:
            return None
        return WhatsAppOutput(self._client, self.state)

    # --- the webhook, independent of Sanic (so it can be tested without a server) ---

    def verify(self, args: Dict[Text, Any]) -> Tuple[int, Text]:
        """Meta's verification handshake: (status, body)."""
        if not self.configured:
            return 503, "The WhatsApp channel is not configured."
        mode, token, challenge = (args.get(k) for k in ("hub.mode", "hub.verify_token",
                                                         "hub.challenge"))
        if mode == "subscribe" and challenge and _secret_equals(self.verify_token, token):
            logger.info("WhatsApp: webhook verified")
            return 200, str(challenge)
        logger.warning("WhatsApp: webhook verification refused")
        return 403, "Verification failed."

    def receive(self, body: bytes, signature: Optional[Text],
                on_new_message: OnNewMessage) -> Tuple[int, Text]:
        """Checks a delivery, starts its processing in the background: (status, body)."""
        if not self.configured:
            return 503, "The WhatsApp channel is not configured."
        if not signature_is_valid(self.app_secret, body, signature):
            logger.warning("WhatsApp: delivery with %s signature refused",
                           "a wrong" if signature else "no")
            return 403, "Invalid signature."
        try:
            delivery = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            logger.warning("WhatsApp: delivery is not valid JSON")
            return 400, "Invalid JSON."
        if not isinstance(delivery, dict):
            return 400, "Invalid delivery."

        try:
            messages = extract_messages(delivery, self.phone_number_id)
        except Exception as e:  # defensive: a delivery we cannot read is not retried
            logger.error("WhatsApp: cannot read a delivery (%s)", type(e).__name__)
            return 200, "EVENT_RECEIVED"

        for message in messages:  # each checked for repeats in its task, in order
            self._start(self._handle_safely(message, on_new_message))
        return 200, "EVENT_RECEIVED"

    def _start(self, coroutine: Awaitable[Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Waits for the messages being processed (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _handle_safely(self, message: IncomingMessage, on_new_message: OnNewMessage) -> None:
        ref = conversation_ref(message.sender_id)
        entry = self._sender_locks.setdefault(message.sender_id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:  # one message at a time per conversation, in order
                if not await self.state.first_time(message.message_id):
                    logger.info("WhatsApp: repeated delivery of a message from %s ignored",
                                ref)
                    return
                await self._handle(message, on_new_message)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            logger.error("WhatsApp: handling a %s message from %s failed (%s)",
                         message.message_type, ref, type(e).__name__)
            logger.debug("WhatsApp: traceback", exc_info=True)
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._sender_locks.pop(message.sender_id, None)

    async def _handle(self, message: IncomingMessage, on_new_message: OnNewMessage) -> None:
        output = self.get_output_channel()
        if output is None:
            return
        ref = conversation_ref(message.sender_id)

        if message.message_type in SILENT_TYPES:
            logger.debug("WhatsApp: %s from %s ignored", message.message_type, ref)
            return
        if not message.readable:
            if message.message_type == "text":  # a text without a body: nothing to answer
                return
            logger.info("WhatsApp: %s message from %s answered with the text-only line",
                        message.message_type, ref)
            await self.state.forget_choices(message.sender_id)
            await output.send_text_message(message.sender_id, TEXT_ONLY_REPLY)
            return

        is_payload = message.payload is not None
        prepared = prepare_message(message.payload if is_payload else message.text)
        if prepared.truncated:
            logger.info("WhatsApp: message of %s cut from %d to %d characters", ref,
                        prepared.original_chars, MAX_MESSAGE_CHARS)
        text = prepared.text
        if is_payload or prepared.empty:
            await self.state.forget_choices(message.sender_id)
            kind = "button reply" if is_payload else "empty text"
        else:
            text, picked = await self.state.resolve_choice(message.sender_id, text)
            kind = "numbered choice" if picked else "text"
        logger.debug("WhatsApp: %s from %s", kind, ref)

        try:
            await on_new_message(UserMessage(
                text=text,
                output_channel=output,
                sender_id=message.sender_id,
                parse_data=prepared.parse_data,
                input_channel=self.name(),
                message_id=message.message_id,
                metadata={"whatsapp": {"type": message.message_type,
                                       "timestamp": message.timestamp}},
            ))
        except Exception:
            if not output.sent:  # never silence: the polite failure line, then log it
                await output.send_text_message(message.sender_id, failure_reply())
            raise

    # --- Sanic ---

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        whatsapp_webhook = Blueprint("whatsapp_webhook", __name__)

        @whatsapp_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @whatsapp_webhook.route("/webhook", methods=["GET"])
        async def verification(request: Request) -> HTTPResponse:
            status, body = self.verify(request.args)
            return response.text(body, status=status)

        @whatsapp_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            status, body = self.receive(request.body or b"",
                                        request.headers.get("X-Hub-Signature-256"),
                                        on_new_message)
            return response.text(body, status=status)

        @whatsapp_webhook.listener("after_server_stop")
        async def close_client(*_: Any) -> None:
            if self._client is not None:
                await self._client.close()
            await self.state.close()

        return whatsapp_webhook
