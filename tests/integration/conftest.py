"""Fixtures of the integration tests: throwaway copies of the dbt project, and the small dataset
built into a temporary warehouse once per session (and once more as of a mid-window date), and
on Spark and PostgreSQL when a test asks for them."""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import engines
import pytest
from support import AS_OF_DATE, REPO_ROOT, Dataset, run_dbt

from salespipeline.schema import TABLES


@pytest.fixture(scope="session")
def dbt_project(tmp_path_factory: pytest.TempPathFactory):
    """A throwaway copy of the dbt project, so tests never touch the repository's seeds or
    warehouse. Returns a function that fills its seeds folder with a dataset."""
    root = tmp_path_factory.mktemp("project")

    def copy_with(dataset: Dataset, name: str) -> Path:
        project = root / name
        project.mkdir()
        for item in ("dbt_project.yml", "profiles.yml", "models", "macros", "data-tests", "seeds"):
            source = REPO_ROOT / item
            if source.is_dir():
                shutil.copytree(
                    source,
                    project / item,
                    ignore=shutil.ignore_patterns("*.csv") if item == "seeds" else None,
                )
            else:
                shutil.copy(source, project / item)
        shutil.copytree(
            REPO_ROOT / "seeds" / "reference", project / "seeds" / "reference", dirs_exist_ok=True
        )
        for table in TABLES:
            shutil.copy(dataset.path(table), project / "seeds" / f"{table}.csv")
        return project

    return copy_with


def _build(project, warehouse, *extra: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        run_dbt(project, "seed")
        run_dbt(project, "build", "--exclude", "resource_type:seed", *extra)


@pytest.fixture(scope="session")
def small_project(dbt_project, small_dataset: Dataset):
    return dbt_project(small_dataset, "small")


@pytest.fixture(scope="session")
def built(small_project, small_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory):
    """The small dataset seeded and built (every model and test) into a temporary warehouse."""
    warehouse = tmp_path_factory.mktemp("warehouse") / "test.duckdb"
    _build(small_project, warehouse)
    return small_dataset, warehouse


@pytest.fixture(scope="session")
def built_as_of(small_project, small_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory):
    """The same data built with an as_of_date in the middle of the window."""
    warehouse = tmp_path_factory.mktemp("warehouse_as_of") / "as_of.duckdb"
    _build(small_project, warehouse, "--vars", f"{{as_of_date: '{AS_OF_DATE}'}}")
    return small_dataset, warehouse


@dataclass
class EngineBuild:
    """The small dataset seeded and built on another engine: the project it ran in, every
    relation it wrote as the engine returned it, and a DuckDB file mirroring them."""

    engine: str
    project: Path
    rows: dict[str, tuple[list[str], engines.Rows]]
    dataset: Dataset
    warehouse: Path


@pytest.fixture(scope="session", autouse=True)
def engine_builds_in_background(request, dbt_project, small_dataset: Dataset, tmp_path_factory):
    """Starts the Spark and PostgreSQL builds of the small dataset that the session's tests
    need, each in a process of its own, as soon as the session starts: they run beside the
    DuckDB tests, and the tests that read them run last (tests/conftest.py orders them).

    Yields, by engine, the build and the environment its target reads (or why the engine
    cannot run here)."""
    needed = set().union(*(engines.needed_by(item) for item in request.session.items))
    started: dict[str, tuple[engines.BackgroundBuild | None, dict[str, str], str | None]] = {}
    with contextlib.ExitStack() as stack:
        for engine in sorted(needed):
            if engine == "spark":
                env = {"SALESPIPELINE_SPARK_DIR": str(tmp_path_factory.mktemp("spark"))}
                problem = engines.java_problem()
            else:
                env, problem = stack.enter_context(engines.postgres_server())
            build = None
            if problem is None:
                project = dbt_project(small_dataset, f"engine_{engine}")
                build = engines.BackgroundBuild(engine, project, env)
                stack.callback(build.stop)
            started[engine] = (build, env, problem)
        yield started


@pytest.fixture(scope="session")
def built_on_engine(engine_builds_in_background, small_dataset: Dataset, built, tmp_path_factory):
    """`built_on_engine("spark")`: the build of `built` on Spark (or PostgreSQL): `dbt seed` and
    `dbt build` (every model, data test, unit test and contract), its relations read back and
    mirrored into a DuckDB file."""
    builds: dict[str, EngineBuild] = {}

    def build(engine: str) -> EngineBuild:
        if engine in builds:
            return builds[engine]
        background, env, problem = engine_builds_in_background[engine]
        if problem is not None:
            engines.unavailable(problem)
        background.wait()
        project = background.project
        if engine == "spark":
            # A SparkSession in this process on the build's warehouse and catalogue, with the
            # profile's settings: dbt-spark's session method starts it.
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("SALESPIPELINE_SPARK_DIR", env["SALESPIPELINE_SPARK_DIR"])
                run_dbt(project, "show", "--inline", "select 1 as started", "--target", engine)
            fetch = engines.spark_fetch()
        else:
            fetch = engines.postgres_fetch(env)
        manifest = json.loads((project / "target" / "manifest.json").read_text())
        relations = sorted(
            f"{node['schema']}.{node['alias']}"
            for node in manifest["nodes"].values()
            if node["resource_type"] in ("model", "seed")
        )
        warehouse = tmp_path_factory.mktemp(f"mirror_{engine}") / f"{engine}.duckdb"
        rows = engines.mirror(fetch, built[1], relations, warehouse)
        builds[engine] = EngineBuild(engine, project, rows, small_dataset, warehouse)
        return builds[engine]

    return build
