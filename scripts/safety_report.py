"""Prints the red-flag figures on each corpus in tests/safety/ (recall over red flags
and emergencies, false-alarm rate over negated, benign and hypothetical messages)
and fails unless recall is 100% and false alarms 0%.

    python scripts/safety_report.py               the rule layer alone (actions/lib/red_flags.py)
    python scripts/safety_report.py --model M.tar.gz
                                                  the whole trained NLU pipeline: what the
                                                  dialogue sees (rules + classifier)

Through the pipeline a classifier-only alarm is kept on purpose when it is confident
and the rules find nothing against it (addons/safety_layer.py): a false alarm is safer
than a miss. So there recall must be 100% and false alarms are reported, not gated.
"""
import argparse
import asyncio
import glob
import logging
import os
import sys

import yaml

sys.path.insert(0, os.getcwd())
from actions.lib.red_flags import assess  # noqa: E402

RANK = {"none": 0, "hypothetical": 0, "ask_complication_contact": 0, "red_flag": 1, "emergency": 2}


LEVEL_OF = {"no_alarm": "none", "red_flag": "red_flag", "emergency": "emergency"}


def corpora():
    """Every corpus as cases with `text` and `level`: the older files are {cases: [...]}
    with `level`; the blind corpora written for issue 9 are plain lists with `expected`."""
    for path in sorted(glob.glob("tests/safety/*.yml")):
        data = yaml.safe_load(open(path, encoding="utf-8"))
        if isinstance(data, dict):
            yield os.path.basename(path), data["cases"]
        else:
            yield os.path.basename(path), [{**c, "level": LEVEL_OF[c["expected"]]} for c in data]


def figures(cases, levels):
    """levels: the level found for each case (none / red_flag / emergency / ...)."""
    pos = [(c, lv) for c, lv in zip(cases, levels) if c["level"] in ("red_flag", "emergency")]
    neg = [(c, lv) for c, lv in zip(cases, levels) if c["level"] in ("none", "hypothetical")]
    found = sum(RANK.get(lv, 0) >= RANK[c["level"]] for c, lv in pos)
    alarms = sum(RANK.get(lv, 0) > 0 for c, lv in neg)
    em = [(c, lv) for c, lv in pos if c["level"] == "emergency"]
    return found, len(pos), alarms, len(neg), sum(lv == "emergency" for _, lv in em), len(em)


def pipeline_levels(model: str, cases):
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent

    agent = Agent.load(model)

    async def run():
        return [(await agent.parse_message(c["text"]))["intent"]["name"] for c in cases]

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", help="a trained model: measure through the NLU pipeline")
    args = parser.parse_args()
    ok = True
    for name, cases in corpora():
        if args.model:
            levels = pipeline_levels(args.model, cases)
            what = "through the trained pipeline"
        else:
            levels = [assess(c["text"]).level for c in cases]
            what = "rule layer"
        found, n_pos, alarms, n_neg, em, n_em = figures(cases, levels)
        print(f"red-flag corpus {name} ({what}): recall {100.0 * found / n_pos:.1f}% (n={n_pos}), "
              f"false alarms {100.0 * alarms / n_neg:.1f}% (n={n_neg}), "
              f"emergencies as emergency {em}/{n_em}")
        ok = ok and found == n_pos and em == n_em and (bool(args.model) or alarms == 0)
    if not ok:
        sys.exit("red-flag safety: recall must be 100%" + ("" if args.model else " and false alarms 0%"))


if __name__ == "__main__":
    main()
