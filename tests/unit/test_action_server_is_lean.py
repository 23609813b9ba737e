"""The action server (``python -m rasa_sdk --actions actions``) must stay lean: no
TensorFlow, no spaCy, not even Rasa itself (docs/benchmark.md, "Memory"). The NLU
pipeline assesses every message once and passes the verdicts on in the parse data."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What rasa_sdk does at start-up: import every module of the package (actions/warm_up.py
# then runs the actions once) and register the actions.
PROBE = """
import json, sys
from rasa_sdk.executor import ActionExecutor
executor = ActionExecutor()
executor.register_package("actions")
print(json.dumps({"actions": sorted(executor.actions),
                  "heavy": sorted(m for m in ("tensorflow", "spacy", "rasa", "sklearn", "torch")
                                  if m in sys.modules)}))
"""


def test_the_actions_import_neither_tensorflow_nor_spacy():
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["heavy"] == [], f"the action server imports {result['heavy']}"
    assert {"action_answer_question", "action_contact", "action_triage",
            "action_fallback"} <= set(result["actions"])
    assert "warm-up failed" not in run.stderr, run.stderr[-2000:]
