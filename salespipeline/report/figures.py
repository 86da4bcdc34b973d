"""The report's charts: one plotly figure per question, named with the docs' metric names.

Each chart comes with a one-sentence reading guide, and with a "no data" note instead of a figure
when its mart has no rows, so an empty warehouse still gives a complete page.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from salespipeline.report.queries import ReportData, Row

# The waterfall covers the last twelve months of the bridge (fewer when there are fewer).
BRIDGE_MONTHS = 12

FUNNEL_STAGES = (
    ("lead_count", "Lead"),
    ("mql_count", "MQL"),
    ("contact_count", "Contact"),
    ("opportunity_count", "Opportunity"),
    ("won_count", "Won"),
)

ATTRIBUTION_MODELS = (
    ("first_touch_revenue_acv_usd", "First touch"),
    ("last_touch_revenue_acv_usd", "Last touch"),
    ("linear_revenue_acv_usd", "Linear"),
    ("position_based_revenue_acv_usd", "Position-based"),
    ("time_decay_revenue_acv_usd", "Time decay"),
)

# The flows of the pipeline bridge, in the order its waterfalls show them, with their sign.
PIPELINE_FLOWS = (
    ("created_tcv_usd", "Created", 1),
    ("won_tcv_usd", "Won", -1),
    ("lost_tcv_usd", "Lost", -1),
    ("disqualified_tcv_usd", "Disqualified", -1),
    ("reopened_tcv_usd", "Reopened", 1),
)
# The two views of the pipeline bridge: new-logo deals (new business and win-back) and all deals.
PIPELINE_SCOPES = (("New-logo deals", True), ("All deals", False))

# The movements of the bridge, in the order the waterfall shows them, with their sign.
BRIDGE_MOVEMENTS = (
    ("new_mrr", "New MRR", 1),
    ("expansion_mrr", "Expansion MRR", 1),
    ("reactivation_mrr", "Reactivation MRR", 1),
    ("contraction_mrr", "Contraction MRR", -1),
    ("churned_mrr", "Churned MRR", -1),
)

# A colour-blind-safe palette (Okabe–Ito), one colour per series position.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
INCREASE, DECREASE, TOTAL = "#009E73", "#D55E00", "#0072B2"


@dataclass(frozen=True)
class Chart:
    """One chart of the report: its anchor, title, how to read it, and the figure or a note."""

    key: str
    title: str
    how_to_read: str
    figure: go.Figure | None
    no_data: str = ""
    # Wide charts take the page's width; the others share a row with their neighbour.
    wide: bool = True


def _layout(figure: go.Figure, *, y_title: str, y_format: str = "") -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=380,
        margin={"l": 70, "r": 20, "t": 50, "b": 60},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
        hovermode="x unified",
    )
    figure.update_yaxes(title_text=y_title, tickformat=y_format)
    return figure


def _grouped_bars(rows: list[Row], category: str, series: tuple[tuple[str, str], ...]) -> go.Figure:
    """One bar per (column, label) of `series` for each row's `category`, side by side."""
    categories = [row[category] for row in rows]
    figure = go.Figure(
        [
            go.Bar(
                name=label,
                x=categories,
                y=[row[column] for row in rows],
                marker_color=PALETTE[index],
            )
            for index, (column, label) in enumerate(series)
        ]
    )
    figure.update_layout(barmode="group")
    return figure


def month_label(value: object) -> str:
    """``2026-09-01`` -> ``Sep 2026``."""
    return value.strftime("%b %Y") if hasattr(value, "strftime") else str(value)


def funnel_chart(rows: list[Row]) -> Chart:
    title = "Funnel by lead source"
    how = (
        "Each group of bars is one lead source; the bars are the leads that reached each funnel "
        "stage (a lead counts at every stage up to the furthest it got), all cohorts together."
    )
    if not rows:
        return Chart("funnel", title, how, None, "no leads in marts.fct_funnel_cohorts.")
    figure = _grouped_bars(rows, "lead_source", FUNNEL_STAGES)
    return Chart("funnel", title, how, _layout(figure, y_title="leads that reached the stage"))


def bridge_window(rows: list[Row]) -> list[Row]:
    """The months the waterfall covers: the last `BRIDGE_MONTHS` rows of the bridge."""
    return rows[-BRIDGE_MONTHS:]


def _flow_totals(months: list[Row], flows: tuple[tuple[str, str, int], ...]) -> list[float]:
    """Each flow (column, label, sign) summed over the months, with its sign."""
    return [sign * sum(month[column] for month in months) for column, _, sign in flows]


