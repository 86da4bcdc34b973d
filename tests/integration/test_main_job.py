"""The main job (`salespipeline run`, `make run`, `python main.py`), end to end."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import duckdb
import pytest
from support import REPO_ROOT, Dataset

from salespipeline import cli, dataset, pipeline
from salespipeline.config import GeneratorConfig


def _run_main(
    project: Path, warehouse: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DBT_")} | (env or {})
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
    home = tmp_path / "home"
    home.mkdir()
    # Someone who let dbt send usage statistics elsewhere: this project still sends none.
    privacy = {"HOME": str(home), "DBT_SEND_ANONYMOUS_USAGE_STATS": "true"}

    result = _run_main(
        project,
        warehouse,
        *("--seed", "5", "--scale", "0.05", "--truth-out", str(tmp_path / "t")),
        env=privacy,
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
    # dbt keeps its anonymous user id in .user.yml once it means to send statistics.
    assert not list(project.rglob(".user.yml"))
    assert not list(home.rglob(".user.yml"))
    assert not list((project / "seeds").glob(".*")), "no temporary or lock file left"


def test_main_job_tells_dbt_to_send_no_usage_statistics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invocations: list[list[str]] = []

    class Runner:
        def invoke(self, args: list[str]) -> types.SimpleNamespace:
            invocations.append(args)
            return types.SimpleNamespace(success=True, exception=None)

    monkeypatch.setitem(sys.modules, "dbt.cli.main", types.SimpleNamespace(dbtRunner=Runner))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "true")
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # run_main_job changes into the project; this changes back
    pipeline.run_main_job(tmp_path, GeneratorConfig(scale=0.02), truth_out=tmp_path / "truth")

    assert [args[0] for args in invocations] == ["seed", "build", "docs"]
    for args in invocations:
        assert "--no-send-anonymous-usage-stats" in args, args


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


def test_the_main_job_generates_with_the_library_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run` parses generate's options into a GeneratorConfig and the job hands it, with the
    folders, to dataset.generate_dataset (the function behind `generate`), then runs dbt."""
    calls: list[tuple[GeneratorConfig, Path, Path]] = []
    real = dataset.generate_dataset

    def generate_dataset(config, out, truth_out, progress=None):
        calls.append((config, out, truth_out))
        return real(config, out, truth_out, progress)

    steps: list[str] = []

    class Runner:
        def invoke(self, args: list[str]) -> types.SimpleNamespace:
            steps.append(args[0])
            return types.SimpleNamespace(success=True, exception=None)

    monkeypatch.setattr(dataset, "generate_dataset", generate_dataset)
    monkeypatch.setitem(sys.modules, "dbt.cli.main", types.SimpleNamespace(dbtRunner=Runner))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)

    code = cli.main(["run", "--seed", "5", "--scale", "0.02", "--truth-out", "truth"])

    assert code == 0
    assert calls == [(GeneratorConfig(seed=5, scale=0.02), Path("seeds"), Path("truth"))]
    assert steps == ["seed", "build", "docs"]
    out = capsys.readouterr().out
    assert out.startswith(
        "==> salespipeline generate --seed 5 --scale 0.02 --start-date 2023-10-01 "
        "--end-date 2026-09-30 --truth-out truth\n"
    )
    assert "seeds/accounts.csv" in out, "the summary of generate"
    assert (tmp_path / "seeds" / "accounts.csv").is_file()


def test_a_failing_dbt_step_stops_the_job_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Runner:
        def invoke(self, args: list[str]) -> types.SimpleNamespace:
            failed = args[0] == "build"
            error = RuntimeError("Compilation Error\n  in model x") if failed else None
            return types.SimpleNamespace(success=not failed, exception=error)

    monkeypatch.setitem(sys.modules, "dbt.cli.main", types.SimpleNamespace(dbtRunner=Runner))
    monkeypatch.setenv("DBT_PROFILES_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)

    code = cli.alias("main", "run", argv=["--scale", "0.02", "--quiet", "--truth-out", "t"])

    assert code == cli.EXIT_FAILURE
    captured = capsys.readouterr()
    assert "==> dbt docs" not in captured.out
    assert (
        captured.err == "main: error: dbt build --exclude resource_type:seed failed: "
        "Compilation Error in model x\n"
    )
