"""Held-out intent evaluation: runs `rasa test nlu` on tests/nlu (never used for
training), prints macro F1 and the weakest intents, fails below the target."""
import argparse
import glob
import json
import os
import subprocess
import sys

TARGET_MACRO_F1 = 0.95


def latest_model() -> str:
    models = sorted(glob.glob("models/*.tar.gz"), key=os.path.getmtime)
    if not models:
        sys.exit("no trained model: make train")
    return models[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="results")
    parser.add_argument("--model", default=None)
    parser.add_argument("--nlu", default="tests/nlu")
    parser.add_argument("--target", type=float, default=TARGET_MACRO_F1)
    args = parser.parse_args()
    out = os.path.join(args.out, "nlu")
    cmd = [os.path.join(os.path.dirname(sys.executable), "rasa"), "test", "nlu",
           "--nlu", args.nlu, "--model", args.model or latest_model(), "--out", out]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-3000:])
        sys.exit("rasa test nlu failed")
    report = json.load(open(os.path.join(out, "intent_report.json")))
    macro = report["macro avg"]["f1-score"]
    weak = sorted(
        (v["f1-score"], k) for k, v in report.items()
        if isinstance(v, dict) and "support" in v and k not in ("macro avg", "weighted avg", "micro avg")
    )[:6]
    n = report["macro avg"]["support"]
    print(f"{args.nlu}: intent classification macro F1 {macro:.3f} "
          f"(accuracy {report.get('accuracy', 0):.3f}, {n} examples, target >= {args.target})")
    print("Weakest intents: " + ", ".join(f"{k} {f:.2f}" for f, k in weak))
    print(f"Reports: {out}/intent_report.json, {out}/intent_confusion_matrix.png")
    if macro < args.target:
        sys.exit(f"macro F1 {macro:.3f} is below {args.target}")


if __name__ == "__main__":
    main()
