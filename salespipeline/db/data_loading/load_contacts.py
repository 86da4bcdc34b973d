"""``python -m salespipeline.db.data_loading.load_contacts``: an alias of ``salespipeline load
contacts``, kept for compatibility (messages start with ``load_contacts:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_contacts", "load", "contacts"))
