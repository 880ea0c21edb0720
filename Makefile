# ronghe: `make demo` runs the whole pipeline on sample data; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export RONGHE_HOME ?= $(CURDIR)/.ronghe

.PHONY: demo test test-province lint format bench clean install ci

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ronghe demo

test: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=25 -m "not province"

# a province quarter by the documented procedure (minutes; benchmarks.province times the same)
test-province: $(STAMP)
	$(BIN)/pytest -q -m province --durations=5

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.speed
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.targets
	$(BIN)/python -m benchmarks.run --backfill
	$(BIN)/python -m benchmarks.read_worker
	$(BIN)/python -m benchmarks.province

clean:
	rm -rf $(VENV) .ronghe

# what CI runs: install, lint, and the tests with a real Prefect server (docs/operations.md)
ci:
	.ci/run
