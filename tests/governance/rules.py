"""Governance rules of the dbt project, checked on `target/manifest.json` after `dbt parse`.

The rules are those of dbt-project-evaluator that need no package and no warehouse, plus the
project's own conventions (layer folders and prefixes, import CTEs, enforced contracts on marts:
the README's "Layout" and docs/decisions.md). Each rule is a function
`Project -> list[Violation]`, registered in `RULES` under the name that the exceptions file
(`exceptions.yml`, next to this module) uses.

Interpretations that apply to every rule (the evaluator leaves them open or decides otherwise):

- **Seeds are raw data.** The generated CSVs are read through `source()` (they are loaded by
  `dbt seed` but modelled as sources), while the reference seeds (`seeds/reference/*.csv`:
  stages, FX rates, campaigns) are read with `ref()`. Both are data that enters the project, so
  a seed counts as a *raw* parent exactly like a source: staging may read it, intermediate and
  marts may not, and it counts towards "one raw input per staging model".
- Only this project's nodes are checked (`package_name == "salespipeline"`).
- The DAG is built from `depends_on.nodes` of models, seeds, sources and snapshots; tests and
  unit tests are not nodes of the DAG (a model read only by tests is a leaf). Exposures are
  not either, but as in the evaluator's DAG a model an exposure reads is no leaf (model_fanout).
- A model's layer is its first folder under `models/`: `staging`, `intermediate` or `marts`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

PROJECT = "salespipeline"
REPO_ROOT = Path(__file__).resolve().parents[2]
EXCEPTIONS_FILE = Path(__file__).with_name("exceptions.yml")
LAYERS = ("staging", "intermediate", "marts")

# Thresholds: dbt-project-evaluator's defaults unless said otherwise.
FANOUT_THRESHOLD = 3  # a model with this many direct leaf children or more is flagged
TOO_MANY_PARENTS = 7  # a model with this many direct parents or more is flagged
# The project's rule: a path of this many consecutive views (or ephemerals) is flagged. Stricter
# than the evaluator's fct_chained_views_dependencies, which flags a model more than 5 view steps
# below a parent.
CHAINED_VIEWS_THRESHOLD = 5

Node = dict[str, Any]


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: which rule, on which node (a manifest unique id) and why."""

    rule: str
    node: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.node}: {self.message}"


class Project:
    """The parts of a manifest the rules read, restricted to this project's nodes."""

    def __init__(self, manifest: Mapping[str, Any]) -> None:
        self.manifest = manifest
        own = {
            uid: node
            for uid, node in manifest["nodes"].items()
            if node.get("package_name") == PROJECT
        }
        self.models: dict[str, Node] = _of_type(own, "model")
        self.seeds: dict[str, Node] = _of_type(own, "seed")
        self.snapshots: dict[str, Node] = _of_type(own, "snapshot")
        self.tests: dict[str, Node] = _of_type(own, "test")
        self.sources: dict[str, Node] = {
            uid: source
            for uid, source in manifest["sources"].items()
            if source.get("package_name") == PROJECT
        }
        self.unit_tests: dict[str, Node] = {
            uid: test
            for uid, test in (manifest.get("unit_tests") or {}).items()
            if test.get("package_name") == PROJECT
        }
        self.raw: set[str] = set(self.sources) | set(self.seeds)
        # Nodes an exposure reads: in the evaluator's DAG exposures are children too.
        self.exposed: set[str] = {
            parent
            for exposure in (manifest.get("exposures") or {}).values()
            if exposure.get("package_name") == PROJECT
            for parent in (exposure.get("depends_on") or {}).get("nodes", [])
        }
        dag = {**self.models, **self.seeds, **self.snapshots, **self.sources}
        self.parents: dict[str, list[str]] = {
            uid: sorted({p for p in (node.get("depends_on") or {}).get("nodes", []) if p in dag})
            for uid, node in dag.items()
        }
        self.children: dict[str, list[str]] = {uid: [] for uid in dag}
        for uid, parents in self.parents.items():
            for parent in parents:
                self.children[parent].append(uid)
        for children in self.children.values():
            children.sort()

    def node(self, uid: str) -> Node:
        """Any node of the project by unique id."""
        for group in (self.models, self.seeds, self.snapshots, self.sources, self.tests):
            if uid in group:
                return group[uid]
        raise KeyError(uid)

    def layer(self, uid: str) -> str | None:
        """`staging`, `intermediate` or `marts` from the model's folder; None elsewhere."""
        parts = PurePosixPath(self.models[uid]["original_file_path"]).parts
        if len(parts) >= 2 and parts[0] == "models" and parts[1] in LAYERS:
            return parts[1]
        return None

    def model_parents(self, uid: str) -> list[str]:
        return [p for p in self.parents[uid] if p in self.models]

    def raw_parents(self, uid: str) -> list[str]:
        return [p for p in self.parents[uid] if p in self.raw]

    def generic_tests_of(self, uid: str) -> list[Node]:
        """Generic (schema) tests attached to a node."""
        return [
            test
            for test in self.tests.values()
            if test.get("test_metadata") and _tested_node(test) == uid
        ]

    def singular_tests(self) -> dict[str, Node]:
        return {uid: t for uid, t in self.tests.items() if not t.get("test_metadata")}


