"""The command line: ``salespipeline <verb>`` (also ``python -m salespipeline <verb>``).

    generate   write the raw tables as CSV seeds
    run        the main job: generate, dbt seed, dbt build, dbt docs generate
    init-db    create schema raw as the data model's DDL
    load       fill schema raw from CSVs: ``load all`` or ``load <table>``
    query      read-only SQL on the warehouse
    report     the marts as one HTML file

Thin by design: a verb parses its options, calls one library function, prints what it did and
maps errors to one line and an exit code: 2 for bad options, 1 for a failure, 130 when
interrupted. The older commands (``python main.py``, ``python -m salespipeline.db.init_db``,
``python -m salespipeline.db.data_loading.load_<table>`` and ``load_all``) are aliases, through
:func:`alias`: the same verb under its old name, which starts its messages.

The verbs import the generator, DuckDB, dbt and plotly when they run, not here, so that `query`
never loads the generator and the database commands load NumPy and Arrow only to generate.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

from salespipeline import dataset
from salespipeline.config import MAX_SCALE, ConfigError, GeneratorConfig
from salespipeline.dataset import (
    GROUND_TRUTH,
    REFERENCE,
    SEEDS,
    GeneratedDataset,
    GenerateError,
    Terminated,
)
from salespipeline.lock import FolderBusyError
from salespipeline.schema import TABLES

PROG = "salespipeline"

EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130
# The exit code of a process stopped by SIGTERM, as the shell reports it.
EXIT_TERMINATED = 128 + signal.SIGTERM

# Rows `query` prints as a table unless --max-rows says otherwise; csv and json get all rows.
TABLE_MAX_ROWS = 50


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line, ``<name>: error: ... (see --help)``, and exit code 2.

    `name` is the program's (``salespipeline``, or an alias's), in a verb's own parser too.
    """

    def __init__(self, *args: Any, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.name = name or self.prog

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.name}: error: {message} (see --help)\n")


@dataclass(frozen=True)
class Command:
    """A verb, or one target of ``load``: its help, its options, and the code that runs it.

    `run` takes the parsed options and the name its messages start with.
    """

    help: str
    description: str
    options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, str], int]


def main(argv: list[str] | None = None) -> int:
    """``salespipeline <verb> [options]``; returns the exit code."""
    args = build_parser().parse_args(argv)
    return _call(args.command, args, PROG)


def alias(name: str, *verb: str, argv: list[str] | None = None, **defaults: object) -> int:
    """Run a verb (``"load", "accounts"``) as the command `name` (``load_accounts``).

    The alias takes the verb's options, without the words that name the verb, and starts its
    messages with `name`. `defaults` sets what the alias decides itself (main.py's project
    folder).
    """
    command = COMMANDS[verb]
    parser = Parser(prog=name, description=command.description)
    command.options(parser)
    parser.set_defaults(**defaults)
    return _call(command, parser.parse_args(argv), name)


def build_parser() -> argparse.ArgumentParser:
    verb_parser = partial(Parser, name=PROG)
    parser = Parser(prog=PROG, description="Synthetic B2B go-to-market data for dbt.")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=verb_parser)
    groups: dict[str, argparse._SubParsersAction] = {}
    for path, command in COMMANDS.items():
        *group, verb = path
        choices = verbs
        if group:
            if group[0] not in groups:
                help_text, description, metavar = GROUPS[group[0]]
                holder = verbs.add_parser(group[0], help=help_text, description=description)
                groups[group[0]] = holder.add_subparsers(
                    dest=group[0], required=True, metavar=metavar, parser_class=verb_parser
                )
            choices = groups[group[0]]
        command_parser = choices.add_parser(
            verb, help=command.help, description=command.description
        )
        command.options(command_parser)
        command_parser.set_defaults(command=command)
    return parser


