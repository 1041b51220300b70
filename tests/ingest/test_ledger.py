"""The usage ledger: each landed file is ingested once, re-pushes settle across ingestions, and a
rebuild from the landing zone gives the incremental path's tables exactly.

Period 2026-10 in America/Toronto is 2026-10-01T04:00Z to 2026-11-01T04:00Z.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from rating import warehouse
from rating.ingest import ledger
from rating.ingest.ledger import LedgerError
from rating.rate.engine import RateRequest, rate
from rating.rate.guard import GuardSettings
from rating.reports import queries as reports
from rating.samples.usage import write_sample
from tests.support.usage_builder import (
    CATALOG,
    RATED_TABLES,
    Landing,
    quarantine,
    rate_landing,
    rows,
    scalar,
    snapshot,
    table,
    usage_row,
)


def fail_to_read(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Reading `path`'s schema fails as a flaky disk or network would, until
    monkeypatch.undo()."""
    from rating.ingest import landing as landing_module

    real = landing_module._inspect_batch

    def transient(con: object, files: list[landing_module.LandedFile],
                  by_path: dict[str, landing_module.LandedFile]) -> None:
        if any(f.path == str(path) for f in files):
            raise duckdb.IOException("IO Error: connection reset by peer")
        real(con, files, by_path)

    monkeypatch.setattr(landing_module, "_inspect_batch", transient)


def vcpu(wh: Path, period: str = "2026-10") -> Decimal | None:
    found = table(wh, "usage_rollups", "quantity",
                  "metric = 'vcpu_hours' AND billing_period = $period", {"period": period})
    return found[0][0] if found else None


# --- each file once -------------------------------------------------------------------------------

@pytest.mark.engine
def test_a_file_already_in_the_manifest_is_not_read_again(landing: Landing, wh: Path) -> None:
    path = landing.root / landing.usage("a.parquet", [usage_row(value=150)])
    first = landing.rate(wh)
    assert (first.ingestion.ingestion_id, first.ingestion.rows_read) == (1, 1)
    # Garbage of the same size and modification time: reading it again would fail the run.
    stat = path.stat()
    path.write_bytes(b"\0" * stat.st_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = landing.rate(wh)
    assert (second.ingestion.ingestion_id, second.ingestion.rows_read) == (None, 0)
    assert vcpu(wh) == Decimal(150)


@pytest.mark.engine
def test_rows_stay_in_the_ledger_when_their_file_is_gone(landing: Landing, wh: Path) -> None:
    gone = landing.usage("a.parquet", [usage_row(value=150)])
    landing.usage("b.parquet", [usage_row(value=50)])
    landing.rate(wh)
    (landing.root / gone).unlink()
    landing.rate(wh)
    assert vcpu(wh) == Decimal(200)


@pytest.mark.engine
def test_a_file_changed_after_ingestion_is_held_and_never_mixed_in(landing: Landing,
                                                                   wh: Path) -> None:
    path = landing.usage("a.parquet", [usage_row(value=150)])
    original = (landing.root / path).read_bytes()
    landing.rate(wh)
    landing.usage("a.parquet", [usage_row(value=900), usage_row(value=5)])
    result = landing.rate(wh)
    [held] = result.ingestion.held
    assert (held.kind, held.file_path, held.reason) == ("usage", path, "changed_after_ingestion")
    assert "immutable" in held.detail
    assert vcpu(wh) == Decimal(150)
    assert table(wh, "held_inputs", "file_path, reason") == [(path, "changed_after_ingestion")]
    # Its ingested bytes back: nothing is held any more.
    (landing.root / path).write_bytes(original)
    assert landing.rate(wh).ingestion.held == ()
    assert table(wh, "held_inputs", "file_path") == []


@pytest.mark.engine
def test_an_unreadable_file_is_ingested_once_it_reads(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=150)])
    broken = landing.corrupt("b.parquet")
    first = landing.rate(wh)
    assert [h.reason for h in first.ingestion.held] == ["unreadable_file"]
    landing.usage("b.parquet", [usage_row(value=50)])
    second = landing.rate(wh)
    assert (second.ingestion.files_new, second.ingestion.rows_read) == (1, 1)
    assert second.ingestion.held == ()
    assert vcpu(wh) == Decimal(200)
    assert quarantine(wh) == []
    assert table(wh, "landed_files", "file_path, status") == [
        ("usage/a.parquet", "ingested"), (broken, "ingested")]