def _tested_node(test: Node) -> str | None:
    """The node a generic test is defined on: its `attached_node`, which dbt leaves empty for
    tests of sources, whose only dependency is then the source."""
    if test.get("attached_node"):
        return test["attached_node"]
    nodes = (test.get("depends_on") or {}).get("nodes", [])
    return nodes[0] if len(nodes) == 1 else None


def _of_type(nodes: Mapping[str, Node], resource_type: str) -> dict[str, Node]:
    return {uid: n for uid, n in nodes.items() if n["resource_type"] == resource_type}


def _name(project: Project, uid: str) -> str:
    return project.node(uid)["name"]


def _names(project: Project, uids: Iterable[str]) -> str:
    return ", ".join(sorted(_name(project, u) for u in uids))


# --- DAG: layers ---------------------------------------------------------------------------


def staging_depends_only_on_raw(project: Project) -> list[Violation]:
    """Staging models read only raw data (sources and seeds), never other models.

    Evaluator: fct_staging_dependent_on_staging and fct_staging_dependent_on_marts_or_intermediate.
    Seeds count as raw (see the module docstring), so `stg_reference__*` reading reference
    seeds with `ref()` is allowed.
    """
    return [
        Violation(
            "staging_depends_only_on_raw",
            uid,
            f"staging model reads models {_names(project, project.model_parents(uid))}; "
            "staging reads only source() or seeds",
        )
        for uid in project.models
        if project.layer(uid) == "staging" and project.model_parents(uid)
    ]


def marts_or_intermediate_read_raw(project: Project) -> list[Violation]:
    """Only staging reads raw data: no intermediate or mart model reads a source or a seed.

    Evaluator: fct_marts_or_intermediate_dependent_on_source (extended to seeds).
    """
    return [
        Violation(
            "marts_or_intermediate_read_raw",
            uid,
            f"{project.layer(uid) or 'non-staging'} model reads raw "
            f"{_names(project, project.raw_parents(uid))}; read its staging model instead",
        )
        for uid in project.models
        if project.layer(uid) != "staging" and project.raw_parents(uid)
    ]


def direct_join_to_source(project: Project) -> list[Violation]:
    """No model reads both raw data (source or seed) and another model.

    Evaluator: fct_direct_join_to_source. The raw data should get its own staging model,
    which is then joined.
    """
    return [
        Violation(
            "direct_join_to_source",
            uid,
            f"joins raw {_names(project, project.raw_parents(uid))} with models "
            f"{_names(project, project.model_parents(uid))}",
        )
        for uid in project.models
        if project.raw_parents(uid) and project.model_parents(uid)
    ]


def multiple_sources_joined(project: Project) -> list[Violation]:
    """One raw input per model: a model reading two or more sources/seeds joins raw data.

    Evaluator: fct_multiple_sources_joined (extended to seeds). In staging this is also
    the project's "no joins in staging".
    """
    return [
        Violation(
            "multiple_sources_joined",
            uid,
            f"reads {len(project.raw_parents(uid))} raw inputs: "
            f"{_names(project, project.raw_parents(uid))}; one staging model per raw table",
        )
        for uid in project.models
        if len(project.raw_parents(uid)) > 1
    ]


