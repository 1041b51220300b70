"""The margin report: revenue, cost and margin per service, customers, cut-over readiness.

`headline` gives the period's figures per service (for the Dagster metadata and the terminal);
`write_report` writes them, three charts and the dual run's classes into one self-contained HTML
file (no script, stylesheet or font fetched from anywhere: the charts are inline SVG).

Amounts stay `Decimal` from the warehouse to the page; they become floats only to be drawn.
matplotlib is imported inside `write_report`, so importing this module stays cheap.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rating import warehouse
from rating.periods import DEFAULT_TIME_ZONE, billing_period
from rating.reports import queries as reports

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HeadlineRow = tuple[str, Decimal, Decimal, Decimal, Decimal | None, Decimal | None]

TOTAL_LABEL = "all services"
HEADLINE_HEADER = ("service", "revenue", "cost", "margin", "margin %", "customers matched %")
NO_DATA = "No data for this period."
EXTREMES = 10  # customers in each of the top and bottom lists

_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")
_POSITIVE = "#2b6cb0"
_NEGATIVE = "#c53030"


@dataclass(frozen=True)
class _Customer:
    key: str
    revenue: Decimal
    cost: Decimal
    margin: Decimal


@dataclass(frozen=True)
class _Readiness:
    service: str
    periods: str
    customers: int
    matched_customers: int
    share_matched: Decimal | None
    computed_at: dt.datetime


# --- the headline ---------------------------------------------------------------------------


def margin_pct(margin: Decimal, revenue: Decimal) -> Decimal | None:
    """margin / revenue * 100, to the hundredth (half up); None without revenue."""
    if revenue == 0:
        return None
    with localcontext(prec=80):
        return (margin * 100 / revenue).quantize(_CENT, rounding=ROUND_HALF_UP)


def headline(database: Path | str, period: str) -> list[HeadlineRow]:
    """One row per service with margin figures in the period, sorted by service:
    (service, revenue, cost, margin, margin %, share of customers matched in the dual run, %),
    then ("all services", totals, margin % of the totals, None).

    Revenue, cost and margin are exact sums of margin_monthly (cost and margin keep their 9
    decimals: round for display only); margin % is rounded to the hundredth, half up. Empty
    when margin_monthly has no rows for the period. The share matched is the service's latest
    cut-over readiness (None when none was computed).
    """
    billing_period(period)
    con = reports.open_read_only(database)
    try:
        return _headline(con, period)
    finally:
        con.close()


def _headline(con: Any, period: str) -> list[HeadlineRow]:
    totals = warehouse.run(con, "reports/margin_service_totals",
                           {"billing_period": period}).fetchall()
    if not totals:
        return []
    shares = {r.service: r.share_matched for r in _readiness(con)}
    rows: list[HeadlineRow] = [
        (service, revenue, cost, margin, margin_pct(margin, revenue), shares.get(service))
        for service, revenue, cost, margin in totals
    ]
    revenue = sum((r[1] for r in rows), Decimal(0))
    cost = sum((r[2] for r in rows), Decimal(0))
    margin = sum((r[3] for r in rows), Decimal(0))
    rows.append((TOTAL_LABEL, revenue, cost, margin, margin_pct(margin, revenue), None))
    return rows


def _readiness(con: Any) -> list[_Readiness]:
    rows = warehouse.run(con, "reports/margin_readiness").fetchall()
    return [_Readiness(*row) for row in rows]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal) -> str:
    """1234.505 -> '1,234.51' (half up)."""
    return f"{_cents(value):,.2f}"


def format_percent(value: Decimal | None) -> str:
    """33.35 -> '33.4' (half up); None -> 'n/a'."""
    if value is None:
        return "n/a"
    return f"{value.quantize(_TENTH, rounding=ROUND_HALF_UP):,.1f}"


def _formatted(row: HeadlineRow) -> list[str]:
    service, revenue, cost, margin, pct, share = row
    return [service, format_amount(revenue), format_amount(cost), format_amount(margin),
            format_percent(pct), format_percent(share)]


def headline_markdown(rows: Sequence[HeadlineRow]) -> str:
    """The headline as a Markdown table (for the Dagster metadata), amounts in cents."""
    if not rows:
        return NO_DATA
    cells = [[service.replace("|", "\\|"), _cents(revenue), _cents(cost), _cents(margin),
              "n/a" if pct is None else pct, "n/a" if share is None else share]
             for service, revenue, cost, margin, pct, share in rows]
    return reports.markdown_table(HEADLINE_HEADER, cells)


def headline_text(rows: Sequence[HeadlineRow]) -> str:
    """The headline as a fixed-width table for a terminal: amounts with thousands separators and
    2 decimals, percentages with 1 decimal, 'n/a' where there is none."""
    if not rows:
        return NO_DATA
    table = [list(HEADLINE_HEADER)] + [_formatted(r) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADLINE_HEADER))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(cells) for cells in table[1:]]
    if rows[-1][0] == TOTAL_LABEL and len(body) > 1:
        body.insert(len(body) - 1, rule)
    return "\n".join([line(table[0]), rule, *body])


# --- the HTML report ------------------------------------------------------------------------


def write_report(database: Path | str, period: str, out: Path) -> Path:
    """Write the period's margin report as one self-contained HTML file and return its path.

    `out` is the file to write (or an existing folder: `margin-<period>.html` in it). The page
    has the headline, margin by service over the periods up to `period`, the top and bottom
    customers by margin, cut-over readiness per service, the dual run's classes, and a footer
    naming the warehouse and the time it was written. Sections without data say so.
    """
    billing_period(period)
    target = out / f"margin-{period}.html" if out.is_dir() else out
    con = reports.open_read_only(database)
    try:
        rows = _headline(con, period)
        history = warehouse.run(con, "reports/margin_service_history",
                                {"billing_period": period}).fetchall()
        extremes = warehouse.run(con, "reports/margin_customer_extremes",
                                 {"billing_period": period, "limit": EXTREMES}).fetchall()
        readiness = _readiness(con)
        classes = warehouse.run(con, "finance/margin_dual_run_classes",
                                {"billing_period": period}).fetchall()
    finally:
        con.close()

    # The statement orders by top rank; the bottom list is in its own rank order.
    top = [_Customer(k, r, c, m) for k, r, c, m, rank, _ in extremes if rank <= EXTREMES]
    bottom = [_Customer(k, r, c, m) for k, r, c, m, _, rank
              in sorted(extremes, key=lambda row: int(row[5])) if rank <= EXTREMES]

    pyplot = _pyplot()
    with pyplot.rc_context(_CHART_STYLE):
        page = _page(
            period=period,
            headline_html=_headline_section(rows),
            history_html=_history_section(history, period),
            customers_html=_customers_section(top, bottom),
            readiness_html=_readiness_section(readiness),
            classes_html=_classes_section(classes),
            footer=_footer(database),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target


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
"""


