"""Rule-based safety triage of one patient message (Dutch / Flemish).

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

How it works
    1. normalise (lower case, accents removed, curly quotes straightened);
    2. tokenise + lemmatise with spaCy (``_nlp()``), give every token a
       ``Token._.canon`` = the lexicon word it stands for (exact, lemma, or a
       typo within edit distance 1 for words of >= 5 letters, 2 for >= 8);
    3. spaCy ``Matcher`` patterns over the canonical words find sign mentions
       (the canonical word is mirrored into ``Token.norm_`` and matched as
       NORM: the Matcher evaluates ``_`` attributes in Python, ~10x slower);
    4. every mention is classified NegEx-style: negated (trigger before it within
       its scope, or "... is weg", "koorts heb ik niet"), past ("vorig jaar"),
       hypothetical (conditional "als/bij/stel dat", risk words "kans op",
       risk questions "kan ik ... krijgen?") or positive;
    5. temperatures (>= 38.0 degrees C is fever) are read from the tokens.
Only the first ``MAX_ANALYSED_CHARS`` characters are analysed; the rest is
scanned with a cheap keyword check so nothing is silently dropped.
``assess`` never raises.
"""
from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

log = logging.getLogger(__name__)

__all__ = [
    "Assessment",
    "assess",
    "EMERGENCY_SIGNS",
    "RED_FLAG_SIGNS",
    "LEVELS",
    "MAX_ANALYSED_CHARS",
    "warm_up",
]

MAX_ANALYSED_CHARS = 2000
FEVER_THRESHOLD = 38.0

EMERGENCY = "emergency"
RED_FLAG = "red_flag"
HYPOTHETICAL = "hypothetical"
NONE = "none"
LEVELS = (EMERGENCY, RED_FLAG, HYPOTHETICAL, NONE)

EMERGENCY_SIGNS = ("breathing", "chest_pain", "fainting", "heavy_bleeding", "sudden_weakness")
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
SIGN_ORDER = {s: i for i, s in enumerate(EMERGENCY_SIGNS + RED_FLAG_SIGNS)}
# an emergency sign makes its milder twin redundant
_SUBSUMES = {"heavy_bleeding": "bleeding", "sudden_weakness": "loss_of_strength"}


@dataclass(frozen=True)
class Assessment:
    level: str
    signs: list[str] = field(default_factory=list)          # found positively
    negated: list[str] = field(default_factory=list)        # mentioned, but negated / in the past
    temperature: float | None = None                        # highest current temperature mentioned
    third_person: bool = False                              # the signs concern someone else
    hypothetical: list[str] = field(default_factory=list)   # mentioned only as risk / "what if"
    truncated: bool = False                                 # text longer than MAX_ANALYSED_CHARS
    # mentioned with a harmless reading: a temperature below 38.0 (fever), a red or warm
    # face after cortisone (infection_signs)
    benign: list[str] = field(default_factory=list)

    @property
    def is_alarm(self) -> bool:
        return self.level in (EMERGENCY, RED_FLAG)


# =========================================================================== #
# vocabulary
# =========================================================================== #
def _w(s: str) -> frozenset[str]:
    return frozenset(s.split())


NEG_LONG = _w("geen gene genen zonder nooit noch nergens niets niks")   # "geen X" (scope: 2 content words)
NEG_SHORT = _w("niet nie ni minder")  # "niet X", "minder rood" (scope: only fillers between)
NEG_ALL = NEG_LONG | NEG_SHORT
# trigger followed by these words is no negation ("geen idee", "niet goed")
PSEUDO_AFTER = _w(
    "idee probleem zorgen verbetering verschil zin tijd alleen enkel zeker normaal gerust "
    "duidelijk goed lekker fijn lang veel beter"
)
PSEUDO_BEFORE = _w("weet weten")  # "ik weet niet of ..." = uncertainty, not negation
# words ending a negation / hypothesis scope
TERMINATORS = _w(
    "maar wel toch echter behalve alleen enkel doch want omdat hoewel alhoewel desondanks "
    "daarentegen daarnaast bovendien terwijl"
)
# the adverbs among them ("geen koorts, wel pus") end a negation scope, but not a
# pattern gap or a hypothesis ("been wordt wel steeds zwakker", "als ik toch koorts krijg")
ADVERB_TERMINATORS = _w("wel toch alleen enkel")
CONJ_TERMINATORS = TERMINATORS - ADVERB_TERMINATORS
HARD_PUNCT = frozenset([".", "!", "?", ";", ":", "...", "..", "\n", "!?", "?!"])
# after "en"/"of"/"," one of these words starts a new clause (ends a scope)
CLAUSE_STARTERS = _w(
    "ik je jij u hij zij ze we wij het 't t er daar dat die dit deze de mijn m'n mn zijn haar hun "
    "ons onze nu toen dan sinds sindsdien gisteren vandaag vanochtend vanmorgen vannacht vanavond "
    "heb heeft hebben had ben is was voel voelt voelde zie ziet zag kan kon krijg krijgt kreeg "
    "word wordt werd merk merkt merkte zit zat lijkt loop loopt blijft bloedt ettert doet "
    "moet mag wil wat wie hoe wanneer waar"
)
# words that do not count as "content" between a trigger and a sign
FILLERS = _w(
    "een de het 't echt helemaal erg heel zo zoveel veel meer nog ook eigenlijk hoor gelukkig "
    "enige enkele enkel sprake last van te al absoluut totaal bepaald er is zijn ben heb had "
    "hebben meer teken tekenen spoor sporen vorm beetje klein kleine wat grote gezien gemerkt "
    "gevoeld gehad meer , en of noch"
)
# past / chronic: not a current complication
HISTORY_UNI = _w("vroeger ooit chronisch chronische jarenlang jarenlange voorheen")
# a lifelong trait ("hij praat altijd onduidelijk"): never a *sudden* sign
HABITUAL = _w("altijd altoos")
RECENT_PAST = frozenset(
    [("vorige", "maand"), ("vorige", "week"), ("vorig", "weekend"), ("vorige", "keer"),
     ("vorige", "zomer"), ("vorige", "winter")]
)
PAST_VERBS = _w("had hadden was waren kreeg kregen")
HISTORY_BI = frozenset(
    [("vorig", "jaar"), ("vorige", "jaar"), ("jaren", "geleden"), ("lang", "geleden"),
     ("maanden", "geleden"), ("als", "kind"), ("het", "verleden"), ("al", "jaren"),
     ("al", "maanden"), ("sinds", "jaren"), ("vorig", "jaar,"), ("paar", "jaar"),
     ("jaar", "geleden"), ("maand", "geleden")]
)
# hypothetical / conditional
COND_MARKERS = _w("als indien wanneer mocht mochten zodra stel ingeval geval")
RISK_MARKERS = _w(
    "kans kansen risico risico's risicos gevaar herken herkennen letten opletten voorkomen "
    "vermijden voorkom vermijd complicatie complicaties bijwerking bijwerkingen nevenwerking "
    "nevenwerkingen verwikkeling verwikkelingen ervaring ervaringen"
)
# risk words that only make a *question* hypothetical ("wat zijn de tekenen van infectie?")
QUESTION_RISK = _w(
    "tekenen teken signalen symptomen verschijnselen klachten alarmsignalen alarmsignaal "
    "alarmsymptomen alarmtekens waarschuwingssignalen waarschuwingstekens"
)
RISK_AFTER = _w("voorkomen vermijden voorkom vermijd")
DANGER_WORDS = _w("gevaarlijk gevaarlijker schadelijk riskant")
REPORT_VERBS = _w("lees las gelezen lezen hoorde gehoord horen zei zegt zeggen vertelde verteld")
GENERIC_SUBJECTS = _w("je men ge mensen iemand patienten")
ASK_VERBS = _w("vraagt vraag vroeg vragen weten afvragen benieuwd twijfel twijfelt")
FEAR_MARKERS = _w("bang angst angstig vrees vrezen schrik ongerust")
QUESTION_STARTERS = _w(
    "kan kun kunt kunnen krijg krijgt zal zult zullen zou zouden word wordt is heb hebt heeft "
    "moet mag ga gaat wat wie hoe wanneer waar welke hoeveel waarom hoelang bestaat komt "
    "treedt ontstaat loop loopt raak raakt"
)
POTENTIAL = _w(
    "krijgen ontstaan optreden ontwikkelen veroorzaken geven raken worden gaan kan kun kunt "
    "kunnen zal zult zullen zou zouden ga gaat mogelijk voorkomen komen komt optreedt"
)
QUESTION_FIRST_POTENTIAL = _w("krijg krijgt word wordt raak raakt kan kun kunt zal zou ga gaat")
MODALS = _w("kan kun kunt kunnen zal zult zullen zou zouden ga gaat gaan")
SUBJECTS = _w("ik hij zij ze het 't t we wij u je jij")
INVERSION_VERBS = _w(
    "word wordt ben is heb krijg kreeg val viel voel voelt kan kon moet mag ga gaat zie zag doet "
    "doe lig ligt sta staat zit zat blijf blijft merk merkte"
)
SUBJECT_VERBS = _w("kan kon krijg krijgt kreeg word wordt werd moet lig ligt sta")
ASSERT_VERBS = _w(
    "heb hebt heeft hebben had hadden ben bent is was waren voel voelt voelde zie ziet zag merk "
    "merkt merkte zit zat kreeg gekregen gehad geworden bloedt bloedde ettert lekt doet deed "
    "blijft bleef lijkt"
)
KNOW_VERBS = _w("weet weten merk merken zie zien herken herkennen")
SUDDEN = _w("plotseling plots plotse opeens ineens acuut acute")
# person referents (third person)
PERSONS = _w(
    "vader moeder man vrouw partner echtgenoot echtgenote zoon dochter kind kindje broer zus "
    "zuster oma opa schoonmoeder schoonvader vriend vriendin buurman buurvrouw collega tante oom "
    "mama papa pa ma moeke vake schoonzoon schoondochter kleinzoon kleindochter patient patiente "
    "client clientje nicht neef grootvader grootmoeder meter peter ventje vent manneke"
)
POSSESSIVES = _w("mijn m'n mn onze ons")
FIRST_PERSON = _w("ik me mij mijn m'n mn")
THIRD_SG_VERBS = _w(
    "heeft is was kan kon voelt krijgt kreeg had zegt bloedt ligt reageert ademt heeft zit "
    "wordt werd moet klaagt"
)

