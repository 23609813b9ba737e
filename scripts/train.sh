#!/usr/bin/env bash
# Trains the model unless models/ already has one for the current data, config,
# domain and Dutch pipeline (Rasa's fingerprint, which includes the pipeline id).
set -euo pipefail
VENV=${VENV:-.venv}; MODEL_DIR=${MODEL_DIR:-models}
"$VENV/bin/python" scripts/doctor.py --pipeline-only
start=$(date +%s)
log=$(mktemp)
if ! "$VENV/bin/rasa" train --data data --config config.yml --domain domain.yml \
      --out "$MODEL_DIR" >"$log" 2>&1; then
  grep -v -E "warn\(|Warning:" "$log" | tail -n 40
  echo "ERROR: training failed (full log: $log)" >&2
  exit 1
fi
if grep -q "Nothing changed" "$log"; then
  echo "Model is up to date: $(ls -t "$MODEL_DIR"/*.tar.gz | head -1)"
else
  grep -E "Dutch language pipeline" "$log" | head -1 || true
  echo "Trained $(ls -t "$MODEL_DIR"/*.tar.gz | head -1) in $(( $(date +%s) - start )) s"
fi
rm -f "$log"