@pytest.mark.engine
def test_a_released_file_is_no_longer_held_and_its_rows_stay_out(landing: Landing,
                                                                 wh: Path) -> None:
    from rating.rate.engine import release_input

    landing.usage("a.parquet", [usage_row(value=150)])
    broken = landing.corrupt("b.parquet")
    landing.rate(wh)
    with pytest.raises(ValueError, match="say why"):
        release_input(wh, "usage", broken, "  ")
    assert release_input(wh, "usage", broken, "the app re-sent it as c.parquet") is True
    assert release_input(wh, "usage", broken, "twice") is False
    assert landing.rate(wh).ingestion.held == ()
    assert rows(wh, "SELECT file_path, reason FROM released_inputs") == [
        (broken, "the app re-sent it as c.parquet")]
    # Other bytes at that path are held again.
    landing.corrupt("b.parquet", b"PAR1 other garbage" * 4)
    assert [h.file_path for h in landing.rate(wh).ingestion.held] == [broken]


# --- re-pushes across ingestions ------------------------------------------------------------------

@pytest.mark.engine
def test_a_correction_landing_later_supersedes_the_ledger_row(landing: Landing, wh: Path) -> None:
    original = usage_row(value=10, counter_id="c1", pushed_at="2026-10-05T12:00Z")
    landing.usage("a/original.parquet", [original])
    landing.rate(wh)
    landing.usage("b/correction.parquet", [dict(original, value=30,
                                                pushed_at="2026-10-06T12:00Z")])
    corrected = landing.rate(wh)
    assert corrected.ingestion.earlier_rows_superseded == 1
    assert vcpu(wh) == Decimal(30)
    # A stale re-push landing even later loses to the correction: it is superseded on arrival.
    landing.usage("c/stale.parquet", [dict(original, value=99, pushed_at="2026-10-04T12:00Z")])
    stale = landing.rate(wh)
    assert (stale.ingestion.rows_superseded, stale.ingestion.earlier_rows_superseded) == (1, 0)
    assert vcpu(wh) == Decimal(30)
    assert (stale.period.rows_landed, stale.period.rows_superseded) == (3, 2)


@pytest.mark.engine
def test_a_tie_on_pushed_at_goes_to_the_path_that_sorts_last_whenever_it_landed(
        landing: Landing, wh: Path) -> None:
    row = usage_row(value=10, counter_id="c1", pushed_at="2026-10-05T12:00Z")
    landing.usage("b/first.parquet", [row])
    landing.rate(wh)
    landing.usage("a/later-but-sorts-first.parquet", [dict(row, value=40)])
    landing.rate(wh)
    assert vcpu(wh) == Decimal(10)
    landing.usage("c/later-and-sorts-last.parquet", [dict(row, value=20)])
    landing.rate(wh)
    assert vcpu(wh) == Decimal(20)


@pytest.mark.engine
def test_a_correction_may_move_a_counter_to_another_period(landing: Landing, wh: Path) -> None:
    october = usage_row(value=10, counter_id="c1", start="2026-10-20T10:00Z",
                        pushed_at="2026-10-20T12:00Z")
    landing.usage("a.parquet", [october, usage_row(value=2)])
    landing.rate(wh)
    november = usage_row(value=7, counter_id="c1", start="2026-11-02T10:00Z",
                         pushed_at="2026-11-02T12:00Z")
    landing.usage("b.parquet", [november])
    moved = landing.rate(wh)
    assert moved.ingestion.periods == ("2026-10", "2026-11")
    assert vcpu(wh) == Decimal(2)
    landing.rate(wh, "2026-11")
    assert vcpu(wh, "2026-11") == Decimal(7)


