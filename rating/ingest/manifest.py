"""Which landed usage files are new: the ledger's manifest compared with the landing zone.

Step 1 of an ingestion (rating.ingest.usage, docs/ledger.md): a path the manifest does not hold
is new, and so is a file recorded unreadable (tried again on every run). A known path whose
size or modification time changed is hashed again: the same bytes are only touched, other bytes
are held (changed_after_ingestion), since landed files are immutable. A rebuild is refused when
it would lose or replace rows the ledger holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rating import warehouse
from rating.ingest import landing
from rating.ingest.held import HeldFile


@dataclass(frozen=True)
class KnownFile:
    """A manifest row, as compared with the landing zone."""

    file_id: int
    file_path: str
    size_bytes: int
    modified_at: dt.datetime | None
    content_hash: str
    status: str
    ingested_at: dt.datetime


class RebuildRefused(ValueError):
    """A rebuild would lose rows the ledger holds (files gone or changed) without consent."""


def unreadable_held(landed: landing.LandedFile, content_hash: str,
                    known: KnownFile | None) -> HeldFile:
    detail = relative_error(landed)
    if known is not None:
        detail = (f"unreadable since {known.ingested_at:%Y-%m-%d} ({detail}): replace it with "
                  "readable Parquet, remove it, or release it (fusion-rating release)")
    return HeldFile(kind="usage", file_path=landed.relative_path, reason="unreadable_file",
                    detail=detail, in_force="nothing: no row of it is used",
                    content_hash=content_hash)


def check_rebuild(files: list[landing.LandedFile], hashes: dict[int, str],
                  manifest: dict[int, KnownFile], accept_changes: bool) -> None:
    """A rebuild reads the landing zone as it is now (`files`, every one of them): refuse it
    when that would lose or replace rows the ledger holds, unless changes are accepted. Called
    again once the files have been read, since a file may only then turn out unreadable."""
    if accept_changes:
        return
    present = {f.file_id for f in files}
    ingested = {k.file_id: k for k in manifest.values() if k.status == "ingested"}
    lines = [f"  gone from the landing zone: {k.file_path}"
             for k in sorted(ingested.values(), key=lambda k: k.file_path)
             if k.file_id not in present]
    lines += [f"  changed since it was ingested: {f.relative_path}" for f in files
              if f.file_id in ingested and ingested[f.file_id].content_hash != hashes[f.file_id]]
    lines += [f"  ingested before, unreadable now: {f.relative_path}" for f in files
              if f.file_id in ingested and f.error is not None]
    if lines:
        raise RebuildRefused(
            "a rebuild reads the landing zone as it is now and would lose or replace rows the "
            "ledger holds:\n" + "\n".join(lines) + "\nrestore these files, or rerun with "
            "--accept-changes to rebuild from what is there now")


def compare_with_manifest(con: Any, root: str, files: list[landing.LandedFile],
                          observed: dict[int, landing.FileStat],
                          manifest: dict[int, KnownFile]
                          ) -> tuple[list[landing.LandedFile], list[HeldFile],
                                     list[tuple[landing.LandedFile, dt.datetime | None]]]:
    """(new files, held files, files rewritten with the same bytes and their new mtime)."""
    new: list[landing.LandedFile] = []
    suspects: list[landing.LandedFile] = []
    for landed in files:
        known = manifest.get(landed.file_id)
        if known is None or known.status == "unreadable":
            # An unreadable file is tried again every run: a transient read error must not
            # keep good rows out for good.
            new.append(landed)
        elif landing.FileStat(size_bytes=known.size_bytes,
                              modified_at=known.modified_at) != observed[landed.file_id]:
            suspects.append(landed)
    held: list[HeldFile] = []
    touched: list[tuple[landing.LandedFile, dt.datetime | None]] = []
    hashes = by_file_id(suspects, landing.content_hashes(con, root, suspects))
    for landed in suspects:
        known = manifest[landed.file_id]
        if hashes[landed.file_id] == known.content_hash:
            touched.append((landed, observed[landed.file_id].modified_at))
        else:
            held.append(HeldFile(
                kind="usage", file_path=landed.relative_path, reason="changed_after_ingestion",
                detail=f"its bytes differ from those ingested on "
                f"{known.ingested_at:%Y-%m-%d %H:%M} UTC; landed files are immutable: land a "
                "correction as a new file (same counter_id, later pushed_at), then restore, "
                "remove or release this one",
                in_force=f"the rows ingested on {known.ingested_at:%Y-%m-%d}",
                content_hash=hashes[landed.file_id]))
    return sorted(new, key=lambda f: f.relative_path), held, touched


def relative_error(landed: landing.LandedFile) -> str:
    # The message names the file; keep it relative so results do not depend on where the
    # landing zone is mounted.
    return (landed.error or "").replace(landed.path, landed.relative_path)


def by_file_id(files: list[landing.LandedFile], by_path: dict[str, Any]) -> dict[int, Any]:
    return {f.file_id: by_path[f.path] for f in files}


def read_manifest(con: Any) -> list[KnownFile]:
    return [KnownFile(**row) for row in warehouse.rows(con, "ingest/ledger/manifest")]
