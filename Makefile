# salesops: the two commands a newcomer needs are `make reports` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WORKERS ?=
FOR_EACH ?=
ARGS ?=

.PHONY: reports test lab lint bench clean

$(STAMP): pyproject.toml benchmarks/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps -r benchmarks/requirements.txt
	touch $(STAMP)

## Set up (if needed) and run every report on the built-in sample data into reports/<today>/
## (FOR_EACH=manager: also one folder per manager; ARGS: any other salesops run options)
reports: $(STAMP)
	$(BIN)/salesops run $(if $(WORKERS),--workers $(WORKERS)) $(if $(FOR_EACH),--for-each $(FOR_EACH)) $(ARGS)

## Set up (if needed) and run the whole test suite: lint, unit tests, notebooks (nbval)
test: $(STAMP)
	$(BIN)/ruff check salesops tests benchmarks
	$(BIN)/pytest -n 2 --dist loadfile tests
	$(BIN)/pytest --nbval-lax notebooks

## Open JupyterLab on notebooks/ with the project's environment as the kernel
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check salesops tests benchmarks

## Run all benchmarks (slow: minutes)
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) data/sample data/processed .pytest_cache .ruff_cache
