import pytest


@pytest.fixture(autouse=True)
def _safety_log_in_tmp(tmp_path, monkeypatch):
    # Actions append safety events to a log; unit tests keep theirs out of var/.
    monkeypatch.setenv("SAFETY_EVENTS_FILE", str(tmp_path / "safety_events.jsonl"))
