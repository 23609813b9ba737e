"""WhatsApp on several Rasa servers: two servers sharing one Redis (and one PostgreSQL, one
action server), both taking deliveries from the fake Graph API, as behind a load balancer
without any pinning (docs/scale-out.md).

* A delivery Meta retries to the other server is answered once, also when both copies
  arrive at the same moment.
* A numbered choice list sent by one server is understood when the patient's number
  arrives at the other server, and is used up there for both.
* What Redis holds expires and contains no phone number or message id in clear text.

Needs the servers of ``scripts/services.sh start`` (Redis 127.0.0.1:56379, PostgreSQL
127.0.0.1:55432). Without them the tests are skipped, except with CI=true, where they fail.
"""
from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, List

import pytest
import requests

from actions.lib.input_limits import failure_reply
from addons.channels.whatsapp import (
    CHOICE_HINT,
    CHOICES_TTL_SECONDS,
    SEEN_TTL_SECONDS,
    RedisState,
)
from qa.launcher import Assistant
from tests.channels.fake_graph_api import FakeGraphApi
from tests.channels.test_whatsapp import (
    ACCESS_TOKEN,
    APP_SECRET,
    DRY_NEEDLING,
    FACETINFILTRATIE,
    LIST_QUESTION,
    PHONE_NUMBER_ID,
    VERIFY_TOKEN,
    button_reply_delivery,
    encode,
    joined,
    new_message_id,
    new_wa_id,
    sign,
    text_delivery,
    user_events,
)

PG_URL = "postgresql://rasa:rasa@127.0.0.1:55432/rasa"
REDIS_URL = "redis://127.0.0.1:56379/1"
IN_CI = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _problem(what: str, check) -> str | None:
    try:
        check()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        return f"{what}: {type(error).__name__}: {str(error).strip().splitlines()[0]}"


def _check_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_timeout=3, socket_connect_timeout=3).ping()


def _check_postgres() -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def services():
    problems = [p for p in (_problem(f"Redis {REDIS_URL}", _check_redis),
                            _problem(f"PostgreSQL {PG_URL}", _check_postgres)) if p]
    if problems:
        message = "; ".join(problems) + " - start them with `scripts/services.sh start`"
        if IN_CI:
            pytest.fail(f"CI=true but the test services are not reachable: {message}",
                        pytrace=False)
        pytest.skip(f"test services not running ({message})")


@pytest.fixture(scope="module")
def two_servers(services, tmp_path_factory):
    """Servers A and B: one PostgreSQL, one Redis, one action server, one fake Graph API."""
    api = FakeGraphApi().start()
    env = {
        "DB_URL": PG_URL, "REDIS_URL": REDIS_URL,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_ACCESS_TOKEN": ACCESS_TOKEN, "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_URL": api.url,
    }
    first = Assistant(tmp_path_factory.mktemp("wa-server-a"), env=env, enable_api=True)
    second = None
    try:
        first.start_actions()
        second = Assistant(tmp_path_factory.mktemp("wa-server-b"), enable_api=True, env={
            **env, "ACTION_ENDPOINT_URL": first.env["ACTION_ENDPOINT_URL"]})
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda server: server.start_rasa(), (first, second)))
        yield first, second, api
    finally:
        if second:
            second.stop_rasa()
        first.stop()
        api.stop()


def post(server: Assistant, payload: Any) -> int:
    body = encode(payload)
    r = requests.post(f"{server.url}/webhooks/whatsapp/webhook", data=body, timeout=10,
                      headers={"Content-Type": "application/json",
                               "X-Hub-Signature-256": sign(body)})
    return r.status_code


def test_both_servers_use_redis(two_servers):
    for server in two_servers[:2]:
        log = (server.workdir / "rasa.log").read_text(errors="replace")
        assert "choice lists in Redis (shared by all Rasa servers)" in log


def test_a_delivery_retried_to_the_other_server_is_answered_once(two_servers):
    a, b, api = two_servers
    wa_id = new_wa_id()
    payload = text_delivery(wa_id, "Hoe lang duurt een facetdenervatie?")
    assert post(a, payload) == 200
    sent = api.wait_for_reply(wa_id, quiet=3)
    assert post(b, payload) == 200  # Meta retries; the balancer picks the other server
    assert post(a, payload) == 200  # and once more to the first
    time.sleep(4)
    assert len(api.sent_to(wa_id)) == len(sent)
    assert len(user_events(a, wa_id)) == 1


