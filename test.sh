#!/usr/bin/env bash
# CaptionForge: set up .venv with the test extras, make sure a Chromium exists, run ruff, lint-imports, mypy and every test.
# Extra arguments go to pytest, e.g. ./test.sh tests/unit -x. Benchmarks: ./test.sh -m bench tests/bench -s
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

if [[ ! -x .venv/bin/python ]]; then
  "$PYTHON" -m venv .venv
fi
STAMP=".venv/.installed-test"
# constraints.txt pins every package (refresh: ./lock.sh); when it or pyproject.toml changes, reinstall.
if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" || constraints.txt -nt "$STAMP" ]]; then
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  # The native extra (pywebview + Qt) lets the native-window smoke test run; without it that test skips.
  if ! .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test,native]"; then
    echo "The native extra did not install: the native-window test will be skipped."
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"
  fi
  touch "$STAMP"
fi

can_apt() { command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; }
APT_UPDATED=""
apt_install() {
  [[ -n "$APT_UPDATED" ]] || { apt-get update -qq >/dev/null && APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [[ -z "${CHROMIUM_PATH:-}" ]] && ! command -v chromium >/dev/null 2>&1; then
  if can_apt; then
    echo "Installing Debian's chromium for the browser tests..."
    apt_install chromium
  else
    echo "No Chromium found: browser tests will be skipped. Install chromium, or set CHROMIUM_PATH=/path/to/chromium."
  fi
fi

# OpenCV (scene detection in videos) loads the system's libGL and GLib.
if [[ "$(uname -s)" == Linux ]] && command -v dpkg >/dev/null 2>&1 && ! dpkg -s libgl1 libglib2.0-0 >/dev/null 2>&1; then
  if can_apt; then
    echo "Installing libGL and GLib for OpenCV's scene detection..."
    apt_install --no-install-recommends libgl1 libglib2.0-0 || apt_install --no-install-recommends libgl1 libglib2.0-0t64 || true
  else
    echo "No libGL: the scene-detection tests may fail (Debian: apt-get install libgl1 libglib2.0-0)."
  fi
fi

# A virtual screen and the X libraries Qt needs, for the native-window smoke test (optional).
QT_X_LIBS="xvfb libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
  libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6"
# shellcheck disable=SC2086
if [[ "$(uname -s)" == Linux ]] && ! dpkg -s $QT_X_LIBS >/dev/null 2>&1; then
  if can_apt; then
    echo "Installing Xvfb and Qt's X libraries for the native-window test..."
    # shellcheck disable=SC2086
    apt_install --no-install-recommends $QT_X_LIBS || echo "They did not install: the native-window test will be skipped."
  else
    echo "No Xvfb: the native-window test will be skipped (Debian: apt-get install xvfb)."
  fi
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports  # the layers and feature order of docs/architecture.md (pyproject.toml)
.venv/bin/mypy  # app/services and app/api type-check (pyproject.toml [tool.mypy])
.venv/bin/python -m pytest "$@"
