"""End to end: the trained bot over real HTTP (REST channel), action server included."""
import statistics
import time

import yaml

from qa.launcher import ROOT, texts

CLINICS = yaml.safe_load((ROOT / "config" / "clinics.yml").read_text(encoding="utf-8"))


def phones() -> dict:
    return {line["id"]: line["phone"] for line in CLINICS["lines"]}


def test_greeting_says_what_it_is(assistant):
    reply = texts(assistant.say("e2e-greet", "Hallo"))
    assert "advies" in reply and "112" in reply


def test_driving_after_triggerpoint_injection(assistant):
    reply = texts(assistant.say("e2e-tpi", "Mag ik na de triggerpoint injectie zelf naar huis rijden?"))
    assert "Bron:" in reply
    assert "rijden" in reply or "auto" in reply
    assert "24 uur" not in reply  # that is the facet rule


def test_unknown_treatment_asks_then_answers_and_switches(assistant):
    sender = "e2e-flow"
    first = assistant.say(sender, "mag ik daarna zelf autorijden?")
    buttons = [b for r in first for b in r.get("buttons", [])]
    # only the treatments whose leaflet answers the question are offered: driving is in
    # the triggerpoint injectie and facet leaflets, not in those of the therapies
    offered = {b["payload"].split('"treatment":"')[1].split('"')[0] for b in buttons}
    assert offered == {"triggerpoint_injectie", "facetinfiltratie", "facetdenervatie"}
    facet = next(b for b in buttons if "facetinfiltratie" in b["payload"])
    answer = texts(assistant.say(sender, facet["payload"]))
    assert "24 uur" in answer
    switched = texts(assistant.say(sender, "en bij dry needling?"))
    assert "24 uur" not in switched and "dry needling" in switched.lower()


def test_red_flag_gets_the_right_line_at_once(assistant):
    reply = assistant.say("e2e-red", "Ik heb koorts sinds mijn facetinfiltratie")
    text = texts(reply)
    assert phones()["heilig_hart_leuven"] in text
    assert "nu open" in text or "nu gesloten" in text  # the live status, not the fail-safe
    assert not reply[0].get("buttons")  # a number first, never a question first


def test_negated_fever_is_not_an_alarm(assistant):
    text = texts(assistant.say("e2e-neg", "Ik heb géén koorts, mag ik na de facetinfiltratie autorijden?"))
    assert "24 uur" in text
    assert phones()["heilig_hart_leuven"] not in text


def test_english_is_answered_in_both_languages(assistant):
    text = texts(assistant.say("e2e-en", "Hello, can I drive home after the injection?"))
    assert "Dutch" in text or "English" in text
    assert "Nederlands" in text


def test_reply_latency_is_recorded(assistant):
    """Not a timing assertion: prints the median so the README figure is reproducible."""
    samples = []
    for i in range(15):
        t0 = time.perf_counter()
        assistant.say(f"e2e-latency-{i}", "Hoe lang duurt een facetdenervatie?")
        samples.append(time.perf_counter() - t0)
    print(f"\nmedian reply latency over REST: {statistics.median(samples) * 1000:.0f} ms; "
          f"start-up {assistant.started_in:.1f} s")


def test_naming_the_treatment_after_a_red_flag_keeps_the_urgency(assistant):
    sender = "e2e-narrow"
    first = assistant.say(sender, "ik kan sinds gisteren mijn plas niet meer ophouden")
    text = texts(first)
    assert all(phone in text for phone in phones().values())  # every line, no question first
    buttons = [b for r in first for b in r.get("buttons", [])]
    denervatie = next(b for b in buttons if "facetdenervatie" in b["payload"])
    narrowed = texts(assistant.say(sender, denervatie["payload"]))
    assert "spoed" in narrowed and phones()["heilig_hart_leuven"] in narrowed
    assert phones()["franciscus_gasthuis"] not in narrowed


def test_a_statement_naming_treatment_and_hospital_is_confirmed(assistant):
    text = texts(assistant.say(
        "e2e-statement", "goeiedag, ik krijg volgende week een prik in mijn spier in het gasthuis"))
    assert "triggerpoint injectie" in text
    assert "Sorry, dat begrijp ik niet" not in text
