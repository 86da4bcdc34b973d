"""``python -m salespipeline.db.data_loading.load_billing_orders``: an alias of ``salespipeline load
billing_orders``, kept for compatibility (messages start with ``load_billing_orders:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_billing_orders", "load", "billing_orders"))
