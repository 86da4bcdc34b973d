"""``python -m salespipeline.db.data_loading.load_leads``: an alias of ``salespipeline load leads``,
kept for compatibility (messages start with ``load_leads:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_leads", "load", "leads"))
