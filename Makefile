# The two commands of the README. Each does whatever set-up it needs first (scripts/setup.sh is
# idempotent and fast when nothing changed).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup demo test test-fast clean

setup:
	@bash scripts/setup.sh

demo: setup
	$(VENV)/bin/chathpc env
	$(VENV)/bin/chathpc quickstart --out quickstart --force

test: setup
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -n 2 -m "not slow" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