def unused_sources(project: Project) -> list[Violation]:
    """Every declared source table is read by some model. Evaluator: fct_unused_sources.

    Raw seeds are not checked: the generated CSVs are loaded as seeds but read through their
    source declarations, so those seed nodes have no children by design.
    """
    return [
        Violation("unused_sources", uid, "no model reads this source table")
        for uid in project.sources
        if not project.children[uid]
    ]


def duplicate_sources(project: Project) -> list[Violation]:
    """No two source entries point at the same database.schema.identifier.

    Evaluator: fct_duplicate_sources. Compared case-insensitively, as most warehouses do.
    """
    by_relation: dict[tuple[str, ...], list[str]] = {}
    for uid, source in project.sources.items():
        key = tuple(
            str(source.get(part) or "").lower() for part in ("database", "schema", "identifier")
        )
        by_relation.setdefault(key, []).append(uid)
    return [
        Violation(
            "duplicate_sources",
            uid,
            f"same relation {'.'.join(key)} as {', '.join(u for u in uids if u != uid)}",
        )
        for key, uids in sorted(by_relation.items())
        if len(uids) > 1
        for uid in sorted(uids)
    ]


def root_models(project: Project) -> list[Violation]:
    """Every model has a parent: a model without one hard-codes its data or reads a relation
    dbt does not know. Evaluator: fct_root_models. (A generated spine built from constants
    would be the legitimate case and belongs in the exceptions file.)"""
    return [
        Violation("root_models", uid, "model has no parent (no ref, source or seed)")
        for uid in project.models
        if not project.parents[uid]
    ]


# --- DAG: shape ----------------------------------------------------------------------------


def model_fanout(project: Project) -> list[Violation]:
    """A model has fewer than 3 direct children that are leaves (models without children).

    Evaluator: fct_model_fanout (threshold 3, counted with >=). Many leaf children reading one
    model suggest logic repeated in each of them that belongs in a shared model. As in the
    evaluator's DAG, an exposure is a child (a model an exposure reads is no leaf); tests are not.
    """
    leaves = {
        uid for uid in project.models if not project.children[uid] and uid not in project.exposed
    }
    violations = []
    for uid in project.models:
        leaf_children = [c for c in project.children[uid] if c in leaves]
        if len(leaf_children) >= FANOUT_THRESHOLD:
            violations.append(
                Violation(
                    "model_fanout",
                    uid,
                    f"{len(leaf_children)} leaf children (limit {FANOUT_THRESHOLD - 1}): "
                    f"{_names(project, leaf_children)}",
                )
            )
    return violations


def too_many_joins(project: Project) -> list[Violation]:
    """A model has fewer than 7 direct parents. Evaluator: fct_too_many_joins (threshold 7)."""
    return [
        Violation(
            "too_many_joins",
            uid,
            f"{len(project.parents[uid])} parents (limit {TOO_MANY_PARENTS - 1}): "
            f"{_names(project, project.parents[uid])}",
        )
        for uid in project.models
        if len(project.parents[uid]) >= TOO_MANY_PARENTS
    ]


def rejoining_of_upstream_concepts(project: Project) -> list[Violation]:
    """No A -> B -> C with also A -> C, where B's only child is C.

    Evaluator: fct_rejoining_of_upstream_concepts. B then exists only to be joined back to its
    own parent: its logic belongs in C (or C should read only B). When B has other children,
    reuse justifies it and nothing is reported.
    """
    violations = []
    for child in project.models:
        parents = set(project.parents[child])
        for middle in sorted(parents & set(project.models)):
            if project.children[middle] != [child]:
                continue
            for upstream in sorted(parents & set(project.parents[middle])):
                violations.append(
                    Violation(
                        "rejoining_of_upstream_concepts",
                        child,
                        f"reads {_name(project, upstream)} directly and through "
                        f"{_name(project, middle)}, whose only child it is",
                    )
                )
    return violations


