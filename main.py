"""The main job in one Python command: ``python main.py [--seed N] [--scale X] ...``.

An alias of ``salespipeline run``, kept for compatibility (errors start with ``main:``): it runs
from this folder, wherever it is started.
"""

from pathlib import Path

from salespipeline.cli import alias

if __name__ == "__main__":
    raise SystemExit(alias("main", "run", project_dir=Path(__file__).resolve().parent))
