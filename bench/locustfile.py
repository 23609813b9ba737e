"""Simulated patients for the load benchmark (scripts/bench.py, docs/benchmark.md).

``Patient`` (the assistant): every Locust user is one patient at a time: it picks a
conversation from ``SCENARIOS`` (weighted like a realistic mix), sends its messages one by
one over the REST webhook and pauses ``BENCH_WAIT`` seconds (default 0.5) after every
answer, a quick typist. Each conversation has its own sender id
(``bench-<run>-<user>-<n>``), so no two simulated patients ever share one; after a
conversation the user starts a new one as a new patient.

``StockPatient`` (the stock ``rasa init`` bot, same run, same load): the same choice of
scenario, so the same number of turns per conversation and the same pauses, but each turn
is one of the stock bot's own English greet / mood / affirm / bot-challenge / goodbye
messages.

A request counts as an error when the status is not 200, the body is not a JSON list of
replies with text, the bot did not answer at all, or an expected phrase is missing (for
example "24 uur" for driving after a facet treatment, a phone number first for a red
flag).

Run it through ``scripts/bench.py``; by hand::

    .venv/bin/locust -f bench/locustfile.py --headless -u 10 -r 10 -t 60s \\
        --host http://127.0.0.1:5005

Environment:
    BENCH_RUN_ID     prefix for sender ids (default: the start time)
    BENCH_SAMPLES    if set, a file to which every request's latency (ms) and outcome is
                     written as JSON lines when Locust quits (bench.py computes exact
                     percentiles from it)
    BENCH_WAIT       seconds a patient pauses after each answer (default 0.5)
    BENCH_HOSTS      comma-separated base URLs: each message goes to one of them at
                     random (several Rasa processes on one store, like a least_conn
                     balancer); default: --host
"""
from __future__ import annotations

import itertools
import json
import os
import random
import time
from typing import List, Optional, Sequence, Tuple

from locust import HttpUser, constant, events, task

WEBHOOK = "/webhooks/rest/webhook"
RUN_ID = os.environ.get("BENCH_RUN_ID") or time.strftime("%H%M%S")
WAIT = float(os.environ.get("BENCH_WAIT") or 0.5)
HOSTS = [h.strip().rstrip("/") for h in (os.environ.get("BENCH_HOSTS") or "").split(",")
         if h.strip()]
PICK_A_BUTTON = object()  # "the patient taps one of the treatment buttons"

# A step: (request name for the statistics, message, phrase expected in the reply or None)
Step = Tuple[str, object, Optional[str]]

QUESTIONS_WITH_TREATMENT: Sequence[Tuple[str, Optional[str]]] = (
    ("Mag ik na de facetinfiltratie zelf naar huis rijden?", "24 uur"),
    ("Hoe lang duurt een facetdenervatie?", "40 minuten"),
    ("Hoe lang duurt een triggerpoint injectie?", "10 minuten"),
    ("Doet dry needling pijn?", None),
    ("Wat is triggerpointtherapie precies?", "triggerpoint"),
    ("Moet ik nuchter zijn voor de facetinfiltratie?", "nuchter"),
    ("Mag ik mijn bloedverdunners blijven nemen voor de facetdenervatie?", None),
    ("Wat wordt er ingespoten bij een triggerpoint injectie?", None),
    ("Hoe snel merk ik iets van de facetinfiltratie?", None),
    ("Wat moet ik thuis doen na dry needling?", None),
)
QUESTIONS_WITHOUT_TREATMENT: Sequence[str] = (
    "Hoe lang duurt de behandeling?",
    "Mag ik daarna zelf autorijden?",
    "Doet het pijn?",
    "Hoe verloopt de behandeling?",
    "Wat moet ik thuis doen na de behandeling?",
)
FOLLOW_UPS: Sequence[str] = (
    "Doet het pijn?",
    "Hoe lang duurt het?",
    "Mag ik daarna autorijden?",
    "Wat moet ik thuis doen?",
    "Wanneer merk ik iets van het effect?",
)
TREATMENT_MENTIONS: Sequence[Tuple[str, str]] = (
    ("Ik krijg binnenkort een triggerpoint injectie", "triggerpoint injectie"),
    ("Het gaat om dry needling", "dry needling"),
    ("Ik heb volgende week een facetinfiltratie", "facetinfiltratie"),
    ("Bij mij wordt een facetdenervatie gedaan", "facetdenervatie"),
    ("Ik krijg triggerpointtherapie", "triggerpointtherapie"),
)
RED_FLAGS: Sequence[str] = (
    "ik heb koorts sinds de infiltratie",
    "Sinds de triggerpoint injectie is de prikplek rood en warm en ik heb 38,5",
    "Mijn been voelt steeds slapper sinds de facetdenervatie",
)
OUT_OF_SCOPE: Sequence[str] = (
    "Wat voor weer wordt het morgen?",
    "Hoeveel paracetamol mag ik per dag nemen?",
    "Kun je mijn bloeduitslagen uitleggen?",
)
GREETINGS: Sequence[str] = ("Hallo", "Goedemorgen", "Hoi, ik heb een vraag")
THANKS: Sequence[str] = ("Dank je wel!", "Oké, bedankt", "Top, dank je")


def greeting_then_question() -> List[Step]:
    question, expected = random.choice(QUESTIONS_WITH_TREATMENT)
    return [("greeting", random.choice(GREETINGS), None),
            ("question with treatment", question, expected),
            ("thanks", random.choice(THANKS), None)]


