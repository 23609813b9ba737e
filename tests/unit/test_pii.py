"""actions.lib.pii: what is masked, and the clinical text that must survive."""
import copy
from pathlib import Path

import pytest

from actions.lib.pii import (
    ADDRESS,
    BIRTH_DATE,
    BSN,
    DATE,
    EMAIL,
    IBAN,
    NAME,
    PATIENT_NUMBER,
    PHONE,
    RRN,
    bsn_is_valid,
    contains_pii,
    find_spans,
    iban_is_valid,
    mask,
    mask_event,
    rrn_is_valid,
)

_ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------- positives

MASKED = [
    # NL phone numbers
    ("bel me op 06-12345678", "bel me op [telefoon]"),
    ("mijn nummer is 0612345678", "mijn nummer is [telefoon]"),
    ("06 12 34 56 78 graag terugbellen", "[telefoon] graag terugbellen"),
    ("06 123 456 78", "[telefoon]"),
    ("06-1234 5678", "[telefoon]"),
    ("+31 6 1234 5678", "[telefoon]"),
    ("+31612345678", "[telefoon]"),
    ("+31-6-12345678", "[telefoon]"),
    ("+31 (0)6 12345678", "[telefoon]"),
    ("0031612345678", "[telefoon]"),
    ("0031 6 12345678", "[telefoon]"),
    ("0031 10 461 66 74", "[telefoon]"),
    ("het Gasthuis: 010-4616674", "het Gasthuis: [telefoon]"),
    ("010 461 66 74", "[telefoon]"),
    ("(010) 461 66 74", "[telefoon]"),
    ("0104616674", "[telefoon]"),
    ("0299-123456", "[telefoon]"),
    ("tel 0800-1234", "tel [telefoon]"),
    ("tel 0900-1234567", "tel [telefoon]"),
    ("bel 010 – 461 6674", "bel [telefoon]"),  # en dash, as in config/clinics.yml
    # BE phone numbers
    ("0470 12 34 56 is mijn gsm", "[telefoon] is mijn gsm"),
    ("gsm 0498/12.34.56", "gsm [telefoon]"),
    ("0470123456", "[telefoon]"),
    ("+32 470 12 34 56", "[telefoon]"),
    ("+32470123456", "[telefoon]"),
    ("0032 470 12 34 56", "[telefoon]"),
    ("016/20 92 40", "[telefoon]"),
    ("tel. 016 20 92 40", "tel. [telefoon]"),
    ("+32 16 20 92 40", "[telefoon]"),
    ("02 123 45 67", "[telefoon]"),
    ("09/123.45.67", "[telefoon]"),
    # e-mail
    ("mijn e-mail is jan.devries@gmail.com", "mijn e-mail is [e-mail]"),
    ("mail naar a.janssens+pijn@telenet.be.", "mail naar [e-mail]."),
    ("Marleen.Peeters@kuleuven.be graag", "[e-mail] graag"),
    # BSN (11-proef), with and without separators, and after the word "bsn"
    ("mijn bsn is 111222333", "mijn bsn is [bsn]"),
    ("123456782", "[bsn]"),
    ("burgerservicenummer 1234.56.782", "burgerservicenummer [bsn]"),
    ("nummer 123 456 782 klopt", "nummer [bsn] klopt"),
    ("123.456.782", "[bsn]"),
    ("bsn: 123456789", "bsn: [bsn]"),  # fails the 11-proef, but it says bsn
    # Belgian rijksregisternummer (mod 97, before and after 2000)
    ("rijksregisternummer 85.07.30-033.28", "rijksregisternummer [rijksregisternummer]"),
    ("85073003328", "[rijksregisternummer]"),
    ("nr 01.02.03-005.66", "nr [rijksregisternummer]"),
    ("90.01.01-123.95 is mijn nummer", "[rijksregisternummer] is mijn nummer"),
    ("INSZ: 85.07.30-033.29", "INSZ: [rijksregisternummer]"),  # bad check, but says so
    # birth dates and old dates
    ("geboren op 12-03-1956", "geboren op [geboortedatum]"),
    ("geboortedatum 12/3/56", "geboortedatum [geboortedatum]"),
    ("Geboortedatum: 12.03.1956", "Geboortedatum: [geboortedatum]"),
    ("ik ben geboren op 12 maart 1956", "ik ben geboren op [geboortedatum]"),
    ("ik ben geboren 3 mei 1948 in Gent", "ik ben geboren [geboortedatum] in Gent"),
    ("ik ben geboren in 1956", "ik ben geboren in [geboortedatum]"),
    ("geb. 03-05-48", "geb. [geboortedatum]"),
    ("geboortedatum: 1956-03-12", "geboortedatum: [geboortedatum]"),
    ("op 12-03-1956 had ik een ongeluk", "op [datum] had ik een ongeluk"),
    ("ik ben van 12 maart 1956", "ik ben van [datum]"),
    ("datum 1956-03-12", "datum [datum]"),
    ("sinds 1 januari 2014 heb ik pijn", "sinds [datum] heb ik pijn"),
    # addresses
    ("ik woon op Kapelsestraat 12", "ik woon op [adres]"),
    ("Naamsestraat 105 bus 3", "[adres]"),
    ("Naamsestraat 105 bus 3, 3000 Leuven", "[adres]"),
    ("Kleiweg 500, 3045PM", "[adres]"),
    ("Kleiweg 500, 3045 PM Rotterdam", "[adres]"),
    ("3045 PM 12", "[adres]"),
    ("postcode 3045 PM, huisnummer 12", "postcode [adres], huisnummer 12"),
    ("3045pm", "[adres]"),
    ("ik woon Kapelsestraat 12, 3045 PM Rotterdam en heb pijn",
     "ik woon [adres] en heb pijn"),
    ("ik woon in de Burgemeester Visserstraat 12a", "ik woon in de [adres]"),
    ("Leuvensesteenweg 20, 3080 Tervuren", "[adres]"),
    ("Grote Markt 1", "[adres]"),
    ("Frankrijklei 5", "[adres]"),
    ("kapelsestraat 12", "[adres]"),
    # names introduced as such
    ("ik ben Jan de Vries", "ik ben [naam]"),
    ("Ik ben Jan de Vries, mijn nummer is 06-12345678", "Ik ben [naam], mijn nummer is [telefoon]"),
    ("Hallo, ik ben Jan en ik heb een vraag", "Hallo, ik ben [naam] en ik heb een vraag"),
    ("ik ben Jan van der Berg", "ik ben [naam]"),
    ("ik ben Anneke in 't Veld", "ik ben [naam]"),
    ("ik ben Piet ter Horst", "ik ben [naam]"),
    ("ik ben Karin van den Broek", "ik ben [naam]"),
    ("ik ben De Smet", "ik ben [naam]"),
    ("ik ben Els Van Damme", "ik ben [naam]"),
    ("ik ben J. de Vries", "ik ben [naam]"),
    ("ik ben Mohammed El Amrani", "ik ben [naam]"),
    ("Ik ben Hedwig", "Ik ben [naam]"),
    ("Ik ben Jan. Ik heb pijn", "Ik ben [naam]. Ik heb pijn"),
    ("Hoi, ik ben Sanne en ik ben 32 weken zwanger", "Hoi, ik ben [naam] en ik ben 32 weken zwanger"),
    ("mijn naam is Anna Janssens", "mijn naam is [naam]"),
    ("Mijn naam is Anna Janssens en ik heb een vraag", "Mijn naam is [naam] en ik heb een vraag"),
    ("mijn naam is anna janssens en ik heb pijn", "mijn naam is [naam] en ik heb pijn"),
    ("mijn naam is jan de vries", "mijn naam is [naam]"),
    ("naam: Jan Jansen", "naam: [naam]"),
    ("ik heet Piet", "ik heet [naam]"),
    ("ik heet piet en ik heb een vraag", "ik heet [naam] en ik heb een vraag"),
    ("met Marleen Peeters, ik heb nog steeds pijn", "met [naam], ik heb nog steeds pijn"),
    ("Met Marleen", "Met [naam]"),
    ("goedemorgen, met Els Van Damme", "goedemorgen, met [naam]"),
    ("hier is Karin", "hier is [naam]"),
    ("hier is Karin van de afdeling", "hier is [naam] van de afdeling"),
    ("dit is Karin", "dit is [naam]"),
    ("u spreekt met Pieter Jansen", "u spreekt met [naam]"),
    ("groetjes, Karin", "groetjes, [naam]"),
    ("Met vriendelijke groet, Jan de Vries", "Met vriendelijke groet, [naam]"),
    ("bij dokter Janssen", "bij dokter [naam]"),
    ("Dag Jan de Vries, waarmee kan ik helpen?", "Dag [naam], waarmee kan ik helpen?"),
    ("Beste Karin,", "Beste [naam],"),
    ("mevrouw Van den Broeck belt terug", "mevrouw [naam] belt terug"),
    # other identifiers
    ("mijn IBAN is NL91 ABNA 0417 1643 00", "mijn IBAN is [iban]"),
    ("BE68539007547034", "[iban]"),
    ("mijn patiëntnummer is 1234567", "mijn patiëntnummer is [patiëntnummer]"),
    ("dossiernummer: A123456", "dossiernummer: [patiëntnummer]"),
]