def _waterfall(labels: list[str], values: list[float], *, name: str, **extra) -> go.Waterfall:
    """A bridge as a waterfall: an opening bar, the flows, a closing total, in the report's
    colours (increases green, decreases red, totals blue)."""
    return go.Waterfall(
        x=labels,
        y=values,
        measure=["absolute"] + ["relative"] * (len(values) - 2) + ["total"],
        increasing={"marker": {"color": INCREASE}},
        decreasing={"marker": {"color": DECREASE}},
        totals={"marker": {"color": TOTAL}},
        connector={"line": {"color": "#999999", "dash": "dot"}},
        name=name,
        **extra,
    )


def waterfall_chart(rows: list[Row]) -> Chart:
    title = "MRR bridge, last 12 months"
    how = (
        "Starting MRR is the MRR of the month before the window; new, expansion and reactivation "
        "MRR add to it, contraction and churned MRR take away, and the last bar is ending MRR in "
        "the as-of month."
    )
    months = bridge_window(rows)
    if not months:
        return Chart("mrr-bridge", title, how, None, "no months in marts.fct_mrr_bridge.")
    first, last = months[0], months[-1]
    title = f"MRR bridge, {month_label(first['mrr_month'])} to {month_label(last['mrr_month'])}"
    labels = [
        f"Starting MRR ({month_label(first['mrr_month'])})",
        *(label for _, label, _ in BRIDGE_MOVEMENTS),
        f"Ending MRR ({month_label(last['mrr_month'])})",
    ]
    values = [
        first["starting_mrr"],
        *_flow_totals(months, BRIDGE_MOVEMENTS),
        last["ending_mrr"],
    ]
    figure = go.Figure(
        _waterfall(
            labels,
            values,
            name="MRR",
            text=[f"{value:,.0f}" for value in values],
            textposition="outside",
        )
    )
    figure.update_layout(showlegend=False, hovermode="closest")
    return Chart("mrr-bridge", title, how, _layout(figure, y_title="MRR (USD)", y_format="$,.0f"))


def arr_chart(rows: list[Row]) -> Chart:
    title = "ARR by month"
    how = "Ending ARR (12 × the month's MRR over all accounts) at the end of each month."
    if not rows:
        return Chart("arr", title, how, None, "no months in marts.fct_mrr_bridge.", wide=False)
    figure = go.Figure(
        go.Scatter(
            x=[row["mrr_month"].isoformat() for row in rows],
            y=[row["ending_arr"] for row in rows],
            mode="lines+markers",
            name="Ending ARR",
            line={"color": TOTAL, "width": 2},
            fill="tozeroy",
            fillcolor="rgba(0, 114, 178, 0.12)",
        )
    )
    figure.update_layout(showlegend=False)
    return Chart(
        "arr", title, how, _layout(figure, y_title="ARR (USD)", y_format="$,.0f"), wide=False
    )


def retention_chart(rows: list[Row]) -> Chart:
    title = "NRR and GRR, trailing 12 months"
    how = (
        "For the accounts paying twelve months earlier: NRR is their MRR now over their MRR then "
        "(expansion counts), GRR caps each account at what it paid then; 100% means no net loss."
    )
    months = [
        row
        for row in rows
        if row["nrr_trailing_12m"] is not None or row["grr_trailing_12m"] is not None
    ]
    if not months:
        return Chart(
            "retention",
            title,
            how,
            None,
            "NRR and GRR need a month twelve months back with MRR.",
            wide=False,
        )
    x = [row["mrr_month"].isoformat() for row in months]
    figure = go.Figure(
        [
            go.Scatter(
                x=x,
                y=[row["nrr_trailing_12m"] for row in months],
                mode="lines+markers",
                name="NRR (trailing 12 months)",
                line={"color": TOTAL, "width": 2},
            ),
            go.Scatter(
                x=x,
                y=[row["grr_trailing_12m"] for row in months],
                mode="lines+markers",
                name="GRR (trailing 12 months)",
                line={"color": PALETTE[1], "width": 2},
            ),
        ]
    )
    figure.add_hline(y=1, line={"color": "#999999", "dash": "dot", "width": 1})
    return Chart(
        "retention",
        title,
        how,
        _layout(figure, y_title="retention", y_format=".0%"),
        wide=False,
    )