def _call(command: Command, args: argparse.Namespace, name: str) -> int:
    try:
        return command.run(args, name)
    except KeyboardInterrupt:
        print(f"\n{name}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _error(name: str, message: object, code: int) -> int:
    print(f"{name}: error: {message}", file=sys.stderr)
    return code


# --- option types ---------------------------------------------------------------------------


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


# --- generate and run -----------------------------------------------------------------------


def _generate_options(parser: argparse.ArgumentParser, out: bool = True) -> None:
    """generate's options; the main job (``out=False``) has no --out: it writes seeds/, the
    folder dbt seed reads."""
    defaults = GeneratorConfig()
    parser.add_argument(
        "--seed", type=_int, default=defaults.seed, help="random seed (default: %(default)s)"
    )
    parser.add_argument(
        "--scale",
        type=_float,
        default=defaults.scale,
        help=f"volume multiplier: 1.0 is about 270k rows, 0 writes header-only files, at most "
        f"{MAX_SCALE} (default: %(default)s)",
    )
    parser.add_argument(
        "--start-date",
        type=_date,
        default=defaults.start_date,
        help="first day (default: %(default)s)",
    )
    parser.add_argument(
        "--end-date",
        type=_date,
        default=defaults.end_date,
        help="last day, inclusive (default: %(default)s)",
    )
    if out:
        parser.add_argument(
            "--out", type=_folder, default=SEEDS, help="output folder (default: %(default)s)"
        )
    parser.add_argument(
        "--truth-out",
        type=_folder,
        default=GROUND_TRUTH,
        help="folder for the ground truth the simulation planted, for tests; apart from --out "
        "(default: %(default)s)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _config(args: argparse.Namespace) -> GeneratorConfig:
    return GeneratorConfig(
        seed=args.seed, scale=args.scale, start_date=args.start_date, end_date=args.end_date
    )


class _Generation:
    """What generating shows: a progress line on a terminal, the summary once the files are in
    place, and one line saying why it stopped."""

    def __init__(self, name: str, quiet: bool) -> None:
        self.name = name
        self.quiet = quiet
        self.live = not quiet and sys.stderr.isatty()
        self.started = time.perf_counter()
        self.written = False

    def progress(self, step: str) -> None:
        if self.live:
            print(f"\r\033[K{step} ...", end="", file=sys.stderr, flush=True)

    def done(self, written: GeneratedDataset) -> None:
        self.written = True
        elapsed = time.perf_counter() - self.started
        if self.live:
            print("\r\033[K", end="", file=sys.stderr)
        if not self.quiet:
            print(summary(written, elapsed), flush=True)

    def failed(self, error: ConfigError | GenerateError | KeyboardInterrupt) -> int:
        unchanged = "" if self.written else "; no seed file was changed"
        if isinstance(error, Terminated):
            message, code = f"terminated{unchanged}", EXIT_TERMINATED
        elif isinstance(error, KeyboardInterrupt):
            print(file=sys.stderr)  # off the line where the terminal echoed ^C
            message, code = f"interrupted{unchanged}", EXIT_INTERRUPTED
        else:
            message = f"error: {error}"
            code = EXIT_USAGE if isinstance(error, ConfigError) else EXIT_FAILURE
        clear = "\r\033[K" if self.live else ""  # the progress line, if one is shown
        print(f"{clear}{self.name}: {message}", file=sys.stderr)
        return code


def summary(written: GeneratedDataset, elapsed: float) -> str:
    """Each seed file with its rows, the total, and the rate."""
    width = max(len(str(path)) for path in written.paths.values())
    lines = [f"{'file':<{width}}  {'rows':>10}", f"{'-' * width}  {'-' * 10}"]
    for table, rows in written.rows.items():
        lines.append(f"{written.paths[table]!s:<{width}}  {rows:>10,}")
    total = sum(written.rows.values())
    lines.append(f"{'total':<{width}}  {total:>10,}")
    rate = total / elapsed if elapsed > 0 else 0.0
    lines.append(f"generated in {elapsed:.2f} s ({rate:,.0f} rows/s)")
    return "\n".join(lines)


def _generate(args: argparse.Namespace, name: str) -> int:
    generation = _Generation(name, args.quiet)
    try:
        written = dataset.generate_dataset(
            _config(args), args.out, args.truth_out, generation.progress
        )
    except (ConfigError, GenerateError, KeyboardInterrupt) as error:
        return generation.failed(error)
    generation.done(written)
    return 0


def _run_options(parser: argparse.ArgumentParser) -> None:
    _generate_options(parser, out=False)
    parser.add_argument(
        "--target",
        metavar="NAME",
        help="the profiles.yml target of the dbt steps: dev (the default, DuckDB), spark or "
        "postgres",
    )
    parser.set_defaults(project_dir=None)  # the current folder; main.py names its own


def _announce(step: str) -> None:
    print(f"==> {step}", flush=True)


def _run(args: argparse.Namespace, name: str) -> int:
    from salespipeline.pipeline import DbtStepError, run_main_job
    from salespipeline.warehouse import warehouse_path

    generation = _Generation(name, args.quiet)
    try:
        run_main_job(
            args.project_dir or Path.cwd(),
            _config(args),
            truth_out=args.truth_out,
            announce=_announce,
            progress=generation.progress,
            generated=generation.done,
            target=args.target,
        )
    except (ConfigError, GenerateError, KeyboardInterrupt) as error:
        return generation.failed(error)
    except (FolderBusyError, DbtStepError) as error:
        return _error(name, error, EXIT_FAILURE)
    where = f"target {args.target}" if args.target else f"warehouse {warehouse_path()}"
    _announce(f"done: {where}, docs in target/static_index.html")
    return 0


# --- init-db and load -----------------------------------------------------------------------


def _init_db_options(parser: argparse.ArgumentParser) -> None:
    options = parser.add_mutually_exclusive_group()
    options.add_argument(
        "--force",
        action="store_true",
        help="drop and recreate the raw tables even if they exist (their rows are lost)",
    )
    options.add_argument(
        "--drop",
        action="store_true",
        help="only drop the raw tables (their rows are lost), e.g. to switch to `dbt seed`",
    )


def _init_db(args: argparse.Namespace, name: str) -> int:
    from salespipeline.db.ddl import SCHEMA, InitError, init_warehouse
    from salespipeline.warehouse import warehouse_path

    path = warehouse_path()
    if args.force or args.drop:
        option = "--force" if args.force else "--drop"
        print(
            f"{name}: warning: {option} drops every raw table in {path} with its data",
            file=sys.stderr,
        )
    try:
        done = init_warehouse(path, force=args.force, drop=args.drop)
    except InitError as error:
        return _error(name, error, EXIT_FAILURE)
    if not done:
        state = (
            "has no raw tables"
            if args.drop
            else f"already initialised (schema {SCHEMA}, {len(TABLES)} tables)"
        )
        print(f"{path}: {state}; nothing changed")
    for line in done:
        print(f"{path}: {line}")
    return 0


def _allow_empty_option(parser: argparse.ArgumentParser, emptied: str) -> None:
    parser.add_argument(
        "--allow-empty",
        action="store_true",
        help=f"load {emptied} (refused otherwise: an empty file is more often a failed export "
        "than the intent)",
    )


def _load_failed(name: str, error: Exception) -> int:
    from salespipeline.db.data_loading.loader import UsageError

    return _error(name, error, EXIT_USAGE if isinstance(error, UsageError) else EXIT_FAILURE)


def _load_all_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seeds",
        type=Path,
        default=SEEDS,
        help="folder with the raw CSVs (default: %(default)s; the default dataset is "
        "generated into it if it holds none)",
    )
    parser.add_argument(
        "--reference",
        type=Path,
        default=REFERENCE,
        help="folder with the committed reference lookups (default: %(default)s)",
    )
    _allow_empty_option(parser, "files with a header and no rows, emptying their tables")


def _load_all(args: argparse.Namespace, name: str) -> int:
    from salespipeline.db.data_loading.loader import (
        REFERENCE_SCHEMA,
        SCHEMA,
        LoadError,
        load_folder,
    )
    from salespipeline.warehouse import warehouse_path

    started = time.perf_counter()
    try:
        loaded = load_folder(
            args.seeds, args.reference, allow_empty=args.allow_empty, announce=print
        )
    except LoadError as error:
        return _load_failed(name, error)
    elapsed = time.perf_counter() - started
    for lookup, count in loaded.reference_rows.items():
        print(f"{REFERENCE_SCHEMA}.{lookup}: {count:,} rows")
    for table, count in loaded.rows.items():
        print(f"{SCHEMA}.{table}: {count:,} rows")
    total = sum(loaded.rows.values())
    rate = total / elapsed if elapsed > 0 else 0.0
    print(
        f"loaded {total:,} raw rows into {warehouse_path()} in {elapsed:.2f} s ({rate:,.0f} rows/s)"
    )
    return 0


def _load_table_options(table: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--file",
        type=Path,
        help=f"the CSV to load (default: {SEEDS}/{table}.csv, generating the default dataset "
        f"into {SEEDS}/ if it holds none)",
    )
    _allow_empty_option(parser, f"a file with a header and no rows, emptying raw.{table}")


def _load_table(table: str, args: argparse.Namespace, name: str) -> int:
    from salespipeline.db.data_loading.loader import SCHEMA, LoadError, load_file

    started = time.perf_counter()
    try:
        loaded = load_file(table, args.file, allow_empty=args.allow_empty, announce=print)
    except LoadError as error:
        return _load_failed(name, error)
    elapsed = time.perf_counter() - started
    print(f"{SCHEMA}.{table}: {loaded.rows:,} rows from {loaded.path} in {elapsed:.2f} s")
    return 0


def _load_table_command(table: str) -> Command:
    return Command(
        help=f"load {SEEDS}/{table}.csv (or --file) into raw.{table}",
        description=f"Load {table}.csv into raw.{table} of the warehouse the dbt profile points "
        "at, replacing its rows; the file is checked against the data model first.",
        options=partial(_load_table_options, table),
        run=partial(_load_table, table),
    )


# --- query and report -----------------------------------------------------------------------


def _warehouse_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        metavar="PATH",
        help="DuckDB file (default: $SALESPIPELINE_DUCKDB, else salespipeline.duckdb, as for dbt)",
    )


