"""What the db commands share on the command line: one-line errors and the exit codes.

Same conventions as ``python -m salespipeline``: 2 for bad options, 1 for a failure (bad data,
a warehouse that cannot be opened), messages of one line prefixed with the command's name.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

# The values of salespipeline.cli, not imported from it: that would load the whole generator
# (NumPy, Arrow, Faker) into every loader, a second of start-up for nothing.
EXIT_USAGE = 2
EXIT_FAILURE = 1

__all__ = ["EXIT_FAILURE", "EXIT_USAGE", "Parser", "first_line"]


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line: ``<prog>: error: ...`` and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def first_line(error: BaseException) -> str:
    """DuckDB's messages run over several lines; the first says what went wrong."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
