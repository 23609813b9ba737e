"""A short fingerprint of everything that goes into the trained model: training
data, domain, config, the NLU components' code and the safety rulebook, the pinned
packages and the Dutch pipeline in use. The model file is named after it, so `make train` only
trains when one of them changed."""
import glob
import hashlib
import os
import sys

sys.path.insert(0, os.getcwd())
from actions.lib.dutch_nlp import pipeline_id  # noqa: E402

INPUTS = ["config.yml", "domain.yml", "requirements.lock", "data/**/*.yml",
          "addons/**/*.py", "actions/lib/**/*.py", "config/safety/**/*.yml",
          "config/synonyms.yml", "config/treatments.yml", "config/clinics.yml", "tests/safety/*.yml"]


def fingerprint() -> str:
    digest = hashlib.sha256(pipeline_id().encode())
    for pattern in INPUTS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            digest.update(path.encode())
            with open(path, "rb") as f:
                digest.update(f.read())
    return digest.hexdigest()[:12]


if __name__ == "__main__":
    print(fingerprint())
