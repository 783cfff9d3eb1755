# The two commands of the README, plus helpers. Each target installs what it needs.
.PHONY: run test test-spark setup demo lint format bench

run:            ## install, build the demo store if absent, serve on http://localhost:8501
	scripts/run.sh

test:           ## install (incl. Debian chromium), lint and run the whole test suite
	scripts/test.sh

test-spark:     ## the Spark engine's parity tests (local[2]); CI runs them after `make test`
	scripts/test.sh -m spark

setup:
	scripts/setup.sh dev

demo: setup     ## rebuild the SYNTHETIC demo store
	.venv/bin/labelradar demo --force

lint: setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: setup
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench: setup    ## benchmarks (not part of the tests); figures go to bench/RESULTS.md
	.venv/bin/python bench/ingest_throughput.py
	.venv/bin/python bench/page_latency.py
