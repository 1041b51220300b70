"""The dual run and the margins on hand-computed cases (rating.finance.run, docs/margin.md)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from rating.finance.run import FinanceRequest, publish_analyst_copy, run_finance
from rating.rate.engine import close_period
from rating.reports import margin as margin_report
from tests.support.usage_builder import (
    CATALOG,
    DEFAULT_ACCOUNTS,
    DEFAULT_SUBSCRIPTIONS,
    Landing,
    rate_landing,
    rows,
    table,
    usage_row,
    write_csv,
)

pytestmark = pytest.mark.slow
D = Decimal
PERIOD = "2026-10"
LEGACY_HEADER = ("source", "service", "account_id", "period", "charge", "amount", "currency",
                 "legacy_invoice_id")
COST_HEADER = ("date", "provider", "service", "account_id", "metric", "cost", "currency")


@pytest.fixture
def rated(landing: Landing, wh: Path) -> tuple[Landing, Path]:
    """2026-10 rated and closed: C1 uses 300,000 AI tokens, C5 (a second NexaDesk customer)
    100,000; C2 has map tiles; C1 vCPU hours."""
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexadesk", "nd-5", "C5")])
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS,
                           ("SUB-ND-5", "nexadesk", "nd-5", "desk-team", "2025-01-01", "")])
    landing.usage("u.parquet", [
        usage_row("nexadesk", "ai_tokens", 300_000),                      # C1
        usage_row("nexadesk", "ai_tokens", 100_000, account_id="nd-5"),   # C5
        usage_row("nexacloud", "vcpu_hours", 300),                        # C1: 200 x 0.045 = 9.00
        usage_row("nexamaps", "map_tiles", 1_010_000),                    # C2: 12.50
    ])
    landing.rate(wh, PERIOD)
    close_period(wh, PERIOD)
    return landing, wh


def finance(landing: Landing, wh: Path, **kw: object) -> object:
    return run_finance(FinanceRequest(landing=str(landing.root), catalog=CATALOG,
                                      warehouse=wh, period=PERIOD, **kw))  # type: ignore[arg-type]


def test_every_dual_run_class_on_a_hand_made_case(rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    ours = dict(rows(wh, "SELECT r.metric, sum(l.amount) FROM invoice_lines l JOIN rated_charges r "
                         "USING (billing_period, subscription_id, charge_id, line_kind) "
                         "WHERE l.customer_key = 'C1' GROUP BY ALL"))
    assert ours["vcpu_hours"] == D("9.00")
    write_csv(landing.root / "legacy_billing" / "lago.csv", LEGACY_HEADER, [
        ("lago", "nexacloud", "nc-1", PERIOD, "vcpu_hours", "9.01", "CAD", "L1"),   # within 0.01
        ("lago", "nexadesk", "nd-1", PERIOD, "ai_tokens", str(ours["ai_tokens"] + D("0.02")),
         "CAD", "L2"),                                                             # differs
        ("lago", "nexadesk", "nd-1", PERIOD, "ND-AGENT", "38.00", "USD", "L2"),    # product code
        ("lago", "nexadesk", "nd-1", PERIOD, "support_fee", "5.00", "CAD", "L2"),  # legacy only
    ])
    # The apps' Stripe billing billed C2's maps as a whole invoice.
    write_csv(landing.root / "legacy_billing" / "stripe.csv", LEGACY_HEADER, [
        ("stripe", "nexamaps", "nm-1", PERIOD, "", "12.50", "CAD", "S1")])
    finance(landing, wh)
    got = {(c, s, ch): k for c, s, ch, k in rows(
        wh, "SELECT customer_key, service, charge, class FROM reconciliation_legacy")}
    assert got[("C1", "nexacloud", "vcpu_hours")] == "match"
    assert got[("C1", "nexadesk", "ai_tokens")] == "amount_differs"
    assert got[("C1", "nexadesk", "agents")] == "currency_differs"
    assert got[("C1", "nexadesk", "support_fee")] == "only_in_legacy"
    assert got[("C1", "nexacloud", "storage_gb")] == "only_in_ours"   # the 2.00 tier fee
    assert got[("C5", "nexadesk", "ai_tokens")] == "match"    # 0.00 here, absent there
    assert got[("C2", "nexamaps", "")] == "match"     # invoice-level against our invoice total
    differs = rows(wh, "SELECT difference FROM reconciliation_legacy WHERE class = "
                       "'amount_differs'")
    assert differs == [(D("0.02"),)]
    # With a tolerance of 0.02 the differing line matches too.
    finance(landing, wh, tolerance=D("0.02"))
    assert got[("C1", "nexadesk", "ai_tokens")] != dict(
        ((c, s, ch), k) for c, s, ch, k in rows(
            wh, "SELECT customer_key, service, charge, class FROM reconciliation_legacy")
    )[("C1", "nexadesk", "ai_tokens")]


def test_pooled_costs_follow_usage_and_add_up_exactly(rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    write_csv(landing.root / "provider_costs" / "costs.csv", COST_HEADER, [
        # Pooled, mapped by the catalog to ai_tokens: C1 used 300,000, C5 100,000.
        ("2026-10-02", "openai", "nexadesk", "", "", "40.00", "CAD"),
        # Pooled on vCPU hours: only C1 used any, it takes the whole cost.
        ("2026-10-03", "aws", "nexacloud", "", "", "10.00", "CAD"),
        # Direct.
        ("2026-10-04", "twilio", "nexadesk", "nd-5", "", "1.25", "CAD"),
        # Pooled on a metric nobody used: kept, unallocated.
        ("2026-10-05", "twilio", "nexadesk", "", "conversations", "2.00", "CAD"),
    ])
    finance(landing, wh)
    allocations = table(wh, "cost_allocations",
                        "provider, customer_key, allocation, share, cost_cad")
    assert ("openai", "C1", "usage_share", D("0.75"), D("30.000000000")) in allocations
    assert ("openai", "C5", "usage_share", D("0.25"), D("10.000000000")) in allocations
    assert ("aws", "C1", "usage_share", D(1), D("10.000000000")) in allocations
    assert ("twilio", "C5", "direct", D(1), D("1.250000000")) in allocations
    assert ("twilio", None, "unallocated", D(1), D("2.000000000")) in allocations
    assert rows(wh, "SELECT sum(cost_cad) FROM cost_allocations") == [(D("53.25"),)]
    assert rows(wh, "SELECT sum(cost) FROM margin_monthly") == [(D("53.25"),)]


def test_shares_that_do_not_divide_evenly_still_add_up(landing: Landing, wh: Path) -> None:
    landing.accounts([*DEFAULT_ACCOUNTS, ("nexadesk", "nd-5", "C5"), ("nexadesk", "nd-6", "C6")])
    landing.subscriptions([*DEFAULT_SUBSCRIPTIONS,
                           ("SUB-ND-5", "nexadesk", "nd-5", "desk-team", "2025-01-01", ""),
                           ("SUB-ND-6", "nexadesk", "nd-6", "desk-team", "2025-01-01", "")])
    landing.usage("u.parquet", [usage_row("nexadesk", "conversations", 10, account_id=a)
                                for a in ("nd-1", "nd-5", "nd-6")])
    landing.rate(wh, PERIOD)
    write_csv(landing.root / "provider_costs" / "c.csv", COST_HEADER, [
        ("2026-10-02", "twilio", "nexadesk", "", "", "10.00", "CAD")])
    finance(landing, wh)
    parts = [r[0] for r in rows(wh, "SELECT cost_cad FROM cost_allocations ORDER BY customer_key")]
    assert parts == [D("3.333333333"), D("3.333333333"), D("3.333333334")]


def test_usd_costs_are_converted_and_a_missing_rate_holds_the_row(
        rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    write_csv(landing.root / "fx_rates" / "usd.csv", ("date", "currency", "rate_to_cad"), [
        ("2026-10-02", "USD", "1.3725"),
        ("2026-10-03", "USD", "1.3800"), ("2026-10-03", "USD", "1.3900"),   # conflicting
        ("2026-10-04", "USD", "abc")])
    write_csv(landing.root / "provider_costs" / "c.csv", COST_HEADER, [
        ("2026-10-02", "openai", "nexadesk", "", "", "100.00", "USD"),
        ("2026-10-03", "openai", "nexadesk", "", "", "100.00", "USD"),
        ("2026-10-06", "openai", "nexadesk", "", "", "100.00", "USD")])
    finance(landing, wh)
    assert table(wh, "provider_costs", "cost_date::VARCHAR, fx_rate, cost_cad") == [
        ("2026-10-02", D("1.372500000"), D("137.250000000"))]
    held = table(wh, "finance_quarantine", "kind, reason")
    assert held == [("fx_rates", "conflicting_rate"), ("fx_rates", "conflicting_rate"),
                    ("fx_rates", "not_a_number"), ("provider_costs", "missing_fx_rate"),
                    ("provider_costs", "missing_fx_rate")]
    assert rows(wh, "SELECT sum(cost) FROM margin_monthly") == [(D("137.25"),)]


def test_bad_rows_and_files_are_held_with_a_reason(rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    write_csv(landing.root / "legacy_billing" / "bad.csv", LEGACY_HEADER, [
        ("lago", "nexacloud", "", PERIOD, "vcpu_hours", "1.00", "CAD", "B1"),
        ("lago", "nexacloud", "nc-1", "2026-13", "vcpu_hours", "1.00", "CAD", "B2"),
        ("lago", "nexacloud", "nc-1", PERIOD, "vcpu_hours", "one", "CAD", "B3"),
        ("lago", "nexacloud", "nc-1", PERIOD, "vcpu_hours", "1.001", "CAD", "B4"),
        ("lago", "nexafoo", "nc-1", PERIOD, "vcpu_hours", "1.00", "CAD", "B5"),
        ("lago", "nexacloud", "nc-404", PERIOD, "vcpu_hours", "1.00", "CAD", "B6")])
    write_csv(landing.root / "legacy_billing" / "short.csv", ("source", "service"), [
        ("lago", "nexacloud")])
    (landing.root / "provider_costs").mkdir()
    (landing.root / "provider_costs" / "broken.parquet").write_bytes(b"not parquet")
    write_csv(landing.root / "provider_costs" / "bad.csv", COST_HEADER, [
        ("2026-10-02", "openai", "nexadesk", "", "", "-1.00", "CAD"),
        ("2026-10-32", "openai", "nexadesk", "", "", "1.00", "CAD"),
        ("2026-10-02", "openai", "nexadesk", "nd-404", "", "1.00", "CAD"),
        ("2026-10-02", "openai", "nexadesk", "", "tokens", "1.00", "CAD"),
        ("2026-10-02", "unmapped", "nexadesk", "", "", "1.00", "CAD")])
    finance(landing, wh)
    assert table(wh, "finance_quarantine", "kind, reason, file_path") == [
        ("legacy_billing", "bad_period", "legacy_billing/bad.csv"),
        ("legacy_billing", "missing_column", "legacy_billing/short.csv"),
        ("legacy_billing", "more_than_cents", "legacy_billing/bad.csv"),
        ("legacy_billing", "not_a_number", "legacy_billing/bad.csv"),
        ("legacy_billing", "null_required", "legacy_billing/bad.csv"),
        ("legacy_billing", "unknown_account", "legacy_billing/bad.csv"),
        ("legacy_billing", "unknown_service", "legacy_billing/bad.csv"),
        ("provider_costs", "bad_date", "provider_costs/bad.csv"),
        ("provider_costs", "negative_cost", "provider_costs/bad.csv"),
        ("provider_costs", "no_allocation_metric", "provider_costs/bad.csv"),
        ("provider_costs", "unknown_account", "provider_costs/bad.csv"),
        ("provider_costs", "unknown_metric", "provider_costs/bad.csv"),
        ("provider_costs", "unreadable_file", "provider_costs/broken.parquet")]
    rows_in = 6 + 5
    used = rows(wh, "SELECT (SELECT count(*) FROM legacy_billing) "
                    "+ (SELECT count(*) FROM provider_costs)")[0][0]
    held = rows(wh, "SELECT count(*) FROM finance_quarantine WHERE file_row_number IS NOT NULL")
    assert used + held[0][0] == rows_in      # every landed row is used or held


def test_readiness_and_the_report_agree_with_the_tables(rated: tuple[Landing, Path],
                                                        tmp_path: Path) -> None:
    landing, wh = rated
    lines = rows(wh, "SELECT r.service, r.account_id, r.metric, sum(l.amount) "
                     "FROM invoice_lines l JOIN rated_charges r USING (billing_period, "
                     "subscription_id, charge_id, line_kind) GROUP BY ALL ORDER BY ALL")
    write_csv(landing.root / "legacy_billing" / "all.csv", LEGACY_HEADER, [
        ("lago", s, a, PERIOD, m, str(amount), "CAD", "X") for s, a, m, amount in lines])
    finance(landing, wh)
    readiness = {s: (n, matched, share) for s, _, n, matched, share in rows(
        wh, "SELECT service, periods, customers, matched_customers, share_matched "
            "FROM cutover_readiness")}
    assert readiness["nexadesk"] == (2, 2, D("100.00"))
    assert {share for _, _, share in readiness.values()} == {D("100.00")}
    headline = margin_report.headline(wh, PERIOD)
    by_service = {r[0]: r[1:4] for r in rows(
        wh, "SELECT service, revenue, cost, margin FROM margin_by_service")}
    assert {r[0]: r[1:4] for r in headline if r[0] != "all services"} == by_service
    total = rows(wh, "SELECT sum(amount) FROM rated_charges")[0][0]
    assert headline[-1][1] == total
    report = margin_report.write_report(wh, PERIOD, tmp_path / "m.html")
    assert f"{total:,}" in report.read_text(encoding="utf-8")


def test_the_analyst_copy_is_readable_while_the_warehouse_is_written(
        rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    copy = publish_analyst_copy(wh)
    reader = duckdb.connect(str(copy), read_only=True)
    before = reader.execute("SELECT count(*) FROM invoice_lines").fetchone()
    landing.usage("more.parquet", [usage_row("nexacloud", "vcpu_hours", 5)])
    landing.rate(wh, "2026-11")      # the writer works on the warehouse meanwhile
    assert reader.execute("SELECT count(*) FROM invoice_lines").fetchone() == before
    reader.close()
    publish_analyst_copy(wh)         # replaced in one step, the next reader sees the new one
    fresh = duckdb.connect(str(copy), read_only=True)
    assert fresh.execute("SELECT count(DISTINCT billing_period) FROM invoice_lines"
                         ).fetchone() == (2,)
    fresh.close()


def test_edge_cases_are_held_not_guessed_nor_crashing(rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    wh.unlink()                        # rated again below, with this test's catalog
    catalog = landing.root.parent / "catalog"
    import shutil
    shutil.copytree(CATALOG, catalog)
    plans = catalog / "plans.yaml"     # one product code for two NexaDesk metrics
    plans.write_text(plans.read_text(encoding="utf-8").replace("product: ND-CONV",
                                                               "product: ND-AI"))
    write_csv(landing.root / "legacy_billing" / "l.csv", LEGACY_HEADER, [
        ("lago", "nexadesk", "nd-1", PERIOD, "ND-AI", "10.00", "CAD", "L1")])
    write_csv(landing.root / "provider_costs" / "c.csv", COST_HEADER, [
        ("2026-10-02", "openai", "nexadesk", "", "", "100000000000000000000", "CAD"),
        ("2026-10-02", "openai", "nexadesk", "", "", "1.00", "CAD")])
    write_csv(landing.root / "provider_costs" / "COSTS.CSV", COST_HEADER, [])
    rate_landing(landing.root, wh, PERIOD, catalog=catalog)
    run_finance(FinanceRequest(landing=str(landing.root), catalog=catalog, warehouse=wh,
                               period=PERIOD))
    assert table(wh, "finance_quarantine", "kind, reason, file_path") == [
        ("legacy_billing", "ambiguous_charge", "legacy_billing/l.csv"),
        ("provider_costs", "unsupported_file", "provider_costs/COSTS.CSV"),
        ("provider_costs", "value_out_of_range", "provider_costs/c.csv")]
    assert rows(wh, "SELECT sum(cost_cad) FROM cost_allocations") == [(D("1.00"),)]
    with pytest.raises(ValueError, match="in cents"):
        finance(landing, wh, tolerance=D("0.015"))


def test_margin_percentages_round_half_up_like_the_report(rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    # C1's vCPU hours: 9.00 of revenue; a direct cost of 8.98695 leaves 0.01305, 0.145 %.
    write_csv(landing.root / "provider_costs" / "c.csv", COST_HEADER, [
        ("2026-10-02", "aws", "nexacloud", "nc-1", "vcpu_hours", "8.98695", "CAD")])
    finance(landing, wh)
    assert rows(wh, "SELECT margin_pct FROM margin_monthly WHERE customer_key = 'C1' "
                    "AND metric = 'vcpu_hours'") == [(D("0.15"),)]
    headline = {r[0]: r[4] for r in margin_report.headline(wh, PERIOD)}
    assert rows(wh, "SELECT margin_pct FROM margin_by_service WHERE service = 'nexacloud'"
                ) == [(headline["nexacloud"],)]


def test_a_zero_line_missing_on_the_other_side_is_a_match(rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    # C5's AI tokens stay inside the included 100,000: our line is 0.00; the legacy omits it.
    assert rows(wh, "SELECT sum(amount) FROM invoice_lines WHERE customer_key = 'C5'") == [
        (D("38.00"),)]
    write_csv(landing.root / "legacy_billing" / "l.csv", LEGACY_HEADER, [
        ("lago", "nexadesk", "nd-5", PERIOD, "agents", "38.00", "CAD", "L5"),
        ("lago", "nexadesk", "nd-5", PERIOD, "support_fee", "0.00", "CAD", "L5")])
    finance(landing, wh)
    classes = dict(rows(wh, "SELECT charge, class FROM reconciliation_legacy "
                            "WHERE customer_key = 'C5'"))
    assert classes == {"agents": "match", "ai_tokens": "match", "support_fee": "match"}


def test_daily_revenue_is_an_exact_even_spread(rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    finance(landing, wh)
    days = rows(wh, "SELECT revenue FROM margin_daily WHERE customer_key = 'C1' "
                    "AND metric = 'vcpu_hours' ORDER BY day")
    part = (D("9.00") / 31).quantize(D("0.000000001"))      # 0.290322581, half-up
    assert [r[0] for r in days] == [part] * 30 + [D("9.00") - 30 * part]


def test_a_held_cost_keeps_its_service_when_the_providers_name_has_a_comma(
        rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    write_csv(landing.root / "provider_costs" / "c.csv", COST_HEADER, [
        ("2026-10-02", "Acme, Inc.", "nexadesk", "", "ai_tokens", "100.00", "USD"),
        ("2026-10-03", "openai", "nexamaps", "", "map_tiles", "2.50", "EUR")])   # no rates
    finance(landing, wh)
    assert rows(wh, "SELECT record, service, billing_period, amount, currency "
                    "FROM finance_quarantine ORDER BY file_row_number") == [
        ("2026-10-02,Acme, Inc.,nexadesk,ai_tokens,100.00,USD", "nexadesk", PERIOD,
         D("100.000000000"), "USD"),
        ("2026-10-03,openai,nexamaps,map_tiles,2.50,EUR", "nexamaps", PERIOD, D("2.500000000"),
         "EUR")]
    notes = margin_report.report_notes(wh, PERIOD)
    assert ("WARNING: Costs held: 2 provider cost row(s) of 2026-10 have no FX rate for their "
            "day (finance_quarantine, reason missing_fx_rate): 100.00 USD on nexadesk; 2.50 EUR "
            "on nexamaps.") in " ".join(notes)


def test_a_warehouse_written_before_the_typed_held_columns_gains_them(
        rated: tuple[Landing, Path]) -> None:
    landing, wh = rated
    con = duckdb.connect(str(wh))
    try:   # finance_quarantine as an earlier fusion-rating wrote it, with a held row
        for column in ("service", "billing_period", "amount", "currency"):
            con.execute(f"ALTER TABLE finance_quarantine DROP COLUMN {column}")
        con.execute("DELETE FROM schema_applied")   # an earlier version ran other schema files
        con.execute("INSERT INTO finance_quarantine VALUES ('provider_costs', "
                    "'missing_fx_rate', 'provider_costs/old.csv', 0, 'x', NULL)")
    finally:
        con.close()
    write_csv(landing.root / "provider_costs" / "c.csv", COST_HEADER, [
        ("2026-10-02", "openai", "nexadesk", "", "ai_tokens", "100.00", "USD")])
    finance(landing, wh)   # rewrites finance_quarantine, now with the typed columns
    assert rows(wh, "SELECT file_path, service, billing_period, amount, currency "
                    "FROM finance_quarantine") == [
        ("provider_costs/c.csv", "nexadesk", PERIOD, D("100.000000000"), "USD")]