def test_simultaneous_copies_on_both_servers_are_answered_once(two_servers):
    a, b, api = two_servers
    for _ in range(3):
        wa_id = new_wa_id()
        payload = text_delivery(wa_id, "Mag ik na de triggerpoint injectie zelf naar huis rijden?")
        start = threading.Barrier(2)

        def deliver(server: Assistant) -> int:
            start.wait()
            return post(server, payload)

        with ThreadPoolExecutor(2) as pool:
            assert list(pool.map(deliver, (a, b))) == [200, 200]
        sent = api.wait_for_reply(wa_id, quiet=3)
        assert len(user_events(b, wa_id)) == 1, "processed on both servers"
        texts: List[str] = [m.text for m in sent]
        assert len(texts) == len(set(texts)), f"answered twice: {texts}"


def ask_for_a_list(server: Assistant, api: FakeGraphApi, wa_id: str, **kwargs: Any) -> int:
    """The patient asks LIST_QUESTION; returns how many messages they have got then."""
    assert post(server, text_delivery(wa_id, LIST_QUESTION, **kwargs)) == 200
    return len(api.wait_for_reply(wa_id, contains=CHOICE_HINT))


def last_user_event(server: Assistant, wa_id: str) -> dict:
    return user_events(server, wa_id)[-1]


def test_a_numbered_choice_is_understood_on_the_other_server(two_servers):
    a, b, api = two_servers
    wa_id = new_wa_id()
    before = ask_for_a_list(a, api, wa_id)

    assert post(b, text_delivery(wa_id, " 4 ")) == 200  # the list was sent by A
    after = api.wait_for_reply(wa_id, count=before + 1)
    assert failure_reply() not in joined(after[before:])
    assert last_user_event(a, wa_id)["text"] == FACETINFILTRATIE
    assert last_user_event(a, wa_id)["parse_data"]["intent"]["name"] == "inform_treatment"

    # The list is used up for both servers: a later "2" is just text.
    count = len(api.wait_quiet(wa_id))
    assert post(a, text_delivery(wa_id, "2")) == 200
    api.wait_for_reply(wa_id, count=count + 1)
    assert last_user_event(b, wa_id)["text"] == "2"


def test_a_reply_button_is_understood_on_the_other_server(two_servers):
    a, b, api = two_servers
    wa_id = new_wa_id()
    before = ask_for_a_list(b, api, wa_id)
    assert post(a, button_reply_delivery(wa_id, DRY_NEEDLING, "Dry needling")) == 200
    after = api.wait_for_reply(wa_id, count=before + 1)
    assert failure_reply() not in joined(after[before:])
    assert last_user_event(b, wa_id)["text"] == DRY_NEEDLING
    assert last_user_event(b, wa_id)["parse_data"]["intent"]["name"] == "inform_treatment"
    # The button reply closed the list B had sent: a later "2" is just text, on B too.
    count = len(api.wait_quiet(wa_id))
    assert post(b, text_delivery(wa_id, "2")) == 200
    api.wait_for_reply(wa_id, count=count + 1)
    assert last_user_event(a, wa_id)["text"] == "2"


def test_redis_holds_expiring_keys_without_phone_numbers(two_servers):
    import redis

    a, b, api = two_servers
    wa_id, message_id = new_wa_id(), new_message_id()
    ask_for_a_list(a, api, wa_id, message_id=message_id)  # an open list now

    client = redis.Redis.from_url(REDIS_URL)
    state = RedisState(REDIS_URL, APP_SECRET, PHONE_NUMBER_ID)  # the servers' key scheme
    seen, choices = state.key("seen", message_id), state.key("choices", wa_id)
    assert 0 < client.ttl(seen) <= SEEN_TTL_SECONDS
    assert 0 < client.ttl(choices) <= CHOICES_TTL_SECONDS
    assert FACETINFILTRATIE in json.loads(client.get(choices))["choices"].values()

    keys = [k.decode() for k in client.scan_iter(f"whatsapp:{PHONE_NUMBER_ID}:*")]
    assert all(client.ttl(k) > 0 for k in keys), "a key without expiry"
    everything = " ".join(keys) + " ".join(str(client.get(k)) for k in keys)
    for number in {r.to for r in api.requests if r.to}:
        assert number not in everything
    assert "wamid" not in everything
