"""``python -m salespipeline.db.data_loading.load_opportunities``: an alias of ``salespipeline load
opportunities``, kept for compatibility (messages start with ``load_opportunities:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_opportunities", "load", "opportunities"))