# --- sign vocabulary (groups usable in patterns as @NAME) ------------------ #
GROUPS: dict[str, frozenset[str]] = {
    "PAIN": _w(
        "pijn napijn rugpijn nekpijn beenpijn armpijn bilpijn schouderpijn spierpijn zenuwpijn "
        "pijnklachten pijnen klachten uitstraling pijnlijk pijnlijker"
    ),
    "MORE": _w(
        "erger heviger heftiger slechter toe toegenomen verergert verergerd groter intenser ondraaglijk "
        "sterker"
    ),
    "MORE_ADJ": _w(
        "erger ergere heviger hevigere toenemende toenemend toegenomen ondraaglijke ondraaglijk "
        "verergerende"
    ),
    "LIMB": _w(
        "been benen arm armen hand handen voet voeten vingers vinger tenen teen dij bil billen "
        "schouder knie knieen onderbeen bovenbeen linkerbeen rechterbeen linkerarm rechterarm "
        "linkerhand rechterhand linkervoet rechtervoet linkerkant rechterkant linkerzijde "
        "rechterzijde lichaamshelft zitvlak kruis liezen"
    ),
    "FEVER": _w("koorts koortsig koortsachtig koortsen rillingen rillerig koortsaanval"),
    # "ik lig te rillen": chills, unless from the cold or nerves (see _keep)
    "SHIVER": _w("rillen ril rilt rilde rilden bibber bibbert bibberen"),
    "INF_STRONG": _w(
        "pus etter ettert etteren etterig ontstoken ontsteking ontsteken ontsteekt infectie "
        "infecties geinfecteerd geinfecteerde abces ontstekingen pusbult"
    ),
    "INF_MEDIUM": _w("roodheid zwelling gezwollen opgezwollen"),
    "INF_WEAK": _w(
        "rood rode roder roodachtig warm warme warmer heet hete gloeit gloeiend opgezet dik dikke "
        "dikker"
    ),
    "SITE": _w(
        "prikplek prikplaats insteekplaats insteekplek injectieplaats injectieplek plek plekje "
        "plaats plaatsje plaatske wond wondje gaatje gaatjes prik prikje prikjes huid bult bultje "
        "rug onderrug bil billen nek schouder arm been dij spier litteken naaldplek"
    ),
    "FLUSH": _w("gezicht wangen wang opvlieger opvliegers blozen oren hals hoofd kop kopke gelaat"),
    "BLEED": _w(
        "bloeding bloedingen bloeden bloedt bloedde bloedden nabloeden nabloedt nabloeding "
        "bloedverlies bloeduitstorting hematoom bloed doorgebloed doorbloedt doorbloeden "
        "bebloed bloederig"
    ),
    "BLOOD_TEST": _w(
        "prikken geprikt afnemen afgenomen afname bloedafname test testen onderzoek uitslag "
        "waarden geven doneren donor bloedprik laten"
    ),
    "MENSES": _w("menstruatie ongesteld maandstonden regels menstruatiebloeding doorbraakbloeding tussentijdse"),
    "HEAVY": _w("veel hevig hevige ernstig ernstige flink flinke enorm enorme fors forse massaal erg erge hard"),
    "BREATH_WORDS": _w(
        "benauwd benauwdheid kortademig kortademigheid ademnood ademtekort ademhalingsproblemen "
        "benauwder benauwt"
    ),
    "BREATHE": _w("ademen ademhalen adem lucht ademhaling ademt"),
    "HEAD": _w("hoofdpijn hoofd- koppijn"),
    "NECKPAIN": _w("nekpijn nekklachten nekstijfheid"),
    "PERSIST": _w(
        "blijvende blijvend aanhoudende aanhoudend blijft constant constante hevige ondraaglijke "
        "barstende erge"
    ),
    "URINATE": _w("plassen urineren plas urine pipi pissen geplast plast plaste"),
    "STOOL": _w("ontlasting stoelgang poep kaka kakske"),
    # the nouns only: "haar urine verliezen" (not "plassen")
    "EXCRETA": _w("urine plas pipi ontlasting stoelgang poep kaka kakske"),
    "STRENGTH_WORDS": _w(
        "krachtverlies krachtsverlies krachtsvermindering krachteloos krachteloze spierzwakte "
        "zwakte klapvoet dropvoet"
    ),
    "WEAK_ADJ": _w("zwak zwakker zwakke slap slapper slappe krachteloos"),
    "MOVE": _w(
        "lopen staan optillen tillen bewegen vastpakken vasthouden grijpen stappen opstaan gebruiken "
        "optrekken opheffen heffen strekken buigen"
    ),
    # one side of the body ("aan één kant", "de halve kant", "zijn linkerkant"): stroke signs
    "ONE_SIDE": _w("een ene 1 halve linker rechter linkse rechtse"),
    "SIDE": _w("kant zijde helft lichaamshelft"),
    "BODY_SIDE": _w("linkerkant rechterkant linkerzijde rechterzijde lichaamshelft"),
    "PARALYSED": _w("verlamd verlamde lam lamme"),
    "FEELING_WORDS": _w("gevoelloos gevoelloosheid gevoelsverlies gevoelsvermindering"),
    "NUMB": _w("verdoofd verdoofde doof dove tintelend tintelingen tinteling slapend slaapt slapen"),
    # comparatives of numbness say by themselves that it gets worse ("steeds dover")
    "NUMB_MORE": _w("dover doffer gevoellozer verdoofder"),
    "LESS": _w("minder verminderd verminderde afnemend afnemende nauwelijks weinig"),
    "CANT": _w("niet nauwelijks amper moeilijk slecht haast bijna"),
    "DET": _w("de het een mijn m'n mn zijn haar"),
}

