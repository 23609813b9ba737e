"""Socket.IO channel for the website chat (web/), for Rasa 3.6 with current python-socketio.

Registered in credentials.yml as ``addons.channels.socketio.SocketIOInput`` instead of
``socketio:``, with the same keys (``user_message_evt``, ``bot_message_evt``,
``session_persistence``, ``socketio_path``, ``namespace``, ``jwt_key``, ``jwt_method``,
``metadata_key``). ``name()`` is ``"socketio"``: the path (``/socket.io``), the events
(``session_request`` / ``session_confirm``, ``user_uttered`` / ``bot_uttered``) and the
messages are exactly those of ``rasa.core.channels.socketio.SocketIOInput``.

What it does differently from Rasa's channel:

* ``session_request`` **awaits** ``enter_room``. Rasa 3.6 calls it without ``await``; since
  python-socketio 5.10 ``AsyncServer.enter_room`` is a coroutine, so with
  ``session_persistence: true`` the socket never joined its session room and the page never
  got an answer (RasaHQ/rasa#13027). With this channel current python-socketio /
  python-engineio releases work (older, synchronous ``enter_room`` works too).
* The text goes through the same cleaning and limits as REST and WhatsApp
  (``actions.lib.input_limits``): control characters, unpaired surrogates, a cut at
  ``MAX_MESSAGE_CHARS`` that keeps alarm passages, and an empty message answered with the
  bot's polite ``utter_nonsense``. One packet may be up to ``MAX_BODY_BYTES`` (2 MB, as a
  REST body; Engine.IO and Sanic's websocket default to 1 MB, and a 100 000-emoji message
  JSON-escaped is about 1.2 MB): larger ones close the connection.
* A session id from the client is used only if it can be a conversation id (a string of at
  most ``MAX_SENDER_CHARS`` printable characters); otherwise a new one is issued.
* Malformed events (not an object, ``metadata`` not JSON) do not raise; if handling a message
  fails anyway, the patient gets ``failure_reply()`` (with the emergency number) instead of
  silence. Outgoing messages use the configured namespace.

Privacy: message text is never logged by this module.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import logging
import uuid
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

import rasa.core.channels.channel
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint as RasaSocketBlueprint
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput as RasaSocketIOOutput

from actions.lib.input_limits import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    failure_reply,
    prepare_message,
    sender_problem,
)

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def conversation_ref(sender_id: Optional[Text]) -> Text:
    """A short, non-reversible reference to a conversation for the logs."""
    return "socketio:" + hashlib.sha256(str(sender_id or "").encode("utf-8")).hexdigest()[:10]


class SocketBlueprint(RasaSocketBlueprint):
    """Attaches the Socket.IO server; lets Sanic's websockets carry ``MAX_BODY_BYTES``."""

    def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
        # App-wide, but Socket.IO is the only websocket user of the Rasa server.
        if app.config.WEBSOCKET_MAX_SIZE < MAX_BODY_BYTES:
            app.config.WEBSOCKET_MAX_SIZE = MAX_BODY_BYTES
        super().register(app, options)


