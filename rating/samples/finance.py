"""A deterministic month of finance data beside a rated sample: legacy billing, provider costs and
FX rates, for the dual run (reconciliation_legacy) and the margin reports.

`write_finance_sample(landing, warehouse)` reads a warehouse that has already rated `period`
(read-only: rated_charges joined to invoice_lines, as sql/finance/insert_reconciliation_legacy.sql
joins them) and writes three folders under `landing`, each replaced if it exists. The same
warehouse, period and seed always give byte-identical files.

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

import csv
import datetime as dt
import random
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from rating.periods import billing_period
from rating.reports import queries as reports

LEGACY_COLUMNS = ("source", "service", "account_id", "period", "charge", "amount", "currency",
                  "legacy_invoice_id")
COST_COLUMNS = ("date", "provider", "service", "account_id", "metric", "cost", "currency")
FX_COLUMNS = ("date", "currency", "rate_to_cad")

LEGACY_SOURCES: dict[str, str] = {
    "nexacloud": "lago", "nexadesk": "lago", "apps": "stripe", "memberships": "stripe",
    "nexamaps": "maps-app",
}
"""The legacy billing of each service."""

COST_ALLOCATION_YAML = """\
# Provider costs (cost of goods sold) without an account id are pooled: each day's pooled cost
# of a provider for a service is shared among customers in proportion to their usage of this
# metric that day. A cost row that names a metric uses that one instead.
cost_allocation:
  - {provider: openai, service: nexadesk, metric: ai_tokens}
  - {provider: google_maps, service: nexamaps, metric: map_tiles}
  - {provider: twilio, service: nexadesk, metric: conversations}
  - {provider: aws, service: nexacloud, metric: vcpu_hours}
"""
"""The catalog's cost_allocation mapping (catalog_costs.yaml) that these provider costs assume."""

SHARES: dict[str, Decimal] = {
    "amount_differs": Decimal("0.04"),
    "cent_differs": Decimal("0.02"),
    "only_in_ours": Decimal("0.02"),
    "currency_differs": Decimal("0.01"),
    "only_in_legacy": Decimal("0.02"),
}
"""Share of the per-metric lines given each planted difference (the rest: same amount)."""
INVOICE_LEVEL_SHARE = Decimal("0.15")
"""Share of each "stripe" service's invoices billed as a whole (charge blank)."""
SUPPORT_FEES = (Decimal("25.00"), Decimal("49.00"), Decimal("99.00"))
ONLY_IN_LEGACY_CHARGE = "support_fee"

POOLED_COST_SHARE: dict[str, Decimal] = {
    "openai": Decimal("0.35"), "google_maps": Decimal("0.30"), "twilio": Decimal("0.30"),
}
"""Pooled provider cost for the month as a share of our revenue (CAD) on the provider's metric."""
AWS_DIRECT_ACCOUNTS = 8
AWS_LOSS_ACCOUNTS = 3
AWS_COST_SHARE = Decimal("0.45")  # of the account's vcpu_hours revenue
AWS_LOSS_FACTOR = Decimal("1.6")  # of the account's whole nexacloud invoice
TWILIO_DIRECT_ROWS = 4
USD_REFERENCE_RATE = Decimal("1.38")  # CAD per USD used to size USD costs
MISSING_FX_DAY = 15

LEGACY_BAD_ROWS: tuple[tuple[str, str], ...] = (
    ("non_numeric_amount", "not_a_number"),
    ("blank_account_id", "null_required"),
    ("period_2026_13", "bad_period"),
    ("unknown_service_nexafoo", "unknown_service"),
    ("account_not_linked", "unknown_account"),
)
"""Rows of legacy_billing/bad-rows.csv, in order, with the reason the engine should give."""
COST_BAD_ROWS: tuple[tuple[str, str], ...] = (
    ("negative_cost", "negative_cost"),
    ("bad_date", "bad_date"),
    ("blank_provider", "null_required"),
)
"""Rows of provider_costs/bad-rows.csv, in order, with the reason the engine should give."""
FX_BAD_ROWS: tuple[tuple[str, str], ...] = (("non_numeric_rate", "not_a_number"),)
"""Rows of fx_rates/bad-rows.csv, in order, with the reason the engine should give."""

_CENT = Decimal("0.01")
_COST_PLACES = Decimal("0.0001")
_TOKEN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


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


@dataclass(frozen=True)
class _Line:
    """Our amount for one (service, account, metric) of one invoice."""

    invoice_key: str
    service: str
    account_id: str
    metric: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class _LegacyRow:
    source: str
    service: str
    account_id: str
    charge: str
    amount: Decimal
    currency: str
    invoice_id: str