# Patterns: (sign, pattern). Pattern tokens separated by spaces; "a|b" = one
# of; "@GROUP" = a word group; suffix "?" = optional; "~" = up to 2 arbitrary
# words (not crossing a clause end); "~1" = at most one.
# Signs starting with "_" are building blocks resolved in post-processing.
PATTERNS: list[tuple[str, str]] = [
    # ---------------- emergencies ----------------
    ("breathing", "@BREATH_WORDS"),
    ("breathing", "krijg|krijgt|kreeg|kregen ~ geen|weinig|nauwelijks|amper|moeilijk|moeilijker|slecht|slechter|minder lucht|adem"),
    ("breathing", "kan|kon|kun|kunt ~ niet|nauwelijks|amper|moeilijk meer? diep|goed? inademen|doorademen|ademen"),
    ("breathing", "geen|weinig lucht|adem meer?"),
    ("breathing", "kan|kon|kun|kunt ~ niet|nauwelijks|amper|moeilijk|slecht|haast meer? goed|goe? ademen|ademhalen|adem"),
    ("breathing", "klaplong"),
    ("breathing", "moeite|problemen met ~1 ademen|ademhalen|ademhaling|lucht"),
    ("breathing", "ademhaling ~ moeilijk|zwaar|moeizaam|slecht|piept|oppervlakkig|stokt"),
    ("breathing", "ademt|ademde ~1 niet|nauwelijks|moeilijk|slecht|zwaar"),
    ("breathing", "lucht|adem tekort"),
    ("breathing", "hap|happen|hapt|snak|snakken|snakt naar adem|lucht"),
    ("breathing", "naar adem|lucht hap|happen|hapt|snak|snakken|snakt"),
    ("breathing", "stik|stikt|stikken"),
    ("chest_pain", "pijn|druk|drukkend|beklemmend|beklemming|knellend|steek|steken ~1 op|in de|mijn|m'n|zijn|haar? borst|borstkas"),
    ("chest_pain", "borstpijn|hartaanval|hartinfarct|pijnopdeborst"),
    ("chest_pain", "borst|borstkas ~1 doet pijn|zeer"),
    ("fainting", "flauwgevallen|flauwvallen|flauwval|bewusteloos|bewusteloosheid|syncope"),
    # "ik ben 2x weggevallen", "even buiten westen geweest"
    ("fainting", "weggevallen|weggezakt|weggeraakt"),
    ("fainting", "buiten westen"),
    ("fainting", "onwel geworden|geraakt"),
    ("fainting", "werd|word|wordt ~1 onwel"),
    ("fainting", "flauw gevallen|gevalle|vallen|valt|viel|geworden"),
    ("fainting", "val|valt|viel|vielen ~ flauw"),
    ("fainting", "voel|voelt|voelde me|mij|zich ~1 flauw"),
    ("fainting", "buiten|zonder bewustzijn"),
    ("fainting", "bewustzijn ~1 kwijt|verloren|verliezen|weg"),
    ("fainting", "reageert|reageerde ~1 niet|nauwelijks meer?"),
    ("fainting", "niet|nauwelijks meer? aanspreekbaar|wekbaar"),
    ("fainting", "niet wakker te krijgen|maken"),
    ("fainting", "wordt|werd niet meer? wakker"),
    ("fainting", "in elkaar gezakt|gezakt"),
    ("fainting", "van ~1 stokje gegaan|gevallen|gaan"),
    ("fainting", "zwart voor de|mijn ogen"),
    ("heavy_bleeding", "@HEAVY|heel|zoveel|zo @BLEED"),
    ("heavy_bleeding", "@BLEED ~ @HEAVY|gutst|gutsen|stroomt|spuit|spuiten|doordrenkt|doorweekt|liters"),
    ("heavy_bleeding", "blijft|blijven|bleef maar|almaar? ~ maar|almaar? bloeden|nabloeden"),
    ("heavy_bleeding", "@BLEED ~ stopt|stoppen|houdt|ophouden|ophoudt|stopte ~1 niet"),
    # "er spuit bloed uit en het houdt niet op": the stop clause may follow "en het"
    ("heavy_bleeding", "@BLEED ~ en het|'t|t|dat|die? stopt|houdt|stopte|hield ~1 niet|maar|nooit"),
    ("heavy_bleeding", "spuit|spuiten|spoot|spoten|gutst|stroomt|stroomde|uitspuiten|uitspuit ~1 bloed"),
    ("heavy_bleeding", "bloed ~ spuit|spuiten|spoot|spoten|gutst|stroomt|stroomde|uitspuiten|uitspuit"),
    ("heavy_bleeding", "@BLEED ~ niet|nauwelijks te stoppen|stelpen"),
    # "een bloeding die niet stopt", "het bloed blijft maar stromen"
    ("heavy_bleeding", "@BLEED die|dat ~1 niet|nooit ~1 stopt|ophoudt|stelpt|minder"),
    ("heavy_bleeding", "@BLEED ~ stromen|gutsen|spuiten"),
    ("heavy_bleeding", "pleisters|verbanden|handdoeken|kompressen ~1 doorgebloed|doorweekt|doordrenkt"),
    ("heavy_bleeding", "handdoek|verband|laken|lakens|kleren ~1 is|zijn|was|waren|helemaal ~1 doorweekt|doordrenkt|doorgebloed"),
    ("heavy_bleeding", "@BLEED ~ nog? niet gestopt|opgehouden|gestelpt|minder"),
    ("heavy_bleeding", "@BLEED ~4 nog? niet|nooit gestopt|opgehouden|gestelpt"),
    ("heavy_bleeding", "@BLEED ~ door ~ verband|pleister|kleren|kleding|alles heen"),
    ("heavy_bleeding", "doorweekt|doordrenkt ~3 @BLEED"),
    ("_keeps_flowing", "blijft|blijven|bleef almaar? stromen|gutsen|lopen"),
    ("heavy_bleeding", "gutst|gutsen|gutste"),
    ("sudden_weakness", "verlamd|verlamming|verlammingsverschijnselen|halfzijdig|halfzijdige"),
    ("sudden_weakness", "beroerte|herseninfarct|hersenbloeding|tia"),
    ("sudden_weakness", "scheve mond"),
    ("sudden_weakness", "mond|mondhoek|gezicht|gelaat ~3 hangt|hing|staat|stond|trekt|is|wordt|werd ~1 scheef"),
    ("sudden_weakness", "scheef|scheve|afhangende|afhangend gezicht|mond|mondhoek"),
    ("sudden_weakness", "praat|praatte|spreekt|sprak|klinkt ~ raar|vreemd|onduidelijk|wartaal|dubbel|brabbelt|lallend"),
    # speech: "dubbele tong", "hij lalt", "wartaal", "kan niet uit zijn woorden komen"
    ("sudden_weakness", "dubbele tong"),
    ("sudden_weakness", "tong ~1 dubbel"),
    ("sudden_weakness", "wartaal|lalt|lallen|lalde|lalden|brabbelt|brabbelen|brabbelde"),
    ("sudden_weakness", "niet|nie|nauwelijks|amper|moeilijk meer? uit ~1 woorden|woord"),
    # one-sided weakness / paralysis ("zwak aan één kant", "aan de halve kant slap",
    # "zijn rechterkant is helemaal slap")
    ("sudden_weakness", "@WEAK_ADJ|@PARALYSED ~ aan ~1 @ONE_SIDE @SIDE"),
    ("sudden_weakness", "@WEAK_ADJ|@PARALYSED ~ aan ~1 @BODY_SIDE"),
    ("sudden_weakness", "aan ~1 @ONE_SIDE @SIDE ~ ~1 @WEAK_ADJ|@PARALYSED"),
    ("sudden_weakness", "@BODY_SIDE ~ ~1 @WEAK_ADJ|@PARALYSED"),
    ("sudden_weakness", "onduidelijke|rare|dubbele|lallende|brabbelende spraak"),
    ("sudden_weakness", "kan|kon ~ niet|nie|nauwelijks meer? praten|spreken"),
    # "kan niet goed praten" is a stroke sign only when sudden or with weakness (see _speech)
    ("_speech", "kan|kon ~ niet|nie|nauwelijks|moeilijk meer? goed|goe|duidelijk praten|spreken|praten"),
    ("_speech", "niet|nie|nauwelijks|moeilijk meer? goed|goe|duidelijk? kan|kon praten|spreken"),
    ("sudden_weakness", "spraak|praten ~ onduidelijk|weg|raar|moeilijk"),
    # ---------------- red flags ----------------
    # hot flushes after cortisone: a known harmless effect (Assessment.benign)
    ("_benign:infection_signs", "opvlieger|opvliegers"),
    ("fever", "@FEVER"),
    ("fever", "koude rillingen"),
    ("fever", "warm|heet ~1 en|of ~1 koud"),
    ("fever", "koud ~1 en|of ~1 warm|heet"),
    ("fever", "@SHIVER"),
    ("fever", "hoge|verhoogde temperatuur"),
    ("_fever_temp", "heb|heeft|had ~1 temperatuur"),
    ("_verhoging", "verhoging|verhoginkje|verhoginke"),
    ("infection_signs", "@INF_STRONG"),
    ("infection_signs", "vocht ~ uit|eruit|lekt|loopt|komt"),
    ("infection_signs", "geel|groen|troebel|vies vocht"),
    ("infection_signs", "lekt|lekken|lekte|stinkt|stinken|stonk"),
    ("infection_signs", "rode streep|strepen"),
    ("infection_signs", "@INF_MEDIUM"),
    ("_inf_weak", "@INF_WEAK"),
    ("_bleed", "@BLEED"),
    ("increasing_pain", "meer @PAIN"),
    ("increasing_pain", "@PAIN ~4 @MORE"),
    ("increasing_pain", "verergert|verergerde|verergeren|toeneemt ~3 @PAIN"),
    ("increasing_pain", "@MORE_ADJ @PAIN"),
    ("increasing_pain", "doet ~ meer|erger|heviger pijn|zeer"),
    ("increasing_pain", "@PAIN neemt|nam|nemen ~ toe"),
    ("increasing_pain", "neemt|nam|nemen ~1 @PAIN ~ alleen? maar|almaar? toe"),
    ("increasing_pain", "@PAIN ~1 alleen? maar|almaar erger|meer|heviger"),
    ("increasing_pain", "@PAIN ~ niet te harden|houden|verdragen|doen"),
    ("increasing_pain", "@PAIN ~6 niet meer? hou|houd|uithou|uithoud|aankan|verdraag|verdragen|uithouden"),
    ("increasing_pain", "toename van ~1 @PAIN"),
    ("_worse_generic", "neemt|nam ~1 alleen? maar|almaar toe"),
    ("_worse_generic", "steeds|alsmaar|almaar|dag|telkens maar|almaar? erger|slechter|heviger"),
    ("_worse_generic", "wordt|werd ~1 alleen? maar|almaar? erger|slechter"),
    ("_worse_generic", "veel|nog|steeds erger|heviger"),
    ("_worse_generic", "erger|heviger|slechter dan eerst|voorheen|gisteren|ervoor|daarvoor|vroeger|vanochtend|vanmorgen"),
    ("_worse_generic", "erger|heviger|slechter dan voor de|mijn? behandeling|injectie|infiltratie|prik"),
    ("_worse_generic", "erger geworden|aan"),
    ("loss_of_strength", "@STRENGTH_WORDS"),
    ("loss_of_strength", "@LESS|geen|steeds ~1 kracht|spierkracht"),
    ("loss_of_strength", "kracht ~ neemt|nam ~ af"),
    ("loss_of_strength", "kracht ~ weg|minder|verloren|kwijt"),
    ("loss_of_strength", "@LIMB ~4 @WEAK_ADJ"),
    ("loss_of_strength", "@LIMB ~2 steeds|alsmaar|almaar minder|slechter ~1 goed? omhoog|@MOVE"),
    # "mijn voet klapt dubbel", "mijn knie zwikt door"
    ("loss_of_strength", "voet|enkel|knie|been|benen ~1 klapt|klappen|zwikt|zwikken|knikt|knikken ~1 dubbel|door|weg|om"),
    ("loss_of_strength", "kan|kon|kun|kunnen ~ niet|nauwelijks|amper|moeilijk|haast|bijna nog|meer|goed? nog|meer|goed? @MOVE"),
    ("loss_of_strength", "@WEAK_ADJ ~ @LIMB"),
    ("loss_of_strength", "@LIMB ~ zakt|zakken|zakte|begeeft|begeven ~1 weg|door|onder"),
    ("loss_of_strength", "@LIMB ~ wil|willen ~1 niet meer?"),
    ("loss_of_strength", "kan|kon|kun ~ ~ niet|nauwelijks|amper|moeilijk meer|goed? meer|goed? @MOVE"),
    ("loss_of_strength", "@LIMB ~ begeeft|begeven|begaf|begaven|sleept|slepen|sleepte"),
    ("loss_of_strength", "hangende|afhangende|lamme @LIMB"),
    ("loss_of_strength", "@LIMB ~ hangt|hing|valt|viel|zakt|zakte ~ slap|lam|erbij|omlaag|beneden"),
    ("loss_of_strength", "@LIMB ~1 niet|nauwelijks|amper meer? goed? @MOVE"),
    ("loss_of_strength", "die|deze|mijn|m'n|zijn|haar|hele @SIDE ~ ~1 @WEAK_ADJ"),
    ("loss_of_strength", "sleep|sleept|slepen|sleepte ~1 met ~1 @LIMB"),
    ("loss_of_strength", "verlies|verliezen|verliest|verloor|afname|vermindering ~1 van? ~1 kracht|spierkracht"),
    ("loss_of_feeling", "@FEELING_WORDS"),
    ("loss_of_feeling", "@LESS|geen|steeds ~1 gevoel"),
    ("loss_of_feeling", "gevoel ~3 wordt|neemt|nam|werd ~ minder|af|erger|weg"),
    ("loss_of_feeling", "gevoel ~ weg|kwijt|verloren"),
    ("loss_of_feeling", "gevoel ~4 verdwijnt|vermindert|verdwijnen|verminderen"),
    ("loss_of_feeling", "verlies|verliezen|verliest|verloor|afname|vermindering ~1 van? ~1 gevoel"),
    ("loss_of_feeling", "@NUMB_MORE"),
    ("loss_of_feeling", "voel|voelt|voelde ~ @LIMB|tenen|vingers|benen|armen|huid|rug|bil ~1 steeds|alsmaar|almaar|elke|met minder|slechter"),
    ("loss_of_feeling", "@LIMB|tenen|vingers|huid ~1 steeds? minder|nauwelijks|niet|slechter meer? ga|gaat|kan|kon? voelen|voel|voelt"),
    ("loss_of_feeling", "voel|voelt|voelde ~ @LIMB|tenen|vingers|benen|armen|huid|rug|bil ~2 niet|nauwelijks meer?"),
    ("_numb", "@LIMB ~1 slaapt|slapen"),
    ("loss_of_feeling", "voel|voelt|voelde niks|niets meer? in|aan"),
    ("loss_of_feeling", "voel|voelt|voelde ~1 steeds|alsmaar|almaar|veel|nog minder ~1 in|aan ~1 mijn|m'n|zijn|haar|de? @LIMB|tenen|vingers|huid|rug|bil"),
    ("loss_of_feeling", "@NUMB ~ erger|meer|toe|steeds|uitbreidt|breidt"),
    ("loss_of_feeling", "steeds|meer|erger @NUMB"),
    ("loss_of_feeling", "@NUMB ~ nog steeds|altijd"),
    ("loss_of_feeling", "nog steeds|altijd @NUMB"),
    ("loss_of_feeling", "@NUMB ~ gaat|ging niet weg|over"),
    ("_numb", "@NUMB"),
    ("_head", "@HEAD"),
    ("_head", "pijn in|aan ~1 hoofd"),
    ("_head", "hoofd ~1 maar|almaar? ~1 bonkt|bonken|bonst|bonzen|barst|barsten|klopt|kloppen"),
    ("_head", "bonkend|bonkende|barstend|barstende|kloppend|kloppende hoofd"),
    ("_neck", "@NECKPAIN"),
    ("_neck", "pijn in|aan de|mijn|m'n|zijn|haar nek"),
    ("_neck", "stijve|stijf|pijnlijke|pijnlijk ~1 nek|nekspieren"),
    ("_neck", "nek|nekspieren ~1 stijf|pijnlijk"),
    ("_neck", "nek|nekspieren ~1 doet|doen ~1 pijn|zeer"),
    ("headache_neck_pain", "hoofd- en|of nekpijn"),
    ("headache_neck_pain", "@PERSIST hoofdpijn|koppijn"),
    ("headache_neck_pain", "hoofdpijn|koppijn ~ gaat|ging ~1 niet weg|over"),
    ("headache_neck_pain", "hoofdpijn|koppijn ~ niet|nooit weggaat|overgaat|verdwijnt|vermindert|minder"),
    ("headache_neck_pain", "hoofdpijn|koppijn ~ blijft|houdt|aanhoudt"),
    ("urination_difficulty", "moeilijk|moeizaam|moeizame|slecht|nauwelijks|amper @URINATE"),
    ("urination_difficulty", "moeite|problemen|pijn met|bij ~1 @URINATE"),
    ("urination_difficulty", "moeite|problemen ~1 om|met|bij ~1 te? kunnen? @URINATE"),
    ("urination_difficulty", "lukt|lukte het? plassen|urineren|plas|pissen ~1 niet|nauwelijks|amper|moeilijk|slecht"),
    ("urination_difficulty", "kan|kon|kun|kunt ~6 niet|nauwelijks|amper|moeilijk meer? plassen|urineren|pissen"),
    ("urination_difficulty", "plassen|urineren|plas ~ lukt|lukte|gaat|ging ~1 niet|moeilijk|moeizaam|slecht|nauwelijks"),
    ("urination_difficulty", "krijg|kreeg|krijgt|kan|kon|kun|raak|raakt ~ plas|urine niet|nauwelijks|amper|moeilijk|slecht ~1 kwijt|weg"),
    ("urination_difficulty", "plassen|plas maar er komt|kwam niets|niks"),
    ("urination_difficulty", "urineretentie|plasproblemen"),
    ("urination_difficulty", "lukt|lukte ~1 niet|nauwelijks|amper|moeilijk ~1 om? te? plassen|urineren|plas|pissen"),
    ("urination_difficulty", "persen|duwen ~4 plassen|plas|urineren"),
    ("urination_difficulty", "niet|nauwelijks|amper|moeilijk|slecht meer? kan|kon|kunt|kunnen plassen|urineren"),
    ("incontinence", "incontinent|incontinentie|urineverlies|stoelgangverlies|ontlastingsverlies|urine-"),
    ("incontinence", "@URINATE|@STOOL|blaas|darmen ~ niet|nauwelijks ~ ophouden|houden|tegenhouden|ophoud"),
    ("incontinence", "verlies|verliest|verloor|verlies ~1 @URINATE|@STOOL"),
    ("incontinence", "verlies|verliest|verloor|verliezen ~4 @EXCRETA"),
    ("incontinence", "@EXCRETA verlies|verliest|verloor|verliezen|verloren|kwijtraken|lekt|lekken|lekte"),
    ("incontinence", "@EXCRETA|blaas|darmen ~2 niet|nie|geen meer? onder controle"),
    ("incontinence", "lek|lekt|lekken|lekte|druppelt ~ urine|plas|pipi"),
    ("incontinence", "blaas|darmen ~2 loopt|liep|lopen ~1 leeg"),
    ("incontinence", "@EXCRETA laten|laat|liet|liep|loopt ~1 lopen|gaan|weglopen"),
    ("incontinence", "plas|plast|poep|poept|plaste|poepte ~5 in ~1 broek|bed"),
    ("incontinence", "ongewild|ongecontroleerd|oncontroleerbaar|onverwacht|onverwachts|zomaar ~ @URINATE|@STOOL|plassen|geplast"),
    ("incontinence", "in ~1 broek|bed geplast|gepoept|gedaan|plast|plas|poept|plaste|poepte"),
    ("incontinence", "broek ~1 vuil|nat|bevuild"),
    ("incontinence", "geen|minder|weinig controle|macht ~1 over ~1 blaas|darmen|plas|urine|ontlasting|stoelgang|sluitspier"),
    ("incontinence", "controle|macht over ~1 blaas|darmen|plas|urine|ontlasting|stoelgang|sluitspier ~ kwijt|verloren|weg"),
    ("incontinence", "verlies|verloor|verloren ~1 controle|macht over ~1 blaas|darmen|plas|urine|ontlasting|stoelgang"),
    ("incontinence", "broek|bed nat ~1 geplast|gemaakt"),
]

