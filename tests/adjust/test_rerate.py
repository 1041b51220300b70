"""Re-rating a closed period beside its rows (rating.adjust.rerate): the same statements as a
rating, the ledger as it is now, the period's references as they stood, main's rows untouched.

Period 2026-10 of the bundled catalog: NexaCloud vCPU-hours cost 0.045 each above 100
included (catalog/plans.yaml, cloud-standard).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from rating import warehouse
from rating.adjust.rerate import RerateRefused, RerateResult, rerate_period
from rating.adjust.shadow import SHADOW_TABLES, shadow
from rating.catalog import load_catalog
from rating.ingest import ledger
from rating.periods import billing_period
from rating.rate.catalog_tables import load_catalog_tables
from rating.rate.engine import close_period
from rating.rate.params import period_params
from rating.samples.usage import write_sample
from tests.support.usage_builder import (
    CATALOG,
    DEFAULT_ACCOUNTS,
    DEFAULT_SUBSCRIPTIONS,
    Landing,
    rate_landing,
    rows,
    snapshot,
    usage_row,
)

D = Decimal
RATED = ("usage_rollups", "rated_charges", "invoice_lines")
# Every column of invoice_lines, which rerated_lines has too (it adds run_id).
LINE_COLUMNS = ("invoice_key, billing_period, customer_key, service, currency, line_number, "
                "product_code, description, quantity, billable_units, amount, amount_unrounded, "
                "subscription_id, charge_id, group_value, line_kind, billing_month")


def rerate(wh: Path, period: str = "2026-10", *, catalog: Path = CATALOG, threads: int = 2,
           run_id: str = "run-1", **options: Any) -> RerateResult:
    """rerate_period in its own transaction, on a connection set up as a rating's is."""
    with warehouse.writer(wh, warehouse.WarehouseSettings(threads=threads)) as con:
        warehouse.create_schema(con)
        ledger.attach(con, ledger.default_folder(wh))
        load_catalog_tables(con, load_catalog(catalog))
        with warehouse.transaction(con):
            return rerate_period(con, period_params(billing_period(period)), run_id=run_id,
                                 **options)


def invoiced(wh: Path, period: str = "2026-10") -> list[tuple[Any, ...]]:
    return rows(wh, f"SELECT {LINE_COLUMNS} FROM invoice_lines WHERE billing_period = $p "
                    "ORDER BY ALL", {"p": period})


def rerated(wh: Path, period: str = "2026-10") -> list[tuple[Any, ...]]:
    return rows(wh, f"SELECT {LINE_COLUMNS} FROM rerated_lines WHERE billing_period = $p "
                    "ORDER BY ALL", {"p": period})


def vcpu_line(lines: list[tuple[Any, ...]]) -> tuple[Any, ...]:
    """(subscription_id, quantity, amount) of the only vCPU line."""
    found = [(line[12], line[8], line[10]) for line in lines
             if line[13] == "cloud-standard:vcpu_hours"]
    assert len(found) == 1, found
    return found[0]


def closed_landing(landing: Landing, wh: Path) -> None:
    """2026-10 with usage on every default subscription, rated and closed."""
    landing.usage("a.parquet", [
        usage_row(value=500, counter_id="c-1"), usage_row(value=300, counter_id="c-2"),
        usage_row("nexacloud", "storage_gb", 2000, hours=24),
        usage_row("nexadesk", "conversations", 120),
        usage_row("nexamaps", "map_tiles", 250_000),
        usage_row("apps", "app_users", 30),
    ])
    landing.rate(wh)
    assert close_period(wh, "2026-10") is True


@pytest.mark.engine
def test_a_rerate_without_late_rows_reproduces_every_invoice_line(tmp_path: Path) -> None:
    sample = write_sample(tmp_path / "sample", rows=4000)
    wh = tmp_path / "warehouse.duckdb"
    rate_landing(sample.landing, wh, catalog=sample.catalog)
    close_period(wh, "2026-10")
    result = rerate(wh, catalog=sample.catalog)
    lines = invoiced(wh)
    assert len(lines) > 50
    assert rerated(wh) == lines
    assert (result.lines, result.amount_total) == (len(lines), sum(line[10] for line in lines))
    assert (result.from_snapshot, result.fingerprint_matches, result.unpriced_lines) == (
        True, True, 0)
    assert rows(wh, "SELECT DISTINCT run_id FROM rerated_lines") == [("run-1",)]