# --- reading the warehouse -----------------------------------------------------------------------

def _read_lines(warehouse: Path, period: str) -> list[_Line]:
    rows = reports.query(warehouse, "reports/invoiced_by_metric", {"billing_period": period})
    return [_Line(str(r[0]), str(r[1]), str(r[2]), str(r[3]), Decimal(r[4]).quantize(_CENT),
                  str(r[5])) for r in rows]


# --- small helpers -------------------------------------------------------------------------------

def _count(share: Decimal, total: int) -> int:
    """round(share * total), at least one (when there is anything at all)."""
    if total == 0:
        return 0
    return max(1, int((share * total).to_integral_value()))


def _money(value: Decimal) -> str:
    """A plain decimal string (never an exponent)."""
    return format(value, "f")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            written += 1
    return written


def _days(period: str) -> list[dt.date]:
    return billing_period(period).days


def _spread(total: Decimal, days: int, rng: random.Random) -> list[Decimal]:
    """`total` over `days` days with a +/-20 % jitter, each day to 4 decimals."""
    weights = [rng.randint(80, 120) for _ in range(days)]
    weight_sum = sum(weights)
    return [(total * w / weight_sum).quantize(_COST_PLACES) for w in weights]


# --- legacy billing ------------------------------------------------------------------------------

def _invoice_ids(invoices: list[tuple[str, str]], period: str,
                 rng: random.Random) -> dict[tuple[str, str], str]:
    """A legacy invoice id per (source, invoice key), in each source's style."""
    ids: dict[tuple[str, str], str] = {}
    numbers: dict[str, int] = {}
    compact = period.replace("-", "")
    for source, invoice in sorted(invoices):
        numbers[source] = numbers.get(source, 0) + 1
        if source == "lago":
            ids[(source, invoice)] = f"LAGO-{compact}-{numbers[source]:05d}"
        elif source == "stripe":
            ids[(source, invoice)] = "in_" + "".join(rng.choice(_TOKEN_CHARS) for _ in range(14))
        else:
            ids[(source, invoice)] = f"MA-{period}-{numbers[source]:04d}"
    return ids


def _legacy_rows(lines: list[_Line], period: str, seed: int
                 ) -> tuple[list[_LegacyRow], dict[str, int]]:
    """The usable legacy rows and how many of each planted kind."""
    rng = random.Random(seed * 1_000 + 1)
    invoices = sorted({(line.service, line.invoice_key) for line in lines
                       if line.service in LEGACY_SOURCES})
    ids = _invoice_ids([(LEGACY_SOURCES[s], k) for s, k in invoices], period,
                       random.Random(seed * 1_000 + 2))
    invoice_level: set[str] = set()
    for service in sorted({s for s, _ in invoices if LEGACY_SOURCES[s] == "stripe"}):
        keys = [k for s, k in invoices if s == service]
        invoice_level.update(rng.sample(keys, _count(INVOICE_LEVEL_SHARE, len(keys))))

    per_metric = [line for line in lines if line.invoice_key not in invoice_level
                  and line.service in LEGACY_SOURCES]
    order = list(range(len(per_metric)))
    rng.shuffle(order)
    kind_of: dict[int, str] = {}
    counts: dict[str, int] = {}
    for kind, share in SHARES.items():
        if kind == "only_in_legacy":  # extra rows: they change none of our lines
            continue
        n = min(_count(share, len(per_metric)), len(order) - len(kind_of))
        kind_of.update((index, kind) for index in order[len(kind_of):len(kind_of) + n])
        counts[kind] = n
    counts["same"] = len(per_metric) - len(kind_of)

    rows: list[_LegacyRow] = []
    for index, line in enumerate(per_metric):
        kind = kind_of.get(index, "same")
        source = LEGACY_SOURCES[line.service]
        amount, currency = line.amount, line.currency
        if kind == "only_in_ours":
            continue
        if kind in {"amount_differs", "cent_differs"}:
            delta = Decimal(rng.randint(100, 900)) / 100 if kind == "amount_differs" else _CENT
            amount = amount - delta if rng.random() < 0.5 and amount >= delta else amount + delta
        elif kind == "currency_differs":
            currency = "USD"
        rows.append(_LegacyRow(source, line.service, line.account_id, line.metric, amount,
                               currency, ids[(source, line.invoice_key)]))

    accounts = sorted({(line.service, line.account_id, line.invoice_key, line.currency)
                       for line in per_metric})
    extra = min(_count(SHARES["only_in_legacy"], len(per_metric)), len(accounts))
    for service, account, invoice, currency in rng.sample(accounts, extra):
        source = LEGACY_SOURCES[service]
        rows.append(_LegacyRow(source, service, account, ONLY_IN_LEGACY_CHARGE,
                               rng.choice(SUPPORT_FEES), currency, ids[(source, invoice)]))
    counts["only_in_legacy"] = extra

    whole = [line for line in lines if line.invoice_key in invoice_level]
    for invoice in sorted(invoice_level):
        mine = [line for line in whole if line.invoice_key == invoice]
        rows.append(_LegacyRow("stripe", mine[0].service, min(m.account_id for m in mine), "",
                               sum((m.amount for m in mine), Decimal(0)), mine[0].currency,
                               ids[("stripe", invoice)]))
    counts["invoice_level"] = len(invoice_level)
    rows.sort(key=lambda r: (r.source, r.service, r.account_id, r.charge))
    return rows, counts


