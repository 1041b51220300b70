"""What the margin report says around its figures: whether there is anything to show (and what
to run when not), whether the period is closed, held costs, and why a service shows 100 %."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rating import warehouse
from rating.reports.margin.figures import format_amount


class NoMarginData(Exception):
    """The period has nothing to report: nothing rated, or the finance run never ran for it.
    The message says which, and the command to run."""


@dataclass(frozen=True)
class PeriodStatus:
    period: str
    closed_at: dt.datetime | None   # UTC without a zone, as the warehouse holds it
    rated_charges: int
    margin_rows: int


def read_status(con: Any, period: str) -> PeriodStatus:
    row = warehouse.rows(con, "reports/margin_period_status", {"billing_period": period})[0]
    return PeriodStatus(period, row["closed_at"], row["rated_charges"], row["margin_rows"])


def missing_data(database: Path | str, status: PeriodStatus | None, period: str) -> str | None:
    """Why there is no margin report for the period (None when there is one; `status` None:
    no warehouse file): the message names the warehouse and the commands to run, `rate` first
    when nothing is rated."""
    finance = (f"fusion-rating finance --period {period} --landing DIR --catalog DIR "
               f"--warehouse {database}")
    if status is None or status.rated_charges == 0:
        where = (f"there is no warehouse at {database}" if status is None
                 else f"nothing is rated for {period} in {database}")
        return (f"no margin report for {period}: {where}. Rate the period, then run the "
                f"finance stage: `fusion-rating rate --period {period} --landing DIR "
                f"--catalog DIR --warehouse {database}`, then `{finance}`.")
    if status.margin_rows == 0:
        return (f"no margin report for {period}: the period is rated, but the finance stage "
                f"has not run for it (margin_monthly has no rows for {period} in {database}). "
                f"Run `{finance}`.")
    return None


def local_time(moment: dt.datetime, time_zone: str) -> str:
    """A warehouse timestamp (UTC without a zone) in the report's time zone: '2026-11-01 08:05
    EST'."""
    aware = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment
    return f"{aware.astimezone(ZoneInfo(time_zone)):%Y-%m-%d %H:%M %Z}"


def status_html(status: PeriodStatus, time_zone: str) -> str:
    period = html.escape(status.period)
    if status.closed_at is None:
        text = (f"<strong>Provisional</strong>: period {period} is not closed, so its rated"
                " revenue can still change (late usage, a re-rating) until"
                f" <code>fusion-rating close --period {period}</code>.")
        return f'<p class="status provisional" id="period-status">{text}</p>'
    when = html.escape(local_time(status.closed_at, time_zone))
    text = (f"<strong>Closed</strong>: period {period} was closed on {when}; its rated"
            " revenue no longer changes (costs change only if the finance stage runs again).")
    return f'<p class="status closed" id="period-status">{text}</p>'


def time_zone_html(time_zone: str) -> str:
    zone = html.escape(time_zone)
    return (f'<p class="empty" id="time-zone">Every time on this page is in {zone}, the'
            " billing time zone.</p>")


UNNAMED_SERVICE = "an unnamed service"
"""Where a held cost of an earlier version goes when its record does not name its service for
certain (sql/finance/schema/13_5_finance_quarantine_held_costs_typed.sql)."""


def held_costs_text(held: Sequence[warehouse.Row], period: str) -> str | None:
    """A warning when some of the period's costs wait for an FX rate: margins are overstated."""
    if not held:
        return None
    rows = sum(int(h["cost_rows"]) for h in held)
    known = [h for h in held if h["cost"] is not None]
    amounts = "; ".join(f"{format_amount(h['cost'], h['currency'])} on "
                        f"{h['service'] or UNNAMED_SERVICE}" for h in known)
    unknown = sum(int(h["cost_rows"]) for h in held if h["cost"] is None)
    how_much = amounts + (f"; and {unknown:,} row(s) whose cost cannot be read back"
                          if unknown else "") if known else "amounts unknown"
    named = sorted({str(h["service"]) for h in held if h["service"] is not None})
    unnamed = sum(int(h["cost_rows"]) for h in held if h["service"] is None)
    margins = f"the margins of {', '.join(named)}" if named else "the margins"
    return (f"Costs held: {rows:,} provider cost row(s) of {period} have no FX rate for their"
            f" day (finance_quarantine, reason missing_fx_rate): {how_much}. They count in no"
            f" cost, so {margins} are overstated."
            + (f" The service of {unnamed:,} of them, held by an earlier version, is not"
               f" certain from their record ({UNNAMED_SERVICE}); the finance run names it."
               if unnamed else "")
            + " Land the rates in"
            f" <landing>/fx_rates/ (CAD per unit of each currency, that day) and run"
            f" fusion-rating finance --period {period} again.")


def held_costs_html(held: Sequence[warehouse.Row], period: str) -> str:
    text = held_costs_text(held, period)
    return f'<p class="warning" id="held-costs">{html.escape(text)}</p>' if text else ""


def without_cost_texts(services: Sequence[warehouse.Row],
                       held: Sequence[warehouse.Row]) -> list[str]:
    """Why each service at a 100 % margin shows it: no cost reached it."""
    held_services = {h["service"] for h in held}
    notes = []
    for s in services:
        name = str(s["service"])
        if name in held_services:
            notes.append(f"{name} shows a 100 % margin: its provider costs are held for want of"
                         " an FX rate (see the warning on costs held).")
        elif s["cost_rows"] == 0:
            notes.append(f"{name} shows a 100 % margin: no costs are mapped to it in the"
                         " catalog's cost allocations (catalog/costs.yaml, cost_allocation) and"
                         " no landed provider cost names it, so nothing is subtracted from its"
                         " revenue.")
        else:
            notes.append(f"{name} shows a 100 % margin: its provider costs this period came to"
                         " zero.")
    return notes


def without_cost_html(services: Sequence[warehouse.Row], held: Sequence[warehouse.Row]) -> str:
    notes = without_cost_texts(services, held)
    if not notes:
        return ""
    return ('<ul class="notes" id="without-cost">'
            + "".join(f"<li>{html.escape(note)}</li>" for note in notes) + "</ul>")


def status_text(status: PeriodStatus, time_zone: str) -> str:
    if status.closed_at is None:
        return (f"Provisional: period {status.period} is not closed (fusion-rating close"
                f" --period {status.period} fixes its rated revenue).")
    return (f"Closed: period {status.period} was closed on"
            f" {local_time(status.closed_at, time_zone)} ({time_zone}).")