# single words that must never be "corrected" by the typo matcher
NEVER_FUZZY = _w(
    "passen letter later beter vetter netter ketter enger ergens bloem blond bleek koord korte "
    "boord woord moord koets kourts rood rond brood dood bood bloot vloed groet gloed spoed "
    "wonde ronde ramen lopen lucht licht plak plek plekken vlekken sterk steek stuk roken "
    "pijnstiller pijnstillers benauwen erge ergens"
)
# Frequent words the lemma tables lack, one or two edits away from a sign word:
# they are real words, never typos ("zwarte koffie" is not "zwakte"). English
# words are here because patients also write in English ("my blood thinners").
PROTECTED_WORDS = _w(
    "zwarte zwarter zwart zwakke witte grote kleine rode roze koude warme dikke dunne harde "
    "zachte korte lange natte droge vaste losse klachtje klachtjes "
    "blood bleed bleeds bleeding bloody infection infections infected swelling swollen "
    "fever feverish pain painful urine"
)
# Inflection endings (adjective -e, comparative -er, plural -en, diminutive -(t)je):
# a word that is a known stem plus one of these is a real word, not a typo.
_INFLECTIONS = ("tjes", "jes", "tje", "je", "ere", "ste", "en", "er", "e")
# Flemish / spoken function words written as their standard form
_SPOKEN = {"nie": "niet", "ni": "niet", "da": "dat", "wa": "wat", "k": "ik", "ne": "een", "nen": "een",
           "as": "als",
           "gene": "geen", "genen": "geen"}


# =========================================================================== #
# spaCy pipeline, lexicon, typo matching
# =========================================================================== #
@functools.lru_cache(maxsize=1)
def _nlp():
    """The Dutch pipeline used for tokenising and lemmatising (swap here)."""
    try:
        from actions.lib.dutch_nlp import load_dutch  # type: ignore

        nlp = load_dutch()
        if nlp is not None:
            return nlp
    except Exception:  # module missing or broken: fall back
        pass
    import spacy

    nlp = spacy.blank("nl")
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except Exception:  # lookups data missing: tokeniser only
        log.warning("red_flags: no Dutch lemma lookups, running without lemmatiser")
        nlp = spacy.blank("nl")
    return nlp


_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u00ba": "\u00b0", "\u02da": "\u00b0",
    "\u2013": "-", "\u2014": "-", "\u00a0": " ", "\u200b": " ",
})


_ELONGATED = re.compile(r"([a-z])\1{2,}")


def _normalise(text: str) -> str:
    """Lower case, accents removed ("géén" -> "geen"), quotes/dashes straightened."""
    text = text.translate(_QUOTES)
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    # Dutch never has three equal letters in a row: "geeeen", "koooorts" -> "geen", "koorts"
    return _ELONGATED.sub(r"\1\1", text.lower())


class _Lexicon:
    """All words the patterns use, plus the typo index for sign words."""

    def __init__(self) -> None:
        words: set[str] = set()
        for grp in GROUPS.values():
            words |= grp
        for _, pat in PATTERNS:
            for tok in pat.split():
                tok = tok.rstrip("?")
                if tok.startswith("~"):
                    continue
                for alt in tok.split("|"):
                    if not alt.startswith("@"):
                        words.add(alt)
        for s in (NEG_ALL, PSEUDO_AFTER, TERMINATORS, COND_MARKERS, RISK_MARKERS, FEAR_MARKERS,
                  SUDDEN, PERSONS, ASSERT_VERBS, POTENTIAL, QUESTION_STARTERS, HISTORY_UNI):
            words |= s
        self.words = frozenset(words)
        # typo targets: content words of the signs only
        targets = set()
        for name in ("PAIN", "FEVER", "INF_STRONG", "INF_MEDIUM", "BLEED", "BREATH_WORDS", "HEAD",
                     "NECKPAIN", "STRENGTH_WORDS", "FEELING_WORDS", "URINATE", "STOOL", "PERSIST",
                     "MORE_ADJ", "NUMB", "WEAK_ADJ"):
            targets |= GROUPS[name]
        targets |= _w(
            "flauwgevallen flauwvallen bewusteloos borstpijn verlamd verlamming incontinent "
            "incontinentie urineverlies stoelgangverlies verhoging temperatuur ademhaling "
            "ademhalen kortademig gezwollen opgezwollen ontstoken ondraaglijk aanspreekbaar"
        )
        self.targets = frozenset(t for t in targets if len(t) >= 5 and t.isalpha() and t not in NEVER_FUZZY)
        self._deletes: dict[str, set[str]] = {}
        for t in self.targets:
            for d in _deletions(t, 2 if len(t) >= 8 else 1):
                self._deletes.setdefault(d, set()).add(t)
        self._known = self._dictionary()
        self._prefixes: dict[str, list[str]] = {}
        for t in self.targets:
            self._prefixes.setdefault(t[:5], []).append(t)

    @staticmethod
    def _dictionary():
        """Real Dutch words (from the lemma lookups), never treated as typos."""
        try:
            nlp = _nlp()
            if "lemmatizer" not in nlp.pipe_names:
                return None, frozenset()
            table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
            return table, frozenset(table.values())
        except Exception:
            return None, frozenset()

    def is_known_word(self, word: str) -> bool:
        if word in NEVER_FUZZY or word in PROTECTED_WORDS:
            return True
        return self._in_tables(word)

    def known_stems(self, word: str) -> list[str]:
        """Known stems of an inflected form the tables lack: "zwarte" (zwart),
        "dikke" (dik), "rode" (rood), "klachtje" (klacht)."""
        out = []
        for suf in _INFLECTIONS:
            if word.endswith(suf) and len(word) - len(suf) >= 3:
                stem = word[: -len(suf)]
                stems = {stem}
                if len(stem) >= 2 and stem[-1] == stem[-2]:
                    stems.add(stem[:-1])                               # dikk -> dik
                if len(stem) >= 3 and stem[-2] in "aeou" and stem[-3] not in "aeiou":
                    stems.add(stem[:-1] + stem[-2] + stem[-1])         # rod -> rood
                stems |= {x[:-1] + {"v": "f", "z": "s"}[x[-1]] for x in list(stems) if x[-1] in "vz"}
                out.extend(x for x in stems if self._in_tables(x))
        return out

    def _in_tables(self, word: str) -> bool:
        table, values = self._known
        if table is not None and word in table:
            return True
        return word in values

    def fuzzy(self, word: str) -> str | None:
        n = len(word)
        if n < 5 or not word.isalpha() or self.is_known_word(word):
            return None
        if any(word.startswith(t) and n - len(t) >= 3 for t in self._prefixes.get(word[:5], ())):
            return None  # a compound such as "koortslip", "koortswerend": not a typo
        maxd = 2 if n >= 8 else 1
        cands: set[str] = set()
        for d in _deletions(word, maxd):
            hit = self._deletes.get(d)
            if hit:
                cands |= hit
        best, best_d = None, 99
        for c in sorted(cands):
            if c[0] != word[0]:
                continue  # typos almost never hit the first letter ("swelling" is no "zwelling")
            allowed = 2 if min(len(c), n) >= 8 else 1
            dist = _osa_distance(word, c, allowed)
            if dist <= allowed and dist < best_d:
                best, best_d = c, dist
        if best is not None:
            # an inflected real word ("zwarte") is no typo of another word ("zwakte"),
            # but a typo within the same word family is ("rillinge" -> "rillingen")
            stems = self.known_stems(word)
            if stems and not any(best.startswith(x[:-1]) for x in stems):
                return None
        return best


def _deletions(word: str, maxd: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(maxd):
        nxt = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1:])
        out |= nxt
        frontier = nxt
    return out


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition costs 1)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] | None = None
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


@functools.lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    return _Lexicon()


# function words are matched on their surface form only ("enkele" must not become "enkel")
_NO_LEMMA = TERMINATORS | NEG_ALL | COND_MARKERS | CLAUSE_STARTERS | FILLERS | PSEUDO_AFTER


@functools.lru_cache(maxsize=20000)
def _canon(lower: str, lemma: str) -> str:
    if lower in _SPOKEN:
        return _SPOKEN[lower]
    lex = _lexicon()
    if lower in lex.words:
        return lower
    if lemma and lemma in lex.words and lemma not in _NO_LEMMA:
        return lemma
    fixed = lex.fuzzy(lower)
    return fixed if fixed is not None else lower


@functools.lru_cache(maxsize=1)
def _matcher():
    from spacy.matcher import Matcher
    from spacy.tokens import Token

    if not Token.has_extension("canon"):
        Token.set_extension("canon", default=None)
    nlp = _nlp()
    matcher = Matcher(nlp.vocab)
    stop = sorted(HARD_PUNCT | CONJ_TERMINATORS | {","})
    info: dict[str, tuple[str, bool]] = {}
    for i, (sign, pat) in enumerate(PATTERNS):
        spec = []
        inherent = False
        for tok in pat.split():
            if tok.startswith("~"):
                n = int(tok[1:]) if len(tok) > 1 else 2
                spec.extend({"NORM": {"NOT_IN": stop}, "OP": "?"} for _ in range(n))
                continue
            optional = tok.endswith("?")
            tok = tok.rstrip("?")
            alts: set[str] = set()
            for alt in tok.split("|"):
                alts |= GROUPS[alt[1:]] if alt.startswith("@") else {alt}
            if alts & NEG_ALL:
                inherent = True
            d: dict = {"NORM": {"IN": sorted(alts)}}
            if optional:
                d["OP"] = "?"
            spec.append(d)
        key = f"{sign}#{i}"
        info[key] = (sign, inherent)
        matcher.add(key, [spec])
    return matcher, info


