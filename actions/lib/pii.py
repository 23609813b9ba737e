"""Masking personal identifiers in Dutch and Flemish patient messages.

Rule-based on purpose: it runs inside the tracker store (every stored event) and
in the export script, with no model to download and no dependency that could
clash with Rasa 3.6's pins (see docs/privacy.md for why `deduce` and Presidio
are not used).

``mask(text)`` replaces:

========================  ==========================================================
``[telefoon]``            NL/BE phone numbers (06-12345678, +31 6 1234 5678,
                          010-1234567, 0031..., 0470 12 34 56, +32 470..., 016/12 34 56)
``[e-mail]``              e-mail addresses
``[bsn]``                 9 digits passing the 11-proef (dots/spaces allowed), or any
                          8-9 digits right after "bsn"/"burgerservicenummer"
``[rijksregisternummer]`` YY.MM.DD-XXX.CC with a valid mod-97 check (or after the word)
``[iban]``                IBANs with a valid mod-97 check
``[patiëntnummer]``       digits after "patiëntnummer", "dossiernummer", ...
``[geboortedatum]``       a date after "geboren (op)", "geboortedatum", "geb." ...
``[datum]``               any other full date (dd-mm-yyyy, 12 maart 1956, 1956-03-12)
                          with a year before 2015; later dates (appointments,
                          onset of complaints) are kept
``[adres]``               street + house number (+ postcode + city), NL postcodes
                          (with house number / city)
``[naam]``                names introduced as such: "ik ben Jan de Vries", "mijn naam
                          is ...", "ik heet ...", "met Marleen Peeters" (at the start),
                          "hier is Karin", "dit is ...", mevrouw/meneer/dokter X,
                          a name under a greeting ("groetjes, Karin")
========================  ==========================================================

Clinical content is left alone: "ik ben 38,5 graden", "ik ben duizelig",
"ik ben Nederlander", "24 uur", "10 minuten", "500 mg", drug names, the emergency number.
Only names that are *introduced* are found; a name elsewhere in a sentence
("kan Pieter mij ophalen?") is not (see docs/privacy.md, limits).

``mask_event(event_dict)`` applies this to a serialised Rasa event (the dict
of ``Event.as_dict()``) and returns a masked copy.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

PHONE = "[telefoon]"
EMAIL = "[e-mail]"
BSN = "[bsn]"
RRN = "[rijksregisternummer]"
IBAN = "[iban]"
PATIENT_NUMBER = "[patiëntnummer]"
BIRTH_DATE = "[geboortedatum]"
DATE = "[datum]"
ADDRESS = "[adres]"
NAME = "[naam]"

LABELS = (PHONE, EMAIL, BSN, RRN, IBAN, PATIENT_NUMBER, BIRTH_DATE, DATE, ADDRESS, NAME)

# Full dates from this year on are kept (appointments, start of complaints).
RECENT_YEAR = 2015

# When two findings overlap, the lower number wins (then the longer one).
_PRIORITY = {
    EMAIL: 0, IBAN: 1, RRN: 2, BSN: 3, PATIENT_NUMBER: 4, PHONE: 5,
    BIRTH_DATE: 6, ADDRESS: 7, DATE: 8, NAME: 9,
}


@dataclass(frozen=True)
class Span:
    """A personal identifier found at ``text[start:end]``."""

    start: int
    end: int
    label: str


# --------------------------------------------------------------------------- numbers


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def bsn_is_valid(number: str) -> bool:
    """The 11-proef for a 9-digit Burgerservicenummer (dots/spaces ignored)."""
    d = _digits(number)
    if len(d) != 9 or d == "0" * 9:
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(c) * w for c, w in zip(d, weights)) % 11 == 0


def rrn_is_valid(number: str) -> bool:
    """Mod-97 check of a Belgian rijksregisternummer (11 digits, born before or after 2000)."""
    d = _digits(number)
    if len(d) != 11:
        return False
    base, check = int(d[:9]), int(d[9:])
    month, day = int(d[2:4]), int(d[4:6])
    # month may be 0 (unknown) or +20/+40 (bis numbers); day may be 0
    if month % 20 > 12 or day > 31:
        return False
    return check in (97 - base % 97, 97 - (2_000_000_000 + base) % 97)


def iban_is_valid(number: str) -> bool:
    s = re.sub(r"\s", "", number).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", s):
        return False
    rearranged = s[4:] + s[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w])")

_IBAN_RE = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?:\s?[A-Za-z0-9]{4}){2,7}(?:\s?[A-Za-z0-9]{1,3})?(?![\w])")

_RRN_RE = re.compile(
    r"(?<![\d.\-/])\d{2}[.\s-]?\d{2}[.\s-]?\d{2}[.\s-]?\d{3}[.\s-]?\d{2}(?![\d]|[.\-/]\d)"
)
_RRN_CONTEXT_RE = re.compile(
    r"\b(?:rijksregister(?:nummer|nr)?|insz(?:-?nummer)?|nationaal\s+nummer|rrn)\b"
    r"\s*(?:is|:)?\s*(\d[\d.\s-]{9,16}\d)",
    re.IGNORECASE,
)

_BSN_RE = re.compile(r"(?<![\d.,\-/])\d(?:[.\s]?\d){8}(?![\d]|[.,\-/]\d)")
_BSN_CONTEXT_RE = re.compile(
    r"\b(?:bsn|burger\s?service\s?nummer|burgerservicenr|sofi-?nummer)\b"
    r"\s*(?:is|:|nr\.?)?\s*(\d(?:[.\s]?\d){7,8})(?!\d)",
    re.IGNORECASE,
)

_PATIENT_NUMBER_RE = re.compile(
    r"\b(?:pati[eë]nt(?:en)?(?:nummer|nr)|pati[eë]nt-?id|patnr|dossiernummer|dossiernr|"
    r"ziekenhuisnummer|epd-?nummer|registratienummer|klantnummer)\b\.?"
    r"\s*(?:is|:)?\s*(?:nr\.?\s*)?([A-Za-z]{0,3}\d[\d\s.\-]{2,14}\d|\d{1,4})(?!\d)",
    re.IGNORECASE,
)

# Phone numbers: an international (+31/0031/+32/0032) or national (0...) start,
# then digits in groups separated by a space, '-', '.', '/' or ')'.
_PHONE_RE = re.compile(
    r"(?<![\w+/.\-–])"
    r"(?:(?P<cc>(?:\+|00)\s?(?:31|32))(?:\s?\(0\))?[\s.\-]?|(?P<nat>\(?0))"
    r"(?P<rest>\d(?:(?:\s?[-–—./)]\s?|\s)?\d){6,11})"
    r"(?![\d]|[-–—./]\d)"
)
_DATE_PREFIX_RE = re.compile(r"^\(?\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?!\d)")


def _phone_is_plausible(m: "re.Match[str]") -> bool:
    if _DATE_PREFIX_RE.match(m.group(0)):
        return False
    rest = _digits(m.group("rest"))
    if m.group("cc"):
        country = _digits(m.group("cc"))[-2:]
        if rest.startswith("0"):
            return False
        return len(rest) == 9 if country == "31" else len(rest) in (8, 9)
    national = "0" + rest
    if national[1] == "0":  # that would be an international prefix
        return False
    if national[:4] in ("0800", "0900", "0906", "0909"):
        return len(national) in (8, 11)
    if national.startswith("06"):
        return len(national) == 10
    if national.startswith("04"):  # BE mobile 04xx xx xx xx (10) / BE landline 04 (9)
        return len(national) in (9, 10)
    return len(national) in (9, 10)  # NL landline 10, BE landline 9


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "febr": 2, "maart": 3, "mrt": 3,
    "mar": 3, "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "augustus": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10,
    "okt": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))

_NUMERIC_DATE = r"\d{1,2}\s?[-/.]\s?\d{1,2}\s?[-/.]\s?(?:\d{4}|'?\d{2})"
_TEXT_DATE = rf"\d{{1,2}}(?:e|ste|de)?\s+(?:{_MONTH_ALT})\.?\s+(?:\d{{4}}|'\d{{2}})"
_ISO_DATE = r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}"
_MONTH_YEAR = rf"(?:{_MONTH_ALT})\.?\s+(?:19|20)\d{{2}}"
_YEAR = r"(?:19|20)\d{2}"

_BIRTH_DATE_RE = re.compile(
    r"\b(?:geboren|geb\.?\s*datum|geb\.?\s*dat\.?|geboortedatum|geboortedag|geb\.|"
    r"d\.?o\.?b\.?|date\s+of\s+birth)"
    r"(?:\s+(?:ben\s+ik|is|op|in|de|den|sinds))*\s*[:=]?\s*(?:op\s+|in\s+)?"
    rf"(?P<date>{_ISO_DATE}|{_NUMERIC_DATE}|{_TEXT_DATE}|{_MONTH_YEAR}|{_YEAR})(?!\d)",
    re.IGNORECASE,
)
_FULL_NUMERIC_DATE_RE = re.compile(
    r"(?<![\d/.\-])(?P<d>\d{1,2})\s?(?P<s>[-/.])\s?(?P<m>\d{1,2})\s?(?P=s)\s?(?P<y>\d{4})(?![\d]|[-/.]\d)"
)
_TEXT_DATE_RE = re.compile(
    rf"(?<![\d])(?P<d>\d{{1,2}})(?:e|ste|de)?\s+(?P<m>{_MONTH_ALT})\.?\s+(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_ISO_DATE_RE = re.compile(r"(?<![\d\-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d])")


def _plausible_date(day: int, month: int, year: int) -> bool:
    return 1 <= day <= 31 and 1 <= month <= 12 and 1880 <= year < RECENT_YEAR


# --------------------------------------------------------------------------- addresses

_STREET_STRONG = (
    "straat|straatweg|steenweg|laan|weg|plein|dreef|singel|gracht|kade|dijk|"
    "boulevard|plantsoen|steeg|kaai|dwarsstraat|baan"
)
_STREET_WEAK = (  # only in a capitalised word ("Grote Markt", "Frankrijklei")
    "hof|park|pad|markt|veld|ring|wal|burgwal|vest|berg|dam|erf|akker|hoek|lei|dal|"
    "meer|oord|kwartier|haven|poort|vaart|wijk|straatje|pleintje|hout|brug|kant|zijde"
)
# lower-case words ending like a street that are not streets
_NOT_STREETS = frozenset({
    "onderweg", "halfweg", "snelweg", "autoweg", "uitweg", "luchtweg", "zijweg",
    "rijweg", "omweg", "blokkade", "zenuwblokkade", "barricade", "ophaalbaan",
    "loopbaan", "ijsbaan", "kermis", "weg",
})
_UNIT_AFTER_NUMBER = (
    r"(?!\s*(?:min(?:uten|uut)?|uur|u\b|sec|seconden|dag(?:en)?|we(?:ek|ken)|maand(?:en)?|"
    r"jaar|jaren|mg|mcg|ml|cc|gr(?:am)?|kg|keer|x\b|%|graden|°|km|meter|m\b|cm|mm|"
    r"pillen|tabletten|stuks|euro|€))"
)
_HOUSE_NUMBER = (
    r"[1-9]\d{0,3}(?![\d,.]\d)"
    r"(?:\s?[-/]\s?[1-9]\d{0,3}(?!\d))?"
    r"(?:\s?(?:bus|bis|hs|huis|boven|bv|app\.?)\s?\d{0,4}[A-Za-z]?(?![\w])|[A-Za-z](?![\w]))?"
)
_CITY = (
    r"(?:'s[-\s])?[A-Z][\w'\-]+(?:(?:\s|-)(?:aan|a/d|op|in|bij|de|den|der|ter|van|sur)"
    r"(?:\s|-)(?:de\s|den\s|het\s)?[A-Z][\w'\-]+)?"
)
_NL_POSTCODE = r"[1-9]\d{3}\s?[A-Za-z]{2}(?![A-Za-z])"
# not postcodes: units and words after a number
_POSTCODE_NOT_LETTERS = frozenset({
    "mg", "ml", "kg", "cm", "mm", "km", "cc", "ie", "gr", "ug", "st", "nd", "uu",
    "sa", "sd", "ss", "en", "de", "op", "in", "om", "is", "al", "nu", "na", "te", "ik",
    "je", "of", "ca", "jr", "hz", "hr", "ms", "kb", "mb", "gb",
})

_STREET_RE = re.compile(
    r"(?<![\w'-])"
    r"(?P<pre>(?:(?:[A-Z][\w'\-]*|van|de|der|den|'s|'t)\s+){0,3})"
    rf"(?P<street>[\w'\-]{{2,}}(?:{_STREET_STRONG})|[A-Z][\w'\-]*(?:{_STREET_WEAK})|"
    r"(?:Grote|Oude|Kleine|Nieuwe|Korte|Lange|Hoge|Lage)\s+[A-Z][\w'\-]+)"
    rf"\s+(?:nr\.?\s*|nummer\s+)?(?P<number>{_HOUSE_NUMBER}){_UNIT_AFTER_NUMBER}"
    rf"(?P<tail>,?\s+(?:{_NL_POSTCODE}(?:\s+{_CITY})?|[1-9]\d{{3}}\s+{_CITY}))?"
)
_POSTCODE_RE = re.compile(
    rf"(?<![\w])(?P<pc>[1-9]\d{{3}}(?P<sp>\s?)(?P<letters>[A-Za-z]{{2}}))(?![A-Za-z])"
    rf"(?P<nr>\s+[1-9]\d{{0,3}}(?:\s?[A-Za-z](?![\w]))?(?![\d]|[-/.]\d))?"
    rf"(?P<city>\s+{_CITY})?"
)
_POSTCODE_CONTEXT_RE = re.compile(
    r"\bpostcode\s*(?:is|:)?\s*(?P<pc>[1-9]\d{3}(?:\s?[A-Za-z]{2}(?![A-Za-z]))?)",
    re.IGNORECASE,
)
_STREET_PRE_STOP = frozenset({
    "ik", "mijn", "wij", "we", "in", "op", "aan", "de", "het", "een", "bij", "naar",
    "woon", "adres", "is", "ons", "onze", "u", "uw", "je", "jij", "hallo", "hoi",
})


# --------------------------------------------------------------------------- names

_PARTICLES = (
    r"(?:(?:van|von)\s+(?:der|den|de|het|'t|’t|ter|ten)|in\s+(?:'t|’t|de|het|den)|"
    r"op\s+(?:'t|’t|de|den|ten)|uit\s+(?:de|den|het)|van|von|de|der|den|ter|ten|te|"
    r"'t|’t|'s|vd|v\.d\.|v/d|la|le|du|di|da|del|dos|das)"
)
_PARTICLE_RE = re.compile(rf"{_PARTICLES}(?=\s)", re.IGNORECASE)
_TOKEN_RE = re.compile(r"(?:[A-ZÀ-Þ]\.){1,4}|(?:[dDlLoO]['’])?[^\W\d_][\w'’\-]*")

# Capitalised words after "ik ben", "met", "hier is" ... that are not names.
_NOT_NAMES = frozenset(w.lower() for w in """
Nederlander Nederlandse Nederlands Hollander Hollandse Belg Belgische Vlaming Vlaamse
Waal Waalse Brusselaar Fries Friese Limburger Limburgse Brabander Brabantse Zeeuw Zeeuwse
Rotterdammer Amsterdammer Hagenaar Utrechter Leuvenaar Antwerpenaar Gentenaar Schiedammer
Marokkaan Marokkaanse Turk Turkse Duitser Duitse Fransman Franse Engelsman Engelse Brit
Britse Amerikaan Amerikaanse Pool Poolse Surinamer Surinaamse Antilliaan Antilliaanse
Kaapverdiaan Europeaan Europese Spanjaard Spaanse Italiaan Italiaanse Portugees Portugese
Roemeen Roemeense Bulgaar Bulgaarse Syriër Syrische Afghaan Afghaanse Eritreeër Somaliër
Chinees Chinese Indiaas Indiase Indonesiër Indonesische Oekraïner Oekraïense Rus Russische
Christen Christelijk Katholiek Katholieke Moslim Moslima Islamitisch Jood Joods Joodse
Protestant Protestantse Hindoe Hindoestaan Hindoestaanse Boeddhist Getuige Jehova
Patiënt Patient Patiente Patiënte Mantelzorger Moeder Vader Dochter Zoon Partner Man Vrouw
Echtgenote Echtgenoot Vriend Vriendin Buurman Buurvrouw Oma Opa Tante Oom Verpleegkundige
Arts Huisarts Dokter Fysiotherapeut Fysio Student Studente Zwangere Diabeet Diabetespatiënt
Zwanger Ziek Bang Duizelig Moe Misselijk Benauwd Allergisch Diabetisch Epileptisch Ongerust
Nerveus Zenuwachtig Blij Tevreden Boos Verdrietig Alleen Oud Jong Gepensioneerd Ouder
Bezorgd Onzeker Beter Slechter Klaar Nuchter Wakker Gevallen Geopereerd Gestopt Begonnen
Net Nu Nog Niet Wel Al Er Hier Daar Thuis Morgen Vandaag Gisteren Vanmorgen Vanochtend
Vanavond Vannacht Straks Sinds Pas Vorige Volgende Om Op In Bij Van Met Een De Het Die Dat
Deze Dit Heel Erg Zo Zeer Best Behoorlijk Echt Wat Geen Ook Toch Even Gewoon Helemaal
Ik Jij Je Hij Zij Ze Wij We Jullie Mijn Uw U Ons Onze Hallo Hoi Hey Dag Goedemorgen
Goedemiddag Goedenavond Dank Bedankt Graag Ja Nee Oké Oke Ok Okay Sorry Excuses Welkom
Maandag Dinsdag Woensdag Donderdag Vrijdag Zaterdag Zondag Januari Februari Maart April
Mei Juni Juli Augustus September Oktober November December Kerst Kerstmis Pasen Pinksteren
Carnaval Nieuwjaar Oudjaar Ramadan Suikerfeest
Dry Needling Triggerpoint Triggerpoints Triggerpointtherapie Triggerpointinjectie
Facetinfiltratie Facetdenervatie Infiltratie Denervatie Ontzenuwing Pijnpoli Pijnkliniek
Pijnbestrijding Ziekenhuis Gasthuis Franciscus Vlietland Heilig Hart Leuven Rotterdam
Schiedam Covid Corona Rug Nek Schouder Pijn Hoofdpijn Koorts
Paracetamol Ibuprofen Diclofenac Naproxen Aspirine Aspirin Asaflow Ascal Marcoumar Sintrom
Acenocoumarol Fenprocoumon Clexane Fraxiparine Xarelto Pradaxa Eliquis Lixiana Plavix
Clopidogrel Ticlid Ticlopidine Brilique Ticagrelor Aggrenox Acetylsalicylzuur Dafalgan
Perdolan Nurofen Brufen Advil Voltaren Tramadol Contramal Oxycodon Oxycontin Morfine
Lyrica Pregabaline Gabapentine Neurontin Amitriptyline Metformine Insuline Prednison
Prednisolon Cortisone Lidocaïne Lidocaine Xylocaine Marcaine Bupivacaïne Omeprazol
Pantoprazol Ozempic Warfarine Heparine Codeïne Codeine Diazepam Valium Temazepam
""".split())

_STOP_LOWER = frozenset("""
ik en maar want of dus ben is was heb heeft had wil wilde zou kan kon mag moet moest ga
gaat ging graag een het hoe wat wanneer waar welke wie waarom mijn je jij u uw we wij ze
zij hij die dat deze dit met voor om op in aan bij uit over na tot als niet geen wel ook
nog al er hier daar dan toen nu heet hallo hoi dag goedemorgen goedemiddag goedenavond
vraag vragen pijn patiënt patient bel bellen via mail tel telefoon nummer geboren woon
wonend adres leeftijd jaar oud sinds heb hebben was zijn worden word wordt kunt kunnen
even snel dank bedankt alvast groet groetjes mvg nee ja oke ok sorry omdat zodat terwijl
""".split())

_NAME_STRONG_TRIGGERS = re.compile(
    r"\b(?:mijn\s+(?:volledige\s+)?(?:voor|achter|familie)?naam\s+is|"
    r"mijn\s+(?:volledige\s+)?(?:voor|achter|familie)?naam\s*[:=]|"
    r"(?:^|(?<=[\s,.;!?]))(?:voor|achter|familie)?naam(?:\s+pati[eë]nt)?\s*[:=]|"
    r"ik\s+heet|ik\s+noem\s+m(?:e|ij))\s*",
    re.IGNORECASE,
)
_NAME_WEAK_TRIGGERS = re.compile(
    r"(?:\bik\s+ben|\bhier\s+is|^\W*dit\s+is|\b(?:u|je|jij)\s+spreekt\s+(?:nu\s+)?met|"
    r"^\W*(?:(?:goede(?:morgen|middag|navond)|hallo|hoi|dag|hey|hi)\W+)?met|"
    r"\b(?:mevrouw|meneer|mevr\.|mevr|mw\.|dhr\.|dhr|de\s+heer|dokter|dr\.)|"
    r"(?:^|(?<=[.!?]\s))(?P<greeting>beste|lieve|geachte|dag|hallo|hoi|hey|hi|goede(?:morgen|middag|navond))|"
    r"(?:^|[\s,.!])(?:(?:met\s+)?(?:vriendelijke|hartelijke|lieve)\s+groet(?:en)?|groet(?:en|jes)?|"
    r"gr\.|mvg|m\.v\.g\.?|bedankt|dank\s+(?:je|u)(?:\s*wel)?|dankjewel|dankuwel)[,!:]?)\s+",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(r"groet|gr\.|mvg|m\.v\.g|bedankt|dank", re.IGNORECASE)


def _is_capitalised(token: str) -> bool:
    core = re.sub(r"^[dDlLoO]['’]", "", token)
    return bool(core) and core[0].isupper() and not (len(core) > 1 and core.isupper() and "." not in core)


def _name_tokens(text: str, pos: int, lowercase_ok: bool) -> Optional[Tuple[int, int]]:
    """The span of a name starting at ``pos`` (after a trigger), or None."""

    def token_at(p: int) -> Optional["re.Match[str]"]:
        return _TOKEN_RE.match(text, p)

    def skip_space(p: int) -> int:
        while p < len(text) and text[p] in " \t":
            p += 1
        return p

    first = token_at(pos)
    if not first:
        return None
    word = first.group(0)
    low = word.lower()
    capital_mode = _is_capitalised(word)
    if capital_mode:
        if low in _NOT_NAMES or _looks_like_a_word(word):
            # a capitalised particle may start a Flemish surname: "De Smet", "Van Damme"
            particle = _PARTICLE_RE.match(text, pos)
            if not particle:
                return None
            after = skip_space(particle.end())
            nxt = token_at(after)
            if not (nxt and _is_capitalised(nxt.group(0)) and nxt.group(0).lower() not in _NOT_NAMES):
                return None
            first_end = nxt.end()
        else:
            first_end = first.end()
    else:
        if not lowercase_ok or low in _STOP_LOWER or low in _NOT_NAMES or not low.isalpha():
            return None
        first_end = first.end()

    start, end, count = pos, first_end, 1
    while count < 6:
        p = end
        if p >= len(text) or text[p] not in " \t":
            # initials may be followed directly by the surname ("J.de Vries")
            if not (text[end - 1] == "." and p < len(text) and text[p].isalpha()):
                break
        p = skip_space(p)
        particle = _PARTICLE_RE.match(text, p)
        if particle:
            after = skip_space(particle.end())
            nxt = token_at(after)
            if nxt and (
                _is_capitalised(nxt.group(0))
                if capital_mode
                else nxt.group(0).lower() not in _STOP_LOWER
            ) and nxt.group(0).lower() not in _NOT_NAMES:
                end, count = nxt.end(), count + 1
                continue
            break
        nxt = token_at(p)
        if not nxt:
            break
        w = nxt.group(0)
        if capital_mode:
            if not _is_capitalised(w) or w.lower() in _NOT_NAMES or _looks_like_a_word(w):
                break
        else:
            if w.lower() in _STOP_LOWER or w.lower() in _NOT_NAMES or not w.isalpha() or count >= 3:
                break
        end, count = nxt.end(), count + 1
    return start, end


_WORD_SUFFIXES = ("isch", "lijk", "baar", "loos", "zaam", "heid", "ende", "tie", "ogen")


def _looks_like_a_word(token: str) -> bool:
    low = token.lower()
    return len(low) > 5 and low.endswith(_WORD_SUFFIXES)


# --------------------------------------------------------------------------- finding


def _candidates(text: str) -> Iterator[Span]:
    for m in _EMAIL_RE.finditer(text):
        yield Span(m.start(), m.end(), EMAIL)

    for m in _IBAN_RE.finditer(text):
        if iban_is_valid(m.group(0)):
            yield Span(m.start(), m.end(), IBAN)

    for m in _RRN_RE.finditer(text):
        if rrn_is_valid(m.group(0)):
            yield Span(m.start(), m.end(), RRN)
    for m in _RRN_CONTEXT_RE.finditer(text):
        if len(_digits(m.group(1))) == 11:
            yield Span(m.start(1), m.end(1), RRN)

    for m in _BSN_RE.finditer(text):
        if bsn_is_valid(m.group(0)):
            yield Span(m.start(), m.end(), BSN)
    for m in _BSN_CONTEXT_RE.finditer(text):
        yield Span(m.start(1), m.end(1), BSN)

    for m in _PATIENT_NUMBER_RE.finditer(text):
        yield Span(m.start(1), m.end(1), PATIENT_NUMBER)

    for m in _PHONE_RE.finditer(text):
        if _phone_is_plausible(m):
            yield Span(m.start(), m.end(), PHONE)

    for m in _BIRTH_DATE_RE.finditer(text):
        yield Span(m.start("date"), m.end("date"), BIRTH_DATE)

    for m in _FULL_NUMERIC_DATE_RE.finditer(text):
        if _plausible_date(int(m.group("d")), int(m.group("m")), int(m.group("y"))):
            yield Span(m.start(), m.end(), DATE)
    for m in _TEXT_DATE_RE.finditer(text):
        if _plausible_date(int(m.group("d")), _MONTHS[m.group("m").lower()], int(m.group("y"))):
            yield Span(m.start(), m.end(), DATE)
    for m in _ISO_DATE_RE.finditer(text):
        if _plausible_date(int(m.group("d")), int(m.group("m")), int(m.group("y"))):
            yield Span(m.start(), m.end(), DATE)

    yield from _street_spans(text)
    for m in _POSTCODE_RE.finditer(text):
        letters = m.group("letters")
        if letters.lower() in _POSTCODE_NOT_LETTERS:
            continue
        # "3045 pm" (lower case, with a space) is too much like "1000 mg": only with
        # the upper-case letters, written together ("3045pm"), or after a house number.
        if not (letters.isupper() or not m.group("sp") or m.group("nr")):
            continue
        end = m.end("pc")
        if m.group("nr"):
            end = m.end("nr")
        if m.group("city"):
            end = m.end("city")
        yield Span(m.start(), end, ADDRESS)
    for m in _POSTCODE_CONTEXT_RE.finditer(text):
        yield Span(m.start("pc"), m.end("pc"), ADDRESS)

    yield from _name_spans(text)


def _street_spans(text: str) -> Iterator[Span]:
    for m in _STREET_RE.finditer(text):
        street = m.group("street")
        if street.lower() in _NOT_STREETS:
            continue
        weak = not re.search(rf"(?:{_STREET_STRONG})$", street, re.IGNORECASE)
        if weak and re.fullmatch(r"(?:19|20)\d{2}", m.group("number")):
            continue  # "in Rotterdam 2019", a year rather than a house number
        # the words before the street are part of its name only if they are names
        # themselves ("Burgemeester Visserstraat", "Van Goghlaan"), not "Ik woon ..."
        start = m.start("street")
        pre = m.group("pre")
        if pre:
            words = list(re.finditer(r"\S+", pre))
            kept = None
            for w in reversed(words):
                token = w.group(0)
                if token.lower() in _STREET_PRE_STOP and token not in ("De", "Van"):
                    break
                kept = w
            if kept is not None:
                start = m.start("pre") + kept.start()
        yield Span(start, m.end(), ADDRESS)


def _name_spans(text: str) -> Iterator[Span]:
    for m in _NAME_STRONG_TRIGGERS.finditer(text):
        found = _name_tokens(text, m.end(), lowercase_ok=True)
        if found:
            yield Span(found[0], found[1], NAME)
    for m in _NAME_WEAK_TRIGGERS.finditer(text):
        found = _name_tokens(text, m.end(), lowercase_ok=False)
        if not found:
            continue
        if _SIGN_OFF.search(m.group(0)) and not re.match(r"\s*[.!]*\s*$", text[found[1]:]):
            continue  # "groetjes, Karin" only at the end of the message
        if m.group("greeting") and not re.match(r"\s*(?:[,.!?:;]|$)", text[found[1]:]):
            continue  # "Dag Jan," / "Hallo Karin!" but not "Hallo Allemaal hier"
        yield Span(found[0], found[1], NAME)


def _resolve(candidates: Iterable[Span]) -> List[Span]:
    spans = [s for s in set(candidates) if s.end > s.start]
    # a finding inside a longer one is part of it (9 digits inside a phone number)
    spans = [
        s for s in spans
        if not any(o.start <= s.start and s.end <= o.end and (o.end - o.start) > (s.end - s.start)
                   for o in spans)
    ]
    chosen: List[Span] = []
    for span in sorted(spans, key=lambda s: (_PRIORITY[s.label], -(s.end - s.start), s.start)):
        if span.end <= span.start:
            continue
        if any(span.start < c.end and c.start < span.end for c in chosen):
            continue
        chosen.append(span)
    chosen.sort(key=lambda s: s.start)
    return chosen


def _merge_addresses(text: str, spans: List[Span]) -> List[Span]:
    merged: List[Span] = []
    for span in spans:
        if (
            merged
            and span.label == ADDRESS
            and merged[-1].label == ADDRESS
            and re.fullmatch(r"[\s,]*", text[merged[-1].end:span.start])
        ):
            merged[-1] = Span(merged[-1].start, span.end, ADDRESS)
        else:
            merged.append(span)
    return merged


def find_spans(text: str) -> List[Span]:
    """Non-overlapping personal identifiers in ``text``, in order."""
    if not text:
        return []
    return _merge_addresses(text, _resolve(_candidates(text)))


def _apply(text: str, spans: Sequence[Span]) -> str:
    out, last = [], 0
    for span in spans:
        out.append(text[last:span.start])
        out.append(span.label)
        last = span.end
    out.append(text[last:])
    return "".join(out)


def mask(text: str) -> str:
    """``text`` with every personal identifier replaced by its label."""
    if not isinstance(text, str) or not text:
        return text
    return _apply(text, find_spans(text))


def contains_pii(text: str) -> bool:
    return bool(isinstance(text, str) and find_spans(text))


# --------------------------------------------------------------------------- events


def _map_start(spans: Sequence[Span], offset: int) -> int:
    """Where a start ``offset`` of the original text lands in the masked text."""
    shift = 0
    for span in spans:
        if span.end <= offset:
            shift += len(span.label) - (span.end - span.start)
        elif span.start <= offset:  # inside a masked span: the start of its label
            return span.start + shift
        else:
            break
    return offset + shift


def _map_end(spans: Sequence[Span], offset: int) -> int:
    """Where an end ``offset`` of the original text lands in the masked text."""
    shift = 0
    for span in spans:
        if span.end <= offset:
            shift += len(span.label) - (span.end - span.start)
        elif span.start < offset:  # inside a masked span: the end of its label
            return span.start + shift + len(span.label)
        else:
            break
    return offset + shift


def _mask_entities(entities: Any, text: Optional[str], spans: Sequence[Span]) -> None:
    """Masks entity values in place and moves their offsets into the masked text."""
    if not isinstance(entities, list):
        return
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        start, end = entity.get("start"), entity.get("end")
        has_offsets = (
            isinstance(text, str) and isinstance(start, int) and isinstance(end, int)
            and 0 <= start <= end <= len(text)
        )
        hit = [s for s in spans if s.start < end and start < s.end] if has_offsets else []
        value = entity.get("value")
        if hit:
            entity["value"] = " ".join(s.label for s in hit)
        elif isinstance(value, str) and value.strip():
            # no offsets: a value that is part of something masked in the text
            # ("Jan" of "ik ben Jan de Vries") gets that label; any other value is
            # masked on its own (a phone number picked up by an extractor)
            needle = value.strip().lower()
            inside = [s for s in spans if isinstance(text, str) and needle in text[s.start:s.end].lower()]
            entity["value"] = inside[0].label if inside else mask(value)
        elif value is not None and not isinstance(value, (int, float, bool)):
            entity["value"] = _mask_value(value)
        if isinstance(entity.get("text"), str):
            entity["text"] = mask(entity["text"])
        if has_offsets and spans:
            entity["start"] = _map_start(spans, start)
            entity["end"] = _map_end(spans, end)


def _mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_mask_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    return value


def mask_event(event: Dict[str, Any]) -> Dict[str, Any]:
    """A masked copy of a serialised Rasa event (``Event.as_dict()``).

    user: ``text``, ``parse_data.text`` and the values (and offsets) of entities
    found in masked text; bot: ``text``; slot: string values; entities: values.
    Everything else (intent, confidence, actions, timestamps) is kept as it is. The
    input is never changed; what is not masked (the parse data's rankings, for example)
    is shared with it rather than copied (this runs on every stored event).
    """
    if not isinstance(event, dict):
        return event
    masked = dict(event)
    kind = masked.get("event")
    if isinstance(masked.get("entities"), list):
        masked["entities"] = copy.deepcopy(masked["entities"])
    if kind == "user":
        if isinstance(masked.get("parse_data"), dict):
            masked["parse_data"] = parse_data = dict(masked["parse_data"])
            if isinstance(parse_data.get("entities"), list):
                parse_data["entities"] = copy.deepcopy(parse_data["entities"])
        text = masked.get("text")
        spans = find_spans(text) if isinstance(text, str) else []
        if spans:
            masked["text"] = _apply(text, spans)
        parse_data = masked.get("parse_data")
        if isinstance(parse_data, dict):
            p_text = parse_data.get("text")
            if isinstance(p_text, str):
                p_spans = spans if p_text == text else find_spans(p_text)
            else:  # entity offsets refer to the message text
                p_text, p_spans = text, spans
            if isinstance(parse_data.get("text"), str) and p_spans:
                parse_data["text"] = _apply(p_text, p_spans)
            _mask_entities(parse_data.get("entities"), p_text, p_spans)
        if "entities" in masked:
            _mask_entities(masked.get("entities"), text, spans)
    elif kind == "bot":
        if isinstance(masked.get("text"), str):
            masked["text"] = mask(masked["text"])
    elif kind == "slot":
        masked["value"] = _mask_value(masked.get("value"))
    elif kind == "entities":
        _mask_entities(masked.get("entities"), None, [])
    return masked