def _page(*, period: str, headline_html: str, history_html: str, customers_html: str,
          readiness_html: str, classes_html: str, footer: str) -> str:
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


def _headline_section(rows: Sequence[HeadlineRow]) -> str:
    if not rows:
        return _empty()
    return _table(HEADLINE_HEADER, [_formatted(r) for r in rows], total_last=True,
                  table_id="headline-table") + (
        '\n<p class="empty">Margin % is margin over revenue. Customers matched: the share of'
        " customers whose invoices matched the legacy billing on every line in the latest"
        " cut-over readiness.</p>")


def _figure(svg: str, caption: str) -> str:
    return f"<figure>\n{svg}\n<figcaption>{html.escape(caption)}</figcaption>\n</figure>"


def _history_section(history: Sequence[tuple[str, str, Decimal]], period: str) -> str:
    if not history:
        return _empty()
    periods = sorted({p for p, _, _ in history})
    services = sorted({s for _, s, _ in history})
    margins = {(p, s): m for p, s, m in history}
    svg = _history_chart(periods, services, margins)
    caption = (f"Margin per billing period, {periods[0]} to {period}, one line per service"
               " (a missing point: no margin figures for the service that period).")
    return _figure(svg, caption)


def _customers_section(top: Sequence[_Customer], bottom: Sequence[_Customer]) -> str:
    if not top:
        return _empty()
    svg = _customers_chart(top, bottom)
    caption = (f"The {EXTREMES} customers with the highest and the {EXTREMES} with the lowest"
               " margin this period, all services together (cost not allocated to a customer"
               " is left out).")
    header = ("customer", "revenue", "cost", "margin")

    def cells(customers: Sequence[_Customer]) -> list[list[str]]:
        return [[c.key, format_amount(c.revenue), format_amount(c.cost), format_amount(c.margin)]
                for c in customers]

    return "\n".join([
        _figure(svg, caption),
        '<div class="columns">',
        f"<div><h3>Top {EXTREMES}</h3>",
        _table(header, cells(top), table_id="top-customers"), "</div>",
        f"<div><h3>Bottom {EXTREMES}</h3>",
        _table(header, cells(bottom), table_id="bottom-customers"), "</div>",
        "</div>",
    ])


