"""usage.rejected: written in the ledger mirror's transaction (rating.ingest.usage.sync), one
per service and per ingestion that landed new pushes, with the rows quarantined at ingestion."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from rating.rate.engine import RateRequest, rate
from rating.warehouse import WarehouseSettings
from tests.support.usage_builder import CATALOG, Landing, table, usage_row
from tests.webhooks.events_support import count, events

pytestmark = pytest.mark.engine


def rejected(wh: Path) -> dict[str, dict[str, Any]]:
    return {key: payload["data"] for key, payload in events(wh, "usage.rejected").items()}


def test_each_ingestion_tells_each_service_the_rows_it_quarantined_once(
        landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [
        usage_row(counter_id="good-1"),
        usage_row(counter_id="neg-1", value=-2),
        usage_row(counter_id="metric-1", metric="teleport_hours"),
        usage_row(counter_id="neg-2", value=-3),
        usage_row("nexamaps", "map_tiles", counter_id="maps-neg", value=-1),
        # Not a catalog service: no app to tell.
        usage_row("nexabogus", counter_id="bogus-1", account_id="x-1"),
    ])
    landing.corrupt()  # an unreadable file is no row of any service's
    landing.rate(wh)
    told = rejected(wh)
    assert sorted(told) == ["usage.rejected:nexacloud:1", "usage.rejected:nexamaps:1"]
    cloud = told["usage.rejected:nexacloud:1"]
    assert cloud["service"] == "nexacloud" and cloud["ingestion_id"] == 1
    assert (cloud["total_rows"], cloud["counts_by_reason"], cloud["truncated"]) == (
        3, {"negative_value": 2, "unknown_metric": 1}, False)
    assert [(r["counter_id"], r["reason"], r["file_path"], r["file_row_number"],
             r["account_id"], r["metric"]) for r in cloud["rows"]] == [
        ("neg-1", "negative_value", "usage/a.parquet", 1, "nc-1", "vcpu_hours"),
        ("metric-1", "unknown_metric", "usage/a.parquet", 2, "nc-1", "teleport_hours"),
        ("neg-2", "negative_value", "usage/a.parquet", 3, "nc-1", "vcpu_hours")]
    assert cloud["rows"][0]["detail"] == "value is -2; a counter is never negative"
    assert told["usage.rejected:nexamaps:1"]["counts_by_reason"] == {"negative_value": 1}
    assert events(wh, "usage.rejected")["usage.rejected:nexamaps:1"]["_row"][1:] == (
        "usage.rejected", "nexamaps", None)

    written = count(wh)
    landing.rate(wh)  # nothing new landed
    assert count(wh) == written
    landing.usage("b.parquet", [usage_row(counter_id="neg-3", value=-4)])
    landing.rate(wh)
    assert sorted(rejected(wh)) == ["usage.rejected:nexacloud:1",
                                    "usage.rejected:nexacloud:2",
                                    "usage.rejected:nexamaps:1"]
    assert rejected(wh)["usage.rejected:nexacloud:2"]["total_rows"] == 1


def test_a_row_without_a_service_is_told_to_its_folders_service(landing: Landing,
                                                                 wh: Path) -> None:
    landing.usage("service=nexamaps/a.parquet",
                  [usage_row("nexamaps", "map_tiles", counter_id="maps-neg", value=-1)],
                  omit=("service",))
    landing.rate(wh)
    [(key, data)] = rejected(wh).items()
    assert key == "usage.rejected:nexamaps:1"
    assert [(r["counter_id"], r["file_path"]) for r in data["rows"]] == [
        ("maps-neg", "usage/service=nexamaps/a.parquet")]


def test_past_a_hundred_rows_the_first_hundred_in_file_order_are_told(landing: Landing,
                                                                      wh: Path) -> None:
    landing.usage("b.parquet", [usage_row(counter_id=f"b-{n}", value=-1) for n in range(60)])
    landing.usage("a.parquet", [usage_row(counter_id=f"a-{n}", value=-1) for n in range(90)])
    landing.rate(wh)
    data = rejected(wh)["usage.rejected:nexacloud:1"]
    assert (data["total_rows"], data["counts_by_reason"], data["truncated"]) == (
        150, {"negative_value": 150}, True)
    assert [(r["file_path"], r["file_row_number"]) for r in data["rows"]] == [
        *(("usage/a.parquet", n) for n in range(90)),
        *(("usage/b.parquet", n) for n in range(10))]


def test_a_rebuild_of_the_ledger_tells_nothing_again(landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(counter_id="neg-1", value=-2)])
    landing.rate(wh)
    before = events(wh)
    assert sorted(before) == ["usage.rejected:nexacloud:1"]
    rate(RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                     period="2026-10", time_zone="America/Toronto", rebuild=True,
                     settings=WarehouseSettings(threads=2)))
    assert [kind for (kind,) in table(wh, "ingestions", "kind")] == ["rebuild"]
    assert events(wh) == before


def test_rows_decided_again_under_a_changed_catalog_are_not_told_again(
        landing: Landing, wh: Path, tmp_path: Path) -> None:
    catalog = Path(shutil.copytree(CATALOG, tmp_path / "catalog"))
    landing.usage("a.parquet", [usage_row(metric="gpu_hours", value=5, counter_id="gpu-1")])
    request = RateRequest(landing=str(landing.root), catalog=catalog, warehouse=wh,
                          period="2026-10")
    rate(request)
    before = events(wh)
    assert before["usage.rejected:nexacloud:1"]["data"]["counts_by_reason"] == {
        "unknown_metric": 1}
    metrics = catalog / "metrics.yaml"
    metrics.write_text(metrics.read_text(encoding="utf-8") + (
        "  - {service: nexacloud, code: gpu_hours, name: GPU hours, aggregation: unique_count,"
        " unit: GPUs}\n"), encoding="utf-8")
    rate(request)
    # Decided again (a unique_count metric needs a unique_key): quarantined for another
    # reason by a redecision, which lands no push.
    assert table(wh, "ingestions", "ingestion_id, kind") == [(1, "incremental"),
                                                             (2, "redecision")]
    assert table(wh, "usage_quarantine", "reason, ingestion_id") == [("null_required", 1)]
    assert events(wh) == before


def test_a_new_warehouse_beside_an_old_ledger_tells_no_old_push_again(
        landing: Landing, wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(counter_id="neg-1", value=-2)])
    landing.rate(wh)
    assert sorted(events(wh, "usage.rejected")) == ["usage.rejected:nexacloud:1"]
    for lost in wh.parent.glob(f"{wh.name}*"):
        if lost.is_file():  # the warehouse (and its lock, its WAL); the ledger folder stays
            lost.unlink()
    landing.rate(wh)  # nothing new landed
    assert events(wh, "usage.rejected") == {}


def test_a_push_landed_just_before_a_ledger_rebuild_is_still_told(landing: Landing,
                                                                   wh: Path) -> None:
    landing.usage("a.parquet", [usage_row(counter_id="neg-1", value=-2)])
    landing.rate(wh)
    landing.usage("b.parquet", [usage_row(counter_id="neg-2", value=-3)])  # new, never told
    rate(RateRequest(landing=str(landing.root), catalog=CATALOG, warehouse=wh,
                     period="2026-10", time_zone="America/Toronto", rebuild=True,
                     settings=WarehouseSettings(threads=2)))
    told = [row["counter_id"] for payload in events(wh, "usage.rejected").values()
            for row in payload["data"]["rows"]]
    assert sorted(told) == ["neg-1", "neg-2"]
