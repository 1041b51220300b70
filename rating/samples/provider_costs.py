"""The provider costs of the finance sample: pooled and direct daily costs sized on our
revenue (see rating.samples.finance)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rating.samples.files import money_text, write_csv
from rating.samples.invoiced import InvoicedLine

COST_COLUMNS = ("date", "provider", "service", "account_id", "metric", "cost", "currency")

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

COST_BAD_ROWS: tuple[tuple[str, str], ...] = (
    ("negative_cost", "negative_cost"),
    ("bad_date", "bad_date"),
    ("blank_provider", "null_required"),
)
"""Rows of provider_costs/bad-rows.csv, in order, with the reason the engine should give."""

_COST_PLACES = Decimal("0.0001")


def _spread(total: Decimal, days: int, rng: random.Random) -> list[Decimal]:
    """`total` over `days` days with a +/-20 % jitter, each day to 4 decimals."""
    weights = [rng.randint(80, 120) for _ in range(days)]
    weight_sum = sum(weights)
    return [(total * w / weight_sum).quantize(_COST_PLACES) for w in weights]


@dataclass(frozen=True)
class ProviderCost:
    day: dt.date
    provider: str
    service: str
    account_id: str
    metric: str
    cost: Decimal
    currency: str


def daily_costs(lines: list[InvoicedLine], days: list[dt.date], seed: int
                ) -> tuple[list[ProviderCost], int]:
    """Every provider's daily rows and the number of nexacloud accounts run at a loss."""
    rng = random.Random(seed * 1_000 + 3)
    revenue: dict[str, Decimal] = {}
    for line in lines:
        revenue[line.metric] = revenue.get(line.metric, Decimal(0)) + line.amount
    costs: list[ProviderCost] = []
    pooled = (("openai", "nexadesk", "ai_tokens", "", "USD"),
              ("google_maps", "nexamaps", "map_tiles", "map_tiles", "USD"),
              ("twilio", "nexadesk", "conversations", "", "CAD"))
    for provider, service, metric, written_metric, currency in pooled:
        month = revenue.get(metric, Decimal(0)) * POOLED_COST_SHARE[provider]
        if currency == "USD":
            month /= USD_REFERENCE_RATE
        for day, cost in zip(days, _spread(month, len(days), rng), strict=True):
            costs.append(ProviderCost(day, provider, service, "", written_metric, cost, currency))

    desk = sorted({line.account_id for line in lines if line.service == "nexadesk"})
    direct = rng.sample(desk, min(2, len(desk)))
    direct_days = rng.sample(days, min(TWILIO_DIRECT_ROWS, len(days))) if direct else []
    for i, day in enumerate(direct_days):
        cost = Decimal(rng.randint(500, 2_000)) / 100
        costs.append(ProviderCost(day, "twilio", "nexadesk", direct[i % len(direct)], "",
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
            costs.append(ProviderCost(day, "aws", "nexacloud", account, "vcpu_hours", cost, "USD"))
    costs.sort(key=lambda c: (c.provider, c.day, c.account_id))
    return costs, losses


def broken_cost_rows(days: list[dt.date], period: str) -> list[list[str]]:
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


def write_costs(folder: Path, costs: list[ProviderCost], bad: list[list[str]], period: str) -> int:
    files = 0
    for provider in sorted({c.provider for c in costs}):
        write_csv(folder / f"{provider}-{period}.csv", COST_COLUMNS,
                  ([c.day.isoformat(), c.provider, c.service, c.account_id, c.metric,
                    money_text(c.cost), c.currency] for c in costs if c.provider == provider))
        files += 1
    write_csv(folder / "bad-rows.csv", COST_COLUMNS, bad)
    return files