def _legacy_bad_rows(lines: list[_Line], period: str) -> list[list[str]]:
    """One row per kind of LEGACY_BAD_ROWS, on real accounts where the kind allows it."""
    cloud = next((line for line in lines if line.service == "nexacloud"), lines[0])
    desk = next((line for line in lines if line.service == "nexadesk"), lines[0])
    year = period[:4]
    rows: list[list[str]] = []
    for kind, _ in LEGACY_BAD_ROWS:
        row = ["lago", cloud.service, cloud.account_id, period, cloud.metric,
               _money(cloud.amount), "CAD", f"LAGO-BAD-{len(rows) + 1:03d}"]
        if kind == "non_numeric_amount":
            row[5] = "n/a"
        elif kind == "blank_account_id":
            row[1], row[2], row[4], row[5] = desk.service, "", desk.metric, _money(desk.amount)
        elif kind == "period_2026_13":
            row[3] = f"{year}-13"
        elif kind == "unknown_service_nexafoo":
            row[1], row[2], row[4] = "nexafoo", "nf-000001", "foo_units"
        elif kind == "account_not_linked":
            row[1], row[2], row[4] = "nexadesk", "nd-999999", "conversations"
        rows.append(row)
    return rows


def _write_legacy(folder: Path, rows: list[_LegacyRow], bad: list[list[str]],
                  period: str) -> int:
    files = 0
    for source in sorted({row.source for row in rows}):
        mine = [r for r in rows if r.source == source]
        values = [[r.source, r.service, r.account_id, period, r.charge, _money(r.amount),
                   r.currency, r.invoice_id] for r in mine]
        if source == "stripe":
            columns: dict[str, pa.Array] = {
                name: pa.array([v[i] for v in values], pa.string())
                for i, name in enumerate(LEGACY_COLUMNS) if name != "amount"}
            columns["amount"] = pa.array([r.amount for r in mine], pa.decimal128(18, 2))
            table = pa.table({name: columns[name] for name in LEGACY_COLUMNS})
            pq.write_table(table, folder / f"{source}-{period}.parquet", compression="zstd")
        else:
            _write_csv(folder / f"{source}-{period}.csv", LEGACY_COLUMNS, values)
        files += 1
    _write_csv(folder / "bad-rows.csv", LEGACY_COLUMNS, bad)
    return files


# --- provider costs ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Cost:
    day: dt.date
    provider: str
    service: str
    account_id: str
    metric: str
    cost: Decimal
    currency: str


