# The commands people type. `make run` and `make test` are the README's contract: on a fresh
# clone, with only Python >= 3.11 and make, they set everything up themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DBT := $(BIN)/dbt
SEED ?= 42
SCALE ?= 1.0
START_DATE ?= 2023-10-01
END_DATE ?= 2026-09-30

# dbt reads profiles.yml from the project root; no usage statistics leave the machine.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help setup data seed build docs run test lint format benchmark clean

help:
	@echo "make run        set up, generate data, dbt seed + build + docs generate (DuckDB)"
	@echo "make test       set up, then python -m pytest -v"
	@echo "make lint       ruff + sqlfluff"
	@echo "make data       generate the CSV seeds only (SEED, SCALE, START_DATE, END_DATE)"
	@echo "make benchmark  measure the generator (rows/s) and dbt seed/build (seconds)"
	@echo "make clean      remove generated data, the warehouse and dbt's output"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $(STAMP)

data: $(STAMP)
	$(BIN)/python -m salespipeline generate --seed $(SEED) --scale $(SCALE) \
		--start-date $(START_DATE) --end-date $(END_DATE) --out seeds

seed: $(STAMP)
	$(DBT) seed

build: $(STAMP)
	$(DBT) build --exclude resource_type:seed

docs: $(STAMP)
	$(DBT) docs generate

run: data seed build docs

test: $(STAMP)
	$(BIN)/python -m pytest -v

lint: $(STAMP)
	$(BIN)/ruff check salespipeline tests scripts
	$(BIN)/ruff format --check salespipeline tests scripts
	$(BIN)/sqlfluff lint models macros tests

format: $(STAMP)
	$(BIN)/ruff format salespipeline tests scripts
	$(BIN)/ruff check --fix salespipeline tests scripts

benchmark: $(STAMP)
	$(BIN)/python scripts/benchmark.py

clean:
	rm -rf target logs seeds/*.csv salespipeline.duckdb salespipeline.duckdb.wal
