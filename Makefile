# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install install-test demo test schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The gateway; its build (setup.py) also builds GraphiQL's browser files from the npm
# registry (npm ci + vite build in graphiql/) into web/graphiql_dist/, served by the app itself.
install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: install
	$(BIN)/pip install -q -e '.[test]'
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the browser test will be skipped"; fi; }

# Fresh demo data on the embedded SQLite file, then the gateway on http://$(HOST):$(PORT)/graphql
demo: install
	$(BIN)/backfill-gateway demo
	$(BIN)/uvicorn app:app --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest

# Rewrite schema.graphql from the code (a test fails while they differ).
schema: $(BIN)/python
	$(BIN)/backfill-gateway schema > schema.graphql
