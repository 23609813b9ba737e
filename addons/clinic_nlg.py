"""Response generator that fills clinic placeholders from config/clinics.yml.

Responses in domain.yml say `{phone_franciscus_gasthuis}` instead of a number,
so every phone number and opening hour lives in one editable file. This runs
inside the Rasa server: static answers, including the safety fail-safe, keep
their numbers even when the action server is down.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from actions.lib.clinics import load_clinics, template_variables


class ClinicNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
    ) -> None:
        super().__init__(domain.responses if domain else {})
        self.clinic_variables = template_variables(load_clinics())

    def _response_variables(
        self, filled_slots: Optional[Dict[Text, Any]], kwargs: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        values = dict(self.clinic_variables)
        values.update({k: v for k, v in (filled_slots or {}).items() if v is not None})
        values.update(kwargs)
        return values

    def _fill_response(
        self,
        response: Dict[Text, Any],
        filled_slots: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> Dict[Text, Any]:
        # Button payloads such as /inform_treatment{"treatment":"dry_needling"}
        # are JSON, not templates: keep them out of placeholder filling.
        buttons = response.pop("buttons", None)
        filled = super()._fill_response(response, filled_slots, **kwargs)
        if buttons is not None:
            filled["buttons"] = buttons
        return filled
