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
DOCS_PORT ?= 8080
# The profiles.yml target of the dbt steps: dev (DuckDB, the default), spark or postgres.
TARGET ?= dev

# dbt reads profiles.yml from the project root; no usage statistics leave the machine.
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# The Spark target's warehouse and catalogue (Derby metastore), by absolute path.
export SALESPIPELINE_SPARK_DIR ?= $(CURDIR)/.spark

.PHONY: help setup data engine postgres-stop seed build docs docs-generate run load report browser test \
	test-fast lint format benchmark clean

help:
	@echo "make run        set up, generate data, dbt seed + build + docs generate (DuckDB)"
	@echo "                TARGET=spark or TARGET=postgres: the same on Spark or PostgreSQL"
	@echo "make test       set up (and install Chromium for the browser tests), then python -m pytest -v"
	@echo "make test-fast  the unit tests only: no dbt, no browser (tests/unit, marker unit)"
	@echo "make docs       generate the static docs site and serve it on http://localhost:$(DOCS_PORT)"
	@echo "make report     render the HTML report of the marts to output/report.html"
	@echo "make load       the loader path: init-db, then load all into the raw schema (see README)"
	@echo "make lint       ruff, sqlfluff, governance checks (manifest rules, coverage), dbt-score"
	@echo "make data       generate the CSV seeds only (SEED, SCALE, START_DATE, END_DATE)"
	@echo "make benchmark  measure the generator, the loaders and dbt seed/build; rewrite docs/benchmark.md"
	@echo "make clean      remove generated data, the warehouse and dbt's output"

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $(STAMP)

data: $(STAMP)
	$(BIN)/salespipeline generate --seed $(SEED) --scale $(SCALE) \
		--start-date $(START_DATE) --end-date $(END_DATE) --out seeds

# On the postgres target, the local server of scripts/postgres.sh is started first, unless the
# profile points at another server (SALESPIPELINE_PG_HOST). `make postgres-stop` stops it.
engine:
ifeq ($(TARGET),postgres)
	@case "$${SALESPIPELINE_PG_HOST:-127.0.0.1}" in 127.0.0.1|localhost) scripts/postgres.sh start ;; esac
endif

postgres-stop:
	scripts/postgres.sh stop

seed: $(STAMP) engine
	$(DBT) seed --target $(TARGET)

build: $(STAMP) engine
	$(DBT) build --exclude resource_type:seed --target $(TARGET)

# The static site (target/static_index.html) is one self-contained file; `make docs` also serves
# it, so `make run` only generates it.
docs-generate: $(STAMP) engine
	$(DBT) docs generate --static --target $(TARGET)

docs: docs-generate
	$(DBT) docs serve --no-browser --port $(DOCS_PORT)

# The main job, defined once in salespipeline/pipeline.py (also `python main.py`): generate,
# dbt seed, dbt build, dbt docs generate --static. The targets above run its steps one at a time.
run: $(STAMP) engine
	$(BIN)/salespipeline run --seed $(SEED) --scale $(SCALE) \
		--start-date $(START_DATE) --end-date $(END_DATE) $(if $(filter-out dev,$(TARGET)),--target $(TARGET))

load: $(STAMP)
	$(BIN)/salespipeline init-db
	$(BIN)/salespipeline load all

report: $(STAMP)
	$(BIN)/salespipeline report --out output/report.html

# The browser tests render pages in Debian's Chromium. Installed here when missing and possible
# (root or sudo); otherwise those tests skip with a message, unless SALESPIPELINE_REQUIRE_BROWSER=1.
browser:
	@command -v chromium >/dev/null 2>&1 || scripts/install_chromium.sh

test: $(STAMP) browser
	$(BIN)/python -m pytest -v

# The fast half of the suite, while editing Python: neither dbt nor a browser, one worker per core.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m unit -n auto

# Style and structure, settled by tools: ruff, sqlfluff (dbt templater), then the manifest checks
# of tests/governance (dbt-project-evaluator's rules, 100% docs coverage) and dbt-score, both on
# a fresh parse in target/lint so that a stale manifest is never judged.
lint: $(STAMP)
	$(BIN)/ruff check main.py salespipeline tests scripts
	$(BIN)/ruff format --check main.py salespipeline tests scripts
	@# dbt parse (one core) runs beside sqlfluff, whose dbt templater compiles on one core first.
	DBT_TARGET_PATH=target/lint $(DBT) parse --quiet --no-partial-parse --target lint & parse=$$!; \
		$(BIN)/sqlfluff lint models macros data-tests; sqlfluff=$$?; \
		wait $$parse && test $$sqlfluff -eq 0
	SALESPIPELINE_MANIFEST=target/lint/manifest.json \
		$(BIN)/python -m pytest -q -p no:cacheprovider tests/governance
	$(BIN)/dbt-score lint --manifest target/lint/manifest.json

format: $(STAMP)
	$(BIN)/ruff format main.py salespipeline tests scripts
	$(BIN)/ruff check --fix main.py salespipeline tests scripts

benchmark: $(STAMP)
	$(BIN)/python scripts/benchmark.py --load --dbt --markdown docs/benchmark.md

# Also what a stopped or killed command leaves: the generator's hidden temporary files and lock
# file in seeds/, and dbt's .user.yml.
clean:
	rm -rf target logs output seeds/*.csv salespipeline.duckdb salespipeline.duckdb.wal .user.yml .spark
	test ! -d seeds || find seeds -maxdepth 1 -type f \( -name '.*.csv.tmp' \
		-o -name '.write-check-*' -o -name '.salespipeline.lock' \) -delete
