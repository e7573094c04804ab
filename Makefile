# SPLD — quick start: `make demo` (serve the demo territory) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install demo serve test test-postgres lint typecheck messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev,bench]'
	touch $(STAMP)

install: $(STAMP)

## Load the demo territory into ./spld-data (SQLite + files) and serve it on http://127.0.0.1:8000
demo: install
	$(BIN)/spld demo

## Production server (gunicorn) on the configured database; run `spld migrate` first.
serve: install
	$(BIN)/spld serve

## The whole test suite (SQLite; set SPLD_TEST_DATABASE_URL=postgres://… for PostgreSQL).
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	SPLD_TEST_DATABASE_URL=$${SPLD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/spld} \
		$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports --no-cache

## Static types (django-stubs); not yet clean, see docs/architecture.md.
typecheck: install
	$(BIN)/mypy src

## Refresh the English catalogue after changing French texts, then compile it.
messages: install
	cd src/spld && ../../$(BIN)/spld makemessages -l en --no-obsolete --add-location file
	cd src/spld && ../../$(BIN)/spld compilemessages -l en

clean:
	rm -rf $(VENV) spld-data spld-data-secrets .pytest_cache