@pytest.mark.engine
def test_a_bad_correction_landing_later_quarantines_the_counter(landing: Landing,
                                                                wh: Path) -> None:
    good = usage_row(value=10, counter_id="c1", pushed_at="2026-10-05T12:00Z")
    landing.usage("a.parquet", [good, usage_row(value=3)])
    landing.rate(wh)
    bad = landing.usage("b.parquet", [dict(good, value=-5, pushed_at="2026-10-05T13:00Z")])
    landing.rate(wh)
    assert quarantine(wh) == [("negative_value", bad, 0, "c1")]
    assert vcpu(wh) == Decimal(3)


@pytest.mark.engine
def test_a_quarantined_row_superseded_later_leaves_the_quarantine(landing: Landing,
                                                                  wh: Path) -> None:
    bad = usage_row(value=-5, counter_id="c1", pushed_at="2026-10-05T12:00Z")
    landing.usage("a.parquet", [bad])
    landing.rate(wh)
    assert [r[0] for r in quarantine(wh)] == ["negative_value"]
    landing.usage("b.parquet", [dict(bad, value=8, pushed_at="2026-10-05T13:00Z")])
    landing.rate(wh)
    assert quarantine(wh) == []
    assert vcpu(wh) == Decimal(8)


@pytest.mark.engine
def test_a_push_from_the_future_is_quarantined_and_locks_nothing(landing: Landing,
                                                                 wh: Path) -> None:
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    ahead = usage_row(value=5, counter_id="skew", start="2026-10-06T10:00Z", pushed_at=soon)
    far = usage_row(value=10, counter_id="c1", pushed_at="9999-01-01T00:00Z")
    path = landing.usage("a.parquet", [far, ahead])
    first = landing.rate(wh)
    assert quarantine(wh) == [("pushed_at_in_future", path, 0, "c1")]
    assert first.ingestion.rows_accepted == 1   # two hours of clock skew are tolerated
    landing.usage("b.parquet", [dict(far, value=30, pushed_at="2026-10-06T12:00Z")])
    landing.rate(wh)
    assert vcpu(wh) == Decimal(35)


@pytest.mark.engine
def test_the_tolerance_for_pushes_from_the_future_is_a_setting(landing: Landing,
                                                               wh: Path) -> None:
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    path = landing.usage("a.parquet", [usage_row(value=5, counter_id="skew", pushed_at=soon)])
    rate(RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                     period="2026-10", pushed_at_tolerance=dt.timedelta(hours=1)))
    assert quarantine(wh) == [("pushed_at_in_future", path, 0, "skew")]


# --- exact values ---------------------------------------------------------------------------------

@pytest.mark.engine
def test_doubles_land_as_their_shortest_text(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [
        usage_row(value=1e15 - 0.5), usage_row(value=0.1, metric="egress_gb"),
        usage_row(value=123456789.12345679, metric="peak_instances"),
        usage_row(value=1e15 + 1, metric="storage_gb", counter_id="just-above"),
        usage_row(value=1e30, metric="storage_gb", counter_id="far-above")])
    landing.rate(wh)
    got = dict(rows(wh, "SELECT metric, quantity FROM usage_rollups"))
    # DuckDB's own cast would give 999999999999999.500000000 but 0.100000000 and
    # 123456789.123456784 (a binary product) and 1000000000000001.056964608.
    assert got == {"vcpu_hours": Decimal("999999999999999.5"), "egress_gb": Decimal("0.1"),
                   "peak_instances": Decimal("123456789.12345679")}
    # Above 10^15 a counter is a unit mix-up; a value no DECIMAL holds is out of range too,
    # not "not a number".
    assert rows(wh, "SELECT counter_id, reason, value FROM usage_quarantine ORDER BY 1") == [
        ("far-above", "value_out_of_range", None),
        ("just-above", "value_out_of_range", Decimal("1000000000000001"))]


