"""Prints the red-flag figures of the rule layer on each corpus in tests/safety/
(recall over red flags and emergencies, false-alarm rate over negated, benign and
hypothetical messages) and fails unless they are 100% and 0%."""
import glob
import os
import sys

import yaml

sys.path.insert(0, os.getcwd())
from actions.lib.red_flags import assess  # noqa: E402

RANK = {"none": 0, "hypothetical": 0, "red_flag": 1, "emergency": 2}


def main() -> None:
    ok = True
    for path in sorted(glob.glob("tests/safety/*.yml")):
        cases = yaml.safe_load(open(path, encoding="utf-8"))["cases"]
        positives = [c for c in cases if c["level"] in ("red_flag", "emergency")]
        negatives = [c for c in cases if c["level"] in ("none", "hypothetical")]
        emergencies = [c for c in cases if c["level"] == "emergency"]
        found = sum(RANK[assess(c["text"]).level] >= RANK[c["level"]] for c in positives)
        alarms = sum(RANK[assess(c["text"]).level] > 0 for c in negatives)
        em = sum(assess(c["text"]).level == "emergency" for c in emergencies)
        recall = 100.0 * found / len(positives)
        false_alarms = 100.0 * alarms / len(negatives)
        print(f"red-flag corpus {os.path.basename(path)}: recall {recall:.1f}% (n={len(positives)}), "
              f"false alarms {false_alarms:.1f}% (n={len(negatives)}), "
              f"emergencies as emergency {em}/{len(emergencies)}")
        ok &= found == len(positives) and alarms == 0 and em == len(emergencies)
    if not ok:
        sys.exit("red-flag rules: recall must be 100% and false alarms 0%")


if __name__ == "__main__":
    main()