@pytest.mark.engine
def test_a_late_correction_changes_only_its_line_and_leaves_the_rated_tables(
        landing: Landing, wh: Path) -> None:
    closed_landing(landing, wh)
    before = snapshot(wh, RATED)
    # c-1 pushed again (500 -> 100) and a new counter of 40: 800 becomes 440 vCPU-h.
    landing.usage("b-late.parquet", [
        usage_row(value=100, counter_id="c-1", pushed_at="2026-11-03T00:00Z"),
        usage_row(value=40, counter_id="c-3")])
    landing.rate(wh)
    result = rerate(wh)
    assert snapshot(wh, RATED) == before
    old, new = invoiced(wh), rerated(wh)
    assert vcpu_line(old) == ("SUB-NC-1", D(800), D("31.50"))     # 700 * 0.045
    assert vcpu_line(new) == ("SUB-NC-1", D(440), D("15.30"))     # 340 * 0.045
    assert [line for line in new if line[13] != "cloud-standard:vcpu_hours"] == [
        line for line in old if line[13] != "cloud-standard:vcpu_hours"]
    assert result.amount_total == sum(line[10] for line in old) - D("16.20")


@pytest.mark.engine
def test_references_changed_after_the_close_leave_the_rerate_unchanged(
        landing: Landing, wh: Path) -> None:
    closed_landing(landing, wh)
    # After the close: NexaCloud's subscription is gone from the export and NexaMaps'
    # account is linked to another customer.
    landing.subscriptions([s for s in DEFAULT_SUBSCRIPTIONS if s[1] != "nexacloud"])
    landing.accounts([(service, account, "C9" if service == "nexamaps" else customer)
                      for service, account, customer in DEFAULT_ACCOUNTS])
    landing.rate(wh)
    assert rerate(wh).from_snapshot is True
    assert rerated(wh) == invoiced(wh)
    # With today's references the same re-rate would credit NexaCloud and move NexaMaps.
    today = rerate(wh, current_references=True)
    services = {(line[2], line[3]) for line in rerated(wh)}
    assert today.from_snapshot is False
    assert ("C1", "nexacloud") not in services and ("C9", "nexamaps") in services


@pytest.mark.engine
def test_a_period_rated_before_snapshots_is_rerated_with_todays_references(
        landing: Landing, wh: Path) -> None:
    closed_landing(landing, wh)
    with duckdb.connect(str(wh)) as con:  # as a warehouse rated by an earlier version holds it
        con.execute("DELETE FROM rated_subscriptions")
        con.execute("DELETE FROM rated_account_links")
        con.execute("UPDATE rating_runs SET period_catalog_fingerprint = NULL")
    result = rerate(wh)
    assert (result.from_snapshot, result.fingerprint_matches) == (False, None)
    assert rerated(wh) == invoiced(wh)


@pytest.mark.engine
def test_an_open_period_is_not_rerated(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=500)])
    landing.rate(wh)
    with pytest.raises(RerateRefused, match="2026-10 is not closed"):
        rerate(wh)


@pytest.mark.engine
def test_a_catalog_edit_of_a_price_in_force_shows_in_the_fingerprint(
        landing: Landing, wh: Path, tmp_path: Path) -> None:
    closed_landing(landing, wh)
    edited = tmp_path / "catalog"
    edited.mkdir()
    for path in CATALOG.iterdir():
        text = path.read_text(encoding="utf-8")
        (edited / path.name).write_text(text.replace(
            '{effective_from: 2025-01-01, model: per_unit, unit_price: "0.045"',
            '{effective_from: 2025-01-01, model: per_unit, unit_price: "0.046"'),
            encoding="utf-8")
    assert rerate(wh, catalog=edited).fingerprint_matches is False
    assert rerate(wh).fingerprint_matches is True


