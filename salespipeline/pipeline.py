"""The main job, for people who run Python rather than make (``python main.py``; ``make run``).

Generate the data into ``seeds/``, load it with ``dbt seed``, build and test every model with
``dbt build``, and write the docs site with ``dbt docs generate --static``: the same steps, in the
same order, on the same warehouse (profiles.yml, ``SALESPIPELINE_DUCKDB``) as the README's
individual commands. It stops at the first step that fails and returns its exit code.

The job holds the lock of ``seeds/`` (salespipeline.lock) from before it generates until its last
step, so that a ``generate`` or a second main job cannot replace the seeds while ``dbt seed``
reads them; it refuses to start, with one line, while another process holds it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from salespipeline import cli
from salespipeline.lock import FolderBusyError, folder_lock

# The folder dbt seed reads (seed-paths in dbt_project.yml), where generate writes by default.
SEEDS = Path("seeds")

# After generating: the dbt steps, each as typed on the command line.
DBT_STEPS: tuple[tuple[str, ...], ...] = (
    ("seed",),
    ("build", "--exclude", "resource_type:seed"),
    ("docs", "generate", "--static"),
)


def run_main_job(project_dir: Path, generate_args: list[str]) -> int:
    """Run every step from `project_dir` (relative paths, as for make, are taken from there).

    `generate_args` are `python -m salespipeline generate` options (--seed, --scale, ...).
    """
    os.chdir(project_dir)
    # dbt reads profiles.yml from the project root, as with make.
    os.environ.setdefault("DBT_PROFILES_DIR", str(project_dir))
    try:
        with folder_lock(SEEDS):
            return _run_steps(project_dir, generate_args)
    except FolderBusyError as error:
        print(f"main: error: {error}", file=sys.stderr)
        return cli.EXIT_FAILURE


def _run_steps(project_dir: Path, generate_args: list[str]) -> int:
    print(f"==> salespipeline generate {' '.join(generate_args)}".rstrip(), flush=True)
    code = cli.main(["generate", *generate_args])
    if code != 0:
        return code

    from dbt.cli.main import dbtRunner  # imported late: dbt is slow to import, generate is not

    runner = dbtRunner()
    for step in DBT_STEPS:
        print(f"==> dbt {' '.join(step)}", flush=True)
        # No usage statistics leave the machine, whatever DBT_SEND_ANONYMOUS_USAGE_STATS says
        # (make sets it to false too): the command-line flag is the one setting dbt ranks first.
        result = runner.invoke(
            [*step, "--project-dir", str(project_dir), "--no-send-anonymous-usage-stats"]
        )
        if not result.success:
            reason = f": {result.exception}" if result.exception else " (see dbt's output above)"
            print(f"main: error: dbt {' '.join(step)} failed{reason}", file=sys.stderr)
            return cli.EXIT_FAILURE
    print(
        f"==> done: warehouse {os.environ.get('SALESPIPELINE_DUCKDB') or 'salespipeline.duckdb'}"
        ", docs in target/static_index.html",
        flush=True,
    )
    return 0
