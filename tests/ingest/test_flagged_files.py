"""What an ingestion prints about quarantine: a file most of whose rows went to quarantine is
flagged on a line of its own, with its reasons and one row's detail (what was found, what the
contract wants), and the run's counts add up with usage_quarantine: rows by reason make up
"quarantined"; an unreadable file is a reason of its own, counted as a file, not as a row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from rating import cli
from rating.ingest.flagged import FLAGGED_SHOWN
from tests.support.usage_builder import CATALOG, Landing, rows, usage_row

pytestmark = pytest.mark.engine

EPOCH = 1790935200  # 2026-10-02T10:00Z


def ingest(landing: Landing, wh: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """`fusion-rating ingest` on the landing folder; its output."""
    assert cli.main(["ingest", "--landing", str(landing.root), "--catalog", str(CATALOG),
                     "--warehouse", str(wh)]) == 0
    return capsys.readouterr().out


def flagged_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if "FLAGGED" in line or "... and" in line]


def test_files_whose_rows_all_go_to_quarantine_are_flagged_with_the_reason_and_an_example(
        landing: Landing, wh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing.usage("good.parquet", [usage_row(value=1), usage_row(value=-1)])
    landing.usage("epoch.parquet", [usage_row(period_start=EPOCH, period_end=EPOCH + 3600,
                                              pushed_at=EPOCH + 7200)] * 2,
                  types={c: pa.int64() for c in ("period_start", "period_end", "pushed_at")})
    landing.usage("ints.parquet", [usage_row(account_id=1000), usage_row(account_id=None)],
                  types={"account_id": pa.int64()})
    assert flagged_lines(ingest(landing, wh, capsys)) == [
        "FLAGGED usage file usage/epoch.parquet: 2 of 2 rows quarantined (bad_timestamp 2): "
        f"period_start holds epoch numbers, not timestamps (INT64, e.g. {EPOCH}); the contract "
        "wants a timestamp (UTC)",
        "FLAGGED usage file usage/ints.parquet: 2 of 2 rows quarantined (bad_type 1, "
        "null_required 1): account_id is INT64 (e.g. 1000); the contract wants a string"]


def test_flagged_files_beyond_the_first_few_are_counted_not_listed(
        landing: Landing, wh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(FLAGGED_SHOWN + 2):
        landing.usage(f"no-metric-{n:02}.parquet", [usage_row()], omit=["metric"])
    lines = flagged_lines(ingest(landing, wh, capsys))
    assert len(lines) == FLAGGED_SHOWN + 1
    assert lines[0].startswith("FLAGGED usage file usage/no-metric-00.parquet: 1 of 1 rows "
                               "quarantined (missing_column 1): the file lacks metric")
    assert lines[-1] == "... and 2 more flagged file(s): see usage_quarantine"


def test_the_run_summary_adds_up_with_usage_quarantine(
        landing: Landing, wh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landing.usage("a.parquet", [usage_row(value=1), usage_row(value=-1),
                                usage_row(metric="nope"), usage_row(value=-2)])
    landing.usage("b.parquet", [usage_row()], omit=["metric"])
    landing.corrupt("c/garbage.parquet")
    landing.corrupt("d/garbage.parquet")
    out = ingest(landing, wh, capsys)
    summary = re.search(r"\((\d+) unreadable\).* quarantined (\d+);", out)
    assert summary is not None, out
    unreadable, quarantined = int(summary[1]), int(summary[2])
    by_reason = re.search(r"quarantined rows by reason: (.*)", out)
    assert by_reason is not None, out
    printed = {reason: int(count) for reason, count in
               (item.rsplit(" ", 1) for item in by_reason[1].split(", "))}
    assert f"unreadable_file {unreadable}: file(s), not rows" in out
    table = dict(rows(wh, "SELECT reason, count(*) FROM usage_quarantine"
                          " WHERE stage = 'ingestion' GROUP BY reason"))
    assert table == {**printed, "unreadable_file": unreadable}
    assert (quarantined, unreadable) == (4, 2) == (sum(printed.values()), table.pop(
        "unreadable_file"))
    assert rows(wh, "SELECT rows_quarantined, files_unreadable FROM ingestions") == [(4, 2)]
    assert rows(wh, "SELECT count(*) FROM usage_quarantine WHERE file_row_number IS NULL"
                    " AND reason = 'unreadable_file' AND detail LIKE '%garbage.parquet%'"
                    ) == [(2,)]
