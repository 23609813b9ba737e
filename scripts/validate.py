"""`rasa data validate`, failing on any warning that matters.

Allowed: warnings about things Rasa cannot know are fine here, listed below with why.
"""
import glob
import os
import re
import subprocess
import sys

import yaml


def responses_reached_by_actions() -> set:
    """Responses the custom actions send by name: literal names in actions/*.py, and
    the naming scheme of docs/intents.md (utter_<topic>__<treatment>, ...)."""
    domain = yaml.safe_load(open("domain.yml", encoding="utf-8"))
    # Escalation responses are named in the treatment registry (config/treatments.yml).
    sources = glob.glob("actions/**/*.py", recursive=True) + glob.glob("config/**/*.yml", recursive=True)
    code = "\n".join(open(p, encoding="utf-8").read() for p in sources)
    literal = set(re.findall(r"utter_[a-z_]+", code))
    literal.add("utter_default")  # sent by Rasa's own action_default_fallback
    topics = {i[len("ask_"):] for i in domain["intents"] if i.startswith("ask_")}
    prefixes = tuple(f"utter_{t}__" for t in topics) + tuple(
        p for p in literal if p.endswith("__"))
    return {name for name in domain["responses"]
            if name in literal or name.startswith(prefixes)
            or name in {f"utter_{t}" for t in topics}}

ALLOWED = [
    # Placeholders such as {phone_franciscus_gasthuis} are filled by our NLG from
    # config/clinics.yml, not from slots.
    re.compile(r"uses the variable '[a-z_]+' but .* not a slot|Interpolation"),
    # Library deprecation noise, not about our data.
    re.compile(r"DeprecationWarning|MovedIn20Warning|declarative_base|SQLAlchemy|tensorflow|numpy"),
]


def main() -> None:
    rasa = os.path.join(os.path.dirname(sys.executable), "rasa")
    run = subprocess.run(
        [rasa, "data", "validate", "--data", "data", "--domain", "domain.yml", "--config", "config.yml"],
        capture_output=True, text=True,
    )
    output = run.stdout + run.stderr
    reached = responses_reached_by_actions()
    unused = re.compile(r"The utterance '([a-z_]+)' is not used in any story or rule")
    output = "\n".join(
        line for line in output.splitlines()
        if not (unused.search(line) and unused.search(line).group(1) in reached)
    )
    problems = [
        line for line in output.splitlines()
        if re.search(r"UserWarning|WARNING|ERROR", line)
        and not any(p.search(line) for p in ALLOWED)
    ]
    for line in problems:
        print(line)
    if run.returncode != 0 or problems:
        print(output[-4000:])
        sys.exit("rasa data validate: problems found")
    print("rasa data validate: no warnings that matter")


if __name__ == "__main__":
    main()
