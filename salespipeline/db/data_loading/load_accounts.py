"""``python -m salespipeline.db.data_loading.load_accounts``: an alias of ``salespipeline load
accounts``, kept for compatibility (messages start with ``load_accounts:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_accounts", "load", "accounts"))
