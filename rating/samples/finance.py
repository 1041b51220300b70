"""A deterministic month of finance data beside a rated sample: legacy billing, provider costs and
FX rates, for the dual run (reconciliation_legacy) and the margin reports.

`write_finance_sample(landing, warehouse)` reads a warehouse that has already rated `period`
(read-only: rated_charges joined to invoice_lines, as sql/finance/insert_reconciliation_legacy.sql
joins them) and writes three folders under `landing`, each replaced if it exists. The same
warehouse, period and seed always give byte-identical files. Our lines are read in
rating.samples.invoiced; the legacy billing is made in rating.samples.legacy_billing and the
provider costs in rating.samples.provider_costs, with the constants named below.

Layout written (period 2026-10, for example)::

    legacy_billing/lago-2026-10.csv          Lago: nexacloud and nexadesk, one row per metric
    legacy_billing/stripe-2026-10.parquet    "stripe": apps and memberships (amount decimal128)
    legacy_billing/maps-app-2026-10.csv      the maps app ("maps-app"): nexamaps
    legacy_billing/bad-rows.csv              one broken row per kind in LEGACY_BAD_ROWS
    provider_costs/<provider>-2026-10.csv    daily roll-ups of openai, google_maps, twilio, aws
    provider_costs/bad-rows.csv              one broken row per kind in COST_BAD_ROWS
    fx_rates/usd-cad.csv                     CAD per USD for every day but the 15th
    fx_rates/bad-rows.csv                    one broken row per kind in FX_BAD_ROWS

Legacy billing. The legacy amount of a line starts as ours: the sum of invoice_lines.amount per
(service, account_id, metric), charge = our metric code, currency = ours (CAD). Then, with N the
number of our metric lines of accounts billed per metric (all but the invoice-level ones), a
seeded shuffle of those lines plants, on disjoint lines (each count exact, at least one):

    amount_differs   round(4 % N)  legacy = ours +/- 1.00 to 9.00 (never below zero)
    cent_differs     round(2 % N)  legacy = ours +/- 0.01: inside the default tolerance (match)
    only_in_ours     round(2 % N)  our line is left out of the legacy files
    currency_differs round(1 % N)  currency "USD" instead of "CAD", same amount
    only_in_legacy   round(2 % N)  an extra "support_fee" row (25, 49 or 99 dollars) on as many
                                   distinct accounts: a charge we do not have
    same             the rest (about 91 % of N; 89 % counting the only_in_legacy rows):
                     our amount and currency, exactly

Invoice-level: in each "stripe" service (apps, memberships) round(15 %) of the invoices, at least
one, are billed as a whole: one row, charge "", amount = our invoice total (a match at the
invoice grain), and none of the differences above. On the 3,000-row sample (49 rated accounts per
service, 686 metric lines) that is 14 invoice-level rows, N = 658: 26 amount_differs,
13 cent_differs, 13 only_in_ours, 7 currency_differs, 13 only_in_legacy and 599 same.

Provider costs (every day of the month; cost with 4 decimals): pooled rows (account_id empty) are
shared by usage of the metric; each pooled provider's month is a share (POOLED_COST_SHARE) of our
revenue on its metric, spread over the days with a +/-20 % jitter. openai (nexadesk, USD, metric
empty: the catalog's cost_allocation gives ai_tokens), google_maps (nexamaps, USD, metric
map_tiles), twilio (nexadesk, CAD, metric empty) plus TWILIO_DIRECT_ROWS direct rows on two
nexadesk accounts (empty metric, a few dollars), and aws (nexacloud, USD, metric vcpu_hours)
direct only, every day for AWS_DIRECT_ACCOUNTS accounts: 45 % of their vcpu_hours revenue, except
AWS_LOSS_ACCOUNTS of them whose month costs 1.6 times their whole nexacloud invoice (a negative
margin even without the 15th, which cannot be converted).

FX rates: USD in CAD, a seeded walk between 1.3600 and 1.4000 (4 decimals) for every day of the
period except the 15th (MISSING_FX_DAY): USD costs of that day have no rate and must be reported
(missing_fx_rate), never counted as zero. fx_rates/bad-rows.csv holds a non-numeric rate for the
15th, so the day stays without a usable rate.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rating.periods import billing_period
from rating.samples.files import money_text, write_csv
from rating.samples.invoiced import read_invoiced_lines
from rating.samples.legacy_billing import broken_legacy_rows, planted_legacy_rows, write_legacy
from rating.samples.provider_costs import (
    COST_ALLOCATION_YAML,
    broken_cost_rows,
    daily_costs,
    write_costs,
)

# What other code imports from here (the cost allocation lives with the provider costs).
__all__ = ["COST_ALLOCATION_YAML", "FinanceSampleSummary", "write_finance_sample"]

FX_COLUMNS = ("date", "currency", "rate_to_cad")

MISSING_FX_DAY = 15

FX_BAD_ROWS: tuple[tuple[str, str], ...] = (("non_numeric_rate", "not_a_number"),)
"""Rows of fx_rates/bad-rows.csv, in order, with the reason the engine should give."""


@dataclass(frozen=True)
class FinanceSampleSummary:
    landing: Path
    legacy_files: int  # usable legacy billing files (bad-rows.csv excluded)
    legacy_rows: int  # rows in those files
    legacy_same: int  # per-metric rows with our amount and currency
    legacy_amount_differs: int  # a few dollars off
    legacy_cent_differs: int  # exactly 0.01 off (inside the default tolerance)
    legacy_currency_differs: int  # "USD" instead of "CAD", same amount
    legacy_only_in_legacy: int  # support_fee rows: no line of ours
    legacy_only_in_ours: int  # our per-metric lines left out of the legacy files
    legacy_invoice_level: int  # stripe rows with a blank charge and the invoice total
    legacy_bad_rows: int  # rows in legacy_billing/bad-rows.csv
    cost_files: int  # usable provider cost files (bad-rows.csv excluded)
    cost_rows: int  # rows in those files
    cost_direct_rows: int  # rows with an account id (aws and twilio)
    cost_loss_accounts: int  # nexacloud accounts whose aws cost exceeds their whole invoice
    cost_rows_without_fx: int  # non-CAD rows dated the day without a rate
    cost_bad_rows: int  # rows in provider_costs/bad-rows.csv
    fx_rows: int  # rows in fx_rates/usd-cad.csv
    fx_bad_rows: int  # rows in fx_rates/bad-rows.csv
    fx_missing_date: dt.date  # the day without a USD rate


def _days(period: str) -> list[dt.date]:
    return billing_period(period).days


def _fx_rates(days: list[dt.date], seed: int) -> list[tuple[dt.date, Decimal]]:
    """CAD per USD: a walk in ten-thousandths between 1.3600 and 1.4000, the 15th left out."""
    rng = random.Random(seed * 1_000 + 4)
    level = 13_700 + rng.randint(0, 200)
    rates: list[tuple[dt.date, Decimal]] = []
    for day in days:
        level = min(14_000, max(13_600, level + rng.randint(-40, 40)))
        if day.day != MISSING_FX_DAY:
            rates.append((day, Decimal(level).scaleb(-4)))
    return rates


def write_finance_sample(landing: Path, warehouse: Path, period: str = "2026-10",
                         seed: int = 11) -> FinanceSampleSummary:
    """Write legacy_billing/, provider_costs/ and fx_rates/ under `landing` (each replaced) for
    `period`, derived from what `warehouse` rated for it (opened read-only); see the module
    docstring for what is planted. Raises ValueError if the period has no invoice lines."""
    days = _days(period)
    lines = read_invoiced_lines(Path(warehouse), period)
    if not lines:
        raise ValueError(f"the warehouse {warehouse} has no invoice lines for {period}: rate it "
                         "first")
    landing = Path(landing)
    folders = {name: landing / name for name in ("legacy_billing", "provider_costs", "fx_rates")}
    for folder in folders.values():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)

    rows, counts = planted_legacy_rows(lines, period, seed)
    legacy_bad = broken_legacy_rows(lines, period)
    legacy_files = write_legacy(folders["legacy_billing"], rows, legacy_bad, period)

    costs, losses = daily_costs(lines, days, seed)
    cost_bad = broken_cost_rows(days, period)
    cost_files = write_costs(folders["provider_costs"], costs, cost_bad, period)

    rates = _fx_rates(days, seed)
    write_csv(folders["fx_rates"] / "usd-cad.csv", FX_COLUMNS,
              ([day.isoformat(), "USD", money_text(rate)] for day, rate in rates))
    missing = days[MISSING_FX_DAY - 1]
    fx_bad = [[missing.isoformat(), "USD", "n/a"]]
    write_csv(folders["fx_rates"] / "bad-rows.csv", FX_COLUMNS, fx_bad)
    rated_days = {day for day, _ in rates}

    return FinanceSampleSummary(
        landing=landing,
        legacy_files=legacy_files,
        legacy_rows=len(rows),
        legacy_same=counts["same"],
        legacy_amount_differs=counts["amount_differs"],
        legacy_cent_differs=counts["cent_differs"],
        legacy_currency_differs=counts["currency_differs"],
        legacy_only_in_legacy=counts["only_in_legacy"],
        legacy_only_in_ours=counts["only_in_ours"],
        legacy_invoice_level=counts["invoice_level"],
        legacy_bad_rows=len(legacy_bad),
        cost_files=cost_files,
        cost_rows=len(costs),
        cost_direct_rows=sum(1 for c in costs if c.account_id),
        cost_loss_accounts=losses,
        cost_rows_without_fx=sum(1 for c in costs
                                 if c.currency != "CAD" and c.day not in rated_days),
        cost_bad_rows=len(cost_bad),
        fx_rows=len(rates),
        fx_bad_rows=len(fx_bad),
        fx_missing_date=missing,
    )
