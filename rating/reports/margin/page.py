"""The margin report's HTML page: its sections, tables and footer around the charts."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from rating import warehouse
from rating.periods import DEFAULT_TIME_ZONE
from rating.reports.margin.charts import customers_chart, history_chart, readiness_chart
from rating.reports.margin.figures import (
    COST_CURRENCY,
    EXTREMES,
    HEADLINE_HEADER,
    NO_DATA,
    Customer,
    HeadlineRow,
    Readiness,
    format_amount,
    format_percent,
    formatted,
)
from rating.reports.margin.notes import local_time

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1a202c; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.5rem; }
h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.5rem 0; }
th, td { padding: 0.25rem 0.75rem; border-bottom: 1px solid #e2e8f0; }
th { text-align: left; background: #f7fafc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #4a5568; }
td.negative { color: #c53030; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption, .empty, footer { color: #4a5568; font-size: 0.9rem; }
.columns { display: flex; gap: 2rem; flex-wrap: wrap; }
footer { margin-top: 3rem; border-top: 1px solid #e2e8f0; padding-top: 0.5rem; }
.status { padding: 0.5rem 0.75rem; border-left: 4px solid #4a5568; background: #f7fafc; }
.provisional { border-color: #d69e2e; background: #fffff0; }
.warning { padding: 0.5rem 0.75rem; border-left: 4px solid #c53030; background: #fff5f5; }
"""


def html_page(*, period: str, preamble_html: str, headline_html: str, history_html: str,
              customers_html: str, readiness_html: str, classes_html: str, footer: str) -> str:
    title = html.escape(f"Margin report, {period}")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en-CA">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{title}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        preamble_html,
        '<section id="headline"><h2>Revenue, cost and margin by service</h2>',
        headline_html, "</section>",
        '<section id="margin-over-time"><h2>Margin by service over time</h2>',
        history_html, "</section>",
        '<section id="customers"><h2>Customers by margin</h2>',
        customers_html, "</section>",
        '<section id="readiness"><h2>Cut-over readiness</h2>',
        readiness_html, "</section>",
        '<section id="dual-run"><h2>Dual run against the legacy billing</h2>',
        classes_html, "</section>",
        f"<footer>{footer}</footer>",
        "</body>",
        "</html>",
        "",
    ])