@pytest.mark.engine
def test_text_and_wide_values_too_large_are_out_of_range_not_a_number(landing: Landing,
                                                                      wh: Path) -> None:
    landing.usage("text.parquet", [usage_row(value="1e30"), usage_row(value="-2e31"),
                                   usage_row(value="12.5")], value="string")
    landing.rate(wh)
    assert sorted(r[0] for r in quarantine(wh)) == ["value_out_of_range"] * 2
    assert vcpu(wh) == Decimal("12.5")


# --- conservation, forever ------------------------------------------------------------------------

@pytest.mark.engine
def test_a_lost_ledger_row_shows_in_the_conservation_report(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=1), usage_row(value=2)])
    landing.rate(wh)
    folder = ledger.default_folder(wh)
    assert reports.query(wh, "ingest/ledger/conservation", ledger=folder) == []
    con = warehouse.connect(wh)
    try:
        ledger.attach(con, folder)
        con.execute("DELETE FROM ledger.usage_rows WHERE file_row_number = 1")
    finally:
        con.close()
    assert reports.query(wh, "ingest/ledger/conservation", ledger=folder) == [(1, 2, 1)]


@pytest.mark.engine
def test_a_ledger_whose_key_hashes_no_longer_match_is_refused(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=1)])
    landing.rate(wh)
    con = duckdb.connect(str(wh))
    try:
        ledger.attach(con, ledger.default_folder(wh))
        con.execute("UPDATE ledger.ledger_meta SET value = '42' WHERE name = 'hash_canary'")
    finally:
        con.close()
    with pytest.raises(LedgerError, match="--rebuild"):
        landing.rate(wh)


# --- rebuild --------------------------------------------------------------------------------------

def comparable(wh: Path) -> dict[str, list[tuple[object, ...]]]:
    """The rated tables, the quarantine and the manifest, without what depends on how the
    files were batched (ingestion ids) or when (wall-clock times)."""
    tables = snapshot(wh, RATED_TABLES)
    tables["usage_quarantine"] = table(wh, "usage_quarantine", "* EXCLUDE (ingestion_id)")
    tables["landed_files"] = table(wh, "landed_files",
                                   "* EXCLUDE (ingestion_id, ingested_at)")
    return tables


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_batches_in_random_order_give_what_one_rebuild_gives(tmp_path: Path, seed: int) -> None:
    sample = write_sample(tmp_path / "sample", rows=3000)
    usage = sorted(p for p in (sample.landing / "usage").rglob("*") if p.is_file())
    generator = random.Random(seed)
    generator.shuffle(usage)
    landing = tmp_path / "landing"
    for kind in ("accounts", "subscriptions"):
        shutil.copytree(sample.landing / kind, landing / kind)
    incremental = tmp_path / "incremental.duckdb"
    request = RateRequest(landing=str(landing), catalog=sample.catalog, warehouse=incremental,
                          period="2026-10", guard=GuardSettings(accept_changes=True))
    batches = 0
    while usage:
        size = generator.randint(1, 4)
        batch, usage = usage[:size], usage[size:]
        for source in batch:
            target = landing / source.relative_to(sample.landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        rate(request)
        batches += 1
    assert batches > 1
    assert scalar(incremental, "SELECT count(*) FROM ingestions") == batches
    expected = comparable(incremental)
    one_go = tmp_path / "one-go.duckdb"
    rate(replace(request, warehouse=one_go))
    assert comparable(one_go) == expected
    rebuilt = rate(replace(request, rebuild=True))
    assert rebuilt.ingestion.ingestion_id == batches + 1   # ids go on rising
    assert rows(incremental, "SELECT kind FROM ingestions") == [("rebuild",)]
    assert rebuilt.period.guard_findings is None
    assert comparable(incremental) == expected


@pytest.mark.engine
def test_a_rebuild_keeps_each_file_s_first_ingestion_time(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=1)])
    rate_landing(landing.root, wh)
    first = rows(wh, "SELECT file_path, ingested_at FROM landed_files")
    rate(RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                     period="2026-10", rebuild=True))
    assert rows(wh, "SELECT file_path, ingested_at FROM landed_files") == first
    assert rows(wh, "SELECT kind FROM ingestions") == [("rebuild",)]


