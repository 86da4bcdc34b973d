"""`python main.py`, the main job of the original notes' "Run your script" step, end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from support import REPO_ROOT, Dataset


def _run_main(project: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env["SALESPIPELINE_DUCKDB"] = str(warehouse)
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_main_job_generates_seeds_builds_and_writes_the_docs(
    dbt_project, small_dataset: Dataset, tmp_path: Path
) -> None:
    project = dbt_project(small_dataset, "main_job")
    shutil.copy(REPO_ROOT / "main.py", project / "main.py")
    before = (project / "seeds" / "accounts.csv").read_bytes()
    warehouse = tmp_path / "job.duckdb"

    result = _run_main(
        project, warehouse, "--seed", "5", "--scale", "0.05", "--truth-out", str(tmp_path / "t")
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    steps = [line for line in result.stdout.splitlines() if line.startswith("==> ")]
    assert [step.split()[1:3] for step in steps[:4]] == [
        ["salespipeline", "generate"],
        ["dbt", "seed"],
        ["dbt", "build"],
        ["dbt", "docs"],
    ]
    # The seeds were generated anew (seed 5, not the dataset's 7), then loaded and built.
    assert (project / "seeds" / "accounts.csv").read_bytes() != before
    accounts = (project / "seeds" / "accounts.csv").read_text().count("\n") - 1
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from raw.accounts").fetchone() == (accounts,)
        assert connection.execute("select count(*) from marts.fct_mrr_bridge").fetchone()[0] > 0
    assert (project / "target" / "static_index.html").stat().st_size > 100_000


def test_main_job_stops_at_a_bad_option(
    dbt_project, small_dataset: Dataset, tmp_path: Path
) -> None:
    project = dbt_project(small_dataset, "main_job_bad")
    shutil.copy(REPO_ROOT / "main.py", project / "main.py")
    warehouse = tmp_path / "never.duckdb"

    result = _run_main(project, warehouse, "--scale", "-1")

    assert result.returncode == 2
    assert "--scale" in result.stderr
    assert "error" in result.stderr
    assert "==> dbt" not in result.stdout
    assert not warehouse.exists()
