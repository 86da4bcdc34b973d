"""The dbt docs site: everything described, generated without warnings, and usable in a browser.

`dbt docs generate --static` runs on the built test warehouse (so the catalog lists the real
columns), then headless Chromium renders the single static page offline and the tests read what a
person would see: the overview, a mart's columns and the lineage graph.
"""

from __future__ import annotations

import collections
import html
import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from browser import dump_dom, file_url, screenshot
from support import REPO_ROOT

from salespipeline.schema import TABLES

PROJECT = "salespipeline"
MART = f"model.{PROJECT}.fct_mrr_bridge"
# The static page inlines the manifest and catalog (several MB of JSON) into one file; this much
# virtual time lets Chromium parse it and draw the pages, graph included.
BUDGET_MS = 15000
# What the HTML report reads (salespipeline/report/queries.py): its exposure lists exactly these.
REPORT_MARTS = {
    "fct_funnel_cohorts",
    "fct_mrr_bridge",
    "fct_retention_cohorts",
    "fct_attribution",
    "fct_pipeline_monthly",
    "fct_pipeline_bridge",
    "fct_sales_performance",
    "dim_owners",
}


@dataclass
class DocsSite:
    target: Path
    manifest: dict
    catalog: dict
    problems: list[str]  # dbt's warnings and errors while generating

    @property
    def page(self) -> Path:
        return self.target / "static_index.html"


@pytest.fixture(scope="module")
def docs_site(built, small_project: Path, tmp_path_factory: pytest.TempPathFactory) -> DocsSite:
    """`dbt docs generate --static` on the built test warehouse, with dbt's warnings collected.

    Partial parsing is off so that the warnings that only parsing emits (a doc block that is
    missing, a YAML entry without its model) are raised again here."""
    from dbt.cli.main import dbtRunner

    _, warehouse = built
    target = tmp_path_factory.mktemp("docs_target")
    problems: list[str] = []

    def collect(event) -> None:
        if event.info.level in ("warn", "error"):
            problems.append(f"{event.info.name}: {event.info.msg}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        result = dbtRunner(callbacks=[collect]).invoke(
            [
                "docs",
                "generate",
                "--static",
                "--no-partial-parse",
                "--project-dir",
                str(small_project),
                "--profiles-dir",
                str(small_project),
                "--target-path",
                str(target),
                "--quiet",
            ]
        )
    assert result.success, f"dbt docs generate failed: {result.exception} {problems}"
    return DocsSite(
        target=target,
        manifest=json.loads((target / "manifest.json").read_text()),
        catalog=json.loads((target / "catalog.json").read_text()),
        problems=problems,
    )


# --- what dbt generated ---------------------------------------------------------------------------


def undocumented(manifest: dict, catalog: dict) -> list[str]:
    """Every model, seed, source, macro (with its arguments) and column without a description.

    Columns come from the catalog, i.e. the tables as built, so a column the SQL adds but the YAML
    forgets is reported, and so is a YAML column that no longer exists."""
    gaps: list[str] = []

    def check(unique_id: str, node: dict, table: dict | None) -> None:
        if not node.get("description", "").strip():
            gaps.append(f"{unique_id} ({node['original_file_path']}): no description")
        documented = {name.lower(): c for name, c in node.get("columns", {}).items()}
        if table is None:
            gaps.append(f"{unique_id}: not in the catalog (was it built?)")
            return
        real = {name.lower() for name in table["columns"]}
        for name in sorted(real | set(documented)):
            where = f"{unique_id}.{name} ({node.get('patch_path') or node['original_file_path']})"
            if name not in real:
                gaps.append(f"{where}: described in YAML but not in the table")
            elif not documented.get(name, {}).get("description", "").strip():
                gaps.append(f"{where}: no description")

    for unique_id, node in manifest["nodes"].items():
        if node["package_name"] == PROJECT and node["resource_type"] in ("model", "seed"):
            check(unique_id, node, catalog["nodes"].get(unique_id))
    for unique_id, node in manifest["sources"].items():
        if node["package_name"] == PROJECT:
            check(unique_id, node, catalog["sources"].get(unique_id))
    for unique_id, macro in manifest["macros"].items():
        if macro["package_name"] != PROJECT:
            continue
        if not macro["description"].strip():
            gaps.append(f"{unique_id} ({macro['original_file_path']}): no description")
        for argument in macro["arguments"]:
            if not (argument.get("description") or "").strip():
                gaps.append(f"{unique_id}({argument['name']}): argument without a description")
    for unique_id, exposure in manifest["exposures"].items():
        if not exposure["description"].strip():
            gaps.append(f"{unique_id}: no description")
    return gaps


