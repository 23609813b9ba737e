"""The website's Socket.IO channel (addons/channels/socketio.py).

Unit tests call the channel's handlers with a stand-in Socket.IO server. The server tests
run the real Rasa server (qa.launcher.Assistant, credentials.yml as it is: the channel with
``session_persistence: true``) with current python-socketio / python-engineio, and talk to
it with the python-socketio client, as the website widget does (session_request, then
user_uttered / bot_uttered in the session's room).
"""
from __future__ import annotations

import asyncio
import inspect
import queue
import time
from typing import Any, Dict, List, Optional

import pytest
import requests
import socketio
import yaml

from actions.lib.input_limits import MAX_BODY_BYTES, MAX_MESSAGE_CHARS, failure_reply
from addons.channels.socketio import SocketIOInput, SocketIOOutput
from qa.launcher import ROOT, Assistant

RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
# Generous: Rasa's own channel gave 100 000 emoji no answer at all.
LONG_MESSAGE_SECONDS = 10


def marker(response_name: str) -> str:
    """The first line of a response up to its first placeholder: found verbatim in the reply."""
    first = RESPONSES[response_name][0]["text"].strip().splitlines()[0]
    return first.split("{", 1)[0].strip()


# =========================================================================== unit tests


class FakeSio:
    """Records what the channel asks of python-socketio's AsyncServer."""

    def __init__(self, coroutine_enter_room: bool = True) -> None:
        self.rooms: List[tuple] = []
        self.emitted: List[Dict[str, Any]] = []
        if not coroutine_enter_room:  # python-socketio < 5.10: a plain method
            self.enter_room = self._enter_room_sync  # type: ignore[assignment]

    async def enter_room(self, sid, room, namespace=None):
        await asyncio.sleep(0)
        self.rooms.append((sid, room, namespace))

    def _enter_room_sync(self, sid, room, namespace=None):
        self.rooms.append((sid, room, namespace))

    async def emit(self, event, data=None, room=None, namespace=None, **kwargs):
        self.emitted.append({"event": event, "data": data, "room": room,
                             "namespace": namespace, **kwargs})


class FakeBot:
    """Stands in for Rasa's agent: records UserMessages, answers through the output channel."""

    def __init__(self, fail: bool = False) -> None:
        self.received: List[Any] = []
        self.fail = fail

    async def __call__(self, message) -> None:
        self.received.append(message)
        if self.fail:
            raise RuntimeError("boom")
        await message.output_channel.send_text_message(message.sender_id, "Antwoord")


def channel(**kwargs) -> SocketIOInput:
    return SocketIOInput.from_credentials({"user_message_evt": "user_uttered",
                                           "bot_message_evt": "bot_uttered",
                                           "session_persistence": True, **kwargs})


def test_current_python_socketio_has_a_coroutine_enter_room():
    """Why the channel exists: Rasa 3.6 calls enter_room without await (RasaHQ/rasa#13027)."""
    assert inspect.iscoroutinefunction(socketio.AsyncServer.enter_room)
    assert SocketIOInput.name() == "socketio"


@pytest.mark.parametrize("coroutine", [True, False])
def test_session_request_joins_the_session_room(coroutine):
    sio = FakeSio(coroutine_enter_room=coroutine)
    chan = channel()
    session_id = asyncio.run(chan.session_request(sio, "sid-1", {"session_id": "abc123"}))
    assert session_id == "abc123"
    assert sio.rooms == [("sid-1", "abc123", None)]
    assert sio.emitted == [{"event": "session_confirm", "data": "abc123", "room": "sid-1",
                            "namespace": None}]


@pytest.mark.parametrize("data", [None, {}, {"session_id": None}, "rubbish", [1],
                                  {"session_id": "x" * 256}, {"session_id": "a\x00b"},
                                  {"session_id": 42}, {"session_id": "   "}])
def test_unusable_session_ids_get_a_new_one(data):
    sio = FakeSio()
    session_id = asyncio.run(channel().session_request(sio, "sid-2", data))
    assert len(session_id) == 32 and session_id.isalnum()
    assert sio.rooms == [("sid-2", session_id, None)]


