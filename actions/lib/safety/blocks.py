"""Building blocks ("_" patterns) turned into signs by their context, and the context
exclusions of sign mentions ("benauwd voor de prik", "rode wijn", "bloed laten prikken").
The words come from the sign files; the reasons are written next to them there.
"""
from __future__ import annotations

from .doc import CLAUSE_STARTERS, SCOPE_TERMINATORS, SENTENCE_END, Doc, Mention, has_phrase, phrase_at
from .rulebook import RULEBOOK as _RB
from .signs import BENIGN, BLOCK

_G = _RB.groups
_W = _RB.words
_P = _RB.phrases

SITE = _G["SITE"]
FLUSH = _G["FLUSH"]
INF_WEAK = _G["INF_WEAK"]
INFECTION_OR_BLEED = _G["INF_WEAK"] | _G["INF_MEDIUM"] | _G["INF_STRONG"] | _G["BLEED"]
MENSES = _G["MENSES"]
BLOOD_TEST = _G["BLOOD_TEST"]
HEAVY = _G["HEAVY"]
PAIN = _G["PAIN"]
SHIVER = _G["SHIVER"]
NUMB = _G["NUMB"]
EXCRETION = _G["URINATE"] | _G["STOOL"]
FILLERS = _W["fillers"]
SUDDEN = _W["sudden_words"]

# emergencies.yml
AFRAID_WORD = _W.one("afraid_not_breathless.word")
AFRAID_NEXT = _W["afraid_not_breathless.next"]
NO_RESPONSE_WORDS = _W["no_response_to_treatment.words"]
NO_RESPONSE_NEXT = _W["no_response_to_treatment.next"]
NO_RESPONSE_UNLESS = _W["no_response_to_treatment.unless"]
FIGURE_ALMOST = _W["fainting_figure_of_speech.almost"]
FIGURE_WHEN = _W["fainting_figure_of_speech.when"]
FIGURE_THEN = _P["fainting_figure_of_speech.then"]
# fever.yml
NOT_FEVER_SHIVER = _W["not_fever_shiver"]
WEATHER = _W["weather_words"]
SHIVER_OUTSIDE = WEATHER | _W["shiver_outside_extra"]
VERHOGING_NOT = _W["verhoging_not"]
# infection.yml
LEAK_WORDS = _W["leak_is_urine"]
WARM_PREFIXES = tuple(sorted(_W["warm_object.prefix"]))
WARM_THINGS = _W["warm_object.things"]
DRESSINGS = _W["dressings"]
HEAT = _W["heat_words"]
EVERYWHERE = _W["everywhere"]
ATTR_HAIR = _W["attributive.hair"]
ATTR_OK_NEXT = _W["attributive.ok_next"]
ATTR_NOT_NOUN_NEXT = _W["attributive.not_noun_next"]
ATTR_NEUTER_ARTICLES = _W["attributive.neuter_articles"]
SITE_PRONOUNS = _W["site_pronoun.pronouns"]
SITE_HAVE = _W["site_pronoun.have"]
SITE_NOT_WITH = WEATHER | _W["site_pronoun.not_with"]
# bleeding.yml
BLOOD_WORD = _W.one("blood_word")
BLOOD_IDIOM_NEXT = _W["blood_idiom_next"]
OOZE_KEEPS = _W["ooze.keeps"]
OOZE_LITTLE = _W["ooze.little"]
# strength.yml, feeling.yml, headache_neck.yml
WEAK_FROM_PAIN = _W["weak_from_pain.because"]
NUMB_FEELING_WORD = _W.one("numb_feeling.word")
WORSE_CUES = _W["worse_cues"]
PERSIST_CUES = _W["persist_cues"]
PERSIST_PHRASES = _P["persist_phrases"]
INDICATION = _W["treatment_indication"]

