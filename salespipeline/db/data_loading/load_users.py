"""``python -m salespipeline.db.data_loading.load_users``: an alias of ``salespipeline load users``,
kept for compatibility (messages start with ``load_users:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_users", "load", "users"))
