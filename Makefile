# Every target installs what it needs: a fresh clone needs only python3 (and root for chromium).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test lint format bench wrk chromium oidc-provider libsodium clean help

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

run: $(STAMP) libsodium
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

# The single sign-on tests start a real OpenID Connect provider (npm's oidc-provider, run by
# node on loopback); install node when missing and we are root, and the package into the folder
# the tests use.
OIDC_DIR := tests/accounts/oidc
oidc-provider:
	@if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's nodejs and npm for the single sign-on tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) \
	      || { echo "Could not install nodejs"; exit 1; }; \
	  else \
	    echo "node is missing: run 'sudo apt-get install nodejs npm' (single sign-on tests need it)."; exit 1; \
	  fi; \
	fi
	@test -d $(OIDC_DIR)/node_modules/oidc-provider || npm ci --prefix $(OIDC_DIR) --no-audit --no-fund --loglevel=error


# Overlap discovery calls Debian's libsodium through pysodium; install it when missing and we are root.
libsodium:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libsodium\.so'; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's libsodium for overlap discovery…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsodium23 >/dev/null) \
	      || { echo "Could not install libsodium23"; exit 1; }; \
	  else \
	    echo "libsodium is missing: run 'sudo apt-get install libsodium23' (overlap discovery needs it)."; exit 1; \
	  fi; \
	fi

# The suite runs on every core (pytest-xdist, one database per worker); `make test PYTEST_ARGS=`
# runs it in one process, `PYTEST_ARGS="tests/agenda -x"` runs a part of it.
PYTEST_ARGS ?= -n auto
test: $(STAMP) chromium oidc-provider libsodium wrk
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

format: $(STAMP)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

# The speed section drives the server with Debian's wrk; install it when missing and we are root.
wrk:
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's wrk for the benchmark…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	      || { echo "Could not install wrk"; exit 1; }; \
	  else \
	    echo "wrk is missing: run 'sudo apt-get install wrk' (the speed benchmark needs it)."; exit 1; \
	  fi; \
	fi

bench: $(STAMP) libsodium wrk
	$(BIN)/consortia bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis $(OIDC_DIR)/node_modules
