"""Benchmark: generator throughput (rows/s of CSV written), the loaders, and dbt seed/build time.

Timings on a shared 2-core machine are noisy, so every figure is the median of several runs,
reported with its spread. Nothing here asserts a threshold: read the numbers.

    python scripts/benchmark.py                    # generator at scale 10, 5 runs
    python scripts/benchmark.py --dbt              # also dbt seed + build at scale 1, 3 runs
    python scripts/benchmark.py --load             # also init_db + load_all at scale 1, 5 runs
    python scripts/benchmark.py --markdown docs/benchmark.md   # also write the results table

`make benchmark` runs all of it and rewrites docs/benchmark.md, the figures the README quotes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from salespipeline.config import GeneratorConfig
from salespipeline.generator import generate
from salespipeline.io import SeedWriter
from salespipeline.schema import TABLES

ROOT = Path(__file__).resolve().parents[1]


def time_generator(scale: float, runs: int) -> tuple[list[float], int]:
    seconds, rows = [], 0
    config = GeneratorConfig(scale=scale)
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            started = time.perf_counter()
            with SeedWriter(Path(folder)) as writer:
                generate(config, sink=writer.submit)
            seconds.append(time.perf_counter() - started)
            rows = sum(writer.rows.values())
    return seconds, rows


def time_cli(scale: float, runs: int) -> list[float]:
    """The whole command, interpreter start-up and imports included."""
    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "salespipeline",
                    "generate",
                    "--scale",
                    str(scale),
                    "--quiet",
                    "--out",
                    folder,
                ],
                check=True,
            )
            seconds.append(time.perf_counter() - started)
    return seconds


def time_dbt(runs: int) -> dict[str, list[float]]:
    """dbt seed and dbt build on the default dataset, in a throwaway copy of the project."""
    timings: dict[str, list[float]] = {"dbt seed": [], "dbt build": []}
    dbt = str(Path(sys.executable).with_name("dbt"))
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "project"
        shutil.copytree(
            ROOT,
            project,
            ignore=shutil.ignore_patterns(".venv", ".git", "target", "logs", "*.duckdb*", "output"),
        )
        subprocess.run(
            [
                sys.executable,
                "-m",
                "salespipeline",
                "generate",
                "--quiet",
                "--out",
                str(project / "seeds"),
            ],
            check=True,
        )
        env = {
            **os.environ,
            "DBT_PROFILES_DIR": str(project),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        for run in range(runs):
            env["SALESPIPELINE_DUCKDB"] = str(Path(folder) / f"bench{run}.duckdb")
            for label, args in (
                ("dbt seed", ["seed"]),
                ("dbt build", ["build", "--exclude", "resource_type:seed"]),
            ):
                started = time.perf_counter()
                subprocess.run([dbt, *args, "--quiet"], cwd=project, env=env, check=True)
                timings[label].append(time.perf_counter() - started)
    return timings


def time_loaders(runs: int) -> tuple[dict[str, list[float]], int]:
    """load_all on the default dataset: into a freshly initialised warehouse, then again into the
    loaded one (a reload replaces every table). Each command in its own process, as people run
    it; the interpreter's start-up is included."""
    timings: dict[str, list[float]] = {"load_all (fresh warehouse)": [], "load_all (reload)": []}
    with tempfile.TemporaryDirectory() as folder:
        seeds = Path(folder) / "seeds"
        config = GeneratorConfig()
        with SeedWriter(seeds) as writer:
            generate(config, sink=writer.submit)
        rows = sum(writer.rows.values())

        def command(verb: str, warehouse: Path, *args: str) -> None:
            env = {**os.environ, "SALESPIPELINE_DUCKDB": str(warehouse)}
            subprocess.run(
                [sys.executable, "-m", "salespipeline", *verb.split(), *args],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )

        for run in range(runs):
            warehouse = Path(folder) / f"load{run}.duckdb"
            command("init-db", warehouse)
            for label in timings:
                started = time.perf_counter()
                command("load all", warehouse, "--seeds", str(seeds))
                timings[label].append(time.perf_counter() - started)
    return timings, rows


def describe(label: str, seconds: list[float], rows: int | None = None) -> str:
    median = statistics.median(seconds)
    spread = f"min {min(seconds):.2f} s, max {max(seconds):.2f} s, {len(seconds)} runs"
    rate = f", {rows / median:,.0f} rows/s" if rows else ""
    return f"{label:<38} median {median:6.2f} s{rate}  ({spread})"


def machine() -> str:
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kib = int(handle.readline().split()[1])
        memory = f", {kib / 1024**2:.0f} GiB of memory"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{memory}, "
        f"Python {platform.python_version()}"
    )


def markdown(results: list[tuple[str, list[float], int | None]]) -> str:
    """The results as the table docs/benchmark.md holds, with the machine and the date."""
    lines = [
        "# Benchmark",
        "",
        f"Written by `make benchmark` (`scripts/benchmark.py`) on {dt.date.today().isoformat()}.",
        "",
        f"Machine: {machine()}.",
        "",
        "Medians of several runs, in wall-clock seconds of each step as a user runs it; the",
        "spread is the fastest and slowest run. Rerun it to refresh these figures: they are never",
        "typed by hand.",
        "",
        "| step | rows | median (s) | rows/s | fastest (s) | slowest (s) | runs |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, seconds, rows in results:
        median = statistics.median(seconds)
        rate = f"{rows / median:,.0f}" if rows else ""
        lines.append(
            f"| {label} | {f'{rows:,}' if rows else ''} | {median:.2f} | {rate} | "
            f"{min(seconds):.2f} | {max(seconds):.2f} | {len(seconds)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dbt", action="store_true", help="also time dbt seed and dbt build")
    parser.add_argument("--dbt-runs", type=int, default=3)
    parser.add_argument("--load", action="store_true", help="also time init_db + load_all")
    parser.add_argument("--load-runs", type=int, default=5)
    parser.add_argument("--markdown", type=Path, help="also write the results as a markdown table")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    results: list[tuple[str, list[float], int | None]] = []

    def record(label: str, seconds: list[float], rows: int | None = None) -> None:
        results.append((label, seconds, rows))
        print(describe(label, seconds, rows), flush=True)

    seconds, rows = time_generator(args.scale, args.runs)
    print(f"generator at scale {args.scale:g}: {rows:,} rows in {len(TABLES)} CSV files")
    record(f"generate + write, in process (scale {args.scale:g})", seconds, rows)
    record(
        f"salespipeline generate, command (scale {args.scale:g})",
        time_cli(args.scale, args.runs),
        rows,
    )
    if args.load:
        timings, load_rows = time_loaders(args.load_runs)
        for label, seconds in timings.items():
            record(f"{label} (scale 1)", seconds, load_rows)
    if args.dbt:
        for label, timings in time_dbt(args.dbt_runs).items():
            record(f"{label} (scale 1)", timings)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(results))
        print(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
