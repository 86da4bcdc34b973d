"""Writing tables as CSV seeds: all or nothing, in the data model's column order."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Collection
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.csv as pacsv

from salespipeline.lock import folder_lock
from salespipeline.schema import TABLES, column_names

WRITER_THREADS = 2
# Big tables are formatted in parts by several threads, then written in order: one CSV writer
# is serial.
PART_ROWS = 400_000
# Text is always quoted and nulls are bare empty fields, so a null and an empty string differ.
CSV_OPTIONS = pacsv.WriteOptions(quoting_style="needed")
CSV_OPTIONS_NO_HEADER = pacsv.WriteOptions(quoting_style="needed", include_header=False)


class OutputError(OSError):
    """The output folder cannot take the files; the message is shown to the user as is."""


def check_writable(out_dir: Path) -> None:
    """Fail early, before any work, when the folder cannot be created or written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-check-"):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise OutputError(f"cannot write to output folder {out_dir}: {reason}") from error


def temporary_name(name: str) -> re.Pattern[str]:
    """How SeedWriter names the temporary file of table `name`: ``.<name>.<random>.csv.tmp``."""
    return re.compile(rf"\.{re.escape(name)}\.[A-Za-z0-9_]+\.csv\.tmp")


class SeedWriter:
    """Writes tables to ``<out_dir>/<name>.csv`` in background threads as they are handed over.

    ``expected`` names the tables that make a complete set (by default the eight raw tables).

    Every file goes to a temporary name first; only when the ``with`` block ends without an error
    and all eight tables are written are they renamed into place. An interrupted or failed run
    removes its temporary files and leaves any earlier seeds untouched. Arrow's CSV writer
    releases the GIL, so writing one table overlaps with generating the next.

    The ``with`` block holds the folder's lock (salespipeline.lock), so that no other writer or
    main job uses the folder meanwhile; entering raises FolderBusyError when one does. A run
    killed outright (``kill -9``, a power cut) cannot remove its temporary files: the next writer
    of the same tables into the folder removes them, under the lock, before it starts.
    """

    def __init__(self, out_dir: Path, expected: Collection[str] = tuple(TABLES)) -> None:
        self.out_dir = out_dir
        self.expected = tuple(expected)
        self.paths: dict[str, Path] = {}
        self.rows: dict[str, int] = {}
        self._temporary: dict[str, Path] = {}
        self._jobs: list[Future[None]] = []
        self._parts: dict[str, list[Future[pa.Buffer]]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._lock = ExitStack()

    def __enter__(self) -> SeedWriter:
        check_writable(self.out_dir)
        with ExitStack() as stack:
            stack.enter_context(folder_lock(self.out_dir))
            self._remove_stale()
            self._pool = ThreadPoolExecutor(max_workers=WRITER_THREADS)
            self._lock = stack.pop_all()
        return self

    def submit(self, name: str, table: pa.Table) -> None:
        if name not in self.expected or name in self._temporary:
            raise ValueError(f"unexpected or repeated table {name!r}")
        assert self._pool is not None, "use SeedWriter in a with block"
        handle, path = tempfile.mkstemp(dir=self.out_dir, prefix=f".{name}.", suffix=".csv.tmp")
        os.close(handle)
        os.chmod(path, 0o644)  # mkstemp's private 0600 would surprise whoever reads the seeds
        self._temporary[name] = Path(path)
        self.rows[name] = table.num_rows
        if self.expected == tuple(TABLES):  # the raw tables, in the data model's order
            table = table.select(column_names(name))
        if table.num_rows <= PART_ROWS:
            self._jobs.append(self._pool.submit(_write_csv, table, Path(path), True))
            return
        for number, start in enumerate(range(0, table.num_rows, PART_ROWS)):
            part = self._pool.submit(_format_csv, table.slice(start, PART_ROWS), number == 0)
            self._parts.setdefault(name, []).append(part)
            self._jobs.append(part)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._pool is not None
        try:
            if error is not None:
                return  # failed or interrupted: nothing is renamed, the files go (below)
            failure: Exception | None = None
            for job in self._jobs:
                try:
                    job.result()
                except Exception as job_error:
                    failure = failure or job_error
            if failure is None and set(self._temporary) != set(self.expected):
                missing = ", ".join(sorted(set(self.expected) - set(self._temporary)))
                failure = ValueError(f"tables never written: {missing}")
            if failure is not None:
                raise failure
            for name, parts in self._parts.items():
                with open(self._temporary[name], "wb") as target:
                    for part in parts:
                        target.write(part.result())
                parts.clear()  # let the buffers go
            for name in self.expected:
                final = self.out_dir / f"{name}.csv"
                os.replace(self._temporary[name], final)
                self.paths[name] = final
        finally:
            try:
                try:
                    # Queued parts are dropped; a write under way finishes before its file goes.
                    self._pool.shutdown(wait=True, cancel_futures=True)
                finally:
                    self._discard()
            finally:
                self._lock.close()

    def _discard(self) -> None:
        for path in self._temporary.values():
            path.unlink(missing_ok=True)

    def _remove_stale(self) -> None:
        """Remove temporary files of these tables that a killed run left in the folder."""
        patterns = [temporary_name(name) for name in self.expected]
        for path in self.out_dir.iterdir():
            if any(pattern.fullmatch(path.name) for pattern in patterns) and path.is_file():
                path.unlink(missing_ok=True)


def _write_csv(table: pa.Table, path: Path, header: bool) -> None:
    pacsv.write_csv(table, str(path), CSV_OPTIONS if header else CSV_OPTIONS_NO_HEADER)


def _format_csv(table: pa.Table, header: bool) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, CSV_OPTIONS if header else CSV_OPTIONS_NO_HEADER)
    return sink.getvalue()
