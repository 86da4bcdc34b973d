"""`salespipeline query`: read-only SQL on the warehouse, as a table, CSV or JSON.

A small hand-made warehouse stands in for dbt's (the command does not care what built it), so
these tests need no dbt build. The command runs in-process; the lock test starts a second
process that holds the file, as a running `dbt build` would.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from salespipeline import cli
from salespipeline.warehouse import connect


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse file with one mart of mixed column types (and awkward values)."""
    path = tmp_path_factory.mktemp("query") / "warehouse.duckdb"
    with connect(path) as connection:
        connection.execute("create schema marts")
        connection.execute(
            """
            create table marts.sample as
            select * from (values
                (1, 'web', 1234.50::decimal(18, 2), date '2024-01-31',
                 timestamp '2024-01-31 10:00:00', 0.1 + 0.2::double, true,
                 '00000000-0000-0000-0000-0000000000a1'::uuid),
                (22, 'two' || chr(10) || 'lines', -5.00::decimal(18, 2), null,
                 null, null, false, null),
                (333, null, null, date '2026-09-30', timestamp '2026-09-30 23:59:59',
                 1e-3::double, null, null)
            ) as t(id, label, amount_usd, closed_date, closed_at, ratio, is_won, account_id)
            order by id
            """
        )
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["query", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_table_aligns_columns_and_counts_rows(warehouse: Path, capsys) -> None:
    code, out, err = run(
        capsys, "select * from marts.sample order by id", "--warehouse", str(warehouse)
    )
    assert code == 0, err
    lines = out.splitlines()
    header, rule, *rows, footer = lines
    assert header.split() == [
        "id",
        "label",
        "amount_usd",
        "closed_date",
        "closed_at",
        "ratio",
        "is_won",
        "account_id",
    ]
    assert set(rule.replace(" ", "")) == {"-"}
    assert footer == "3 rows"
    assert len(rows) == 3
    # Numbers are right-aligned: the id column ends at the same place on every line.
    id_end = rule.index(" ")
    assert [row[:id_end] for row in rows] == ["  1", " 22", "333"]
    # Text is left-aligned, NULL is spelled out, a newline cannot break the row.
    assert rows[1][id_end:].lstrip().startswith("two\\nlines")
    assert rows[2].split()[1] == "NULL"
    assert "1234.50" in rows[0]
    assert "0.3 " in rows[0]
    assert "0.30000000000000004" not in out
    amount_end = header.index("amount_usd") + len("amount_usd")
    assert rows[1][:amount_end].endswith("-5.00")


def test_table_is_cut_at_max_rows_with_a_notice(warehouse: Path, capsys) -> None:
    sql = "select range as n from range(120)"
    code, out, _ = run(capsys, sql, "--warehouse", str(warehouse))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2 + 50 + 1, "50 rows by default"
    assert lines[-1] == "showing 50 of 120 rows (raise --max-rows, or 0 for all)"

    code, out, _ = run(capsys, sql, "--max-rows", "7", "--warehouse", str(warehouse))
    assert code == 0
    lines = out.splitlines()
    assert [line.strip() for line in lines[2:-1]] == [str(n) for n in range(7)]
    assert lines[-1].startswith("showing 7 of 120 rows")

    code, out, _ = run(capsys, sql, "--max-rows", "0", "--warehouse", str(warehouse))
    assert out.splitlines()[-1] == "120 rows"
    code, out, _ = run(capsys, "select 1 as one", "--warehouse", str(warehouse))
    assert out.splitlines()[-1] == "1 row"


def test_csv_output(warehouse: Path, capsys) -> None:
    code, out, err = run(
        capsys,
        "select * from marts.sample order by id",
        "--format",
        "csv",
        "--warehouse",
        str(warehouse),
    )
    assert code == 0, err
    assert err == ""
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    assert rows[0]["amount_usd"] == "1234.50"
    assert rows[0]["closed_date"] == "2024-01-31"
    assert rows[0]["closed_at"] == "2024-01-31 10:00:00"
    assert rows[0]["account_id"] == "00000000-0000-0000-0000-0000000000a1"
    assert rows[1]["label"] == "two\nlines", "quoted, not escaped: the csv module round-trips it"
    assert rows[1]["closed_date"] == "", "NULL is an empty field"
    assert rows[2]["label"] == ""


def test_json_output(warehouse: Path, capsys) -> None:
    code, out, err = run(
        capsys,
        "select * from marts.sample order by id",
        "--format",
        "json",
        "--warehouse",
        str(warehouse),
    )
    assert code == 0, err
    records = json.loads(out)
    assert isinstance(records, list)
    assert records[0] == {
        "id": 1,
        "label": "web",
        "amount_usd": 1234.5,
        "closed_date": "2024-01-31",
        "closed_at": "2024-01-31T10:00:00",
        "ratio": pytest.approx(0.3),
        "is_won": True,
        "account_id": "00000000-0000-0000-0000-0000000000a1",
    }
    assert records[1]["closed_date"] is None
    assert records[1]["label"] == "two\nlines"
    assert records[2]["amount_usd"] is None


def test_csv_and_json_keep_every_row_unless_told(warehouse: Path, capsys) -> None:
    sql = "select range as n from range(120)"
    code, out, err = run(capsys, sql, "--format", "json", "--warehouse", str(warehouse))
    assert code == 0
    assert len(json.loads(out)) == 120
    assert err == ""
    code, out, err = run(
        capsys, sql, "--format", "csv", "--max-rows", "5", "--warehouse", str(warehouse)
    )
    assert code == 0
    assert out.splitlines() == ["n", "0", "1", "2", "3", "4"], "the notice stays off stdout"
    assert err.strip() == "salespipeline: showing 5 of 120 rows (raise --max-rows, or 0 for all)"


@pytest.mark.parametrize(
    "sql",
    [
        "create table marts.scratch (a integer)",
        "insert into marts.sample (id) values (4)",
        "drop table marts.sample",
    ],
)
def test_write_statements_are_refused(warehouse: Path, capsys, sql: str) -> None:
    code, out, err = run(capsys, sql, "--warehouse", str(warehouse))
    assert code == 1
    assert out == ""
    assert err.startswith("salespipeline: error: the warehouse is opened read-only")
    assert err.count("\n") == 1
    with connect(warehouse, read_only=True) as connection:
        assert connection.execute("select count(*) from marts.sample").fetchone() == (3,)
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    assert tables == [("sample",)]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select * from marts.nope", "Catalog Error: Table with name nope does not exist!"),
        ("selec 1", 'Parser Error: syntax error at or near "selec"'),
        ("select 'a'::integer", "Conversion Error: Could not convert string 'a' to INT32"),
    ],
)
def test_sql_errors_are_one_line(warehouse: Path, capsys, sql: str, message: str) -> None:
    code, out, err = run(capsys, sql, "--warehouse", str(warehouse))
    assert code == 1
    assert out == ""
    assert err.startswith(f"salespipeline: error: {message}")
    assert err.count("\n") == 1, f"one line, without DuckDB's caret diagram: {err!r}"
    assert "LINE 1" not in err


