"""What-if mentions: a sign named only as a condition, a risk or a question about what
may happen ("als ik koorts krijg", "kans op een bloeding", "kan ik een infectie
krijgen?"). The words are in context.yml.
"""
from __future__ import annotations

from .doc import CONJ_TERMINATORS, SENTENCE_END, SUBJECTS, Doc, Mention, phrase_at
from .rulebook import RULEBOOK as _RB

_G = _RB.groups
_W = _RB.words
_P = _RB.phrases

INVERSION_VERBS = _W["inversion_verbs"]
FINITE_SIGN_VERBS = _W["finite_sign_verbs"]
LIST_SIGN_WORDS = _G["INF_WEAK"] | _G["INF_MEDIUM"]   # "rood, warm of gezwollen"
WHETHER = _W["whether"]
ASK_VERBS = _W["ask_verbs"]
CONDITIONAL = _W["conditional_markers"]
ALS = _W.one("als_not_conditional.word")
ALS_NOT_NEXT = _W["als_not_conditional.next"]
GEVAL = _W.one("geval_conditional.word")
GEVAL_AFTER = _W["geval_conditional.after"]
TEMPORAL = _W["temporal_conditionals"]
SUBJECT_OR_DET = SUBJECTS | _G["DET"]
DANGER = _W["danger_words"]
DANGER_THAT = _W["danger_that"]
REPORT_VERBS = _W["report_verbs"]
REPORT_THAT = _W["report_that"]
GENERIC_SUBJECTS = _W["generic_subjects"]
GENERAL_STARTS = _W["general_question_starts"]
GENERAL_PHRASES = _P["general_question_phrases"]
PARTICULAR = _W["first_person"] | _W["possessives"] | _W["particular_referents"]
THRESHOLD_WORDS = _W["fever_threshold_question.words"]
TEMPERATURE_WORDS = _W["fever_threshold_question.temperature_words"]
BIJ = _W.one("bij_sign.word")
BIJ_BETWEEN = _W["bij_sign.between"]
HOW_TO_KNOW = _W["how_to_know_starts"]
KNOW_VERBS = _W["know_verbs"]
RISK_MARKERS = _W["risk_markers"]
RISK_AFTER = _W["risk_after"]
FEAR_MARKERS = _W["fear_markers"]
FEAR_FOLLOWERS = _W["fear_followers"]
ASSERT_VERBS = _W["assert_verbs"]
QUESTION_RISK = _W["question_risk_markers"]
FILLERS = _W["fillers"]
FOLLOW_STARTS = _W["follow_up_question.starts"]
FOLLOW_THEN = _W["follow_up_question.then"]
WHY = _W.one("why_word")
QUESTION_FIRST_POTENTIAL = _W["question_first_potential"]
MODALS = _W["modals"]
POTENTIAL = _W["potential_words"]
SUBJECT_VERBS = _W["subject_verbs"]
NOT_ASSERTED_IS = _W["asserted_not.is_word"]
NOT_ASSERTED_IS_NEXT = _W["asserted_not.is_next"]
NOT_ASSERTED_COPULAS = _W["asserted_not.copulas"]
NOT_ASSERTED_COPULA_AFTER = _W["asserted_not.copula_after"]


def _conditional_before(d: Doc, m: Mention, a: int, hyp_tokens: set[int]) -> bool | None:
    """H1: a conditional marker earlier in the same clause ("als ik koorts krijg").
    True / False when decided, None to go on with the other checks."""
    c = d.c
    j = m.start - 1
    inversion_at = None  # "als ik opsta WORD IK duizelig": the sign is in the main clause
    while j >= a:
        t = c[j]
        if j in hyp_tokens:
            return True
        if t in SENTENCE_END or t in CONJ_TERMINATORS:
            break
        if t in INVERSION_VERBS and j + 1 < d.n and c[j + 1] in SUBJECTS and inversion_at is None:
            inversion_at = j
        if t == ",":
            nxt = c[j + 1] if j + 1 < d.n else ""
            # a comma only continues a list of signs ("rood, warm of gezwollen")
            if not (j + 1 == m.start and nxt not in FINITE_SIGN_VERBS) and nxt not in LIST_SIGN_WORDS:
                break
        if t in WHETHER and any(x in ASK_VERBS for x in c[max(a, j - 3):j]):
            return True  # "mijn dochter vraagt of ze kan flauwvallen", "wil weten of ..."
        if t in CONDITIONAL:
            if t == ALS and j + 1 < d.n and c[j + 1] in ALS_NOT_NEXT:
                pass
            elif t == GEVAL and not (j > a and c[j - 1] in GEVAL_AFTER):
                pass
            elif (inversion_at is not None and inversion_at > j + 1 and t in TEMPORAL
                  and j + 1 < d.n and c[j + 1] in SUBJECT_OR_DET):
                break  # temporal "als/wanneer": a real complaint in the main clause
            else:
                return True
        j -= 1
    return None