def test_messages_are_cleaned_and_limited_like_rest():
    sio, bot, chan = FakeSio(), FakeBot(), channel()

    async def send(message: Any, **extra: Any) -> None:
        await chan.handle_message(sio, "sid-3", {"message": message, "session_id": "s-3",
                                                 **extra}, bot)

    async def scenario() -> None:
        await send("hallo\x00\x07 daar \ud800")
        await send("😀" * 100_000)
        await send("   \n ")
        await send(None)
        await send("hoi", metadata="{not json")
        await send("hoi", metadata={"page": "x"})

    asyncio.run(scenario())
    texts = [m.text for m in bot.received]
    assert texts[0] == "hallo daar ?"
    assert len(texts[1]) == MAX_MESSAGE_CHARS
    assert texts[2] == texts[3] == ""
    for empty in bot.received[2:4]:
        assert empty.parse_data["intent"]["name"] == "nonsense"
    assert bot.received[0].parse_data is None
    assert bot.received[4].metadata == {} and bot.received[5].metadata == {"page": "x"}
    assert {m.sender_id for m in bot.received} == {"s-3"}
    assert {m.input_channel for m in bot.received} == {"socketio"}
    # Answers go to the session's room, in the channel's namespace.
    assert {(e["event"], e["room"]) for e in sio.emitted} == {("bot_uttered", "s-3")}


def test_without_a_session_id_the_message_is_ignored_as_in_rasa():
    sio, bot = FakeSio(), FakeBot()
    for data in ({"message": "hoi"}, {"message": "hoi", "session_id": "x" * 300}, "hoi", None):
        asyncio.run(channel().handle_message(sio, "sid-4", data, bot))
    assert bot.received == [] and sio.emitted == []
    # Without session persistence the socket id is the conversation.
    asyncio.run(channel(session_persistence=False).handle_message(
        sio, "sid-5", {"message": "hoi"}, bot))
    assert bot.received[0].sender_id == "sid-5"


def test_a_failing_bot_gets_the_polite_failure_reply():
    sio = FakeSio()
    asyncio.run(channel().handle_message(sio, "sid-6", {"message": "hoi", "session_id": "s-6"},
                                         FakeBot(fail=True)))
    assert [e["data"] for e in sio.emitted] == [{"text": failure_reply()}]
    assert "112" in failure_reply()


def test_output_counts_and_uses_the_namespace():
    sio = FakeSio()
    output = SocketIOOutput(sio, "bot_uttered", namespace="/chat")
    asyncio.run(output.send_text_message("room-1", "Een.\n\nTwee."))
    assert output.sent == 2
    assert [(e["data"], e["room"], e["namespace"]) for e in sio.emitted] == [
        ({"text": "Een."}, "room-1", "/chat"), ({"text": "Twee."}, "room-1", "/chat")]


# ========================================================================= server tests


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    assistant = Assistant(tmp_path_factory.mktemp("socketio"), enable_api=True).start()
    yield assistant
    assistant.stop()


class Chat:
    """A website visitor: python-socketio client speaking the widget's protocol."""

    def __init__(self, url: str, session_id: Optional[str] = None,
                 transports: tuple = ("websocket",)) -> None:
        self.replies: "queue.Queue[dict]" = queue.Queue()
        confirmed: "queue.Queue[str]" = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("session_confirm", confirmed.put)
        self.sio.connect(url, transports=list(transports), wait_timeout=15)
        self.sio.emit("session_request", {"session_id": session_id})
        self.session_id = confirmed.get(timeout=15)

    def ask(self, text: str, timeout: float = 60, quiet: float = 1.5) -> tuple:
        """Sends a message; returns (the bot's messages, seconds until the first one)."""
        while not self.replies.empty():
            self.replies.get_nowait()
        t0 = time.perf_counter()
        self.sio.emit("user_uttered", {"message": text, "session_id": self.session_id})
        try:
            got = [self.replies.get(timeout=timeout)]
        except queue.Empty:
            pytest.fail(f"no answer within {timeout} s over Socket.IO")
        first = time.perf_counter() - t0
        while True:
            try:
                got.append(self.replies.get(timeout=quiet))
            except queue.Empty:
                return got, first

    def close(self) -> None:
        self.sio.disconnect()


