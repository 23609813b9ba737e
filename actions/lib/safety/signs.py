"""The names the safety rulebook may use: levels, signs and building blocks.

These names are the contract with the dialogue (answers and phone lines are chosen by
sign and level), so they live in code; the rulebook files are checked against them.
"""
from __future__ import annotations

EMERGENCY = "emergency"
RED_FLAG = "red_flag"
HYPOTHETICAL = "hypothetical"
NONE = "none"
LEVELS = (EMERGENCY, RED_FLAG, HYPOTHETICAL, NONE)

EMERGENCY_SIGNS = ("breathing", "chest_pain", "fainting", "heavy_bleeding", "sudden_weakness",
                   "allergic_reaction")
RED_FLAG_SIGNS = (
    "fever",
    "infection_signs",
    "bleeding",
    "increasing_pain",
    "loss_of_strength",
    "loss_of_feeling",
    "headache_neck_pain",
    "urination_difficulty",
    "incontinence",
)
SIGNS = EMERGENCY_SIGNS + RED_FLAG_SIGNS
SIGN_ORDER = {s: i for i, s in enumerate(SIGNS)}

# Building blocks: pattern names starting with "_" that are no sign by themselves; the
# engine (blocks.py) turns them into signs by their context.
BUILDING_BLOCKS = {
    "_speech": "speech trouble: a stroke sign when sudden or with weakness",
    "_fever_temp": "'ik heb temperatuur': fever unless a number follows",
    "_verhoging": "'verhoging': fever unless of a dose, blood pressure, ...",
    "_inf_weak": "red / warm / thick: an infection sign with a site or a second word",
    "_bleed": "a bleeding word: bleeding unless a blood test or menstruation",
    "_keeps_flowing": "'blijft stromen': a haemorrhage when blood is named",
    "_worse_generic": "'wordt steeds erger': increasing pain when nothing specific is said",
    "_numb": "numb / tingling: loss of feeling when it gets worse",
    "_head": "a headache: a sign with neck pain or when it lasts",
    "_neck": "neck pain: a sign together with a headache",
}
BENIGN = "_benign:"   # "_benign:<sign>": a sign word with a harmless reading (Assessment.benign)
BLOCK = "_block:"     # a building block that made no sign (counts only when negated)