def chained_views(project: Project) -> list[Violation]:
    """No path of 5 or more consecutive views or ephemeral models.

    Evaluator: fct_chained_views_dependencies. Every query on the end of a long chain of
    views recomputes the whole chain. Reported on each model where such a chain ends.
    """
    is_view = {
        uid: node["config"].get("materialized") in ("view", "ephemeral")
        for uid, node in project.models.items()
    }
    longest: dict[str, list[str]] = {}

    def chain(uid: str) -> list[str]:
        if uid not in longest:
            best: list[str] = []
            for parent in project.model_parents(uid):
                if is_view[parent]:
                    candidate = chain(parent)
                    if len(candidate) > len(best):
                        best = candidate
            longest[uid] = [*best, uid] if is_view[uid] else []
        return longest[uid]

    violations = []
    for uid in project.models:
        path = chain(uid)
        extends = any(
            is_view[c] and chain(c)[-2:-1] == [uid]
            for c in project.children[uid]
            if c in project.models
        )
        if len(path) >= CHAINED_VIEWS_THRESHOLD and not extends:
            violations.append(
                Violation(
                    "chained_views",
                    uid,
                    f"chain of {len(path)} views: " + " -> ".join(_name(project, u) for u in path),
                )
            )
    return violations


# --- Structure: names and folders ----------------------------------------------------------

_NAME_PATTERNS = {
    "staging": re.compile(r"^stg_(?P<system>[a-z0-9]+(?:_[a-z0-9]+)*)__[a-z0-9_]+$"),
    "intermediate": re.compile(r"^int_[a-z0-9_]+$"),
    "marts": re.compile(r"^(fct|dim)_[a-z0-9_]+$"),
}


# PostgreSQL cuts identifiers at 63 bytes, and dbt refuses a relation name longer than that:
# models, and unit tests (dbt creates a relation named after each), must fit.
MAX_RELATION_NAME = 63


def model_naming_conventions(project: Project) -> list[Violation]:
    """Names say the layer: `stg_<system>__<entities>`, `int_...`, `fct_...`/`dim_...`; and the
    names of models and unit tests fit every engine's identifiers (PostgreSQL: 63 bytes).

    Evaluator: fct_model_naming_conventions, with the project's prefixes.
    """
    violations = [
        Violation(
            "model_naming_conventions",
            uid,
            f"name is {len(node['name'])} characters long; PostgreSQL allows {MAX_RELATION_NAME}",
        )
        for uid, node in {**project.models, **project.unit_tests}.items()
        if len(node.get("name", "").encode()) > MAX_RELATION_NAME
    ]
    for uid, node in project.models.items():
        layer = project.layer(uid)
        pattern = _NAME_PATTERNS.get(layer or "")
        if pattern is not None and not pattern.match(node["name"]):
            violations.append(
                Violation(
                    "model_naming_conventions",
                    uid,
                    f"{layer} model name must match {pattern.pattern}",
                )
            )
    return violations


def model_directories(project: Project) -> list[Violation]:
    """Files sit where their layer and source say.

    Evaluator: fct_model_directories and fct_source_directories. Every model is in
    `models/<layer>/<area>/`; a staging model is in `models/staging/<system>/` and named
    `stg_<system>__...`, where `<system>` is the name of the source it reads (or, for a staging
    model that reads only seeds, the seed's folder under `seeds/`, e.g. `reference`). Sources
    are declared in `models/staging/<source_name>/`.
    """
    violations = []
    for uid, node in project.models.items():
        parts = PurePosixPath(node["original_file_path"]).parts
        layer = project.layer(uid)
        if layer is None or len(parts) != 4:
            violations.append(
                Violation(
                    "model_directories",
                    uid,
                    f"{node['original_file_path']} is not in models/<layer>/<area>/ with "
                    f"<layer> one of {', '.join(LAYERS)}",
                )
            )
            continue
        if layer != "staging":
            continue
        folder = parts[2]
        sources = [project.sources[p] for p in project.parents[uid] if p in project.sources]
        if sources:
            systems = {source["source_name"] for source in sources}
        else:
            systems = {
                PurePosixPath(project.seeds[p]["original_file_path"]).parent.name
                for p in project.parents[uid]
                if p in project.seeds
            }
        match = _NAME_PATTERNS["staging"].match(node["name"])
        named = match.group("system") if match else None
        for system in sorted(systems):
            if folder != system or named != system:
                violations.append(
                    Violation(
                        "model_directories",
                        uid,
                        f"reads {system!r}, so it belongs in models/staging/{system}/ as "
                        f"stg_{system}__<entities> (is {node['original_file_path']})",
                    )
                )
    for uid, source in project.sources.items():
        expected = PurePosixPath("models", "staging", source["source_name"])
        if PurePosixPath(source["original_file_path"]).parent != expected:
            violations.append(
                Violation(
                    "model_directories",
                    uid,
                    f"source declared in {source['original_file_path']}, not in {expected}/",
                )
            )
    return violations