def joined(replies: List[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


QUESTION = "Mag ik na de behandeling zelf naar huis rijden?"  # names no treatment


def assert_answered(chat: Chat) -> None:
    """A normal question gets a real answer: not silence, not "not understood", no failure."""
    answer = joined(chat.ask(QUESTION)[0])
    assert answer.strip() and marker("utter_nonsense") not in answer, answer
    assert failure_reply() not in answer


@pytest.fixture
def chat(bot):
    visitor = Chat(bot.url)
    yield visitor
    visitor.close()


def tracker(bot: Assistant, session_id: str) -> Dict[str, Any]:
    r = requests.get(f"{bot.url}/conversations/{session_id}/tracker", timeout=10)
    r.raise_for_status()
    return r.json()


def user_texts(bot: Assistant, session_id: str) -> List[str]:
    return [e.get("text") for e in tracker(bot, session_id)["events"] if e["event"] == "user"]


def test_normal_conversation_is_answered_in_the_session_room(bot, chat):
    assert "facetinfiltratie" in joined(chat.ask("ik heb een facetinfiltratie gehad")[0])
    assert_answered(chat)
    state = tracker(bot, chat.session_id)  # the session id is the conversation
    assert state["slots"]["treatment"] == "facetinfiltratie"
    assert [e.get("input_channel") for e in state["events"] if e["event"] == "user"] == \
        ["socketio", "socketio"]
    log = (bot.workdir / "rasa.log").read_text(errors="replace")
    assert "was never awaited" not in log


@pytest.mark.parametrize("case,text", [
    ("100k_characters", "a" * 100_000),
    ("100k_emoji", "😀" * 100_000),
    ("empty", ""),
])
def test_long_or_empty_messages_get_the_polite_answer_quickly(bot, chat, case, text):
    replies, seconds = chat.ask(text)
    assert marker("utter_nonsense") in joined(replies), joined(replies)
    assert seconds < LONG_MESSAGE_SECONDS, f"{case}: {seconds:.1f} s"
    # The connection survives, and a normal message still works afterwards.
    assert chat.sio.connected
    assert_answered(chat)


def test_100k_characters_of_words_are_answered_politely(chat):
    replies, seconds = chat.ask("pijn " * 20_000)
    assert joined(replies).strip() and seconds < LONG_MESSAGE_SECONDS


def test_red_flag_late_in_a_long_message_still_alarms(chat):
    text = "bla " * 12_500 + "Ik heb koorts sinds de infiltratie. " + "bla " * 12_500
    replies, _ = chat.ask(text)
    assert "Koorts" in joined(replies)


def test_a_packet_over_the_limit_closes_only_that_connection(bot, chat):
    big = Chat(bot.url)
    try:
        big.sio.emit("user_uttered", {"message": "a" * (MAX_BODY_BYTES + 1000),
                                      "session_id": big.session_id})
        deadline = time.time() + 15
        while big.sio.connected and time.time() < deadline:
            time.sleep(0.2)
        assert not big.sio.connected, "an oversized packet was accepted"
    finally:
        big.close()
    assert_answered(chat)  # the others carry on


def test_reconnecting_with_the_session_id_continues_the_conversation(bot):
    first = Chat(bot.url)
    try:
        assert "facetinfiltratie" in joined(first.ask("ik heb een facetinfiltratie gehad")[0])
        session_id = first.session_id
    finally:
        first.close()
    again = Chat(bot.url, session_id=session_id)  # a page reload
    try:
        assert again.session_id == session_id
        assert_answered(again)  # the answer reaches the new socket (it joined the room)
    finally:
        again.close()
    # One conversation: both messages, and the treatment named before the reload.
    assert user_texts(bot, session_id) == ["ik heb een facetinfiltratie gehad", QUESTION]
    assert tracker(bot, session_id)["slots"]["treatment"] == "facetinfiltratie"


def test_long_polling_transport_works_too(bot):
    visitor = Chat(bot.url, transports=("polling",))
    try:
        assert visitor.sio.transport() == "polling"
        assert_answered(visitor)
    finally:
        visitor.close()
