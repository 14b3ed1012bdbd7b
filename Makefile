# Every target installs what it needs: a fresh clone needs only python3 (and root for chromium).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test lint format bench chromium clean help

help:
	@echo "make run    - install, migrate, load the demo network and serve http://$(HOST):$(PORT)"
	@echo "make test   - install test tools (and Chromium) and run the whole suite"
	@echo "make lint   - ruff lint and format check"
	@echo "make bench  - benchmark a synthetic 1,000-organization network"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/consortia demo
	$(BIN)/consortia serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium; install it when missing and we are root.
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libpango-1.0-0 libpangoft2-1.0-0 >/dev/null) \
	      || { echo "Could not install chromium"; exit 1; }; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' (browser tests need it)."; exit 1; \
	  fi; \
	fi

test: $(STAMP) chromium
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: $(STAMP)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

bench: $(STAMP)
	$(BIN)/consortia bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
