#!/usr/bin/env bash
# CaptionForge: set up .venv with the test extras, make sure a Chromium exists, run ruff and every test.
# Extra arguments go to pytest, e.g. ./test.sh tests/unit -x. Benchmarks: ./test.sh -m bench tests/bench -s
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
STAMP=".venv/.installed-test"
if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" ]]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet -e ".[test]"
  touch "$STAMP"
fi

if [[ -z "${CHROMIUM_PATH:-}" ]] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
    echo "Installing Debian's chromium for the browser tests..."
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "No Chromium found: browser tests will be skipped. Install chromium, or set CHROMIUM_PATH=/path/to/chromium."
  fi
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
