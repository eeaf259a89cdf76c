# Two commands do all the set-up on a fresh machine (Python >= 3.11, pip, make, node):
#   make demo   - check, plan, render, write the authorities' file and serve scores/demo.yaml (Ctrl-C stops the server)
#   make test   - run the whole test suite
#   make dist   - build the sdist and the wheel into build/dist/ (python -m build)
# Both create .venv when missing and reinstall only when pyproject.toml changed.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.flashmob-installed
BUILD  := build

.PHONY: demo test dist venv browser services clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing flashmob and its dependencies into $(VENV) ..." >&2
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

DEMO_PORT ?= 8000

demo: $(STAMP)
	$(VENV)/bin/flashmob check scores/demo.yaml
	$(VENV)/bin/flashmob plan scores/demo.yaml -o $(BUILD)/demo-plan.svg
	$(VENV)/bin/flashmob plan scores/demo.yaml -o $(BUILD)/demo-plan.png
	$(VENV)/bin/flashmob render scores/demo.yaml -o $(BUILD)/demo
	$(VENV)/bin/flashmob dossier $(BUILD)/demo -o $(BUILD)/demo-print
	$(VENV)/bin/flashmob serve $(BUILD)/demo --host 127.0.0.1 --port $(DEMO_PORT)

browser:
	@scripts/ensure-browsers.sh

services:
	@scripts/ensure-test-services.sh

test: $(STAMP) browser services
	$(PY) -m pytest -q
	@if ls tests/js/*.test.mjs >/dev/null 2>&1; then node --test tests/js/; fi

dist: $(STAMP)
	$(PY) -m build --outdir $(BUILD)/dist .

clean:
	rm -rf $(BUILD) .pytest_cache
