"""The main job in one Python command: ``python main.py [--seed N] [--scale X] ...``.

Generates the synthetic data (options as for ``python -m salespipeline generate``), then runs
``dbt seed``, ``dbt build`` and ``dbt docs generate --static`` on the DuckDB warehouse. ``make run``
runs it too; see salespipeline/pipeline.py.
"""

import sys
from pathlib import Path

from salespipeline.pipeline import run_main_job

if __name__ == "__main__":
    sys.exit(run_main_job(Path(__file__).resolve().parent, sys.argv[1:]))
