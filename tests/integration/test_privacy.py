"""dbt never phones home from this project, however it is started.

dbt sends anonymous usage statistics unless told not to. The project says so itself
(``flags: send_anonymous_usage_stats: false`` in dbt_project.yml), so a bare ``dbt`` command,
with none of the environment variables that make and main.py set, stays on the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import Dataset


def test_a_bare_dbt_command_sends_no_usage_statistics(
    dbt_project, small_dataset: Dataset, tmp_path: Path
) -> None:
    project = dbt_project(small_dataset, "no_tracking")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")}
    env |= {"HOME": str(home), "SALESPIPELINE_DUCKDB": str(tmp_path / "wh.duckdb")}
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), "parse", "--profiles-dir", str(project), "--log-level-file", "debug"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    log = (project / "logs" / "dbt.log").read_text()
    assert "Sending event" not in log
    assert not list(project.rglob(".user.yml"))
    assert not list(home.rglob(".user.yml"))
