# Two commands: `make run` and `make test`. Everything else is installed from here.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint install clean docs

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever pyproject.toml changes. `local`: what only a developer's machine runs (fake people for the
# example school, the mail sink); the worker and web image (Dockerfile) installs neither.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,local]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/run.sh

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium >/dev/null \
	  || { echo "could not install Chromium (apt-get install chromium) for the browser tests"; exit 1; }

# Lint (ruff) and types (mypy, strict on domain/) first: a finding fails `make test` before any test runs.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint $(CHROMIUM)
	@PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python scripts/run_tests.py

# Documents generated from code (state diagram, facts JSON Schema in README and docs/).
docs: $(STAMP)
	$(BIN)/python scripts/gen_docs.py

clean:
	rm -rf $(VENV) data build *.egg-info .mypy_cache .ruff_cache
