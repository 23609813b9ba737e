"""Rule-based safety triage of one patient message (Dutch / Flemish): the public API.

Independent of any ML model: a deterministic check that runs on every message
before (and regardless of) the intent classifier.

    >>> from actions.lib.red_flags import assess
    >>> a = assess("Ik heb sinds de infiltratie 38,5 en de prikplek is rood")
    >>> a.level, a.signs, a.temperature
    ('red_flag', ['fever', 'infection_signs'], 38.5)

Levels
    ``emergency``     a life-threatening sign (call the emergency number): breathing, chest_pain,
                      fainting, heavy_bleeding, sudden_weakness
    ``red_flag``      a complication sign that needs the clinic / doctor now:
                      fever, infection_signs, bleeding, increasing_pain,
                      loss_of_strength, loss_of_feeling, headache_neck_pain,
                      urination_difficulty, incontinence
    ``hypothetical``  signs are only mentioned as a risk / "what if" question
                      ("wie bel ik als ik koorts krijg?"): no alarm
    ``none``          nothing, or only negated / past signs ("geen koorts")

What counts as each sign, and every negation, history, what-if and person word, is
in the rulebook ``config/safety/`` (YAML, with the reason next to each entry; see its
README.md). The engine that applies it is the package ``actions.lib.safety``.
``assess`` never raises.
"""
from __future__ import annotations

from actions.lib.safety.engine import MAX_ANALYSED_CHARS, Assessment, assess, warm_up
# the cheap keyword scan, also used by actions/lib/input_limits.py (alarm passages kept
# when a long message is cut)
from actions.lib.safety.keywords import keyword_scan
from actions.lib.safety.lexicon import normalise
from actions.lib.safety.signs import (  # noqa: F401
    EMERGENCY,
    EMERGENCY_SIGNS,
    HYPOTHETICAL,
    LEVELS,
    NONE,
    RED_FLAG,
    RED_FLAG_SIGNS,
    SIGN_ORDER,
)
from actions.lib.safety.temperature import FEVER_THRESHOLD  # noqa: F401

__all__ = [
    "Assessment",
    "assess",
    "EMERGENCY_SIGNS",
    "RED_FLAG_SIGNS",
    "LEVELS",
    "MAX_ANALYSED_CHARS",
    "warm_up",
    "keyword_scan",
    "normalise",
]
