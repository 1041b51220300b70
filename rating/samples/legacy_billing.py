"""The legacy billing of the finance sample: our invoiced lines as the legacy systems would
have billed them, with differences planted (see rating.samples.finance)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from rating.samples.files import money_text, write_csv, write_parquet
from rating.samples.invoiced import CENT, InvoicedLine

LEGACY_COLUMNS = ("source", "service", "account_id", "period", "charge", "amount", "currency",
                  "legacy_invoice_id")

LEGACY_SOURCES: dict[str, str] = {
    "nexacloud": "lago", "nexadesk": "lago", "apps": "stripe", "memberships": "stripe",
    "nexamaps": "maps-app",
}
"""The legacy billing of each service."""

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

LEGACY_BAD_ROWS: tuple[tuple[str, str], ...] = (
    ("non_numeric_amount", "not_a_number"),
    ("blank_account_id", "null_required"),
    ("period_2026_13", "bad_period"),
    ("unknown_service_nexafoo", "unknown_service"),
    ("account_not_linked", "unknown_account"),
)
"""Rows of legacy_billing/bad-rows.csv, in order, with the reason the engine should give."""

_TOKEN_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class LegacyRow:
    source: str
    service: str
    account_id: str
    charge: str
    amount: Decimal
    currency: str
    invoice_id: str


def _count(share: Decimal, total: int) -> int:
    """round(share * total), at least one (when there is anything at all)."""
    if total == 0:
        return 0
    return max(1, int((share * total).to_integral_value()))


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


def planted_legacy_rows(lines: list[InvoicedLine], period: str, seed: int
                        ) -> tuple[list[LegacyRow], dict[str, int]]:
    """The usable legacy rows and how many of each planted kind."""
    # One generator for every choice below, drawn in this order: the samples depend on it.
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
    kind_of, counts = _planted_kinds(len(per_metric), rng)
    rows = _per_metric_rows(per_metric, kind_of, ids, rng)
    fees = _support_fee_rows(per_metric, ids, rng)
    counts["only_in_legacy"] = len(fees)
    whole = _invoice_level_rows(lines, invoice_level, ids)
    counts["invoice_level"] = len(invoice_level)
    return sorted([*rows, *fees, *whole],
                  key=lambda r: (r.source, r.service, r.account_id, r.charge)), counts


def _planted_kinds(lines: int, rng: random.Random) -> tuple[dict[int, str], dict[str, int]]:
    """The kind of difference planted on each of `lines` per-metric lines (by index; the rest
    are "same") and how many of each."""
    order = list(range(lines))
    rng.shuffle(order)
    kind_of: dict[int, str] = {}
    counts: dict[str, int] = {}
    for kind, share in SHARES.items():
        if kind == "only_in_legacy":  # extra rows: they change none of our lines
            continue
        n = min(_count(share, lines), len(order) - len(kind_of))
        kind_of.update((index, kind) for index in order[len(kind_of):len(kind_of) + n])
        counts[kind] = n
    counts["same"] = lines - len(kind_of)
    return kind_of, counts


def _per_metric_rows(per_metric: list[InvoicedLine], kind_of: dict[int, str],
                     ids: dict[tuple[str, str], str], rng: random.Random) -> list[LegacyRow]:
    """Our per-metric lines as the legacy billing has them, with their planted differences."""
    rows: list[LegacyRow] = []
    for index, line in enumerate(per_metric):
        kind = kind_of.get(index, "same")
        source = LEGACY_SOURCES[line.service]
        amount, currency = line.amount, line.currency
        if kind == "only_in_ours":
            continue
        if kind in {"amount_differs", "cent_differs"}:
            delta = Decimal(rng.randint(100, 900)) / 100 if kind == "amount_differs" else CENT
            amount = amount - delta if rng.random() < 0.5 and amount >= delta else amount + delta
        elif kind == "currency_differs":
            currency = "USD"
        rows.append(LegacyRow(source, line.service, line.account_id, line.metric, amount,
                              currency, ids[(source, line.invoice_key)]))
    return rows


def _support_fee_rows(per_metric: list[InvoicedLine], ids: dict[tuple[str, str], str],
                      rng: random.Random) -> list[LegacyRow]:
    """The only_in_legacy rows: a support fee on as many distinct accounts."""
    accounts = sorted({(line.service, line.account_id, line.invoice_key, line.currency)
                       for line in per_metric})
    extra = min(_count(SHARES["only_in_legacy"], len(per_metric)), len(accounts))
    rows: list[LegacyRow] = []
    for service, account, invoice, currency in rng.sample(accounts, extra):
        source = LEGACY_SOURCES[service]
        rows.append(LegacyRow(source, service, account, ONLY_IN_LEGACY_CHARGE,
                              rng.choice(SUPPORT_FEES), currency, ids[(source, invoice)]))
    return rows


def _invoice_level_rows(lines: list[InvoicedLine], invoice_level: set[str],
                        ids: dict[tuple[str, str], str]) -> list[LegacyRow]:
    """One "stripe" row per invoice billed as a whole: charge blank, our invoice total."""
    whole = [line for line in lines if line.invoice_key in invoice_level]
    rows: list[LegacyRow] = []
    for invoice in sorted(invoice_level):
        mine = [line for line in whole if line.invoice_key == invoice]
        rows.append(LegacyRow("stripe", mine[0].service, min(m.account_id for m in mine), "",
                              sum((m.amount for m in mine), Decimal(0)), mine[0].currency,
                              ids[("stripe", invoice)]))
    return rows


def broken_legacy_rows(lines: list[InvoicedLine], period: str) -> list[list[str]]:
    """One row per kind of LEGACY_BAD_ROWS, on real accounts where the kind allows it."""
    cloud = next((line for line in lines if line.service == "nexacloud"), lines[0])
    desk = next((line for line in lines if line.service == "nexadesk"), lines[0])
    year = period[:4]
    rows: list[list[str]] = []
    for kind, _ in LEGACY_BAD_ROWS:
        row = ["lago", cloud.service, cloud.account_id, period, cloud.metric,
               money_text(cloud.amount), "CAD", f"LAGO-BAD-{len(rows) + 1:03d}"]
        if kind == "non_numeric_amount":
            row[5] = "n/a"
        elif kind == "blank_account_id":
            row[1], row[2], row[4], row[5] = desk.service, "", desk.metric, money_text(desk.amount)
        elif kind == "period_2026_13":
            row[3] = f"{year}-13"
        elif kind == "unknown_service_nexafoo":
            row[1], row[2], row[4] = "nexafoo", "nf-000001", "foo_units"
        elif kind == "account_not_linked":
            row[1], row[2], row[4] = "nexadesk", "nd-999999", "conversations"
        rows.append(row)
    return rows


def write_legacy(folder: Path, rows: list[LegacyRow], bad: list[list[str]],
                 period: str) -> int:
    files = 0
    for source in sorted({row.source for row in rows}):
        mine = [r for r in rows if r.source == source]
        values = [[r.source, r.service, r.account_id, period, r.charge, money_text(r.amount),
                   r.currency, r.invoice_id] for r in mine]
        if source == "stripe":
            columns: dict[str, pa.Array] = {
                name: pa.array([v[i] for v in values], pa.string())
                for i, name in enumerate(LEGACY_COLUMNS) if name != "amount"}
            columns["amount"] = pa.array([r.amount for r in mine], pa.decimal128(18, 2))
            table = pa.table({name: columns[name] for name in LEGACY_COLUMNS})
            write_parquet(folder / f"{source}-{period}.parquet", table)
        else:
            write_csv(folder / f"{source}-{period}.csv", LEGACY_COLUMNS, values)
        files += 1
    write_csv(folder / "bad-rows.csv", LEGACY_COLUMNS, bad)
    return files
