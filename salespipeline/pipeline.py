"""The main job: ``salespipeline run`` (also ``python main.py`` and ``make run``).

Generate the data into ``seeds/``, load it with ``dbt seed``, build and test every model with
``dbt build``, and write the docs site with ``dbt docs generate --static``: the same steps, in the
same order, on the same warehouse (profiles.yml, ``SALESPIPELINE_DUCKDB``) as the README's
individual commands. It stops at the first step that fails.

The job holds the lock of ``seeds/`` (salespipeline.lock) from before it generates until its last
step, so that a ``generate`` or a second main job cannot replace the seeds while ``dbt seed``
reads them; it refuses to start, with FolderBusyError, while another process holds it.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from pathlib import Path

from salespipeline import dataset
from salespipeline.config import GeneratorConfig
from salespipeline.dataset import GROUND_TRUTH, SEEDS, GeneratedDataset
from salespipeline.errors import one_line
from salespipeline.lock import folder_lock

# After generating: the dbt steps, each as typed on the command line.
DBT_STEPS: tuple[tuple[str, ...], ...] = (
    ("seed",),
    ("build", "--exclude", "resource_type:seed"),
    ("docs", "generate", "--static"),
)


class DbtStepError(Exception):
    """A dbt step failed; the message names it and is shown to the user as is."""


def run_main_job(
    project_dir: Path,
    config: GeneratorConfig,
    *,
    truth_out: Path = GROUND_TRUTH,
    announce: Callable[[str], None] | None = None,
    progress: Callable[[str], None] | None = None,
    generated: Callable[[GeneratedDataset], None] | None = None,
    target: str | None = None,
) -> None:
    """Run every step from `project_dir` (relative paths, as for make, are taken from there).

    `target` is the profiles.yml target the dbt steps run on (``spark``, ``postgres``); None is
    the profile's default, the embedded DuckDB warehouse.

    `announce` receives each step as the command that does it (``dbt seed``) when it starts,
    `progress` the generator's steps and `generated` what it wrote. Raises what
    `dataset.generate_dataset` raises, FolderBusyError while another process holds ``seeds/``,
    and DbtStepError.
    """
    say = announce or (lambda _step: None)
    os.chdir(project_dir)
    # dbt reads profiles.yml from the project root, as with make.
    os.environ.setdefault("DBT_PROFILES_DIR", str(project_dir))
    # The Spark target keeps its warehouse and catalogue here, by absolute path.
    os.environ.setdefault("SALESPIPELINE_SPARK_DIR", str(Path(project_dir).resolve() / ".spark"))
    target_options = ["--target", target] if target else []
    with folder_lock(SEEDS):
        say(f"salespipeline generate {generate_options(config, truth_out)}")
        written = dataset.generate_dataset(config, SEEDS, truth_out, progress)
        if generated is not None:
            generated(written)

        from dbt.cli.main import dbtRunner  # imported late: dbt is slow to import

        runner = dbtRunner()
        for step in DBT_STEPS:
            step = (*step, *target_options)
            say(f"dbt {' '.join(step)}")
            # No usage statistics leave the machine, whatever DBT_SEND_ANONYMOUS_USAGE_STATS
            # says (make sets it to false too): the command-line flag is the one setting dbt
            # ranks first.
            result = runner.invoke(
                [*step, "--project-dir", str(project_dir), "--no-send-anonymous-usage-stats"]
            )
            if not result.success:
                reason = (
                    f": {one_line(result.exception)}"
                    if result.exception
                    else " (see dbt's output above)"
                )
                raise DbtStepError(f"dbt {' '.join(step)} failed{reason}")


def generate_options(config: GeneratorConfig, truth_out: Path) -> str:
    """The `salespipeline generate` options that write the main job's dataset to seeds/ (dbt
    seed's folder) and its ground truth to `truth_out`."""
    options = [
        f"--seed {config.seed}",
        f"--scale {config.scale}",
        f"--start-date {config.start_date.isoformat()}",
        f"--end-date {config.end_date.isoformat()}",
    ]
    if truth_out != GROUND_TRUTH:
        options.append(f"--truth-out {shlex.quote(str(truth_out))}")
    return " ".join(options)
