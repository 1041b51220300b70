"""The margin report: revenue, cost and margin per service, customers, cut-over readiness.

`headline` gives the period's figures per service (for the Dagster metadata and the terminal);
`write_report` writes them, three charts and the dual run's classes into one self-contained HTML
file (no script, stylesheet or font fetched from anywhere: the charts are inline SVG).

Amounts stay `Decimal` from the warehouse to the page; they become floats only to be drawn.
matplotlib is imported inside `write_report`, so importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rating import warehouse
from rating.periods import DEFAULT_TIME_ZONE, billing_period
from rating.reports import queries as reports
from rating.reports.margin.charts import CHART_STYLE, load_pyplot
from rating.reports.margin.figures import (
    COST_CURRENCY,
    EXTREMES,
    HEADLINE_HEADER,
    NO_DATA,
    TOTAL_LABEL,
    HeadlineRow,
    cents,
    format_amount,
    format_percent,
    formatted,
    margin_pct,
    read_figures,
    read_headline,
)
from rating.reports.margin.notes import (
    NoMarginData,
    held_costs_html,
    held_costs_text,
    missing_data,
    read_status,
    status_html,
    status_text,
    time_zone_html,
    without_cost_html,
    without_cost_texts,
)
from rating.reports.margin.page import (
    classes_section,
    customers_section,
    footer_text,
    headline_section,
    history_section,
    html_page,
    readiness_section,
)

__all__ = [
    "EXTREMES",
    "HEADLINE_HEADER",
    "NO_DATA",
    "TOTAL_LABEL",
    "HeadlineRow",
    "NoMarginData",
    "format_amount",
    "format_percent",
    "headline",
    "headline_markdown",
    "headline_text",
    "margin_pct",
    "report_notes",
    "write_report",
]

# --- the headline ---------------------------------------------------------------------------


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
    con = reports.open_when_free(database)
    try:
        return read_headline(con, period)
    finally:
        con.close()

def _all_in_cad(rows: Sequence[HeadlineRow]) -> bool:
    """Whether every amount is in CAD (the costs always are): the header can then say so once;
    otherwise each amount names its currency."""
    return all(row.currency == COST_CURRENCY for row in rows)


def _header(rows: Sequence[HeadlineRow]) -> list[str]:
    if not _all_in_cad(rows):
        return list(HEADLINE_HEADER)
    return [f"{name} {COST_CURRENCY}" if name in ("revenue", "cost", "margin") else name
            for name in HEADLINE_HEADER]


def headline_markdown(rows: Sequence[HeadlineRow]) -> str:
    """The headline as a Markdown table (for the Dagster metadata), amounts in cents with their
    currency (in the header when all are CAD)."""
    if not rows:
        return NO_DATA
    in_cad = _all_in_cad(rows)

    def amounts(row: HeadlineRow) -> Sequence[object]:
        if in_cad:
            return [cents(row.revenue), cents(row.cost), cents(row.margin)]
        return formatted(row, currencies=True)[1:4]

    cells = [[row.service.replace("|", "\\|"), *amounts(row),
              "n/a" if row.margin_percent is None else row.margin_percent,
              "n/a" if row.matched_percent is None else row.matched_percent]
             for row in rows]
    return reports.markdown_table(_header(rows), cells)


def headline_text(rows: Sequence[HeadlineRow]) -> str:
    """The headline as a fixed-width table for a terminal: amounts with thousands separators,
    2 decimals and their currency (in the header when all are CAD), percentages with 1 decimal,
    'n/a' where there is none."""
    if not rows:
        return NO_DATA
    in_cad = _all_in_cad(rows)
    table = [_header(rows)] + [formatted(r, currencies=not in_cad) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADLINE_HEADER))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(cells) for cells in table[1:]]
    if rows[-1].service == TOTAL_LABEL and len(body) > 1:
        body.insert(len(body) - 1, rule)
    return "\n".join([line(table[0]), rule, *body])


# --- the HTML report ------------------------------------------------------------------------


def report_path(out: Path, period: str) -> Path:
    """The page `write_report` writes for `out`: the file, or `margin-<period>.html` in the
    folder `out` when it is one."""
    return out / f"margin-{period}.html" if out.is_dir() else out


def write_report(database: Path | str, period: str, out: Path,
                 time_zone: str = DEFAULT_TIME_ZONE) -> Path:
    """Write the period's margin report as one self-contained HTML file and return its path.

    `out` is the file to write (or an existing folder: `margin-<period>.html` in it). The page
    says whether the period is closed, warns of costs held for want of an FX rate, and has the
    headline (every amount with its currency; a note for each service at 100 %), margin by
    service over the periods up to `period`, the top and bottom customers by margin (with
    their names), cut-over readiness per service, the dual run's classes, and a footer naming
    the warehouse; every time is in `time_zone`. Sections without data say so.

    Raises NoMarginData, writing nothing, when the period has nothing rated or no finance run.
    """
    billing_period(period)
    target = report_path(out, period)
    if not Path(database).exists():
        raise NoMarginData(missing_data(database, None, period))
    con = reports.open_when_free(database)
    try:
        status = read_status(con, period)
        problem = missing_data(database, status, period)
        if problem:
            raise NoMarginData(problem)
        figures = read_figures(con, period)
    finally:
        con.close()
    preamble = "\n".join([status_html(status, time_zone), time_zone_html(time_zone),
                          held_costs_html(figures.held_costs, period)])
    notes = without_cost_html(figures.without_cost, figures.held_costs)

    pyplot = load_pyplot()
    with pyplot.rc_context(CHART_STYLE):
        page = html_page(
            period=period,
            preamble_html=preamble,
            headline_html=headline_section(figures.headline, notes),
            history_html=history_section(figures.history, period,
                                         figures.headline[-1].currency),
            customers_html=customers_section(figures.top, figures.bottom,
                                             figures.headline[-1].currency),
            readiness_html=readiness_section(figures.readiness, time_zone),
            classes_html=classes_section(figures.classes),
            footer=footer_text(database, time_zone),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target


def report_notes(database: Path | str, period: str,
                 time_zone: str = DEFAULT_TIME_ZONE) -> list[str]:
    """The page's notes as plain lines, for a terminal: closed or provisional, costs held, and
    why a service shows 100 %."""
    con = reports.open_when_free(database)
    try:
        status = read_status(con, period)
        in_period = {"billing_period": period}
        held = warehouse.rows(con, "reports/margin_held_costs", in_period)
        without_cost = warehouse.rows(con, "reports/margin_services_without_cost", in_period)
    finally:
        con.close()
    warning = held_costs_text(held, period)
    return [status_text(status, time_zone), *([f"WARNING: {warning}"] if warning else []),
            *without_cost_texts(without_cost, held)]
