"""``python -m salespipeline.db.data_loading.load_activities``: an alias of ``salespipeline load
activities``, kept for compatibility (messages start with ``load_activities:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_activities", "load", "activities"))
