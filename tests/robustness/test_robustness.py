"""Robustness of the REST webhook (addons/channels/rest.py, docs/robustness.md).

Bad input is answered politely or refused with a 4xx and a short JSON error, never a
5xx; the conversation always continues afterwards; concurrent conversations never see
each other's answers. Runs against the real servers (qa.launcher).
"""
from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import yaml

from actions.lib.vocabulary import TREATMENT_LABELS
from addons.channels.rest import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    MAX_SENDER_CHARS,
    clean_text,
)
from qa.launcher import ROOT, Assistant, texts

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES = DOMAIN["responses"]

# Small Dutch function words: a reply with several of them is Dutch.
DUTCH_WORDS = {"de", "het", "een", "je", "ik", "niet", "dat", "van", "bij", "is", "en", "of",
               "je", "kun", "mag", "over", "naar", "met", "voor", "gaat", "wil"}
# Generous: the stock channel needed more than 300 s for 100 000 emoji.
LONG_MESSAGE_SECONDS = 10


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    assistant = Assistant(tmp_path_factory.mktemp("robustness")).start()
    # First answers load lazy parts (spaCy, the triage code); keep that out of timings.
    assistant.say("rob-warm-up", "Hallo", timeout=120)
    assistant.say("rob-warm-up", "Ik heb koorts sinds de infiltratie", timeout=120)
    yield assistant
    assistant.stop()


def post(bot: Assistant, timeout: float = 120, **kwargs) -> requests.Response:
    return requests.post(f"{bot.url}/webhooks/rest/webhook", timeout=timeout, **kwargs)


_BASELINE: dict = {}


def first_line(text: str) -> str:
    """The first line of a reply: what a treatment's answer starts with (without the
    live opening status, which changes with the clock)."""
    return text.strip().splitlines()[0] if text.strip() else ""


def baseline(bot: Assistant, treatment: str, question: str) -> str:
    """What the assistant answers to `question` in a quiet, fresh conversation about
    `treatment` (asked once, one at a time): the answer a busy server must give too."""
    key = (treatment, question)
    if key not in _BASELINE:
        sender = f"rob-base-{abs(hash(key))}"
        bot.say(sender, f"Het gaat om {TREATMENT_LABELS[treatment]}")
        _BASELINE[key] = first_line(texts(bot.say(sender, question)))
    return _BASELINE[key]


def marker(response_name: str) -> str:
    """The first line of a domain response up to its first placeholder."""
    first = RESPONSES[response_name][0]["text"].strip().splitlines()[0]
    return first.split("{", 1)[0].strip()


def duration_marker(bot: Assistant, treatment: str) -> str:
    return baseline(bot, treatment, "Hoe lang duurt het?")


def assert_polite_dutch(replies: list, sender: str) -> None:
    assert replies, "no answer at all"
    for reply in replies:
        assert reply.get("recipient_id") == sender
        text = reply.get("text") or ""
        assert text.strip(), f"reply without text: {reply}"
        assert not re.search(r"<\s*/?\s*[a-z]", text, re.I), f"markup in a reply: {text!r}"
        assert not re.search(r"traceback|exception|internal server error", text, re.I)
    words = set(re.findall(r"[a-zà-ÿ]+", texts(replies).lower()))
    assert len(words & DUTCH_WORDS) >= 3, f"not Dutch: {texts(replies)!r}"


def name_treatment(bot: Assistant, sender: str, treatment: str) -> None:
    reply = texts(bot.say(sender, f"Het gaat om {TREATMENT_LABELS[treatment]}"))
    assert TREATMENT_LABELS[treatment] in reply


def assert_conversation_continues(bot: Assistant, sender: str, treatment: str) -> None:
    """The treatment named before the bad input is still known: the conversation is intact."""
    expected = duration_marker(bot, treatment)
    reply = texts(bot.say(sender, "Hoe lang duurt het?"))
    assert expected and expected in reply, reply


# --------------------------------------------------------------------------- answered

