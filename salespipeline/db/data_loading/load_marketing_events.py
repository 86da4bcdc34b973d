"""``python -m salespipeline.db.data_loading.load_marketing_events``: an alias of ``salespipeline
load marketing_events``, kept for compatibility (messages start with ``load_marketing_events:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_marketing_events", "load", "marketing_events"))
