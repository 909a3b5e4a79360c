# make demo: set up .venv, load data/ (and the law tables, if found) into the embedded store,
#            and print the answers to the headline questions.
# make test: set up .venv and run the tests (two processes; the soak and shared-server tests
#            marked slow are left to make test-slow, which CI runs too).
# make fuzz: mutate the seeds FUZZ_COUNT times (seeded by FUZZ_SEED) and count how the loader
#            copes: ok, failed cleanly, tracebacks, hangs, partial writes.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow lint bench fuzz serve clean

FUZZ_SEED ?= 1
FUZZ_COUNT ?= 2000

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	# pia-kg's own modules compiled once, as pip does for a package it installs: where
	# PYTHONDONTWRITEBYTECODE is set, every command compiled them again (0.2 CPU s)
	$(BIN)/python -m compileall -q pia_kg loaders queries api ontology > /dev/null
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pia-kg demo

test: $(STAMP)
	$(BIN)/pytest -n 2 -m "not slow" $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check pia_kg loaders queries api ontology tests bench

bench: $(STAMP)
	$(BIN)/python bench/bench_queries.py
	$(BIN)/python bench/bench_api.py --server

fuzz: $(STAMP)
	$(BIN)/python tests/fuzz/loader_fuzz.py --seed $(FUZZ_SEED) --count $(FUZZ_COUNT)

serve: $(STAMP)
	$(BIN)/pia-kg serve

clean:
	rm -rf $(VENV) pia-kg-store test-artifacts *.egg-info
