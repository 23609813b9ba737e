"""A behaviour-preserving fix of one Rasa 3.6 hot path (docs/benchmark.md, "Where the
time went").

Rasa checks every response of the action server with ``jsonschema.validate(result,
schema)``. That function first validates the *schema itself* against the JSON Schema
meta-schema, on every call: 20-90 ms of CPU per custom action on this machine with
jsonschema 4.17, the largest single cost of a turn that runs one of our actions (the
stock ``rasa init`` bot has no custom actions and never pays it). Here the validator is
built, and its schema checked, once. A valid response is accepted exactly as before; an
invalid one goes through Rasa's own method unchanged (same ``ValidationError``, same
message).

``apply()`` is idempotent and is called when the Rasa server imports its stores
(``addons/stores.py``, named in endpoints.yml). It only patches Rasa 3.6.x, the version
it was written and tested for (tests/unit/test_rasa_speedups.py).
"""
from __future__ import annotations

import functools
import logging
from typing import Any, Dict, Text

logger = logging.getLogger(__name__)

_PATCHED = "_patient_assistant_cached_validator"


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """The validator of Rasa's action response schema, built and checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def apply() -> bool:
    """Patch ``RemoteAction._validate_action_result``; True if it is (now) patched."""
    import rasa
    from rasa.core.actions.action import RemoteAction

    current = RemoteAction._validate_action_result
    if getattr(current, _PATCHED, False):
        return True
    if not rasa.__version__.startswith("3.6."):
        logger.warning("rasa %s: the action response validation is not sped up "
                       "(addons/rasa_speedups.py is for Rasa 3.6)", rasa.__version__)
        return False
    original = current

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        if response_validator().is_valid(result):
            return True
        return original(self, result)  # raises Rasa's own ValidationError

    setattr(_validate_action_result, _PATCHED, True)
    _validate_action_result.__doc__ = original.__doc__
    RemoteAction._validate_action_result = _validate_action_result
    return True
