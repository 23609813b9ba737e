"""Fail-safe: with the action server stopped, a red flag or emergency still gets
112 and every clinic line (the static answer rendered inside the Rasa server)."""
import pytest
import yaml

from qa.launcher import ROOT, Assistant, texts

RAW = yaml.safe_load((ROOT / "config" / "clinics.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bot_without_actions(tmp_path_factory):
    bot = Assistant(tmp_path_factory.mktemp("failsafe")).start()
    bot.stop_actions()
    yield bot
    bot.stop()


@pytest.mark.parametrize("message", [
    "ik heb 39 graden koorts sinds de facetinfiltratie",
    "mijn man krijgt geen lucht meer",
])
def test_red_flag_gets_static_answer_when_action_server_is_down(bot_without_actions, message):
    text = texts(bot_without_actions.say(f"failsafe-{hash(message)}", message))
    assert RAW["emergency_number"] in text
    for line in RAW["lines"]:
        assert line["phone"] in text
    assert "nu open" not in text and "nu gesloten" not in text  # no live hours here