def test_docs_generate_warns_about_nothing(docs_site: DocsSite) -> None:
    assert docs_site.problems == []
    assert docs_site.page.stat().st_size > 1_000_000, "static_index.html should inline the docs"


def test_everything_is_described(docs_site: DocsSite) -> None:
    gaps = undocumented(docs_site.manifest, docs_site.catalog)
    assert gaps == [], "undocumented:\n" + "\n".join(gaps)
    kinds = collections.Counter(uid.split(".")[0] for uid in docs_site.catalog["nodes"])
    assert kinds["model"] >= 20, f"catalog too small: {kinds}"
    assert kinds["seed"] == len(TABLES) + 3, f"catalog too small: {kinds}"


def test_no_description_is_written_twice() -> None:
    """A column meaning used in several places is one doc block, referenced with doc(): the same
    text typed twice in the YAML drifts apart the day one copy is edited."""
    seen: dict[str, list[str]] = collections.defaultdict(list)

    def walk(item: object, where: str) -> None:
        if isinstance(item, dict):
            for column in item.get("columns") or []:
                if not isinstance(column, dict):
                    continue  # a generic test's argument, not a column entry
                text = column.get("description")
                if isinstance(text, str) and "doc(" not in text:
                    seen[" ".join(text.split())].append(f"{where}:{item['name']}.{column['name']}")
            for value in item.values():
                walk(value, where)
        elif isinstance(item, list):
            for value in item:
                walk(value, where)

    files = sorted((REPO_ROOT / "models").rglob("*.yml")) + sorted(
        (REPO_ROOT / "seeds").rglob("*.yml")
    )
    for path in files:
        walk(yaml.safe_load(path.read_text()), str(path.relative_to(REPO_ROOT)))
    repeated = {text: places for text, places in seen.items() if len(places) > 1}
    assert repeated == {}, "write these once, as a doc block:\n" + "\n".join(
        f"{text!r}: {places}" for text, places in repeated.items()
    )


def test_overview_links_resolve(docs_site: DocsSite) -> None:
    overview = docs_site.manifest["docs"][f"doc.{PROJECT}.__overview__"]["block_contents"]
    links = re.findall(r"\]\(#!/(\w+)/([\w.]+)\)", overview)
    known = {
        **docs_site.manifest["nodes"],
        **docs_site.manifest["sources"],
        **docs_site.manifest["exposures"],
    }
    source_names = {s["source_name"] for s in docs_site.manifest["sources"].values()}
    broken = [
        f"#!/{kind}/{target}"
        for kind, target in links
        if (kind == "source_list" and target not in source_names)
        or (kind != "source_list" and (target not in known or not target.startswith(kind + ".")))
    ]
    assert broken == [], f"models/overview.md links to pages that do not exist: {broken}"
    marts = {
        n["name"]
        for n in docs_site.manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1:2] == ["marts"]
    }
    linked = {target.split(".")[-1] for kind, target in links if kind == "model"}
    assert marts <= linked, f"the overview should link every mart: {sorted(marts - linked)}"


def test_exposures_name_their_question_and_marts(docs_site: DocsSite) -> None:
    exposures = docs_site.manifest["exposures"].values()
    nodes = docs_site.manifest["nodes"]
    assert {e["type"] for e in exposures} >= {"dashboard", "analysis"}
    for exposure in exposures:
        name = exposure["name"]
        assert exposure["owner"].get("name"), name
        assert exposure["owner"].get("email"), name
        depends = [nodes[uid] for uid in exposure["depends_on"]["nodes"]]
        assert depends, f"exposure {name} depends on nothing"
        for node in depends:
            assert node["fqn"][1:2] == ["marts"], f"exposure {name} reads {node['name']}"
            assert f"`{node['name']}`" in exposure["description"], (
                f"exposure {name}: the description should say what it reads from {node['name']}"
            )
    report = docs_site.manifest["exposures"][f"exposure.{PROJECT}.salespipeline_report"]
    assert {nodes[uid]["name"] for uid in report["depends_on"]["nodes"]} == REPORT_MARTS


