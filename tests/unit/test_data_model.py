"""The raw data model is declared once, in salespipeline/schema.py; the dbt YAML that restates it
(the raw seeds' column types, the sources' columns and key tests) must agree with it exactly.

init_db's DDL, the loaders and the generator are built from schema.py itself; this test is what
keeps the YAML from drifting: a column renamed, reordered, retyped, a key or a NOT NULL that the
YAML no longer tests fails here, naming the table and column.
"""

from __future__ import annotations

import re

import pytest
import yaml
from support import REPO_ROOT

from salespipeline.schema import FOREIGN_KEYS, TABLES, column_names, primary_key

SEEDS_YAML = REPO_ROOT / "seeds" / "_raw__seeds.yml"
SOURCES_YAML = sorted((REPO_ROOT / "models" / "staging").glob("*/_*__sources.yml"))


def seed_type(data_model_type: str) -> str:
    """The DuckDB type dbt seed loads a data-model type as."""
    if numeric := re.fullmatch(r"numeric\((\d+),(\d+)\)", data_model_type):
        return f"decimal({numeric.group(1)},{numeric.group(2)})"
    if data_model_type.startswith("varchar") or data_model_type == "text":
        return "varchar"
    return {"int": "integer"}.get(data_model_type, data_model_type)


def raw_seeds() -> dict[str, dict]:
    return {seed["name"]: seed for seed in yaml.safe_load(SEEDS_YAML.read_text())["seeds"]}


def source_tables() -> dict[str, tuple[str, dict]]:
    """Every source table by name, with the name of its source."""
    tables: dict[str, tuple[str, dict]] = {}
    for path in SOURCES_YAML:
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                assert table["name"] not in tables, f"{table['name']} is declared twice"
                tables[table["name"]] = (source["name"], table)
    return tables


def data_tests_of(column: dict) -> list:
    return column.get("data_tests") or []


def has_test(column: dict, name: str) -> bool:
    return any(
        test == name or (isinstance(test, dict) and name in test) for test in data_tests_of(column)
    )


def test_every_raw_table_is_a_seed_and_a_source() -> None:
    assert set(raw_seeds()) == set(TABLES)
    assert set(source_tables()) == set(TABLES)


@pytest.mark.parametrize("table", list(TABLES))
def test_seed_columns_and_types_follow_the_data_model(table: str) -> None:
    seed = raw_seeds()[table]
    assert [column["name"] for column in seed["columns"]] == column_names(table)
    types = seed["config"]["column_types"]
    assert list(types) == column_names(table)
    for column in TABLES[table]:
        assert types[column.name] == seed_type(column.type), f"{table}.{column.name}"


@pytest.mark.parametrize("table", list(TABLES))
def test_source_columns_and_key_tests_follow_the_data_model(table: str) -> None:
    _, source = source_tables()[table]
    columns = {column["name"]: column for column in source["columns"]}
    assert list(columns) == column_names(table)
    # Staging casts every column to this type (macros/typed_source.sql).
    assert {name: column.get("data_type") for name, column in columns.items()} == {
        column.name: column.type for column in TABLES[table]
    }, f"{table}: data_type differs from the data model"
    key = columns[primary_key(table)]
    assert has_test(key, "unique"), f"{table}.{key['name']}: primary key without unique"
    for column in TABLES[table]:
        if not column.nullable:
            assert has_test(columns[column.name], "not_null"), f"{table}.{column.name}: NOT NULL"
    for (child, child_column), (parent, parent_column) in FOREIGN_KEYS.items():
        if child != table:
            continue
        parents = source_tables()
        wanted = {"to": f"source('{parents[parent][0]}', '{parent}')", "field": parent_column}
        relationships = [
            test["relationships"]["arguments"]
            for test in data_tests_of(columns[child_column])
            if isinstance(test, dict) and "relationships" in test
        ]
        assert wanted in relationships, f"{table}.{child_column}: foreign key to {parent}"


def test_a_drift_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks above fail on a data model that no longer matches the YAML."""
    from salespipeline import schema

    original = TABLES
    renamed = {
        **TABLES,
        "accounts": (schema.Column("account_key", "uuid", False), *TABLES["accounts"][1:]),
    }
    monkeypatch.setattr(schema, "TABLES", renamed)
    monkeypatch.setitem(globals(), "TABLES", renamed)
    with pytest.raises(AssertionError):
        test_seed_columns_and_types_follow_the_data_model("accounts")

    columns = original["accounts"]
    retyped = {
        **original,
        "accounts": tuple(
            schema.Column(c.name, "numeric(18,2)", c.nullable) if c.name == "annual_revenue" else c
            for c in columns
        ),
    }
    monkeypatch.setattr(schema, "TABLES", retyped)
    monkeypatch.setitem(globals(), "TABLES", retyped)
    with pytest.raises(AssertionError, match="data_type"):
        test_source_columns_and_key_tests_follow_the_data_model("accounts")


def contract_table() -> str:
    """The README's raw contract, as the data model states it: one row per table."""
    rows = [
        "| table | key | columns in order: type, `*` never empty | references |",
        "| --- | --- | --- | --- |",
    ]
    for table, columns in TABLES.items():
        listed = ", ".join(
            f"`{column.name}` {column.type}{'' if column.nullable else '*'}" for column in columns
        )
        references = ", ".join(
            f"`{column}` → {parent}"
            for (child, column), (parent, _) in FOREIGN_KEYS.items()
            if child == table
        )
        rows.append(f"| `{table}` | `{primary_key(table)}` | {listed} | {references or '—'} |")
    return "\n".join(rows)


def test_the_readme_states_the_raw_contract_of_the_data_model() -> None:
    """ "Bring your own data" tells a team what its tables must hold: the same as schema.py."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Bring your own data\n", 1)[1].split("\n## ", 1)[0]
    assert contract_table() in section, (
        "README.md's raw contract differs from salespipeline/schema.py; its table should read:\n"
        + contract_table()
    )
