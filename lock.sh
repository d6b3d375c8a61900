#!/usr/bin/env bash
# Refresh constraints.txt, the pinned set start.sh, start.bat and test.sh install from, from pyproject.toml's
# ranges (every extra included). Run it after adding or bumping a dependency, commit constraints.txt,
# then ./test.sh: it reinstalls because the file changed, so the tests run against the new set.
# Extra arguments go to pip-compile, e.g. ./lock.sh --upgrade-package nicegui
set -euo pipefail
cd "$(dirname "$0")"
PY=.venv/bin/python
[[ -x "$PY" ]] || PY=${PYTHON:-python3}
"$PY" -m piptools --version >/dev/null 2>&1 || "$PY" -m pip install --quiet "pip-tools>=7.4"
"$PY" -m piptools compile --quiet --all-extras --strip-extras --no-emit-index-url --no-emit-find-links --no-header \
  --output-file constraints.txt "$@" pyproject.toml
sed -i.bak '1i # Pinned by ./lock.sh (pip-tools) from pyproject.toml; refresh with ./lock.sh, do not edit.' constraints.txt
rm -f constraints.txt.bak
echo "constraints.txt refreshed; run ./test.sh (it reinstalls from the new set)."