# "maar" that is no conjunction but an intensifier: "neemt alleen maar toe", "het bloed
# blijft maar stromen", "het stopt maar niet", "de gevoelloosheid gaat maar niet weg".
# It is read as "almaar" (continually), so it neither ends a scope nor negates.
_MAAR_INTENSIFIED_AFTER = _w("alleen enkel blijft blijven bleef bleven")
_NIET = _w("niet nie ni")
_MAAR_STUBBORN_VERBS = _w(
    "stopt stoppen stopte gaat gaan ging wil wilt willen wou houdt hield lukt lukte verdwijnt "
    "verdween zakt zakte mindert verbetert stelpt"
)


def _intensifiers(canon: list[str]) -> list[str]:
    out = list(canon)
    for i in range(1, len(out)):
        if out[i] != "maar":
            continue
        nxt = out[i + 1] if i + 1 < len(out) else ""
        if out[i - 1] in _MAAR_INTENSIFIED_AFTER or (
            out[i - 1] in _MAAR_STUBBORN_VERBS and nxt in _NIET
        ):
            out[i] = "almaar"
    return out


# components a full pipeline (e.g. nl_core_news_sm) may have that triage does not need
_SKIP_COMPONENTS = frozenset({"parser", "ner", "senter", "textcat", "entity_ruler", "entity_linker"})


def warm_up() -> None:
    """Load the pipeline, lexicon and matcher (first call otherwise takes ~1 s)."""
    _nlp()
    _lexicon()
    _matcher()
    assess("ik heb geen koorts maar de prikplek is rood en warm, 38,5 graden")


# =========================================================================== #
# analysis
# =========================================================================== #
@dataclass
class _Mention:
    sign: str
    start: int
    end: int
    inherent: bool = False
    status: str = "positive"   # positive | negated | past | hypothetical
    value: float | None = None  # temperatures


_WH_WORDS = _w("wat wie hoe wanneer waar welke hoeveel waarom hoelang")


class _Doc:
    """Token arrays plus sentence / clause helpers."""

    def __init__(self, doc, canon: list[str]) -> None:
        self.doc = doc
        self.c: list[str] = canon
        self.n = len(self.c)
        self.sent: list[int] = []
        sid = 0
        self.sent_start: list[int] = []
        self.sent_end: list[int] = []
        start = 0
        for i, tok in enumerate(self.c):
            self.sent.append(sid)
            if tok in HARD_PUNCT or "\n" in tok or (tok and set(tok) <= set(".!?")):
                self.sent_start.append(start)
                self.sent_end.append(i + 1)
                sid += 1
                start = i + 1
        if start < self.n or not self.sent_start:
            self.sent_start.append(start)
            self.sent_end.append(self.n)
        self.sent = [min(s, len(self.sent_start) - 1) for s in self.sent]

    def s_range(self, i: int) -> tuple[int, int]:
        sid = self.sent[i]
        return self.sent_start[sid], self.sent_end[sid]

    def is_boundary(self, j: int, comma_is_boundary: bool = False) -> bool:
        """Does token j end a scope (looking across it)?"""
        t = self.c[j]
        if t in HARD_PUNCT or "\n" in t or t in TERMINATORS:
            return True
        if t in ("en", "of", ",", "/"):
            nxt = self.c[j + 1] if j + 1 < self.n else ""
            if nxt in CLAUSE_STARTERS:
                return True
            if t == "," and comma_is_boundary:
                return True
        return False

    def clause_range(self, start: int, end: int) -> tuple[int, int]:
        """The clause around tokens start..end: up to the scope boundaries in its sentence."""
        a, b = self.s_range(start)
        lo = start
        while lo > a and not self.is_boundary(lo - 1):
            lo -= 1
        hi = end
        while hi < b and not self.is_boundary(hi):
            hi += 1
        return lo, hi

    def sentence_text(self, i: int) -> list[str]:
        a, b = self.s_range(i)
        return self.c[a:b]

    def first_word(self, i: int) -> str:
        a, b = self.s_range(i)
        for t in self.c[a:b]:
            if t.strip() and t not in HARD_PUNCT and t not in ('"', "'", "(", "-"):
                return t
        return ""

    def is_question(self, i: int) -> bool:
        a, b = self.s_range(i)
        if "?" in self.c[b - 1]:
            return True
        first = self.first_word(i)
        if first not in QUESTION_STARTERS:
            return False
        if first in _WH_WORDS:
            return True
        # verb first without "?": a question only when the subject follows ("kan ik ...");
        # "kan nauwelijks ademhalen" is a statement with the "ik" left out
        k = next((x for x in range(a, b) if self.c[x] == first), a) + 1
        # (a possessive after the verb is not: "kan mn plas niet meer houden" = "ik kan ...")
        return k < b and self.c[k] in SUBJECTS | _w("er ge gij men dat dit deze die de een")


_TEMP_RE = re.compile(r"^(\d{2})(?:[.,](\d{1,2}))?(°c?|°|c|gr|graden)?$")
_TEMP_RANGE_RE = re.compile(r"^(\d{2}(?:[.,]\d)?)-(\d{2}(?:[.,]\d)?)$")
_TEMP_UNITS = _w("graden graad ° c °c celsius gr")
_TEMP_CONTEXT = _w(
    "temperatuur temp koorts verhoging gemeten thermometer koortsthermometer heb heeft had koortsig "
    "lichaamstemperatuur temperatuurtje"
)
_NOT_TEMP_UNITS = _w(
    "jaar jaren jarig kg kilo euro eur mg ml cm km mm min minuten uur uren keer dagen weken maanden "
    "procent % kilometer meter liter stuks pillen tabletten weken"
)
_WEATHER = _w(
    "buiten zomer hittegolf bad badwater water sauna douche kamer auto zon zwembad binnen "
    "wachtkamer wachtzaal verwarming kantoor ziekenhuis trein bus weer"
)


def _temperatures(d: _Doc) -> list[_Mention]:
    out = []
    c = d.c
    for i, tok in enumerate(c):
        if not tok[:1].isdigit():
            continue
        value = None
        end = i + 1
        m = _TEMP_RE.match(tok)
        r = _TEMP_RANGE_RE.match(tok)
        if r:
            try:
                value = max(float(r.group(1).replace(",", ".")), float(r.group(2).replace(",", ".")))
            except ValueError:
                continue
            has_unit = False
            decimal = True
        elif m:
            value = float(m.group(1) + ("." + m.group(2) if m.group(2) else ""))
            has_unit = bool(m.group(3))
            decimal = m.group(2) is not None
        else:
            continue
        if not 34.0 <= value <= 43.5:
            continue
        nxt = c[i + 1] if i + 1 < d.n else ""
        if not decimal and nxt == "komma" and i + 2 < d.n and c[i + 2].isdigit() and len(c[i + 2]) == 1:
            value += int(c[i + 2]) / 10  # "38 komma 5"
            decimal = True
            end = i + 3
            nxt = c[end] if end < d.n else ""
        if nxt in _NOT_TEMP_UNITS:
            continue
        if nxt in _TEMP_UNITS:
            has_unit = True
            end += 1
            if end < d.n and c[end] in ("c", "celsius"):
                end += 1
        context = any(t in _TEMP_CONTEXT for t in c[max(0, i - 4):i])
        if not (decimal or has_unit or context):
            continue
        if not context and not has_unit and decimal and not 35.0 <= value <= 42.5:
            continue
        if any(t in _WEATHER for t in d.sentence_text(i)):
            continue
        prev = c[max(0, i - 3):i]
        if any(t in ("onder", "lager", "minder", "bijna") for t in prev):
            value -= 0.1
        sign = "fever" if value >= FEVER_THRESHOLD else "_temp"
        compared = (i >= 2 and c[i - 1] == "of" and c[i - 2][:1].isdigit()) or (
            end + 1 < d.n and c[end] == "of" and c[end + 1][:1].isdigit())
        out.append(_Mention(sign, i, end, value=round(value, 2),
                            status="hypothetical" if compared else "positive"))
    return out


def _find_mentions(d: _Doc, doc) -> list[_Mention]:
    matcher, info = _matcher()
    raw: list[_Mention] = []
    seen = set()
    for key, start, end in matcher(doc):
        sign, inherent = info[doc.vocab.strings[key]]
        k = (sign, start, end)
        if k in seen:
            continue
        seen.add(k)
        raw.append(_Mention(sign, start, end, inherent))
    raw.extend(_temperatures(d))
    return raw


_WARM_THINGS = _w(
    "kompres kompressen water douche bad kruik kussen eten drinken thee washandje doek zak "
    "kersenpitkussen warmtekussen deken zon verwarming kachel dekentje sauna"
)
_INDICATION = _w("helpt helpen werkt werken baat zinvol nuttig geschikt verhelpen behandelen behandeld tegen")
_VERHOGING_NOT = _w(
    "suiker bloedsuiker bloedsuikerspiegel suikerspiegel dosis bloeddruk prijs premie risico kosten"
)


_WORSE_CUES = _w(
    "steeds erger groter uitbreidt breidt uitbreiden toeneemt toenemend toenemende verergert blijft "
    "toenemen toegenomen verergeren verergerd alsmaar almaar"
)
_PERSIST_CUES = _w("blijft blijvend blijvende aanhoudend aanhoudende constant")
_PERSIST_SEQS = (("niet", "over"), ("niet", "weg"), ("nog", "steeds"), ("al", "dagen"), ("houdt", "aan"))


def _has_seq(tokens: list[str], seqs) -> bool:
    for i in range(len(tokens) - 1):
        if (tokens[i], tokens[i + 1]) in seqs:
            return True
    return False


_NOT_FEVER_SHIVER = _w("kou koude koud zenuwen spanning angst schrik stress")
# "het blijft wat bloeden": oozing, not a haemorrhage
_DIMINISH = _w("wat beetje beetjes lichtjes licht ietsje ietske druppel druppels druppeltje druppeltjes")


def _keep(d: _Doc, m: _Mention) -> bool:
    """Context exclusions for sign mentions."""
    c = d.c
    nxt = c[m.end] if m.end < d.n else ""
    nxt2 = c[m.end + 1] if m.end + 1 < d.n else ""
    span = c[m.start:m.end]
    if m.sign == "breathing" and span == ["benauwd"] and nxt in _w("voor om dat"):
        return False  # "benauwd voor de prik" = afraid of
    if m.sign == "fainting" and ({"reageert", "reageerde"} & set(span)) and nxt == "op" \
            and nxt2 not in _w("mij me ons roepen aanspreken"):
        return False  # "de pijn reageert niet op paracetamol"
    a, b = d.s_range(m.start)
    if m.sign == "infection_signs" and span[0] in _w("lekt lekken lekte") and set(c[a:b]) & (GROUPS["URINATE"] | GROUPS["STOOL"]):
        return False  # "er lekt urine": incontinence, not a wound that leaks
    if m.sign == "fever" and span[0] in GROUPS["SHIVER"] and set(c[m.end:min(b, m.end + 4)]) & _NOT_FEVER_SHIVER:
        return False  # "rillen van de kou / van de zenuwen"
    if m.sign == "fever" and span[0] in GROUPS["SHIVER"] and set(c[a:b]) & (_WEATHER | _w("bushalte")):
        return False  # "het is koud buiten, ik sta te bibberen aan de bushalte"
    if m.sign == "fainting" and "bijna" in c[max(a, m.start - 1):m.end] and any(
            c[x] == "toen" and c[x + 1:x + 3] in (["ik", "zag"], ["ik", "hoorde"], ["ik", "las"])
            for x in range(m.end, b - 2)):
        return False  # "ik viel bijna flauw toen ik zag hoeveel het parkeren kostte" (a figure of speech)
    if m.sign == "bleeding" and span[0] == "bloed" and nxt in _w("kruipt kroop"):
        return False  # "het bloed kruipt waar het niet gaan kan" (an idiom)
    if m.sign == "loss_of_feeling" and span[0] == "gevoel" and m.start > a and c[m.start - 1] in GROUPS["NUMB"]:
        return False  # "het dove gevoel verdwijnt" = the numbness goes away
    if m.sign == "loss_of_strength" and set(c[m.end:min(b, m.end + 4)]) & _w("van door") \
            and set(c[m.end:min(b, m.end + 5)]) & GROUPS["PAIN"]:
        return False  # "ik kan amper nog lopen van de pijn": the pain, not weakness
    if m.sign == "headache_neck_pain" and d.is_question(m.start):
        a, b = d.s_range(m.start)
        if set(c[a:b]) & _INDICATION:
            return False  # "helpt dry needling tegen hoofdpijn en nekpijn?"
    return True


