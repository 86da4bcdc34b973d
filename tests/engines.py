"""The other engines of profiles.yml in tests: a local PostgreSQL server and Spark in this
process, reading their relations back, comparing marts across engines, and mirroring an engine's
relations into a DuckDB file so that the checks written against DuckDB run on them unchanged.

An engine that cannot run here (no Java for Spark; PostgreSQL neither installed nor installable)
makes its tests skip with the reason, unless SALESPIPELINE_REQUIRE_ENGINES=1 (set by CI) turns
the skip into a failure.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from governance.rules import Project, primary_key_columns
from support import REPO_ROOT, connect_warehouse

ENGINES = ("spark", "postgres")
POSTGRES_SCRIPT = REPO_ROOT / "scripts" / "postgres.sh"
# The schemas the project writes (generate_schema_name: custom schema names as they are).
SCHEMAS = ("raw", "reference", "staging", "intermediate", "marts")

Rows = list[tuple[Any, ...]]
Fetch = Callable[[str], tuple[list[str], Rows]]


def unavailable(reason: str) -> None:
    """Skip the test with `reason`, or fail it where every engine must run (CI)."""
    if os.environ.get("SALESPIPELINE_REQUIRE_ENGINES") == "1":
        pytest.fail(f"{reason} (SALESPIPELINE_REQUIRE_ENGINES=1)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def needed_by(item: pytest.Item) -> set[str]:
    """The engines a collected test reads: those among its parameters' values."""
    callspec = getattr(item, "callspec", None)
    params = callspec.params.values() if callspec else ()
    return {value for value in params if isinstance(value, str) and value in ENGINES}


