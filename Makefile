# The README's two commands: `make run` (embedded quick start) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Two cores here: one pytest worker per core.
PYTEST_WORKERS ?= 2

.PHONY: install run test lint check typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

## Serve HTTP and OCPP on $(HOST):$(PORT) with SQLite and the in-memory channel layer.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --base-url $(HOST):$(PORT)
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

## Lint, Django checks and the whole test suite against PostgreSQL and Redis on loopback.
test: install lint check typecheck pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# The layers and seams of docs/architecture.md (contracts in pyproject.toml), and no cycle.
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_cycles.py

check: install
	DJANGO_SETTINGS_MODULE=backoffice.settings_test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=backoffice.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	# The OpenAPI schema must build without a warning (e.g. two enums under one name).
	DJANGO_SETTINGS_MODULE=backoffice.settings_test $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## Load benchmark (see bench/README.md); not a test.
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles test-artifacts db.sqlite3 db.sqlite3-shm db.sqlite3-wal