def hypothetical(d: Doc, m: Mention, hyp_tokens: set[int]) -> bool:
    a, b = d.s_range(m.start)
    c = d.c
    span = set(range(m.start, m.end))
    if _conditional_before(d, m, a, hyp_tokens):
        return True
    question = d.is_question(m.start)
    # "is flauwvallen gevaarlijk?": a question about a sign, not stating it (but
    # "is het gevaarlijk dat het bloedt?" states it)
    if question and set(c[a:b]) & DANGER and not any(t in DANGER_THAT for t in c[a:m.start]) \
            and not (set(c[m.start:m.end]) & FINITE_SIGN_VERBS) and not asserted(d, m, a, b, span):
        return True
    # reported, about people in general: "ik lees dat je dan kortademig wordt", "mijn
    # buurvrouw zei dat je soms niet meer kan plassen"
    for x in range(a, m.start - 1):
        if c[x] in REPORT_VERBS and c[x + 1] in REPORT_THAT and x + 2 <= m.start and \
                any(c[y] in GENERIC_SUBJECTS for y in range(x + 2, min(m.start + 1, x + 5))):
            return True
    # "hoeveel bloed is te veel?", "hoe lang mag een prikplek nabloeden?": asked in general
    if question and (d.first_word(m.start) in GENERAL_STARTS or phrase_at(c, a, GENERAL_PHRASES)) \
            and not any(c[y] in PARTICULAR for y in range(a, m.start)):
        return True
    # "bij welke temperatuur is het koorts?", "vanaf hoeveel graden is het koorts?"
    if m.sign == "fever" and question and set(c[a:b]) & THRESHOLD_WORDS \
            and set(c[a:b]) & TEMPERATURE_WORDS and not asserted(d, m, a, b, span):
        return True
    # "bij (een) koorts", "wat te doen bij een bloeding"
    k = m.start - 1
    while k >= a and c[k] in BIJ_BETWEEN:
        k -= 1
    if k >= a and c[k] == BIJ:
        return True
    # "hoe weet ik of het ontstoken is?"
    if d.first_word(m.start) in HOW_TO_KNOW and any(t in KNOW_VERBS for t in c[a:m.start]):
        return True
    # H3: risk words shortly before ("kans op een bloeding", "tekenen van infectie")
    window = [c[x] for x in range(max(a, m.start - 5), m.start) if not d.is_boundary(x, comma_is_boundary=True)]
    if any(t in RISK_MARKERS for t in window):
        return True
    if any(t in RISK_AFTER for t in c[m.end:min(b, m.end + 3)]):
        return True
    # fear: "ik ben bang dat het gaat ontsteken" (but "bang dat het ontstoken is" = suspicion)
    fear_at = next(
        (x for x in range(a, m.start) if c[x] in FEAR_MARKERS and x + 1 < d.n
         and c[x + 1] in FEAR_FOLLOWERS
         and not any(d.is_boundary(y, comma_is_boundary=True) for y in range(x + 1, m.start))),
        None,
    )
    if fear_at is not None:
        tail = [c[x] for x in range(fear_at + 1, b) if x not in span]
        if not any(t in ASSERT_VERBS for t in tail):
            return True
    # risk words that only count in a question: "wat zijn de tekenen van infectie?"
    if question and any(t in QUESTION_RISK for t in window):
        if not asserted(d, m, a, b, span):
            return True
    # a bare sign asked about, then "when / whom ... then?" ("zwak aan één kant? wanneer
    # moet ik dan bellen"): the sign is the condition of the follow-up question
    if question and b < d.n and all(x in span or c[x] in FILLERS or c[x] in SENTENCE_END for x in range(a, b)):
        nb = d.s_range(b)[1]
        follow = c[b:nb]
        if d.first_word(b) in FOLLOW_STARTS and any(t in FOLLOW_THEN for t in follow):
            return True
    # H2: a question about what may happen ("kan ik een infectie krijgen?");
    # not "waarom krijg ik koorts?" (asks about a complaint the patient has)
    if question and d.first_word(m.start) != WHY:
        first = d.first_word(m.start)
        first_idx = next((x for x in range(a, b) if c[x] == first), a)
        potential = False
        for x in range(a, b):
            t = c[x]
            if x == first_idx and t in QUESTION_FIRST_POTENTIAL:
                potential = True  # inverted: "kan ik ...", "krijg ik ...", "wordt de plek ..."
            elif x in span:
                continue
            elif t in QUESTION_FIRST_POTENTIAL and x + 1 < b and c[x + 1] in SUBJECTS:
                potential = True  # inverted after a comma: "ik neem Xarelto, krijg ik dan ...?"
            elif t in MODALS:
                if not (x - 1 >= a and c[x - 1] in SUBJECTS):  # "ik kan" is a statement
                    potential = True
            elif t in POTENTIAL:
                potential = True
        if potential and not asserted(d, m, a, b, span, first_idx):
            return True
    return False


def asserted(d: Doc, m: Mention, a: int, b: int, span: set[int], first_idx: int | None = None) -> bool:
    """Does the sentence state something as a fact ("ik heb", "de plek is", "ik kan")?"""
    c = d.c
    if first_idx is None:
        first = d.first_word(m.start)
        first_idx = next((x for x in range(a, b) if c[x] == first), a)
    for x in range(a, b):
        if x == first_idx or x in span:
            continue
        t = c[x]
        if t in ASSERT_VERBS:
            if t in NOT_ASSERTED_IS and x + 1 < b and c[x + 1] in NOT_ASSERTED_IS_NEXT:
                continue  # "is er kans op", "is het mogelijk", "... of is dat zeldzaam?"
            if t in NOT_ASSERTED_COPULAS and x - 1 >= a and c[x - 1] in NOT_ASSERTED_COPULA_AFTER:
                continue
            return True
        if t in SUBJECTS and x + 1 < b and c[x + 1] in SUBJECT_VERBS and x + 1 != first_idx:
            return True
    return False