# --- what the review found ------------------------------------------------------------------------

@pytest.mark.engine
@pytest.mark.parametrize("column", ["file_index", "file_row_number", "FILE_INDEX"])
def test_a_column_named_like_the_reader_s_row_position_holds_the_file(landing: Landing,
                                                                      wh: Path,
                                                                      column: str) -> None:
    # Such a column would take the place of the reader's own (rows credited to another file,
    # an innocent row superseded) or stop every read: the file is held by name instead.
    odd = landing.usage("a.parquet", [usage_row(value=10, counter_id="A")],
                        extra={column: [0]})
    landing.usage("b.parquet", [usage_row(value=7, counter_id="B")])
    result = landing.rate(wh)
    [held] = result.ingestion.held
    assert (held.file_path, held.reason) == (odd, "unreadable_file")
    assert f"a column named {column}" in held.detail
    assert vcpu(wh) == Decimal(7)
    landing.usage("c.parquet", [usage_row(value=8, counter_id="B",
                                          pushed_at="2026-10-06T00:00Z")])
    landing.rate(wh)
    assert vcpu(wh) == Decimal(8)


@pytest.mark.engine
def test_a_rebuild_that_would_lose_or_replace_rows_is_refused(landing: Landing,
                                                              wh: Path) -> None:
    from rating.ingest.manifest import RebuildRefused

    gone = landing.usage("a.parquet", [usage_row(value=3)])
    changed = landing.usage("b.parquet", [usage_row(value=100, counter_id="c1")])
    landing.rate(wh)
    (landing.root / gone).unlink()
    landing.usage("b.parquet", [usage_row(value=103, counter_id="c1"), usage_row(value=1)])
    before = snapshot(wh, RATED_TABLES)
    request = RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                          period="2026-10", rebuild=True)
    with pytest.raises(RebuildRefused) as refused:
        rate(request)
    assert f"gone from the landing zone: {gone}" in str(refused.value)
    assert f"changed since it was ingested: {changed}" in str(refused.value)
    assert snapshot(wh, RATED_TABLES) == before
    assert vcpu(wh) == Decimal(103)
    # Accepted, the rebuild takes the landing zone as it is now.
    rate(replace(request, guard=GuardSettings(accept_changes=True)))
    assert vcpu(wh) == Decimal(104)


@pytest.mark.engine
def test_a_run_killed_between_a_rebuild_and_its_mirror_is_caught_up(
        landing: Landing, wh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rating.ingest import usage as ingest

    request = RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                          period="2026-10")
    for name, batch in (("a", [usage_row(value=1)]), ("b", [usage_row(value=2)]),
                        ("c", [usage_row(value=3), usage_row(value=-1)])):
        landing.usage(f"{name}.parquet", batch)
        rate(request)
    real_sync = ingest.sync

    def killed(con: object) -> None:
        raise RuntimeError("killed between the ledger's commit and the warehouse's")

    monkeypatch.setattr(ingest, "sync", killed)
    with pytest.raises(RuntimeError, match="killed"):
        rate(replace(request, rebuild=True))
    monkeypatch.setattr(ingest, "sync", real_sync)
    landing.usage("d.parquet", [usage_row(value=4), usage_row(value=-5)])
    result = rate(request)
    assert result.ingestion.ingestion_id == 5   # ids go on rising across the rebuild
    folder = ledger.default_folder(wh)
    con = duckdb.connect(str(wh), read_only=True)
    try:
        ledger.attach(con, folder, read_only=True)
        for mirror, source in (
                ("SELECT file_path, ingestion_id FROM landed_files",
                 "SELECT file_path, ingestion_id FROM ledger.ingested_files"),
                ("SELECT ingestion_id, kind, rows_read FROM ingestions",
                 "SELECT ingestion_id, kind, rows_read FROM ledger.ingestions"),
                ("SELECT file_id, file_row_number FROM usage_quarantine",
                 "SELECT file_id, file_row_number FROM ledger.usage_rows"
                 " WHERE status = 'quarantined'")):
            assert sorted(con.execute(mirror).fetchall()) == sorted(
                con.execute(source).fetchall()), mirror
    finally:
        con.close()
    assert vcpu(wh) == Decimal(10)


