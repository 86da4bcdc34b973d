"""``python -m salespipeline.db.init_db``: an alias of ``salespipeline init-db``, kept for
compatibility (messages start with ``init_db:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("init_db", "init-db"))