def _empty(text: str = NO_DATA) -> str:
    return f'<p class="empty">{html.escape(text)}</p>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, numeric_from: int = 1,
           total_last: bool = False, table_id: str | None = None) -> str:
    """An HTML table of already formatted cells (escaped here); columns from `numeric_from` on
    are right-aligned, and negative figures are highlighted."""
    def cell(tag: str, index: int, text: str) -> str:
        classes = []
        if index >= numeric_from:
            classes.append("num")
            if tag == "td" and text.startswith("-"):
                classes.append("negative")
        attr = f' class="{" ".join(classes)}"' if classes else ""
        return f"<{tag}{attr}>{html.escape(text)}</{tag}>"

    id_attr = f' id="{html.escape(table_id)}"' if table_id else ""
    lines = [f"<table{id_attr}>",
             "<thead><tr>" + "".join(cell("th", i, h) for i, h in enumerate(header))
             + "</tr></thead>", "<tbody>"]
    for n, row in enumerate(rows):
        tr = '<tr class="total">' if total_last and n == len(rows) - 1 else "<tr>"
        lines.append(tr + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def headline_section(rows: Sequence[HeadlineRow], notes_html: str = "") -> str:
    if not rows:
        return _empty()
    return _table(HEADLINE_HEADER, [formatted(r, currencies=True) for r in rows],
                  total_last=True, table_id="headline-table") + (
        '\n<p class="empty">Margin % is margin over revenue. Revenue is in each service\'s'
        " currency, costs in CAD (converted at each day's rate). Customers matched: the share"
        " of customers whose invoices matched the legacy billing on every line in the latest"
        " cut-over readiness.</p>") + notes_html


def _figure(svg: str, caption: str) -> str:
    return f"<figure>\n{svg}\n<figcaption>{html.escape(caption)}</figcaption>\n</figure>"


def history_section(history: Sequence[warehouse.Row], period: str,
                    currency: str = "CAD") -> str:
    if not history:
        return _empty()
    periods = sorted({row["billing_period"] for row in history})
    services = sorted({row["service"] for row in history})
    margins = {(row["billing_period"], row["service"]): row["margin"] for row in history}
    svg = history_chart(periods, services, margins, currency)
    caption = (f"Margin per billing period, {periods[0]} to {period}, one line per service"
               " (a missing point: no margin figures for the service that period).")
    return _figure(svg, caption)


def customers_section(top: Sequence[Customer], bottom: Sequence[Customer],
                      currency: str = "CAD") -> str:
    if not top:
        return _empty()
    svg = customers_chart(top, bottom, currency)
    caption = (f"The {EXTREMES} customers with the highest and the {EXTREMES} with the lowest"
               " margin this period, all services together (cost not allocated to a customer"
               " is left out).")
    header = ("customer", "name", "revenue", "cost", "margin")

    def cells(customers: Sequence[Customer]) -> list[list[str]]:
        return [[c.key, c.name or "(no name on file)", format_amount(c.revenue, currency),
                 format_amount(c.cost, COST_CURRENCY),
                 format_amount(c.margin, currency if currency == COST_CURRENCY else "mixed")]
                for c in customers]

    return "\n".join([
        _figure(svg, caption),
        '<div class="columns">',
        f"<div><h3>Top {EXTREMES}</h3>",
        _table(header, cells(top), numeric_from=2, table_id="top-customers"), "</div>",
        f"<div><h3>Bottom {EXTREMES}</h3>",
        _table(header, cells(bottom), numeric_from=2, table_id="bottom-customers"), "</div>",
        "</div>",
    ])


def readiness_section(readiness: Sequence[Readiness], time_zone: str) -> str:
    if not readiness:
        return _empty("No cut-over readiness has been computed yet.")
    svg = readiness_chart(readiness)
    by_periods: dict[str, list[str]] = {}
    for r in readiness:
        by_periods.setdefault(r.periods, []).append(r.service)
    if len(by_periods) == 1:
        considered = f"periods considered: {_periods_text(readiness[0].periods)}"
    else:
        considered = "periods considered: " + "; ".join(
            f"{', '.join(services)}: {_periods_text(p)}" for p, services in by_periods.items())
    computed = max(r.computed_at for r in readiness)
    caption = (f"Share of the customers compared in the dual run whose invoices matched the"
               f" legacy billing on every line, per service ({considered}; latest computation"
               f" {local_time(computed, time_zone)}).")
    rows = [[r.service, f"{r.customers:,}", f"{r.matched_customers:,}",
             format_percent(r.share_matched), r.periods] for r in readiness]
    table = _table(("service", "customers", "matched", "matched %", "periods"), rows)
    return _figure(svg, caption) + "\n" + table


def _periods_text(periods: str) -> str:
    return ", ".join(p.strip() for p in periods.split(",") if p.strip()) or "none"


def classes_section(classes: Sequence[warehouse.Row]) -> str:
    if not classes:
        return _empty()
    rows = [[c["class"], f"{c['lines']:,}", format_amount(c["our_amount"], c["our_currency"]),
             format_amount(c["legacy_amount"], c["legacy_currency"]),
             "n/a (currencies differ)" if c["difference"] is None
             else format_amount(c["difference"], c["legacy_currency"])]
            for c in classes]
    currencies = {c[side] for c in classes for side in ("our_currency", "legacy_currency")}
    one_currency = len(currencies) == 1
    if one_currency:   # a total across currencies would mean nothing
        currency = currencies.pop()
        rows.append([
            "all classes",
            f"{sum(c['lines'] for c in classes):,}",
            *(format_amount(sum((c[name] for c in classes), Decimal(0)), currency)
              for name in ("our_amount", "legacy_amount", "difference")),
        ])
    table = _table(("class", "lines", "our amount", "legacy amount", "difference"), rows,
                   total_last=one_currency, table_id="dual-run-table")
    note = ('<p class="empty">Difference: legacy minus ours; a missing side counts 0. Each'
            " currency has its own rows; there is a total only when all are in one.</p>")
    return table + "\n" + note


def footer_text(database: Path | str, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    zone = ZoneInfo(time_zone)
    path = Path(database).resolve()
    now = dt.datetime.now(zone)
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, zone)
    text = (f"Warehouse {path} (last modified {modified:%Y-%m-%d %H:%M %Z}), read"
            f" {now:%Y-%m-%d %H:%M %Z} by fusion-rating.")
    return html.escape(text)
