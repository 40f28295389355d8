# PMM Portal. `make run` serves the portal; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint format worker beat install install-dev browser bench bench-search clean

## Environment ---------------------------------------------------------------

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements-dev.txt $(RUNTIME_STAMP)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(RUNTIME_STAMP) $(NODE_STAMP)

install-dev: $(DEV_STAMP) $(NODE_STAMP)

## Browser for the Playwright tests: Debian's Chromium (no browser download works here).
browser:
	@command -v pdftotext >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || { \
	    echo "Installing poppler-utils (pdftotext) for the PDF tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium: sudo apt-get install chromium" >&2; exit 1; \
	  fi; }

## The two commands ---------------------------------------------------------

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	PY=$(PY) CELERY=$(VENV)/bin/celery scripts/run.sh

test: install-dev browser
	@$(PY) scripts/check_services.py
	$(PY) -m pytest $(PYTEST_ARGS)

## The suite on the embedded default: SQLite in a temporary directory, tasks in-process (no Redis).
## Browser and integration tests are left out; tests marked postgres or redis are skipped, with why.
.PHONY: test-sqlite
test-sqlite: install-dev
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  DATABASE_URL="sqlite:///$$tmp/test.sqlite3" REDIS_URL= \
	  $(PY) -m pytest -m "not browser and not integration" $(PYTEST_ARGS)

## Quality -------------------------------------------------------------------

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint
	$(PY) manage.py makemigrations --check --dry-run

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates --reformat --quiet || true

## Background work (needs REDIS_URL) -----------------------------------------

worker: install
	$(VENV)/bin/celery -A pmm_portal worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A pmm_portal beat --loglevel=INFO

## Speed: every core page at scale 100 against a stock Django page behind login (wrk, 32
## connections), and every team's monthly report (a measurement, not a test).
bench: install-dev
	@$(PY) scripts/check_services.py
	@command -v wrk >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || { \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) scripts/bench.py

## Reuse before create: relevance (hit rate at 1 and 3, MRR) of the request form's suggestions over
## labelled rep questions on PostgreSQL and SQLite at scale 10, and their speed at scale 100.
bench-search: install-dev
	@$(PY) scripts/check_services.py
	$(PY) scripts/bench_search.py

## API contract (issue 12): schemathesis with every check and every phase (stateful included), 100
## examples an operation, as sales, a PMM and the CMO, against gunicorn on a seeded database of its own
## (PostgreSQL beside DATABASE_URL's, else SQLite). Fails on any server error or schema violation.
## Narrow it with API_CONTRACT_ARGS, e.g. "--roles pmm --max-examples 20 --report-dir /tmp/st".
.PHONY: api-contract
api-contract: install-dev
	$(PY) scripts/api_contract.py $(API_CONTRACT_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 celerybeat-schedule*