@pytest.mark.engine
def test_the_rating_alone_catches_up_an_interrupted_mirror(landing: Landing, wh: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    from rating.ingest import usage as ingest
    from rating.rate.engine import ingest_landing, rate_period

    landing.usage("a.parquet", [usage_row(value=10), usage_row(value=7, account_id="nobody")])
    request = RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                          period="2026-10")
    monkeypatch.setattr(ingest, "sync", lambda con: (_ for _ in ()).throw(
        RuntimeError("killed after the ledger's commit")))
    with pytest.raises(RuntimeError, match="killed"):
        ingest_landing(request)
    monkeypatch.undo()
    rated = rate_period(request)
    assert (rated.rows_rated, rated.rows_held) == (1, 1)
    assert table(wh, "usage_quarantine", "reason, stage") == [("unknown_account", "rating")]


@pytest.mark.engine
def test_another_ledger_replaces_the_warehouse_s_mirror(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(value=1)])
    landing.rate(wh)
    landing.usage("b.parquet", [usage_row(value=-2)])
    rate(RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                     period="2026-10", ledger=wh.parent / "elsewhere.ledger",
                     guard=GuardSettings(accept_changes=True)))
    assert table(wh, "landed_files", "file_path, ingestion_id") == [
        ("usage/a.parquet", 1), ("usage/b.parquet", 1)]
    assert table(wh, "ingestions", "ingestion_id, files_new") == [(1, 2)]
    assert [r[1] for r in quarantine(wh)] == ["usage/b.parquet"]


@pytest.mark.engine
def test_usage_for_a_metric_added_later_is_billed_as_a_rebuild_would(landing: Landing,
                                                                     wh: Path,
                                                                     tmp_path: Path) -> None:
    catalog = Path(shutil.copytree(CATALOG, tmp_path / "catalog"))
    landing.usage("a.parquet", [usage_row(value=10), usage_row(metric="gpu_hours", value=5),
                                usage_row(metric="tpu_hours", value=6)])
    request = RateRequest(landing=str(landing.root), catalog=catalog, warehouse=wh,
                          period="2026-10")
    rate(request)
    assert [r[0] for r in quarantine(wh)] == ["unknown_metric", "unknown_metric"]
    metrics = catalog / "metrics.yaml"
    metrics.write_text(metrics.read_text(encoding="utf-8") + (
        "  - {service: nexacloud, code: gpu_hours, name: GPU hours, aggregation: unique_count,"
        " unit: GPUs}\n"), encoding="utf-8")
    redecided = rate(request)
    assert redecided.ingestion.ingestion_id is None   # no file read: a redecision
    assert rows(wh, "SELECT kind, rows_redecided, periods FROM ingestions ORDER BY 1") == [
        ("incremental", 0, ["2026-10"]), ("redecision", 1, ["2026-10"])]
    # gpu_hours counts distinct GPUs now: the row has no unique_key, so it is held for that.
    assert sorted(r[0] for r in quarantine(wh)) == ["null_required", "unknown_metric"]
    incremental = comparable(wh)
    rate(replace(request, rebuild=True))
    assert comparable(wh) == incremental