@pytest.mark.engine
def test_a_later_price_version_leaves_the_fingerprint(landing: Landing, wh: Path,
                                                      tmp_path: Path) -> None:
    closed_landing(landing, wh)
    edited = tmp_path / "catalog"
    edited.mkdir()
    for path in CATALOG.iterdir():
        text = path.read_text(encoding="utf-8")
        # The 2026-11 version is not in force for 2026-10.
        (edited / path.name).write_text(text.replace('unit_price: "0.042"',
                                                     'unit_price: "0.041"'), encoding="utf-8")
    assert rerate(wh, catalog=edited).fingerprint_matches is True


@pytest.mark.engine
def test_thread_counts_give_the_same_rerated_lines(tmp_path: Path) -> None:
    sample = write_sample(tmp_path / "sample", rows=4000)
    wh = tmp_path / "warehouse.duckdb"
    rate_landing(sample.landing, wh, catalog=sample.catalog)
    close_period(wh, "2026-10")
    rerate(wh, catalog=sample.catalog, threads=1)
    one = rerated(wh)
    rerate(wh, catalog=sample.catalog, threads=4)
    assert rerated(wh) == one
    assert len(one) > 50


# --- the shadow schema and its search_path --------------------------------------------------

def search_path(con: Any) -> str:
    return str(warehouse.value(con, "warehouse/search_path"))


def schemas(con: Any) -> list[str]:
    return [name for (name,) in con.execute(
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() "
        "ORDER BY 1").fetchall()]


@pytest.mark.engine
def test_set_search_path_is_not_undone_by_rollback(wh: Path) -> None:
    # Why `shadow` resets it in a finally and `transaction` again after its ROLLBACK.
    con = warehouse.connect(wh)
    try:
        con.execute("BEGIN TRANSACTION")
        warehouse.run(con, "adjust/create_rerate_schema")
        warehouse.run(con, "adjust/set_rerate_path")
        con.execute("ROLLBACK")
        assert search_path(con) == "rerate,main"
        assert "rerate" not in schemas(con)
    finally:
        con.close()


@pytest.mark.engine
def test_shadow_writes_rerate_tables_and_leaves_main_and_no_search_path(wh: Path) -> None:
    con = warehouse.connect(wh)
    try:
        warehouse.create_schema(con)
        con.execute("INSERT INTO invoice_lines (invoice_key, billing_period, customer_key, "
                    "service, currency, line_number, product_code, description, quantity, "
                    "billable_units, amount, amount_unrounded, subscription_id, charge_id, "
                    "line_kind) VALUES ('k', '2026-10', 'C1', 's', 'CAD', 1, 'P', 'd', 1, 1, "
                    "1, 1, 'S', 'c', 'usage')")
        with warehouse.transaction(con), shadow(con):
            assert search_path(con) == "rerate,main"
            assert con.execute("SELECT count(*) FROM invoice_lines").fetchone() == (0,)
            con.execute("DELETE FROM invoice_lines")
        assert (search_path(con), "rerate" in schemas(con)) == ("", False)
        assert con.execute("SELECT count(*) FROM invoice_lines").fetchone() == (1,)
    finally:
        con.close()


@pytest.mark.engine
@pytest.mark.parametrize("failure", ["aborted", "python"])
def test_a_failed_transaction_leaves_no_search_path_and_no_rerate_schema(
        wh: Path, failure: str) -> None:
    con = warehouse.connect(wh)
    try:
        warehouse.create_schema(con)
        with pytest.raises((duckdb.ConversionException, RuntimeError)), \
                warehouse.transaction(con), shadow(con):
            if failure == "aborted":  # the transaction then refuses even the RESET
                con.execute("SELECT CAST('not a number' AS INTEGER)")
            raise RuntimeError("stopped mid re-rate")
        assert (search_path(con), "rerate" in schemas(con)) == ("", False)
    finally:
        con.close()


