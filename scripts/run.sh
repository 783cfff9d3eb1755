#!/usr/bin/env bash
# One command: install, build the SYNTHETIC demo store if absent, serve on :8501.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh runtime
db="${LABELRADAR_DB:-data/labelradar.duckdb}"
.venv/bin/labelradar demo --db "$db" --size demo --if-missing
# Fit the batch models once (fans, similar artists, alerts, audiences); later runs skip it.
.venv/bin/labelradar refresh --db "$db" --if-missing
exec .venv/bin/labelradar serve --db "$db" --port "${PORT:-8501}"