_HEAT = _w("warm warme warmer heet hete gloeit gloeiend")
_ATTR_OK_NEXT = _w("en of , plek plekje plekken vlek vlekken streep strepen kring rand zone gebied")


def _attributive(d: _Doc, m: _Mention, b: int) -> bool:
    """'rode wijn', 'zwarte koffie', 'een warm bad', 'een rood wijntje': the colour /
    heat word describes another noun, not the injection site."""
    c = d.c
    if m.end >= b:
        return False
    word, nxt = c[m.start], c[m.end]
    if nxt in _w("haar haren"):
        return True  # "die met het rode haar"
    if nxt in GROUPS["SITE"] or nxt in _ATTR_OK_NEXT or nxt in HARD_PUNCT:
        return False
    if nxt in GROUPS["INF_WEAK"] | GROUPS["INF_MEDIUM"] | GROUPS["INF_STRONG"] | GROUPS["BLEED"]:
        return False
    if not nxt.isalpha() or nxt in FILLERS or nxt in CLAUSE_STARTERS or nxt in TERMINATORS:
        return False
    if nxt in _w("rond rondom om omheen bij aan op in rondom geworden worden wordt aan uit door"):
        return False
    inflected = word.endswith("e") and word not in _w("dikke")  # "rode wijn", "warme kruik"
    neuter = m.start > 0 and c[m.start - 1] in _w("een geen") and not word.endswith("e")  # "een rood wijntje"
    if word == "dikke":
        inflected = True
    return inflected or neuter


_DRESSINGS = _w("verband pleister kompres gaasje")


def _everywhere(c: list[str], m: _Mention, a: int, b: int) -> bool:
    """"mijn huid is overal een beetje rood": all over the body, not one site."""
    return "overal" in c[max(a, m.start - 4):min(b, m.end + 2)]


BENIGN = "_benign:"   # a sign word with a harmless reading (Assessment.benign)
BLOCK = "_block:"     # a building block that made no sign (counts only when negated)
_BLOCK_SIGNS = {"_head": "headache_neck_pain", "_neck": "headache_neck_pain", "_numb": "loss_of_feeling"}


def _resolve_building_blocks(d: _Doc, mentions: list[_Mention]) -> list[_Mention]:
    """Turn the "_" building blocks into signs (context rules)."""
    c = d.c
    out: list[_Mention] = []
    by_sent: dict[int, list[_Mention]] = {}
    for m in mentions:
        by_sent.setdefault(d.sent[m.start], []).append(m)

    for sid, ms in by_sent.items():
        a, b = d.sent_start[sid], d.sent_end[sid]
        words = set(c[a:b])
        real = [m for m in ms if not m.sign.startswith("_")]
        real_signs = {m.sign for m in real}

        # ---- infection: "rood", "warm", "dik" need a site ("de prikplek is rood"),
        #      a second such word close by ("rood en gezwollen") or "het is dik"
        weak = [
            m for m in ms
            if m.sign == "_inf_weak"
            and not (c[m.start].startswith("warm") and any(t in _WARM_THINGS for t in c[m.end:min(b, m.end + 4)]))
            and not _attributive(d, m, b)
            # "afwisselend koud en warm" is fever, not a warm injection site
            and not any(f.sign == "fever" and f.start <= m.start < f.end for f in ms)
            and not _everywhere(c, m, a, b)
            # "'t verband is rood": blood on the dressing, not a red site
            and not set(c[max(a, m.start - 3):m.start]) & _DRESSINGS
            # "ze voelt zo warm aan, 38,7": the body is warm (fever), not the site
            and not (c[m.start] in _HEAT and any(f.sign == "fever" for f in ms)
                     and not set(c[max(a, m.start - 4):min(b, m.end + 4)]) & GROUPS["SITE"])
        ]
        # "een rood kopke", "een warm gezicht" (cortisone), "overal een beetje rood": harmless
        for m in ms:
            if m.sign == "_inf_weak" and m not in weak and (
                    (m.end < b and c[m.end] in GROUPS["FLUSH"]) or _everywhere(c, m, a, b)):
                out.append(_Mention(BENIGN + "infection_signs", m.start, m.end))
        if weak:
            site = bool(words & GROUPS["SITE"])
            flush = bool(words & GROUPS["FLUSH"])
            infection_near = [m for m in ms if m.sign == "infection_signs"]
            for m in weak:
                # two different words, not both about heat ("gloeiend heet" is the whole body)
                pair = any(
                    abs(m.start - o.start) <= 5 and c[o.start] != c[m.start]
                    and not (c[o.start] in _HEAT and c[m.start] in _HEAT)
                    for o in weak
                )
                near = any(abs(m.start - o.start) <= 6 for o in infection_near)
                # "'t is dik", "het is wel rood" (the site), but not "ik heb het warm",
                # "het is warm buiten"
                before = c[max(a, m.start - 3):m.start]
                pron = any(
                    t in _w("het 't t dat die") and not (x > 0 and before[x - 1] in _w("heb had hebben"))
                    and not (x == 0 and m.start - 4 >= a and c[m.start - 4] in _w("heb had hebben"))
                    for x, t in enumerate(before)
                ) and not (words & (_WEATHER | _w("hier vandaag binnen")))
                if flush and not site:
                    # "rood en warm gezicht" after cortisone: a known harmless effect
                    out.append(_Mention(BENIGN + "infection_signs", m.start, m.end))
                    continue
                if site or pair or near or pron:
                    out.append(_Mention("infection_signs", m.start, m.end))

        # ---- bleeding, but not a blood test or a menstruation
        if not (words & GROUPS["MENSES"]):
            for m in ms:
                if m.sign != "_bleed":
                    continue
                if c[m.start] == "bloed":
                    around = c[max(a, m.start - 3):m.start] + c[m.end:min(b, m.end + 3)]
                    if any(t in GROUPS["BLOOD_TEST"] for t in around):
                        continue
                out.append(_Mention("bleeding", m.start, m.end))

        # ---- fever words that need context
        for m in ms:
            if m.sign == "_verhoging":
                if any(t in _VERHOGING_NOT for t in c[m.end:min(b, m.end + 4)]):
                    continue
                out.append(_Mention("fever", m.start, m.end))
            elif m.sign == "_fever_temp":
                # "ik heb (wat) temperatuur" = fever; followed by a number: the number decides
                if any(t[:1].isdigit() for t in c[m.end:min(b, m.end + 3)]):
                    continue
                out.append(_Mention("fever", m.start, m.end))

        # ---- headache + neck pain in the same sentence
        heads = [m for m in ms if m.sign == "_head"]
        necks = [m for m in ms if m.sign == "_neck"]
        if heads and necks:
            out.extend(_Mention("headache_neck_pain", m.start, m.end) for m in heads + necks)

        # ---- numbness / headache that gets worse or does not go away
        worse = bool(words & _WORSE_CUES) or _has_seq(c[a:b], _PERSIST_SEQS)
        persist = bool(words & _PERSIST_CUES) or _has_seq(c[a:b], _PERSIST_SEQS)
        if worse:
            out.extend(_Mention("loss_of_feeling", m.start, m.end) for m in ms if m.sign == "_numb")
        if persist:
            out.extend(_Mention("headache_neck_pain", m.start, m.end) for m in heads)

        # ---- "kan niet goed praten": a stroke sign when sudden ("ineens") or with weakness
        if words & SUDDEN or real_signs & {"sudden_weakness", "loss_of_strength"}:
            out.extend(_Mention("sudden_weakness", m.start, m.end, m.inherent) for m in ms if m.sign == "_speech")

        # ---- "het wordt steeds erger": only when nothing more specific is said
        specific = real_signs or any(x.sign in ("_neck", "_head", "_inf_weak", "_bleed", "_numb") for x in ms)
        if not specific or words & GROUPS["PAIN"]:
            out.extend(
                _Mention("increasing_pain", m.start, m.end) for m in ms if m.sign == "_worse_generic"
            )

        # head, neck or numbness words that did not make a sign: kept, so that "mijn
        # hoofdpijn is weg" counts as a negated mention
        made = {(x.start, x.end) for x in out}
        out.extend(
            _Mention(BLOCK + _BLOCK_SIGNS[m.sign], m.start, m.end) for m in ms
            if m.sign in _BLOCK_SIGNS and (m.start, m.end) not in made
        )

        # "het bloed blijft maar stromen": a haemorrhage when blood is named in the sentence
        if any(x.sign in ("_bleed", "bleeding") for x in ms):
            out.extend(_Mention("heavy_bleeding", m.start, m.end) for m in ms if m.sign == "_keeps_flowing")

        out.extend(real)
        out.extend(m for m in ms if m.sign.startswith(BENIGN))
        out.extend(m for m in ms if m.sign in ("_temp",) or (m.sign == "fever" and m.value is not None))
    # "het blijft wat bloeden": a persisting ooze is a red flag, not a haemorrhage
    for i, m in enumerate(out):
        if m.sign == "heavy_bleeding":
            sp = c[m.start:m.end]
            if set(sp) & _w("blijft blijven bleef") and set(sp) & _DIMINISH and not set(sp) & GROUPS["HEAVY"]:
                out[i] = _Mention("bleeding", m.start, m.end, m.inherent, m.status, m.value)
    # temperatures that were classified as "fever" by value were in `real` already
    seen = set()
    final = []
    for m in out:
        k = (m.sign, m.start, m.end)
        if k in seen or not _keep(d, m):
            continue
        seen.add(k)
        final.append(m)
    return final


def _negated_before(d: _Doc, m: _Mention, negated_tokens: set[int]) -> bool:
    a, _ = d.s_range(m.start)
    content = 0
    j = m.start - 1
    steps = 0
    while j >= a and steps < 12:
        t = d.c[j]
        steps += 1
        if d.is_boundary(j):
            return False
        if j in negated_tokens:
            return content == 0  # "geen koorts, roodheid of pus"
        if t in NEG_ALL:
            nxt = d.c[j + 1] if j + 1 < d.n else ""
            prv = d.c[j - 1] if j - 1 >= 0 else ""
            prv2 = d.c[j - 2] if j - 2 >= 0 else ""
            pseudo = nxt in PSEUDO_AFTER or prv in PSEUDO_BEFORE or prv2 in PSEUDO_BEFORE
            if not pseudo:
                if t in NEG_LONG and content <= 2:
                    return True
                if t in NEG_SHORT and content == 0:
                    return True
        elif t not in FILLERS:
            content += 1
        if content > 4:
            return False
        j -= 1
    return False