def test_static_page_needs_no_network(docs_site: DocsSite) -> None:
    """Everything the page runs is inlined: no script, style sheet or image from elsewhere."""
    page = docs_site.page.read_text(encoding="utf-8")
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page, flags=re.IGNORECASE)
    remote = [t for t in tags if re.search(r"""(?:src|href)=["']?(?:https?:)?//""", t)]
    assert tags
    assert remote == []


# --- what a person sees ---------------------------------------------------------------------------


def visible(dom: str) -> str:
    """The rendered markup without scripts and styles: the page inlines its data as JSON in a
    script, so text found there proves nothing about what is shown."""
    dom = re.sub(r"<script\b.*?</script>", "", dom, flags=re.DOTALL | re.IGNORECASE)
    return re.sub(r"<style\b.*?</style>", "", dom, flags=re.DOTALL | re.IGNORECASE)


def test_overview_page_shows(docs_site: DocsSite) -> None:
    shown = visible(dump_dom(file_url(docs_site.page, "#!/overview"), budget_ms=BUDGET_MS))
    assert re.search(r"<h1[^>]*>\s*salespipeline: the revenue team's numbers\s*</h1>", shown)
    for heading in ("Where the data comes from", "The layers", "Key metrics"):
        assert re.search(rf"<h2[^>]*>\s*{heading}\s*</h2>", shown), heading
    assert f'href="#!/model/{MART}"' in shown, "the overview links the marts"


def test_mart_page_lists_its_columns(docs_site: DocsSite) -> None:
    shown = visible(dump_dom(file_url(docs_site.page, f"#!/model/{MART}"), budget_ms=BUDGET_MS))
    assert re.search(r"fct_mrr_bridge\s*<", shown), "the model's name is on the page"
    rows = re.findall(
        r'<tr[^>]*class="column-row[^"]*".*?<span class="text-dark ng-binding">([^<]+)</span>'
        r'.*?<span ng-show="!column.expanded" class="ng-binding">(.*?)</span>',
        shown,
        flags=re.DOTALL,
    )
    shown_columns = {name.strip(): " ".join(html.unescape(text).split()) for name, text in rows}
    described = docs_site.manifest["nodes"][MART]["columns"]
    assert set(shown_columns) == set(docs_site.catalog["nodes"][MART]["columns"]) | set(described)
    for name, column in described.items():
        assert shown_columns[name] == " ".join(column["description"].split()), name


def decode_png(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, bytes per pixel and the rows of an 8-bit RGB(A) PNG, with the standard
    library only (no imaging package is a dependency)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, compressed = 8, bytearray()
    width = height = bpp = 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace) == (8, 0), "unsupported PNG"
            assert color in (2, 6), "unsupported PNG"
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            compressed += body
    raw = zlib.decompress(bytes(compressed))
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                corner = previous[i - bpp] if i >= bpp else 0
                guess = left + up - corner
                a, b, c = abs(guess - left), abs(guess - up), abs(guess - corner)
                nearest = left if a <= b and a <= c else up if b <= c else corner
                line[i] = (line[i] + nearest) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, bpp, rows


def test_lineage_graph_draws_nodes(docs_site: DocsSite, tmp_path: Path) -> None:
    url = file_url(docs_site.page, f"#!/model/{MART}?g_v=1")
    shown = visible(dump_dom(url, budget_ms=BUDGET_MS))
    assert 'id="cy"' in shown, "the graph container is on the page"
    canvases = re.findall(r'<canvas[^>]*data-id="layer2-node"[^>]*width="(\d+)"', shown)
    assert canvases, "cytoscape made its node canvas"
    assert int(canvases[0]) > 0, "the node canvas has a size"

    width, height, bpp, rows = decode_png(screenshot(url, tmp_path / "graph.png").read_bytes())
    # Inside the expanded graph panel, below its title bar and above its controls.
    pixels = [
        rows[y][x * bpp : x * bpp + 3]
        for y in range(height // 6, height * 4 // 5, 2)
        for x in range(width // 10, width * 9 // 10, 2)
    ]
    background, count = collections.Counter(pixels).most_common(1)[0]
    assert count > len(pixels) / 2, "no single background colour: is the graph panel open?"
    assert sum(background) < 384, f"the graph panel (dark) is not open: {tuple(background)}"
    drawn = sum(
        1 for p in pixels if max(abs(a - b) for a, b in zip(p, background, strict=True)) > 40
    )
    assert drawn > len(pixels) / 500, f"the graph looks empty: {drawn} of {len(pixels)} pixels"
