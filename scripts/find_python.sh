#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 needs Python < 3.11).
# Order: $PYTHON, python3.10 on PATH, pyenv's 3.10 versions, /usr/bin/python3.10.
set -u
is310() { [ -n "$1" ] && [ -x "$(command -v "$1" 2>/dev/null)" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
candidates+=("$(command -v python3.10 2>/dev/null)")
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -rV); do
    candidates+=("$(pyenv root)/versions/$v/bin/python")
  done
fi
for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python /usr/local/bin/python3.10 /usr/bin/python3.10; do
  candidates+=("$p")
done
for c in "${candidates[@]}"; do
  if is310 "$c"; then
    # resolve pyenv shims to the real interpreter
    "$c" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
echo "ERROR: no Python 3.10 found. Rasa 3.6 needs Python 3.10 (3.11 is too new)." >&2
echo "Install one (e.g. 'pyenv install 3.10') or point to it: make PYTHON=/path/to/python3.10 ..." >&2
exit 1