def test_missing_warehouse_says_where_and_what_to_do(tmp_path: Path, capsys, monkeypatch) -> None:
    missing = tmp_path / "nowhere.duckdb"
    code, out, err = run(capsys, "select 1", "--warehouse", str(missing))
    assert code == 1
    assert out == ""
    assert err == (
        f"salespipeline: error: no warehouse at {missing}: run `make run` first "
        "(or point --warehouse or SALESPIPELINE_DUCKDB at one)\n"
    )
    # Without --warehouse, the path comes from the environment, as for dbt's profile.
    monkeypatch.setenv("SALESPIPELINE_DUCKDB", str(missing))
    code, _, err = run(capsys, "select 1")
    assert code == 1
    assert f"no warehouse at {missing}:" in err
    assert not missing.exists(), "a read-only command must not create the file"


def test_the_warehouse_from_the_environment_is_used(warehouse: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
    code, out, _ = run(capsys, "select count(*) as n from marts.sample", "--format", "csv")
    assert code == 0
    assert out.splitlines() == ["n", "3"]


HOLD_LOCK = """
import sys, time
from pathlib import Path
from salespipeline.warehouse import connect
connection = connect(Path(sys.argv[1]))  # writable, like dbt during a build
print("locked", flush=True)
time.sleep(60)
"""


@pytest.fixture
def locked(warehouse: Path):
    """Another process holding the warehouse's write lock until the test ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=30)


@pytest.mark.parametrize("command", ["query", "report"])
def test_a_locked_warehouse_says_retry(
    warehouse: Path, locked: subprocess.Popen, tmp_path: Path, capsys, command: str
) -> None:
    args = ["select 1"] if command == "query" else ["--out", str(tmp_path / "report.html")]
    code = cli.main([command, *args, "--warehouse", str(warehouse)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err == (
        f"salespipeline: error: the warehouse {warehouse} is locked by another process "
        f"(PID {locked.pid}), most likely a dbt build writing to it: retry when it finishes\n"
    )
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["select 1", "--max-rows", "-1"], "argument --max-rows: must be 0 (no limit) or more: -1"),
        (["select 1", "--max-rows", "ten"], "argument --max-rows: not a whole number: 'ten'"),
        (["select 1", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
        ([], "the following arguments are required: sql"),
    ],
)
def test_usage_errors_exit_2(capsys, args: list[str], message: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["query", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"salespipeline: error: {message}")
    assert err.count("\n") == 1


def test_json_writes_every_decimal_as_an_exact_number(warehouse: Path, capsys) -> None:
    """A decimal a double cannot hold is still a JSON number, with all its digits, so a column
    never mixes numbers and strings and an exact reader gets the warehouse's value back."""
    sql = (
        "select * from (values (12345678901234567.89::decimal(38, 2)), (1.50::decimal(38, 2)),"
        " (null)) as t(amount) order by amount nulls last"
    )
    code, out, err = run(capsys, sql, "--format", "json", "--warehouse", str(warehouse))
    assert code == 0, err
    assert '"amount": 12345678901234567.89' in out, "the decimal's own digits, unquoted"
    exact = json.loads(out, parse_float=Decimal)
    assert [row["amount"] for row in exact] == [
        Decimal("1.50"),
        Decimal("12345678901234567.89"),
        None,
    ]
    plain = json.loads(out)
    assert all(isinstance(row["amount"], float) for row in plain[:2]), "numbers, not strings"
