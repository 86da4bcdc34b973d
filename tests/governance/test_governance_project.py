"""The governance rules on the real project: no violation outside the exceptions file, no
stale exception, and 100% documentation of models and columns in every layer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rules import (
    LAYERS,
    REPO_ROOT,
    RULES,
    Project,
    coverage,
    evaluate,
    format_coverage,
    load_exceptions,
    load_json,
    manifest_path,
)

# It parses the project with dbt (unless `make lint` passes a manifest in).
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The manifest of the working tree. `make lint` runs `dbt parse` and passes its manifest
    in SALESPIPELINE_MANIFEST; otherwise the project is parsed here into a temporary target,
    so a stale target/manifest.json can never be checked by mistake."""
    given = manifest_path()
    if given is not None:
        if not given.is_file():
            pytest.fail(f"SALESPIPELINE_MANIFEST={given} does not exist: run `dbt parse` first")
        return load_json(given)
    target = tmp_path_factory.mktemp("governance_target")
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target / "logs"),
        "DBT_PROFILES_DIR": str(REPO_ROOT),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "parse", "--quiet", "--target", "lint"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return load_json(target / "manifest.json")


@pytest.fixture(scope="module")
def project(manifest: dict[str, Any]) -> Project:
    return Project(manifest)


class _Report:
    """Prints the rule counts and the coverage table at the end of the run, even under -q."""

    def __init__(self, text: str) -> None:
        self.text = text

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section("governance")
        terminalreporter.write_line(self.text)


@pytest.fixture(scope="module")
def evaluation(project: Project, request: pytest.FixtureRequest):
    exceptions = load_exceptions()
    by_rule, open_violations, stale = evaluate(project, exceptions)
    lines = [f"{'rule':<34}{'violations':>11}{'excepted':>10}"]
    for name, violations in by_rule.items():
        excepted = sum(any(e.excuses(v) for e in exceptions) for v in violations)
        lines.append(f"{name:<34}{len(violations):>11}{excepted:>10}")
    lines += ["", format_coverage(coverage(project))]
    request.config.pluginmanager.register(_Report("\n".join(lines)), "governance-report")
    return by_rule, open_violations, stale


def test_project_has_nodes_to_check(project: Project) -> None:
    """Guards every other test here: rules over an empty manifest would all pass."""
    assert len(project.models) >= 20, "too few models found: is this the right manifest?"
    assert project.sources
    assert project.seeds
    assert {project.layer(uid) for uid in project.models} == set(LAYERS)


def test_no_violations_outside_exceptions(evaluation) -> None:
    _, open_violations, _ = evaluation
    if open_violations:
        pytest.fail(
            "governance rules broken (fix them, or add a justified entry to "
            "tests/governance/exceptions.yml):\n" + "\n".join(map(str, open_violations)),
            pytrace=False,
        )


def test_every_exception_still_excuses_something(evaluation) -> None:
    _, _, stale = evaluation
    if stale:
        pytest.fail(
            "exceptions.yml entries that excuse nothing; remove them:\n"
            + "\n".join(f"[{e.rule}] {e.node}" for e in stale),
            pytrace=False,
        )


def test_every_rule_ran(evaluation) -> None:
    by_rule, _, _ = evaluation
    assert set(by_rule) == set(RULES)


@pytest.mark.parametrize("layer", [*LAYERS, "seeds", "sources"])
def test_documentation_coverage_is_complete(project: Project, layer: str) -> None:
    """Every model, seed and source table documented, and every declared column: 100%."""
    row = next(r for r in coverage(project) if r.layer == layer)
    assert row.models > 0, f"{layer}: no nodes to measure"
    assert row.columns > 0, f"{layer}: no columns to measure"
    assert (row.models_documented, row.columns_documented) == (row.models, row.columns), (
        f"{layer}: {row.models_documented}/{row.models} nodes and "
        f"{row.columns_documented}/{row.columns} columns documented"
    )


def test_dag_matches_dbt_parent_map(project: Project, manifest: dict[str, Any]) -> None:
    """The rules' DAG is built from depends_on; it must agree with dbt's own parent_map."""
    for uid in project.models:
        expected = sorted(p for p in manifest["parent_map"][uid] if p in project.parents)
        assert project.parents[uid] == expected, uid


@pytest.mark.parametrize("layer", [*LAYERS, "sources"])
def test_every_model_and_source_table_is_tested(project: Project, layer: str) -> None:
    """Test coverage by node: every model and source table carries at least one test. (Column
    test coverage is reported, not required: a description column needs no test.) Raw seeds
    are tested through the sources that declare the same tables."""
    row = next(r for r in coverage(project) if r.layer == layer)
    assert row.models_tested == row.models, (
        f"{layer}: {row.models_tested}/{row.models} nodes have a test"
    )
