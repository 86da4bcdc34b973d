"""The loader path: init_db and the load_* commands, run as users run them (subprocesses), and
`salespipeline init-db` and `salespipeline load`, the verbs those commands are aliases of.

Each command runs with its working directory in a temporary folder and SALESPIPELINE_DUCKDB
pointing at a temporary warehouse, on a tiny generated dataset. That the loader path builds the
same marts as `dbt seed` is an integration test (tests/integration/test_loader_path.py).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from support import REPO_ROOT, Dataset, make_dataset

from salespipeline import cli
from salespipeline.db.data_loading import loader
from salespipeline.schema import FOREIGN_KEYS, TABLES, column_names, primary_key
from salespipeline.warehouse import STORAGE_CONFIG

REFERENCE = REPO_ROOT / "seeds" / "reference"
TINY_SCALE = 0.02
# The most bytes a field may hold: DuckDB's reader's default line limit (max_line_size).
FIELD_BYTES = 2_000_000


def run(
    command: str, *args: str, warehouse: Path, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m salespipeline.db.<command>``, as a user types it."""
    env = {**os.environ, "SALESPIPELINE_DUCKDB": str(warehouse)}
    return subprocess.run(
        [sys.executable, "-m", f"salespipeline.db.{command}", *args],
        cwd=cwd or warehouse.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def verb(*args: str, warehouse: Path) -> subprocess.CompletedProcess[str]:
    """``salespipeline <verb> ...`` (as ``python -m salespipeline``)."""
    env = {**os.environ, "SALESPIPELINE_DUCKDB": str(warehouse)}
    return subprocess.run(
        [sys.executable, "-m", "salespipeline", *args],
        cwd=warehouse.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def load(
    table: str, path: Path, warehouse: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    return run(f"data_loading.load_{table}", "--file", str(path), *options, warehouse=warehouse)


def load_all(folder: Path, warehouse: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return run(
        "data_loading.load_all",
        "--seeds",
        str(folder),
        "--reference",
        str(REFERENCE),
        *options,
        warehouse=warehouse,
    )


def load_in_process(
    table: str, path: Path, warehouse: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> tuple[int, str]:
    """What `load` runs, called in this process: the exit code and what it wrote to stderr.
    For the long tables of bad rows, which would otherwise start Python once per case."""
    monkeypatch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
    code = cli.alias(f"load_{table}", "load", table, argv=["--file", str(path)])
    return code, capsys.readouterr().err


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr}"
    return result.stdout


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every raw table's rows, sorted: what "unchanged" is compared against."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            table: sorted(
                con.execute(f"select * from raw.{table}").fetchall(),
                key=lambda row: str(row[0]),
            )
            for table in TABLES
        }


def csv_rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return make_dataset(tmp_path_factory.mktemp("tiny"), seed=3, scale=TINY_SCALE)


@pytest.fixture(scope="module")
def loaded_template(tiny: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse after init_db and load_all of the tiny dataset (copied by each test)."""
    warehouse = tmp_path_factory.mktemp("loaded") / "loaded.duckdb"
    ok(run("init_db", warehouse=warehouse))
    ok(load_all(tiny.folder, warehouse))
    return warehouse


@pytest.fixture
def loaded(loaded_template: Path, tmp_path: Path) -> Path:
    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(loaded_template, warehouse)
    return warehouse


# --- init_db ------------------------------------------------------------------------------


def test_init_db_creates_the_data_model_as_ddl(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    out = ok(run("init_db", warehouse=warehouse))
    assert f"created {len(TABLES)} tables in schema raw" in out

    with duckdb.connect(str(warehouse), config=dict(STORAGE_CONFIG)) as con:
        types = dict(
            con.execute(
                "select table_name || '.' || column_name, data_type from information_schema.columns"
                " where table_schema = 'raw'"
            ).fetchall()
        )
        expected_types = {"uuid": "UUID", "timestamp": "TIMESTAMP", "boolean": "BOOLEAN"}
        expected_types |= {"int": "INTEGER", "text": "VARCHAR", "date": "DATE"}
        for table, columns in TABLES.items():
            for column in columns:
                kind = column.type.split("(")[0]
                wanted = {"varchar": "VARCHAR", "numeric": "DECIMAL" + column.type[7:]}.get(
                    kind, expected_types.get(kind)
                )
                assert types[f"{table}.{column.name}"] == wanted, (table, column)
        constraints = con.execute(
            "select table_name, constraint_type, constraint_column_names from duckdb_constraints()"
            " where schema_name = 'raw'"
        ).fetchall()
        keys = {(t, c[0]) for t, kind, c in constraints if kind == "PRIMARY KEY"}
        assert keys == {(table, primary_key(table)) for table in TABLES}
        foreign = {(t, c[0]) for t, kind, c in constraints if kind == "FOREIGN KEY"}
        assert foreign == set(FOREIGN_KEYS)
        not_null = {(t, c[0]) for t, kind, c in constraints if kind == "NOT NULL"}
        assert not_null == {
            (table, column.name)
            for table, columns in TABLES.items()
            for column in columns
            if not column.nullable
        }
        # Defaults fill what an insert leaves out; a missing required value is refused.
        con.execute("begin transaction")
        account = "00000000-0000-0000-0000-000000000001"
        owner = "00000000-0000-0000-0000-000000000004"
        con.execute("insert into raw.accounts (account_id, name) values (?, 'Acme')", [account])
        con.execute("insert into raw.users (user_id, name) values (?, 'Owner')", [owner])
        con.execute(
            "insert into raw.opportunities (opportunity_id, account_id, owner_id) values (?, ?, ?)",
            ["00000000-0000-0000-0000-000000000002", account, owner],
        )
        assert con.execute("select created_at is not null from raw.accounts").fetchone() == (True,)
        assert con.execute(
            "select currency, is_closed, created_at is not null from raw.opportunities"
        ).fetchone() == ("USD", False, True)
        with pytest.raises(duckdb.ConstraintException):
            con.execute(
                "insert into raw.leads (lead_id, created_at, account_id) values (?, null, ?)",
                ["00000000-0000-0000-0000-000000000003", account],
            )
        con.execute("rollback")


def test_init_db_again_changes_nothing_and_force_warns(loaded: Path) -> None:
    before = snapshot(loaded)
    again = run("init_db", warehouse=loaded)
    assert "already initialised" in ok(again)
    assert "nothing changed" in again.stdout
    assert snapshot(loaded) == before

    forced = run("init_db", "--force", warehouse=loaded)
    ok(forced)
    assert "warning: --force drops every raw table" in forced.stderr
    assert f"and their {sum(map(len, before.values())):,} rows" in forced.stdout
    assert all(rows == [] for rows in snapshot(loaded).values())


def test_init_db_refuses_tables_dbt_seed_made_until_forced(tiny: Dataset, tmp_path: Path):
    """dbt seed's tables have no constraints: init_db must not mistake them for its own."""
    warehouse = tmp_path / "wh.duckdb"
    with duckdb.connect(str(warehouse), config=dict(STORAGE_CONFIG)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.accounts (account_id uuid, name varchar)")
        con.execute("insert into raw.accounts values (uuid(), 'kept')")
    refused = run("init_db", warehouse=warehouse)
    assert refused.returncode == 1
    assert "first: raw.accounts" in refused.stderr
    assert "--force" in refused.stderr
    loader_refused = load("accounts", tiny.path("accounts"), warehouse)
    assert loader_refused.returncode == 1
    assert "raw.accounts was not created by init_db" in loader_refused.stderr
    ok(run("init_db", "--force", warehouse=warehouse))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sql = con.execute(
            "select sql from duckdb_tables() where schema_name = 'raw' and table_name = 'accounts'"
        ).fetchone()[0]
    assert "PRIMARY KEY" in sql


def test_init_db_drop_makes_room_for_dbt_seed(loaded: Path) -> None:
    dropped = run("init_db", "--drop", warehouse=loaded)
    assert f"dropped {len(TABLES)} raw tables" in ok(dropped)
    assert "warning: --drop" in dropped.stderr
    with duckdb.connect(str(loaded), read_only=True) as con:
        left = con.execute("select count(*) from duckdb_tables() where schema_name = 'raw'")
        assert left.fetchone() == (0,)
    assert run("init_db", "--drop", "--force", warehouse=loaded).returncode == 2


# --- loading ------------------------------------------------------------------------------


def test_each_loader_loads_its_file_in_dependency_order(tiny: Dataset, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    ok(run("init_db", warehouse=warehouse))
    for table in TABLES:
        out = ok(load(table, tiny.path(table), warehouse))
        assert out.startswith(f"raw.{table}: {len(tiny.frame(table)):,} rows from ")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in TABLES:
            keys = {
                str(key)
                for (key,) in con.execute(
                    f"select {primary_key(table)} from raw.{table}"
                ).fetchall()
            }
            assert keys == set(tiny.frame(table)[primary_key(table)]), table


def test_load_all_fills_raw_and_reference(loaded: Path, tiny: Dataset) -> None:
    with duckdb.connect(str(loaded), read_only=True) as con:
        for table in TABLES:
            count = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
            assert count == len(tiny.frame(table)), table
        for name in loader.REFERENCE_SEEDS:
            expected = len(csv_rows(REFERENCE / f"{name}.csv")) - 1
            assert con.execute(f"select count(*) from reference.{name}").fetchone() == (expected,)
        kinds = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'reference' and table_name = 'fx_rates'"
            ).fetchall()
        )
    assert kinds == {"currency_code": "VARCHAR", "rate_to_usd": "DECIMAL(12,6)"}


def test_loading_twice_leaves_the_same_rows(loaded: Path, tiny: Dataset) -> None:
    before = snapshot(loaded)
    ok(load_all(tiny.folder, loaded))
    assert snapshot(loaded) == before
    for table in TABLES:  # parents with children loaded take the in-place path
        ok(load(table, tiny.path(table), loaded))
    assert snapshot(loaded) == before


def test_reloading_a_referenced_parent_updates_it_in_place(
    loaded: Path, tiny: Dataset, tmp_path: Path
) -> None:
    """Contacts reference leads: a changed email is updated, a changed foreign key refused."""
    with duckdb.connect(str(loaded), read_only=True) as con:
        lead = con.execute(
            "select cast(l.lead_id as varchar) from raw.leads as l inner join raw.contacts as c "
            "on c.lead_id = l.lead_id where l.account_id is not null order by 1 limit 1"
        ).fetchone()[0]
    original = csv_rows(tiny.path("leads"))
    line = next(number for number, row in enumerate(original, 1) if row[0] == lead)
    email = column_names("leads").index("email")
    account = column_names("leads").index("account_id")

    edited = [list(row) for row in original]
    edited[line - 1][email] = "changed@example.com"
    ok(load("leads", write_rows(tmp_path / "leads.csv", edited), loaded))
    with duckdb.connect(str(loaded), read_only=True) as con:
        found = con.execute("select email from raw.leads where lead_id = ?", [lead]).fetchone()
    assert found == ("changed@example.com",)

    before = snapshot(loaded)
    edited[line - 1][account] = ""
    moved = load("leads", write_rows(tmp_path / "moved.csv", edited), loaded)
    assert moved.returncode == 1
    assert f"moved.csv:{line}: column account_id: changes the foreign key" in moved.stderr
    assert "raw.contacts" in moved.stderr
    assert "load_all" in moved.stderr
    assert snapshot(loaded) == before


def test_reloading_a_parent_without_rows_its_children_reference_is_refused(
    loaded: Path, tiny: Dataset, tmp_path: Path
) -> None:
    before = snapshot(loaded)
    fewer = write_rows(tmp_path / "accounts.csv", csv_rows(tiny.path("accounts"))[:5])
    refused = load("accounts", fewer, loaded)
    assert refused.returncode == 1
    assert "cannot replace raw.accounts: raw.leads.account_id references" in refused.stderr
    assert snapshot(loaded) == before


def test_load_generates_the_default_dataset_when_seeds_has_none(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    ok(run("init_db", warehouse=warehouse))
    out = ok(run("data_loading.load_accounts", warehouse=warehouse))
    assert "no seed CSVs in seeds/: generating the default dataset first" in out
    assert all((tmp_path / "seeds" / f"{table}.csv").is_file() for table in TABLES)
    assert "raw.accounts: 2,000 rows from seeds/accounts.csv" in out

    (tmp_path / "seeds" / "leads.csv").unlink()
    missing = run("data_loading.load_leads", warehouse=warehouse)
    assert missing.returncode == 1
    assert "seeds/leads.csv: not found (other seed files exist" in missing.stderr


def test_a_file_without_the_optional_service_start_date_still_loads(
    tiny: Dataset, loaded: Path, tmp_path: Path
) -> None:
    """billing_orders files written before service_start_date existed load, with nulls; a file
    missing a required column is still refused."""
    rows = csv_rows(tiny.path("billing_orders"))
    assert rows[0][-1] == "service_start_date"
    old = write_rows(tmp_path / "billing_orders.csv", [row[:-1] for row in rows])
    out = ok(load("billing_orders", old, loaded))
    assert out.startswith(f"raw.billing_orders: {len(rows) - 1:,} rows from ")
    with duckdb.connect(str(loaded), read_only=True) as con:
        assert con.execute(
            "select count(*), count(service_start_date) from raw.billing_orders"
        ).fetchone() == (len(rows) - 1, 0)
    short = write_rows(tmp_path / "short.csv", [row[:-2] for row in rows])
    refused = load("billing_orders", short, loaded)
    assert refused.returncode == 1
    assert f"{short}:1: column term_months: missing from the header" in refused.stderr


# --- bad rows -----------------------------------------------------------------------------

Edit = Callable[[list[list[str]]], None]


def _set(row: int, column: str, value: str, table: str) -> Edit:
    """Set one field of data row ``row`` (0-based; file line row + 2)."""

    def edit(rows: list[list[str]]) -> None:
        rows[row + 1][column_names(table).index(column)] = value

    return edit


def _duplicate(row: int) -> Edit:
    def edit(rows: list[list[str]]) -> None:
        rows.append(list(rows[row + 1]))

    return edit


def _rename_header(column: str, to: str) -> Edit:
    def edit(rows: list[list[str]]) -> None:
        rows[0][rows[0].index(column)] = to

    return edit


def _fields(row: int, change: int) -> Edit:
    """Drop fields from (change < 0) or add empty fields to (change > 0) data row ``row``."""

    def edit(rows: list[list[str]]) -> None:
        record = rows[row + 1]
        rows[row + 1] = record[:change] if change < 0 else record + [""] * change

    return edit


ORPHAN = "00000000-0000-4000-8000-00000000beef"

# (table, edit, line or None for "one past the last", column, rule as printed)
BAD_ROWS = {
    "duplicate key": (
        "accounts",
        _duplicate(3),
        None,
        "account_id",
        "duplicate primary key (first on line 5)",
    ),
    "missing parent": (
        "leads",
        _set(6, "account_id", ORPHAN, "leads"),
        8,
        "account_id",
        "foreign key: no accounts.account_id with this value (load accounts first)",
    ),
    "wrong type": (
        "opportunities",
        _set(2, "amount", "12 500", "opportunities"),
        4,
        "amount",
        "not a valid numeric(15,2) ('12 500')",
    ),
    "not a whole number": (
        "activities",
        _set(9, "duration_seconds", "1.5", "activities"),
        11,
        "duration_seconds",
        "not a valid int ('1.5')",
    ),
    "bad timestamp": (
        "billing_orders",
        _set(0, "order_date", "2025-02-30 10:00:00", "billing_orders"),
        2,
        "order_date",
        "not a valid timestamp",
    ),
    "bad date": (
        "billing_orders",
        _set(1, "service_start_date", "2025-02-30", "billing_orders"),
        3,
        "service_start_date",
        "not a valid date ('2025-02-30')",
    ),
    "time of day in a date": (
        "billing_orders",
        _set(2, "service_start_date", "2025-02-03 10:00:00", "billing_orders"),
        4,
        "service_start_date",
        "not a valid date ('2025-02-03 10:00:00')",
    ),
    "missing required value": (
        "leads",
        _set(4, "created_at", "", "leads"),
        6,
        "created_at",
        "required value missing (NOT NULL) (empty)",
    ),
    "too long": (
        "accounts",
        _set(1, "region", "x" * 101, "accounts"),
        3,
        "region",
        "longer than 100 characters",
    ),
    "more decimals than the scale": (
        "opportunities",
        _set(2, "amount", "12.345", "opportunities"),
        4,
        "amount",
        "more than 2 decimals for numeric(15,2) ('12.345')",
    ),
    "more decimals than a small scale": (
        "opportunities",
        _set(5, "stage_probability", "123.456", "opportunities"),
        7,
        "stage_probability",
        "more than 2 decimals for numeric(5,2) ('123.456')",
    ),
    "more integer digits than the precision": (
        "marketing_events",
        _set(3, "cost", "123456789.5", "marketing_events"),
        5,
        "cost",
        "more than 8 integer digits for numeric(10,2) ('123456789.5')",
    ),
    "an exponent": (
        "billing_orders",
        _set(1, "amount", "1.2345e2", "billing_orders"),
        3,
        "amount",
        "not a valid numeric(15,2) ('1.2345e2')",
    ),
    "time zone offset": (
        "activities",
        _set(4, "occurred_at", "2024-01-01 10:00:00+05", "activities"),
        6,
        "occurred_at",
        "time zone offset not allowed in timestamp ('2024-01-01 10:00:00+05')",
    ),
    "UTC designator": (
        "opportunity_stage_history",
        _set(2, "entered_at", "2024-01-01T10:00:00Z", "opportunity_stage_history"),
        4,
        "entered_at",
        "time zone offset not allowed in timestamp ('2024-01-01T10:00:00Z')",
    ),
    "wrong header": (
        "contacts",
        _rename_header("geo", "country"),
        1,
        "country",
        "not a column of contacts in the data model",
    ),
    # more characters than the limit: found while the fields are counted
    "field over the byte limit": (
        "opportunity_stage_history",
        _set(3, "notes", "x" * (FIELD_BYTES + 1), "opportunity_stage_history"),
        5,
        "notes",
        f"field longer than {FIELD_BYTES:,} bytes ('xxxxxxxx",
    ),
    # fewer characters than the limit but more bytes in UTF-8: found by the SQL checks
    "multi-byte field over the byte limit": (
        "opportunity_stage_history",
        _set(6, "notes", "é" * (FIELD_BYTES // 2 + 1), "opportunity_stage_history"),
        8,
        "notes",
        f"field longer than {FIELD_BYTES:,} bytes ('éééééééé",
    ),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_a_bad_row_fails_the_load_naming_file_line_column_and_rule(
    case: str, loaded: Path, tiny: Dataset, tmp_path: Path, monkeypatch, capsys
) -> None:
    table, edit, line, column, rule = BAD_ROWS[case]
    rows = csv_rows(tiny.path(table))
    edit(rows)
    bad = write_rows(tmp_path / f"bad_{table}.csv", rows)
    line = line or len(rows)
    before = snapshot(loaded)
    code, stderr = load_in_process(table, bad, loaded, monkeypatch, capsys)
    assert code == 1, stderr
    assert stderr.startswith(f"load_{table}: error: {bad}:{line}: column {column}: {rule}")
    assert stderr.count("\n") == 1  # one line
    assert snapshot(loaded) == before


def _blank_line(row: int) -> Edit:
    def edit(rows: list[list[str]]) -> None:
        rows.insert(row + 1, [])

    return edit


ACCOUNTS, LEADS = len(column_names("accounts")), len(column_names("leads"))

# (table, edits, line, what the message says after "<file>:<line>: ")
FIELD_COUNTS = {
    "too few": ("accounts", [_fields(1, -1)], 3, f"{ACCOUNTS - 1} fields, expected {ACCOUNTS}"),
    "too many, counted": (
        "leads",
        [_fields(4, 2), _fields(7, 1)],
        6,
        f"{LEADS + 2} fields, expected {LEADS}: every row needs one field per column of the "
        "header; 1 more rows break this rule",
    ),
    # DuckDB's reader would drop a single trailing empty field and skip a blank line silently
    "one trailing empty field": ("leads", [_fields(2, 1)], 4, f"{LEADS + 1} fields"),
    "blank line": (
        "accounts",
        [_blank_line(3)],
        5,
        f"0 fields (an empty line), expected {ACCOUNTS}",
    ),
}


@pytest.mark.parametrize("case", FIELD_COUNTS, ids=list(FIELD_COUNTS))
def test_a_row_with_the_wrong_number_of_fields_names_its_line(
    case: str, loaded: Path, tiny: Dataset, tmp_path: Path, monkeypatch, capsys
) -> None:
    table, edits, line, message = FIELD_COUNTS[case]
    rows = csv_rows(tiny.path(table))
    for edit in edits:
        edit(rows)
    bad = write_rows(tmp_path / f"bad_{table}.csv", rows)
    before = snapshot(loaded)
    code, stderr = load_in_process(table, bad, loaded, monkeypatch, capsys)
    assert code == 1, stderr
    assert stderr.startswith(f"load_{table}: error: {bad}:{line}: {message}")
    assert "every row needs one field per column of the header" in stderr
    assert stderr.count("\n") == 1
    assert snapshot(loaded) == before


def test_a_file_with_a_utf8_byte_order_mark_loads_the_same_rows(
    loaded: Path, tiny: Dataset, tmp_path: Path
) -> None:
    """Spreadsheet programs start a UTF-8 CSV with a byte-order mark: it is not part of the
    first column's name (here a quoted one, as the generator writes it)."""
    warehouse = tmp_path / "fresh.duckdb"
    ok(run("init_db", warehouse=warehouse))
    original = tiny.path("accounts").read_bytes()
    assert original.startswith(b'"account_id",')
    marked = tmp_path / "accounts.csv"
    marked.write_bytes(b"\xef\xbb\xbf" + original)
    out = ok(load("accounts", marked, warehouse))
    assert out.startswith(f"raw.accounts: {len(tiny.frame('accounts')):,} rows from {marked}")
    assert snapshot(warehouse)["accounts"] == snapshot(loaded)["accounts"]


def _header_only(source: Path, target: Path) -> Path:
    return write_rows(target, csv_rows(source)[:1])


def test_a_header_only_file_is_refused_unless_allow_empty(
    loaded: Path, tiny: Dataset, tmp_path: Path
) -> None:
    """An empty export must not silently empty a table; --allow-empty says it is meant."""
    empty = _header_only(tiny.path("activities"), tmp_path / "activities.csv")
    before = snapshot(loaded)
    assert before["activities"]
    refused = load("activities", empty, loaded)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"load_activities: error: {empty}: a header and no rows: loading it would empty "
        "raw.activities; pass --allow-empty if that is meant\n"
    )
    assert snapshot(loaded) == before

    out = ok(load("activities", empty, loaded, "--allow-empty"))
    assert out.startswith(f"raw.activities: 0 rows from {empty}")
    assert snapshot(loaded) == {**before, "activities": []}
    assert "--allow-empty" in ok(run("data_loading.load_activities", "--help", warehouse=loaded))


def test_load_all_refuses_a_header_only_file_unless_allow_empty(
    loaded: Path, tiny: Dataset, tmp_path: Path
) -> None:
    folder = tmp_path / "seeds"
    shutil.copytree(tiny.folder, folder)
    _header_only(tiny.path("marketing_events"), folder / "marketing_events.csv")
    before = snapshot(loaded)
    refused = load_all(folder, loaded)
    assert refused.returncode == 1
    assert refused.stderr == (
        f"load_all: error: {folder / 'marketing_events.csv'}: a header and no rows: loading it "
        "would empty raw.marketing_events; pass --allow-empty if that is meant\n"
    )
    assert snapshot(loaded) == before

    out = ok(load_all(folder, loaded, "--allow-empty"))
    assert "raw.marketing_events: 0 rows" in out
    assert snapshot(loaded) == {**before, "marketing_events": []}
    assert "--allow-empty" in ok(run("data_loading.load_all", "--help", warehouse=loaded))


def test_a_long_note_loads_up_to_the_field_limit(
    loaded: Path, tiny: Dataset, tmp_path: Path
) -> None:
    """Far past the csv module's default 128 KiB, up to the limit in bytes (ASCII or not), in
    rows longer than DuckDB's reader's default line limit."""
    table = "opportunity_stage_history"
    rows = csv_rows(tiny.path(table))
    notes = column_names(table).index("notes")
    long_notes = ["n" * 200 * 1024, "x" * FIELD_BYTES, "é" * (FIELD_BYTES // 2)]
    for row, note in enumerate(long_notes, 1):
        rows[row][notes] = note
    out = ok(load(table, write_rows(tmp_path / f"{table}.csv", rows), loaded))
    assert out.startswith(f"raw.{table}: {len(rows) - 1:,} rows from ")
    with duckdb.connect(str(loaded), read_only=True) as con:
        found = con.execute(
            f"select notes from raw.{table} where stage_history_id in (?, ?, ?)",
            [rows[row][0] for row in range(1, 4)],
        ).fetchall()
    assert sorted(note for (note,) in found) == sorted(long_notes)


def test_loading_out_of_order_names_the_parent_to_load_first(tiny: Dataset, tmp_path: Path):
    warehouse = tmp_path / "wh.duckdb"
    ok(run("init_db", warehouse=warehouse))
    result = load("contacts", tiny.path("contacts"), warehouse)
    assert result.returncode == 1
    assert ": column lead_id: foreign key: no leads.lead_id with this value (load leads first)" in (
        result.stderr
    )
    assert "more rows break this rule" in result.stderr
    assert all(rows == [] for rows in snapshot(warehouse).values())


def test_load_all_checks_every_file_before_changing_any_table(
    loaded: Path, tiny: Dataset, tmp_path: Path
) -> None:
    """A bad row in the last file (billing orders) leaves even the first table untouched."""
    folder = tmp_path / "seeds"
    shutil.copytree(tiny.folder, folder)
    rows = csv_rows(folder / "accounts.csv")
    rows[1][column_names("accounts").index("name")] = "Renamed Inc"
    write_rows(folder / "accounts.csv", rows)
    rows = csv_rows(folder / "billing_orders.csv")
    rows[3][column_names("billing_orders").index("opportunity_id")] = ORPHAN
    write_rows(folder / "billing_orders.csv", rows)
    before = snapshot(loaded)
    result = load_all(folder, loaded)
    assert result.returncode == 1
    assert "billing_orders.csv:4: column opportunity_id: foreign key" in result.stderr
    assert "not in the opportunities file loaded with it" in result.stderr
    assert snapshot(loaded) == before


def reference_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            name: sorted(map(str, con.execute(f"select * from reference.{name}").fetchall()))
            for name in loader.REFERENCE_SEEDS
        }


@pytest.mark.parametrize("failure", ["constraint", "interrupt"])
def test_load_all_past_the_checks_is_one_transaction(
    failure: str,
    loaded: Path,
    tiny: Dataset,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A failure while filling the last raw table undoes the reference and every raw table.

    The files differ from what is loaded (a renamed account, a changed FX rate), so a table
    replaced before the failure would show. The failure comes after the checks: a constraint
    they do not know (added to billing_orders' DDL) or Ctrl-C during its insert.
    """
    folder = tmp_path / "seeds"
    shutil.copytree(tiny.folder, folder)
    rows = csv_rows(folder / "accounts.csv")
    rows[1][column_names("accounts").index("name")] = "Renamed Inc"
    write_rows(folder / "accounts.csv", rows)
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE, reference)
    rates = csv_rows(reference / "fx_rates.csv")
    rates[1][1] = "9.5"
    write_rows(reference / "fx_rates.csv", rates)
    before, before_reference = snapshot(loaded), reference_snapshot(loaded)

    create_table_sql = loader.create_table_sql
    recreate = loader._recreate

    def failing_ddl(table: str) -> str:
        ddl = create_table_sql(table)
        return ddl[:-2] + ",\n    check (amount < 0)\n)" if table == "billing_orders" else ddl

    def interrupted(con, table: str, typed: str, path: Path) -> int:
        if table == "billing_orders":
            raise KeyboardInterrupt
        return recreate(con, table, typed, path)

    if failure == "constraint":
        monkeypatch.setattr(loader, "create_table_sql", failing_ddl)
        expected: type[BaseException] = loader.LoadError
    else:
        monkeypatch.setattr(loader, "_recreate", interrupted)
        expected = KeyboardInterrupt
    with duckdb.connect(str(loaded), config=dict(STORAGE_CONFIG)) as con:
        with pytest.raises(expected) as raised:
            loader.load_all(con, folder, reference)
        assert con.execute("select count(*) from raw.accounts").fetchone()[0] == len(
            before["accounts"]
        )
    if failure == "constraint":
        assert "billing_orders.csv: cannot load raw.billing_orders: Constraint Error" in str(
            raised.value
        )
        assert str(raised.value).endswith("; no table was changed")
    assert snapshot(loaded) == before
    assert reference_snapshot(loaded) == before_reference
    monkeypatch.undo()  # the real DDL again: the warehouse is still init_db's and loadable
    args = ("--seeds", str(folder), "--reference", str(reference))
    ok(run("data_loading.load_all", *args, warehouse=loaded))
    with duckdb.connect(str(loaded), read_only=True) as con:
        renamed = con.execute("select count(*) from raw.accounts where name = 'Renamed Inc'")
        assert renamed.fetchone() == (1,)
        rate = con.execute("select max(rate_to_usd) from reference.fx_rates").fetchone()[0]
    assert float(rate) == 9.5


def test_a_failing_insert_rolls_the_table_back(loaded: Path, tiny: Dataset) -> None:
    """Past the checks, the replacement is one transaction: a failure mid-way restores the rows.

    The checks normally catch duplicates; here they are bypassed, so DuckDB's own primary key
    stops the insert after the delete, and the delete must be undone.
    """
    before = snapshot(loaded)
    with duckdb.connect(str(loaded), config=dict(STORAGE_CONFIG)) as con:
        text = loader.stage(con, "activities", tiny.path("activities"))
        casts = ", ".join(
            f"cast({column.name} as {column.type}) as {column.name}"
            for column in TABLES["activities"]
        )
        con.execute(
            f"create temp table doubled as select {casts}, rowid + 2 as _line from {text} "
            f"union all select {casts}, 99999 as _line from {text} where rowid = 0"
        )
        with pytest.raises(loader.LoadError, match=r"raw\.activities unchanged"):
            loader.replace_rows(con, "activities", "doubled", tiny.path("activities"))
        assert con.execute("select count(*) from raw.activities").fetchone()[0] == len(
            before["activities"]
        )
    assert snapshot(loaded) == before


def test_bad_options_and_an_uninitialised_warehouse(tiny: Dataset, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    missing = load("accounts", tmp_path / "nope.csv", warehouse)
    assert (missing.returncode, missing.stderr) == (
        2,
        f"load_accounts: error: --file {tmp_path / 'nope.csv'}: no such file\n",
    )
    unknown = run("data_loading.load_all", "--bogus", warehouse=warehouse)
    assert unknown.returncode == 2
    assert "unrecognized arguments: --bogus" in unknown.stderr
    first = load("accounts", tiny.path("accounts"), warehouse)
    assert first.returncode == 1
    assert "raw.accounts does not exist: run salespipeline init-db first" in first.stderr


# --- the older commands are aliases of the verbs -----------------------------------------


def _same_text(text: str, warehouse: Path, other: Path) -> str:
    """Output with the warehouse's path and the timings made alike."""
    text = text.replace(str(warehouse), "<warehouse>").replace(str(other), "<warehouse>")
    return re.sub(r"in [0-9.]+ s( \([0-9,]+ rows/s\))?", "in <time>", text)


def test_an_alias_and_its_verb_leave_the_same_rows_and_say_the_same(
    tiny: Dataset, tmp_path: Path
) -> None:
    by_alias = tmp_path / "alias" / "wh.duckdb"
    by_verb = tmp_path / "verb" / "wh.duckdb"
    by_alias.parent.mkdir()
    by_verb.parent.mkdir()

    def both(alias_result, verb_result) -> None:
        assert alias_result.returncode == verb_result.returncode, alias_result.stderr
        assert _same_text(alias_result.stdout, by_alias, by_verb) == _same_text(
            verb_result.stdout, by_verb, by_alias
        )

    both(run("init_db", warehouse=by_alias), verb("init-db", warehouse=by_verb))
    for table in ("users", "accounts"):
        both(
            load(table, tiny.path(table), by_alias),
            verb("load", table, "--file", str(tiny.path(table)), warehouse=by_verb),
        )
    assert snapshot(by_alias) == snapshot(by_verb)
    assert snapshot(by_verb)["accounts"]
    both(
        load_all(tiny.folder, by_alias),
        verb(
            "load",
            "all",
            "--seeds",
            str(tiny.folder),
            "--reference",
            str(REFERENCE),
            warehouse=by_verb,
        ),
    )
    assert snapshot(by_alias) == snapshot(by_verb)
    both(run("init_db", "--drop", warehouse=by_alias), verb("init-db", "--drop", warehouse=by_verb))
    for warehouse in (by_alias, by_verb):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            left = con.execute("select count(*) from duckdb_tables() where schema_name = 'raw'")
            assert left.fetchone() == (0,)

    # The same errors and exit codes, under each command's own name.
    missing = tmp_path / "nope.csv"
    refused = load("accounts", missing, by_alias)
    assert (refused.returncode, refused.stderr) == (
        2,
        f"load_accounts: error: --file {missing}: no such file\n",
    )
    refused = verb("load", "accounts", "--file", str(missing), warehouse=by_verb)
    assert (refused.returncode, refused.stderr) == (
        2,
        f"salespipeline: error: --file {missing}: no such file\n",
    )
    forced = run("init_db", "--force", "--drop", warehouse=by_alias)
    assert forced.returncode == 2
    assert forced.stderr.startswith("init_db: error: argument --drop: not allowed with")
    forced = verb("init-db", "--force", "--drop", warehouse=by_verb)
    assert forced.returncode == 2
    assert forced.stderr.startswith("salespipeline: error: argument --drop: not allowed with")