def misplaced_tests(project: Project) -> list[Violation]:
    """Generic tests and unit tests of a model live in the YAML of the model's own folder.

    Evaluator: fct_test_directories (extended to unit tests, which the project also keeps in
    the folder's `_<dir>__models.yml`). Singular tests are checked by `singular_tests_by_domain`.
    """
    owners = {**project.models, **project.seeds}
    violations = []
    checks: list[tuple[str, Node, str | None]] = [
        (uid, test, _tested_node(test)) for uid, test in project.tests.items()
    ]
    for uid, test in project.unit_tests.items():
        tested = [n for n in (test.get("depends_on") or {}).get("nodes", []) if n in owners]
        target = next((n for n in tested if owners[n]["name"] == test.get("model")), None)
        checks.append((uid, test, target))
    for uid, test, target in checks:
        if target not in owners or (not test.get("test_metadata") and uid in project.tests):
            continue
        expected = PurePosixPath(owners[target]["original_file_path"]).parent
        actual = PurePosixPath(test["original_file_path"]).parent
        if actual != expected:
            violations.append(
                Violation(
                    "misplaced_tests",
                    uid,
                    f"test of {owners[target]['name']} is defined in "
                    f"{test['original_file_path']}; move it to a YAML file in {expected}/",
                )
            )
    return violations


def singular_tests_by_domain(project: Project) -> list[Violation]:
    """A singular test lives in `data-tests/<area>/`, where `<area>` is a folder of
    `models/marts/` (core, finance, marketing, sales): a check of the numbers sits with the domain
    that owns them, and dbt's test path holds nothing else.

    Not in dbt-project-evaluator, which leaves singular tests alone.
    """
    areas = {
        PurePosixPath(node["original_file_path"]).parts[2]
        for uid, node in project.models.items()
        if project.layer(uid) == "marts"
        and len(PurePosixPath(node["original_file_path"]).parts) > 3
    }
    violations = []
    for uid, test in project.singular_tests().items():
        path = PurePosixPath(test["original_file_path"])
        if len(path.parts) != 3 or path.parts[0] != "data-tests" or path.parts[1] not in areas:
            violations.append(
                Violation(
                    "singular_tests_by_domain",
                    uid,
                    f"singular test {path} belongs in data-tests/<area>/, one of "
                    f"{', '.join(sorted(areas))}",
                )
            )
    return violations


# --- Documentation and tests ---------------------------------------------------------------


def _documented(node: Node) -> bool:
    return bool((node.get("description") or "").strip())


def undocumented_models(project: Project) -> list[Violation]:
    """Every model and seed has a description. Evaluator: fct_undocumented_models."""
    return [
        Violation("undocumented_models", uid, f"{node['resource_type']} has no description")
        for uid, node in {**project.models, **project.seeds}.items()
        if not _documented(node)
    ]


def undocumented_sources(project: Project) -> list[Violation]:
    """Every source and source table has a description.

    Evaluator: fct_undocumented_sources and fct_undocumented_source_tables.
    """
    violations = []
    for uid, source in project.sources.items():
        if not _documented(source):
            violations.append(Violation("undocumented_sources", uid, "table has no description"))
        if not (source.get("source_description") or "").strip():
            violations.append(
                Violation(
                    "undocumented_sources",
                    uid,
                    f"source {source['source_name']!r} has no description",
                )
            )
    return violations