def _query_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sql", help='the statement, e.g. "select * from marts.fct_mrr_bridge"')
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="output format (default: %(default)s)",
    )
    parser.add_argument(
        "--max-rows",
        type=_row_limit,
        default=None,
        metavar="N",
        help=f"print at most N rows, 0 for all (default: {TABLE_MAX_ROWS} for table, all for "
        "csv and json)",
    )
    _warehouse_option(parser)


def _query(args: argparse.Namespace, name: str) -> int:
    """Run the statement on a read-only connection and print its result.

    Exit 1, with one line on stderr, when the warehouse cannot be opened or DuckDB rejects the
    statement: bad SQL, a write, a file, URL, extension or other database (refused by the
    connection's settings), or SQL with no statement in it (empty or only comments). CSV and
    JSON are streamed, so a statement that fails midway may leave partial output before the
    error; the table is printed once its rows are fetched.
    """
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
        return _error(name, error, EXIT_FAILURE)
    try:
        if args.format == "table":
            print(format_table(run_query(connection, args.sql, limit or None)))
            sys.stdout.flush()
            return 0
        write = write_csv if args.format == "csv" else write_json
        count = write(execute(connection, args.sql), sys.stdout, limit or None)
        sys.stdout.flush()
    except QueryError as error:
        return _error(name, error, EXIT_FAILURE)
    except BrokenPipeError:
        # The reader (`| head`) has gone: stop quietly, and keep Python's exit-time flush from
        # failing again on the closed pipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    finally:
        connection.close()
    if count.truncated:
        # On stderr, so that the CSV or JSON on stdout stays parseable.
        print(f"{name}: {footer(count)}", file=sys.stderr)
    return 0


