"""`salespipeline report`: the marts as one self-contained HTML page, checked two ways.

In Python, each chart's data (the figure JSON embedded in the page) must agree with a direct
query on its mart; in headless Chromium, each chart must have been drawn with all of its points,
with no network. The small dataset's warehouse is built in this process by dbt, which keeps the
file open, so the report command runs as a subprocess on a copy of its marts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from browser import dump_dom, file_url
from support import REPO_ROOT, connect_warehouse

from salespipeline.report.figures import BRIDGE_MONTHS, PIPELINE_FLOWS, waterfall_chart
from salespipeline.report.queries import ATTRIBUTION_SQL, MARTS

ALL_MARTS = (
    *MARTS,
    "fct_mrr",
    "dim_accounts",
    "dim_owners",
    "fct_campaign_performance",
    "fct_opportunities",
    "fct_leads",
    "fct_opportunity_stages",
)
CHARTS = (
    "mrr-bridge",
    "arr",
    "retention",
    "cohorts",
    "funnel",
    "attribution",
    "pipeline",
    "pipeline-bridge",
    "reps",
)
FIGURE_BLOCK = re.compile(
    r'<script type="application/json" class="figure" data-target="plot-([\w-]+)">(.*?)</script>',
    re.DOTALL,
)


def copy_marts(source: Path, target: Path, *, empty: bool = False) -> Path:
    """A new warehouse file with the marts of `source` (zero rows of each when `empty`)."""
    with connect_warehouse(source) as connection:
        connection.execute(f"attach '{target}' as report_copy")
        connection.execute("create schema report_copy.marts")
        for mart in ALL_MARTS:
            limit = " limit 0" if empty else ""
            connection.execute(
                f"create table report_copy.marts.{mart} as select * from marts.{mart}{limit}"
            )
        connection.execute("detach report_copy")
    return target


def run_report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "salespipeline", "report", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def marts_copy(built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    _, warehouse = built
    return copy_marts(warehouse, tmp_path_factory.mktemp("report") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def report(marts_copy: Path) -> Path:
    out = marts_copy.parent / "out" / "report.html"
    result = run_report("--out", str(out), "--warehouse", str(marts_copy))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        rf"wrote {re.escape(str(out))} \(as of \d{{4}}-\d\d-\d\d\)\n", result.stdout
    )
    return out


@pytest.fixture(scope="module")
def figures(report: Path) -> dict[str, dict]:
    return {key: json.loads(body) for key, body in FIGURE_BLOCK.findall(report.read_text())}


@pytest.fixture(scope="module")
def marts(marts_copy: Path):
    with duckdb.connect(str(marts_copy), read_only=True) as connection:
        yield connection


def rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


def trace(figure: dict, name: str) -> dict:
    matches = [item for item in figure["data"] if item.get("name") == name]
    assert len(matches) == 1, f"one trace named {name!r}"
    return matches[0]


def test_the_page_is_self_contained(report: Path) -> None:
    page = report.read_text()
    assert "<title>salespipeline revenue report</title>" in page
    assert page.count("plotly.js v") == 1, "plotly.js is inlined exactly once"
    external = re.findall(
        r"<(?:script|link|img|iframe)\b[^>]*(?:src|href)=[\"']?(?:https?:)?//", page
    )
    assert external == [], "nothing is loaded from the network"


def test_every_chart_has_data(figures: dict[str, dict], report: Path) -> None:
    assert set(figures) == set(CHARTS)
    for key, figure in figures.items():
        points = [len(item.get("x") or item.get("y") or []) for item in figure["data"]]
        assert points, f"{key}: no trace"
        assert all(points), f"{key}: a trace without data"
    assert 'class="no-data"' not in report.read_text()


def test_waterfall_balances_and_ends_at_the_bridge(figures, marts) -> None:
    waterfall = figures["mrr-bridge"]["data"][0]
    assert waterfall["type"] == "waterfall"
    assert waterfall["measure"] == ["absolute"] + ["relative"] * 5 + ["total"]
    bridge = rows(marts, "select * from marts.fct_mrr_bridge order by mrr_month desc")
    names = [column[0] for column in marts.description]
    window = [dict(zip(names, row, strict=True)) for row in bridge[:BRIDGE_MONTHS]]
    start, *movements, end = waterfall["y"]
    assert end == pytest.approx(float(window[0]["ending_mrr"]), abs=0.005)
    assert start == pytest.approx(float(window[-1]["starting_mrr"]), abs=0.005)
    assert start + sum(movements) == pytest.approx(end, abs=0.01), "the bridge balances"
    churned = sum(float(month["churned_mrr"]) for month in window)
    assert movements[4] == pytest.approx(-churned, abs=0.01)
    assert waterfall["x"][-1] == f"Ending MRR ({window[0]['mrr_month']:%b %Y})"


def test_arr_and_retention_follow_the_bridge(figures, marts) -> None:
    bridge = rows(
        marts,
        "select mrr_month, ending_arr, nrr_trailing_12m, grr_trailing_12m "
        "from marts.fct_mrr_bridge order by mrr_month",
    )
    arr = figures["arr"]["data"][0]
    assert arr["x"] == [month.isoformat() for month, *_ in bridge]
    assert arr["y"] == pytest.approx([float(value) for _, value, _, _ in bridge])
    with_retention = [row for row in bridge if row[2] is not None]
    nrr = trace(figures["retention"], "NRR (trailing 12 months)")
    grr = trace(figures["retention"], "GRR (trailing 12 months)")
    assert nrr["x"] == [month.isoformat() for month, *_ in with_retention]
    assert nrr["y"] == pytest.approx([row[2] for row in with_retention])
    assert grr["y"] == pytest.approx([row[3] for row in with_retention])


def test_funnel_counts_per_source(figures, marts) -> None:
    expected = dict(
        rows(
            marts,
            "select lead_source, sum(won_count) from marts.fct_funnel_cohorts group by 1",
        )
    )
    won = trace(figures["funnel"], "Won")
    assert dict(zip(won["x"], won["y"], strict=True)) == expected
    leads = trace(figures["funnel"], "Lead")
    (total,) = marts.execute("select count(*) from marts.fct_leads").fetchone()
    assert sum(leads["y"]) == total


def test_every_attribution_model_adds_up_to_won_revenue(figures, marts) -> None:
    """Attribution credits the new-logo deals (new business and win-back) by default: under
    every model, the channels add up to the ACV of those won by the as-of date."""
    (won,) = marts.execute(
        "select sum(acv_usd) from marts.fct_opportunities "
        "where is_won and opportunity_type in ('new_business', 'win_back')"
    ).fetchone()
    models = figures["attribution"]["data"]
    assert [item["name"] for item in models] == [
        "First touch",
        "Last touch",
        "Linear",
        "Position-based",
        "Time decay",
    ]
    for model in models:
        assert sum(model["y"]) == pytest.approx(float(won), abs=0.01), model["name"]
    no_touch = dict(
        rows(
            marts,
            "select 'no touch', sum(linear_revenue_acv_usd) from marts.fct_attribution "
            "where is_no_touch",
        )
    )
    linear = dict(zip(models[2]["x"], models[2]["y"], strict=True))
    assert linear["no touch"] == pytest.approx(float(no_touch["no touch"] or 0))


def test_only_no_touch_rows_are_labelled_no_touch() -> None:
    """A real touch with no utm_source keeps its own label instead of joining the opportunities
    that had no touch at all (the mart's `is_no_touch` flag decides, not a null utm_source)."""
    with duckdb.connect() as connection:
        connection.execute("create schema marts")
        connection.execute(
            "create table marts.fct_attribution as select * from (values "
            "(false, 'google', 10.0), (false, null, 20.0), (true, null, 40.0)"
            ") as t(is_no_touch, utm_source, first_touch_revenue_acv_usd)"
        )
        for model in ("last_touch", "linear", "position_based", "time_decay"):
            connection.execute(
                f"alter table marts.fct_attribution add column {model}_revenue_acv_usd double "
                "default 1.0"
            )
        labelled = {
            channel: float(revenue)
            for channel, revenue, *_ in connection.execute(ATTRIBUTION_SQL).fetchall()
        }
    assert labelled == {"google": 10.0, "(no utm_source)": 20.0, "no touch": 40.0}


def test_pipeline_by_stage_adds_up_per_month(figures, marts) -> None:
    expected = {
        month.isoformat(): float(amount)
        for month, amount in rows(
            marts,
            "select pipeline_month, sum(tcv_usd) from marts.fct_pipeline_monthly group by 1",
        )
    }
    stacked: dict[str, float] = defaultdict(float)
    for stage in figures["pipeline"]["data"]:
        for month, amount in zip(stage["x"], stage["y"], strict=True):
            stacked[month] += amount
    assert stacked.keys() == expected.keys()
    for month, amount in expected.items():
        assert stacked[month] == pytest.approx(amount, abs=0.01), month
    stages = [stage["name"] for stage in figures["pipeline"]["data"]]
    ordered = [
        name
        for name, _ in rows(
            marts,
            "select distinct stage_name, stage_order from marts.fct_pipeline_monthly order by 2",
        )
    ]
    assert stages == ordered


@pytest.fixture(scope="module")
def rep_names(built) -> dict[str, str]:
    """Each owner's name, from the raw users file: the reps chart labels reps by name."""
    dataset, _ = built
    users = dataset.frame("users")
    return dict(zip(users["user_id"], users["name"], strict=True))


def test_rep_win_rates_over_the_last_four_quarters(figures, marts, rep_names) -> None:
    """Left-hand panel of the reps chart: per rep, deals won over deals won or lost in the last
    four quarters, on new-logo deals and on all deals (disqualified deals left out)."""
    performance = rows(
        marts,
        "select owner_id, quarter_start_date, is_new_logo, opportunities_won, opportunities_lost "
        "from marts.fct_sales_performance",
    )
    last_four = sorted({quarter for _, quarter, *_ in performance})[-4:]
    won: dict[tuple[str, str], int] = defaultdict(int)
    closed: dict[tuple[str, str], int] = defaultdict(int)
    for owner, quarter, is_new_logo, wins, losses in performance:
        if quarter in last_four:
            for scope in ("all", "new logo") if is_new_logo else ("all",):
                won[rep_names[str(owner)], scope] += wins
                closed[rep_names[str(owner)], scope] += wins + losses
    reps = {rep for rep, scope in closed if scope == "all" and closed[rep, scope]}
    expected = {
        scope: {
            rep: (won[rep, scope] / closed[rep, scope] if closed[rep, scope] else None)
            for rep in reps
        }
        for scope in ("all", "new logo")
    }
    for scope, name in (("all", "Win rate, all deals"), ("new logo", "Win rate, new-logo deals")):
        bars = trace(figures["reps"], name)
        shown = dict(zip(bars["x"], bars["y"], strict=True))
        assert shown.keys() == expected[scope].keys(), name
        for rep, rate in expected[scope].items():
            if rate is None:
                assert shown[rep] is None, f"{name}: {rep}"
            else:
                assert shown[rep] == pytest.approx(rate), f"{name}: {rep}"


def deals_closed_in_the_last_four_quarters(marts) -> list[dict]:
    """The deals closed in the as-of quarter and the three before it, read from
    `fct_opportunities` and windowed in Python, not through `fct_sales_performance` or the
    report's SQL: what the reps chart and the win-rate headline summarise."""
    (as_of,) = marts.execute("select max(snapshot_date) from marts.fct_pipeline_monthly").fetchone()
    as_of_quarter = (as_of.month - 1) // 3
    first_quarter = (as_of.year * 4 + as_of_quarter) - 3
    window_start = dt.date(first_quarter // 4, (first_quarter % 4) * 3 + 1, 1)
    window_end = as_of + dt.timedelta(days=1)
    cursor = marts.execute(
        "select owner_id, opportunity_type, close_outcome, closed_at, sales_cycle_days "
        "from marts.fct_opportunities"
    )
    names = [column[0] for column in cursor.description]
    deals = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return [
        deal
        for deal in deals
        if deal["closed_at"] is not None and window_start <= deal["closed_at"].date() < window_end
    ]


def test_headline_win_rate_is_wins_over_closed_deals(report: Path, marts) -> None:
    """The headline: new-logo deals won over new-logo deals won or lost (disqualified deals are
    left out) by all reps over the last four quarters, with the all-deals rate in its note."""
    closed = [
        deal
        for deal in deals_closed_in_the_last_four_quarters(marts)
        if deal["close_outcome"] != "disqualified"
    ]
    outcomes = {deal["close_outcome"] for deal in closed}
    assert outcomes == {"closed_won", "closed_lost"}, outcomes
    new_logo = [d for d in closed if d["opportunity_type"] in ("new_business", "win_back")]
    won = sum(deal["close_outcome"] == "closed_won" for deal in new_logo)
    assert 0 < won < len(new_logo), "the small dataset should have both wins and losses"
    all_won = sum(deal["close_outcome"] == "closed_won" for deal in closed)
    card = (
        f'<dt>Win rate</dt><dd>{won / len(new_logo):.1%}<span class="note">'
        f"new-logo deals by count, last 4 quarters ({won:,} won of {len(new_logo):,} won or "
        f"lost; all deals: {all_won / len(closed):.1%})</span></dd>"
    )
    assert card in report.read_text(), f"win-rate headline should read {card!r}"


def test_rep_sales_cycle_is_the_mean_over_won_deals(figures, marts, rep_names) -> None:
    """Right-hand panel of the reps chart: per rep, the mean `sales_cycle_days` of the deals won
    in the last four quarters (no bar for a rep who won or lost deals there but won none)."""
    cycles: dict[str, list[int]] = defaultdict(list)
    reps_with_closed_deals: set[str] = set()
    for deal in deals_closed_in_the_last_four_quarters(marts):
        if deal["close_outcome"] == "disqualified":
            continue
        rep = rep_names[str(deal["owner_id"])]
        reps_with_closed_deals.add(rep)
        if deal["close_outcome"] == "closed_won":
            assert deal["sales_cycle_days"] is not None, f"won deal of {rep} without a cycle"
            cycles[rep].append(deal["sales_cycle_days"])
    expected = {
        rep: (sum(cycles[rep]) / len(cycles[rep]) if cycles[rep] else None)
        for rep in reps_with_closed_deals
    }
    assert any(value is not None for value in expected.values())
    panel = trace(figures["reps"], "Average sales cycle (days)")
    shown = dict(zip(panel["x"], panel["y"], strict=True))
    assert shown.keys() == expected.keys(), "one bar per rep who won or lost deals"
    for rep, mean in expected.items():
        if mean is None:
            assert shown[rep] is None, f"{rep} won nothing: no average cycle"
        else:
            assert shown[rep] == pytest.approx(mean, abs=1e-6), f"{rep}: average sales cycle"


def test_pipeline_bridge_balances_and_ends_at_the_marts(figures, marts) -> None:
    """Each waterfall starts at the open pipeline (ACV) before the window, moves by the bridge's
    flows, and ends at the open pipeline of fct_pipeline_monthly at the as-of date."""
    months = [
        month
        for (month,) in rows(
            marts, "select distinct pipeline_month from marts.fct_pipeline_bridge order by 1"
        )
    ][-BRIDGE_MONTHS:]
    first = months[0]
    for name, condition in (("New-logo deals", "is_new_logo"), ("All deals", "true")):
        waterfall = trace(figures["pipeline-bridge"], name)
        start, *flows, end = waterfall["y"]
        ((opening,),) = rows(
            marts,
            f"select coalesce(sum(opening_tcv_usd), 0) from marts.fct_pipeline_bridge "
            f"where pipeline_month = '{first}' and {condition}",
        )
        ((open_now,),) = rows(
            marts,
            f"select coalesce(sum(tcv_usd), 0) from marts.fct_pipeline_monthly "
            f"where pipeline_month = '{months[-1]}' and {condition}",
        )
        assert start == pytest.approx(float(opening), abs=0.01), name
        assert end == pytest.approx(float(open_now), abs=0.01), name
        assert start + sum(flows) == pytest.approx(end, abs=0.01), f"{name}: the bridge balances"
        assert len(flows) == len(PIPELINE_FLOWS)


def test_cohort_heat_map_shows_each_cohorts_net_revenue_retention(figures, marts) -> None:
    heat_map = trace(figures["cohorts"], "Net revenue retention")
    cells = rows(
        marts,
        "select cohort_month, months_since_start, net_revenue_retention "
        "from marts.fct_retention_cohorts",
    )
    labels = heat_map["y"]
    shown = {
        (labels[row], heat_map["x"][column]): value
        for row, values in enumerate(heat_map["z"])
        for column, value in enumerate(values)
        if value is not None
    }
    expected = {(f"{month:%b %Y}", age): rate for month, age, rate in cells}
    assert shown.keys() == expected.keys()
    for cell, rate in expected.items():
        assert shown[cell] == pytest.approx(rate), cell
    assert all(shown[label, 0] == pytest.approx(1.0) for label in labels), "month 0 is 100%"


def test_headlines_show_the_as_of_month(report: Path, marts) -> None:
    page = report.read_text()
    as_of, arr, nrr, grr = marts.execute(
        "select p.as_of_date, b.ending_arr, b.nrr_trailing_12m, b.grr_trailing_12m "
        "from (select max(snapshot_date) as as_of_date from marts.fct_pipeline_monthly) as p "
        "inner join marts.fct_mrr_bridge as b on b.mrr_month = date_trunc('month', p.as_of_date)"
    ).fetchone()
    assert f"As of {as_of:%d %B %Y}" in page
    assert f"${float(arr):,.0f}" in page
    assert f">{nrr:.1%}<" in page
    assert f">{grr:.1%}<" in page


def test_the_browser_draws_every_chart_with_all_its_points(report: Path, figures) -> None:
    dom = dump_dom(file_url(report))
    assert "<title>salespipeline revenue report</title>" in dom
    for key in CHARTS:
        start = dom.index(f'id="plot-{key}"')
        container = dom[start : dom.index("</figure>", start)]
        assert "main-svg" in container, f"{key}: plotly drew nothing"
        traces = figures[key]["data"]
        if any(item["type"] == "heatmap" for item in traces):
            # A heat map is drawn as one image of its cells, not one mark per point.
            assert 'class="hm"' in container, f"{key}: no heat map drawn"
            continue
        points = sum(len(item.get("x") or []) for item in traces)
        drawn = container.count('class="point"')
        assert drawn == points, f"{key}: {drawn} marks drawn for {points} data points"
    for headline in ("Ending ARR", "NRR", "GRR", "Win rate"):
        assert f"<dt>{headline}</dt>" in dom
    assert not re.search(r"<(?:script|link)\b[^>]*(?:src|href)=\"https?:", dom)


def test_empty_marts_give_a_no_data_note_per_chart(built, tmp_path: Path) -> None:
    _, warehouse = built
    empty = copy_marts(warehouse, tmp_path / "empty.duckdb", empty=True)
    out = tmp_path / "report.html"
    result = run_report("--out", str(out), "--warehouse", str(empty))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"wrote {out} (the marts are empty)\n"
    page = out.read_text()
    for key in CHARTS:
        start = page.index(f'id="chart-{key}"')
        chart = page[start : page.index("</figure>", start)]
        assert '<p class="no-data">No data: ' in chart, key
        assert 'class="figure"' not in chart, key
    assert page.count("<dd>n/a") == 4
    assert "The marts are empty" in page


def test_waterfall_covers_the_last_twelve_months() -> None:
    months = [
        {
            "mrr_month": dt.date(2025 + (index // 12), index % 12 + 1, 1),
            "starting_mrr": 100.0 + index,
            "new_mrr": 2.0,
            "expansion_mrr": 0.0,
            "reactivation_mrr": 0.0,
            "contraction_mrr": 0.0,
            "churned_mrr": 1.0,
            "ending_mrr": 101.0 + index,
        }
        for index in range(14)
    ]
    chart = waterfall_chart(months)
    assert chart.figure is not None
    waterfall = chart.figure.data[0]
    assert waterfall.x[0] == "Starting MRR (Mar 2025)"
    assert waterfall.x[-1] == "Ending MRR (Feb 2026)"
    assert list(waterfall.y) == [102.0, 24.0, 0.0, 0.0, -0.0, -12.0, 114.0]
    assert waterfall_chart(months[:3]).figure.data[0].x[0] == "Starting MRR (Jan 2025)"
    assert waterfall_chart([]).figure is None


@pytest.mark.parametrize("case", ["missing", "no marts"])
def test_a_warehouse_without_marts_is_a_one_line_error(tmp_path: Path, case: str) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    if case == "no marts":
        duckdb.connect(str(warehouse)).close()
    result = run_report("--out", str(tmp_path / "report.html"), "--warehouse", str(warehouse))
    assert result.returncode == 1
    assert result.stdout == ""
    if case == "missing":
        expected = f"no warehouse at {warehouse}: run `make run` first"
    else:
        expected = "the warehouse has no marts.fct_funnel_cohorts, marts.fct_mrr_bridge"
    assert result.stderr.startswith(f"salespipeline: error: {expected}")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "report.html").exists()
