"""Subscriptions and account links: each file's last good version stays in force.

`<landing>/subscriptions/` and `<landing>/accounts/` hold CSV (with a header) or Parquet files,
at any depth (columns: rating.ingest.tables). Each rating looks at every file of both kinds:

- the same bytes as the version in force: nothing is read;
- new or changed bytes that can be used: this version replaces the file's rows (it comes into
  force with the rating, in the same warehouse transaction);
- new or changed bytes that cannot be used as a whole (not readable, empty, a required column
  missing): the file is held and its previous version, if any, stays in force;
- a file in force that is gone from the landing zone: held (`missing_file`), its last version
  stays in force, unless the run accepts changes, which retires it.

Row-level problems stay with their rows (reference_quarantine): a short line is padded with
NULLs and held as null_required; a line that cannot be decoded (a byte that is not UTF-8) is
held as unreadable_line while the rest of the file is used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rating import warehouse
from rating.ingest import held as held_inputs
from rating.ingest import landing, names
from rating.ingest import tables as accounts
from rating.ingest.held import HeldFile, unreleased
from rating.ingest.usage import LandingError

KINDS = ("subscriptions", "accounts")
COLUMNS = {"subscriptions": accounts.SUBSCRIPTION_COLUMNS, "accounts": accounts.ACCOUNT_COLUMNS}


@dataclass(frozen=True)
class _KindStatements:
    """The statements that stage a file of one kind and bring it into force."""

    create_staged: str
    count_staged: str
    delete_rows: str
    replace_rows: str


SQL = {
    "subscriptions": _KindStatements(
        create_staged="ingest/references/create_staged_subscriptions",
        count_staged="ingest/references/count_staged_subscriptions",
        delete_rows="ingest/references/delete_rows_subscriptions",
        replace_rows="ingest/references/replace_rows_subscriptions"),
    "accounts": _KindStatements(
        create_staged="ingest/references/create_staged_accounts",
        count_staged="ingest/references/count_staged_accounts",
        delete_rows="ingest/references/delete_rows_accounts",
        replace_rows="ingest/references/replace_rows_accounts"),
}
RAW_INSERTS = {"csv": "ingest/references/insert_raw_csv",
               "parquet": "ingest/references/insert_raw_parquet"}


@dataclass(frozen=True)
class Change:
    """A file whose version in force changed in this run (rows None: no version before/after)."""

    kind: str
    file_path: str
    rows_before: int | None
    rows_after: int | None


@dataclass(frozen=True)
class Refresh:
    held: tuple[HeldFile, ...]
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class _InForce:
    content_hash: str
    rows: int
    loaded_at: dt.datetime


def refresh(con: Any, root: str, *, retire_missing: bool = False) -> Refresh:
    """Bring new usable versions into force and hold the others (the caller's warehouse
    transaction), then build raw_subscriptions and raw_accounts from what is in force."""
    held: list[HeldFile] = []
    changes: list[Change] = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for kind in KINDS:
        in_force = {row["file_path"]: _InForce(content_hash=row["content_hash"],
                                               rows=int(row["rows_in_file"]),
                                               loaded_at=row["loaded_at"])
                    for row in warehouse.rows(con, "ingest/references/in_force_files",
                                              {"kind": kind})}
        # A name DuckDB cannot address is not listed or hashed (the error would abort the
        # caller's transaction); load_table_file holds it by name.
        found = [_landed(root, path) for path in accounts.files(con, root, kind)]
        new_held, new_changes = _new_versions(con, root, kind, found, in_force, now)
        gone_held, gone_changes = _gone_files(con, kind, {f.relative_path for f in found},
                                              in_force, retire_missing)
        held += [*new_held, *gone_held]
        changes += [*new_changes, *gone_changes]
    for kind in KINDS:
        if not warehouse.rows(con, "ingest/references/in_force_files", {"kind": kind}):
            # Nothing could be billed: a missing folder, never a month of no subscriptions.
            raise LandingError(
                f"no {kind} file is in force: there is none under "
                f"{root.rstrip('/')}/{kind}/ that could be read, and none from an earlier run;"
                " check --landing or FUSION_LANDING")
    warehouse.run(con, "ingest/references/create_raw_subscriptions")
    warehouse.run(con, "ingest/references/create_raw_accounts")
    return Refresh(
        held=tuple(sorted(unreleased(con, held), key=lambda h: (h.kind, h.file_path))),
        changes=tuple(changes))


def _landed(root: str, path: str) -> landing.LandedFile:
    relative = landing.relative_path(root, path)
    return landing.LandedFile(path=path, relative_path=relative,
                              file_id=landing.file_id_for(relative),
                              error=names.unaddressable(path, relative))


def _new_versions(con: Any, root: str, kind: str, found: list[landing.LandedFile],
                  in_force: dict[str, _InForce], now: dt.datetime
                  ) -> tuple[list[HeldFile], list[Change]]:
    """Each landed file of `kind` whose bytes are not the version in force: into force when it
    can be used, else held (its previous version, if any, stays in force)."""
    held: list[HeldFile] = []
    changes: list[Change] = []
    observed = landing.observe(con, root, found)
    hashes = landing.content_hashes(con, root, found)
    for landed in found:
        relative, current = landed.relative_path, in_force.get(landed.relative_path)
        if current is not None and current.content_hash == hashes[landed.path]:
            continue
        staged = _stage(con, root, kind, landed, observed[landed.path].size_bytes)
        if isinstance(staged[0], str):
            reason, detail = staged
            held.append(HeldFile(kind=kind, file_path=relative, reason=reason,
                                 detail=str(detail), in_force=_in_force_text(current),
                                 content_hash=hashes[landed.path]))
            continue
        rows, rejects = staged
        _bring_into_force(con, kind, relative, observed[landed.path], hashes[landed.path],
                          rows, rejects, now)
        changes.append(Change(kind=kind, file_path=relative,
                              rows_before=current.rows if current else None, rows_after=rows))
    return held, changes


def _gone_files(con: Any, kind: str, present: set[str], in_force: dict[str, _InForce],
                retire_missing: bool) -> tuple[list[HeldFile], list[Change]]:
    """Each file in force that is gone from the landing zone: held, its version staying in
    force, unless the run accepts changes, which retires it."""
    held: list[HeldFile] = []
    changes: list[Change] = []
    for relative, current in sorted(in_force.items()):
        if relative in present:
            continue
        if retire_missing:
            _retire(con, kind, relative)
            changes.append(Change(kind=kind, file_path=relative,
                                  rows_before=current.rows, rows_after=None))
        else:
            held.append(HeldFile(kind=kind, file_path=relative, reason="missing_file",
                                 detail="the file is gone from the landing zone; to stop "
                                 "using it, rerun with --accept-changes; to keep its "
                                 "version in force, release it (fusion-rating release)",
                                 in_force=_in_force_text(current),
                                 content_hash=current.content_hash))
    return held, changes


def _in_force_text(current: _InForce | None) -> str:
    if current is None:
        return "nothing: no earlier version of this file"
    return f"its version of {current.loaded_at:%Y-%m-%d %H:%M} UTC ({current.rows} rows)"


@dataclass(frozen=True)
class _Reject:
    """A line of a CSV file that could not be decoded: held by itself, the rest is used."""

    line: int
    message: str
    record: str  # the line as read


def _stage(con: Any, root: str, kind: str, landed: landing.LandedFile, size: int
           ) -> tuple[str, str] | tuple[int, list[_Reject]]:
    """Read one file into staged_<kind>: (reason, detail) when the file cannot be used as a
    whole, else (its rows, its lines that could not be decoded)."""
    if landed.error is not None:
        return "unreadable_file", landed.error
    if size == 0:
        return "empty_file", "the file is empty"
    warehouse.run(con, SQL[kind].create_staged)
    warehouse.run(con, "ingest/references/drop_csv_rejects")
    warehouse.run(con, "ingest/references/drop_csv_reject_scans")
    problem = accounts.load_table_file(
        con, root, landed.path, table=f"staged_{kind}", columns=tuple(COLUMNS[kind].values()),
        required=accounts.REQUIRED[kind], inserts=RAW_INSERTS)
    if problem is not None:
        _, reason, detail = problem
        return reason, detail
    rejects: list[_Reject] = []
    if not landed.path.endswith(".parquet"):
        rejects = [_Reject(line=int(row["line"]), message=str(row["error_message"]),
                           record=str(row["csv_line"]))
                   for row in warehouse.rows(con, "ingest/references/csv_rejects")]
    rows = int(warehouse.value(con, SQL[kind].count_staged))
    if rows == 0:
        if rejects:
            return ("unreadable_file",
                    f"no line could be read; line {rejects[0].line}: {rejects[0].message}")
        return "empty_file", "the file has a header but no rows"
    return rows, rejects


def _bring_into_force(con: Any, kind: str, relative: str, stat: landing.FileStat,
                      content_hash: str, rows: int, rejects: list[_Reject],
                      now: dt.datetime) -> None:
    params = {"kind": kind, "file_path": relative}
    warehouse.run(con, SQL[kind].delete_rows, params)
    warehouse.run(con, SQL[kind].replace_rows)
    warehouse.run(con, "ingest/references/delete_in_force_file", params)
    warehouse.run(con, "ingest/references/insert_in_force_file", {
        **params, "size_bytes": stat.size_bytes, "modified_at": stat.modified_at,
        "content_hash": content_hash, "rows_in_file": rows, "loaded_at": now})
    warehouse.run(con, "ingest/references/delete_rejects", params)
    for reject in rejects:
        warehouse.run(con, "ingest/references/insert_reject", {
            **params, "line": reject.line, "record": reject.record,
            "detail": f"line {reject.line}: {reject.message}"})


def _retire(con: Any, kind: str, relative: str) -> None:
    params = {"kind": kind, "file_path": relative}
    warehouse.run(con, SQL[kind].delete_rows, params)
    warehouse.run(con, "ingest/references/delete_in_force_file", params)
    warehouse.run(con, "ingest/references/delete_rejects", params)


def record_held(con: Any, held: tuple[HeldFile, ...]) -> None:
    """held_inputs' reference rows: replaced by each rating."""
    warehouse.run(con, "ingest/references/clear_held_references")
    held_inputs.record_held(con, held)
