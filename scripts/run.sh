#!/usr/bin/env bash
# Starts the action server and the Rasa server (or `rasa shell` with --shell) on
# the latest trained model. Ports: RASA_PORT (5005), ACTIONS_PORT (5055).
set -euo pipefail
VENV=${VENV:-.venv}; RASA_PORT=${RASA_PORT:-5005}; ACTIONS_PORT=${ACTIONS_PORT:-5055}
WEB_PORT=${WEB_PORT:-8080}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://localhost:$ACTIONS_PORT/webhook}
export RASA_TELEMETRY_ENABLED=false
model=$(ls -t models/*.tar.gz 2>/dev/null | head -1)
[ -n "$model" ] || { echo "No trained model: run 'make train'." >&2; exit 1; }
mkdir -p var/log

# rasa_sdk directly: `rasa run actions` would import TensorFlow for nothing.
"$VENV/bin/python" -m rasa_sdk --actions actions --port "$ACTIONS_PORT" >var/log/actions.log 2>&1 &
actions_pid=$!
rasa_pid=""; web_pid=""
cleanup() { kill $actions_pid $rasa_pid $web_pid 2>/dev/null || true; }
trap cleanup EXIT INT TERM
for _ in $(seq 1 120); do
  curl -fs "http://localhost:$ACTIONS_PORT/health" >/dev/null 2>&1 && break
  kill -0 $actions_pid 2>/dev/null || { echo "Action server failed; see var/log/actions.log" >&2; exit 1; }
  sleep 0.5
done
echo "Action server: http://localhost:$ACTIONS_PORT (log: var/log/actions.log)"

if [ "${1:-}" = "--shell" ]; then
  "$VENV/bin/rasa" shell --model "$model" --endpoints endpoints.yml
  exit 0
fi

# The HTTP API (tracker, model endpoints) is off unless RASA_API_TOKEN is set;
# then it is on and protected by that token. Chat channels never need a token.
api_args=()
if [ -n "${RASA_API_TOKEN:-}" ]; then api_args=(--enable-api --auth-token "$RASA_API_TOKEN"); fi
"$VENV/bin/rasa" run --model "$model" --endpoints endpoints.yml --credentials credentials.yml \
  --port "$RASA_PORT" --cors "*" "${api_args[@]}" &
rasa_pid=$!
for _ in $(seq 1 360); do
  # Rasa loads the model before it starts listening: an answer on / means ready.
  curl -fs "http://localhost:$RASA_PORT/" >/dev/null 2>&1 && break
  kill -0 $rasa_pid 2>/dev/null || { echo "Rasa server failed to start." >&2; exit 1; }
  sleep 0.5
done
WEB_PORT=$WEB_PORT "$VENV/bin/python" scripts/serve_web.py >var/log/web.log 2>&1 &
web_pid=$!
cat <<MSG

  The assistant is ready.
  Website chat (demo page): http://localhost:$WEB_PORT/
  REST:  curl -X POST http://localhost:$RASA_PORT/webhooks/rest/webhook \\
           -H 'Content-Type: application/json' -d '{"sender":"ik","message":"Hallo"}'
  Terminal chat: make shell      Stop: Ctrl-C

MSG
wait $rasa_pid
