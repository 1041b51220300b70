"""Input files held: their content is not used as it stands, and a person must look.

held_inputs lists them as of the latest run (docs/ledger.md, Held files): usage files
(rating.ingest.manifest, rating.ingest.usage) and subscription and account files
(rating.ingest.references). A person may release a held content (`fusion-rating release`,
recorded in released_inputs); other bytes at the same path are held again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rating import warehouse


@dataclass(frozen=True, kw_only=True)
class HeldFile:
    """An input file whose content is not used as it stands; a person must look."""

    kind: str       # 'usage' | 'subscriptions' | 'accounts'
    file_path: str  # relative to the landing root
    reason: str     # unreadable_file, changed_after_ingestion, empty_file, missing_column, ...
    detail: str
    in_force: str   # what is used instead
    content_hash: str = ""  # the content held (a release names it)


def unreleased(con: Any, held: list[HeldFile]) -> list[HeldFile]:
    """The held files whose content no one has released (`fusion-rating release`)."""
    released = {(row["kind"], row["file_path"], row["content_hash"])
                for row in warehouse.rows(con, "ingest/released_inputs")}
    return [h for h in held if (h.kind, h.file_path, h.content_hash) not in released]


def record_held(con: Any, held: list[HeldFile] | tuple[HeldFile, ...]) -> None:
    """held_inputs rows for `held` (the caller cleared those of their kind)."""
    for item in held:
        warehouse.run(con, "ingest/insert_held_input", {
            "kind": item.kind, "file_path": item.file_path, "reason": item.reason,
            "detail": item.detail, "in_force": item.in_force,
            "content_hash": item.content_hash})
