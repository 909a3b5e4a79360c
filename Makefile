# make demo: set up .venv, load data/ (and the law tables, if found) into the embedded store,
#            and print the answers to the headline questions.
# make test: set up .venv and run the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pia-kg demo

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check pia_kg loaders queries api ontology tests bench

bench: $(STAMP)
	$(BIN)/python bench/bench_queries.py
	$(BIN)/python bench/bench_api.py --server

serve: $(STAMP)
	$(BIN)/pia-kg serve

clean:
	rm -rf $(VENV) pia-kg-store test-artifacts *.egg-info
