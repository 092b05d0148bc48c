# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WAREHOUSE := data/warehouse.duckdb
PORT ?= 8501
# Only this machine listens by default; HNFL_ADDRESS=0.0.0.0 make run opens the port to the network (README).
HNFL_ADDRESS ?= 127.0.0.1

.PHONY: run test install system browser demo bench lint clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

# Debian packages, installed by the project's own scripts (each returns at once when its package is there; without
# root it prints the command to run, and the tests needing it skip locally and fail in CI). `make run` needs
# Chromium and CJK fonts (下载 PDF, the briefing's charts); `make test` also nginx (the README's proxy example is
# tested) and PostgreSQL (the second run).
browser:
	@bash scripts/install_browser.sh

system: browser
	@bash scripts/install_nginx.sh
	@bash scripts/install_postgres.sh

$(WAREHOUSE): | $(STAMP)
	$(PY) -m etl demo --db $(WAREHOUSE)

demo: $(STAMP)
	$(PY) -m etl demo --db $(WAREHOUSE)

# With HNFL_DATABASE_URL (PostgreSQL, see README) the database is the deployment's own: no demo is loaded into it.
ifeq ($(HNFL_DATABASE_URL),)
RUN_DATA := $(WAREHOUSE)
endif

run: $(STAMP) browser $(RUN_DATA)
	$(PY) -m etl users bootstrap --db $(WAREHOUSE)
	$(VENV)/bin/streamlit run serve.py --server.address $(HNFL_ADDRESS) --server.port $(PORT)

# The second run: the warehouse, accounts, access, concurrency, review, catalogue, drafts and page tests again on
# PostgreSQL, in a throwaway cluster the tests start themselves (scripts/install_postgres.sh installs Debian's server;
# without it the run is skipped with a message, and fails in CI). Tests marked slow (argon2 by the dozen, the
# every-figure walk) ran in the first run and touch nothing the second would see differently.
PG_TESTS := tests/test_postgres.py tests/test_marts.py tests/test_review.py tests/test_load_and_cli.py \
	tests/test_access.py tests/test_agreement.py tests/test_auth_pages.py tests/test_pages.py \
	tests/test_review_pages.py tests/test_upload_export.py tests/test_catalog.py tests/test_catalog_page.py \
	tests/test_drafts.py

# Two workers (TEST_WORKERS=0 for one process), each taking a whole test file: its module fixtures (a Streamlit
# server, a browser, a demo warehouse) stay with it. On our 2-core machines this takes the run from ~16 to ~10 min.
TEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

test: $(STAMP) system
	$(PYTEST)
	$(PYTEST) --backend=postgres -m "not slow" $(PG_TESTS)

bench: $(STAMP)
	$(PY) bench/bench_load.py
	$(PY) bench/bench_guard.py
	$(PY) bench/bench_scale.py --scale 0.05

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache
