"""``python -m salespipeline.db.data_loading.load_opportunity_stage_history``: an alias of
``salespipeline load opportunity_stage_history``, kept for compatibility (messages start with
``load_opportunity_stage_history:``)."""

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("load_opportunity_stage_history", "load", "opportunity_stage_history"))
