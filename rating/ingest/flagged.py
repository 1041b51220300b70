"""Usage files flagged by an ingestion: more than half of their rows were quarantined, the mark
of a fault in the whole file (a column's type, epoch numbers for timestamps, a missing column)
rather than a few bad rows. The run's output names each (the first few, then how many more),
with its reasons and one row's `detail`: what was found and what the contract wants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rating import warehouse

FLAGGED_SHOWN = 10
"""Flagged files listed in a run's output; usage_quarantine holds them all."""


@dataclass(frozen=True, kw_only=True)
class FlaggedFile:
    """A usage file most of whose rows one ingestion quarantined."""

    file_path: str
    rows_in_file: int
    rows_quarantined: int
    reasons: tuple[tuple[str, int], ...]  # by rows, largest first
    example: str                          # the detail of one row of the largest reason

    def describe(self) -> str:
        reasons = ", ".join(f"{reason} {count:,}" for reason, count in self.reasons[:3])
        more = f" and {len(self.reasons) - 3} more reason(s)" if len(self.reasons) > 3 else ""
        return (f"{self.file_path}: {self.rows_quarantined:,} of {self.rows_in_file:,} rows "
                f"quarantined ({reasons}{more}): {self.example}")


@dataclass(frozen=True, kw_only=True)
class FlaggedFiles:
    """The first flagged files of an ingestion, and how many there are in all."""

    shown: tuple[FlaggedFile, ...] = ()
    total: int = 0

    def lines(self) -> list[str]:
        """One line per file shown, then one for those left out."""
        found = [f"FLAGGED usage file {flagged.describe()}" for flagged in self.shown]
        if self.total > len(self.shown):
            found.append(f"... and {self.total - len(self.shown):,} more flagged file(s): see "
                         "usage_quarantine")
        return found


def flagged_files(con: Any, ingestion_id: int, limit: int = FLAGGED_SHOWN) -> FlaggedFiles:
    """The flagged files of `ingestion_id`, once it is mirrored into the warehouse."""
    found = warehouse.rows(con, "ingest/ingestion_flagged_files",
                           {"ingestion_id": ingestion_id, "limit": limit})
    shown = tuple(FlaggedFile(
        file_path=str(row["file_path"]), rows_in_file=int(row["rows_in_file"]),
        rows_quarantined=int(row["rows_quarantined"]),
        reasons=tuple((str(r["reason"]), int(r["row_count"])) for r in row["reasons"]),
        example=str(row["example"] or "")) for row in found)
    return FlaggedFiles(shown=shown, total=int(found[0]["files_flagged"]) if found else 0)
