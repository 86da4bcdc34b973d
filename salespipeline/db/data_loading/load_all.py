"""``python -m salespipeline.db.data_loading.load_all``: an alias of ``salespipeline load all``,
kept for compatibility (messages start with ``load_all:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_all", "load", "all"))
