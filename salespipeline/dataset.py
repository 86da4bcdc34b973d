"""Generate a dataset into folders: the seeds, and apart from them the ground truth.

The one function behind ``salespipeline generate``, the main job's first step and the loaders'
default dataset. Cheap to import: the generator (NumPy, Arrow, Faker) and the CSV writer are
imported when a dataset is generated, so commands that only might generate (the loaders) start
without them.

All or nothing: the files go to temporary names and are renamed into place only when every table
is written, under the lock of each folder (salespipeline.lock). Whatever stops a run (an error,
Ctrl-C, SIGTERM) leaves the folders' earlier files as they were.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from salespipeline.config import ConfigError, GeneratorConfig
from salespipeline.errors import one_line
from salespipeline.lock import FolderBusyError

# The folder dbt seed reads (seed-paths in dbt_project.yml), where generate writes by default.
SEEDS = Path("seeds")
# The ground truth the simulation planted, for tests; never under SEEDS, where dbt seed would
# load it.
GROUND_TRUTH = Path("output/ground_truth")
# The committed lookups (dbt seeds too) that the loaders put into schema reference.
REFERENCE = SEEDS / "reference"


class GenerateError(Exception):
    """The dataset could not be generated or written, and no file was changed; the message is
    shown to the user as is."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every cleanup on the way out runs."""


@dataclass(frozen=True)
class GeneratedDataset:
    """What was written: the seed file of each raw table and its number of rows."""

    paths: dict[str, Path]
    rows: dict[str, int]


def generate_dataset(
    config: GeneratorConfig,
    out: Path = SEEDS,
    truth_out: Path = GROUND_TRUTH,
    progress: Callable[[str], None] | None = None,
) -> GeneratedDataset:
    """Write the raw tables of `config`'s dataset to `out` and its ground truth to `truth_out`.

    `progress` receives a short description of each step as it starts. Raises ConfigError for
    folders that would mix or lose files (checked before any work), GenerateError when the data
    cannot be generated or written, and KeyboardInterrupt (`Terminated` for SIGTERM) when stopped.
    """
    import pyarrow as pa

    from salespipeline import generator
    from salespipeline.generator.truth import TRUTH_TABLES
    from salespipeline.io import OutputError, SeedWriter, check_writable

    report = progress or (lambda _step: None)
    check_folders(out, truth_out)
    try:
        check_writable(out)
        check_writable(truth_out)
        with (
            sigterm_raises(),
            SeedWriter(out) as writer,
            SeedWriter(truth_out, TRUTH_TABLES) as truth,
        ):
            generator.generate(
                config, lambda step: report(f"generating {step}"), writer.submit, truth.submit
            )
            report("writing CSV files")
    except (OutputError, FolderBusyError) as error:
        raise GenerateError(str(error)) from error
    except OSError as error:
        raise GenerateError(f"cannot write the seeds: {one_line(error)}") from error
    except (pa.ArrowException, MemoryError) as error:
        # What Arrow refuses to build or format, and memory running out: nothing was renamed.
        reason = "out of memory" if isinstance(error, MemoryError) else one_line(error)
        raise GenerateError(f"cannot generate or write the seeds: {reason}") from error
    return GeneratedDataset(paths=writer.paths, rows=writer.rows)


def check_folders(out: Path, truth_out: Path) -> None:
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


@contextmanager
def sigterm_raises() -> Iterator[None]:
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
