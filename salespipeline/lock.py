"""One writer per seeds folder: an exclusive advisory lock that ``generate`` and the main job take.

``dbt seed`` loads whatever CSV files the seeds folder holds at the moment it reads them. A
``generate`` that renames its files into place while ``dbt seed`` (or another ``generate``) is
at work would leave a warehouse, or a folder, made of two datasets. So ``generate`` holds the
lock of its output folder while it writes and renames, and the main job holds the lock of
``seeds/`` from before it generates until its last dbt step.

The lock is ``flock(2)`` on ``<folder>/.salespipeline.lock``, which holds the holder's process
id. The kernel releases it when the holder exits, however it exits (even ``kill -9``), so a
crashed run never blocks the next one; a lock file left behind by such a run is simply taken
over. A released lock removes its file.

A second process refuses at once, with one line naming the folder and the holder's process id,
rather than waiting. Waiting would look like a hang (a main job runs for minutes) and, once its
turn came, a waiting ``generate`` would replace the seeds right after the main job loaded them,
leaving the warehouse and the seeds folder on different datasets without a word. Refusing lets
the person decide: wait and run again, or stop the other process.

Within one process the lock is re-entrant: the main job's ``generate`` step takes the lock of the
folder the main job already holds, and goes on.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".salespipeline.lock"

# Folders this process holds, by real path, with how many times each was taken.
_held: dict[str, int] = {}
_held_guard = threading.Lock()


class FolderBusyError(OSError):
    """Another process holds the folder's lock; the message is shown to the user as is."""

    def __init__(self, folder: Path, holder: int | None) -> None:
        who = f"process {holder}" if holder is not None else "another process"
        super().__init__(
            f"{folder} is in use by {who} (a generate or the main job); "
            "run again when it has finished"
        )
        self.folder = folder
        self.holder = holder

    def __str__(self) -> str:
        return str(self.args[0])


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold the exclusive lock of `folder` (created when missing) for the ``with`` block.

    Raises FolderBusyError at once when another process holds it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(folder)
    with _held_guard:
        if key in _held:
            _held[key] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
        return

    path = Path(key) / LOCK_NAME
    handle = _acquire(folder, path)
    with _held_guard:
        _held[key] = 1
    try:
        yield
    finally:
        with _held_guard:
            del _held[key]
        # Removed while still locked, so that no other process can take this file meanwhile;
        # one that opened it just before sees it gone and opens the path anew (see _acquire).
        path.unlink(missing_ok=True)
        os.close(handle)


def _acquire(folder: Path, path: Path) -> int:
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            os.close(handle)
            raise FolderBusyError(folder, holder) from None
        except BaseException:
            os.close(handle)
            raise
        # The holder before us may have removed the file between our open and our lock: then
        # this lock is on a file nobody else will look at, and the path must be opened again.
        try:
            current = os.stat(path)
        except FileNotFoundError:
            os.close(handle)
            continue
        opened = os.fstat(handle)
        if (current.st_dev, current.st_ino) != (opened.st_dev, opened.st_ino):
            os.close(handle)
            continue
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode(), 0)
        return handle


def _holder(handle: int) -> int | None:
    """The process id the holder wrote, if it has written it yet."""
    try:
        return int(os.pread(handle, 32, 0).decode().strip())
    except (OSError, ValueError):
        return None