@contextmanager
def postgres_server() -> Iterator[tuple[dict[str, str], str | None]]:
    """A throwaway cluster of scripts/postgres.sh on a free loopback port. Yields the
    environment variables that point profiles.yml's `postgres` target at it, and why there is
    no server (None when it runs)."""
    folder = Path(tempfile.mkdtemp(prefix="salespipeline-postgres-"))
    # Under root the server runs as the `postgres` user, which must reach the cluster's folder.
    folder.chmod(0o755)
    env = {
        "SALESPIPELINE_PG_HOST": "127.0.0.1",
        "SALESPIPELINE_PG_PORT": str(free_port()),
        "SALESPIPELINE_PG_USER": "salespipeline",
        "SALESPIPELINE_PG_DATABASE": "salespipeline",
        "SALESPIPELINE_PG_DATA": str(folder / "data"),
        # No password, whatever the shell says: the throwaway cluster trusts loopback.
        "SALESPIPELINE_PG_PASSWORD": "",
    }
    started = subprocess.run(
        [str(POSTGRES_SCRIPT), "start"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    problem = None
    if started.returncode != 0:
        problem = f"no PostgreSQL server: {started.stderr.strip() or started.stdout.strip()}"
    try:
        yield env, problem
    finally:
        subprocess.run(
            [str(POSTGRES_SCRIPT), "stop"],
            env={**os.environ, **env},
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


class BackgroundBuild:
    """`dbt seed` then `dbt build` of a project on an engine, in a process of its own, so that
    it runs beside the tests that need only DuckDB; `wait` blocks until it is done and fails
    with dbt's output when it failed."""

    def __init__(self, engine: str, project: Path, env: dict[str, str]) -> None:
        self.engine, self.project = engine, project
        self.log = project / "background_build.log"
        dbt = Path(sys.executable).with_name("dbt")
        common = ["--project-dir", str(project), "--profiles-dir", str(project), "--target", engine]
        steps = [
            [str(dbt), "seed", *common],
            [str(dbt), "build", "--exclude", "resource_type:seed", *common],
        ]
        script = " && ".join(shlex.join(step) for step in steps)
        with self.log.open("w") as log:
            # A process group of its own, so that `stop` ends dbt (and Spark's JVM) too, not
            # only the shell that runs the steps.
            self.process = subprocess.Popen(
                ["sh", "-c", script],
                env={**os.environ, **env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait(self) -> None:
        if self.process.wait() != 0:
            lines = self.log.read_text(errors="replace").splitlines()
            problems = [line for line in lines if " ERROR " in line or " FAIL " in line]
            pytest.fail(
                f"dbt seed + build on {self.engine} failed:\n"
                + "\n".join((problems or lines)[-40:])
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait()


def java_problem() -> str | None:
    """Why Spark cannot run here (no Java, or one older than 17), or None."""
    if shutil.which("java") is None:
        return "no Java for Spark (pyspark needs Java 17 or newer)"
    version = subprocess.run(
        ["java", "-version"], capture_output=True, text=True, check=False
    ).stderr
    found = re.search(r'version "(\d+)', version)
    if found is None or int(found.group(1)) < 17:
        return f"Spark needs Java 17 or newer; java -version says: {version.strip()[:80]}"
    return None


def postgres_fetch(env: dict[str, str]) -> Fetch:
    import psycopg2

    connection = psycopg2.connect(
        host=env["SALESPIPELINE_PG_HOST"],
        port=int(env["SALESPIPELINE_PG_PORT"]),
        user=env["SALESPIPELINE_PG_USER"],
        dbname=env["SALESPIPELINE_PG_DATABASE"],
    )
    connection.autocommit = True

    def fetch(relation: str) -> tuple[list[str], Rows]:
        with connection.cursor() as cursor:
            cursor.execute(f"select * from {relation}")
            return [d[0] for d in cursor.description], [tuple(r) for r in cursor.fetchall()]

    return fetch


def spark_fetch() -> Fetch:
    """Rows from the SparkSession dbt-spark's `session` method started in this process."""
    from pyspark.sql import SparkSession
    from pyspark.sql.types import TimestampType

    spark = SparkSession.builder.getOrCreate()

    def fetch(relation: str) -> tuple[list[str], Rows]:
        frame = spark.table(relation)
        # pyspark turns a timestamp into a datetime in the Python process's time zone; as text,
        # it is the session's (UTC, as the profile sets it), like the other engines' values.
        timestamps = [
            i
            for i, field in enumerate(frame.schema.fields)
            if isinstance(field.dataType, TimestampType)
        ]
        for i in timestamps:
            column = frame.columns[i]
            frame = frame.withColumn(column, frame[column].cast("string"))
        rows = []
        for row in frame.collect():
            values = list(row)
            for i in timestamps:
                if values[i] is not None:
                    values[i] = dt.datetime.fromisoformat(values[i])
            rows.append(tuple(values))
        return list(frame.columns), rows

    return fetch


def duckdb_fetch(connection: duckdb.DuckDBPyConnection) -> Fetch:
    def fetch(relation: str) -> tuple[list[str], Rows]:
        cursor = connection.execute(f"select * from {relation}")
        return [d[0] for d in cursor.description], cursor.fetchall()

    return fetch


# --- Comparing marts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mart:
    """A mart as its contract declares it: the key its tests prove unique, and each column's
    declared type, which says how exactly it must agree across engines."""

    name: str
    key: tuple[str, ...]
    types: dict[str, str]

    def tolerance(self, column: str) -> str:
        declared = self.types.get(column, "").replace(" ", "").lower()
        scale = re.fullmatch(r"(?:decimal|numeric)\(\d+,(\d+)\)", declared)
        if scale and scale.group(1) == "2":
            return "cents"
        if scale or declared == "double":
            return "relative"
        return "exact"


def marts_of(manifest_path: Path) -> list[Mart]:
    """Every mart (a model under models/marts/), with the key its tests prove unique (the
    governance checks' `primary_key_columns`) and its declared column types."""
    project = Project(json.loads(manifest_path.read_text()))
    marts = []
    for uid, node in project.models.items():
        if project.layer(uid) != "marts":
            continue
        key = primary_key_columns(project, uid)
        assert key, f"{node['name']}: no primary-key test to compare rows by"
        types = {name: column.get("data_type") or "" for name, column in node["columns"].items()}
        marts.append(Mart(node["name"], tuple(key), types))
    return sorted(marts, key=lambda mart: mart.name)


def normal(value: Any) -> Any:
    """One Python value for what the engines' drivers return differently for the same datum."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def agree(expected: Any, actual: Any, tolerance: str) -> bool:
    if expected is None or actual is None:
        return expected is None and actual is None
    if is_nan(expected) or is_nan(actual):
        return is_nan(expected) and is_nan(actual)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected == actual
    if isinstance(expected, int | float | Decimal) and isinstance(actual, int | float | Decimal):
        if tolerance == "cents":
            return round(Decimal(str(expected)), 2) == round(Decimal(str(actual)), 2)
        if tolerance == "relative":
            a, b = float(expected), float(actual)
            return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
        return expected == actual
    return expected == actual


def differences(
    mart: Mart, reference: tuple[list[str], Rows], other: tuple[list[str], Rows], engine: str
) -> list[str]:
    """What differs between the reference (DuckDB) rows of a mart and an engine's: columns,
    counts, keys, and each value by key and column."""
    (columns, rows), (other_columns, other_rows) = reference, other
    if columns != other_columns:
        return [f"{mart.name}: columns differ: duckdb {columns}, {engine} {other_columns}"]
    problems = []
    if len(rows) != len(other_rows):
        problems.append(f"{mart.name}: {len(rows)} rows on duckdb, {len(other_rows)} on {engine}")
    positions = [columns.index(c) for c in mart.key]

    def by_key(table: Rows) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        keyed = {}
        for row in table:
            row = tuple(normal(v) for v in row)
            keyed[tuple(row[p] for p in positions)] = row
        return keyed

    expected, actual = by_key(rows), by_key(other_rows)
    for key in sorted(set(expected) ^ set(actual), key=str)[:5]:
        where = "duckdb only" if key in expected else f"{engine} only"
        problems.append(f"{mart.name}: key {dict(zip(mart.key, key, strict=True))}: {where}")
    for key in sorted(set(expected) & set(actual), key=str):
        for index, column in enumerate(columns):
            a, b = expected[key][index], actual[key][index]
            if not agree(a, b, mart.tolerance(column)):
                problems.append(
                    f"{mart.name}: key {dict(zip(mart.key, key, strict=True))}: {column}: "
                    f"duckdb {a!r}, {engine} {b!r}"
                )
    return problems


# --- Mirroring an engine into DuckDB ------------------------------------------------------------


def mirror(
    fetch: Fetch, reference: Path, relations: Sequence[str], into: Path
) -> dict[str, tuple[list[str], Rows]]:
    """Copy `relations` (schema.name) from an engine into a new DuckDB file, each with the
    column types of the DuckDB build `reference`, so that tests written against the DuckDB
    warehouse read the engine's rows through the same SQL. Returns the rows as the engine gave
    them, by relation."""
    with connect_warehouse(reference) as connection:
        declared = {
            relation: connection.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = ? and table_name = ? order by ordinal_position",
                relation.split("."),
            ).fetchall()
            for relation in relations
        }
    fetched = {}
    with duckdb.connect(str(into)) as connection:
        for schema in sorted({relation.split(".")[0] for relation in relations}):
            connection.execute(f"create schema {schema}")
        for relation in relations:
            columns, rows = fetched[relation] = fetch(relation)
            types = dict(declared[relation])
            assert list(types) == columns, f"{relation}: columns differ from DuckDB's"
            connection.execute(
                f"create table {relation} ("
                + ", ".join(f'"{column}" {types[column]}' for column in columns)
                + ")"
            )
            if not rows:
                continue
            staged = pa.table(  # noqa: F841 (read by DuckDB below, by name)
                {
                    column: pa.array([normal(row[i]) for row in rows])
                    for i, column in enumerate(columns)
                }
            )
            casts = ", ".join(f'cast("{c}" as {types[c]})' for c in columns)
            connection.execute(f"insert into {relation} select {casts} from staged")
    return fetched