_RESOLVED = _w(
    "weg over verdwenen voorbij gezakt gestopt opgehouden minder afgenomen verminderd beter "
    "genezen verholpen gestelpt geslonken overgegaan normaal gedaald"
)
_RESOLVED_ADV = _w("nu inmiddels al weer gelukkig helemaal bijna ook nagenoeg vanzelf grotendeels compleet echt")


_CLAUSE_END_OK = _w("meer gehad gezien gemerkt gevoeld gemeten hoor gelukkig echt zo")
_RESOLVED_PART = _w(
    "weg over verdwenen voorbij gezakt gestopt opgehouden afgenomen genezen verholpen gestelpt "
    "geslonken overgegaan weggegaan"
)
# "even / tijdelijk gezakt": only for a while, not resolved
_TEMPORARY = _w("even eventjes tijdelijk kort beetje wat half deels")


def _resolved_clause(d: _Doc, k: int, b: int) -> bool:
    """From k (after "is/was"): a clause ending in a resolved participle, with only a
    time phrase between ("is na vijf minuten gestopt", "is al helemaal weg")?"""
    c = d.c
    for x in range(k, min(b, k + 7)):
        t = c[x]
        if d.is_boundary(x, comma_is_boundary=True) or t == ",":
            return False
        if t in NEG_ALL or t in _TEMPORARY:
            return False
        if t in _RESOLVED_PART:
            return _clause_ends(d, x + 1, b)
    return False


def _clause_ends(d: _Doc, k: int, b: int) -> bool:
    """Only harmless words between position k and the end of the clause?"""
    while k < b:
        if d.is_boundary(k, comma_is_boundary=True) or d.c[k] == ",":
            return True
        if d.c[k] not in _CLAUSE_END_OK:
            return False
        k += 1
    return True


def _negated_after(d: _Doc, m: _Mention) -> bool:
    _, b = d.s_range(m.start)
    c = d.c
    j = m.end
    # "de koorts is (weer) weg", "de zwelling wordt minder"
    if j < b and c[j] in _w("is zijn was waren wordt werd gaat ging trekt neemt zakt"):
        k = j + 1
        while k < b and c[k] in _RESOLVED_ADV:
            k += 1
        if k < b and c[k] in _RESOLVED | _w("af"):
            return True
        if k < b and c[k] in _w("aan") and k + 1 < b and c[k + 1] in _w("het") and k + 2 < b and c[k + 2] in _w("zakken afnemen verdwijnen"):
            return True
        if _resolved_clause(d, j + 1, b):
            return True  # "het bloeden is na vijf minuten gestopt"
    # "er kwam wat bloed uit maar dat is al gestopt", "..., maar het is nu over"
    for k in range(j, min(b, j + 10)):
        if c[k] in HARD_PUNCT:
            break
        if c[k] in _w("maar en") and k + 2 < b and c[k + 1] in _w("dat het 't t die dit ze hij") \
                and c[k + 2] in _w("is was zijn waren"):
            if _resolved_clause(d, k + 3, b):
                return True
            break
    # "koorts heb ik niet (gehad)", "benauwd ben ik niet"
    if j < b and c[j] in _w("heb had hebben ben is was zie zag voel merk heeft"):
        k = j + 1
        while k < b and c[k] in _w("ik hij ze zij we u gelukkig echt helemaal zeker nog"):
            k += 1
        if k < b and c[k] in NEG_ALL and _clause_ends(d, k + 1, b):
            return True  # but not "de koorts is niet gezakt", "de bloeding is nog niet gestopt"
    # "het bloedt niet (meer)" (but not "het bloedt niet minder")
    if m.end - m.start == 1 and c[m.start] in _FINITE_SIGN_VERBS and j < b and c[j] in NEG_SHORT \
            and _clause_ends(d, j + 1, b):
        return True
    # "koorts noch rillingen"
    if j < b and c[j] == "noch":
        return True
    # "koorts? nee" / "koorts: neen"
    for k in range(j, min(b + 1, j + 3, d.n)):
        if c[k] in _w("nee neen nope"):
            return True
        if c[k] not in HARD_PUNCT and c[k] != ",":
            break
    # "..., nu niet meer", "..., maar nu niet"
    for k in range(j, min(d.n, j + 12)):
        if c[k] in HARD_PUNCT:
            break
        if c[k] in _w("nu inmiddels intussen") and k + 1 < d.n and (
            c[k + 1] in _w("niet geen nergens")
            or (c[k + 1] == "gelukkig" and k + 2 < d.n and c[k + 2] in _w("niet geen nergens"))
        ):
            return True  # "..., nu niet meer", "..., nu gelukkig nergens last van"
        if c[k] in _w("nu inmiddels intussen") and (
            set(c[k + 1:k + 5]) & _w("beter goed over voorbij weg") or c[k + 1:k + 4] == ["gaat", "het", "weer"]
        ):
            return True  # "ik had het even benauwd, maar nu gaat het weer"
    for k in range(j, min(d.n, j + 12)):
        if c[k] == "maar":
            rest = c[k + 1:k + 5]
            if rest[:1] == ["niet"] or rest[:2] in (["nu", "niet"], ["nu", "geen"], ["inmiddels", "niet"], ["nu", "gelukkig"]) or rest[:1] == ["nu"] and "niet" in rest[:3]:
                return True
            break
        if c[k] in HARD_PUNCT:
            break
    return False


def _past(d: _Doc, m: _Mention) -> bool:
    a, b = d.s_range(m.start)
    c = d.c
    # backwards to the clause start
    j = m.start - 1
    while j >= a:
        if d.is_boundary(j):
            break
        if c[j] in HISTORY_UNI or (j > a and (c[j - 1], c[j]) in HISTORY_BI):
            return True
        j -= 1
    # forwards to the clause end
    j = m.end
    while j < b:
        if d.is_boundary(j):
            break
        if c[j] in HISTORY_UNI or (j + 1 < b and (c[j], c[j + 1]) in HISTORY_BI):
            return True
        j += 1
    # a recent past attached to the sign: "de koorts van vorige maand", or opening the
    # clause with a past verb: "vorige week had ik koorts" (not "sinds vorige week")
    if m.end + 2 < b and c[m.end] == "van" and (c[m.end + 1], c[m.end + 2]) in RECENT_PAST:
        return True
    lo, hi = d.clause_range(m.start, m.end)
    if lo + 2 < m.start and (c[lo], c[lo + 1]) in RECENT_PAST and c[lo + 2] in PAST_VERBS:
        return True
    clause = c[lo:hi]
    if "sinds" not in clause and "sindsdien" not in clause and set(clause) & PAST_VERBS:
        # "na mijn vorige facetinfiltratie had ik koorts", "in 2023 had ik een infectie"
        if "vorige" in clause or "vorig" in clause or any(
                x > lo and c[x - 1] == "in" and re.fullmatch(r"(19|20)\d\d", c[x]) for x in range(lo, hi)):
            return True
    return False


def _habitual(d: _Doc, m: _Mention) -> bool:
    """"hij praat altijd onduidelijk": a lifelong trait, not a sudden (stroke) sign.

    "altijd" in the clause (not "nog altijd" = still) and no "ineens"/"plots" in the sentence.
    """
    a, b = d.s_range(m.start)
    c = d.c
    if any(t in SUDDEN for t in c[a:b]):
        return False
    lo, hi = d.clause_range(m.start, m.end)
    return any(c[j] in HABITUAL and not (j > a and c[j - 1] in ("nog", "bijna")) for j in range(lo, hi))


_FINITE_SIGN_VERBS = _w("bloedt bloedde ettert lekt stinkt gutst")
_GENERAL_QUESTION_STARTS = _w("hoeveel hoelang vanaf")
# a person or a definite thing before the sign: a question about one's own complaint
_PARTICULAR = FIRST_PERSON | POSSESSIVES | _w("hij zij ze hem de het")
_TEMP_WORDS = _w("temperatuur temp graden graad")


def _hypothetical(d: _Doc, m: _Mention, hyp_tokens: set[int]) -> bool:
    a, b = d.s_range(m.start)
    c = d.c
    span = set(range(m.start, m.end))
    # H1: conditional marker earlier in the same clause ("als ik koorts krijg")
    j = m.start - 1
    inversion_at = None  # "als ik opsta WORD IK duizelig": the sign is in the main clause
    while j >= a:
        t = c[j]
        if j in hyp_tokens:
            return True
        if t in HARD_PUNCT or t in CONJ_TERMINATORS:
            break
        if t in INVERSION_VERBS and j + 1 < d.n and c[j + 1] in SUBJECTS and inversion_at is None:
            inversion_at = j
        if t == ",":
            nxt = c[j + 1] if j + 1 < d.n else ""
            # a comma only continues a list of signs ("rood, warm of gezwollen")
            if not (j + 1 == m.start and nxt not in _FINITE_SIGN_VERBS) and nxt not in GROUPS["INF_WEAK"] | GROUPS["INF_MEDIUM"]:
                break
        if t == "of" and any(x in ASK_VERBS for x in c[max(a, j - 3):j]):
            return True  # "mijn dochter vraagt of ze kan flauwvallen", "wil weten of ..."
        if t in COND_MARKERS:
            if t == "als" and j + 1 < d.n and c[j + 1] in _w("gevolg kind volgt eerste laatste"):
                pass
            elif t == "geval" and not (j > a and c[j - 1] in _w("in ingeval het")):
                pass
            elif (inversion_at is not None and inversion_at > j + 1 and t in _w("als wanneer zodra")
                  and j + 1 < d.n and c[j + 1] in SUBJECTS | GROUPS["DET"]):
                break  # temporal "als/wanneer": a real complaint in the main clause
            else:
                return True
        j -= 1
    question = d.is_question(m.start)
    # "is flauwvallen gevaarlijk?": a question about a sign, not stating it (but
    # "is het gevaarlijk dat het bloedt?" states it)
    if question and set(c[a:b]) & DANGER_WORDS and "dat" not in c[a:m.start] \
            and not (set(c[m.start:m.end]) & _FINITE_SIGN_VERBS) and not _asserted(d, m, a, b, span):
        return True
    # reported, about people in general: "ik lees dat je dan kortademig wordt", "mijn
    # buurvrouw zei dat je soms niet meer kan plassen"
    for x in range(a, m.start - 1):
        if c[x] in REPORT_VERBS and c[x + 1] == "dat" and x + 2 <= m.start and \
                any(c[y] in GENERIC_SUBJECTS for y in range(x + 2, min(m.start + 1, x + 5))):
            return True
    # "hoeveel bloed is te veel?", "hoe lang mag een prikplek nabloeden?": asked in general
    if question and (d.first_word(m.start) in _GENERAL_QUESTION_STARTS or c[a:a + 2] == ["hoe", "lang"]) \
            and not any(c[y] in _PARTICULAR for y in range(a, m.start)):
        return True
    # "bij welke temperatuur is het koorts?", "vanaf hoeveel graden is het koorts?"
    if m.sign == "fever" and question and set(c[a:b]) & _w("welke hoeveel vanaf wanneer") \
            and set(c[a:b]) & _TEMP_WORDS and not _asserted(d, m, a, b, span):
        return True
    # "bij (een) koorts", "wat te doen bij een bloeding"
    k = m.start - 1
    while k >= a and c[k] in _w("een de het hoge lichte veel ernstige ernstig erge plotselinge tekenen teken"):
        k -= 1
    if k >= a and c[k] == "bij":
        return True
    # "hoe weet ik of het ontstoken is?"
    if d.first_word(m.start) in _w("hoe waaraan wanneer") and any(t in KNOW_VERBS for t in c[a:m.start]):
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
         and c[x + 1] in _w("dat om voor van")
         and not any(d.is_boundary(y, comma_is_boundary=True) for y in range(x + 1, m.start))),
        None,
    )
    if fear_at is not None:
        tail = [c[x] for x in range(fear_at + 1, b) if x not in span]
        if not any(t in ASSERT_VERBS for t in tail):
            return True
    # risk words that only count in a question: "wat zijn de tekenen van infectie?"
    if question and any(t in QUESTION_RISK for t in window):
        if not _asserted(d, m, a, b, span):
            return True
    # a bare sign asked about, then "when / whom ... then?" ("zwak aan één kant? wanneer
    # moet ik dan bellen"): the sign is the condition of the follow-up question
    if question and b < d.n and all(x in span or c[x] in FILLERS or c[x] in HARD_PUNCT for x in range(a, b)):
        nb = d.s_range(b)[1]
        follow = c[b:nb]
        if d.first_word(b) in _w("wanneer wie waar welke welk") and "dan" in follow:
            return True
    # H2: a question about what may happen ("kan ik een infectie krijgen?");
    # not "waarom krijg ik koorts?" (asks about a complaint the patient has)
    if question and d.first_word(m.start) != "waarom":
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
        if potential and not _asserted(d, m, a, b, span, first_idx):
            return True
    return False