# building blocks that made no sign: kept, so that "mijn hoofdpijn is weg" counts as negated
_BLOCK_SIGNS = {"_head": "headache_neck_pain", "_neck": "headache_neck_pain", "_numb": "loss_of_feeling"}
_SPECIFIC_BLOCKS = ("_neck", "_head", "_inf_weak", "_bleed", "_numb")


def keep(d: Doc, m: Mention) -> bool:
    """Context exclusions for sign mentions."""
    c = d.c
    nxt = c[m.end] if m.end < d.n else ""
    nxt2 = c[m.end + 1] if m.end + 1 < d.n else ""
    span = c[m.start:m.end]
    if m.sign == "breathing" and span == [AFRAID_WORD] and nxt in AFRAID_NEXT:
        return False  # "benauwd voor de prik" = afraid of
    if m.sign == "fainting" and (NO_RESPONSE_WORDS & set(span)) and nxt in NO_RESPONSE_NEXT \
            and nxt2 not in NO_RESPONSE_UNLESS:
        return False  # "de pijn reageert niet op paracetamol"
    a, b = d.s_range(m.start)
    if m.sign == "infection_signs" and span[0] in LEAK_WORDS and set(c[a:b]) & EXCRETION:
        return False  # "er lekt urine": incontinence, not a wound that leaks
    if m.sign == "fever" and span[0] in SHIVER and set(c[m.end:min(b, m.end + 4)]) & NOT_FEVER_SHIVER:
        return False  # "rillen van de kou / van de zenuwen"
    if m.sign == "fever" and span[0] in SHIVER and set(c[a:b]) & SHIVER_OUTSIDE:
        return False  # "het is koud buiten, ik sta te bibberen aan de bushalte"
    if m.sign == "fainting" and any(t in FIGURE_ALMOST for t in c[max(a, m.start - 1):m.end]) and any(
            c[x] in FIGURE_WHEN and phrase_at(c, x + 1, FIGURE_THEN) for x in range(m.end, b - 2)):
        return False  # "ik viel bijna flauw toen ik zag hoeveel het parkeren kostte" (a figure of speech)
    if m.sign == "bleeding" and span[0] == BLOOD_WORD and nxt in BLOOD_IDIOM_NEXT:
        return False  # "het bloed kruipt waar het niet gaan kan" (an idiom)
    if m.sign == "loss_of_feeling" and span[0] == NUMB_FEELING_WORD and m.start > a and c[m.start - 1] in NUMB:
        return False  # "het dove gevoel verdwijnt" = the numbness goes away
    if m.sign == "loss_of_strength" and set(c[m.end:min(b, m.end + 4)]) & WEAK_FROM_PAIN \
            and set(c[m.end:min(b, m.end + 5)]) & PAIN:
        return False  # "ik kan amper nog lopen van de pijn": the pain, not weakness
    if m.sign == "headache_neck_pain" and d.is_question(m.start):
        if set(c[a:b]) & INDICATION:
            return False  # "helpt dry needling tegen hoofdpijn en nekpijn?"
    return True


def _attributive(d: Doc, m: Mention, b: int) -> bool:
    """'rode wijn', 'zwarte koffie', 'een warm bad', 'een rood wijntje': the colour /
    heat word describes another noun, not the injection site."""
    c = d.c
    if m.end >= b:
        return False
    word, nxt = c[m.start], c[m.end]
    if nxt in ATTR_HAIR:
        return True  # "die met het rode haar"
    if nxt in SITE or nxt in ATTR_OK_NEXT or nxt in SENTENCE_END:
        return False
    if nxt in INFECTION_OR_BLEED:
        return False
    if not nxt.isalpha() or nxt in FILLERS or nxt in CLAUSE_STARTERS or nxt in SCOPE_TERMINATORS:
        return False
    if nxt in ATTR_NOT_NOUN_NEXT:
        return False
    inflected = word.endswith("e")  # "rode wijn", "warme kruik", "dikke trui"
    neuter = m.start > 0 and c[m.start - 1] in ATTR_NEUTER_ARTICLES and not inflected  # "een rood wijntje"
    return inflected or neuter


