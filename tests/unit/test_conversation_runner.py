"""The staff conversation tests fail when they should (issue 11): against a bot that
always gives one polite non-answer, and against a bot whose replies arrive one turn
late. A tiny fake REST bot stands in for the assistant; `qa.conversations` runs over
HTTP against its URL exactly as it does against a deployment."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from qa import conversations

TESTS = """
- test: Autorijden na een facetinfiltratie
  steps:
    - patient: Mag ik na de facetinfiltratie zelf naar huis rijden?
      bot_says: ["24 uur"]
    - patient: Hoe lang duurt een facetdenervatie?
      bot_says: ["40 minuten"]
- test: Knop kiezen
  steps:
    - patient: Hoe lang duurt de behandeling?
      bot_says: ["welke behandeling"]
    - patient_taps: Facetinfiltratie
      bot_says: ["20 minuten"]
"""

RIGHT = {
    "Mag ik na de facetinfiltratie zelf naar huis rijden?":
        "Tot 24 uur na de behandeling rijd je niet zelf.",
    "Hoe lang duurt een facetdenervatie?": "Ongeveer 40 minuten.",
    "Hoe lang duurt de behandeling?": "Over welke behandeling gaat het?",
    "/inform_treatment": "Een facetinfiltratie duurt ongeveer 20 minuten.",
}


def reply_for(message: str) -> str:
    key = "/inform_treatment" if message.startswith("/inform_treatment") else message
    return RIGHT.get(key, "Sorry, dat weet ik niet.")


def fake_bot(mode: str):
    """mode: right (answers correctly), polite (always one non-answer), late (each reply
    belongs to the previous message of that patient)."""
    previous: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            sender, message = body["sender"], body["message"]
            if mode == "polite":
                text = "Dank je voor je bericht! Een medewerker kijkt ernaar."
            elif mode == "late":
                text = reply_for(previous.get(sender, "")) if sender in previous else "Hallo!"
                previous[sender] = message
            else:
                text = reply_for(message)
            out = [{"recipient_id": sender, "text": text}]
            if "welke behandeling" in text.lower():
                out[0]["buttons"] = [{"title": "Facetinfiltratie",
                                      "payload": '/inform_treatment{"treatment":"facetinfiltratie"}'}]
            data = json.dumps(out).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def tests_file(tmp_path):
    path = tmp_path / "tests.yml"
    path.write_text(TESTS, encoding="utf-8")
    return path


@pytest.mark.parametrize("mode, exit_code", [("right", 0), ("polite", 1), ("late", 1)])
def test_runner_passes_only_a_bot_that_answers_each_message(tests_file, tmp_path, mode, exit_code):
    server = fake_bot(mode)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code = conversations.main([str(tests_file), "--url", url,
                                   "--report", str(tmp_path / "r.html"),
                                   "--junit", str(tmp_path / "r.xml")])
    finally:
        server.shutdown()
    assert code == exit_code
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Knop kiezen" in report and "Autorijden" in report
    junit = (tmp_path / "r.xml").read_text(encoding="utf-8")
    assert ("<failure" in junit) == (exit_code == 1)


def test_report_puts_failures_first_and_marks_missing_phrases(tests_file, tmp_path):
    server = fake_bot("late")
    try:
        conversations.main([str(tests_file), "--url", f"http://127.0.0.1:{server.server_address[1]}",
                            "--report", str(tmp_path / "r.html"), "--junit", str(tmp_path / "r.xml")])
    finally:
        server.shutdown()
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert report.index("MISLUKT") < report.index("</details>")
    assert 'class="fail"' in report and "says &quot;24 uur&quot;" in report


def test_a_malformed_test_file_is_explained(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("- test: zonder stappen\n", encoding="utf-8")
    assert conversations.main([str(bad), "--url", "http://127.0.0.1:9"]) == 2
    bad.write_text("- test: x\n  steps:\n    - patient: hoi\n      bot_sayz: [a]\n", encoding="utf-8")
    with pytest.raises(conversations.FormatError, match="bot_sayz"):
        conversations.load_tests([bad])