@pytest.mark.parametrize("text, expected", MASKED)
def test_masks_personal_identifiers(text, expected):
    assert mask(text) == expected


def test_everything_in_one_message():
    text = (
        "Goedemiddag, ik ben Jan de Vries (geboren op 12-03-1956), bsn 111222333, "
        "tel 06-12345678, mail jan@example.nl, adres Kapelsestraat 12, 3045 PM Rotterdam. "
        "Ik ben 38,5 graden en duizelig sinds 24 uur, mag ik mijn 500 mg paracetamol nemen?"
    )
    masked = mask(text)
    for secret in ("Jan", "Vries", "1956", "111222333", "12345678", "jan@example.nl",
                   "Kapelsestraat", "3045", "Rotterdam"):
        assert secret not in masked
    for label in (NAME, BIRTH_DATE, BSN, PHONE, EMAIL, ADDRESS):
        assert label in masked
    assert masked.endswith(
        "Ik ben 38,5 graden en duizelig sinds 24 uur, mag ik mijn 500 mg paracetamol nemen?"
    )


# --------------------------------------------------------------------------- negatives

KEPT = [
    # "ik ben" + clinical state / number / lower-case word / common capitalised word
    "ik ben 38,5 graden",
    "ik ben 39.2 graden en heb koorts",
    "ik ben duizelig",
    "ik ben zwanger",
    "ik ben bang",
    "ik ben al 3 weken ziek",
    "ik ben 45 jaar",
    "ik ben 1,80 m en weeg 85 kg",
    "ik ben jan",  # lower case after "ik ben": never a name (documented limit)
    "ik ben Nederlander",
    "ik ben Belg",
    "Ik ben Marokkaan",
    "ik ben Vlaming",
    "ik ben Getuige van Jehova",
    "ik ben Diabeet",
    "ik ben Allergisch voor jodium",
    "Ik ben Zwanger en Duizelig",
    "IK BEN ZIEK",
    "Ik ben Maandag geopereerd",
    "ik ben Ascal gestopt",
    "Ik ben Xarelto aan het gebruiken",
    "Ik ben de moeder van Jan",
    "ik ben onderweg 10 minuten",
    "ik ben in 2010 geopereerd",
    # durations, doses, measurements, times
    "ik heb 24 uur pijn na 10 minuten",
    "de behandeling duurt 20 - 30 minuten",
    "mag ik 1000 mg paracetamol",
    "mag ik 2000 mg per dag",
    "neem 500mg",
    "ik slik 3x daags 1000 mg",
    "120 mg per 24 uur",
    "ik neem 2x 500 mg paracetamol en 75 mg Ascal",
    "bloeddruk 140/90 en saturatie 95%",
    "INR 2,5",
    "de pijnscore is 7/10",
    "pijn 8 op 10",
    "ik heb om 14.30 een afspraak",
    "om 06.30 - 07.45 - 08.00 uur",
    "tussen 9.00 en 17.00",
    "ik heb 1 tablet 400 mg ibuprofen genomen om 14:00",
    "ik heb om 0900 een afspraak",
    # recent dates (appointments, onset) and bare years
    "afspraak op 12-03-2025 om 10:30",
    "afspraak op 05-06-2023 10:30",
    "afspraak 12 maart om 9 uur",
    "Ik heb een vraag over de facetinfiltratie van 12-03-2025",
    "ik heb rugpijn sinds 2012",
    "in 1956 en 1970",
    # drug names, places, treatments
    "Met Paracetamol mag ik autorijden?",
    "Met Dafalgan kan ik slapen",
    "mag ik Marcoumar of Sintrom blijven nemen?",
    "Dit is Facetinfiltratie toch?",
    "Ik woon in Rotterdam",
    "ik heb 2 kinderen en woon in Leuven",
    "ik was in Rotterdam 2019 voor een operatie",
    "Rotterdam 2 keer per week",
    "na de zenuwblokkade 2 dagen pijn",
    "Mag ik na de prik in mijn nek autorijden?",
    "ik heb een allergie voor Latex",
    "Hoe lang duurt dry needling?",
    # greetings without a name
    "Hallo, ik heb een vraag",
    "Hoi Bot hoe gaat het",
    "Dag Dokter,",
    "Goedemorgen Franciscus Gasthuis,",
    "Dag 3 na de behandeling",
    # the emergency number and short numbers
    "bel 112",
    "moet ik 112 bellen?",
    "is 2015 en",
    # not required: a name that is not introduced
    "mijn vader Henk",
    "Kan Pieter mij ophalen na de ingreep?",
    # invalid check digits and too short / too long numbers
    "ordernummer 987654321",
    "85073003329",
    "12345678",
    "0612345",
    "",
]