def _everywhere(c: list[str], m: Mention, a: int, b: int) -> bool:
    """"mijn huid is overal een beetje rood": all over the body, not one site."""
    return any(t in EVERYWHERE for t in c[max(a, m.start - 4):min(b, m.end + 2)])


def _site_pronoun(c: list[str], m: Mention, a: int, words: set[str]) -> bool:
    """"'t is dik", "het is wel rood" (the site), but not "ik heb het warm", "het is
    warm buiten"."""
    before = c[max(a, m.start - 3):m.start]
    return any(
        t in SITE_PRONOUNS and not (x > 0 and before[x - 1] in SITE_HAVE)
        and not (x == 0 and m.start - 4 >= a and c[m.start - 4] in SITE_HAVE)
        for x, t in enumerate(before)
    ) and not (words & SITE_NOT_WITH)


def _infection(d: Doc, ms: list[Mention], a: int, b: int, words: set[str], out: list[Mention]) -> None:
    """"rood", "warm", "dik" need a site ("de prikplek is rood"), a second such word
    close by ("rood en gezwollen") or "het is dik"."""
    c = d.c
    weak = [
        m for m in ms
        if m.sign == "_inf_weak"
        and not (c[m.start].startswith(WARM_PREFIXES) and any(t in WARM_THINGS for t in c[m.end:min(b, m.end + 4)]))
        and not _attributive(d, m, b)
        # "afwisselend koud en warm" is fever, not a warm injection site
        and not any(f.sign == "fever" and f.start <= m.start < f.end for f in ms)
        and not _everywhere(c, m, a, b)
        # "'t verband is rood": blood on the dressing, not a red site
        and not set(c[max(a, m.start - 3):m.start]) & DRESSINGS
        # "ze voelt zo warm aan, 38,7": the body is warm (fever), not the site
        and not (c[m.start] in HEAT and any(f.sign == "fever" for f in ms)
                 and not set(c[max(a, m.start - 4):min(b, m.end + 4)]) & SITE)
    ]
    # "een rood kopke", "een warm gezicht" (cortisone), "overal een beetje rood": harmless
    for m in ms:
        if m.sign == "_inf_weak" and m not in weak and (
                (m.end < b and c[m.end] in FLUSH) or _everywhere(c, m, a, b)):
            out.append(Mention(BENIGN + "infection_signs", m.start, m.end))
    if not weak:
        return
    site = bool(words & SITE)
    flush = bool(words & FLUSH)
    infection_near = [m for m in ms if m.sign == "infection_signs"]
    for m in weak:
        # two different words, not both about heat ("gloeiend heet" is the whole body)
        pair = any(
            abs(m.start - o.start) <= 5 and c[o.start] != c[m.start]
            and not (c[o.start] in HEAT and c[m.start] in HEAT)
            for o in weak
        )
        near = any(abs(m.start - o.start) <= 6 for o in infection_near)
        pron = _site_pronoun(c, m, a, words)
        if flush and not site:
            # "rood en warm gezicht" after cortisone: a known harmless effect
            out.append(Mention(BENIGN + "infection_signs", m.start, m.end))
            continue
        if site or pair or near or pron:
            out.append(Mention("infection_signs", m.start, m.end))


