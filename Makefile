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

## The whole test suite (SQLite; set SPLD_TEST_DATABASE_URL=postgres://… for PostgreSQL), then,
## when PostgreSQL answers on 127.0.0.1:5432, the PostgreSQL-only paths again on a database
## named for this run (test_spld_make_<pid>), so that parallel runs and CI's never collide.
PG_TEST_DB ?= spld_make_$$$$
PG_PROBE := import psycopg; psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
test: install
	$(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$SPLD_TEST_DATABASE_URL" ]; then \
	  echo "PostgreSQL-only paths: run above on $$SPLD_TEST_DATABASE_URL"; \
	elif $(BIN)/python -c '$(PG_PROBE)' 2>/dev/null; then \
	  echo "== PostgreSQL answers on 127.0.0.1:5432: PostgreSQL-only paths (-m 'postgres or pgpaths')"; \
	  SPLD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(PG_TEST_DB) \
	    $(BIN)/pytest $(PYTEST_ARGS) -m "postgres or pgpaths"; \
	else \
	  echo "SKIPPED PostgreSQL-only paths: nothing answers on 127.0.0.1:5432 as user postgres (start PostgreSQL or set SPLD_TEST_DATABASE_URL=postgres://…)"; \
	fi

test-postgres: install
	SPLD_TEST_DATABASE_URL=$${SPLD_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/spld} \
		$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports --no-cache

## Static types (django-stubs); not yet clean, see docs/architecture.md.
typecheck: install
	$(BIN)/mypy src

## Refresh the English catalogue after changing French texts, compile it, and derive the
## French plural catalogue (French says "0 traitement", gettext alone would say "0 traitements").
messages: install
	cd src/spld && SPLD_DEMO=1 ../../$(BIN)/spld makemessages -l en --no-obsolete --add-location file
	cd src/spld && SPLD_DEMO=1 ../../$(BIN)/spld compilemessages -l en
	SPLD_DEMO=1 $(BIN)/spld frenchplurals

clean:
	rm -rf $(VENV) spld-data spld-data-secrets .pytest_cache