@pytest.mark.parametrize("text", KEPT)
def test_keeps_clinical_and_harmless_text(text):
    assert mask(text) == text
    assert not contains_pii(text)


def test_non_strings_pass_through():
    assert mask(None) is None
    assert mask("") == ""


# --------------------------------------------------------------------------- checks


@pytest.mark.parametrize("number, valid", [
    ("111222333", True), ("123456782", True), ("1234.56.782", True),
    ("123456789", False), ("000000000", False), ("12345678", False),
])
def test_bsn_11_proef(number, valid):
    assert bsn_is_valid(number) is valid


@pytest.mark.parametrize("number, valid", [
    ("85.07.30-033.28", True), ("85073003328", True), ("01.02.03-005.66", True),
    ("85.07.30-033.29", False), ("85.13.30-033.28", False), ("1234567890", False),
])
def test_rijksregisternummer_mod_97(number, valid):
    assert rrn_is_valid(number) is valid


@pytest.mark.parametrize("number, valid", [
    ("NL91 ABNA 0417 1643 00", True), ("BE68539007547034", True), ("NL91ABNA0417164301", False),
])
def test_iban_check(number, valid):
    assert iban_is_valid(number) is valid


def test_spans_are_ordered_and_labelled():
    text = "ik ben Jan, 06-12345678, geboren op 1-2-1950"
    spans = find_spans(text)
    assert [s.label for s in spans] == [NAME, PHONE, BIRTH_DATE]
    assert [text[s.start:s.end] for s in spans] == ["Jan", "06-12345678", "1-2-1950"]


