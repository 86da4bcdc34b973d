"""``python -m salespipeline.db.data_loading.load_all``: the reference lookups and every raw table.

Checks every file first, then loads parents before children; see :mod:`.loader`.
"""

from __future__ import annotations

import sys

from salespipeline.db.data_loading.loader import all_main


def main(argv: list[str] | None = None) -> int:
    return all_main(argv)


if __name__ == "__main__":
    sys.exit(main())