def cohorts_chart(rows: list[Row]) -> Chart:
    title = "Net revenue retention by cohort"
    how = (
        "One row per cohort (the accounts whose first MRR fell in that month), one column per "
        "month since then: the cohort's MRR that month over its MRR in its first month; above "
        "100% its expansion outweighs its churn and contraction."
    )
    if not rows:
        return Chart("cohorts", title, how, None, "no cohorts in marts.fct_retention_cohorts.")
    cohorts = sorted({row["cohort_month"] for row in rows})
    ages = sorted({row["months_since_start"] for row in rows})
    cells = {(row["cohort_month"], row["months_since_start"]): row for row in rows}
    z = [[_cell(cells, cohort, age, "net_revenue_retention") for age in ages] for cohort in cohorts]
    sizes = [[_cell(cells, cohort, age, "cohort_logos") for age in ages] for cohort in cohorts]
    figure = go.Figure(
        go.Heatmap(
            x=ages,
            y=[month_label(cohort) for cohort in cohorts],
            z=z,
            customdata=sizes,
            colorscale="RdBu",
            zmid=1,
            colorbar={"title": {"text": "NRR"}, "tickformat": ".0%"},
            hovertemplate=(
                "%{y}, month %{x}: %{z:.1%} of starting MRR (%{customdata} accounts)<extra></extra>"
            ),
            name="Net revenue retention",
        )
    )
    figure.update_xaxes(title_text="months since the cohort's first MRR")
    figure.update_yaxes(autorange="reversed")
    _layout(figure, y_title="cohort (first month with MRR)")
    figure.update_layout(height=520, hovermode="closest")
    return Chart("cohorts", title, how, figure)


def _cell(cells: dict, cohort: object, age: int, column: str) -> object:
    row = cells.get((cohort, age))
    return None if row is None else row[column]


def attribution_chart(rows: list[Row]) -> Chart:
    title = "Attributed revenue (won ACV) by channel, per attribution model"
    how = (
        "The annual contract value of the won new-logo deals (new business and win-back), split "
        "across the marketing touches before each deal, per channel (utm_source), under each "
        "model side by side; every model adds up to the same total, so the bars show where each "
        "model moves the credit."
    )
    if not rows:
        return Chart("attribution", title, how, None, "no opportunities in marts.fct_attribution.")
    figure = _grouped_bars(rows, "channel", ATTRIBUTION_MODELS)
    return Chart(
        "attribution",
        title,
        how,
        _layout(figure, y_title="attributed won ACV (USD)", y_format="$,.0f"),
    )


def pipeline_chart(rows: list[Row]) -> Chart:
    title = "Open pipeline by stage at each month end"
    how = (
        "The open opportunities' total contract value (TCV: an open deal has no booked term, "
        "so no annual value of its own yet) as the pipeline stood at the end of each month, all "
        "deal types, stacked by the stage each deal was in then (the as-of month is taken at "
        "the as-of date)."
    )
    if not any(row["opportunity_count"] for row in rows):
        return Chart(
            "pipeline", title, how, None, "no open pipeline in marts.fct_pipeline_monthly."
        )
    stages: dict[str, list[Row]] = {}
    for row in sorted(rows, key=lambda row: (row["stage_order"], row["pipeline_month"])):
        stages.setdefault(row["stage_name"], []).append(row)
    figure = go.Figure(
        [
            go.Bar(
                name=stage,
                x=[row["pipeline_month"].isoformat() for row in stage_rows],
                y=[row["tcv_usd"] for row in stage_rows],
                customdata=[row["opportunity_count"] for row in stage_rows],
                hovertemplate="%{y:$,.0f} (%{customdata} opportunities)",
                marker_color=PALETTE[index % len(PALETTE)],
            )
            for index, (stage, stage_rows) in enumerate(stages.items())
        ]
    )
    # Stacked bars list their legend top-down by default; keep the pipeline's order instead.
    figure.update_layout(barmode="stack", legend={"traceorder": "normal"})
    return Chart(
        "pipeline",
        title,
        how,
        _layout(figure, y_title="open pipeline (TCV, USD)", y_format="$,.0f"),
    )


def pipeline_bridge_window(rows: list[Row], *, new_logo_only: bool) -> list[Row]:
    """The bridge's last `BRIDGE_MONTHS` months, for new-logo deals or for all deals: the rows
    (one per month and new-logo flag) of each month added up."""
    months: dict[object, Row] = {}
    for row in rows:
        if new_logo_only and not row["is_new_logo"]:
            continue
        month = months.setdefault(row["pipeline_month"], {"pipeline_month": row["pipeline_month"]})
        for column, value in row.items():
            if column.endswith("_tcv_usd"):
                month[column] = month.get(column, 0.0) + value
    return [months[month] for month in sorted(months)][-BRIDGE_MONTHS:]