def _asserted(d: _Doc, m: _Mention, a: int, b: int, span: set[int], first_idx: int | None = None) -> bool:
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
            if t == "is" and x + 1 < b and c[x + 1] in _w("er het dat"):
                continue  # "is er kans op", "is het mogelijk", "... of is dat zeldzaam?"
            if t in _w("is zijn") and x - 1 >= a and c[x - 1] in _w("groot wat wie hoe welke"):
                continue
            return True
        if t in SUBJECTS and x + 1 < b and c[x + 1] in SUBJECT_VERBS and x + 1 != first_idx:
            return True
    return False


def _third_person(d: _Doc, mentions: Iterable[_Mention]) -> bool:
    c = d.c

    def referent(i: int) -> str | None:
        t = c[i]
        if t in PERSONS and i > 0 and c[i - 1] in POSSESSIVES | _w("de het onze haar zijn"):
            return "third"
        if t in PERSONS and (i == 0 or c[i - 1] in HARD_PUNCT or c[i - 1] in _w(", ( -")):
            return "third"  # "Zoon (17) heeft koorts", "Vader: 38,5"
        if t == "hij" or t == "hem":
            return "third"
        if t in ("zij", "ze") and i + 1 < d.n and c[i + 1] in THIRD_SG_VERBS:
            return "third"
        if t == "haar" and i + 1 < d.n and c[i + 1] not in _w("is was"):
            return "third"
        if t in FIRST_PERSON:
            if t in POSSESSIVES and i + 1 < d.n and c[i + 1] in PERSONS:
                return "third"
            return "first"
        return None

    ms = list(mentions)
    if not ms:
        return any(referent(i) == "third" for i in range(d.n))
    for m in ms:
        who = None
        for i in range(m.start - 1, -1, -1):
            who = referent(i)
            if who:
                break
        if who is None:
            a, b = d.s_range(m.start)
            for i in range(m.end, b):
                who = referent(i)
                if who:
                    break
        if who == "third":
            return True
    return False


def _denied_clause(d: _Doc, m: _Mention) -> bool:
    """"het is niet zo dat ik niet meer kan plassen", "niet dat ik koorts heb": the whole
    clause with the sign is denied."""
    a, _ = d.s_range(m.start)
    c = d.c
    for x in range(a, m.start - 1):
        if c[x] == "niet" and (c[x + 1] == "dat" or c[x + 1:x + 3] == ["zo", "dat"]):
            return not any(c[y] in CONJ_TERMINATORS for y in range(x, m.start))
    return False


def _classify(d: _Doc, mentions: list[_Mention]) -> None:
    mentions.sort(key=lambda m: (m.start, m.end))
    negated_tokens: set[int] = set()
    hyp_tokens: set[int] = set()
    for m in mentions:
        in_span_neg = False
        if not m.inherent and m.end - m.start > 1:
            in_span_neg = any(d.c[x] in NEG_ALL for x in range(m.start + 1, m.end))
        if in_span_neg or _negated_before(d, m, negated_tokens) or _negated_after(d, m) \
                or _denied_clause(d, m):
            m.status = "negated"
            negated_tokens.update(range(m.start, m.end))
        elif _past(d, m) or (m.sign == "sudden_weakness" and _habitual(d, m)):
            m.status = "past"
            negated_tokens.update(range(m.start, m.end))
        elif _hypothetical(d, m, hyp_tokens):
            m.status = "hypothetical"
            hyp_tokens.update(range(m.start, m.end))


def _upgrade_emergencies(d: _Doc, mentions: list[_Mention]) -> list[_Mention]:
    out = list(mentions)
    for m in mentions:
        if m.sign in ("loss_of_strength", "loss_of_feeling"):
            a, b = d.s_range(m.start)
            if any(t in SUDDEN for t in d.c[a:b]):
                out.append(_Mention("sudden_weakness", m.start, m.end, status=m.status))
    return out


# --------------------------------------------------------------------------- #
# cheap keyword scan (text beyond MAX_ANALYSED_CHARS, and the fallback)
# --------------------------------------------------------------------------- #
_KEYWORDS: list[tuple[str, re.Pattern]] = [
    ("breathing", re.compile(r"\b(benauwd|kortademig\w*|ademnood|geen lucht|kan niet ademen)\b")),
    ("chest_pain", re.compile(r"\b(pijn op de borst|borstpijn|druk op de borst)\b")),
    ("fainting", re.compile(r"\b(flauwgevallen|flauw gevallen|bewusteloos|reageert niet)\b")),
    ("heavy_bleeding", re.compile(r"\b(blijft bloeden|bloedt hevig|veel bloed)\b")),
    ("sudden_weakness", re.compile(r"\b(verlamd|verlamming|scheve mond)\b")),
    ("fever", re.compile(r"\b(koorts\w*|verhoging|3[89][.,]\d|4[0-2][.,]\d)\b")),
    ("infection_signs", re.compile(r"\b(pus|etter\w*|ontstoken|ontsteking|infectie|gezwollen|zwelling|roodheid)\b")),
    ("bleeding", re.compile(r"\b(bloeding\w*|bloedt|bloedde|nabloed\w*)\b")),
    ("increasing_pain", re.compile(r"\b(steeds erger|meer pijn|toenemende pijn)\b")),
    ("loss_of_strength", re.compile(r"\b(krachtverlies|geen kracht|minder kracht)\b")),
    ("loss_of_feeling", re.compile(r"\b(gevoelloos|geen gevoel)\b")),
    ("urination_difficulty", re.compile(r"\b(kan niet plassen|moeilijk plassen|moeizaam urineren)\b")),
    ("incontinence", re.compile(r"\b(incontinent\w*|urineverlies|stoelgangverlies|plas niet ophouden)\b")),
]
_TAIL_NEG = re.compile(r"\b(geen|niet|zonder|nooit|noch|gene|genen)\b[^.!?;\n]{0,25}$")


def _keyword_scan(text: str) -> tuple[list[str], float | None]:
    found: list[str] = []
    temp = None
    for sign, rx in _KEYWORDS:
        for mt in rx.finditer(text):
            before = text[max(0, mt.start() - 30):mt.start()]
            if _TAIL_NEG.search(before):
                continue
            if sign == "fever" and mt.group(1)[:1].isdigit():
                temp = max(temp or 0.0, float(mt.group(1).replace(",", ".")))
            found.append(sign)
            break
    return found, temp


# =========================================================================== #
# public entry point
# =========================================================================== #
def assess(text: object) -> Assessment:
    """Triage one patient message. Never raises."""
    try:
        return _assess(text)
    except Exception:  # pragma: no cover - last line of defence
        log.exception("red_flags.assess failed; falling back to keyword scan")
        try:
            t = _normalise(text if isinstance(text, str) else str(text or ""))
            signs, temp = _keyword_scan(t[:200_000])
            return _result(signs, [], [], temp, False, truncated=len(t) > MAX_ANALYSED_CHARS)
        except Exception:
            return Assessment(level=NONE)


def _result(signs, negated, hypothetical, temperature, third, truncated=False, benign=()) -> Assessment:
    pos = set(signs)
    for big, small in _SUBSUMES.items():
        if big in pos:
            pos.discard(small)
    neg = set(negated) - pos - set(hypothetical)
    hyp = set(hypothetical) - pos
    for big, small in _SUBSUMES.items():
        if big in pos:
            neg.discard(small)
            hyp.discard(small)
        if big in hyp:
            hyp.discard(small)
        if big in neg:
            neg.discard(small)
    order = lambda s: SIGN_ORDER.get(s, 99)  # noqa: E731
    if pos & set(EMERGENCY_SIGNS):
        level = EMERGENCY
    elif pos:
        level = RED_FLAG
    elif hyp:
        level = HYPOTHETICAL
    else:
        level = NONE
    return Assessment(
        level=level,
        signs=sorted(pos, key=order),
        negated=sorted(neg, key=order),
        temperature=temperature,
        third_person=bool(third) and bool(pos or hyp or neg),
        hypothetical=sorted(hyp, key=order),
        truncated=truncated,
        benign=sorted(set(benign) - pos, key=order),
    )


def _assess(text: object) -> Assessment:
    if text is None:
        return Assessment(level=NONE)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if not isinstance(text, str):
        text = str(text)
    if not text.strip():
        return Assessment(level=NONE)

    truncated = len(text) > MAX_ANALYSED_CHARS
    head = _normalise(text[:MAX_ANALYSED_CHARS])

    nlp = _nlp()
    _matcher()  # registers the token extension
    doc = nlp(head, disable=_SKIP_COMPONENTS & set(nlp.pipe_names))
    canon = _intensifiers(
        [_canon(tok.lower_, tok.lemma_.lower() if tok.lemma_ else "") for tok in doc]
    )
    for tok, cw in zip(doc, canon):
        tok._.canon = cw
        tok.norm_ = cw  # mirror for the Matcher (NORM is matched natively, `_` in Python)
    d = _Doc(doc, canon)
    mentions = _find_mentions(d, doc)
    mentions = _resolve_building_blocks(d, mentions)
    _classify(d, mentions)
    mentions = _upgrade_emergencies(d, mentions)

    signs = [m.sign for m in mentions if m.status == "positive" and not m.sign.startswith("_")]
    negated = [m.sign for m in mentions if m.status in ("negated", "past") and not m.sign.startswith("_")]
    negated += [m.sign[len(BLOCK):] for m in mentions
                if m.sign.startswith(BLOCK) and m.status in ("negated", "past")]
    benign = [m.sign[len(BENIGN):] for m in mentions if m.sign.startswith(BENIGN) and m.status == "positive"]
    benign += ["fever" for m in mentions if m.sign == "_temp" and m.status == "positive"]
    hyp = [m.sign for m in mentions if m.status == "hypothetical" and not m.sign.startswith("_")]
    temps = [m.value for m in mentions if m.value is not None and m.status == "positive"]
    temperature = max(temps) if temps else None
    positives = [m for m in mentions if m.status == "positive" and not m.sign.startswith("_")]
    third = _third_person(d, positives or [m for m in mentions if not m.sign.startswith("_")])

    if truncated:
        extra, t2 = _keyword_scan(_normalise(text[MAX_ANALYSED_CHARS:]))
        signs.extend(extra)
        if t2 is not None and (temperature is None or t2 > temperature):
            temperature = t2
    return _result(signs, negated, hyp, temperature, third, truncated, benign)