def _readiness_section(readiness: Sequence[_Readiness]) -> str:
    if not readiness:
        return _empty("No cut-over readiness has been computed yet.")
    svg = _readiness_chart(readiness)
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
               f" {computed:%Y-%m-%d %H:%M} UTC).")
    rows = [[r.service, f"{r.customers:,}", f"{r.matched_customers:,}",
             format_percent(r.share_matched), r.periods] for r in readiness]
    table = _table(("service", "customers", "matched", "matched %", "periods"), rows)
    return _figure(svg, caption) + "\n" + table


def _periods_text(periods: str) -> str:
    return ", ".join(p.strip() for p in periods.split(",") if p.strip()) or "none"


def _classes_section(classes: Sequence[tuple[str, int, Decimal, Decimal, Decimal]]) -> str:
    if not classes:
        return _empty()
    rows = [[c, f"{n:,}", format_amount(ours), format_amount(legacy), format_amount(diff)]
            for c, n, ours, legacy, diff in classes]
    rows.append([
        "all classes",
        f"{sum(c[1] for c in classes):,}",
        format_amount(sum((c[2] for c in classes), Decimal(0))),
        format_amount(sum((c[3] for c in classes), Decimal(0))),
        format_amount(sum((c[4] for c in classes), Decimal(0))),
    ])
    table = _table(("class", "lines", "our amount", "legacy amount", "difference"), rows,
                   total_last=True, table_id="dual-run-table")
    note = ('<p class="empty">Difference: legacy minus ours; a missing side counts 0. Amounts'
            " are summed across currencies.</p>")
    return table + "\n" + note


def _footer(database: Path | str) -> str:
    zone = ZoneInfo(DEFAULT_TIME_ZONE)
    path = Path(database).resolve()
    now = dt.datetime.now(zone)
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, zone)
    text = (f"Warehouse {path} (last modified {modified:%Y-%m-%d %H:%M %Z}), read"
            f" {now:%Y-%m-%d %H:%M %Z} by fusion-rating.")
    return html.escape(text)


# --- charts (matplotlib, imported lazily) ---------------------------------------------------


def _label(text: str, width: int = 32) -> str:
    """Text as matplotlib draws it literally: '$' would start math mode, a leading '_' would
    hide a legend entry; long customer keys are shortened (the tables give them in full)."""
    if len(text) > width:
        text = text[: width - 1] + "…"
    text = text.replace("$", r"\$")
    return "\u200b" + text if text.startswith("_") else text


