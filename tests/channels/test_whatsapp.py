"""The WhatsApp Cloud API channel (addons/channels/whatsapp.py).

Unit tests run without a server. The server tests run the connector inside the real Rasa
server (qa.launcher.Assistant, latest trained model) and point it at a fake
Graph API that records what would have been sent to WhatsApp.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import logging
import re
import time
from typing import Any, Dict, List, Optional

import pytest
import requests

from actions.lib.input_limits import MAX_MESSAGE_CHARS, failure_reply
from addons.channels.whatsapp import (
    CHOICE_HINT,
    TEXT_LIMIT,
    TEXT_ONLY_REPLY,
    ChoiceMemory,
    MemoryState,
    RedisState,
    SeenMessages,
    WhatsAppInput,
    WhatsAppOutput,
    GraphApiClient,
    conversation_ref,
    extract_messages,
    parse_choice,
    plan_buttons,
    signature_is_valid,
    split_text,
)
from tests.channels.fake_graph_api import FakeGraphApi
from qa.launcher import Assistant

VERIFY_TOKEN = "verify-me-please"
APP_SECRET = "test-app-secret"
ACCESS_TOKEN = "EAAG-test-access-token"
PHONE_NUMBER_ID = "109876543210"

TREATMENT_BUTTONS = [
    {"title": "Triggerpoint injectie",
     "payload": '/inform_treatment{"treatment":"triggerpoint_injectie"}'},
    {"title": "Triggerpointtherapie",
     "payload": '/inform_treatment{"treatment":"triggerpointtherapie"}'},
    {"title": "Dry needling", "payload": '/inform_treatment{"treatment":"dry_needling"}'},
    {"title": "Facetinfiltratie", "payload": '/inform_treatment{"treatment":"facetinfiltratie"}'},
    {"title": "Facetdenervatie", "payload": '/inform_treatment{"treatment":"facetdenervatie"}'},
]
DRY_NEEDLING = '/inform_treatment{"treatment":"dry_needling"}'
# The bot asks which treatment with one button per leaflet that answers this (all five):
# more than WhatsApp's three reply buttons, so the channel sends a numbered list.
LIST_QUESTION = "Wat houdt de behandeling precies in?"
FACETINFILTRATIE = '/inform_treatment{"treatment":"facetinfiltratie"}'

_ids = itertools.count(1)


# --------------------------------------------------------------------------- payloads


def new_message_id() -> str:
    return f"wamid.TEST{time.time_ns()}{next(_ids)}"


def delivery(value: Dict[str, Any], phone_number_id: str = PHONE_NUMBER_ID) -> Dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "WABA-1",
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "31201234567",
                                 "phone_number_id": phone_number_id},
                    **value,
                },
            }],
        }],
    }


def incoming(wa_id: str, message: Dict[str, Any], message_id: Optional[str] = None
             ) -> Dict[str, Any]:
    return delivery({
        "contacts": [{"profile": {"name": "Test Patiënt"}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, "id": message_id or new_message_id(),
                      "timestamp": str(int(time.time())), **message}],
    })


def text_delivery(wa_id: str, body: str, message_id: Optional[str] = None) -> Dict[str, Any]:
    return incoming(wa_id, {"type": "text", "text": {"body": body}}, message_id)


def button_reply_delivery(wa_id: str, reply_id: str, title: str) -> Dict[str, Any]:
    return incoming(wa_id, {"type": "interactive", "interactive": {
        "type": "button_reply", "button_reply": {"id": reply_id, "title": title}}})


def image_delivery(wa_id: str) -> Dict[str, Any]:
    return incoming(wa_id, {"type": "image", "image": {
        "id": "MEDIA-1", "mime_type": "image/jpeg", "sha256": "abc"}})


def status_delivery(wa_id: str) -> Dict[str, Any]:
    return delivery({"statuses": [{
        "id": new_message_id(), "status": status, "timestamp": str(int(time.time())),
        "recipient_id": wa_id} for status in ("sent", "delivered", "read")]})


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def encode(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


# =========================================================================== unit tests


def _sentences(n: int, length: int = 90) -> List[str]:
    out = []
    for i in range(n):
        words = f"Zin {i} over de behandeling".split()
        while len(" ".join(words)) < length:
            words.append("woord")
        out.append(" ".join(words) + ".")
    return out


def test_short_text_is_one_message():
    assert split_text("  Hallo daar.  ") == ["Hallo daar."]
    assert split_text("") == []
    assert split_text("x" * TEXT_LIMIT) == ["x" * TEXT_LIMIT]


def test_long_text_is_split_at_4096_on_sentence_boundaries():
    text = " ".join(_sentences(120))  # about 11 000 characters, no line breaks
    assert len(text) > 2 * TEXT_LIMIT
    parts = split_text(text)
    assert len(parts) == 3
    assert all(len(p) <= TEXT_LIMIT for p in parts)
    assert all(p.endswith(".") for p in parts)          # whole sentences only
    assert all(p.startswith("Zin ") for p in parts)     # each part starts a sentence
    assert " ".join(parts) == text                      # nothing lost
    assert len(parts[0]) > TEXT_LIMIT - 100             # and the messages are well filled


def test_paragraph_break_preferred_and_words_never_cut():
    first = " ".join(_sentences(30))   # ~2 800 characters
    second = " ".join(_sentences(30))
    parts = split_text(first + "\n\n" + second)
    assert parts == [first, second]

    # No sentence end at all: cut at a space, never inside a word.
    words = ("pijnbehandeling " * 600).strip()
    parts = split_text(words)
    assert all(len(p) <= TEXT_LIMIT for p in parts)
    assert all(set(p.split()) == {"pijnbehandeling"} for p in parts)
    assert sum(len(p.split()) for p in parts) == 600

    # A single "word" longer than the limit (a URL, say) is the only thing cut hard.
    url = "https://example.org/" + "a" * 5000
    parts = split_text(url)
    assert [len(p) for p in parts] == [TEXT_LIMIT, len(url) - TEXT_LIMIT]
    assert "".join(parts) == url


def test_up_to_three_short_buttons_become_reply_buttons():
    buttons = [{"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]
    plan = plan_buttons("Heb je koorts?", buttons)
    assert plan.choices == {}
    assert plan.interactive == {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Heb je koorts?"},
            "action": {"buttons": [
                {"type": "reply", "reply": {"id": "/affirm", "title": "Ja"}},
                {"type": "reply", "reply": {"id": "/deny", "title": "Nee"}},
            ]},
        },
    }
    three = TREATMENT_BUTTONS[2:]  # all titles <= 20 characters
    assert plan_buttons("Welke?", three).interactive is not None


def test_more_than_three_buttons_become_a_numbered_list():
    plan = plan_buttons("Over welke behandeling gaat het?", TREATMENT_BUTTONS)
    assert plan.interactive is None
    assert plan.text == (
        "Over welke behandeling gaat het?\n\n"
        "1. Triggerpoint injectie\n2. Triggerpointtherapie\n3. Dry needling\n"
        "4. Facetinfiltratie\n5. Facetdenervatie\n\n" + CHOICE_HINT)
    assert plan.choices["4"] == FACETINFILTRATIE
    assert len(plan.choices) == 5


def test_too_long_title_or_payload_becomes_a_numbered_list():
    long_title = [{"title": "Triggerpoint injectie", "payload": "/a"},  # 21 characters
                  {"title": "Nee", "payload": "/b"}]
    plan = plan_buttons("Welke?", long_title)
    assert plan.interactive is None and plan.choices == {"1": "/a", "2": "/b"}

    long_payload = [{"title": "Ja", "payload": "/x" + "y" * 300}]
    assert plan_buttons("Welke?", long_payload).interactive is None

    assert plan_buttons("Alleen tekst", []).interactive is None
    assert plan_buttons("Alleen tekst", []).text == "Alleen tekst"


@pytest.mark.parametrize("reply", ["2", "2.", " 2 ", "2)", "2\ufe0f\u20e3", "02"])
def test_choice_numbers(reply):
    assert parse_choice(reply) == "2"


@pytest.mark.parametrize("reply", ["2 dagen", "twee", "", "1.5", "nummer 2"])
def test_not_a_choice(reply):
    assert parse_choice(reply) is None


def test_choice_memory_maps_numbers_once_per_list():
    memory = ChoiceMemory()
    memory.remember("316", plan_buttons("Welke?", TREATMENT_BUTTONS))
    assert memory.resolve("316", " 4 ") == (FACETINFILTRATIE, True)
    assert memory.resolve("316", "2") == ("2", False)  # the list is used up

    memory.remember("316", plan_buttons("Welke?", TREATMENT_BUTTONS))
    assert memory.resolve("316", "dry needling") == (DRY_NEEDLING, True)  # the title works too
    memory.remember("316", plan_buttons("Welke?", TREATMENT_BUTTONS))
    assert memory.resolve("316", "Hoe lang duurt het?") == ("Hoe lang duurt het?", False)
    assert memory.resolve("316", "2") == ("2", False)  # any other message ends the list
    assert memory.resolve("999", "2") == ("2", False)

    small = ChoiceMemory(capacity=2)
    for sender in ("a", "b", "c"):
        small.remember(sender, plan_buttons("?", TREATMENT_BUTTONS))
    assert len(small) == 2 and small.resolve("a", "1") == ("1", False)


def test_seen_messages_is_a_bounded_lru():
    seen = SeenMessages(capacity=3)
    assert seen.first_time("a") and seen.first_time("b") and seen.first_time("c")
    assert not seen.first_time("a")          # a is now the most recent
    assert seen.first_time("d")              # evicts b, the least recently seen
    assert len(seen) == 3
    assert not seen.first_time("a") and seen.first_time("b")


def test_signature():
    body = b'{"object":"whatsapp_business_account"}'
    assert signature_is_valid(APP_SECRET, body, sign(body))
    assert not signature_is_valid(APP_SECRET, body, sign(body, "other"))
    assert not signature_is_valid(APP_SECRET, body + b" ", sign(body))
    assert not signature_is_valid(APP_SECRET, body, None)
    assert not signature_is_valid(APP_SECRET, body, "sha1=" + sign(body)[7:])
    assert not signature_is_valid("", body, sign(body, ""))
    assert not signature_is_valid(APP_SECRET, body, "sha256=ü")


def test_extract_messages_from_meta_payloads():
    [text] = extract_messages(text_delivery("31611111111", "Hoi", "wamid.1"), PHONE_NUMBER_ID)
    assert (text.message_id, text.sender_id, text.text, text.payload) == (
        "wamid.1", "31611111111", "Hoi", None)

    [button] = extract_messages(button_reply_delivery("316", DRY_NEEDLING, "Dry needling"),
                                PHONE_NUMBER_ID)
    assert button.payload == DRY_NEEDLING and button.text is None

    list_reply = incoming("316", {"type": "interactive", "interactive": {
        "type": "list_reply", "list_reply": {"id": "/x", "title": "X", "description": "d"}}})
    assert extract_messages(list_reply, PHONE_NUMBER_ID)[0].payload == "/x"

    [image] = extract_messages(image_delivery("316"), PHONE_NUMBER_ID)
    assert image.message_type == "image" and not image.readable

    assert extract_messages(status_delivery("316"), PHONE_NUMBER_ID) == []
    assert extract_messages(text_delivery("316", "Hoi"), "another-number") == []
    assert extract_messages({"object": "page", "entry": []}, PHONE_NUMBER_ID) == []
    assert extract_messages({"object": "whatsapp_business_account", "entry": "rubbish"},
                            PHONE_NUMBER_ID) == []


def test_from_credentials_reads_the_five_keys():
    channel = WhatsAppInput.from_credentials({
        "verify_token": VERIFY_TOKEN, "app_secret": APP_SECRET, "access_token": ACCESS_TOKEN,
        "phone_number_id": PHONE_NUMBER_ID, "api_url": "https://graph.facebook.com/v20.0/"})
    assert channel.name() == "whatsapp" and channel.configured
    assert channel.url_prefix() == "whatsapp"
    assert channel._client.endpoint == (
        f"https://graph.facebook.com/v20.0/{PHONE_NUMBER_ID}/messages")
    assert isinstance(channel.get_output_channel(), WhatsAppOutput)
    assert WhatsAppOutput.name() == "whatsapp"


# ---------------------------------------------------- in process, with the fake Graph API


class FakeBot:
    """Stands in for Rasa's agent: records the UserMessages and answers through the output
    channel, like Rasa does."""

    def __init__(self, fail_on: Optional[str] = None) -> None:
        self.received: List[Any] = []
        self.fail_on = fail_on

    async def __call__(self, message) -> None:
        self.received.append(message)
        if message.text == self.fail_on:
            raise RuntimeError("boom")
        if message.text == "welke behandeling?":
            await message.output_channel.send_response(message.sender_id, {
                "text": "Over welke behandeling gaat het?", "buttons": TREATMENT_BUTTONS})
        else:
            await message.output_channel.send_response(message.sender_id,
                                                       {"text": f"Antwoord op {message.text}"})


def _channel(api_url: str, **overrides: str) -> WhatsAppInput:
    settings = {"verify_token": VERIFY_TOKEN, "app_secret": APP_SECRET,
                "access_token": ACCESS_TOKEN, "phone_number_id": PHONE_NUMBER_ID,
                "api_url": api_url, **overrides}
    return WhatsAppInput(**settings)


def _deliver(channel: WhatsAppInput, bot: FakeBot, payload: Any) -> int:
    body = encode(payload)
    return channel.receive(body, sign(body), bot)[0]


@pytest.fixture
def fake_api():
    with FakeGraphApi() as api:
        yield api


def test_not_configured_answers_503_and_sends_nothing(fake_api):
    async def scenario():
        channel = _channel(fake_api.url, access_token="")
        bot = FakeBot()
        assert not channel.configured
        assert channel.get_output_channel() is None
        assert channel.verify({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN,
                               "hub.challenge": "42"})[0] == 503
        assert _deliver(channel, bot, text_delivery("31600000001", "Hoi")) == 503
        await channel.drain()
        assert bot.received == []

        empty = WhatsAppInput.from_credentials(None)
        assert empty.verify({"hub.mode": "subscribe", "hub.verify_token": "",
                             "hub.challenge": "42"})[0] == 503

    asyncio.run(scenario())
    assert fake_api.requests == []


def test_in_process_flow_dedup_choices_and_isolation(fake_api, caplog):
    caplog.set_level(logging.DEBUG)
    wa_id = "31600000002"
    other = "31600000003"

    async def scenario():
        channel = _channel(fake_api.url)
        bot = FakeBot(fail_on="kapot")
        retried = text_delivery(wa_id, "Hallo daar", "wamid.SAME")
        assert _deliver(channel, bot, retried) == 200
        assert _deliver(channel, bot, retried) == 200           # Meta retries
        await channel.drain()
        assert [m.text for m in bot.received] == ["Hallo daar"]
        assert bot.received[0].input_channel == "whatsapp"
        assert bot.received[0].message_id == "wamid.SAME"

        # One delivery, two messages: the first fails in the bot (the patient gets the
        # polite failure line, not silence), the second is answered.
        both = text_delivery(other, "kapot")
        both["entry"][0]["changes"][0]["value"]["messages"].append(
            text_delivery(other, "heel")["entry"][0]["changes"][0]["value"]["messages"][0])
        assert _deliver(channel, bot, both) == 200
        await channel.drain()
        assert [r.text for r in fake_api.sent_to(other)] == [failure_reply(), "Antwoord op heel"]

        # A numbered list, then "2." picks the second payload.
        assert _deliver(channel, bot, text_delivery(wa_id, "welke behandeling?")) == 200
        await channel.drain()
        assert _deliver(channel, bot, text_delivery(wa_id, "2.")) == 200
        await channel.drain()
        assert bot.received[-1].text == '/inform_treatment{"treatment":"triggerpointtherapie"}'

        assert _deliver(channel, bot, image_delivery(wa_id)) == 200
        await channel.drain()
        await channel._client.close()

    asyncio.run(scenario())
    texts = [r.text for r in fake_api.sent_to(wa_id)]
    assert texts[0] == "Antwoord op Hallo daar"
    assert "1. Triggerpoint injectie" in texts[1] and "5. Facetdenervatie" in texts[1]
    assert texts[-1] == TEXT_ONLY_REPLY
    for request in fake_api.requests:
        assert request.path == f"/{PHONE_NUMBER_ID}/messages"
        assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"

    # Even at DEBUG: no phone number and no message text in the logs.
    logged = caplog.text
    assert "whatsapp" in logged.lower() and conversation_ref(wa_id) in logged
    for secret in (wa_id, other, "Hallo daar", "kapot", "welke behandeling", ACCESS_TOKEN):
        assert secret not in logged


def test_input_limits_apply_on_whatsapp(fake_api):
    """The same cleaning and limits as REST and Socket.IO (actions.lib.input_limits)."""
    wa_id = "31600000005"

    async def scenario():
        channel = _channel(fake_api.url)
        bot = FakeBot()
        for body in ("hallo\x00\x1b daar", "😀" * 100_000, "   \n  "):
            assert _deliver(channel, bot, text_delivery(wa_id, body)) == 200
            await channel.drain()
        await channel._client.close()
        return bot.received

    received = asyncio.run(scenario())
    assert received[0].text == "hallo daar" and received[0].parse_data is None
    assert len(received[1].text) == MAX_MESSAGE_CHARS
    assert received[2].text == "" and received[2].parse_data["intent"]["name"] == "nonsense"


def test_state_in_memory_without_redis_url(fake_api):
    channel = _channel(fake_api.url)
    assert isinstance(channel.state, MemoryState) and not channel.state.shared
    assert isinstance(_channel(fake_api.url, redis_url="redis://127.0.0.1:56379/1").state,
                      RedisState)
    # Not configured: never Redis, never sending.
    assert isinstance(_channel(fake_api.url, access_token="",
                               redis_url="redis://127.0.0.1:56379/1").state, MemoryState)


def test_unreachable_redis_still_answers(fake_api, caplog):
    """Redis down: messages are still answered (a retry may be answered twice), no crash."""
    wa_id = "31600000006"

    async def scenario():
        channel = _channel(fake_api.url, redis_url="redis://127.0.0.1:9/1")  # nothing there
        bot = FakeBot()
        assert _deliver(channel, bot, text_delivery(wa_id, "welke behandeling?")) == 200
        await channel.drain()
        assert _deliver(channel, bot, text_delivery(wa_id, "2")) == 200
        await channel.drain()
        await channel.state.close()
        await channel._client.close()
        return bot.received

    with caplog.at_level(logging.ERROR):
        received = asyncio.run(scenario())
    assert [m.text for m in received] == ["welke behandeling?", "2"]  # "2" read as text
    assert "Redis" in caplog.text and wa_id not in caplog.text
    assert [r.text for r in fake_api.sent_to(wa_id)][0].startswith("Over welke behandeling")


def test_redis_keys_hide_phone_numbers_and_message_ids():
    state = RedisState("redis://127.0.0.1:9/1", APP_SECRET, PHONE_NUMBER_ID)
    seen, choices = state.key("seen", "wamid.ABC"), state.key("choices", "31611111111")
    assert seen.startswith(f"whatsapp:{PHONE_NUMBER_ID}:seen:")
    assert choices.startswith(f"whatsapp:{PHONE_NUMBER_ID}:choices:")
    assert "ABC" not in seen and "31611111111" not in choices
    other = RedisState("redis://127.0.0.1:9/1", "another-secret", PHONE_NUMBER_ID)
    assert other.key("choices", "31611111111") != choices  # keyed with the app secret


def test_output_sends_reply_buttons_and_logs_failures_quietly(fake_api, caplog):
    wa_id = "31600000004"

    async def scenario():
        client = GraphApiClient(fake_api.url, PHONE_NUMBER_ID, ACCESS_TOKEN)
        output = WhatsAppOutput(client)
        await output.send_response(wa_id, {"text": "Heb je koorts?", "buttons": [
            {"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"}]})
        await output.send_response(wa_id, {"text": "Lang. " * 1000})
        fake_api.fail_with = 400
        with caplog.at_level(logging.INFO):
            await output.send_text_message(wa_id, "Geheime tekst")
        await client.close()

    asyncio.run(scenario())
    sent = fake_api.sent_to(wa_id)
    assert sent[0].json == {
        "messaging_product": "whatsapp", "to": wa_id, "type": "interactive",
        "interactive": {"type": "button", "body": {"text": "Heb je koorts?"}, "action": {
            "buttons": [{"type": "reply", "reply": {"id": "/affirm", "title": "Ja"}},
                        {"type": "reply", "reply": {"id": "/deny", "title": "Nee"}}]}}}
    assert [r.type for r in sent[1:3]] == ["text", "text"]   # 6 000 characters: 2 messages
    assert all(len(r.text) <= TEXT_LIMIT for r in sent)
    assert sent[1].json["text"]["preview_url"] is False
    assert "HTTP 400" in caplog.text and "131000" in caplog.text
    assert "Geheime tekst" not in caplog.text and wa_id not in caplog.text


# ========================================================================= server tests


@pytest.fixture(scope="module")
def whatsapp(tmp_path_factory):
    """The real Rasa server (and action server) with the WhatsApp channel configured
    against a fake Graph API. Yields (assistant, fake_api)."""
    api = FakeGraphApi().start()
    bot = Assistant(tmp_path_factory.mktemp("whatsapp"), enable_api=True, env={
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_URL": api.url,
    })
    try:
        bot.start()
        yield bot, api
    finally:
        bot.stop()
        api.stop()


_numbers = itertools.count(100)


def new_wa_id() -> str:
    return f"316{time.time_ns() % 10**5:05d}{next(_numbers):03d}"


def webhook(bot: Assistant) -> str:
    return f"{bot.url}/webhooks/whatsapp/webhook"


def post(bot: Assistant, payload: Any, signature: Optional[str] = "sign") -> requests.Response:
    body = payload if isinstance(payload, bytes) else encode(payload)
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers["X-Hub-Signature-256"] = sign(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return requests.post(webhook(bot), data=body, headers=headers, timeout=10)


def user_events(bot: Assistant, wa_id: str) -> List[Dict[str, Any]]:
    r = requests.get(f"{bot.url}/conversations/{wa_id}/tracker", timeout=10)
    r.raise_for_status()
    return [e for e in r.json().get("events", []) if e.get("event") == "user"]


def joined(messages) -> str:
    return "\n".join(m.text for m in messages)


def test_verification_handshake(whatsapp):
    bot, api = whatsapp
    ok = requests.get(webhook(bot), params={"hub.mode": "subscribe",
                                            "hub.verify_token": VERIFY_TOKEN,
                                            "hub.challenge": "1158201444"}, timeout=10)
    assert ok.status_code == 200 and ok.text == "1158201444"
    assert ok.headers["Content-Type"].startswith("text/plain")

    for params in ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
                   {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN,
                    "hub.challenge": "1"},
                   {}):
        assert requests.get(webhook(bot), params=params, timeout=10).status_code == 403


def test_signed_text_message_is_answered_in_dutch(whatsapp):
    bot, api = whatsapp
    wa_id = new_wa_id()
    t0 = time.time()
    r = post(bot, text_delivery(wa_id, "Mag ik na de triggerpoint injectie zelf naar huis rijden?"))
    assert r.status_code == 200
    assert time.time() - t0 < 2  # acknowledged at once, answered in the background

    sent = api.wait_for_reply(wa_id, contains="Bron:")
    for request in sent:
        assert request.method == "POST"
        assert request.path == f"/{PHONE_NUMBER_ID}/messages"
        assert request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
        assert request.json["messaging_product"] == "whatsapp"
        assert request.json["to"] == wa_id
        assert request.json["type"] == "text"
        assert request.json["text"]["preview_url"] is False
    answer = joined(sent)
    assert "rijden" in answer or "auto" in answer
    assert "24 uur" not in answer  # that is the facet rule

    [event] = user_events(bot, wa_id)
    assert event["input_channel"] == "whatsapp"
    assert event["message_id"].startswith("wamid.")


def test_wrong_or_missing_signature_is_refused_and_nothing_sent(whatsapp):
    bot, api = whatsapp
    wa_id = new_wa_id()
    payload = text_delivery(wa_id, "Hallo")
    assert post(bot, payload, signature=sign(encode(payload), "not-the-secret")).status_code == 403
    assert post(bot, payload, signature="sha256=" + "0" * 64).status_code == 403
    assert post(bot, payload, signature="garbage").status_code == 403
    assert post(bot, payload, signature=None).status_code == 403
    time.sleep(3)
    assert api.sent_to(wa_id) == []
    assert user_events(bot, wa_id) == []


def test_duplicate_delivery_is_answered_once(whatsapp):
    bot, api = whatsapp
    wa_id = new_wa_id()
    payload = text_delivery(wa_id, "Hoe lang duurt een facetdenervatie?")
    assert post(bot, payload).status_code == 200
    assert post(bot, payload).status_code == 200  # retried at once
    sent = api.wait_for_reply(wa_id, quiet=3)
    assert post(bot, payload).status_code == 200  # and retried again later
    time.sleep(3)
    assert len(api.sent_to(wa_id)) == len(sent)
    assert len(user_events(bot, wa_id)) == 1


def test_more_than_three_buttons_become_a_numbered_list_and_a_number_picks(whatsapp):
    bot, api = whatsapp
    wa_id = new_wa_id()
    assert post(bot, text_delivery(wa_id, LIST_QUESTION)).status_code == 200
    sent = api.wait_for_reply(wa_id, contains="5. Facetdenervatie")
    question = next(m for m in sent if "5. Facetdenervatie" in m.text)
    assert question.type == "text"
    assert re.search(r"1\. Triggerpoint injectie\n2\. Triggerpointtherapie\n3\. Dry needling\n"
                     r"4\. Facetinfiltratie\n5\. Facetdenervatie", question.text)
    assert not any(m.type == "interactive" for m in sent)

    before = len(sent)
    assert post(bot, text_delivery(wa_id, " 4 ")).status_code == 200
    after = api.wait_for_reply(wa_id, count=before + 1)
    assert "facetinfiltratie" in joined(after[before:]).lower()  # answered for that one
    assert user_events(bot, wa_id)[-1]["text"] == FACETINFILTRATIE
    assert user_events(bot, wa_id)[-1]["parse_data"]["intent"]["name"] == "inform_treatment"


def test_button_reply_reaches_the_bot_as_its_payload(whatsapp):
    bot, api = whatsapp
    wa_id = new_wa_id()
    assert post(bot, text_delivery(wa_id, LIST_QUESTION)).status_code == 200
    before = len(api.wait_for_reply(wa_id, contains="Dry needling"))

    assert post(bot, button_reply_delivery(wa_id, DRY_NEEDLING, "Dry needling")).status_code == 200
    after = api.wait_for_reply(wa_id, count=before + 1)
    answer = joined(after[before:])
    assert "dry needling" in answer.lower()

    last = user_events(bot, wa_id)[-1]
    assert last["text"] == DRY_NEEDLING
    assert last["parse_data"]["intent"]["name"] == "inform_treatment"
    assert {"entity": "treatment", "value": "dry_needling"}.items() <= \
        last["parse_data"]["entities"][0].items()


def test_status_update_is_acknowledged_and_ignored(whatsapp):
    bot, api = whatsapp
    wa_id = new_wa_id()
    assert post(bot, status_delivery(wa_id)).status_code == 200
    time.sleep(3)
    assert api.sent_to(wa_id) == []


def test_image_gets_the_polite_text_only_line(whatsapp):
    bot, api = whatsapp
    wa_id = new_wa_id()
    assert post(bot, image_delivery(wa_id)).status_code == 200
    sent = api.wait_for_reply(wa_id, quiet=2)
    assert [m.text for m in sent] == [TEXT_ONLY_REPLY]
    assert user_events(bot, wa_id) == []  # the bot was not asked


def test_malformed_json_is_400(whatsapp):
    bot, api = whatsapp
    assert post(bot, b'{"object": "whatsapp_business_account", "entry": [').status_code == 400
    assert post(bot, b"\xff\xfe not json").status_code == 400


def test_phone_numbers_and_texts_stay_out_of_the_server_log(whatsapp):
    bot, api = whatsapp
    log = (bot.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")
    numbers = {r.to for r in api.requests if r.to}
    assert numbers  # the tests above did send
    for number in numbers:
        assert number not in log
    assert "Mag ik na de triggerpoint injectie" not in log
    assert ACCESS_TOKEN not in log and APP_SECRET not in log
