"""Command line: ``python -m salespipeline generate|query|report ...`` (also ``salespipeline``).

Thin by design: parse options, report progress, map errors to one line and an exit code; the
work happens in the library.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from salespipeline.commandline import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, Parser
from salespipeline.config import ConfigError, GeneratorConfig
from salespipeline.generator import generate
from salespipeline.generator.truth import TRUTH_TABLES
from salespipeline.io import OutputError, SeedWriter, check_writable

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
        help="volume multiplier: 1.0 is about 270k rows, 0 writes header-only files "
        "(default: %(default)s)",
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
        "--out", type=Path, default=Path("seeds"), help="output folder (default: %(default)s)"
    )
    gen.add_argument(
        "--truth-out",
        type=Path,
        default=Path("output/ground_truth"),
        help="folder for the ground truth the simulation planted, for tests (default: %(default)s)",
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
        description="Run SQL on the warehouse through a read-only connection and print the result.",
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
    # Imported here, not at the top: `generate` should not pay for DuckDB's import.
    from salespipeline.query import (
        QueryError,
        WarehouseError,
        footer,
        format_table,
        open_warehouse,
        run_query,
        to_json,
        write_csv,
    )

    limit = args.max_rows
    if limit is None:
        limit = TABLE_MAX_ROWS if args.format == "table" else 0
    try:
        connection = open_warehouse(args.warehouse)
    except WarehouseError as error:
        return _error(str(error), EXIT_FAILURE)
    try:
        result = run_query(connection, args.sql, limit or None)
    except QueryError as error:
        return _error(str(error), EXIT_FAILURE)
    except KeyboardInterrupt:
        print("\nsalespipeline: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        connection.close()
    try:
        if args.format == "table":
            print(format_table(result))
            return 0
        if args.format == "csv":
            write_csv(result, sys.stdout)
        else:
            print(to_json(result))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (`| head`) has gone: stop quietly, and keep Python's exit-time flush from
        # failing again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    if result.truncated:
        # On stderr, so that the CSV or JSON on stdout stays parseable.
        print(f"salespipeline: {footer(result)}", file=sys.stderr)
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


def _generate(args: argparse.Namespace) -> int:
    try:
        config = GeneratorConfig(
            seed=args.seed, scale=args.scale, start_date=args.start_date, end_date=args.end_date
        )
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

    started = time.perf_counter()
    try:
        with SeedWriter(args.out) as writer, SeedWriter(args.truth_out, TRUTH_TABLES) as truth:
            tables = generate(config, progress, writer.submit, truth.submit)
            show("writing CSV files")
        paths = writer.paths
    except OSError as error:
        print(f"salespipeline: error: cannot write the seeds: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("\nsalespipeline: interrupted; no seed file was changed", file=sys.stderr)
        return EXIT_INTERRUPTED
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