def _report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("output/report.html"),
        help="the HTML file to write (default: %(default)s)",
    )
    _warehouse_option(parser)


def _report(args: argparse.Namespace, name: str) -> int:
    from salespipeline.query import WarehouseError
    from salespipeline.report import write_report

    try:
        data = write_report(args.out, args.warehouse)
    except WarehouseError as error:
        return _error(name, error, EXIT_FAILURE)
    except OSError as error:
        return _error(
            name, f"cannot write the report {args.out}: {error.strerror or error}", EXIT_FAILURE
        )
    as_of = f"as of {data.as_of_date}" if data.as_of_date else "the marts are empty"
    print(f"wrote {args.out} ({as_of})")
    return 0


# --- the verbs ------------------------------------------------------------------------------

COMMANDS: dict[tuple[str, ...], Command] = {
    ("generate",): Command(
        help="write the raw tables as CSV seeds",
        description="Write the raw tables of the data model as CSV files (dbt seeds).",
        options=_generate_options,
        run=_generate,
    ),
    ("run",): Command(
        help="the main job: generate, dbt seed, dbt build, dbt docs generate",
        description="Generate the data into seeds/ (options as for generate), then run dbt "
        "seed, dbt build and dbt docs generate --static on the warehouse, in the dbt project "
        "at the repository root.",
        options=_run_options,
        run=_run,
    ),
    ("init-db",): Command(
        help="create schema raw as the data model's DDL (the loader path)",
        description="Create schema raw and the tables of the data model in the warehouse "
        "the dbt profile points at (SALESPIPELINE_DUCKDB, default salespipeline.duckdb).",
        options=_init_db_options,
        run=_init_db,
    ),
    ("load", "all"): Command(
        help="the reference lookups and every raw table, all or nothing",
        description="Load the reference lookups into schema reference and the raw CSVs into "
        "schema raw, in dependency order; every file is checked before anything changes.",
        options=_load_all_options,
        run=_load_all,
    ),
    **{("load", table): _load_table_command(table) for table in TABLES},
    ("query",): Command(
        help="run read-only SQL on the warehouse",
        description="Run SQL on the warehouse through a read-only connection, without access to "
        "files, extensions or the network, and print the result (csv and json are streamed).",
        options=_query_options,
        run=_query,
    ),
    ("report",): Command(
        help="render the marts as a self-contained HTML report",
        description="Render the marts as one HTML file with charts, which opens offline.",
        options=_report_options,
        run=_report,
    ),
}

# Verbs that hold several commands: their help, description, and what names the command.
GROUPS = {
    "load": (
        "fill schema raw from CSVs instead of dbt seed: `load all` or `load <table>`",
        "Load CSVs into the tables init-db created, checked against the data model first: "
        "every table at once (all) or one table.",
        "{all,TABLE}",
    ),
}
