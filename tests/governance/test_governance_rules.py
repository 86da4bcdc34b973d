"""Every rule catches what it is for: a small synthetic project passes every rule, and each
fixture below breaks it in one place that the rule under test must report. A rule without a
fixture fails `test_every_rule_has_a_violation_fixture`, so no check can pass unproven."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rules import (
    RULES,
    Project,
    RuleException,
    evaluate,
    find_hard_coded_relations,
    load_exceptions,
)

P = "salespipeline"

# Synthetic manifests only: no dbt.
pytestmark = pytest.mark.unit

SOURCE = f"source.{P}.crm.leads"
SEED = f"seed.{P}.fx_rates"
STG_LEADS = f"model.{P}.stg_crm__leads"
STG_FX = f"model.{P}.stg_reference__fx_rates"
INT = f"model.{P}.int_leads_converted"
FCT = f"model.{P}.fct_leads"

Manifest = dict[str, Any]


def _sql(*parents: str) -> str:
    if not parents:
        return "select 1 as thing_id"
    imports = ",\n\n".join(
        f"{name} as (\n    select * from {{{{ ref('{name}') }}}}\n)" for name in parents
    )
    return f"with\n\n{imports},\n\nfinal as (\n    select * from {parents[0]}\n)\n\n" + (
        "select * from final"
    )


def _model(name: str, folder: str, parents: list[str], materialized: str = "view") -> dict:
    return {
        "resource_type": "model",
        "package_name": P,
        "name": name,
        "original_file_path": f"models/{folder}/{name}.sql",
        "depends_on": {"nodes": parents, "macros": []},
        "config": {"materialized": materialized, "contract": {"enforced": False}},
        "access": "protected",
        "description": f"One row per thing in {name}.",
        "columns": {"thing_id": {"name": "thing_id", "description": "The key."}},
        "raw_code": _sql(*[p.split(".")[-1] for p in parents]),
    }


def _test(name: str, on: str, yml: str, column: str | None, **kwargs: Any) -> tuple[str, dict]:
    uid = f"test.{P}.{name}_{on.split('.')[-1]}_{column}"
    return uid, {
        "resource_type": "test",
        "package_name": P,
        "name": uid.split(".")[-1],
        "original_file_path": yml,
        "attached_node": on,
        "column_name": column,
        "depends_on": {"nodes": [on], "macros": []},
        "test_metadata": {"name": name, "kwargs": kwargs},
        "raw_code": "",
    }


def _primary_key(on: str, yml: str) -> dict[str, dict]:
    return dict([_test("unique", on, yml, "thing_id"), _test("not_null", on, yml, "thing_id")])


def clean_manifest() -> Manifest:
    """A tiny project that follows every rule: source and seed -> staging -> int -> mart."""
    stg_crm_yml = "models/staging/crm/_crm__models.yml"
    stg_ref_yml = "models/staging/reference/_reference__models.yml"
    int_yml = "models/intermediate/marketing/_marketing__models.yml"
    fct_yml = "models/marts/marketing/_marketing__models.yml"
    nodes: dict[str, dict] = {
        STG_LEADS: _model("stg_crm__leads", "staging/crm", [SOURCE]),
        STG_FX: _model("stg_reference__fx_rates", "staging/reference", [SEED]),
        INT: _model("int_leads_converted", "intermediate/marketing", [STG_LEADS, STG_FX]),
        FCT: _model("fct_leads", "marts/marketing", [INT], "table"),
        SEED: {
            "resource_type": "seed",
            "package_name": P,
            "name": "fx_rates",
            "original_file_path": "seeds/reference/fx_rates.csv",
            "description": "One row per currency.",
            "columns": {"currency_code": {"name": "currency_code", "description": "ISO code."}},
            "config": {},
        },
        f"test.{P}.assert_leads_add_up": {
            "resource_type": "test",
            "package_name": P,
            "name": "assert_leads_add_up",
            "original_file_path": "data-tests/marketing/assert_leads_add_up.sql",
            "depends_on": {"nodes": [FCT, STG_LEADS], "macros": []},
            "raw_code": "select * from {{ ref('fct_leads') }} where thing_id is null",
        },
        # A model of another package is never checked.
        "model.other_package.orphan": {
            **_model("orphan", "elsewhere", []),
            "package_name": "other_package",
        },
    }
    nodes[STG_LEADS]["raw_code"] = (
        "with\n\nleads as (\n    select * from {{ source('crm', 'leads') }}\n),\n\n"
        "final as (\n    select\n        lead_id as thing_id,\n"
        "        extract(year from created_at) as created_year\n    from leads\n)\n\n"
        "select * from final"
    )
    nodes[STG_FX]["raw_code"] = "select * from {{ ref('fx_rates') }}"
    nodes[FCT]["config"]["contract"] = {"enforced": True}
    nodes.update(_primary_key(STG_LEADS, stg_crm_yml))
    nodes.update(_primary_key(STG_FX, stg_ref_yml))
    nodes.update(_primary_key(INT, int_yml))
    nodes.update(
        dict(
            [
                _test(
                    "unique_combination_of_columns",
                    FCT,
                    fct_yml,
                    None,
                    combination_of_columns=["thing_id", "month"],
                )
            ]
        )
    )
    source = {
        "resource_type": "source",
        "package_name": P,
        "name": "leads",
        "source_name": "crm",
        "database": "warehouse",
        "schema": "raw",
        "identifier": "leads",
        "original_file_path": "models/staging/crm/_crm__sources.yml",
        "description": "One row per lead.",
        "source_description": "The CRM.",
        "columns": {"lead_id": {"name": "lead_id", "description": "The key."}},
    }
    unit_test = {
        "package_name": P,
        "model": "fct_leads",
        "original_file_path": fct_yml,
        "depends_on": {"nodes": [FCT], "macros": []},
    }
    return {
        "nodes": nodes,
        "sources": {SOURCE: source},
        "unit_tests": {f"unit_test.{P}.fct_leads.counts_once": unit_test},
    }


def _add_model(m: Manifest, name: str, folder: str, parents: list[str], **extra: Any) -> str:
    uid = f"model.{P}.{name}"
    m["nodes"][uid] = {**_model(name, folder, parents), **extra}
    m["nodes"].update(_primary_key(uid, f"models/{folder}/_models.yml"))
    return uid


def _staging_reads_staging(m: Manifest) -> str:
    m["nodes"][STG_LEADS]["depends_on"]["nodes"].append(STG_FX)
    return STG_LEADS


def _mart_reads_source(m: Manifest) -> str:
    m["nodes"][FCT]["depends_on"]["nodes"].append(SOURCE)
    return FCT


def _intermediate_joins_source(m: Manifest) -> str:
    m["nodes"][INT]["depends_on"]["nodes"].append(SOURCE)
    return INT


def _staging_joins_seed(m: Manifest) -> str:
    m["nodes"][STG_LEADS]["depends_on"]["nodes"].append(SEED)
    return STG_LEADS


def _unused_source(m: Manifest) -> str:
    uid = f"source.{P}.crm.contacts"
    m["sources"][uid] = {**m["sources"][SOURCE], "name": "contacts", "identifier": "contacts"}
    return uid


def _duplicate_source(m: Manifest) -> list[str]:
    uid = f"source.{P}.crm.leads_again"
    m["sources"][uid] = {**m["sources"][SOURCE], "name": "leads_again", "identifier": "LEADS"}
    return [SOURCE, uid]  # each of the pair is reported, naming the other


def _root_model(m: Manifest) -> str:
    m["nodes"][STG_LEADS]["depends_on"]["nodes"] = []
    return STG_LEADS


def _fanout(m: Manifest) -> str:
    for name in ("fct_a", "fct_b"):
        _add_model(m, name, "marts/marketing", [INT], config=m["nodes"][FCT]["config"])
    return INT  # fct_leads, fct_a and fct_b: three leaf children


def _too_many_parents(m: Manifest) -> str:
    extra = [
        _add_model(m, f"int_part_{i}", "intermediate/marketing", [STG_LEADS]) for i in range(6)
    ]
    m["nodes"][FCT]["depends_on"]["nodes"] += extra  # 7 parents with int_leads_converted
    return FCT


def _rejoin(m: Manifest) -> str:
    m["nodes"][FCT]["depends_on"]["nodes"].append(STG_LEADS)  # also through INT, its only child
    return FCT


def _chain_of_views(m: Manifest) -> str:
    parent = STG_LEADS
    for i in range(1, 5):  # stg + 4 intermediate views: 5 in a row
        parent = _add_model(m, f"int_step_{i}", "intermediate/marketing", [parent])
    return parent


def _bad_name(m: Manifest) -> str:
    m["nodes"][FCT]["name"] = "leads_fact"
    return FCT


def _staging_in_wrong_folder(m: Manifest) -> str:
    m["nodes"][STG_LEADS]["original_file_path"] = "models/staging/marketing/stg_crm__leads.sql"
    return STG_LEADS


def _test_in_other_folder(m: Manifest) -> str:
    uid = f"test.{P}.unique_stg_crm__leads_thing_id"
    m["nodes"][uid]["original_file_path"] = "models/marts/marketing/_marketing__models.yml"
    return uid


def _singular_test_outside_its_domain(m: Manifest) -> str:
    uid = f"test.{P}.assert_leads_add_up"
    m["nodes"][uid]["original_file_path"] = "tests/assert_leads_add_up.sql"
    return uid


def _undocumented_model(m: Manifest) -> str:
    m["nodes"][FCT]["description"] = "  "
    return FCT


def _undocumented_source(m: Manifest) -> str:
    m["sources"][SOURCE]["source_description"] = ""
    return SOURCE


def _undocumented_column(m: Manifest) -> str:
    m["nodes"][INT]["columns"]["thing_id"]["description"] = ""
    return INT


def _no_primary_key(m: Manifest) -> str:
    del m["nodes"][f"test.{P}.unique_stg_crm__leads_thing_id"]
    return STG_LEADS


def _hard_coded_relation(m: Manifest) -> str:
    m["nodes"][INT]["raw_code"] = "with\n\nfinal as (\n    select * from raw.leads\n)\n\n" + (
        "select * from final"
    )
    return INT


def _mart_without_contract(m: Manifest) -> str:
    m["nodes"][FCT]["config"]["contract"] = {"enforced": False}
    return FCT


# rule name -> a change that breaks that rule, returning the node(s) the rule must report
VIOLATIONS: dict[str, Callable[[Manifest], str | list[str]]] = {
    "staging_depends_only_on_raw": _staging_reads_staging,
    "marts_or_intermediate_read_raw": _mart_reads_source,
    "direct_join_to_source": _intermediate_joins_source,
    "multiple_sources_joined": _staging_joins_seed,
    "unused_sources": _unused_source,
    "duplicate_sources": _duplicate_source,
    "root_models": _root_model,
    "model_fanout": _fanout,
    "too_many_joins": _too_many_parents,
    "rejoining_of_upstream_concepts": _rejoin,
    "chained_views": _chain_of_views,
    "model_naming_conventions": _bad_name,
    "model_directories": _staging_in_wrong_folder,
    "misplaced_tests": _test_in_other_folder,
    "singular_tests_by_domain": _singular_test_outside_its_domain,
    "undocumented_models": _undocumented_model,
    "undocumented_sources": _undocumented_source,
    "undocumented_columns": _undocumented_column,
    "missing_primary_key_tests": _no_primary_key,
    "hard_coded_references": _hard_coded_relation,
    "public_models_without_contract": _mart_without_contract,
}


def test_every_rule_has_a_violation_fixture() -> None:
    assert set(VIOLATIONS) == set(RULES)


def test_clean_project_passes_every_rule() -> None:
    """Without this, a fixture could 'catch' a violation that was there all along."""
    by_rule, open_violations, _ = evaluate(Project(clean_manifest()))
    assert set(by_rule) == set(RULES)
    assert not open_violations, "\n".join(map(str, open_violations))


@pytest.mark.parametrize("rule", sorted(VIOLATIONS))
def test_rule_catches_its_violation(rule: str) -> None:
    manifest = clean_manifest()
    nodes = VIOLATIONS[rule](manifest)
    violations = RULES[rule](Project(manifest))
    assert [v.node for v in violations] == ([nodes] if isinstance(nodes, str) else nodes)
    assert all(v.rule == rule and v.message for v in violations)


def test_a_unit_test_name_too_long_for_postgres_is_a_naming_violation() -> None:
    manifest = clean_manifest()
    uid = f"unit_test.{P}.fct_leads.counts_once"
    manifest["unit_tests"][uid]["name"] = "test_" + "x" * 59
    violations = RULES["model_naming_conventions"](Project(manifest))
    assert [(v.node, v.message) for v in violations] == [
        (uid, "name is 64 characters long; PostgreSQL allows 63")
    ]


def test_a_model_an_exposure_reads_is_no_leaf() -> None:
    """As in the evaluator's DAG: with an exposure reading fct_a, INT has two leaf children."""
    manifest = clean_manifest()
    _fanout(manifest)
    manifest.setdefault("exposures", {})[f"exposure.{P}.report"] = {
        "package_name": P,
        "depends_on": {"nodes": [f"model.{P}.fct_a"]},
    }
    assert RULES["model_fanout"](Project(manifest)) == []


