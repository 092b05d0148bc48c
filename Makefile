# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WAREHOUSE := data/warehouse.duckdb
PORT ?= 8501
# Only this machine listens by default; HNFL_ADDRESS=0.0.0.0 make run opens the port to the network (README).
HNFL_ADDRESS ?= 127.0.0.1

.PHONY: run test install demo bench lint clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

$(WAREHOUSE): | $(STAMP)
	$(PY) -m etl demo --db $(WAREHOUSE)

demo: $(STAMP)
	$(PY) -m etl demo --db $(WAREHOUSE)

run: $(STAMP) $(WAREHOUSE)
	$(PY) -m etl users bootstrap --db $(WAREHOUSE)
	$(VENV)/bin/streamlit run serve.py --server.address $(HNFL_ADDRESS) --server.port $(PORT)

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) bench/bench_load.py
	$(PY) bench/bench_guard.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache
