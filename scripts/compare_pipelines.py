"""Measures candidate NLU pipelines on the held-out split (tests/nlu).

Each candidate keeps the same classifier (DIET), extractor, fallback and safety
layer as config.yml and varies only tokenizer and featurizers. Prints a Markdown
table (intent macro F1, accuracy, training time) for docs/pipeline-comparison.md.
"""
import argparse
import copy
import json
import os
import subprocess
import sys
import time

import yaml

RASA = os.path.join(os.path.dirname(sys.executable), "rasa")
SPACY = {"name": "addons.dutch_tokenizer.DutchSpacyTokenizer", "model": "nl_core_news_sm"}
SPACY_PLAIN = {**SPACY, "delexicalise": False}
WORDS = {"name": "CountVectorsFeaturizer", "min_ngram": 1, "max_ngram": 3}
WORDS_NO_LEMMA = {**WORDS, "use_lemma": False}
IN_WORD = {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 6}
ACROSS_WORDS = {"name": "CountVectorsFeaturizer", "analyzer": "char", "min_ngram": 3, "max_ngram": 5}
LEXICAL = {"name": "LexicalSyntacticFeaturizer"}
DIET = {"name": "DIETClassifier", "epochs": 100, "number_of_transformer_layers": 0,
        "entity_recognition": False, "constrain_similarities": True, "random_seed": 42}

# Each candidate: (tokenizer + featurizers, classifier or None for config.yml's)
CANDIDATES = {
    "A: whitespace tokens, word + char n-grams, logistic regression":
        ([{"name": "WhitespaceTokenizer"}, WORDS_NO_LEMMA, IN_WORD, ACROSS_WORDS], None),
    "B: spaCy lemmas, no delexicalisation": ([SPACY_PLAIN, WORDS, IN_WORD, ACROSS_WORDS], None),
    "C: spaCy lemmas, treatment names delexicalised (chosen)": ([SPACY, WORDS, IN_WORD, ACROSS_WORDS], None),
    "D: C + lexical-syntactic features": ([SPACY, LEXICAL, WORDS, IN_WORD, ACROSS_WORDS], None),
    "E: C's features with DIET (no transformer) instead of logistic regression":
        ([SPACY, WORDS, IN_WORD, ACROSS_WORDS], DIET),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="results/pipelines")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    base = yaml.safe_load(open("config.yml"))
    featurizing = {"addons.dutch_tokenizer.DutchSpacyTokenizer", "LexicalSyntacticFeaturizer",
                   "CountVectorsFeaturizer"}
    classifier = next(c for c in base["pipeline"] if c["name"].endswith("LogisticRegressionClassifier"))
    tail = [c for c in base["pipeline"] if c["name"] not in featurizing and c is not classifier]
    rows = []
    for i, (label, (head, other_classifier)) in enumerate(CANDIDATES.items()):
        config = copy.deepcopy(base)
        config["pipeline"] = (copy.deepcopy(head) + [copy.deepcopy(other_classifier or classifier)]
                              + copy.deepcopy(tail))
        config_path = os.path.join(args.out, f"config_{i}.yml")
        yaml.safe_dump(config, open(config_path, "w"), sort_keys=False)
        model_dir = os.path.join(args.out, f"model_{i}")
        t0 = time.time()
        subprocess.run([RASA, "train", "nlu", "--config", config_path, "--nlu", "data/nlu",
                        "--out", model_dir, "--fixed-model-name", "nlu"],
                       check=True, capture_output=True)
        train_s = time.time() - t0
        report_dir = os.path.join(args.out, f"report_{i}")
        subprocess.run([RASA, "test", "nlu", "--nlu", "tests/nlu", "--model",
                        os.path.join(model_dir, "nlu.tar.gz"), "--out", report_dir, "--no-plot"],
                       check=True, capture_output=True)
        report = json.load(open(os.path.join(report_dir, "intent_report.json")))
        rows.append((label, report["macro avg"]["f1-score"], report["accuracy"], train_s))
        print(f"{label}: macro F1 {rows[-1][1]:.3f}", flush=True)
    print("\n| candidate | intent macro F1 (held-out) | accuracy | NLU training time |")
    print("|---|---|---|---|")
    for label, f1, acc, secs in rows:
        print(f"| {label} | {f1:.3f} | {acc:.3f} | {secs:.0f} s |")


if __name__ == "__main__":
    main()