_CHART_STYLE = {
    "svg.fonttype": "none",      # text stays text (searchable, escaped), no glyphs embedded
    "svg.hashsalt": "fusion-rating",  # the same figures give the same SVG
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no display needed), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _svg(fig: Figure, prefix: str) -> str:
    """The figure as an inline <svg> element, then closed: no XML prolog, doctype, metadata or
    namespace URLs (an HTML page needs none of them), and its ids prefixed, so that several
    charts on one page never share one."""
    import io

    from matplotlib import pyplot

    buffer = io.StringIO()
    try:
        fig.savefig(buffer, format="svg", bbox_inches="tight",
                    metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    finally:
        pyplot.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = re.sub(r'\bid="', f'id="{prefix}-', text)
    return re.sub(r'(url\(#|href="#)', rf"\g<1>{prefix}-", text)


def _amount_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))


def _history_chart(periods: Sequence[str], services: Sequence[str],
                   margins: dict[tuple[str, str], Decimal]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    x = list(range(len(periods)))
    for service in services:
        values = [float(margins[(p, service)]) if (p, service) in margins else float("nan")
                  for p in periods]
        ax.plot(x, values, marker="o", linewidth=1.6, label=_label(service))
    ax.axhline(0, color="#4a5568", linewidth=0.8)
    ax.set_xticks(x, [_label(p) for p in periods], rotation=45 if len(periods) > 12 else 0)
    ax.set_xlabel("billing period")
    ax.set_ylabel("margin")
    _amount_axis(ax.yaxis)
    ax.grid(axis="y", color="#e2e8f0")
    ax.set_axisbelow(True)
    ax.legend(title="service", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return _svg(fig, "history")


def _customers_chart(top: Sequence[_Customer], bottom: Sequence[_Customer]) -> str:
    plt = _pyplot()
    rows = max(len(top), len(bottom))
    fig, axes = plt.subplots(1, 2, figsize=(11, 1.2 + 0.32 * rows))
    for ax, customers, title in ((axes[0], top, f"Top {EXTREMES}"),
                                 (axes[1], bottom, f"Bottom {EXTREMES}")):
        values = [float(c.margin) for c in customers]
        y = list(range(len(customers)))
        colours = [_NEGATIVE if c.margin < 0 else _POSITIVE for c in customers]
        ax.barh(y, values, color=colours)
        ax.set_yticks(y, [_label(c.key) for c in customers])
        ax.invert_yaxis()                  # first in the list at the top
        ax.axvline(0, color="#4a5568", linewidth=0.8)
        low, high = min([0.0, *values]), max([0.0, *values])
        pad = (high - low) * 0.05 or 1.0   # a zero or negative bar stays visible
        ax.set_xlim(low - (pad if low < 0 else 0), high + pad)
        ax.set_title(title, loc="left")
        ax.set_xlabel("margin")
        _amount_axis(ax.xaxis)
        ax.grid(axis="x", color="#e2e8f0")
        ax.set_axisbelow(True)
    fig.tight_layout()
    return _svg(fig, "customers")


def _readiness_chart(readiness: Sequence[_Readiness]) -> str:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.45 * len(readiness)))
    y = list(range(len(readiness)))
    shares = [float(r.share_matched) if r.share_matched is not None else 0.0 for r in readiness]
    ax.barh(y, shares, color=_POSITIVE)
    ax.set_yticks(y, [_label(r.service) for r in readiness])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("customers matched (%)")
    for position, r in zip(y, readiness, strict=True):
        text = (f"{r.matched_customers:,} of {r.customers:,} ({format_percent(r.share_matched)}%)"
                if r.share_matched is not None else "no customers compared")
        ax.text(1, position, text, va="center", ha="left", color="#1a202c",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})
    ax.grid(axis="x", color="#e2e8f0")
    ax.set_axisbelow(True)
    return _svg(fig, "readiness")
