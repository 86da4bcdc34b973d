"""The README's "Questions you can ask" queries run on a freshly built warehouse and give the right
numbers, in process and through the DuckDB command line from PyPI.

Each query's numbers are checked against a computation that does not share its SQL: the pandas
recomputation from the raw CSVs (recompute.py), the raw CSVs themselves, or a finer-grained mart,
so a README query that answers the wrong question fails here instead of misleading a reader.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
import recompute
from support import REPO_ROOT, Dataset, connect_warehouse

README = REPO_ROOT / "README.md"
SECTION = "## Questions you can ask"


def readme_section(heading: str) -> str:
    """The text of one `## ` section of the README, without its heading."""
    text = README.read_text(encoding="utf-8")
    assert heading + "\n" in text, f"README.md has no {heading!r} section"
    body = text.split(heading + "\n", 1)[1]
    return re.split(r"^## ", body, maxsplit=1, flags=re.MULTILINE)[0]


def questions() -> dict[str, str]:
    """Each `### ` question of the section and the one ```sql block under it."""
    found: dict[str, str] = {}
    parts = re.split(r"^### (.+)$", readme_section(SECTION), flags=re.MULTILINE)
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        blocks = re.findall(r"^```sql\n(.*?)^```", body, flags=re.MULTILINE | re.DOTALL)
        assert len(blocks) == 1, f"README.md, question {title!r}: {len(blocks)} sql blocks, not 1"
        found[title.strip()] = blocks[0]
    return found


def run(warehouse: Path, sql: str) -> pd.DataFrame:
    with connect_warehouse(warehouse) as connection:
        cursor = connection.execute(sql)
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def cents(value: object) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def reporting_quarter(dataset: Dataset) -> pd.Period:
    return recompute.as_of_date(dataset).to_period("Q")


# --- one check per question: the README result against an independent computation ------------


def check_funnel(result: pd.DataFrame, dataset: Dataset, warehouse: Path) -> None:
    cohorts = recompute.funnel_cohorts(dataset)
    quarter = reporting_quarter(dataset)
    in_quarter = cohorts[cohorts["cohort_month"].map(lambda m: m.asfreq("Q") == quarter)]
    stages = ["leads", "mqls", "contacts", "opportunities", "won"]
    expected = in_quarter.groupby("lead_source")[stages].sum()
    assert set(result["lead_source"]) == set(expected.index), "lead sources of the quarter"
    for row in result.itertuples():
        want = expected.loc[row.lead_source]
        got = (row.leads, row.mqls, row.contacts, row.opportunities, row.won)
        assert got == tuple(int(v) for v in want), f"{row.lead_source}: {got} != {tuple(want)}"
        assert row.lead_to_mql_rate == pytest.approx(want["mqls"] / want["leads"], abs=0.0005)
        assert row.lead_to_opportunity_rate == pytest.approx(
            want["opportunities"] / want["leads"], abs=0.0005
        ), f"{row.lead_source}: lead-to-opportunity rate"


def check_arr_bridge(result: pd.DataFrame, dataset: Dataset, warehouse: Path) -> None:
    bridge = recompute.mrr_bridge(dataset).tail(12)
    assert len(result) == 1
    row = result.iloc[0]
    assert pd.Period(row["first_month"], "M") == bridge["month"].iloc[0]
    assert pd.Period(row["last_month"], "M") == bridge["month"].iloc[-1]
    expected = {
        "starting_arr": 12 * bridge["starting_mrr"].iloc[0],
        "new_arr": 12 * bridge["new_mrr"].sum(),
        "expansion_arr": 12 * bridge["expansion_mrr"].sum(),
        "reactivation_arr": 12 * bridge["reactivation_mrr"].sum(),
        "contraction_arr": -12 * bridge["contraction_mrr"].sum(),
        "churned_arr": -12 * bridge["churned_mrr"].sum(),
        "ending_arr": 12 * bridge["ending_mrr"].iloc[-1],
    }
    got = {name: cents(row[name]) for name in expected}
    assert got == {name: int(value) for name, value in expected.items()}
    # The bridge balances: what the README promises a reader.
    assert sum(got[name] for name in expected if name != "ending_arr") == got["ending_arr"]
    # Retention of the last month: recompute.py's NRR/GRR, from its own monthly MRR per account.
    for name in ("nrr_trailing_12m", "grr_trailing_12m"):
        want = bridge[name].iloc[-1]
        assert not pd.isna(want), f"{name}: the test dataset should have 12 months of history"
        assert not pd.isna(row[name]), f"{name} is null"
        assert float(row[name]) == pytest.approx(float(want), abs=1e-9), name
    assert float(row["grr_trailing_12m"]) <= min(1.0, float(row["nrr_trailing_12m"])) + 1e-12


def check_win_rate(result: pd.DataFrame, dataset: Dataset, warehouse: Path) -> None:
    deals = dataset.typed("opportunities", "created_at", "close_date")
    closed = deals[deals["close_date"] < recompute.as_of_date(dataset) + pd.Timedelta(days=1)]
    won = closed[closed["close_outcome"] == "closed_won"].groupby("owner_id").size()
    # Disqualified deals are not losses: the win rate leaves them out.
    lost = closed[closed["close_outcome"] == "closed_lost"].groupby("owner_id").size()
    # New-logo deals: new business and win-back, typed from the billing orders.
    types = recompute.opportunity_types(dataset)
    new_logo = closed[closed["opportunity_id"].map(types).isin(recompute.NEW_LOGO_TYPES)]
    new_logo_won = new_logo[new_logo["close_outcome"] == "closed_won"].groupby("owner_id").size()
    new_logo_lost = new_logo[new_logo["close_outcome"] == "closed_lost"].groupby("owner_id").size()
    # Pipeline created: the USD amount of every deal the rep created by the reporting date.
    rates = recompute.fx_rates()
    created = deals[deals["created_at"] < recompute.as_of_date(dataset) + pd.Timedelta(days=1)]
    created_cents: dict[str, int] = {}
    for owner, amount, currency in zip(
        created["owner_id"], created["amount"], created["currency"], strict=True
    ):
        cents_usd = recompute.to_usd_cents(amount, currency, rates)
        created_cents[owner] = created_cents.get(owner, 0) + cents_usd
    # Reps by name and team, from the raw users file (names are unique in the generated team).
    users = dataset.frame("users").set_index("name")
    assert users.index.is_unique
    assert set(result["owner_name"]) == set(
        users.loc[users["user_id"].isin(deals["owner_id"])].index
    )
    for row in result.itertuples():
        owner = users.loc[row.owner_name, "user_id"]
        assert row.team_name == users.loc[row.owner_name, "team"]
        expected = (int(won.get(owner, 0)), int(lost.get(owner, 0)))
        assert (row.won, row.lost) == expected, f"rep {owner}"
        assert row.win_rate == pytest.approx(expected[0] / sum(expected), abs=0.0005)
        new_logo_expected = (int(new_logo_won.get(owner, 0)), int(new_logo_lost.get(owner, 0)))
        assert (row.new_logo_won, row.new_logo_lost) == new_logo_expected, f"rep {owner}"
        if sum(new_logo_expected):
            assert row.new_logo_win_rate == pytest.approx(
                new_logo_expected[0] / sum(new_logo_expected), abs=0.0005
            )
        else:
            assert pd.isna(row.new_logo_win_rate), f"rep {owner}: no new-logo deal closed"
        assert cents(row.pipeline_created_usd) == created_cents.get(owner, 0), (
            f"rep {owner}: pipeline created"
        )


def check_roas(result: pd.DataFrame, dataset: Dataset, warehouse: Path) -> None:
    events = dataset.frame("marketing_events").dropna(subset=["cost"])
    spend = events.groupby(["utm_source", "utm_campaign"])["cost"].apply(
        lambda costs: sum(Decimal(c) for c in costs)
    )
    revenue = run(
        warehouse,
        "select utm_source, utm_campaign, "
        + ", ".join(f"sum({m}_revenue_acv_usd) as {m}" for m in recompute.MODELS)
        + " from marts.fct_attribution where not is_no_touch group by 1, 2",
    ).set_index(["utm_source", "utm_campaign"])
    paid = {key for key, value in spend.items() if value > 0}
    assert {(r.utm_source, r.utm_campaign) for r in result.itertuples()} == paid
    for row in result.itertuples():
        key = (row.utm_source, row.utm_campaign)
        assert cents(row.spend_usd) == cents(spend[key]), f"spend of {key}"
        for model in recompute.MODELS:
            earned = revenue.loc[key, model] if key in revenue.index else 0
            expected = float(Decimal(str(earned)) / spend[key])
            assert getattr(row, f"{model}_roas") == pytest.approx(expected, abs=0.0051), (
                f"{model} ROAS of {key}"
            )


def check_pipeline(result: pd.DataFrame, dataset: Dataset, warehouse: Path) -> None:
    as_of = recompute.as_of_date(dataset)
    months = pd.period_range(pd.Timestamp(dataset.config.start_date), as_of, freq="M")
    assert [pd.Period(m, "M") for m in result["pipeline_month"]] == list(months)
    last = result.iloc[-1]
    assert pd.Timestamp(last["snapshot_date"]) == as_of
    # On the reporting date, the month-end pipeline is the CRM's open deals.
    deals = dataset.frame("opportunities")
    open_deals = deals[deals["is_closed"] == "false"]
    rates = recompute.fx_rates()
    assert last["open_opportunities"] == len(open_deals)
    expected = sum(
        recompute.to_usd_cents(a, c, rates)
        for a, c in zip(open_deals["amount"], open_deals["currency"], strict=True)
    )
    assert cents(last["pipeline_usd"]) == expected
    assert (result["weighted_pipeline_usd"] <= result["pipeline_usd"]).all()
    # Every month end, rebuilt from the raw stage history (not from fct_pipeline_monthly).
    snapshots = pipeline_at_month_ends(dataset, months, as_of)
    for row in result.itertuples():
        month = pd.Period(row.pipeline_month, "M")
        count, total, weighted_by_stage = snapshots[month]
        assert pd.Timestamp(row.snapshot_date) == min(month.end_time.normalize(), as_of), (
            f"{month}: snapshot date"
        )
        assert row.open_opportunities == count, f"{month}: open opportunities"
        assert cents(row.pipeline_usd) == total, f"{month}: pipeline_usd"
        # The mart rounds each stage's weighted sum to cents; allow a cent per stage for a
        # half-cent rounded the other way.
        assert abs(cents(row.weighted_pipeline_usd) - sum(weighted_by_stage.values())) <= len(
            weighted_by_stage
        ), f"{month}: weighted_pipeline_usd"


def pipeline_at_month_ends(
    dataset: Dataset, months: pd.PeriodIndex, as_of: pd.Timestamp
) -> dict[pd.Period, tuple[int, int, dict[str, int]]]:
    """Per month: the deals open at its end (the end of the as-of date in the as-of month), their
    USD amount in cents, and per open stage their amount weighted by the stage's default
    probability, in cents. Each deal's stage then is the last stage-history row entered before
    that moment (ties in the order entered_at, stage order, id), from the raw CSVs."""
    stages = pd.read_csv(REPO_ROOT / "seeds" / "reference" / "opportunity_stages.csv", dtype=str)
    order = dict(zip(stages["stage_name"], stages["stage_order"].astype(int), strict=True))
    probability = {
        name: Decimal(p)
        for name, p, closed in zip(
            stages["stage_name"], stages["default_probability"], stages["is_closed"], strict=True
        )
        if closed == "false"
    }
    rates = recompute.fx_rates()
    deals = dataset.typed("opportunities", "created_at", "close_date")
    amount = {
        deal: recompute.to_usd_cents(a, c, rates)
        for deal, a, c in zip(
            deals["opportunity_id"], deals["amount"], deals["currency"], strict=True
        )
    }
    history = dataset.typed("opportunity_stage_history", "entered_at")
    history = history.assign(stage_order=history["stage_name"].map(order)).sort_values(
        ["entered_at", "stage_order", "stage_history_id"], kind="stable"
    )
    found = {}
    for month in months:
        moment = min(month.end_time.normalize(), as_of) + pd.Timedelta(days=1)
        created = set(deals.loc[deals["created_at"] < moment, "opportunity_id"])
        stage_then = (
            history[history["entered_at"] < moment].groupby("opportunity_id")["stage_name"].last()
        )
        missing = created - set(stage_then.index)
        assert not missing, f"{month}: deals with no stage history by then: {sorted(missing)[:3]}"
        open_then = stage_then[stage_then.isin(probability)]
        open_then = open_then[open_then.index.isin(created)]
        weighted: dict[str, int] = {}
        for stage, group in open_then.groupby(open_then):
            exact = sum(Decimal(amount[deal]) * probability[stage] for deal in group.index)
            weighted[stage] = int(exact.quantize(Decimal(1), ROUND_HALF_UP))
        found[month] = (len(open_then), sum(amount[d] for d in open_then.index), weighted)
    return found


Check = Callable[[pd.DataFrame, Dataset, Path], None]

# Question heading -> (the columns its query returns, the independent check of its numbers).
CHECKS: dict[str, tuple[list[str], Check]] = {
    "Funnel conversion by lead source, this quarter": (
        [
            "lead_source",
            "leads",
            "mqls",
            "contacts",
            "opportunities",
            "won",
            "lead_to_mql_rate",
            "lead_to_opportunity_rate",
        ],
        check_funnel,
    ),
    "ARR bridge, last 12 months": (
        [
            "first_month",
            "last_month",
            "starting_arr",
            "new_arr",
            "expansion_arr",
            "reactivation_arr",
            "contraction_arr",
            "churned_arr",
            "ending_arr",
            "nrr_trailing_12m",
            "grr_trailing_12m",
        ],
        check_arr_bridge,
    ),
    "Win rate by sales rep": (
        [
            "owner_name",
            "team_name",
            "new_logo_won",
            "new_logo_lost",
            "new_logo_win_rate",
            "won",
            "lost",
            "win_rate",
            "pipeline_created_usd",
        ],
        check_win_rate,
    ),
    "Return on ad spend by campaign, under each attribution model": (
        ["utm_source", "utm_campaign", "spend_usd"] + [f"{m}_roas" for m in recompute.MODELS],
        check_roas,
    ),
    "Open pipeline at each month end": (
        [
            "pipeline_month",
            "snapshot_date",
            "open_opportunities",
            "pipeline_usd",
            "weighted_pipeline_usd",
        ],
        check_pipeline,
    ),
}


def test_every_question_has_one_query_and_a_check() -> None:
    """A new question in the README without a check here (or a check left without its question)
    fails, so every query in the README stays tested."""
    section = readme_section(SECTION)
    found = questions()
    assert section.count("```sql") == len(found), "every sql block sits under a ### question"
    assert set(found) == set(CHECKS)