def resolve_building_blocks(d: Doc, mentions: list[Mention]) -> list[Mention]:
    """Turn the "_" building blocks into signs (context rules)."""
    c = d.c
    out: list[Mention] = []
    by_sent: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sent.setdefault(d.sent[m.start], []).append(m)

    for sid, ms in by_sent.items():
        a, b = d.sent_start[sid], d.sent_end[sid]
        words = set(c[a:b])
        real = [m for m in ms if not m.sign.startswith("_")]
        real_signs = {m.sign for m in real}

        _infection(d, ms, a, b, words, out)

        # ---- bleeding, but not a blood test or a menstruation
        if not (words & MENSES):
            for m in ms:
                if m.sign != "_bleed":
                    continue
                if c[m.start] == BLOOD_WORD:
                    around = c[max(a, m.start - 3):m.start] + c[m.end:min(b, m.end + 3)]
                    if any(t in BLOOD_TEST for t in around):
                        continue
                out.append(Mention("bleeding", m.start, m.end))

        # ---- fever words that need context
        for m in ms:
            if m.sign == "_verhoging":
                if any(t in VERHOGING_NOT for t in c[m.end:min(b, m.end + 4)]):
                    continue
                out.append(Mention("fever", m.start, m.end))
            elif m.sign == "_fever_temp":
                # "ik heb (wat) temperatuur" = fever; followed by a number: the number decides
                if any(t[:1].isdigit() for t in c[m.end:min(b, m.end + 3)]):
                    continue
                out.append(Mention("fever", m.start, m.end))

        # ---- headache + neck pain in the same sentence
        heads = [m for m in ms if m.sign == "_head"]
        necks = [m for m in ms if m.sign == "_neck"]
        if heads and necks:
            out.extend(Mention("headache_neck_pain", m.start, m.end) for m in heads + necks)

        # ---- numbness / headache that gets worse or does not go away
        lasting = has_phrase(c[a:b], PERSIST_PHRASES)
        if bool(words & WORSE_CUES) or lasting:
            out.extend(Mention("loss_of_feeling", m.start, m.end) for m in ms if m.sign == "_numb")
        if bool(words & PERSIST_CUES) or lasting:
            out.extend(Mention("headache_neck_pain", m.start, m.end) for m in heads)

        # ---- "kan niet goed praten": a stroke sign when sudden ("ineens") or with weakness
        if words & SUDDEN or real_signs & {"sudden_weakness", "loss_of_strength"}:
            out.extend(Mention("sudden_weakness", m.start, m.end, m.inherent) for m in ms if m.sign == "_speech")

        # ---- "het wordt steeds erger": only when nothing more specific is said
        specific = real_signs or any(x.sign in _SPECIFIC_BLOCKS for x in ms)
        if not specific or words & PAIN:
            out.extend(
                Mention("increasing_pain", m.start, m.end) for m in ms if m.sign == "_worse_generic"
            )

        # head, neck or numbness words that did not make a sign: kept, so that "mijn
        # hoofdpijn is weg" counts as a negated mention
        made = {(x.start, x.end) for x in out}
        out.extend(
            Mention(BLOCK + _BLOCK_SIGNS[m.sign], m.start, m.end) for m in ms
            if m.sign in _BLOCK_SIGNS and (m.start, m.end) not in made
        )

        # "het bloed blijft maar stromen": a haemorrhage when blood is named in the sentence
        if any(x.sign in ("_bleed", "bleeding") for x in ms):
            out.extend(Mention("heavy_bleeding", m.start, m.end) for m in ms if m.sign == "_keeps_flowing")

        out.extend(real)
        out.extend(m for m in ms if m.sign.startswith(BENIGN))
        out.extend(m for m in ms if m.sign in ("_temp",) or (m.sign == "fever" and m.value is not None))
    # "het blijft wat bloeden": a persisting ooze is a red flag, not a haemorrhage
    for i, m in enumerate(out):
        if m.sign == "heavy_bleeding":
            sp = set(c[m.start:m.end])
            if sp & OOZE_KEEPS and sp & OOZE_LITTLE and not sp & HEAVY:
                out[i] = Mention("bleeding", m.start, m.end, m.inherent, m.status, m.value)
    # temperatures that were classified as "fever" by value were in `real` already
    seen = set()
    final = []
    for m in out:
        k = (m.sign, m.start, m.end)
        if k in seen or not keep(d, m):
            continue
        seen.add(k)
        final.append(m)
    return final