def test_labels_are_all_distinct_words():
    assert len({PHONE, EMAIL, BSN, RRN, IBAN, PATIENT_NUMBER, BIRTH_DATE, DATE, ADDRESS, NAME}) == 10


def test_masking_is_idempotent():
    for text, expected in MASKED:
        assert mask(expected) == expected


# --------------------------------------------------------------------------- events


def _user_event(text, entities=()):
    return {
        "event": "user",
        "timestamp": 1700000000.0,
        "metadata": {},
        "text": text,
        "parse_data": {
            "intent": {"name": "ask_contact", "confidence": 0.91},
            "entities": list(entities),
            "text": text,
            "message_id": "m1",
            "metadata": {},
            "intent_ranking": [{"name": "ask_contact", "confidence": 0.91}],
        },
        "input_channel": "rest",
        "message_id": "m1",
    }


def test_mask_event_masks_user_text_parse_data_and_entities():
    text = "ik ben Jan de Vries en neem Xarelto, bel 06-12345678"
    med = text.index("Xarelto")
    event = _user_event(text, [
        {"entity": "medication", "value": "xarelto", "start": med, "end": med + 7},
        {"entity": "person", "value": "Jan de Vries", "start": 7, "end": 19},
        {"entity": "phone", "value": "06-12345678", "start": text.index("06"), "end": len(text)},
        {"entity": "person", "value": "Jan"},  # no offsets: found inside the masked name
        {"entity": "phone", "value": "+32 470 12 34 56"},  # no offsets, masked on its own
    ])
    original = copy.deepcopy(event)

    masked = mask_event(event)

    assert event == original  # the input is not changed
    assert masked["text"] == "ik ben [naam] en neem Xarelto, bel [telefoon]"
    assert masked["parse_data"]["text"] == masked["text"]
    entities = masked["parse_data"]["entities"]
    assert [e["value"] for e in entities] == ["xarelto", NAME, PHONE, NAME, PHONE]
    # offsets point into the masked text
    for entity in entities[:3]:
        assert masked["text"][entity["start"]:entity["end"]] in ("Xarelto", NAME, PHONE)
    # everything that is not personal is kept
    assert masked["parse_data"]["intent"] == original["parse_data"]["intent"]
    assert masked["timestamp"] == original["timestamp"]
    assert masked["message_id"] == "m1"