@pytest.mark.parametrize("title", list(CHECKS))
def test_readme_query_answers_its_question(built, title: str) -> None:
    dataset, warehouse = built
    sql = questions()[title]
    schemas = re.findall(r"\b(?:from|join)\s+(\w+)\.", sql, flags=re.IGNORECASE)
    assert set(schemas) == {"marts"}, f"README question {title!r} must read the marts only"
    result = run(warehouse, sql)
    columns, check = CHECKS[title]
    assert list(result.columns) == columns, f"README question {title!r}: columns"
    assert len(result) > 0, f"README question {title!r} returned no rows"
    check(result, dataset, warehouse)


# --- the DuckDB command line --------------------------------------------------------------------


def duckdb_cli() -> Path:
    """The `duckdb` executable that the duckdb-cli wheel puts next to this Python."""
    path = Path(sys.executable).with_name("duckdb")
    if not path.exists():
        pytest.fail(f"{path} is missing: duckdb-cli is in requirements.txt, run `make setup`")
    return path


@pytest.fixture(scope="module")
def warehouse_copy(built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built warehouse that another process may open.

    dbt-duckdb keeps its database instance, and with it the file's write lock, open in this test
    process after `dbt build`, and DuckDB refuses any other process the file while a writer holds
    it (even read-only). A checkpoint writes everything into the file, which is then copied.
    """
    _, warehouse = built
    with connect_warehouse(warehouse) as connection:
        connection.execute("checkpoint")
    copy = tmp_path_factory.mktemp("cli") / "salespipeline.duckdb"
    shutil.copy(warehouse, copy)
    return copy


def cli(database: Path, *args: str) -> str:
    result = subprocess.run(
        [str(duckdb_cli()), "-readonly", str(database), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"duckdb CLI failed: {result.stderr}"
    return result.stdout


def test_duckdb_cli_runs_the_readme_example(built, warehouse_copy: Path) -> None:
    """The README's command-line example, pointed at the test warehouse, prints the ARR of the
    reporting month that the pandas recomputation finds."""
    dataset, _ = built
    lines = [
        line
        for line in readme_section("## Query the result").splitlines()
        if line.startswith(".venv/bin/duckdb -readonly salespipeline.duckdb -csv -c ")
    ]
    assert len(lines) == 1, "README: the duckdb -csv example is missing"
    sql = lines[0].split(" -c ", 1)[1].strip().strip('"')
    rows = cli(warehouse_copy, "-csv", "-c", sql).splitlines()
    assert rows[0] == "mrr_month,ending_arr"
    month, arr = rows[1].split(",")
    bridge = recompute.mrr_bridge(dataset)
    assert pd.Period(month, "M") == bridge["month"].iloc[-1]
    assert cents(arr) == 12 * int(bridge["ending_mrr"].iloc[-1])


@pytest.mark.parametrize("title", list(CHECKS))
def test_duckdb_cli_runs_every_question(built, warehouse_copy: Path, title: str) -> None:
    """Readers paste these queries into the CLI: it must parse them and return the same rows."""
    _, warehouse = built
    out = cli(warehouse_copy, "-csv", "-c", questions()[title]).splitlines()
    expected = run(warehouse, questions()[title])
    assert out[0].split(",") == list(expected.columns)
    assert len(out) - 1 == len(expected)


# A duration typed into prose ("about 4 s", "50 seconds", "3 minutes"), outside code blocks.
TYPED_DURATION = re.compile(r"\b\d+(\.\d+)?\s?(s|sec|seconds?|min|minutes?)\b")


def test_the_readme_quotes_measured_timings_not_typed_ones() -> None:
    """Timings go stale when typed: the README points at docs/benchmark.md, which
    `make benchmark` writes from a run (with the machine and the date), and types none itself."""
    text = (REPO_ROOT / "README.md").read_text()
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    assert not [m.group(0) for m in TYPED_DURATION.finditer(prose)]
    assert "docs/benchmark.md" in text
    benchmark = (REPO_ROOT / "docs" / "benchmark.md").read_text()
    assert benchmark.startswith("# Benchmark\n\nWritten by `make benchmark`")