def test_other_packages_are_not_checked() -> None:
    project = Project(clean_manifest())
    assert "model.other_package.orphan" not in project.models


def test_exception_excuses_only_its_violation() -> None:
    manifest = clean_manifest()
    _rejoin(manifest)
    project = Project(manifest)
    excused = RuleException("rejoining_of_upstream_concepts", FCT, "why", "stg_crm__leads")
    _, open_violations, stale = evaluate(project, [excused])
    assert not open_violations
    assert not stale
    narrow = RuleException("rejoining_of_upstream_concepts", FCT, "why", "int_reporting_dates")
    _, open_violations, stale = evaluate(project, [narrow])
    assert [v.node for v in open_violations] == [FCT]
    assert stale == [narrow]


def test_exception_that_excuses_nothing_is_stale() -> None:
    unused = RuleException("root_models", STG_LEADS, "no longer true")
    _, _, stale = evaluate(Project(clean_manifest()), [unused])
    assert stale == [unused]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- rule: root_models\n  node: model.x.y\n", "lacks reason"),
        ("- rule: no_such_rule\n  node: m\n  reason: r\n", "unknown rule"),
        ("rule: root_models\n", "a list of exceptions expected"),
    ],
)
def test_exceptions_file_is_validated(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "exceptions.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_exceptions(path)


def test_real_exceptions_file_is_short_and_valid() -> None:
    exceptions = load_exceptions()
    assert 0 < len(exceptions) <= 10, "the exceptions file should stay short"
    assert len({(e.rule, e.node, e.about) for e in exceptions}) == len(exceptions)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select * from {{ ref('a') }}", []),
        ("with final as (select 1 as x)\nselect * from final", []),
        ("select * from raw.leads", ["raw.leads"]),
        ('select * from "raw"."leads" as l', ["raw.leads"]),
        ("select * from db.raw.leads", ["db.raw.leads"]),
        ("with a as (select 1)\nselect * from a\nleft join leads on true", ["leads"]),
        ("select extract(year from created_at) as y from {{ ref('a') }}", []),
        ("select trim(both from name) as n from {{ source('crm', 'leads') }}", []),
        ("-- from raw.leads\nselect 'from raw.leads' as t from {{ ref('a') }}", []),
        ("/* join raw.x */ select * from {{ ref('a') }}", []),
        ("{# from raw.x #} select * from {{ ref('a') }}", []),
        ("with a as (select 1)\nselect * from a\ncross join unnest(a.xs) as u", []),
        ("select * from (select 1 as x) as sub", []),
        ("with x as (select 1)\nselect * from x, raw.leads", ["raw.leads"]),
        ("with a as (select 1)\nselect * from a as one, {{ ref('b') }}, main.t", ["main.t"]),
        ("with a as (select 1)\nselect * from a where a.x is distinct from a.y", []),
        ("with a as (select 1)\nselect * from a x, a y where x.k = y.k", []),
        ("select * from {{ target.schema }}.leads", ["__jinja__.leads"]),
    ],
)
def test_find_hard_coded_relations(sql: str, expected: list[str]) -> None:
    assert find_hard_coded_relations(sql) == expected


def test_clean_manifest_is_not_shared_between_tests() -> None:
    first = clean_manifest()
    second = copy.deepcopy(first)
    _root_model(first)
    assert second["nodes"][STG_LEADS]["depends_on"]["nodes"] == [SOURCE]