ANSWERED = {
    "empty": "",
    "whitespace": "   \n\t  ",
    "nbsp_only": "\u00a0\u2003\u00a0",
    "zero_width_only": "\u200b\u200b",
    "punctuation_only": "?!...",
    "emoji_only": "😀🙏🏽👍❤️‍🔥",
    "arabic_dutch": "مرحبا، ik heb een vraag: hoe gaat de behandeling?",
    "chinese_dutch": "你好！Mag ik na de behandeling zelf autorijden? 谢谢",
    "cyrillic_dutch": "Привет, doet de behandeling pijn? спасибо",
    "all_scripts": "مرحبا 你好 привет שלום γεια नमस्ते",
    "html_script": "<script>alert('x')</script><b>Hallo</b> <img src=x onerror=alert(1)>",
    "html_question": "<p>Hoe verloopt de behandeling?</p><script>document.cookie</script>",
    "control_chars": "hallo\x00\x07\x1b[31m wat moet ik thuis doen?",
    "long_100k_words": "pijn " * 20_000,
    "long_100k_one_word": "a" * 100_000,
    "long_100k_emoji": "😀" * 100_000,
    "long_100k_mixed": ("مرحبا 你好 привет hoe lang duurt het " * 4_000)[:100_000],
}


@pytest.mark.parametrize("case", sorted(ANSWERED))
def test_bad_text_gets_a_polite_dutch_answer_and_the_conversation_continues(bot, case):
    sender, treatment = f"rob-{case}", "facetdenervatie"
    name_treatment(bot, sender, treatment)
    t0 = time.perf_counter()
    r = post(bot, json={"sender": sender, "message": ANSWERED[case]})
    seconds = time.perf_counter() - t0
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("application/json")
    assert "<script" not in r.text.lower() and "<b>" not in r.text.lower()
    assert_polite_dutch(r.json(), sender)
    assert seconds < LONG_MESSAGE_SECONDS, f"{case}: {seconds:.1f} s"
    assert_conversation_continues(bot, sender, treatment)


def test_empty_message_is_answered_by_the_bot_as_not_understood(bot):
    reply = texts(bot.say("rob-empty-answer", ""))
    assert marker("utter_nonsense") in reply


def test_long_message_is_cut_and_its_beginning_is_answered(bot):
    question = "Hoe lang duurt een facetinfiltratie?"
    reply = texts(bot.say("rob-long-question", question + " " * 100_000))
    assert duration_marker(bot, "facetinfiltratie") in reply


def test_text_after_the_limit_is_not_read(bot):
    question = "Hoe lang duurt een facetinfiltratie?"
    reply = texts(bot.say("rob-late-question", "\n" * MAX_MESSAGE_CHARS + question))
    assert marker("utter_nonsense") in reply  # only whitespace was left: not understood


def test_red_flag_at_the_start_of_a_long_message_still_alarms(bot):
    reply = bot.say("rob-long-red", "Ik heb koorts sinds de infiltratie. " + "bla " * 25_000)
    assert "Koorts" in texts(reply)
    assert not reply[0].get("buttons")


def test_red_flag_late_in_a_long_message_is_not_cut_off(bot):
    """The safety rules' promise: an alarm sign beyond the analysed part is never dropped."""
    text = "bla " * 12_500 + "Ik heb koorts sinds de infiltratie. " + "bla " * 12_500
    reply = bot.say("rob-late-red", text)
    assert "Koorts" in texts(reply)
    assert not reply[0].get("buttons")


