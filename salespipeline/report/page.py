"""The HTML page: headline numbers, sections of charts, plotly.js inlined once.

The page must open offline, from a file, years from now: plotly.js is embedded (no CDN), and each
figure travels as a JSON block next to its container, drawn by one small script at the end. The
JSON blocks also let tests read exactly what each chart plots.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import dataclass

import plotly.io as pio
import plotly.offline

from salespipeline.report.figures import Chart, Section, sections
from salespipeline.report.queries import ReportData

TITLE = "salespipeline revenue report"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    note: str


def _money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.0f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def headlines(data: ReportData) -> tuple[Headline, ...]:
    """Ending ARR, NRR, GRR (as-of month) and the new-logo win rate by count (last 4 quarters,
    all reps), with the all-deals win rate beside it."""
    last = data.bridge[-1] if data.bridge else {}
    month = last.get("mrr_month")
    in_month = f"in {month:%b %Y}" if month else "no month with MRR"
    won = sum(row["new_logo_won"] or 0 for row in data.reps)
    closed = won + sum(row["new_logo_lost"] or 0 for row in data.reps)
    all_won = sum(row["opportunities_won"] or 0 for row in data.reps)
    all_closed = all_won + sum(row["opportunities_lost"] or 0 for row in data.reps)
    all_deals = _percent(all_won / all_closed if all_closed else None)
    return (
        Headline("Ending ARR", _money(last.get("ending_arr")), in_month),
        Headline("NRR", _percent(last.get("nrr_trailing_12m")), f"trailing 12 months, {in_month}"),
        Headline("GRR", _percent(last.get("grr_trailing_12m")), f"trailing 12 months, {in_month}"),
        Headline(
            "Win rate",
            _percent(won / closed if closed else None),
            f"new-logo deals by count, last 4 quarters ({won:,} won of {closed:,} won or lost; "
            f"all deals: {all_deals})",
        ),
    )


def _figure_json(chart: Chart) -> str:
    # Escaping "</" keeps a label such as "</script>" from ending the JSON block early.
    return pio.to_json(chart.figure, validate=False, remove_uids=True).replace("</", "<\\/")


def _chart_html(chart: Chart) -> str:
    key = html.escape(chart.key)
    parts = [
        f'<figure class="chart{" wide" if chart.wide else ""}" id="chart-{key}" '
        f'data-chart="{key}">',
        f"<h3>{html.escape(chart.title)}</h3>",
        f'<p class="how">{html.escape(chart.how_to_read)}</p>',
    ]
    if chart.figure is None:
        parts.append(f'<p class="no-data">No data: {html.escape(chart.no_data)}</p>')
    else:
        parts.append(f'<div class="plot" id="plot-{key}"></div>')
        parts.append(
            f'<script type="application/json" class="figure" data-target="plot-{key}">'
            f"{_figure_json(chart)}</script>"
        )
    parts.append("</figure>")
    return "\n".join(parts)


def _section_html(section: Section) -> str:
    charts = "\n".join(_chart_html(chart) for chart in section.charts)
    return (
        f'<section id="{html.escape(section.key)}">\n'
        f'<h2>{html.escape(section.title)}</h2>\n<div class="charts">\n{charts}\n</div>\n'
        "</section>"
    )


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1f2933; background: #f5f7fa; }
header, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
.as-of { color: #52606d; margin: 0 0 16px; }
.headlines { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin: 0 0 8px; }
.headline { background: #fff; border-radius: 8px; padding: 12px 16px;
            box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.headline dt { font-size: 13px; color: #52606d; }
.headline dd { margin: 2px 0 0; font-size: 26px; font-weight: 600; }
.headline .note { display: block; font-size: 12px; font-weight: 400; color: #7b8794; }
h2 { font-size: 20px; margin: 28px 0 8px; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
.chart { background: #fff; border-radius: 8px; margin: 0; padding: 12px 16px;
         box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.chart.wide { grid-column: 1 / -1; }
@media (max-width: 900px) {
  .charts, .headlines { grid-template-columns: minmax(0, 1fr); }
}
.chart h3 { font-size: 16px; margin: 0 0 2px; }
.how { color: #52606d; font-size: 13px; margin: 0 0 4px; }
.no-data { color: #9a3412; background: #fff7ed; padding: 12px; border-radius: 6px; }
footer { color: #7b8794; font-size: 12px; padding-bottom: 24px; }
"""

# Draws every figure from its JSON block; runs after the containers exist.
_DRAW = """
document.querySelectorAll('script.figure').forEach(function (block) {
  var figure = JSON.parse(block.textContent);
  Plotly.newPlot(block.dataset.target, figure.data, figure.layout, %s);
});
"""


def render(data: ReportData) -> str:
    """The whole page as one string."""
    as_of = data.as_of_date
    if isinstance(as_of, dt.date):
        as_of_text = (
            f"As of {as_of:%d %B %Y}: every number is stated as of the <code>as_of_date</code> "
            "the marts were built with."
        )
    else:
        as_of_text = "The marts are empty: there is no as-of date and nothing to chart."
    cards = "\n".join(
        f'<div class="headline"><dt>{html.escape(item.label)}</dt>'
        f'<dd>{html.escape(item.value)}<span class="note">{html.escape(item.note)}</span></dd>'
        "</div>"
        for item in headlines(data)
    )
    body = "\n".join(_section_html(section) for section in sections(data))
    draw = _DRAW % json.dumps(PLOTLY_CONFIG)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{TITLE}</title>
<style>{_STYLE}</style>
<script>{plotly.offline.get_plotlyjs()}</script>
</head>
<body>
<header>
<h1>Revenue report</h1>
<p class="as-of" id="as-of">{as_of_text}</p>
<dl class="headlines">
{cards}
</dl>
</header>
<main>
{body}
</main>
<footer>Made by <code>salespipeline report</code> from schema <code>marts</code> of the DuckDB
warehouse; metric definitions are in the dbt docs.</footer>
<script>{draw}</script>
</body>
</html>
"""