@pytest.mark.engine
def test_a_rating_refuses_to_write_through_a_leaked_search_path(
        landing: Landing, wh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    landing.usage("a.parquet", [usage_row(value=500)])
    landing.rate(wh)
    before = snapshot(wh, (*RATED, "rating_runs"))
    opened = warehouse.connect

    def leaked(database: Any, settings: Any = None) -> Any:
        # A connection on which a re-rate's path was left set, its scratch tables still there.
        con = opened(database, settings)
        warehouse.create_schema(con)
        warehouse.run(con, "adjust/create_rerate_schema")
        for statement in SHADOW_TABLES:
            warehouse.run(con, statement)
        warehouse.run(con, "adjust/set_rerate_path")
        return con

    monkeypatch.setattr(warehouse, "connect", leaked)
    landing.usage("b.parquet", [usage_row(value=40)])
    with pytest.raises(warehouse.SearchPathSet, match="'rerate,main'"):
        landing.rate(wh)
    monkeypatch.undo()
    assert snapshot(wh, (*RATED, "rating_runs")) == before


@pytest.mark.engine
def test_a_charge_without_a_price_is_named_and_its_invoice_left_out(
        landing: Landing, wh: Path, tmp_path: Path) -> None:
    closed_landing(landing, wh)
    later = tmp_path / "catalog"
    later.mkdir()
    for path in CATALOG.iterdir():
        (later / path.name).write_text(path.read_text(encoding="utf-8").replace(
            '{effective_from: 2025-01-01, model: per_unit, unit_price: "0.045"',
            '{effective_from: 2026-12-01, model: per_unit, unit_price: "0.045"'),
            encoding="utf-8")
    with warehouse.writer(wh) as con:
        warehouse.create_schema(con)
        ledger.attach(con, ledger.default_folder(wh))
        load_catalog_tables(con, load_catalog(later))
        with warehouse.transaction(con):
            result = rerate_period(con, period_params(billing_period("2026-10")), run_id="r")
            unpriced = con.execute("SELECT invoice_key, charge_id, quantity "
                                   "FROM rerated_unpriced").fetchall()
    assert result.unpriced_lines == 1
    assert unpriced == [("C1/nexacloud/2026-10", "cloud-standard:vcpu_hours", D(800))]
    assert "C1/nexacloud/2026-10" not in {line[0] for line in rerated(wh)}
    assert {line[0] for line in invoiced(wh)} - {line[0] for line in rerated(wh)} == {
        "C1/nexacloud/2026-10"}


def late_files(landing: Path, seed: int) -> None:
    """Beside each service's sample file, a late one: every 7th counter pushed again an hour
    later with its value doubled, and every 11th again under a new counter id."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    for source in sorted((landing / "usage").glob("*/2026-10/part-0000.parquet")):
        table = pq.read_table(source)
        picked = [i for i in range(table.num_rows) if (i + seed) % 7 == 0]
        again = table.take(picked)
        value = again["value"]
        again = again.set_column(again.schema.get_field_index("value"), "value",
                                 pc.cast(pc.multiply(value, 2), value.type))
        again = again.set_column(again.schema.get_field_index("pushed_at"), "pushed_at",
                                 pc.add(again["pushed_at"], pa.scalar(3_600_000_000,
                                                                      pa.duration("us"))))
        extra = table.take([i for i in range(table.num_rows) if (i + seed) % 11 == 0])
        extra = extra.set_column(0, "counter_id",
                                 pc.binary_join_element_wise(extra["counter_id"], "late", ":"))
        late = source.parent.parent / "late" / f"late-{seed}.parquet"
        late.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.concat_tables([again, extra]), late)


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "rows_", "threads"), [
    (11, 3000, (1, 4)), (23, 6000, (4, 1)), (37, 1500, (2, 2))])
def test_a_rerate_with_late_files_is_what_a_rating_of_everything_gives(
        tmp_path: Path, seed: int, rows_: int, threads: tuple[int, int]) -> None:
    # Closed, then late files: the re-rate equals the rating of a warehouse that had every
    # file before its first rating (the references did not change).
    sample = write_sample(tmp_path / "sample", rows=rows_, seed=seed)
    closed, fresh = tmp_path / "closed.duckdb", tmp_path / "fresh.duckdb"
    rate_landing(sample.landing, closed, catalog=sample.catalog, threads=threads[0])
    close_period(closed, "2026-10")
    before = invoiced(closed)
    late_files(sample.landing, seed)
    rate_landing(sample.landing, closed, catalog=sample.catalog, threads=threads[0])
    result = rerate(closed, catalog=sample.catalog, threads=threads[1])
    rate_landing(sample.landing, fresh, catalog=sample.catalog, threads=threads[1])
    assert invoiced(closed) == before
    assert rerated(closed) == invoiced(fresh)
    assert rerated(closed) != before
    assert (result.from_snapshot, result.fingerprint_matches) == (True, True)