def test_html_is_returned_as_json_text_never_echoed(bot):
    r = post(bot, json={"sender": "rob-html-echo", "message": "<h1>Test</h1><script>x()</script>"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert "<h1>" not in r.text and "<script>" not in r.text


# --------------------------------------------------------------------------- refused

def test_malformed_json_is_400_and_the_sender_can_go_on(bot):
    sender = "rob-malformed"
    name_treatment(bot, sender, "triggerpoint_injectie")
    r = post(bot, data=b'{"sender": "rob-malformed", "message": "hallo', 
             headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_json"
    assert_conversation_continues(bot, sender, "triggerpoint_injectie")


REFUSED = {
    # name: (request kwargs, status, error code)
    "empty_body": (dict(data=b"", headers={"Content-Type": "application/json"}), 400,
                   "invalid_json"),
    "not_json": (dict(data=b"hallo", headers={"Content-Type": "application/json"}), 400,
                 "invalid_json"),
    "not_utf8": (dict(data=b'{"sender": "x", "message": "\xff\xfe"}',
                      headers={"Content-Type": "application/json"}), 400, "invalid_json"),
    "deeply_nested": (dict(data=b"[" * 100_000 + b"]" * 100_000,
                           headers={"Content-Type": "application/json"}), 400, "invalid_json"),
    "json_array": (dict(json=[{"sender": "x", "message": "hallo"}]), 400, "invalid_body"),
    "json_string": (dict(json="hallo"), 400, "invalid_body"),
    "text_plain": (dict(data=b'{"sender": "x", "message": "hallo"}',
                        headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type"),
    "form_data": (dict(data={"sender": "x", "message": "hallo"}), 415, "unsupported_media_type"),
    "multipart": (dict(files={"message": ("m.txt", b"hallo")}, data={"sender": "x"}), 415,
                  "unsupported_media_type"),
    "no_content_type": (dict(data=b'{"sender": "x", "message": "hallo"}',
                             headers={"Content-Type": ""}), 415, "unsupported_media_type"),
    "missing_message": (dict(json={"sender": "x"}), 400, "invalid_message"),
    "null_message": (dict(json={"sender": "x", "message": None}), 400, "invalid_message"),
    "number_message": (dict(json={"sender": "x", "message": 42}), 400, "invalid_message"),
    "object_message": (dict(json={"sender": "x", "message": {"text": "hallo"}}), 400,
                       "invalid_message"),
    "missing_sender": (dict(json={"message": "hallo"}), 400, "invalid_sender"),
    "empty_sender": (dict(json={"sender": "  ", "message": "hallo"}), 400, "invalid_sender"),
    "list_sender": (dict(json={"sender": ["x"], "message": "hallo"}), 400, "invalid_sender"),
    "long_sender": (dict(json={"sender": "x" * (MAX_SENDER_CHARS + 1), "message": "hallo"}),
                    400, "invalid_sender"),
    "control_sender": (dict(json={"sender": "x\x00y", "message": "hallo"}), 400,
                       "invalid_sender"),
    "bad_metadata": (dict(json={"sender": "x", "message": "hallo", "metadata": [1]}), 400,
                     "invalid_metadata"),
    "too_large": (dict(data=b'{"sender": "x", "message": "' + b"a" * MAX_BODY_BYTES + b'"}',
                       headers={"Content-Type": "application/json"}), 413, "body_too_large"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_request_is_refused_with_a_short_json_error(bot, case):
    kwargs, status, code = REFUSED[case]
    r = post(bot, **kwargs)
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["error"] == code and body["message"]
    assert len(r.content) < 500


def test_wrong_method_is_405_json(bot):
    r = requests.get(f"{bot.url}/webhooks/rest/webhook", timeout=30)
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
    assert requests.get(f"{bot.url}/webhooks/rest/", timeout=30).json() == {"status": "ok"}


def test_refused_requests_leave_the_conversation_intact(bot):
    sender = "rob-after-refusals"
    name_treatment(bot, sender, "facetinfiltratie")
    for payload in ({"sender": sender}, {"sender": sender, "message": None},
                    {"sender": sender, "message": 5}, {"sender": sender, "metadata": "x"}):
        assert post(bot, json=payload).status_code == 400
    assert post(bot, data=json.dumps({"sender": sender, "message": "hoi"}),
                headers={"Content-Type": "text/plain"}).status_code == 415
    assert_conversation_continues(bot, sender, "facetinfiltratie")


def test_numeric_sender_and_charset_are_accepted(bot):
    r = post(bot, data=json.dumps({"sender": 31612345678, "message": "Hallo"}).encode(),
             headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200
    assert_polite_dutch(r.json(), "31612345678")


# --------------------------------------------------------------------------- cleaning (pure)

def test_clean_text_cuts_at_the_documented_limit():
    assert MAX_MESSAGE_CHARS == 2000
    text, cut = clean_text("x" * 100_000)
    assert cut and len(text) == MAX_MESSAGE_CHARS
    text, cut = clean_text("y" * MAX_MESSAGE_CHARS)
    assert not cut and len(text) == MAX_MESSAGE_CHARS


def test_clean_text_keeps_alarm_passages_from_the_cut_part():
    from actions.lib.red_flags import assess

    late = "x " * 5_000 + "de prikplek is ontstoken. " + "y " * 5_000 + "ik ben flauwgevallen " + "z " * 20_000
    text, cut = clean_text(late)
    assert cut and len(text) <= MAX_MESSAGE_CHARS
    assert "ontstoken" in text and "flauwgevallen" in text
    assert assess(text).level == "emergency"
    negated, _ = clean_text("bla " * 12_500 + "ik heb geen koorts. " + "bla " * 12_500)
    assert "koorts" not in negated  # a negated sign is no alarm: nothing kept
    edge, _ = clean_text("q" * (MAX_MESSAGE_CHARS - 5) + " koorts " + "r" * 3_000)
    assert "koorts" in edge and len(edge) <= MAX_MESSAGE_CHARS


def test_clean_text_removes_control_characters_and_lone_surrogates():
    assert clean_text("a\x00b\x1bc\td\ne")[0] == "ab" + "c\td\ne"
    assert clean_text("\ud800 hoi")[0] == "? hoi"
    assert clean_text("<b>hallo</b> 😀")[0] == "<b>hallo</b> 😀"  # text stays text


# --------------------------------------------------------------------------- concurrency

TREATMENTS = list(TREATMENT_LABELS)
# Leaflet questions whose answers differ per treatment (checked below).
QUESTIONS = {
    "what_is_treatment": "Wat houdt de behandeling precies in?",
    "indication": "Voor welke klachten is deze behandeling bedoeld?",
    "procedure": "Hoe verloopt de behandeling?",
    "aftercare": "Wat moet ik thuis doen na de behandeling?",
    "duration": "Hoe lang duurt de behandeling?",
    "effect_onset": "Wanneer merk ik iets van het effect?",
    "does_it_hurt": "Doet het pijn?",
    "effect_duration": "Hoe lang blijft het effect?",
    "after_pain": "Heb ik daarna nog last van pijn?",
}
CONVERSATIONS = 20
MESSAGES_PER_CONVERSATION = 10  # the treatment, then the nine questions


def conversation_plan(i: int) -> tuple[str, list[str]]:
    """Conversation i: its treatment and its own fixed order of messages."""
    treatment = TREATMENTS[i % len(TREATMENTS)]
    topics = list(QUESTIONS)
    shift = i % len(topics)
    order = topics[shift:] + topics[:shift]
    if i >= len(topics):
        order.reverse()
    return treatment, [f"Het gaat om {TREATMENT_LABELS[treatment]}"] + [QUESTIONS[t] for t in order]


def expected_reply(bot: Assistant, treatment: str, message: str) -> str:
    if message.startswith("Het gaat om"):
        return f"ik onthoud dat het over {TREATMENT_LABELS[treatment]} gaat"
    return baseline(bot, treatment, message)


def test_plans_are_distinct():
    plans = [conversation_plan(i) for i in range(CONVERSATIONS)]
    assert len({tuple(steps) for _, steps in plans}) == CONVERSATIONS


def test_answers_differ_per_treatment_so_a_mix_up_would_show(bot):
    for question in QUESTIONS.values():
        answers = {baseline(bot, t, question) for t in TREATMENTS}
        assert len(answers) >= len(TREATMENTS) - 1, (question, answers)


def test_concurrent_conversations_get_exactly_their_own_answers_in_order(bot):
    run = f"rob-conc-{int(time.time())}"

    plans = [conversation_plan(i) for i in range(CONVERSATIONS)]
    expected = [[expected_reply(bot, t, m) for m in steps] for t, steps in plans]

    def converse(i: int) -> list[tuple[str, list[dict]]]:
        sender = f"{run}-{i:02d}"
        _, steps = plans[i]
        with requests.Session() as session:
            out = []
            for message in steps:
                r = session.post(f"{bot.url}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": message}, timeout=120)
                assert r.status_code == 200, r.text[:300]
                out.append((sender, r.json()))
            return out

    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        results = list(pool.map(converse, range(CONVERSATIONS)))

    total = sum(len(r) for r in results)
    assert total == CONVERSATIONS * MESSAGES_PER_CONVERSATION == 200
    problems = []
    for i, exchanges in enumerate(results):
        treatment, steps = plans[i]
        for k, ((sender, replies), message, want) in enumerate(zip(exchanges, steps, expected[i])):
            got = texts(replies)
            if any(r.get("recipient_id") != sender for r in replies):
                problems.append(f"conversation {i} message {k}: reply for another sender")
            if want not in got:
                problems.append(f"conversation {i} ({treatment}) message {k} {message!r}: "
                                f"expected {want!r}, got {got[:120]!r}")
    assert not problems, "\n".join(problems)
