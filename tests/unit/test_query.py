"""`salespipeline query`: read-only SQL on the warehouse, as a table, CSV or JSON.

A small hand-made warehouse stands in for dbt's (the command does not care what built it), so
these tests need no dbt build. The command runs in-process; the lock test starts a second
process that holds the file, as a running `dbt build` would, and the streaming test runs the
command in its own process to measure its memory.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
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


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the warehouse with files a query must not read or add to: text, CSV,
    Parquet and another DuckDB database."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text("not for the query\n")
    (folder / "accounts.csv").write_text("account_id,name\n1,Acme\n")
    with duckdb.connect() as scratch:
        scratch.execute(f"copy (select 1 as account_id) to '{folder / 'accounts.parquet'}'")
    with duckdb.connect(str(folder / "other.duckdb")) as other:
        other.execute("create table accounts as select 1 as account_id")
    return folder


def snapshot(*folders: Path) -> dict[Path, bytes]:
    """Every file under `folders` with its content, to show that nothing was added or changed."""
    return {
        path: path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# Each statement reaches past the warehouse: writes a file, reads one, installs or loads an
# extension, goes to the network, attaches another database, or turns access back on. The URLs
# point at a closed local port, so that even a failure of the restrictions stays on this machine.
REFUSED = {
    "copy_to_file": "copy (select 1 as x) to '{outside}/copied.csv'",
    "copy_table_to_parquet": "copy marts.sample to '{outside}/sample.parquet' (format parquet)",
    "copy_over_an_existing_file": "copy (select 2 as x) to '{outside}/accounts.csv'",
    "export_database": "export database '{outside}/export'",
    "install_extension": "install httpfs from 'http://127.0.0.1:9'",
    "load_extension": "load httpfs",
    "select_from_url": "select * from 'https://127.0.0.1:9/accounts.csv'",
    "read_csv_from_url": "select * from read_csv('http://127.0.0.1:9/accounts.csv')",
    "read_text": "select * from read_text('{outside}/secret.txt')",
    "read_text_system_file": "select * from read_text('/etc/passwd')",
    "read_csv": "select * from read_csv('{outside}/accounts.csv')",
    "select_from_file_path": "select * from '{outside}/accounts.csv'",
    "read_parquet": "select * from read_parquet('{outside}/accounts.parquet')",
    "glob": "select * from glob('{outside}/*')",
    "glob_root": "select * from glob('/*')",
    "attach_other_database": "attach '{outside}/other.duckdb' as other",
    "attach_new_database": "attach '{outside}/new.duckdb' as new",
    "set_external_access_on": "set enable_external_access = true",
    "reset_external_access": "reset enable_external_access",
    "unlock_configuration": "set lock_configuration = false",
    "allow_autoload": "set autoload_known_extensions = true",
}


@pytest.mark.parametrize("sql", list(REFUSED.values()), ids=list(REFUSED))
def test_files_extensions_network_and_other_databases_are_refused(
    warehouse: Path, outside: Path, capsys, sql: str
) -> None:
    before = snapshot(outside, warehouse.parent)
    code, out, err = run(capsys, sql.format(outside=outside), "--warehouse", str(warehouse))
    assert code == 1
    assert out == ""
    assert err.startswith("salespipeline: error: query refused: "), err
    assert err.count("\n") == 1, f"one line: {err!r}"
    assert "(DuckDB: " in err, "DuckDB's own reason follows"
    assert "not for the query" not in err
    assert snapshot(outside, warehouse.parent) == before, "nothing written, nothing replaced"


@pytest.mark.parametrize("output", ["table", "csv", "json"])
def test_refusal_is_the_same_in_every_format(
    warehouse: Path, outside: Path, capsys, output: str
) -> None:
    code, out, err = run(
        capsys,
        f"select * from read_csv('{outside}/accounts.csv')",
        "--format",
        output,
        "--warehouse",
        str(warehouse),
    )
    assert code == 1
    assert out == ""
    assert err.startswith(
        "salespipeline: error: query refused: the warehouse is opened read-only, without access "
        "to files, extensions or the network (DuckDB: Permission Error: "
    )
    assert err.count("\n") == 1


def test_the_warehouse_itself_is_still_readable(warehouse: Path, outside: Path, capsys) -> None:
    """The restrictions leave the warehouse and DuckDB's built-in functions alone."""
    sql = (
        "select count(*) as n, max(to_json({'id': id})) as j from marts.sample"
        " where closed_at at time zone 'UTC' is not null"
    )
    code, out, err = run(capsys, sql, "--format", "csv", "--warehouse", str(warehouse))
    assert code == 0, err
    assert out.splitlines() == ["n,j", '2,"{""id"":333}"']


@pytest.mark.parametrize("sql", ["", "   ", "-- nothing", "/* nothing */", ";"])
def test_sql_without_a_statement_is_an_error(warehouse: Path, capsys, sql: str) -> None:
    code, out, err = run(capsys, sql, "--warehouse", str(warehouse))
    assert code == 1
    assert out == ""
    assert err == "salespipeline: error: nothing to run: the SQL is empty or only comments\n"


PEAK_MEMORY = """
import resource, sys
from salespipeline import cli
code = cli.main(sys.argv[1:])
sys.stdout.flush()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"peak-rss {peak * (1 if sys.platform == 'darwin' else 1024)}", file=sys.stderr)
sys.exit(code)
"""


def run_measured(tmp_path: Path, warehouse: Path, *args: str) -> tuple[Path, int]:
    """Run the command in its own process with stdout to a file; the file and its peak RSS."""
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}.txt"
    with out.open("w") as stream:
        done = subprocess.run(
            [sys.executable, "-c", PEAK_MEMORY, "query", *args, "--warehouse", str(warehouse)],
            stdout=stream,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    *messages, last = done.stderr.splitlines()
    assert done.returncode == 0, done.stderr
    assert messages == [], done.stderr
    assert last.startswith("peak-rss ")
    return out, int(last.split()[1])


@pytest.mark.parametrize(("output", "rows"), [("csv", 2_500_000), ("json", 1_000_000)])
def test_csv_and_json_stream_in_constant_memory(
    warehouse: Path, tmp_path: Path, output: str, rows: int
) -> None:
    """Memory must not grow with the result: holding the rows would take over 150 MB more
    (a Python tuple and int per row, and for JSON a dict and its text), streaming a few MB."""
    sql = "select range as n from range({rows})"
    _, small_peak = run_measured(tmp_path, warehouse, sql.format(rows=1_000), "--format", output)
    out, peak = run_measured(tmp_path, warehouse, sql.format(rows=rows), "--format", output)
    with out.open() as stream:
        first = stream.readline()
        lines = 1 + sum(1 for _ in stream)
    if output == "csv":
        assert first == "n\n"
        assert lines == rows + 1
    else:
        assert first == "[\n"
        assert lines == 3 * rows + 2, "a bracket on each end, three lines per record"
    growth = peak - small_peak
    assert growth < 50 * 2**20, f"peak RSS grew by {growth / 2**20:.0f} MB for {rows:,} rows"
