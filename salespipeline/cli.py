"""Command line: ``python -m salespipeline generate|query|report ...`` (also ``salespipeline``).

Thin by design: parse options, report progress, map errors to one line and an exit code; the
work happens in the library.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pyarrow as pa

from salespipeline.commandline import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    Parser,
    first_line,
)
from salespipeline.config import MAX_SCALE, ConfigError, GeneratorConfig
from salespipeline.generator import generate
from salespipeline.generator.truth import TRUTH_TABLES
from salespipeline.io import OutputError, SeedWriter, check_writable
from salespipeline.lock import FolderBusyError

# Rows `query` prints as a table unless --max-rows says otherwise; csv and json get all rows.
TABLE_MAX_ROWS = 50


class _Parser(Parser):
    """Errors are one line, ``salespipeline: error: ...``, in subcommands too."""

    error_name = "salespipeline"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _folder(text: str) -> Path:
    # Path("") is Path("."): an empty value would quietly mean the current folder.
    if not text.strip():
        raise argparse.ArgumentTypeError("empty path, give a folder")
    return Path(text)


def _row_limit(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    defaults = GeneratorConfig()
    parser = _Parser(prog="salespipeline", description="Synthetic B2B go-to-market data for dbt.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    gen = commands.add_parser(
        "generate",
        help="write the eight raw tables as CSV seeds",
        description="Write the eight raw tables of the data model as CSV files (dbt seeds).",
    )
    gen.add_argument(
        "--seed", type=_int, default=defaults.seed, help="random seed (default: %(default)s)"
    )
    gen.add_argument(
        "--scale",
        type=_float,
        default=defaults.scale,
        help=f"volume multiplier: 1.0 is about 270k rows, 0 writes header-only files, at most "
        f"{MAX_SCALE} (default: %(default)s)",
    )
    gen.add_argument(
        "--start-date",
        type=_date,
        default=defaults.start_date,
        help="first day (default: %(default)s)",
    )
    gen.add_argument(
        "--end-date",
        type=_date,
        default=defaults.end_date,
        help="last day, inclusive (default: %(default)s)",
    )
    gen.add_argument(
        "--out", type=_folder, default=Path("seeds"), help="output folder (default: %(default)s)"
    )
    gen.add_argument(
        "--truth-out",
        type=_folder,
        default=Path("output/ground_truth"),
        help="folder for the ground truth the simulation planted, for tests; apart from --out "
        "(default: %(default)s)",
    )
    gen.add_argument("--quiet", action="store_true", help="print nothing but errors")
    _add_query(commands)
    _add_report(commands)
    return parser


def _warehouse_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        metavar="PATH",
        help="DuckDB file (default: $SALESPIPELINE_DUCKDB, else salespipeline.duckdb, as for dbt)",
    )


def _add_query(commands: argparse._SubParsersAction) -> None:
    query = commands.add_parser(
        "query",
        help="run read-only SQL on the warehouse",
        description="Run SQL on the warehouse through a read-only connection, without access to "
        "files, extensions or the network, and print the result (csv and json are streamed).",
    )
    query.add_argument("sql", help='the statement, e.g. "select * from marts.fct_mrr_bridge"')
    query.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: %(default)s)",
    )
    query.add_argument(
        "--max-rows",
        type=_row_limit,
        default=None,
        metavar="N",
        help=f"print at most N rows, 0 for all (default: {TABLE_MAX_ROWS} for table, all for "
        "csv and json)",
    )
    _warehouse_option(query)


def _add_report(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report",
        help="render the marts as a self-contained HTML report",
        description="Render the marts as one HTML file with charts, which opens offline.",
    )
    report.add_argument(
        "--out",
        type=Path,
        default=Path("output/report.html"),
        help="the HTML file to write (default: %(default)s)",
    )
    _warehouse_option(report)


def _error(message: str, code: int) -> int:
    print(f"salespipeline: error: {message}", file=sys.stderr)
    return code


def _query(args: argparse.Namespace) -> int:
    """Run the statement on a read-only connection and print its result.

    Exit 1, with one line on stderr, when the warehouse cannot be opened or DuckDB rejects the
    statement: bad SQL, a write, a file, URL, extension or other database (refused by the
    connection's settings), or SQL with no statement in it (empty or only comments). CSV and
    JSON are streamed, so a statement that fails midway may leave partial output before the
    error; the table is printed once its rows are fetched.
    """
    # Imported here, not at the top: `generate` should not pay for DuckDB's import.
    from salespipeline.query import (
        QueryError,
        WarehouseError,
        execute,
        footer,
        format_table,
        open_warehouse,
        run_query,
        write_csv,
        write_json,
    )

    limit = args.max_rows
    if limit is None:
        limit = TABLE_MAX_ROWS if args.format == "table" else 0
    try:
        connection = open_warehouse(args.warehouse)
    except WarehouseError as error:
        return _error(str(error), EXIT_FAILURE)
    try:
        if args.format == "table":
            print(format_table(run_query(connection, args.sql, limit or None)))
            sys.stdout.flush()
            return 0
        write = write_csv if args.format == "csv" else write_json
        count = write(execute(connection, args.sql), sys.stdout, limit or None)
        sys.stdout.flush()
    except QueryError as error:
        return _error(str(error), EXIT_FAILURE)
    except KeyboardInterrupt:
        print("\nsalespipeline: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (`| head`) has gone: stop quietly, and keep Python's exit-time flush from
        # failing again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    finally:
        connection.close()
    if count.truncated:
        # On stderr, so that the CSV or JSON on stdout stays parseable.
        print(f"salespipeline: {footer(count)}", file=sys.stderr)
    return 0


def _report(args: argparse.Namespace) -> int:
    # Imported here, not at the top: plotly and DuckDB are slow to import.
    from salespipeline.query import WarehouseError
    from salespipeline.report import write_report

    try:
        data = write_report(args.out, args.warehouse)
    except WarehouseError as error:
        return _error(str(error), EXIT_FAILURE)
    except OSError as error:
        return _error(
            f"cannot write the report {args.out}: {error.strerror or error}", EXIT_FAILURE
        )
    as_of = f"as of {data.as_of_date}" if data.as_of_date else "the marts are empty"
    print(f"wrote {args.out} ({as_of})")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "query":
        return _query(args)
    if args.command == "report":
        return _report(args)
    return _generate(args)


# The exit code of a process stopped by SIGTERM, as the shell reports it.
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every cleanup on the way out runs."""


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Turn SIGTERM into `Terminated` for the block (``kill``, ``timeout``, a CI runner that
    stops a job), so that the writers remove their temporary files as on Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; a caller's thread keeps its own
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _check_folders(out: Path, truth_out: Path) -> None:
    """Seeds and ground truth go to separate folders: the ground truth has a table named like a
    seed (opportunities.csv), and dbt seed reads every CSV file under the seeds folder."""
    for option, folder in (("--out", out), ("--truth-out", truth_out)):
        if os.path.exists(folder) and not os.path.isdir(folder):
            raise ConfigError(f"{option} {folder} exists and is not a folder")
    seeds, planted = Path(os.path.realpath(out)), Path(os.path.realpath(truth_out))
    if seeds == planted or seeds in planted.parents or planted in seeds.parents:
        raise ConfigError(
            f"--out {out} and --truth-out {truth_out} must be separate folders, "
            "neither inside the other"
        )


def _generate(args: argparse.Namespace) -> int:
    try:
        config = GeneratorConfig(
            seed=args.seed, scale=args.scale, start_date=args.start_date, end_date=args.end_date
        )
        _check_folders(args.out, args.truth_out)
        check_writable(args.out)
        check_writable(args.truth_out)
    except (ConfigError, OutputError) as error:
        print(f"salespipeline: error: {error}", file=sys.stderr)
        return EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILURE

    show_progress = not args.quiet and sys.stderr.isatty()

    def show(message: str) -> None:
        if show_progress:
            print(f"\r\033[K{message} ...", end="", file=sys.stderr, flush=True)

    def progress(step: str) -> None:
        show(f"generating {step}")

    def fail(message: str, code: int) -> int:
        clear = "\r\033[K" if show_progress else ""  # the progress line, if one is shown
        print(f"{clear}salespipeline: {message}", file=sys.stderr)
        return code

    started = time.perf_counter()
    try:
        with (
            _sigterm_raises(),
            SeedWriter(args.out) as writer,
            SeedWriter(args.truth_out, TRUTH_TABLES) as truth,
        ):
            tables = generate(config, progress, writer.submit, truth.submit)
            show("writing CSV files")
        paths = writer.paths
    except FolderBusyError as error:
        return fail(f"error: {error}", EXIT_FAILURE)
    except OSError as error:
        return fail(f"error: cannot write the seeds: {first_line(error)}", EXIT_FAILURE)
    except (pa.ArrowException, MemoryError) as error:
        # What Arrow refuses to build or format, and memory running out: nothing was renamed.
        reason = "out of memory" if isinstance(error, MemoryError) else first_line(error)
        return fail(f"error: cannot generate or write the seeds: {reason}", EXIT_FAILURE)
    except Terminated:
        return fail("terminated; no seed file was changed", EXIT_TERMINATED)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # off the line where the terminal echoed ^C
        return fail("interrupted; no seed file was changed", EXIT_INTERRUPTED)
    elapsed = time.perf_counter() - started
    if show_progress:
        print("\r\033[K", end="", file=sys.stderr)
    if not args.quiet:
        print(summary(tables, paths, elapsed))
    return 0


def summary(tables: dict, paths: dict[str, Path], elapsed: float) -> str:
    width = max(len(str(path)) for path in paths.values())
    lines = [f"{'file':<{width}}  {'rows':>10}", f"{'-' * width}  {'-' * 10}"]
    total = 0
    for name, table in tables.items():
        lines.append(f"{paths[name]!s:<{width}}  {table.num_rows:>10,}")
        total += table.num_rows
    lines.append(f"{'total':<{width}}  {total:>10,}")
    rate = total / elapsed if elapsed > 0 else 0.0
    lines.append(f"generated in {elapsed:.2f} s ({rate:,.0f} rows/s)")
    return "\n".join(lines)
