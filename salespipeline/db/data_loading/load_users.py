"""Fill raw.users from seeds/users.csv, or the CSV named by ``--file``.

A thin entry point (``python -m salespipeline.db.data_loading.load_<table>``): the checks and
the all-or-nothing load live in :mod:`.loader`.
"""

from __future__ import annotations

import sys

from salespipeline.db.data_loading.loader import table_main


def main(argv: list[str] | None = None) -> int:
    return table_main("users", argv)


if __name__ == "__main__":
    sys.exit(main())
