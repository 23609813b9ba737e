"""The HTTP API is protected by a token when enabled (chat channels are not), and
patient message text does not reach the logs at the default level."""
import pytest
import requests

from qa.launcher import Assistant, texts

TOKEN = "e2e-secret-token"


@pytest.fixture(scope="module")
def bot_with_api(tmp_path_factory):
    bot = Assistant(tmp_path_factory.mktemp("api"), enable_api=True,
                    extra_args=["--auth-token", TOKEN]).start()
    yield bot
    bot.stop()


def test_tracker_endpoint_needs_the_token(bot_with_api):
    url = f"{bot_with_api.url}/conversations/api-1/tracker"
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(url, params={"token": TOKEN}, timeout=10).status_code == 200


def test_model_endpoint_needs_the_token(bot_with_api):
    assert requests.get(f"{bot_with_api.url}/status", timeout=10).status_code == 401


def test_chat_channel_needs_no_token(bot_with_api):
    assert "advies" in texts(bot_with_api.say("api-2", "Hallo"))


def test_message_text_is_not_logged(bot_with_api):
    secret = "Zwanenburgstraat mijn buurvrouw Petronella vraagt of ze mag autorijden na de facetinfiltratie"
    bot_with_api.say("api-3", secret)
    bot_with_api.say("api-3", "ik heb koorts sinds de infiltratie")
    for name in ("rasa.log", "actions.log"):
        log = (bot_with_api.workdir / f"{name}").read_text(encoding="utf-8", errors="ignore")
        assert "Petronella" not in log and "Zwanenburgstraat" not in log, name
        assert "koorts sinds" not in log, name
