"""addons/rasa_speedups.py: the action response is validated as before, only faster."""
import time

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from addons import rasa_speedups

RESPONSES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "topic", "value": "duur"}],
     "responses": [{"text": "Twintig minuten.", "buttons": []}]},
    {"events": [{"event": "slot", "name": "safety_signs", "value": ["fever"]},
                {"event": "followup", "name": "action_listen"}],
     "responses": [{"response": "utter_red_flag_reason__fever"}]},
    {},
    # invalid ones
    {"events": "not a list"},
    {"events": [{"event": "slot"}]},
    {"events": [{"name": "no event type"}]},
    {"responses": [{"text": "x"}, "not an object"]},
    ["not", "an", "object"],
]


def stock_verdict(result) -> bool:
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return True
    except jsonschema.ValidationError:
        return False


def test_applied_once_for_rasa_36():
    assert rasa_speedups.apply() is True
    patched = RemoteAction._validate_action_result
    assert rasa_speedups.apply() is True
    assert RemoteAction._validate_action_result is patched


@pytest.mark.parametrize("result", RESPONSES)
def test_same_verdict_and_error_as_rasa(result):
    rasa_speedups.apply()
    action = RemoteAction("action_answer_question", None)
    if stock_verdict(result):
        assert action._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as error:
            action._validate_action_result(result)
        assert "Failed to validate Action server response" in error.value.message


def test_faster_than_revalidating_the_schema():
    rasa_speedups.apply()
    action, result = RemoteAction("action_answer_question", None), RESPONSES[1]
    t0 = time.perf_counter()
    for _ in range(20):
        action._validate_action_result(result)
    patched = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(20):
        stock_verdict(result)
    assert patched * 5 < time.perf_counter() - t0
