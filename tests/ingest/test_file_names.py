"""Usage files whose names DuckDB cannot read exactly, on a local disk (S3: test_s3.py).

DuckDB takes every path as a glob pattern; rating.ingest.names escapes `[`, `*` and `?`, but a
name that also has `\\` is expanded with `\\` as a folder separator, so `a\\b[1].parquet` would
read `a/b[1].parquet`. Such a file is held by name, with the fix, and no row is lost.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from rating.ingest import landing as landing_zone
from tests.support.usage_builder import Landing, counts, table, usage_row

pytestmark = pytest.mark.engine

BACKSLASHED = "a\\b[1].parquet"


def held_detail(wh: Path, path: str) -> str:
    [(reason, detail)] = table(wh, "usage_quarantine", "reason, detail", "file_path = $path",
                               {"path": path})
    assert reason == "unreadable_file"
    return str(detail)


def test_a_name_with_a_backslash_and_a_glob_character_is_held_not_read_as_its_neighbour(
        landing: Landing, wh: Path) -> None:
    neighbour = landing.usage("a/b[1].parquet", [usage_row(value=5)])
    odd = landing.usage(BACKSLASHED, [usage_row(value=1000), usage_row(value=2000)])
    result = landing.rate(wh)
    assert (*counts(result), result.ingestion.files_unreadable) == (1, 1, 0, 0, 1)
    assert table(wh, "landed_files", "file_path, status, rows_in_file") == [
        (neighbour, "ingested", 1), (odd, "unreadable", None)]
    detail = held_detail(wh, odd)
    assert detail.startswith(f"{odd} cannot be read by its exact name")
    assert "rename it without \\" in detail
    assert table(wh, "held_inputs", "file_path, reason") == [(odd, "unreadable_file")]
    assert table(wh, "usage_rollups", "sum(quantity)") == [(Decimal(5),)]


def test_a_backslashed_name_landing_after_its_neighbour_is_held_and_every_run_goes_on(
        landing: Landing, wh: Path) -> None:
    neighbour = landing.usage("a/b[1].parquet", [usage_row(value=5)])
    landing.rate(wh)
    odd = landing.usage(BACKSLASHED, [usage_row(value=1000)])
    # Held when it lands, and again on the next run (not recorded again).
    for unreadable_recorded in (1, 0):
        assert landing.rate(wh).ingestion.files_unreadable == unreadable_recorded
        assert table(wh, "held_inputs", "file_path, reason") == [(odd, "unreadable_file")]
        assert table(wh, "landed_files", "file_path, status, rows_in_file") == [
            (neighbour, "ingested", 1), (odd, "unreadable", None)]
        assert "rename it without \\" in held_detail(wh, odd)
        assert table(wh, "usage_rollups", "sum(quantity)") == [(Decimal(5),)]


@pytest.mark.parametrize("name", ["x\\1.parquet", "x{1,2}.parquet", "x}{.parquet"])
def test_a_backslash_or_braces_alone_read_as_they_are(landing: Landing, wh: Path,
                                                      name: str) -> None:
    # No glob character: DuckDB opens the path as it is (braces are not a pattern to it).
    odd = landing.usage(name, [usage_row(value=5)])
    plain = landing.usage("x1.parquet", [usage_row(value=7)])
    result = landing.rate(wh)
    assert (*counts(result), result.ingestion.files_unreadable) == (2, 2, 0, 0, 0)
    assert table(wh, "landed_files", "file_path, status, rows_in_file") == sorted([
        (odd, "ingested", 1), (plain, "ingested", 1)])
    assert table(wh, "usage_rollups", "sum(quantity)") == [(Decimal(12),)]


def test_inspecting_marks_a_file_whose_pattern_reads_another_file(landing: Landing) -> None:
    """The second defence, for a name `discover` does not hold: the files DuckDB returns must
    be exactly those asked for, or the file's rows would be credited to another or lost."""
    landing.usage("a/b[1].parquet", [usage_row(value=5)])
    landing.usage(BACKSLASHED, [usage_row(value=1000), usage_row(value=2000)])
    root = str(landing.root)
    files = [landing_zone.LandedFile(path=f"{root}/usage/{name}",
                                     relative_path=f"usage/{name}", file_id=number)
             for number, name in enumerate(["a/b[1].parquet", BACKSLASHED])]
    con = duckdb.connect()
    try:
        landing_zone.inspect(con, files)
    finally:
        con.close()
    neighbour, odd = files
    assert (neighbour.error, neighbour.rows, "counter_id" in neighbour.types) == (None, 1, True)
    assert odd.error == (f"usage/{BACKSLASHED} cannot be read by its exact name: DuckDB found "
                         "another file in its place, or none; rename the file")
