"""The marts built from the default dataset (`make run`'s) have exactly the rows recorded in
marts_fingerprint.json: a refactoring of the models, macros or generator that changes a number
fails here. A deliberate change of definition rewrites the file in the same commit (see
marts_fingerprint.py), so the change of numbers is reviewed with the change of code.
"""

from __future__ import annotations

import json

import pytest
from marts_fingerprint import FINGERPRINT, fingerprint
from support import connect_warehouse, make_dataset, run_dbt


@pytest.fixture(scope="module")
def default_warehouse(dbt_project, tmp_path_factory: pytest.TempPathFactory):
    """The default dataset (seed 42, scale 1, the default window) seeded and run."""
    dataset = make_dataset(tmp_path_factory.mktemp("default"))
    project = dbt_project(dataset, "default")
    warehouse = tmp_path_factory.mktemp("default_warehouse") / "default.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
        run_dbt(project, "seed")
        run_dbt(project, "run")
    return warehouse


def test_the_marts_of_the_default_data_are_unchanged(default_warehouse) -> None:
    expected = json.loads(FINGERPRINT.read_text(encoding="utf-8"))
    with connect_warehouse(default_warehouse) as connection:
        found = fingerprint(connection)
    # The marts both sides know are compared first, so that a new or removed mart never hides
    # a changed one.
    changed = {
        mart: {key: (expected[mart][key], found[mart][key]) for key in ("columns", "rows")}
        for mart in sorted(set(expected) & set(found))
        if found[mart] != expected[mart]
    }
    assert not changed, f"marts whose rows changed (expected, found): {changed}"
    assert sorted(found) == sorted(expected), (
        f"the set of marts changed: added {sorted(set(found) - set(expected))}, removed "
        f"{sorted(set(expected) - set(found))} (rewrite the fingerprint, see marts_fingerprint.py)"
    )