@pytest.mark.engine
def test_a_file_that_failed_to_read_once_is_read_again(landing: Landing, wh: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    landing.usage("a.parquet", [usage_row(value=10)])
    fail_to_read(monkeypatch, landing.root / landing.usage("b.parquet", [usage_row(value=5)]))
    first = landing.rate(wh)
    assert [h.reason for h in first.ingestion.held] == ["unreadable_file"]
    monkeypatch.undo()
    second = landing.rate(wh)
    assert (second.ingestion.files_new, second.ingestion.held) == (1, ())
    assert vcpu(wh) == Decimal(15)
    assert table(wh, "landed_files", "file_path, status") == [
        ("usage/a.parquet", "ingested"), ("usage/b.parquet", "ingested")]


# --- what the second review found -----------------------------------------------------------------

GPU = "  - {{service: nexacloud, code: gpu_hours, name: GPU hours, aggregation: {}, unit: GPUs}}\n"


def add_metric(catalog: Path, aggregation: str) -> None:
    metrics = catalog / "metrics.yaml"
    metrics.write_text(metrics.read_text(encoding="utf-8") + GPU.format(aggregation),
                       encoding="utf-8")


@pytest.mark.engine
def test_distinct_items_of_a_metric_added_later_are_counted_as_a_rebuild_would(
        landing: Landing, wh: Path, tmp_path: Path) -> None:
    catalog = Path(shutil.copytree(CATALOG, tmp_path / "catalog"))
    landing.usage("a.parquet", [usage_row(value=10),
                                usage_row(metric="gpu_hours", unique_key="gpu-1")])
    # The usual shape of unique_count usage: no value column at all.
    landing.usage("b.parquet", [usage_row(metric="gpu_hours", unique_key="gpu-2", value=None)],
                  omit=["value"])
    request = RateRequest(landing=str(landing.root), catalog=catalog, warehouse=wh,
                          period="2026-10")
    rate(request)
    assert [r[0] for r in quarantine(wh)] == ["unknown_metric", "unknown_metric"]
    add_metric(catalog, "unique_count")
    redecided = rate(request)
    assert redecided.ingestion.rows_redecided == 2
    assert quarantine(wh) == []
    assert dict(rows(wh, "SELECT metric, quantity FROM usage_rollups"))["gpu_hours"] == 2
    incremental = comparable(wh)
    rate(replace(request, rebuild=True))
    assert comparable(wh) == incremental


@pytest.mark.engine
def test_usage_accepted_after_a_close_by_a_changed_catalog_is_late_usage(
        landing: Landing, wh: Path, tmp_path: Path) -> None:
    from rating.rate.engine import close_period

    catalog = Path(shutil.copytree(CATALOG, tmp_path / "catalog"))
    landing.usage("a.parquet", [usage_row(value=10), usage_row(metric="gpu_hours", value=5)])
    landing.usage("b.parquet", [usage_row(metric="gpu_hours", value=7)])
    request = RateRequest(landing=str(landing.root), catalog=catalog, warehouse=wh,
                          period="2026-10")
    rate(request)
    rated = snapshot(wh, ["usage_rollups", "rated_charges", "invoice_lines"])
    assert close_period(wh, "2026-10")
    add_metric(catalog, "sum")
    result = rate(request)
    assert (result.period.closed, result.period.late_rows) == (True, 2)
    assert table(wh, "late_usage", "metric, file_path, counter_rows, sum_value") == [
        ("gpu_hours", "usage/a.parquet", 1, Decimal(5)),
        ("gpu_hours", "usage/b.parquet", 1, Decimal(7))]
    assert snapshot(wh, ["usage_rollups", "rated_charges", "invoice_lines"]) == rated


@pytest.mark.engine
def test_a_rebuild_is_refused_when_an_ingested_file_no_longer_reads(
        landing: Landing, wh: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rating.ingest.manifest import RebuildRefused

    landing.usage("a.parquet", [usage_row(value=1000)])
    flaky = landing.root / landing.usage("b.parquet", [usage_row(value=5)])
    request = RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                          period="2026-10")
    rate(request)
    fail_to_read(monkeypatch, flaky)
    with pytest.raises(RebuildRefused, match=r"unreadable now: usage/b\.parquet"):
        rate(replace(request, rebuild=True))
    monkeypatch.undo()
    assert vcpu(wh) == Decimal(1005)
    assert rate(replace(request, rebuild=True)).ingestion.rows_read == 2


@pytest.mark.engine
def test_a_file_with_damaged_pages_is_recorded_once(landing: Landing, wh: Path) -> None:
    landing.usage("a/good.parquet", [usage_row(value=3)])
    damaged = landing.usage("a/damaged.parquet", [usage_row(value=n) for n in range(500)])
    target = landing.root / damaged
    data = bytearray(target.read_bytes())
    data[200:264] = bytes(range(64))
    target.write_bytes(bytes(data))
    for _ in range(3):
        result = landing.rate(wh)
        assert [(h.file_path, h.reason) for h in result.ingestion.held] == [
            (damaged, "unreadable_file")]
    assert rows(wh, "SELECT ingestion_id, files_new, files_unreadable FROM ingestions") == [
        (1, 2, 1)]


@pytest.mark.engine
def test_a_ledger_restored_from_a_backup_gets_a_fresh_mirror(landing: Landing,
                                                            wh: Path) -> None:
    folder = ledger.default_folder(wh)
    landing.usage("a.parquet", [usage_row(value=1)])
    landing.rate(wh)
    backup = wh.parent / "backup.ledger"
    shutil.copytree(folder, backup)
    landing.usage("b.parquet", [usage_row(value=2)])
    landing.rate(wh)
    shutil.rmtree(folder)
    shutil.copytree(backup, folder)
    (landing.root / "usage/b.parquet").unlink()
    landing.usage("c.parquet", [usage_row(value=-3)])
    landing.rate(wh)
    assert table(wh, "landed_files", "file_path, ingestion_id") == [
        ("usage/a.parquet", 1), ("usage/c.parquet", 2)]
    assert [r[:2] for r in quarantine(wh)] == [("negative_value", "usage/c.parquet")]


@pytest.mark.engine
def test_the_sensor_sees_an_unreadable_file_replaced_in_place(landing: Landing,
                                                              wh: Path) -> None:
    from rating.ingest.watch import changes, known_files

    landing.usage("a.parquet", [usage_row(value=10)])
    broken = landing.corrupt("b.parquet")
    landing.rate(wh)
    before = changes(str(landing.root), known_files(wh))
    assert before.new_files == (broken,)
    landing.usage("b.parquet", [usage_row(value=50)])
    after = changes(str(landing.root), known_files(wh))
    assert after.new_files == (broken,) and after.periods == ("2026-10",)
    assert after.versions != before.versions   # a new run key for the sensor


@pytest.mark.fast
def test_a_warehouse_of_another_layout_is_refused_with_what_to_do(tmp_path: Path,
                                                                 landing: Landing) -> None:
    from rating.warehouse import WarehouseOutdated

    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE rating_runs (run_id VARCHAR)")
    con.close()
    landing.usage("a.parquet", [usage_row(value=1)])
    with pytest.raises(WarehouseOutdated, match="rate into a new warehouse file"):
        landing.rate(old)


@pytest.mark.engine
def test_a_moved_ledger_is_refused_in_one_line_that_says_what_to_do(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rating.cli import main

    before, after = tmp_path / "before", tmp_path / "after"
    assert main(["sample", "-q", "--out", str(before), "--rows", "200"]) == 0

    def ingest(root: Path) -> int:
        return main(["ingest", "-q", "--landing", str(root / "landing"), "--catalog",
                     str(root / "catalog"), "--warehouse", str(root / "w.duckdb")])

    assert ingest(before) == 0
    shutil.move(before, after)
    capsys.readouterr()
    assert ingest(after) == 2
    message = capsys.readouterr().err.strip()
    assert "\n" not in message   # one line, no DuckDB traceback
    assert f"the ledger at {after / 'w.ledger'} was created with its data in " \
           f"{before / 'w.ledger' / 'data'}/, not here: it was moved" in message
    assert "Move it back" in message and "--ledger NEW_FOLDER" in message