def _provider_costs(lines: list[_Line], days: list[dt.date], seed: int
                    ) -> tuple[list[_Cost], int]:
    """Every provider's daily rows and the number of nexacloud accounts run at a loss."""
    rng = random.Random(seed * 1_000 + 3)
    revenue: dict[str, Decimal] = {}
    for line in lines:
        revenue[line.metric] = revenue.get(line.metric, Decimal(0)) + line.amount
    costs: list[_Cost] = []
    pooled = (("openai", "nexadesk", "ai_tokens", "", "USD"),
              ("google_maps", "nexamaps", "map_tiles", "map_tiles", "USD"),
              ("twilio", "nexadesk", "conversations", "", "CAD"))
    for provider, service, metric, written_metric, currency in pooled:
        month = revenue.get(metric, Decimal(0)) * POOLED_COST_SHARE[provider]
        if currency == "USD":
            month /= USD_REFERENCE_RATE
        for day, cost in zip(days, _spread(month, len(days), rng), strict=True):
            costs.append(_Cost(day, provider, service, "", written_metric, cost, currency))

    desk = sorted({line.account_id for line in lines if line.service == "nexadesk"})
    direct = rng.sample(desk, min(2, len(desk)))
    direct_days = rng.sample(days, min(TWILIO_DIRECT_ROWS, len(days))) if direct else []
    for i, day in enumerate(direct_days):
        cost = Decimal(rng.randint(500, 2_000)) / 100
        costs.append(_Cost(day, "twilio", "nexadesk", direct[i % len(direct)], "",
                           cost.quantize(_COST_PLACES), "CAD"))

    vcpu = {line.account_id: line.amount for line in lines
            if line.service == "nexacloud" and line.metric == "vcpu_hours"}
    invoice_total: dict[str, Decimal] = {}
    for line in lines:
        if line.service == "nexacloud":
            invoice_total[line.account_id] = invoice_total.get(line.account_id, Decimal(0)) \
                + line.amount
    chosen = rng.sample(sorted(vcpu), min(AWS_DIRECT_ACCOUNTS, len(vcpu)))
    losses = min(AWS_LOSS_ACCOUNTS, len(chosen))
    for i, account in enumerate(sorted(chosen)):
        loss = chosen.index(account) < losses
        month = (invoice_total[account] * AWS_LOSS_FACTOR if loss
                 else vcpu[account] * AWS_COST_SHARE) / USD_REFERENCE_RATE
        for day, cost in zip(days, _spread(month, len(days), random.Random(seed * 1_000 + 10 + i)),
                             strict=True):
            costs.append(_Cost(day, "aws", "nexacloud", account, "vcpu_hours", cost, "USD"))
    costs.sort(key=lambda c: (c.provider, c.day, c.account_id))
    return costs, losses


def _cost_bad_rows(days: list[dt.date], period: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for kind, _ in COST_BAD_ROWS:
        row = [days[2].isoformat(), "openai", "nexadesk", "", "", "12.5000", "USD"]
        if kind == "negative_cost":
            row[5] = "-3.2500"
        elif kind == "bad_date":
            row[0] = f"{period}-32"
        elif kind == "blank_provider":
            row[1] = ""
        rows.append(row)
    return rows


def _write_costs(folder: Path, costs: list[_Cost], bad: list[list[str]], period: str) -> int:
    files = 0
    for provider in sorted({c.provider for c in costs}):
        _write_csv(folder / f"{provider}-{period}.csv", COST_COLUMNS,
                   ([c.day.isoformat(), c.provider, c.service, c.account_id, c.metric,
                     _money(c.cost), c.currency] for c in costs if c.provider == provider))
        files += 1
    _write_csv(folder / "bad-rows.csv", COST_COLUMNS, bad)
    return files


# --- FX rates ------------------------------------------------------------------------------------

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


# --- the entry point -----------------------------------------------------------------------------

def write_finance_sample(landing: Path, warehouse: Path, period: str = "2026-10",
                         seed: int = 11) -> FinanceSampleSummary:
    """Write legacy_billing/, provider_costs/ and fx_rates/ under `landing` (each replaced) for
    `period`, derived from what `warehouse` rated for it (opened read-only); see the module
    docstring for what is planted. Raises ValueError if the period has no invoice lines."""
    days = _days(period)
    lines = _read_lines(Path(warehouse), period)
    if not lines:
        raise ValueError(f"the warehouse {warehouse} has no invoice lines for {period}: rate it "
                         "first")
    landing = Path(landing)
    folders = {name: landing / name for name in ("legacy_billing", "provider_costs", "fx_rates")}
    for folder in folders.values():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)

    rows, counts = _legacy_rows(lines, period, seed)
    legacy_bad = _legacy_bad_rows(lines, period)
    legacy_files = _write_legacy(folders["legacy_billing"], rows, legacy_bad, period)

    costs, losses = _provider_costs(lines, days, seed)
    cost_bad = _cost_bad_rows(days, period)
    cost_files = _write_costs(folders["provider_costs"], costs, cost_bad, period)

    rates = _fx_rates(days, seed)
    _write_csv(folders["fx_rates"] / "usd-cad.csv", FX_COLUMNS,
               ([day.isoformat(), "USD", _money(rate)] for day, rate in rates))
    missing = days[MISSING_FX_DAY - 1]
    fx_bad = [[missing.isoformat(), "USD", "n/a"]]
    _write_csv(folders["fx_rates"] / "bad-rows.csv", FX_COLUMNS, fx_bad)
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
