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
    ("first_touch_revenue_usd", "First touch"),
    ("last_touch_revenue_usd", "Last touch"),
    ("linear_revenue_usd", "Linear"),
    ("position_based_revenue_usd", "Position-based"),
    ("time_decay_revenue_usd", "Time decay"),
)

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
    labels = [f"Starting MRR ({month_label(first['mrr_month'])})"]
    values = [first["starting_mrr"]]
    for column, label, sign in BRIDGE_MOVEMENTS:
        labels.append(label)
        values.append(sign * sum(month[column] for month in months))
    labels.append(f"Ending MRR ({month_label(last['mrr_month'])})")
    values.append(last["ending_mrr"])
    figure = go.Figure(
        go.Waterfall(
            x=labels,
            y=values,
            measure=["absolute"] + ["relative"] * len(BRIDGE_MOVEMENTS) + ["total"],
            text=[f"{value:,.0f}" for value in values],
            textposition="outside",
            increasing={"marker": {"color": INCREASE}},
            decreasing={"marker": {"color": DECREASE}},
            totals={"marker": {"color": TOTAL}},
            connector={"line": {"color": "#999999", "dash": "dot"}},
            name="MRR",
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


def attribution_chart(rows: list[Row]) -> Chart:
    title = "Attributed revenue by channel, per attribution model"
    how = (
        "Won revenue split across the marketing touches before each deal, per channel "
        "(utm_source), under each model side by side; every model adds up to the same total "
        "won revenue, so the bars show where each model moves the credit."
    )
    if not rows:
        return Chart("attribution", title, how, None, "no opportunities in marts.fct_attribution.")
    figure = _grouped_bars(rows, "channel", ATTRIBUTION_MODELS)
    return Chart(
        "attribution",
        title,
        how,
        _layout(figure, y_title="attributed revenue (USD)", y_format="$,.0f"),
    )


def pipeline_chart(rows: list[Row]) -> Chart:
    title = "Open pipeline by stage at each month end"
    how = (
        "The open opportunities' amount in USD as the pipeline stood at the end of each month, "
        "stacked by the stage each deal was in then (the as-of month is taken at the as-of date)."
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
                y=[row["amount_usd"] for row in stage_rows],
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
        "pipeline", title, how, _layout(figure, y_title="open pipeline (USD)", y_format="$,.0f")
    )


def reps_chart(rows: list[Row]) -> Chart:
    title = "Win rate and sales cycle by rep, last 4 quarters"
    how = (
        "Left: win rate by count, deals won over deals closed (lost and disqualified count as "
        "losses); right: the average sales cycle in days of the deals won."
    )
    closed = [row for row in rows if row["win_rate_by_count"] is not None]
    if not closed:
        return Chart("reps", title, how, None, "no deal closed in the last 4 quarters.")
    labels = [row["owner_name"] for row in closed]
    figure = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Win rate by count", "Average sales cycle of won deals (days)"),
        horizontal_spacing=0.12,
    )
    figure.add_trace(
        go.Bar(
            x=labels,
            y=[row["win_rate_by_count"] for row in closed],
            customdata=[[row["opportunities_won"], row["opportunities_lost"]] for row in closed],
            hovertemplate="%{y:.1%} (%{customdata[0]} won, %{customdata[1]} lost)<extra></extra>",
            marker_color=TOTAL,
            name="Win rate by count",
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
        ),
        row=1,
        col=2,
    )
    _layout(figure, y_title="")
    figure.update_layout(showlegend=False, hovermode="closest")
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
            (waterfall_chart(data.bridge), arr_chart(data.bridge), retention_chart(data.bridge)),
        ),
        Section(
            "marketing",
            "Funnel and attribution",
            (funnel_chart(data.funnel), attribution_chart(data.attribution)),
        ),
        Section(
            "sales",
            "Pipeline and sales",
            (pipeline_chart(data.pipeline), reps_chart(data.reps)),
        ),
    )
