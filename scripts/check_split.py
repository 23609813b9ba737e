"""Checks that no held-out example (tests/nlu, tests/nlu_blind) is also a training
example (data/nlu, and the answer library's questions in data/answers/), ignoring case,
punctuation and entity markup; prints the split sizes."""
import glob
import re
import sys

import yaml


def examples(pattern):
    out = {}
    for path in glob.glob(pattern):
        for block in yaml.safe_load(open(path, encoding="utf-8")).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()[2:] if line.strip().startswith("- ") else ""
                if not line:
                    continue
                text = re.sub(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)", r"\1\2", line)
                key = re.sub(r"[^\w]+", " ", text.lower()).strip()
                out.setdefault(key, set()).add(block["intent"])
    return out


train = examples("data/nlu/*.yml")
sys.path.insert(0, ".")
from actions.lib.answer_library import library  # noqa: E402

for question, _unit in library().examples():
    train.setdefault(re.sub(r"[^\w]+", " ", question.lower()).strip(), set()).add("ask_question")
test = examples("tests/nlu/*.yml")
blind = examples("tests/nlu_blind/*.yml")
overlap = sorted((set(train) & set(test)) | (set(train) & set(blind)))
n_train, n_test = len(train), len(test)
print(f"NLU split: {n_train} training, {n_test} held-out examples "
      f"({100 * n_test / (n_train + n_test):.0f}% held out), {len(blind)} in the blind set, "
      f"overlap {len(overlap)}")
for o in overlap[:20]:
    print("  overlap:", o)
sys.exit(1 if overlap else 0)