def pipeline_bridge_chart(rows: list[Row]) -> Chart:
    title = "Pipeline bridge, last 12 months"
    how = (
        "Open pipeline value (TCV) at the end of the month before the window, plus the deals "
        "created, minus those won, lost and disqualified, plus those reopened, gives the open "
        "pipeline at the as-of date, each deal at its value while open (not its booked ACV); "
        "left for new-logo deals (new business and win-back), right for all."
    )
    windows = [pipeline_bridge_window(rows, new_logo_only=scope) for _, scope in PIPELINE_SCOPES]
    if not windows[1]:
        return Chart("pipeline-bridge", title, how, None, "no months in marts.fct_pipeline_bridge.")
    first, last = windows[1][0], windows[1][-1]
    title = (
        f"Pipeline bridge, {month_label(first['pipeline_month'])} to "
        f"{month_label(last['pipeline_month'])}"
    )
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=tuple(label for label, _ in PIPELINE_SCOPES),
        shared_yaxes=False,
        horizontal_spacing=0.08,
    )
    for index, ((label, _), months) in enumerate(zip(PIPELINE_SCOPES, windows, strict=True)):
        labels = ["Opening", *(name for _, name, _ in PIPELINE_FLOWS), "Closing"]
        values = [
            months[0]["opening_tcv_usd"] if months else 0.0,
            *_flow_totals(months, PIPELINE_FLOWS),
            months[-1]["closing_tcv_usd"] if months else 0.0,
        ]
        figure.add_trace(
            _waterfall(labels, values, name=label, hovertemplate="%{y:$,.0f}<extra></extra>"),
            row=1,
            col=index + 1,
        )
    _layout(figure, y_title="")
    figure.update_layout(showlegend=False, hovermode="closest")
    figure.update_yaxes(tickformat="$,.0f")
    figure.update_yaxes(title_text="pipeline value (TCV, USD)", row=1, col=1)
    return Chart("pipeline-bridge", title, how, figure)


def reps_chart(rows: list[Row]) -> Chart:
    title = "Win rate and sales cycle by rep, last 4 quarters"
    how = (
        "Left: win rate by count, deals won over deals won or lost (disqualified deals are left "
        "out), on new-logo deals (new business and win-back) beside all deals, where renewals "
        "and expansions lift the rate; right: the average sales cycle in days of the deals won."
    )
    closed = [row for row in rows if row["win_rate_by_count"] is not None]
    if not closed:
        return Chart("reps", title, how, None, "no deal won or lost in the last 4 quarters.")
    labels = [row["owner_name"] for row in closed]
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Win rate by count", "Average sales cycle of won deals (days)"),
        horizontal_spacing=0.12,
    )
    for index, (column, won, lost, name) in enumerate(
        (
            ("new_logo_win_rate_by_count", "new_logo_won", "new_logo_lost", "New-logo deals"),
            ("win_rate_by_count", "opportunities_won", "opportunities_lost", "All deals"),
        )
    ):
        figure.add_trace(
            go.Bar(
                x=labels,
                y=[row[column] for row in closed],
                customdata=[[row[won], row[lost]] for row in closed],
                hovertemplate=(
                    "%{y:.1%} (%{customdata[0]} won, %{customdata[1]} lost)<extra></extra>"
                ),
                marker_color=PALETTE[index * 4],
                name=f"Win rate, {name.lower()}",
            ),
            row=1,
            col=1,
        )
    figure.add_trace(
        go.Bar(
            x=labels,
            y=[row["average_sales_cycle_days"] for row in closed],
            hovertemplate="%{y:.0f} days<extra></extra>",
            marker_color=PALETTE[1],
            name="Average sales cycle (days)",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    _layout(figure, y_title="")
    # The legend goes above the panels' titles, not over them.
    figure.update_layout(barmode="group", hovermode="closest", legend={"y": 1.16}, margin={"t": 80})
    figure.update_yaxes(tickformat=".0%", title_text="win rate", row=1, col=1)
    figure.update_yaxes(tickformat="", title_text="days", row=1, col=2)
    return Chart("reps", title, how, figure)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    charts: tuple[Chart, ...]


def sections(data: ReportData) -> tuple[Section, ...]:
    """The report's sections in reading order: revenue first, then how it was won."""
    return (
        Section(
            "revenue",
            "Recurring revenue",
            (
                waterfall_chart(data.bridge),
                arr_chart(data.bridge),
                retention_chart(data.bridge),
                cohorts_chart(data.cohorts),
            ),
        ),
        Section(
            "marketing",
            "Funnel and attribution",
            (funnel_chart(data.funnel), attribution_chart(data.attribution)),
        ),
        Section(
            "sales",
            "Pipeline and sales",
            (
                pipeline_chart(data.pipeline),
                pipeline_bridge_chart(data.pipeline_bridge),
                reps_chart(data.reps),
            ),
        ),
    )
