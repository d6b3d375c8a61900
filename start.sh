#!/usr/bin/env bash
# CaptionForge: set up .venv on first use, then run the app. Options: ./start.sh --help
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "CaptionForge needs Python 3.10 or newer (found: $("$PYTHON" --version 2>&1 || echo none))." >&2
  echo "Install it, or point PYTHON at one: PYTHON=python3.11 ./start.sh" >&2
  exit 1
fi

EXTRAS=""
for arg in "$@"; do [[ "$arg" == "--native" ]] && EXTRAS="[native]"; done
STAMP=".venv/.installed${EXTRAS}"
if [[ ! -x .venv/bin/python ]]; then
  echo "First start: creating .venv (about a minute)..."
  "$PYTHON" -m venv .venv
fi
# constraints.txt pins the set the tests last passed with (refresh: ./lock.sh); a change reinstalls.
if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" || constraints.txt -nt "$STAMP" ]]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".${EXTRAS}"
  touch "$STAMP"
fi
exec .venv/bin/python main.py "$@"
