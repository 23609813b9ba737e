#!/usr/bin/env bash
# Trains the model unless models/ already has one for the current data, domain,
# config, NLU code, packages and Dutch pipeline (scripts/model_fingerprint.py).
set -euo pipefail
VENV=${VENV:-.venv}; MODEL_DIR=${MODEL_DIR:-models}
"$VENV/bin/python" scripts/doctor.py --pipeline-only
name="model-$("$VENV/bin/python" scripts/model_fingerprint.py)"
if [ -f "$MODEL_DIR/$name.tar.gz" ]; then
  touch "$MODEL_DIR/$name.tar.gz"   # the newest model is the one that gets served
  echo "Model is up to date: $MODEL_DIR/$name.tar.gz"
  exit 0
fi
start=$(date +%s)
log=$(mktemp)
# --force: Rasa's own component cache cannot see files the components read themselves
# (config/synonyms.yml, config/treatments.yml); this script already skips training
# when nothing changed (the fingerprint above covers those files).
if ! "$VENV/bin/rasa" train --data data --config config.yml --domain domain.yml \
      --out "$MODEL_DIR" --fixed-model-name "$name" --force >"$log" 2>&1; then
  grep -v -E "warn\(|Warning:" "$log" | tail -n 40
  echo "ERROR: training failed (full log: $log)" >&2
  exit 1
fi
rm -f "$log"
echo "Trained $MODEL_DIR/$name.tar.gz in $(( $(date +%s) - start )) s"
