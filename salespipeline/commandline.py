"""What every command shares (``python -m salespipeline``, init_db, the loaders): one-line
errors and the exit codes: 2 for bad options, 1 for a failure (bad data, a warehouse that cannot
be opened), 130 when interrupted.

Kept apart from salespipeline.cli so that the db commands can use it without loading the
generator (NumPy, Arrow, Faker): a second of start-up for nothing.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130

__all__ = ["EXIT_FAILURE", "EXIT_INTERRUPTED", "EXIT_USAGE", "Parser", "first_line"]


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line: ``<name>: error: ...`` and exit code 2.

    The name is `error_name` when a subclass sets it (so that a subcommand's errors carry the
    program's name), else the parser's `prog`.
    """

    error_name: str | None = None

    def error(self, message: str) -> NoReturn:
        name = self.error_name or self.prog
        self.exit(EXIT_USAGE, f"{name}: error: {message} (see --help)\n")


def first_line(error: BaseException) -> str:
    """DuckDB's messages run over several lines; the first says what went wrong."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
