# The two commands of the README. Each does whatever set-up it needs first (scripts/setup.sh is
# idempotent and fast when nothing changed).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup demo test test-fast clean

setup:
	@bash scripts/setup.sh

# DEMO_ITEMS: held-out (test-split) suite programs the shipped assistant parallelizes (scripts/demo_assistant.sh)
DEMO_ITEMS ?= blas/copy blas/swap

demo: setup
	$(VENV)/bin/chathpc env
	$(VENV)/bin/chathpc quickstart --out quickstart --force
	bash scripts/demo_assistant.sh $(VENV)/bin/chathpc quickstart/assistant smollm2-mpi $(DEMO_ITEMS)

test: setup
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# test-fast: the tier that needs neither MPI (mpicc, mpirun) nor torch; tests that do are marked mpi or ml
# (explicitly, per module with pytestmark or per test), checked by running this tier without them.
test-fast: setup
	$(PY) -m pytest -n 2 -m "not slow and not mpi and not ml" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
