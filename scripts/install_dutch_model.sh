#!/usr/bin/env bash
# Installs the official Dutch spaCy pipeline nl_core_news_sm from its release,
# pinned by version (and by sha256 once that is recorded in config/dutch_model.env).
# Where the release cannot be reached (these offline machines), nothing is
# installed and the assistant uses the visible fallback spacy.blank("nl") with
# the lookup lemmatizer (see actions/lib/dutch_nlp.py). Never installs anything
# that pretends to be nl_core_news_sm.
set -u
VENV=${VENV:-.venv}
. config/dutch_model.env
if "$VENV/bin/python" -c "import importlib.metadata as m; import sys; sys.exit(0 if m.version('nl_core_news_sm') == '$NL_MODEL_VERSION' else 1)" 2>/dev/null; then
  echo "Dutch pipeline: nl_core_news_sm $NL_MODEL_VERSION already installed."
  exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
wheel="$tmp/$(basename "$NL_MODEL_URL")"
if ! curl -fsSL --connect-timeout 5 --max-time 120 -o "$wheel" "$NL_MODEL_URL" 2>/dev/null; then
  echo "Dutch pipeline: the official nl_core_news_sm $NL_MODEL_VERSION release cannot be reached from here;"
  echo "                using the fallback spacy.blank('nl') + lookup lemmatizer (spacy-lookups-data)."
  exit 0
fi
actual=$(sha256sum "$wheel" | cut -d' ' -f1)
if [ -z "${NL_MODEL_SHA256:-}" ]; then
  echo "Dutch pipeline: downloaded nl_core_news_sm $NL_MODEL_VERSION (sha256 $actual), but no pinned hash"
  echo "                is recorded in config/dutch_model.env yet; refusing an unverified install."
  echo "                Check the hash against the release page and record it as NL_MODEL_SHA256."
  exit 0
fi
if [ "$actual" != "$NL_MODEL_SHA256" ]; then
  echo "ERROR: nl_core_news_sm wheel hash $actual does not match the pinned $NL_MODEL_SHA256." >&2
  exit 1
fi
"$VENV/bin/pip" install --no-deps --quiet "$wheel" && echo "Dutch pipeline: installed nl_core_news_sm $NL_MODEL_VERSION (sha256 verified)."
