# Dutch patient assistant for pain treatments: the verbs people expect.
#   make run    - set up everything, train if needed, start the assistant
#   make test   - set up everything, then every check (what CI runs)
# Everything is installed into .venv from requirements.lock (production) and
# requirements-dev.lock (tests, benchmark); nothing global.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

VENV          ?= .venv
RASA_PORT     ?= 5005
ACTIONS_PORT  ?= 5055
MODEL_DIR     ?= models
RESULTS       ?= results

# Embedded defaults. Telemetry is off in every mode.
export RASA_TELEMETRY_ENABLED := false
export ACTION_ENDPOINT_URL ?= http://localhost:$(ACTIONS_PORT)/webhook
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONHASHSEED := 0
export PYTHONPATH := $(CURDIR)
# Conversation store and locks (endpoints.yml): SQLite + in-memory by default.
export DB_URL ?=
export DB_DIALECT ?= sqlite
export DB_HOST ?=
export DB_PORT ?=
export DB_NAME ?= var/conversations.db
export DB_USER ?=
export DB_PASSWORD ?=
export REDIS_URL ?=
# credentials.yml references these; empty = WhatsApp not configured (see README).
export WHATSAPP_VERIFY_TOKEN ?=
export WHATSAPP_APP_SECRET ?=
export WHATSAPP_ACCESS_TOKEN ?=
export WHATSAPP_PHONE_NUMBER_ID ?=
export WHATSAPP_API_URL ?= https://graph.facebook.com/v20.0

PY   := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed

.PHONY: help install doctor train run shell actions validate evaluate test test-stories test-conversations \
        test-unit test-e2e test-channels test-browser test-persistence test-robustness \
        services bench bench-scale purge export lock compare-pipelines clean

help:
	@echo "make run      start the assistant (REST: http://localhost:$(RASA_PORT)/webhooks/rest/webhook)"
	@echo "make shell    chat in the terminal"
	@echo "make test     every check (validate, NLU held-out, stories, pytest, end-to-end)"
	@echo "make evaluate held-out intent report (macro F1) into $(RESULTS)/"
	@echo "make doctor   which Python, Dutch pipeline and model are in use"
	@echo "make train    train the model if data or config changed"

$(STAMP): requirements.lock requirements-dev.lock config/dutch_model.env scripts/install_dutch_model.sh
	@echo "==> Creating the Python 3.10 virtual environment in $(VENV)"
	@py=$$(scripts/find_python.sh) || exit 1; \
	  [ -x $(PY) ] || $$py -m venv $(VENV)
	@echo "==> Installing pinned dependencies (requirements.lock, requirements-dev.lock)"
	@$(PY) -m pip install --quiet --upgrade 'pip==24.2' 'setuptools==70.3.0' 'wheel==0.45.1' 2>&1 | { grep -v "is neither a file nor a directory" || true; }
	@$(PY) -m pip install --quiet -r requirements.lock -r requirements-dev.lock 2>&1 | { grep -v "is neither a file nor a directory" || true; }
	@echo "==> Dutch spaCy pipeline"
	@VENV=$(VENV) scripts/install_dutch_model.sh
	@touch $(STAMP)

install: $(STAMP)

doctor: install
	@$(PY) scripts/doctor.py

train: install
	@echo "==> Training (skipped when data, domain, config, NLU code, packages and Dutch pipeline are unchanged)"
	@VENV=$(VENV) MODEL_DIR=$(MODEL_DIR) scripts/train.sh

# The action server is rasa_sdk itself (not `rasa run actions`, which imports TensorFlow).
actions: install
	@$(PY) -m rasa_sdk --actions actions --port $(ACTIONS_PORT)

run: train
	@scripts/run.sh

shell: train
	@scripts/run.sh --shell

validate: install
	@echo "==> rasa data validate"
	@$(PY) scripts/validate.py
	@$(PY) scripts/check_split.py