def undocumented_columns(project: Project) -> list[Violation]:
    """Every model, seed and source table declares its columns, each with a description.

    A node that declares no columns is a violation too, or column coverage could be 100% of
    nothing. Whether the declared columns are all the real ones is enforced by contracts in
    the marts and, for every layer, by tests/integration/test_docs_site.py, which compares the YAML
    with the catalog of a built warehouse.
    """
    violations = []
    for uid, node in {**project.models, **project.seeds, **project.sources}.items():
        columns = node.get("columns") or {}
        if not columns:
            violations.append(Violation("undocumented_columns", uid, "declares no columns"))
        missing = sorted(name for name, column in columns.items() if not _documented(column))
        if missing:
            violations.append(
                Violation(
                    "undocumented_columns",
                    uid,
                    f"columns without a description: {', '.join(missing)}",
                )
            )
    return violations


def primary_key_columns(project: Project, uid: str) -> list[str] | None:
    """The key a model's tests prove unique and not null, or None when none does.

    Either `unique` and `not_null` on the same column, or our composite
    `unique_combination_of_columns` (macros/test_unique_combination_of_columns.sql).
    """
    unique: set[str] = set()
    not_null: set[str] = set()
    for test in project.generic_tests_of(uid):
        metadata = test["test_metadata"]
        column = test.get("column_name") or metadata.get("kwargs", {}).get("column_name")
        if metadata["name"] == "unique_combination_of_columns":
            return list(metadata.get("kwargs", {}).get("combination_of_columns") or [])
        if metadata["name"] == "unique" and column:
            unique.add(column)
        if metadata["name"] == "not_null" and column:
            not_null.add(column)
    both = sorted(unique & not_null)
    return both[:1] or None


def missing_primary_key_tests(project: Project) -> list[Violation]:
    """Every model has a primary-key test. Evaluator: fct_missing_primary_key_tests."""
    return [
        Violation(
            "missing_primary_key_tests",
            uid,
            "no primary-key test: add unique + not_null on the key column, or "
            "unique_combination_of_columns on a composite key",
        )
        for uid in project.models
        if primary_key_columns(project, uid) is None
    ]


