"""One codebase, three engines: the small dataset seeded and built on Spark and on PostgreSQL
(every model, data test, unit test and contract passes there: the build fails otherwise), and
every mart equal to DuckDB's row for row: the same keys and counts, money to the cent, rates to
1e-9. Any difference names the mart, the key and the column."""

from __future__ import annotations

import engines
import pytest
from support import connect_warehouse


@pytest.mark.parametrize("engine", engines.ENGINES)
def test_every_mart_equals_duckdbs_row_for_row(engine: str, built, built_on_engine) -> None:
    build = built_on_engine(engine)
    marts = engines.marts_of(build.project / "target" / "manifest.json")
    assert len(marts) >= 20
    _, warehouse = built
    problems: list[str] = []
    with connect_warehouse(warehouse) as connection:
        reference = engines.duckdb_fetch(connection)
        for mart in marts:
            relation = f"marts.{mart.name}"
            assert reference(relation)[1], f"{relation} is empty: nothing to compare"
            problems += engines.differences(mart, reference(relation), build.rows[relation], engine)
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:40])
