#!/usr/bin/env bash
# Create .venv and install Label Radar into it. Usage: scripts/setup.sh [runtime|dev]
# Safe to re-run: it reinstalls only when the requirement files changed.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-runtime}"
req=requirements.txt
[ "$kind" = dev ] && req=requirements-dev.txt

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PY="$candidate"; break; fi
  done
fi
[ -n "$PY" ] || { echo "setup: python3 (3.11) is required" >&2; exit 1; }
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "setup: Python >= 3.11 is required (found $("$PY" --version))" >&2; exit 1
fi
if ! "$PY" -m venv --help >/dev/null 2>&1 || ! "$PY" -c 'import ensurepip' >/dev/null 2>&1; then
  echo "setup: installing Debian's python3-venv" >&2
  as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
# `refresh --engine spark` (and its tests) run pyspark, which needs a Java runtime (17 or
# later); the app itself does not, so only the dev setup installs it.
if [ "$kind" = dev ] && ! command -v java >/dev/null 2>&1; then
  echo "setup: installing Debian's default-jre-headless (Java for pyspark)" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq default-jre-headless >/dev/null
fi

stamp=".venv/.installed-$kind"
if [ ! -f "$stamp" ] || [ "$req" -nt "$stamp" ] || [ requirements.txt -nt "$stamp" ] \
    || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$req"
  .venv/bin/python -m pip install --quiet --no-deps -e .
  touch "$stamp"
fi
