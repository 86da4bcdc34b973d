"""What every test shares: the small generated dataset, and the split of the suite.

Tests under tests/unit/ are fast and need neither dbt nor a browser (`make test-fast` runs them);
tests under tests/integration/ build with dbt, render in Chromium or run the main job. Each test is
marked `unit` or `integration` by its folder; a test module elsewhere (tests/governance/) sets its
own mark, and a test with neither fails the collection, so that none is left out of both.
"""

from __future__ import annotations

from pathlib import Path

import engines
import pytest
from support import SMALL_SCALE, SMALL_SEED, Dataset, make_dataset

KINDS = ("unit", "integration")
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = []
    for item in items:
        folder = Path(item.path).resolve().relative_to(TESTS).parts[0]
        if folder in KINDS:
            item.add_marker(folder)
        if sum(item.get_closest_marker(kind) is not None for kind in KINDS) != 1:
            unmarked.append(item.nodeid)
    if unmarked:
        raise pytest.UsageError(
            "tests marked neither unit nor integration, or both: " + ", ".join(unmarked)
        )
    # The tests that read the Spark and PostgreSQL builds run last: those builds run in the
    # background meanwhile (tests/integration/conftest.py).
    items.sort(key=lambda item: bool(engines.needed_by(item)))


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return make_dataset(tmp_path_factory.mktemp("small"), seed=SMALL_SEED, scale=SMALL_SCALE)