def test_mask_event_masks_bot_text_and_slot_values():
    bot = {"event": "bot", "timestamp": 1.0, "text": "Dank u, mevrouw Peeters. Bel gerust 010-4616674.",
           "data": {}, "metadata": {"utter_action": "utter_contact"}}
    assert mask_event(bot)["text"] == "Dank u, mevrouw [naam]. Bel gerust [telefoon]."
    slot = {"event": "slot", "timestamp": 1.0, "name": "callback", "value": "06-12345678"}
    assert mask_event(slot)["value"] == PHONE
    harmless = {"event": "slot", "timestamp": 1.0, "name": "location", "value": "heilig_hart_leuven"}
    assert mask_event(harmless) == harmless


def test_mask_event_leaves_other_events_and_clean_messages_alone():
    action = {"event": "action", "timestamp": 1.0, "name": "action_listen", "policy": None,
              "confidence": None, "action_text": None, "hide_rule_turn": False}
    assert mask_event(action) == action
    clean = _user_event("ik ben duizelig na de facetinfiltratie")
    assert mask_event(clean) == clean
    no_text = _user_event(None)
    assert mask_event(no_text)["text"] is None


def _training_examples():
    import glob
    import re

    import yaml

    for path in sorted(glob.glob(str(_ROOT / "data" / "nlu" / "*.yml"))):
        for item in (yaml.safe_load(open(path, encoding="utf-8")) or {}).get("nlu") or []:
            for line in (item.get("examples") or "").splitlines():
                line = re.sub(r"^\s*-\s*", "", line).strip()
                # [text](entity) / [text]{"entity": ...} annotations -> text
                line = re.sub(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})", r"\1", line)
                if line:
                    yield item.get("intent"), line


def test_no_training_example_is_masked():
    """The patient questions the assistant is trained on contain nothing personal:
    anything masked there is a false positive (or personal data in the training set)."""
    examples = list(_training_examples())
    assert len(examples) > 500
    changed = [(intent, text, mask(text)) for intent, text in examples if mask(text) != text]
    assert changed == []