def question_with_treatment() -> List[Step]:
    first, second = random.sample(list(QUESTIONS_WITH_TREATMENT), 2)
    return [("question with treatment", *first), ("question with treatment", *second)]


def question_without_treatment() -> List[Step]:
    return [("question without treatment", random.choice(QUESTIONS_WITHOUT_TREATMENT),
             "Over welke behandeling"),
            ("treatment button", PICK_A_BUTTON, None)]


def follow_ups() -> List[Step]:
    mention, label = random.choice(TREATMENT_MENTIONS)
    questions = random.sample(list(FOLLOW_UPS), 3)
    return [("names treatment", mention, label)] + [
        ("follow-up", q, None) for q in questions
    ]


def switch_treatment() -> List[Step]:
    return [("question with treatment",
             "Mag ik na de facetinfiltratie zelf naar huis rijden?", "24 uur"),
            ("switch", "en bij dry needling?", "dry needling"),
            ("switch", "en bij een triggerpoint injectie?", None)]


def red_flag() -> List[Step]:
    return [("red flag", random.choice(RED_FLAGS), None),
            ("after red flag", "Wie moet ik bellen?", None)]


def out_of_scope() -> List[Step]:
    return [("out of scope", random.choice(OUT_OF_SCOPE), None),
            ("thanks", random.choice(THANKS), None)]


def greeting_goodbye() -> List[Step]:
    return [("greeting", random.choice(GREETINGS), None),
            ("capabilities", "Wat kun je allemaal?", None),
            ("goodbye", "Doei", None)]


# (weight, conversation)
SCENARIOS = (
    (4, question_with_treatment),
    (3, greeting_then_question),
    (3, question_without_treatment),
    (3, follow_ups),
    (2, switch_treatment),
    (1, red_flag),
    (1, out_of_scope),
    (1, greeting_goodbye),
)

_user_numbers = itertools.count(1)
_samples: List[dict] = []


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception=None, **kwargs):
    _samples.append({"name": name, "ms": response_time, "ok": exception is None})


@events.quitting.add_listener
def _dump(environment, **kwargs):
    path = os.environ.get("BENCH_SAMPLES")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            for sample in _samples:
                f.write(json.dumps(sample) + "\n")


# The stock bot's own conversations (its data/stories.yml and nlu.yml), as many turns as
# the assistant's scenario would have had.
STOCK_PATHS: Sequence[Sequence[str]] = (
    ("hello", "I am feeling great", "are you a bot?", "bye"),
    ("hi", "I am sad", "yes", "goodbye"),
    ("good morning", "my day was horrible", "no", "see you later"),
    ("hey there", "amazing", "am I talking to a bot?", "bye bye"),
)


def stock_steps(turns: int) -> List[Step]:
    path = random.choice(STOCK_PATHS)
    return [(f"stock {i + 1}", path[i % len(path)], None) for i in range(turns)]


def webhook() -> str:
    return f"{random.choice(HOSTS)}{WEBHOOK}" if HOSTS else WEBHOOK


class _Conversing(HttpUser):
    abstract = True
    wait_time = constant(WAIT)

    def on_start(self) -> None:
        self.number = next(_user_numbers)
        self.conversations = 0

    def send(self, sender: str, name: str, message: str,
             expected: Optional[str]) -> Optional[list]:
        with self.client.post(webhook(), json={"sender": sender, "message": message},
                              name=name, catch_response=True, timeout=60) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")
                return None
            try:
                replies = r.json()
            except ValueError:
                r.failure("not JSON")
                return None
            if not isinstance(replies, list) or not replies:
                r.failure("no answer")
                return None
            text = "\n".join(str(x.get("text") or "") for x in replies)
            if not text.strip():
                r.failure("answer without text")
            elif any(x.get("recipient_id") != sender for x in replies):
                r.failure("answer for another conversation")
            elif expected and expected.lower() not in text.lower():
                r.failure(f"expected {expected!r}")
            elif name == "red flag" and replies[0].get("buttons"):
                r.failure("red flag answered with a question first")
            else:
                r.success()
            return replies


class Patient(_Conversing):
    """A patient of the assistant (the scenarios above)."""

    @task
    def converse(self) -> None:
        self.conversations += 1
        sender = f"bench-{RUN_ID}-{self.number}-{self.conversations}"
        weights, makers = zip(*SCENARIOS)
        steps = random.choices(makers, weights=weights)[0]()
        replies: list = []
        for i, (name, message, expected) in enumerate(steps):
            if i:
                self.wait()  # the patient reads the answer and types the next message
            if message is PICK_A_BUTTON:
                buttons = [b for r in replies for b in r.get("buttons") or []]
                if not buttons:
                    return  # already counted as an error on the previous step
                message = random.choice(buttons)["payload"]
            replies = self.send(sender, name, message, expected)
            if replies is None:
                return


class StockPatient(_Conversing):
    """The same scenarios' number of turns and pauses, with the stock bot's messages."""

    @task
    def converse(self) -> None:
        self.conversations += 1
        sender = f"stock-{RUN_ID}-{self.number}-{self.conversations}"
        weights, makers = zip(*SCENARIOS)
        turns = len(random.choices(makers, weights=weights)[0]())
        for i, (name, message, expected) in enumerate(stock_steps(turns)):
            if i:
                self.wait()
            if self.send(sender, name, message, expected) is None:
                return