evaluate: train
	@echo "==> Held-out NLU intents (tests/nlu, never trained on; a diagnostic)"
	@$(PY) scripts/evaluate_nlu.py --target 0.85 --out $(RESULTS)
	@echo "==> Blind NLU intent set (tests/nlu_blind; a diagnostic)"
	@$(PY) scripts/evaluate_nlu.py --nlu tests/nlu_blind --target 0.80 --out $(RESULTS)/blind
	@echo "==> Every red-flag corpus and question set end to end over HTTP (figures and gates)"
	@$(PY) -m qa.evaluate_all --gate --out $(RESULTS)/evaluate 2>&1 | grep -E "^(red-flag|question|all|GATE)"; \
	  exit $${PIPESTATUS[0]}

test-stories: train
	@echo "==> Conversation stories (tests/stories) with --fail-on-prediction-errors"
	@mkdir -p $(RESULTS)
	@$(RASA) test core --stories tests/stories --model $$(ls -t $(MODEL_DIR)/*.tar.gz | head -1) \
	  --endpoints endpoints.yml --out $(RESULTS)/stories --fail-on-prediction-errors --no-plot \
	  > $(RESULTS)/stories.log 2>&1 || { grep -v -E "Warning|warn\(" $(RESULTS)/stories.log | tail -n 40; exit 1; }
	@grep -E "CONVERSATION level|ACTION level|Correct:" $(RESULTS)/stories.log | sed -E 's/^.*rasa.core.test  - //' 

test-unit: install
	@echo "==> pytest: logic and actions"
	@$(PY) -m pytest tests/unit -q -rs
	@echo "==> Coverage: every answer has a staff conversation test (docs/coverage.md)"
	@$(PY) scripts/coverage.py --check
	@echo "==> Red-flag rules on the safety corpora"
	@$(PY) scripts/safety_report.py 2>&1 | grep -v -E "tensorflow|TensorRT|AVX|rebuild TensorFlow|^\s*$$"

test-e2e: train
	@echo "==> pytest: end to end over HTTP against the trained bot"
	@$(PY) -m pytest tests/e2e -q

test-channels: train services
	@echo "==> pytest: WhatsApp (fake Graph API; two servers on Redis) and Socket.IO channels"
	@$(PY) -m pytest tests/channels -q

test-browser: train
	@echo "==> Browser test: website chat in headless Chromium (Debian packages)"
	@scripts/install_browser.sh
	@$(PY) -m pytest tests/browser -q

services:
	@scripts/services.sh start

test-persistence: train services
	@echo "==> pytest: conversations survive restarts (SQLite, PostgreSQL), two servers on Redis locks"
	@CI=true $(PY) -m pytest tests/persistence -q

test-robustness: train
	@echo "==> pytest: bad input, long messages, 20 concurrent conversations"
	@$(PY) -m pytest tests/robustness -q

# Staff conversation tests (docs/staff-tests.md). FILE=one file; URL=a running assistant
# (then nothing is trained or started here).
test-conversations:
	@if [ -n "$(URL)" ]; then $(MAKE) --no-print-directory install; else $(MAKE) --no-print-directory train; fi
	@echo "==> Conversation tests ($(if $(FILE),$(FILE),tests/conversations)) against $(if $(URL),$(URL),the freshly trained assistant)"
	@$(PY) -m qa.conversations $(if $(FILE),$(FILE),tests/conversations) $(if $(URL),--url $(URL)) \
	  --report $(RESULTS)/conversations.html --junit $(RESULTS)/conversations.xml

test: validate test-unit evaluate test-stories test-conversations test-e2e test-channels test-browser \
      test-robustness test-persistence
	@echo "==> make test: all checks passed"

# The assistant against a stock `rasa init` bot, same run, same load (docs/benchmark.md).
bench: train
	@$(PY) scripts/bench.py

# 1 vs 2 Rasa processes on PostgreSQL + Redis locks (docs/benchmark.md, "Scaling").
bench-scale: train services
	@$(PY) scripts/bench.py --scale-out

purge: install
	@test -n "$(DAYS)" || { echo "usage: make purge DAYS=N"; exit 2; }
	@$(PY) scripts/purge.py --days $(DAYS)

export: install
	@$(PY) scripts/export.py --out $(RESULTS)/export

lock: install
	@$(PY) scripts/lock.py

compare-pipelines: install
	@$(PY) scripts/compare_pipelines.py --out $(RESULTS)/pipelines

clean:
	rm -rf $(RESULTS) .pytest_cache
