#!/usr/bin/env bash
# One command: install (Python packages, Debian's chromium for browser tests and postgresql
# for the state-database tests), lint, test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if [ ! -x /usr/bin/chromium ]; then
  echo "test: installing Debian's chromium for the browser tests" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  # The workflow-state tests run against a real PostgreSQL server (a throwaway cluster).
  echo "test: installing Debian's postgresql for the state-database tests" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
.venv/bin/ruff check .
if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
# The whole suite but Spark on both cores (pytest-xdist; each test module stays on one
# worker; modules in the order of tests/conftest.py, the slowest first), then, alone, the latency bounds marked `serial`. Both
# parts always run; the command fails if either failed. The Spark parity tests need a few
# minutes of their own: `make test-spark` (CI runs both).
# One fresh directory for the stores both runs share (tests/support/tiny_demo.py): the
# serial run copies the tiny demo the parallel run built (a build is ~25 s) and it goes
# when the command ends, so no run ever reads a store an older checkout built.
LABELRADAR_TEST_SHARED="$(mktemp -d)"
export LABELRADAR_TEST_SHARED
trap 'rm -rf "$LABELRADAR_TEST_SHARED"' EXIT
status=0
.venv/bin/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not serial and not spark" || status=$?
.venv/bin/python -m pytest -m "serial and not spark" || status=$?
exit "$status"