# --- SQL -----------------------------------------------------------------------------------

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_COMMENTS_AND_STRINGS = re.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'", re.DOTALL)
_TOKENS = re.compile(r'"[^"]*"|[A-Za-z_][A-Za-z0-9_$]*|\(|\)|\.|,|;|\S')
_CTE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s+as\s*\(", re.IGNORECASE)
# Functions whose arguments may contain `from` (extract(year from x), trim(both from x), ...).
_FROM_IN_FUNCTION = {"extract", "trim", "substring", "position", "overlay"}
_JINJA_PLACEHOLDER = "__jinja__"


def hard_coded_references(project: Project) -> list[Violation]:
    """No relation is named in SQL: every `from`/`join` reads a ref(), a source() or a CTE.

    Evaluator: fct_hard_coded_references (and the project's import CTEs). Checked in models and
    singular tests. Jinja, comments and string literals are blanked first; a `from`/`join`
    followed by a dotted name (`raw.leads`) or by a name that is no CTE of the file is flagged.
    Table functions (`unnest(...)`) and `from` inside extract()/trim()/substring() are not.
    """
    violations = []
    nodes = {**project.models, **project.singular_tests()}
    for uid, node in nodes.items():
        for relation in find_hard_coded_relations(node.get("raw_code") or ""):
            violations.append(
                Violation(
                    "hard_coded_references",
                    uid,
                    f"{node['original_file_path']} reads {relation!r} directly; "
                    "use ref() or source() in an import CTE",
                )
            )
    return violations


def find_hard_coded_relations(sql: str) -> list[str]:
    """Relation names read with from/join (or a comma in a from list) in `sql` that are neither
    Jinja nor a CTE."""
    text = _JINJA.sub(f" {_JINJA_PLACEHOLDER} ", sql)
    text = _COMMENTS_AND_STRINGS.sub(" ", text)
    ctes = {name.lower() for name in _CTE.findall(text)}
    tokens = _TOKENS.findall(text)
    found: list[str] = []
    calls: list[str] = []  # the word before each open parenthesis
    for i, token in enumerate(tokens):
        if token == "(":
            calls.append(tokens[i - 1].lower() if i else "")
        elif token == ")" and calls:
            calls.pop()
        elif token.lower() in ("from", "join"):
            if calls and calls[-1] in _FROM_IN_FUNCTION:
                continue
            if i and tokens[i - 1].lower() == "distinct":
                continue  # `a is distinct from b`: a comparison, not a relation
            j = i + 1
            while True:
                relation, j = _read_relation(tokens, j)
                if relation not in (None, _JINJA_PLACEHOLDER) and (
                    "." in relation or relation.lower() not in ctes
                ):
                    found.append(relation)
                j = _skip_alias(tokens, j)
                if token.lower() != "from" or j >= len(tokens) or tokens[j] != ",":
                    break
                j += 1  # `from a, b`: the next relation of the from list
    return found


# Words that end a relation in a from list rather than name its alias.
_AFTER_RELATION = {
    "where", "group", "order", "having", "limit", "qualify", "window", "union", "except",
    "intersect", "on", "inner", "left", "right", "full", "cross", "join", "natural", "lateral",
    "using", "select", "from",
}  # fmt: skip


def _read_relation(tokens: list[str], j: int) -> tuple[str | None, int]:
    """The (possibly dotted) name starting at tokens[j], or None for a subquery or a table
    function; and the index after it."""
    name_parts: list[str] = []
    while j < len(tokens) and (not name_parts or tokens[j] == "."):
        if tokens[j] == ".":
            j += 1
        if j < len(tokens) and tokens[j] not in ("(", ")", ",", ";"):
            name_parts.append(tokens[j])
            j += 1
        else:
            break
    if not name_parts or (j < len(tokens) and tokens[j] == "("):
        return None, j
    return ".".join(part.strip('"') for part in name_parts), j


def _skip_alias(tokens: list[str], j: int) -> int:
    """The index after an alias (`as x` or a bare `x`) at tokens[j], if there is one."""
    if j < len(tokens) and tokens[j].lower() == "as":
        return j + 2
    if (
        j < len(tokens)
        and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", tokens[j])
        and tokens[j].lower() not in _AFTER_RELATION
    ):
        return j + 1
    return j


def public_models_without_contract(project: Project) -> list[Violation]:
    """Marts and public models enforce their contracts.

    Evaluator: fct_public_models_without_contract, widened to every model in `marts/`
    (the project's rule: marts are tables with enforced contracts, whatever their `access`).
    """
    return [
        Violation(
            "public_models_without_contract",
            uid,
            "mart or public model without contract: {enforced: true}",
        )
        for uid, node in project.models.items()
        if (project.layer(uid) == "marts" or node.get("access") == "public")
        and not (node["config"].get("contract") or {}).get("enforced")
    ]


Rule = Callable[[Project], list[Violation]]

RULES: dict[str, Rule] = {
    rule.__name__: rule
    for rule in (
        staging_depends_only_on_raw,
        marts_or_intermediate_read_raw,
        direct_join_to_source,
        multiple_sources_joined,
        unused_sources,
        duplicate_sources,
        root_models,
        model_fanout,
        too_many_joins,
        rejoining_of_upstream_concepts,
        chained_views,
        model_naming_conventions,
        model_directories,
        misplaced_tests,
        singular_tests_by_domain,
        undocumented_models,
        undocumented_sources,
        undocumented_columns,
        missing_primary_key_tests,
        hard_coded_references,
        public_models_without_contract,
    )
}


# --- Exceptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleException:
    """A violation the project accepts, with the reason a reviewer agreed to."""

    rule: str
    node: str
    reason: str
    about: str = ""  # when set, only violations whose message names it are excused

    def excuses(self, violation: Violation) -> bool:
        return (
            violation.rule == self.rule
            and violation.node == self.node
            and self.about in violation.message
        )


def load_exceptions(path: Path = EXCEPTIONS_FILE) -> list[RuleException]:
    """Read the exceptions file; every entry needs a known rule, a node and a reason."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path.name}: a list of exceptions expected")
    exceptions = []
    for number, entry in enumerate(entries, start=1):
        missing = [key for key in ("rule", "node", "reason") if not str(entry.get(key, "")).strip()]
        if missing:
            raise ValueError(f"{path.name}: exception #{number} lacks {', '.join(missing)}")
        if entry["rule"] not in RULES:
            raise ValueError(f"{path.name}: exception #{number}: unknown rule {entry['rule']!r}")
        exceptions.append(
            RuleException(
                entry["rule"], entry["node"], entry["reason"].strip(), entry.get("about", "")
            )
        )
    return exceptions


def evaluate(
    project: Project, exceptions: Iterable[RuleException] = ()
) -> tuple[dict[str, list[Violation]], list[Violation], list[RuleException]]:
    """Run every rule. Returns all violations by rule, those not excused, and the exceptions
    that excuse nothing (stale entries must be removed, or the file grows silently)."""
    exceptions = list(exceptions)
    by_rule = {name: sorted(rule(project)) for name, rule in RULES.items()}
    everything = [v for violations in by_rule.values() for v in violations]
    open_violations = [v for v in everything if not any(e.excuses(v) for e in exceptions)]
    stale = [e for e in exceptions if not any(e.excuses(v) for v in everything)]
    return by_rule, open_violations, stale


# --- Coverage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Documentation and test coverage of one layer."""

    layer: str
    models: int
    models_documented: int
    models_tested: int
    columns: int
    columns_documented: int
    columns_tested: int

    @staticmethod
    def percent(part: int, whole: int) -> float:
        return 100.0 * part / whole if whole else 100.0


def coverage(project: Project) -> list[Coverage]:
    """Coverage per layer, plus seeds, sources and the total. A model counts as tested with at
    least one generic test, unit test or singular test; a column with a generic test on it."""
    tested_by_other: set[str] = set()
    for test in project.singular_tests().values():
        tested_by_other.update((test.get("depends_on") or {}).get("nodes", []))
    for test in project.unit_tests.values():
        tested_by_other.update((test.get("depends_on") or {}).get("nodes", [])[:1])
    groups: dict[str, list[str]] = {layer: [] for layer in LAYERS}
    for uid in project.models:
        groups.setdefault(project.layer(uid) or "other", []).append(uid)
    groups["seeds"] = list(project.seeds)
    groups["sources"] = list(project.sources)
    rows = []
    for layer, uids in groups.items():
        nodes = [project.node(uid) for uid in uids]
        tests = {uid: project.generic_tests_of(uid) for uid in uids}
        tested_columns = {
            (uid, (t.get("column_name") or "").lower())
            for uid in uids
            for t in tests[uid]
            if t.get("column_name")
        }
        columns = [
            (uid, name.lower(), col)
            for uid, n in zip(uids, nodes, strict=True)
            for name, col in (n.get("columns") or {}).items()
        ]
        rows.append(
            Coverage(
                layer=layer,
                models=len(uids),
                models_documented=sum(_documented(n) for n in nodes),
                models_tested=sum(bool(tests[u]) or u in tested_by_other for u in uids),
                columns=len(columns),
                columns_documented=sum(_documented(col) for _, _, col in columns),
                columns_tested=sum((uid, name) in tested_columns for uid, name, _ in columns),
            )
        )
    total = Coverage(
        "total",
        *(
            sum(getattr(r, field) for r in rows)
            for field in (
                "models",
                "models_documented",
                "models_tested",
                "columns",
                "columns_documented",
                "columns_tested",
            )
        ),
    )
    return [*rows, total]


def format_coverage(rows: Iterable[Coverage]) -> str:
    """A plain-text table of coverage, for the terminal and the docs."""
    header = (
        f"{'layer':<14}{'nodes':>6}{'documented':>12}{'tested':>9}"
        f"{'columns':>9}{'documented':>12}{'tested':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.layer:<14}{r.models:>6}{Coverage.percent(r.models_documented, r.models):>11.0f}%"
            f"{Coverage.percent(r.models_tested, r.models):>8.0f}%{r.columns:>9}"
            f"{Coverage.percent(r.columns_documented, r.columns):>11.0f}%"
            f"{Coverage.percent(r.columns_tested, r.columns):>8.0f}%"
        )
    return "\n".join(lines)


def load_json(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def manifest_path() -> Path | None:
    """The manifest named by SALESPIPELINE_MANIFEST, if set (the Makefile sets it after
    running `dbt parse`); None means: parse the project first."""
    value = os.environ.get("SALESPIPELINE_MANIFEST")
    return Path(value) if value else None