class SocketIOOutput(RasaSocketIOOutput):
    """Rasa's Socket.IO output, sending in the configured namespace and counting messages."""

    def __init__(self, sio: AsyncServer, bot_message_evt: Text,
                 namespace: Optional[Text] = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace
        self.sent = 0

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await self.sio.emit(self.bot_message_evt, response, room=socket_id,
                            namespace=self.namespace)
        self.sent += 1

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        json_message = dict(json_message)
        json_message.setdefault("room", recipient_id)
        json_message.setdefault("namespace", self.namespace)
        await self.sio.emit(self.bot_message_evt, **json_message)
        self.sent += 1


class SocketIOInput(RasaSocketIOInput):
    """Rasa's Socket.IO channel with an awaited ``enter_room`` and the input limits."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        failure_reply()  # warm the cache while the clinics file is known to be readable

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()  # Rasa's warning, then None
        return SocketIOOutput(self.sio, self.bot_message_evt, self.namespace)

    # --- event handlers, independent of Sanic (tests call them directly) ---

    def _authorised(self, auth: Any) -> bool:
        if not self.jwt_key:
            return True
        token = auth.get("token") if isinstance(auth, dict) else None
        if not token:
            return False
        return bool(rasa.core.channels.channel.decode_bearer_token(
            token, self.jwt_key, self.jwt_algorithm))

    async def _join(self, sio: AsyncServer, sid: Text, room: Text) -> None:
        # python-socketio >= 5.10: a coroutine (RasaHQ/rasa#13027); before: a plain call.
        joined = sio.enter_room(sid, room, namespace=self.namespace)
        if inspect.isawaitable(joined):
            await joined

    async def session_request(self, sio: AsyncServer, sid: Text, data: Any) -> Text:
        """Confirms (or issues) the session id; with persistence, joins its room."""
        data = data if isinstance(data, dict) else {}
        session_id = data.get("session_id")
        if session_id is not None and sender_problem(session_id):
            logger.info("Socket.IO: unusable session id (%s) replaced by a new one",
                        sender_problem(session_id))
            session_id = None
        session_id = session_id or uuid.uuid4().hex
        if self.session_persistence:
            await self._join(sio, sid, session_id)
        await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
        logger.debug("Socket.IO: session confirmed for %s", conversation_ref(session_id))
        return session_id

    def _metadata(self, data: Dict[Text, Any]) -> Dict[Text, Any]:
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                logger.info("Socket.IO: metadata that is not JSON ignored")
                metadata = {}
        return metadata if isinstance(metadata, dict) else {}

    async def handle_message(self, sio: AsyncServer, sid: Text, data: Any,
                             on_new_message: OnNewMessage) -> None:
        """One patient message: cleaned and limited, then to the bot; never silence."""
        data = data if isinstance(data, dict) else {}
        if self.session_persistence:
            sender_id = data.get("session_id")
            if sender_problem(sender_id):
                # As Rasa: without its session there is no conversation to answer in.
                logger.warning("Socket.IO: message without a usable session_id ignored "
                               "(send session_request first)")
                return
        else:
            sender_id = sid

        prepared = prepare_message(data.get("message"))
        if prepared.truncated:
            logger.info("Socket.IO: message of %s cut from %d to %d characters",
                        conversation_ref(sender_id), prepared.original_chars,
                        MAX_MESSAGE_CHARS)
        output = SocketIOOutput(sio, self.bot_message_evt, self.namespace)
        message = UserMessage(prepared.text, output, sender_id,
                              parse_data=prepared.parse_data, input_channel=self.name(),
                              metadata=self._metadata(data))
        try:
            await on_new_message(message)
            return
        except CancelledError:
            logger.error("Socket.IO: handling a message of %s was cancelled",
                         conversation_ref(sender_id))
        except Exception as error:  # never silence for the patient
            logger.error("Socket.IO: handling a message of %s failed: %s",
                         conversation_ref(sender_id), type(error).__name__)
            logger.debug("details", exc_info=True)
        if not output.sent:
            try:
                await output.send_text_message(sender_id, failure_reply())
            except Exception as error:
                logger.error("Socket.IO: the failure reply to %s could not be sent: %s",
                             conversation_ref(sender_id), type(error).__name__)

    # --- Sanic ---

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        # cors_allowed_origins=[] as in Rasa (websocket from any origin; restrict Origin at
        # the reverse proxy); one packet may be as large as a REST body.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[],
                          max_http_buffer_size=MAX_BODY_BYTES)
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook",
                                           __name__)
        self.sio = sio

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            allowed = self._authorised(auth)
            logger.debug("Socket.IO: connection %s", "accepted" if allowed else "refused")
            return allowed

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text, *args: Any) -> None:
            logger.debug("Socket.IO: disconnected")

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any = None) -> None:
            await self.session_request(sio, sid, data)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            await self.handle_message(sio, sid, data, on_new_message)

        return socketio_webhook
