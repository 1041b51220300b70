"""Tests for rating.samples.finance: legacy billing, provider costs and FX rates beside a rated
sample month."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from rating.rate.engine import RateRequest, rate
from rating.samples.finance import (
    COST_ALLOCATION_YAML,
    FinanceSampleSummary,
    write_finance_sample,
)
from rating.samples.usage import write_sample

PERIOD = "2026-10"
DAYS = [dt.date(2026, 10, 1) + dt.timedelta(days=d) for d in range(31)]
LEGACY_HEADER = ["source", "service", "account_id", "period", "charge", "amount", "currency",
                 "legacy_invoice_id"]
COST_HEADER = ["date", "provider", "service", "account_id", "metric", "cost", "currency"]
FX_HEADER = ["date", "currency", "rate_to_cad"]
FOLDERS = ("legacy_billing", "provider_costs", "fx_rates")

OURS_SQL = """
SELECT l.service, r.account_id, r.metric, sum(l.amount), min(l.currency)
FROM invoice_lines l
JOIN rated_charges r
  ON r.billing_period = l.billing_period AND r.subscription_id = l.subscription_id
 AND r.charge_id = l.charge_id AND r.line_kind = l.line_kind
 AND r.group_value IS NOT DISTINCT FROM l.group_value
WHERE l.billing_period = '2026-10'
GROUP BY ALL
"""


@dataclass(frozen=True)
class Rated:
    landing: Path
    warehouse: Path


@pytest.fixture(scope="module")
def rated(tmp_path_factory: pytest.TempPathFactory) -> Rated:
    out = tmp_path_factory.mktemp("finance") / "s"
    sample = write_sample(out, rows=3000)
    warehouse = out / "warehouse.duckdb"
    rate(RateRequest(landing=str(sample.landing), catalog=sample.catalog, warehouse=warehouse,
                     period=PERIOD))
    return Rated(sample.landing, warehouse)


@pytest.fixture(scope="module")
def summary(rated: Rated) -> FinanceSampleSummary:
    return write_finance_sample(rated.landing, rated.warehouse, PERIOD)


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in FOLDERS for p in sorted((root / folder).rglob("*")) if p.is_file()}


def _csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _legacy(landing: Path) -> list[dict[str, str]]:
    """Every usable legacy row (bad-rows.csv excluded), amounts as text."""
    rows: list[dict[str, str]] = []
    for path in sorted((landing / "legacy_billing").iterdir()):
        if path.name == "bad-rows.csv":
            continue
        if path.suffix == ".csv":
            rows += _csv(path)[1]
        else:
            rows += [{k: "" if v is None else str(v) for k, v in row.items()}
                     for row in pq.read_table(path).to_pylist()]
    return rows


def _costs(landing: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((landing / "provider_costs").glob("*.csv")):
        if path.name != "bad-rows.csv":
            rows += _csv(path)[1]
    return rows


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        pytest.fail(f"{text!r} is not a decimal")
    assert value.is_finite() and "e" not in text.lower(), text
    return value


def _linked_accounts(landing: Path) -> set[tuple[str, str]]:
    return {(r["service"], r["account_id"])
            for r in _csv(landing / "accounts" / "accounts.csv")[1]}


@pytest.mark.engine
def test_same_seed_gives_identical_files(rated: Rated, summary: FinanceSampleSummary,
                                         tmp_path: Path) -> None:
    again = write_finance_sample(tmp_path / "a", rated.warehouse, PERIOD)
    stale = tmp_path / "a" / "legacy_billing" / "stale.csv"
    stale.write_text("left over\n")
    third = write_finance_sample(tmp_path / "a", rated.warehouse, PERIOD)
    assert not stale.exists()  # the folders are replaced
    assert again == third
    first = _digests(rated.landing)
    assert len(first) == 11
    assert _digests(tmp_path / "a") == first
    other = write_finance_sample(tmp_path / "b", rated.warehouse, PERIOD, seed=12)
    assert _digests(tmp_path / "b") != first
    assert other.fx_missing_date == summary.fx_missing_date


@pytest.mark.fast
def test_headers_are_exact(rated: Rated, summary: FinanceSampleSummary) -> None:
    landing = rated.landing
    assert sorted(p.name for p in (landing / "legacy_billing").iterdir()) == [
        "bad-rows.csv", "lago-2026-10.csv", "maps-app-2026-10.csv", "stripe-2026-10.parquet"]
    for name in ("lago-2026-10.csv", "maps-app-2026-10.csv", "bad-rows.csv"):
        assert _csv(landing / "legacy_billing" / name)[0] == LEGACY_HEADER
    schema = pq.read_schema(landing / "legacy_billing" / "stripe-2026-10.parquet")
    assert schema.names == LEGACY_HEADER
    assert schema.field("amount").type == pa.decimal128(18, 2)
    costs = sorted((landing / "provider_costs").iterdir())
    assert [p.name for p in costs] == ["aws-2026-10.csv", "bad-rows.csv",
                                       "google_maps-2026-10.csv", "openai-2026-10.csv",
                                       "twilio-2026-10.csv"]
    for path in costs:
        assert _csv(path)[0] == COST_HEADER
    for name in ("usd-cad.csv", "bad-rows.csv"):
        assert _csv(landing / "fx_rates" / name)[0] == FX_HEADER
    assert summary.legacy_files == 3 and summary.cost_files == 4


@pytest.mark.fast
def test_every_day_but_the_15th_has_a_usd_rate(rated: Rated,
                                                summary: FinanceSampleSummary) -> None:
    _, rows = _csv(rated.landing / "fx_rates" / "usd-cad.csv")
    assert [r["date"] for r in rows] == [d.isoformat() for d in DAYS if d.day != 15]
    assert {r["currency"] for r in rows} == {"USD"}
    for row in rows:
        rate_ = _decimal(row["rate_to_cad"])
        assert Decimal("1.36") <= rate_ <= Decimal("1.40")
        assert rate_.as_tuple().exponent == -4
    assert summary.fx_rows == 30 and summary.fx_missing_date == dt.date(2026, 10, 15)
    _, bad = _csv(rated.landing / "fx_rates" / "bad-rows.csv")
    assert bad and summary.fx_bad_rows == len(bad)
    with pytest.raises(InvalidOperation):
        Decimal(bad[0]["rate_to_cad"])
    # the USD costs of the 15th are the ones that cannot be converted
    usd_15th = [r for r in _costs(rated.landing)
                if r["currency"] == "USD" and r["date"] == "2026-10-15"]
    assert len(usd_15th) == summary.cost_rows_without_fx > 0


@pytest.mark.fast
def test_provider_costs_cover_every_day(rated: Rated, summary: FinanceSampleSummary) -> None:
    rows = _costs(rated.landing)
    assert len(rows) == summary.cost_rows
    linked = _linked_accounts(rated.landing)
    expected = {"openai": ("nexadesk", "USD"), "google_maps": ("nexamaps", "USD"),
                "twilio": ("nexadesk", "CAD"), "aws": ("nexacloud", "USD")}
    for provider, (service, currency) in expected.items():
        mine = [r for r in rows if r["provider"] == provider]
        assert {r["date"] for r in mine} == {d.isoformat() for d in DAYS}, provider
        assert {(r["service"], r["currency"]) for r in mine} == {(service, currency)}
        assert all(_decimal(r["cost"]) >= 0 for r in mine)
    pooled = {(r["provider"], r["metric"]) for r in rows if not r["account_id"]}
    assert pooled == {("openai", ""), ("google_maps", "map_tiles"), ("twilio", "")}
    direct = [r for r in rows if r["account_id"]]
    assert len(direct) == summary.cost_direct_rows
    assert all((r["service"], r["account_id"]) in linked for r in direct)
    twilio = [r for r in direct if r["provider"] == "twilio"]
    assert twilio and all(r["metric"] == "" for r in twilio)
    assert {r["metric"] for r in direct if r["provider"] == "aws"} == {"vcpu_hours"}
    assert {r["provider"] for r in direct} == {"aws", "twilio"}


@pytest.mark.fast
def test_a_few_aws_accounts_cost_more_than_they_pay(rated: Rated,
                                                     summary: FinanceSampleSummary) -> None:
    aws: Counter[str] = Counter()
    for row in _costs(rated.landing):
        if row["provider"] == "aws" and row["date"] != "2026-10-15":  # the 15th has no rate
            aws[row["account_id"]] += _decimal(row["cost"]) * Decimal("1.36")  # lowest rate
    con = duckdb.connect(str(rated.warehouse), read_only=True)
    paid = dict(con.execute("SELECT account_id, sum(amount) FROM rated_charges "
                            "WHERE service = 'nexacloud' GROUP BY ALL").fetchall())
    con.close()
    losses = [a for a, cost in aws.items() if cost > paid[a]]
    assert 2 <= len(losses) == summary.cost_loss_accounts <= 3
    assert len(aws) - len(losses) >= len(losses)  # most direct accounts keep a margin


@pytest.mark.fast
def test_legacy_amounts_are_cents(rated: Rated, summary: FinanceSampleSummary) -> None:
    rows = _legacy(rated.landing)
    assert len(rows) == summary.legacy_rows
    for row in rows:
        amount = _decimal(row["amount"])
        assert amount >= 0
        exponent = amount.as_tuple().exponent
        assert isinstance(exponent, int) and exponent >= -2, row
        assert row["period"] == PERIOD and row["legacy_invoice_id"]
    sources = {(r["source"], r["service"]) for r in rows}
    assert sources == {("lago", "nexacloud"), ("lago", "nexadesk"), ("stripe", "apps"),
                       ("stripe", "memberships"), ("maps-app", "nexamaps")}


@pytest.mark.fast
def test_every_planted_difference_is_there(rated: Rated, summary: FinanceSampleSummary) -> None:
    con = duckdb.connect(str(rated.warehouse), read_only=True)
    ours = {(s, a, m): (Decimal(amount), currency)
            for s, a, m, amount, currency in con.execute(OURS_SQL).fetchall()}
    con.close()
    legacy: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in _legacy(rated.landing):
        legacy.setdefault((row["service"], row["account_id"]), []).append(row)

    classes: Counter[str] = Counter()
    invoice_level = {k for k, rows in legacy.items() if all(r["charge"] == "" for r in rows)}
    for key in invoice_level:
        (row,) = legacy[key]  # one row per invoice
        total = sum((v[0] for (s, a, _), v in ours.items() if (s, a) == key), Decimal(0))
        assert row["source"] == "stripe" and _decimal(row["amount"]) == total
        classes["invoice_level"] += 1
    seen: set[tuple[str, str, str]] = set()
    for key, rows in legacy.items():
        if key in invoice_level:
            continue
        for row in rows:
            line = (row["service"], row["account_id"], row["charge"])
            assert line not in seen and row["charge"] != ""
            seen.add(line)
            if line not in ours:
                assert row["charge"] == "support_fee"
                classes["only_in_legacy"] += 1
                continue
            amount, currency = ours[line]
            difference = abs(_decimal(row["amount"]) - amount)
            if row["currency"] != currency:
                assert (row["currency"], difference) == ("USD", 0)
                classes["currency_differs"] += 1
            elif difference == 0:
                classes["same"] += 1
            elif difference == Decimal("0.01"):
                classes["cent_differs"] += 1
            else:
                assert Decimal(1) <= difference <= Decimal(9)
                classes["amount_differs"] += 1
    classes["only_in_ours"] = sum(1 for (s, a, m) in ours
                                  if (s, a) not in invoice_level and (s, a, m) not in seen)

    assert classes == {
        "same": summary.legacy_same, "amount_differs": summary.legacy_amount_differs,
        "cent_differs": summary.legacy_cent_differs,
        "currency_differs": summary.legacy_currency_differs,
        "only_in_legacy": summary.legacy_only_in_legacy,
        "only_in_ours": summary.legacy_only_in_ours,
        "invoice_level": summary.legacy_invoice_level}
    assert min(classes.values()) >= 1
    per_metric = sum(classes[k] for k in ("same", "amount_differs", "cent_differs",
                                          "currency_differs", "only_in_ours"))
    assert classes["same"] >= 0.85 * per_metric
    assert {s for s, _ in invoice_level} == {"apps", "memberships"}


@pytest.mark.fast
def test_bad_rows_files(rated: Rated, summary: FinanceSampleSummary) -> None:
    landing = rated.landing
    linked = _linked_accounts(landing)
    _, legacy = _csv(landing / "legacy_billing" / "bad-rows.csv")
    assert len(legacy) == summary.legacy_bad_rows
    amounts = [r["amount"] for r in legacy]
    assert any(not a.replace(".", "", 1).isdigit() for a in amounts)  # non-numeric
    assert any(r["account_id"] == "" for r in legacy)
    assert any(r["period"] == "2026-13" for r in legacy)
    assert any(r["service"] == "nexafoo" for r in legacy)
    assert any(r["service"] != "nexafoo" and r["account_id"]
               and (r["service"], r["account_id"]) not in linked for r in legacy)
    _, costs = _csv(landing / "provider_costs" / "bad-rows.csv")
    assert len(costs) == summary.cost_bad_rows
    assert any(_decimal(r["cost"]) < 0 for r in costs)
    assert any(r["provider"] == "" for r in costs)
    bad_dates = 0
    for row in costs:
        try:
            dt.date.fromisoformat(row["date"])
        except ValueError:
            bad_dates += 1
    assert bad_dates == 1
    assert (landing / "fx_rates" / "bad-rows.csv").is_file()


@pytest.mark.fast
def test_cost_allocation_yaml() -> None:
    document = yaml.safe_load(COST_ALLOCATION_YAML)
    assert document == {"cost_allocation": [
        {"provider": "openai", "service": "nexadesk", "metric": "ai_tokens"},
        {"provider": "google_maps", "service": "nexamaps", "metric": "map_tiles"},
        {"provider": "twilio", "service": "nexadesk", "metric": "conversations"},
        {"provider": "aws", "service": "nexacloud", "metric": "vcpu_hours"},
    ]}


@pytest.mark.fast
def test_a_period_without_invoice_lines_is_refused(rated: Rated, tmp_path: Path) -> None:
    shutil.copytree(rated.landing / "accounts", tmp_path / "accounts")
    with pytest.raises(ValueError, match="no invoice lines"):
        write_finance_sample(tmp_path, rated.warehouse, "2026-09")
    assert not (tmp_path / "legacy_billing").exists()
