"""The adjust run of a closed period (rating.adjust.run) against hand-filled re-rates.

A real period is rated and closed (four customers, tests/support/posting.py); late files land
in its ledger as they would; the re-rate (rerated_lines) is filled by hand with what re-rating
would give (vCPU hours: 0.045 CAD each beyond the 100 included), since the re-rate itself is
rating.adjust.rerate's. Every run ends with the blocking invariant holding: original + issued
+ pending = re-rated, per line, to the cent.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rating import warehouse
from rating.adjust.decide import Why, period_hold
from rating.adjust.run import (
    AdjustRequest,
    AdjustResult,
    AdjustSettings,
    PeriodNotClosed,
    adjust_period,
    unbalanced_lines,
    unchanged,
)
from rating.catalog import load_catalog
from rating.ingest import ledger
from rating.rate.catalog_tables import load_catalog_tables
from rating.rate.guard import GuardSettings
from tests.support.posting import CATALOG, PERIOD, rated_period
from tests.support.usage_builder import Landing, usage_row

pytestmark = pytest.mark.engine

VCPU = ("cloud-standard:vcpu_hours", "usage")
PEAK = ("cloud-standard:peak_instances", "usage")
TRUE_UP = ("cloud-standard:peak_instances", "minimum_true_up")
TILES = ("maps-payg:map_tiles", "usage")
STORAGE = ("cloud-standard:storage_gb", "usage")
GONE = None
Change = tuple[str, str] | None  # (quantity, amount) re-rated; None: the line is gone


class ClosedPeriod:
    """2026-10 rated and closed, its late files, its re-rates and its adjust runs."""

    def __init__(self, root: Path) -> None:
        self.warehouse = rated_period(root)
        self.landing = Landing(root / "landing", accounts=False, subscriptions=False)
        self.runs = (f"run-{n}" for n in itertools.count(1))

    def land(self, name: str, *rows: dict[str, Any]) -> str:
        """A late file, ingested by a `rate` of the closed period (which rates nothing)."""
        path = self.landing.usage(name, list(rows))
        assert self.landing.rate(self.warehouse, PERIOD).period.closed
        return path

    @contextmanager
    def session(self) -> Iterator[Any]:
        """A connection as the adjust run has it after the re-rate: the ledger, the catalog's
        cat_* tables and account_links."""
        con = warehouse.connect(self.warehouse)
        try:
            warehouse.create_schema(con)
            ledger.attach(con, ledger.default_folder(self.warehouse))
            load_catalog_tables(con, load_catalog(CATALOG))
            con.execute("CREATE OR REPLACE TEMP TABLE account_links AS SELECT service, "
                        "account_id, customer_key, false AS ambiguous FROM validated_accounts")
            # The re-rate's outcomes: nothing held (source files leave held rows out).
            con.execute("CREATE OR REPLACE TEMP TABLE usage_outcomes AS SELECT 'accepted' AS "
                        "status, 0 AS file_id, 0 AS quarantined_row_number WHERE false")
            yield con
        finally:
            con.close()

    def post(self, *keys: str) -> None:
        """Odoo holds these keys posted (all the originals when none is named)."""
        with self.session() as con:
            con.execute(
                "INSERT INTO odoo_postings (invoice_key, billing_period, customer_key, service, "
                "content_hash, amount_untaxed, odoo_move_id, odoo_number, state, attempts, "
                "first_attempt_at, updated_at, posted_at) "
                "SELECT invoice_key, billing_period, customer_key, service, 'hash', 0, 1, "
                "'INV/1', 'posted', 1, TIMESTAMP '2026-11-01', TIMESTAMP '2026-11-01', "
                "TIMESTAMP '2026-11-01' FROM (SELECT DISTINCT invoice_key, billing_period, "
                "customer_key, service FROM invoice_lines UNION SELECT DISTINCT adjustment_key, "
                "billing_period, customer_key, service FROM period_adjustments) "
                "WHERE len(?) = 0 OR list_contains(?, invoice_key)", [list(keys), list(keys)])

    def adjust(self, changes: dict[tuple[str, str, str], Change], *,
               not_at_close: tuple[str, ...] = (), **request: Any) -> AdjustResult:
        """Re-rate by hand (the original with `changes`: (key, charge, kind) to the new
        quantity and amount), then adjust, in one transaction; the invariant holds after.
        `not_at_close`: invoices re-rated that the period did not have when it closed."""
        run_id = next(self.runs)
        with self.session() as con, warehouse.transaction(con):
            rerate(con, run_id, changes)
            con.execute("DELETE FROM invoice_lines WHERE list_contains(?, invoice_key)",
                        [list(not_at_close)])
            result = adjust_period(con, AdjustRequest(
                PERIOD, run_id=run_id, issue_date=dt.date(2026, 12, 1), **request))
            assert unbalanced_lines(con) == []
        return result

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.session() as con:
            return [tuple(row) for row in con.execute(sql, list(params)).fetchall()]


def rerate(con: Any, run_id: str, changes: dict[tuple[str, str, str], Change]) -> None:
    con.execute("DELETE FROM rerated_lines WHERE billing_period = ?", [PERIOD])
    con.execute(
        "INSERT INTO rerated_lines SELECT billing_period, ? AS run_id, invoice_key, "
        "customer_key, service, currency, line_number, product_code, description, quantity, "
        "billable_units, amount, amount_unrounded, subscription_id, charge_id, group_value, "
        "line_kind, billing_month FROM invoice_lines WHERE billing_period = ?", [run_id, PERIOD])
    for (key, charge, kind), change in changes.items():
        where = "WHERE invoice_key = ? AND charge_id = ? AND line_kind = ?"
        if change is GONE:
            con.execute(f"DELETE FROM rerated_lines {where}", [key, charge, kind])
        else:
            quantity, amount = change
            con.execute(f"UPDATE rerated_lines SET quantity = ?, amount = ?, "
                        f"amount_unrounded = ? {where}",
                        [Decimal(quantity), Decimal(amount), Decimal(amount), key, charge, kind])


def cloud(customer: str) -> str:
    return f"{customer}/nexacloud/{PERIOD}"


def vcpu(customer: str, hours: str) -> dict[str, Any]:
    return usage_row("nexacloud", "vcpu_hours", Decimal(hours),
                     account_id=f"nexacloud-{customer}")


@pytest.fixture
def period(tmp_path: Path) -> ClosedPeriod:
    closed = ClosedPeriod(tmp_path)
    return closed


LINES = ("SELECT adjustment_key, line_number, old_quantity, new_quantity, old_amount, "
         "new_amount, amount_delta, description FROM period_adjustment_lines ORDER BY ALL")
REVISIONS = ("SELECT adjustment_key, document_kind, old_amount, new_amount, amount_net, "
             "amount_document, reason, source_files FROM period_adjustments ORDER BY ALL")
PENDING = ("SELECT invoice_key, charge_id, line_kind, amount_delta, why FROM "
           "pending_adjustments ORDER BY ALL")


def test_two_late_files_on_two_nights_make_revision_2_on_top_of_revision_1(
        period: ClosedPeriod) -> None:
    period.post()
    first = period.land("late-1.parquet", vcpu("C2", "40"))
    result = period.adjust({(cloud("C2"), *VCPU): ("227.5", "5.74")})
    assert (result.outcome, [r.adjustment_key for r in result.issued]) == (
        "issued", [f"{cloud('C2')}/r1"])
    assert period.rows(REVISIONS) == [
        (f"{cloud('C2')}/r1", "supplementary_invoice", Decimal("37.94"),
         Decimal("39.74"), Decimal("1.80"), Decimal("1.80"), "late_usage", [first])]
    # A rerun with the same re-rate finds the difference invoiced: nothing more.
    assert period.adjust({(cloud("C2"), *VCPU): ("227.5", "5.74")}).outcome == "no_difference"

    second = period.land("late-2.parquet", vcpu("C2", "60"))
    night_two = {(cloud("C2"), *VCPU): ("287.5", "8.44")}
    waiting = period.adjust(night_two)
    assert (waiting.outcome, waiting.issued) == ("held", ())
    assert period.rows(PENDING) == [(cloud("C2"), VCPU[0], "usage", Decimal("2.70"),
                                     "earlier_revision_not_posted")]
    period.post(f"{cloud('C2')}/r1")
    assert [r.amount_net for r in period.adjust(night_two).issued] == [Decimal("2.70")]
    assert period.rows(LINES) == [
        (f"{cloud('C2')}/r1", 1, Decimal("187.5"), Decimal("227.5"), Decimal("3.94"),
         Decimal("5.74"), Decimal("1.80"),
         "Late usage for October 2026, vCPU hours: 40 vCPU-h, from 187.5 to 227.5"),
        (f"{cloud('C2')}/r2", 1, Decimal("227.5"), Decimal("287.5"), Decimal("5.74"),
         Decimal("8.44"), Decimal("2.70"),
         "Late usage for October 2026, vCPU hours: 60 vCPU-h, from 227.5 to 287.5")]
    # Revision 2's old amount is the original plus revision 1; its files came after r1's.
    assert period.rows(REVISIONS)[1][2:] == (
        Decimal("39.74"), Decimal("42.44"), Decimal("2.70"), Decimal("2.70"), "late_usage",
        [second])
    assert period.adjust(night_two).issued == ()
    assert period.rows(PENDING) == []
    assert period.rows("SELECT * FROM adjusted_invoices WHERE invoice_key = ?",
                       cloud("C2")) == [
        (PERIOD, cloud("C2"), Decimal("37.94"), Decimal("4.50"), Decimal("0.00"),
         Decimal("42.44"), Decimal("42.44"), True)]


def test_a_minimum_true_up_absorbing_late_usage_is_net_zero_until_usage_exceeds_it(
        period: ClosedPeriod) -> None:
    period.post()
    period.land("late-peak.parquet", usage_row("nexacloud", "peak_instances", 3.125,
                                               account_id="nexacloud-C1"))
    absorbed = period.adjust({(cloud("C1"), *PEAK): ("3.125", "25.00"),
                              (cloud("C1"), *TRUE_UP): GONE})
    assert (absorbed.outcome, absorbed.issued) == ("carried", ())
    assert period.rows(PENDING) == [
        (cloud("C1"), PEAK[0], "minimum_true_up", Decimal("-1.00"), "net_zero"),
        (cloud("C1"), PEAK[0], "usage", Decimal("1.00"), "net_zero")]
    # A bigger late file goes beyond the minimum: a supplementary invoice whose true-up line
    # is negative.
    period.land("late-peak-2.parquet", usage_row("nexacloud", "peak_instances", 4,
                                                 account_id="nexacloud-C1"))
    beyond = period.adjust({(cloud("C1"), *PEAK): ("4", "32.00"), (cloud("C1"), *TRUE_UP): GONE})
    assert [(r.document_kind, r.amount_net) for r in beyond.issued] == [
        ("supplementary_invoice", Decimal("7.00"))]
    assert [(row[6], row[7]) for row in period.rows(LINES)] == [
        (Decimal("8.00"), "Late usage for October 2026, Peak instances: 1 instances, "
                          "from 3 to 4"),
        (Decimal("-1.00"), "Late usage for October 2026, minimum charge for Peak instances: "
                           "true-up from 1.00 to 0.00 CAD")]
    assert period.rows(PENDING) == []


def test_a_difference_below_the_threshold_is_carried_then_issued_once_it_crosses(
        period: ClosedPeriod) -> None:
    period.post()
    period.land("late-1.parquet", vcpu("C3", "10"))
    carried = period.adjust({(cloud("C3"), *VCPU): ("235", "6.08")})
    assert (carried.outcome, carried.pending[0].why, carried.pending[0].amount) == (
        "carried", Why.BELOW_THRESHOLD, Decimal("0.45"))
    assert period.rows("SELECT outcome, amount_pending FROM adjustment_runs") == [
        ("carried", Decimal("0.45"))]
    period.land("late-2.parquet", vcpu("C3", "20"))
    crossed = period.adjust({(cloud("C3"), *VCPU): ("255", "6.98")})
    assert [(r.revision, r.amount_net, len(r.source_files)) for r in crossed.issued] == [
        (1, Decimal("1.35"), 2)]
    assert period.rows(LINES)[0][2:4] == (Decimal("225"), Decimal("255"))
    assert (crossed.outcome, crossed.pending, period.rows(PENDING)) == ("issued", (), [])


def test_a_correction_lowering_usage_is_a_credit_note(period: ClosedPeriod) -> None:
    period.post()
    counter, pushed = period.rows(
        "SELECT counter_id, pushed_at FROM ledger.usage_rows WHERE account_id = "
        "'nexacloud-C4' AND metric = 'vcpu_hours'")[0]
    file = period.land("correction.parquet", {
        **vcpu("C4", "162.5"), "counter_id": counter,
        "pushed_at": pushed + dt.timedelta(hours=1)})
    # Block storage's quantity moves within its base fee: recorded, at a zero delta.
    result = period.adjust({(cloud("C4"), *VCPU): ("162.5", "2.81"),
                            (cloud("C4"), *STORAGE): ("0.5", "2.00")})
    assert [(r.document_kind, r.amount_net, r.amount_document, r.reason, r.source_files)
            for r in result.issued] == [
        ("credit_note", Decimal("-4.50"), Decimal("4.50"), "correction", (file,))]
    assert [(row[1], row[6], row[7]) for row in period.rows(LINES)] == [
        (1, Decimal("0.00"), "Corrected usage for October 2026, Block storage: 0.5 GB-month, "
                             "from 0 to 0.5"),
        (2, Decimal("-4.50"), "Corrected usage for October 2026, vCPU hours: -100 vCPU-h, "
                              "from 262.5 to 162.5")]


def test_an_original_not_posted_holds_its_difference_and_a_dry_run_s_outbox_counts(
        period: ClosedPeriod) -> None:
    tiles = {(f"C1/nexamaps/{PERIOD}", *TILES): ("1090000", "13.50")}
    held = period.adjust(tiles)
    assert (held.outcome, held.needs_a_person, held.issued) == ("held", True, ())
    assert period.rows(PENDING) == [(f"C1/nexamaps/{PERIOD}", TILES[0], "usage",
                                     Decimal("1.00"), "original_not_posted")]
    with period.session() as con:
        con.execute("INSERT INTO odoo_outbox (invoice_key, billing_period, customer_key, "
                    "service, content_hash, amount_untaxed, line_count, payload, problem) "
                    "VALUES (?, ?, 'C1', 'nexamaps', 'hash', 12.50, 1, '{}', NULL)",
                    [f"C1/nexamaps/{PERIOD}", PERIOD])
    assert period.adjust(tiles).outcome == "held"  # posting for real: the outbox is no proof
    dry = period.adjust(tiles, outbox_counts_as_posted=True)
    assert [(r.adjustment_key, r.amount_net) for r in dry.issued] == [
        (f"C1/nexamaps/{PERIOD}/r1", Decimal("1.00"))]


def test_an_invoice_that_only_late_usage_made_is_billed_by_a_supplementary_one_alone(
        period: ClosedPeriod) -> None:
    # No original to wait for or link to: revision 1 stands alone and says why.
    result = period.adjust({}, not_at_close=(f"C3/nexamaps/{PERIOD}",))
    assert (result.outcome, result.pending, result.needs_a_person) == ("issued", (), False)
    assert [(r.adjustment_key, r.document_kind, r.amount_net) for r in result.issued] == [
        (f"C3/nexamaps/{PERIOD}/r1", "supplementary_invoice", Decimal("14.50"))]
    assert period.rows("SELECT reason_text, old_amount FROM period_adjustments") == [(
        f"Usage for October 2026 received after its close (no invoice for October 2026 at "
        f"its close), revision 1 of C3/nexamaps/{PERIOD}", Decimal("0.00"))]


def test_a_period_beyond_the_lookback_holds_its_difference_until_adjusted_on_purpose(
        period: ClosedPeriod) -> None:
    period.post()
    with period.session() as con:
        con.execute("INSERT INTO closed_periods VALUES ('2026-11', TIMESTAMP '2026-12-04', 1), "
                    "('2026-12', TIMESTAMP '2027-01-04', 1)")
    period.land("late-1.parquet", vcpu("C2", "40"))
    change = {(cloud("C2"), *VCPU): ("227.5", "5.74")}
    held = period.adjust(change)
    assert (held.mode, held.lookback_position, held.outcome, held.issued) == (
        "hold_only", 3, "held", ())
    assert [(p.why, p.amount) for p in held.pending] == [(Why.BEYOND_LOOKBACK, Decimal("1.80"))]
    on_purpose = period.adjust(change, on_purpose=True)
    assert (on_purpose.mode, [r.amount_net for r in on_purpose.issued]) == (
        "on_purpose", [Decimal("1.80")])
    rerun = period.adjust(change, settings=AdjustSettings(lookback=3))
    assert (rerun.mode, rerun.outcome) == ("nightly", "no_difference")


def test_an_invoice_vanishing_stops_the_run_until_the_change_is_accepted(
        period: ClosedPeriod) -> None:
    period.post()
    vanished = {(f"C2/nexamaps/{PERIOD}", *TILES): GONE,
                (cloud("C3"), *VCPU): ("255", "6.98")}
    stopped = period.adjust(vanished)
    assert (stopped.outcome, stopped.issued) == ("stopped_by_guard", ())
    assert "would vanish whole: C2/nexamaps/2026-10" in (stopped.findings or "")
    assert {row[4] for row in period.rows(PENDING)} == {"guard"}
    accepted = period.adjust(vanished, settings=AdjustSettings(
        guard=GuardSettings(accept_changes=True)))
    assert [(r.invoice_key, r.document_kind, r.amount_net) for r in accepted.issued] == [
        (f"C2/nexamaps/{PERIOD}", "credit_note", Decimal("-13.50")),
        (cloud("C3"), "supplementary_invoice", Decimal("1.35"))]


def test_a_catalog_changed_since_the_rating_holds_the_period_until_accepted(
        period: ClosedPeriod) -> None:
    period.post()
    change = {(cloud("C3"), *VCPU): ("255", "6.98")}
    hold = period_hold(fingerprint_matches=False, from_snapshot=True, current_references=False,
                       accept_changes=False)
    held = period.adjust(change, period_hold=hold)
    assert (held.outcome, held.issued, [p.why for p in held.pending]) == (
        "held", (), [Why.CATALOG_CHANGED])
    assert "catalog's prices or charges for the period changed" in (held.findings or "")
    assert [r.amount_net for r in period.adjust(change).issued] == [Decimal("1.35")]


def test_the_balance_check_finds_a_planted_imbalance(period: ClosedPeriod) -> None:
    period.post()
    period.land("late-1.parquet", vcpu("C2", "40"))
    period.adjust({(cloud("C2"), *VCPU): ("227.5", "5.74")})
    with period.session() as con:
        assert unbalanced_lines(con) == []
        con.execute("UPDATE period_adjustment_lines SET amount_delta = amount_delta + 0.01")
        found = [(row["problem"], row["invoice_key"], row["expected"], row["found"])
                 for row in unbalanced_lines(con)]
    assert found == [("line", cloud("C2"), Decimal("5.74"), Decimal("5.75")),
                     ("revision", f"{cloud('C2')}/r1", Decimal("1.80"), Decimal("1.81"))]


def test_an_open_period_is_not_adjusted() -> None:
    con = warehouse.connect(":memory:")
    warehouse.create_schema(con)
    with pytest.raises(PeriodNotClosed, match="2026-10 is not closed"):
        adjust_period(con, AdjustRequest(PERIOD))


def test_an_untouched_period_is_unchanged_without_a_re_rate_and_a_late_file_touches_it(
        period: ClosedPeriod) -> None:
    period.post()
    # Before any adjust run the period's catalog is compared with the one it was rated with.
    [(rated_with,)] = period.rows("SELECT DISTINCT period_catalog_fingerprint FROM rating_runs "
                                  "WHERE period_catalog_fingerprint IS NOT NULL")
    with period.session() as con:
        assert unchanged(con, AdjustRequest(PERIOD, catalog_fingerprint="edited")) is None
    request = AdjustRequest(PERIOD, catalog_fingerprint=rated_with)
    with period.session() as con:
        quiet = unchanged(con, request)
    assert quiet is not None and (quiet.outcome, quiet.issued) == ("unchanged", ())
    period.land("late-1.parquet", vcpu("C2", "40"))
    with period.session() as con:
        assert unchanged(con, AdjustRequest(PERIOD, catalog_fingerprint=rated_with)) is None
    period.adjust({(cloud("C2"), *VCPU): ("227.5", "5.74")}, catalog_fingerprint="fingerprint")
    with period.session() as con:
        assert unchanged(con, AdjustRequest(PERIOD, catalog_fingerprint="fingerprint"))
        assert unchanged(con, AdjustRequest(PERIOD, catalog_fingerprint="edited")) is None
    assert period.rows("SELECT outcome FROM adjustment_runs ORDER BY finished_at") == [
        ("unchanged",), ("issued",), ("unchanged",)]


def test_a_re_rate_of_another_run_is_not_compared(period: ClosedPeriod) -> None:
    with period.session() as con, warehouse.transaction(con):
        rerate(con, "earlier-run", {})
        with pytest.raises(ValueError, match="re-rated by run earlier-run"):
            adjust_period(con, AdjustRequest(PERIOD, run_id="this-run"))
